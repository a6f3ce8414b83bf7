"""How every command reports: one JSON object on stdout with --json, else human text; errors exit non-zero."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from skyasset.errors import SkyassetError

__all__ = ["respond", "emit_error", "write_report"]


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
    except SkyassetError as error:
        emit_error(error, json_mode)
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a bug: still answer the bridge in its own protocol
        error = SkyassetError("internal_error", f"{type(exc).__name__}: {exc}")
        emit_error(error, json_mode)
        raise typer.Exit(error.exit_code) from None
    if json_mode:
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(human(answer).rstrip("\n") + "\n")
    sys.stdout.flush()
