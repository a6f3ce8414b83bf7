"""What every `skyasset bench ...` command does with its answer: write it to --output, print it (JSON or text)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from skyasset.cli.output import respond, write_report

__all__ = ["respond_with_report"]


def respond_with_report(
    measure: Callable[[], dict[str, Any]],
    human: Callable[[dict[str, Any]], str],
    *,
    output: Path | None,
    force: bool,
    json_mode: bool,
) -> None:
    """Run ``measure``; write its report to ``output`` (if given); print it as JSON or as ``human(report)``."""

    def work() -> dict[str, Any]:
        report = measure()
        write_report(report, output, force=force)
        return report

    respond(json_mode, work, human)
