"""Command-line interface; the commands are thin layers over the Python API.

``main`` installs the interrupt handling before it imports the CLI (typer, rich, numpy), so a Ctrl-C or SIGTERM
during start-up is answered like one during the work: an ``interrupted`` error, exit 130, never a traceback.
"""

from __future__ import annotations

import json
import signal
import sys
import threading

__all__ = ["main"]  # the Typer app is skyasset.cli.app.app, imported only once main has set up

_interrupted_early = threading.Event()


def _early_interrupt(signum: int, frame: object) -> None:
    _interrupted_early.set()
    raise KeyboardInterrupt


def main() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _early_interrupt)
        signal.signal(signal.SIGTERM, _early_interrupt)
    try:
        from skyasset.cli.app import main as _main
    except BaseException:
        if not _interrupted_early.is_set():  # a real import failure: show it
            raise
        from skyasset.errors import EXIT_CODES, SkyassetError

        error = SkyassetError("interrupted", "Interrupted (Ctrl-C or SIGTERM) while starting; nothing was written.")
        if "--json" in sys.argv[1:]:
            sys.stdout.write(json.dumps(error.to_json()) + "\n")
        else:
            sys.stderr.write(f"error: {error.message}\n")
        sys.exit(EXIT_CODES["interrupted"])
    sys.exit(_main(restore_signals=False))
