"""`skyasset-train repack`: a bundle's graphs made to share one weights file, or back (training/shared_weights.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from training.cli_errors import handle_errors

__all__ = ["repack_command"]


@handle_errors
def repack_command(
    source: Annotated[Path, typer.Argument(help="The bundle folder to convert (it is not modified).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The new bundle folder.")],
    layout: Annotated[
        str,
        typer.Option(help="shared: one weights file for all graphs; self-contained: each graph holds its weights."),
    ] = "shared",
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Rewrite a bundle with its graphs sharing one weights file (or each holding its own): same outputs."""
    from skyasset.bundle import load_bundle
    from training.shared_weights import repack_bundle

    before = load_bundle(source).total_bytes
    path = repack_bundle(source, out, layout=layout, force=force)  # type: ignore[arg-type]
    after = load_bundle(path).total_bytes
    report = {"bundle": str(path), "layout": layout, "model_bytes_before": before, "model_bytes_after": after}
    typer.echo(
        json.dumps(report)
        if as_json
        else f"wrote {path} ({layout}): graphs and weights {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB"
    )
