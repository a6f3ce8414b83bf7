"""Command-line interface; the commands are thin layers over the Python API.

``main`` installs the interrupt handling before it imports the CLI (typer, rich, numpy), so a Ctrl-C or SIGTERM
during start-up is answered like one during the work: an ``interrupted`` error, exit 130, never a traceback.
"""

from __future__ import annotations

import sys

from skyasset.interrupts import catch_startup_interrupts, exit_if_interrupted_at_startup

__all__ = ["main"]  # the Typer app is skyasset.cli.app.app, imported only once main has set up


def main() -> None:
    try:  # the start-up handlers stay until the command's own replace them, inside _main: a signal anywhere
        catch_startup_interrupts()  # before that is answered here
        from skyasset.cli.app import main as _main

        rc = _main(restore_signals=False)
    except BaseException:
        exit_if_interrupted_at_startup(sys.argv[1:])
        raise  # a real failure: show it
    sys.exit(rc)
