"""How every command reports: one JSON object on stdout with --json, else human text; errors exit non-zero."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from skyasset.errors import SkyassetError
from skyasset.interrupts import INTERRUPTED, ignore_signals

__all__ = ["answer_line", "respond", "emit_error", "write_report"]


# A lone surrogate in a str: Python's stand-in for a byte of a file name that is not UTF-8 (surrogateescape).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _shown_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _printable(value: Any) -> Any:
    """``value`` with each undecodable file-name byte in its strings written as the text ``\\xNN``."""
    if isinstance(value, str):
        return _SURROGATE.sub(_shown_surrogate, value)
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value


def answer_line(answer: dict[str, Any]) -> str:
    """The one-line JSON answer, pure ASCII so it is valid UTF-8 whatever the console's encoding.

    A file name on Linux may hold bytes that are not UTF-8; Python carries them as lone surrogates, which
    UTF-8 cannot encode and JSON parsers (System.Text.Json among them) refuse as escapes. They are shown as the
    text ``\\xNN`` instead: readable, and valid JSON everywhere (such a path cannot be opened from the answer).
    """
    return json.dumps(_printable(answer), ensure_ascii=True) + "\n"


def emit_error(error: SkyassetError, json_mode: bool) -> None:
    ignore_signals()  # this is the run's one answer: a signal now must neither cut it nor add another
    if json_mode:
        sys.stdout.write(answer_line(error.to_json()))
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
        if INTERRUPTED.is_set():  # the failure is how the interrupt surfaced: report the interruption
            raise KeyboardInterrupt from None
        if isinstance(exc, SkyassetError):
            emit_error(exc, json_mode)
            raise typer.Exit(exc.exit_code) from None
        # a bug: still answer the bridge in its own protocol
        error = SkyassetError("internal_error", f"{type(exc).__name__}: {exc}")
        emit_error(error, json_mode)
        raise typer.Exit(error.exit_code) from None
    ignore_signals()  # the work is done and whole: a late Ctrl-C must not add a second answer
    if json_mode:
        sys.stdout.write(answer_line(answer))
    else:
        sys.stdout.write(human(answer).rstrip("\n") + "\n")
    sys.stdout.flush()
