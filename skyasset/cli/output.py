"""How every command reports: one JSON object on stdout with --json, else human text; errors exit non-zero."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from skyasset.errors import SkyassetError

__all__ = ["INTERRUPTED", "OWN_SIGNAL_HANDLERS", "respond", "emit_error", "write_report"]

# Set by the CLI's SIGINT/SIGTERM handler. An interrupt can surface as another error (e.g. an ImportError
# from a module whose import it cut short); any failure after one is reported as the interruption it was.
INTERRUPTED = threading.Event()
# Set while the CLI's own signal handlers are installed (by `main`, not in-process test runners).
OWN_SIGNAL_HANDLERS = threading.Event()


def emit_error(error: SkyassetError, json_mode: bool) -> None:
    if json_mode:
        sys.stdout.write(json.dumps(error.to_json()) + "\n")
    else:
        sys.stderr.write(f"error: {error.message}\n")
    sys.stdout.flush()


def write_report(report: dict[str, Any], output: Path | None, *, force: bool) -> None:
    """Write ``report`` as indented JSON to ``output`` (atomically) and record where in it; no-op for None."""
    from skyasset.atomic import atomic_output

    if output is None:
        return
    with atomic_output(output, force=force) as tmp:
        tmp.write_text(json.dumps(report, indent=1), encoding="utf-8")
    report["output"] = str(output.resolve())


def respond(json_mode: bool, work: Callable[[], dict[str, Any]], human: Callable[[dict[str, Any]], str]) -> None:
    """Run ``work``; print its answer as JSON or as ``human(answer)``; turn errors into exit codes."""
    try:
        answer = work()
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        if INTERRUPTED.is_set():
            raise KeyboardInterrupt from None
        if isinstance(exc, SkyassetError):
            emit_error(exc, json_mode)
            raise typer.Exit(exc.exit_code) from None
        # a bug: still answer the bridge in its own protocol
        error = SkyassetError("internal_error", f"{type(exc).__name__}: {exc}")
        emit_error(error, json_mode)
        raise typer.Exit(error.exit_code) from None
    _ignore_interrupts()  # the work is done and whole: a late Ctrl-C must not add a second answer
    if json_mode:
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(human(answer).rstrip("\n") + "\n")
    sys.stdout.flush()


def _ignore_interrupts() -> None:
    if OWN_SIGNAL_HANDLERS.is_set() and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
