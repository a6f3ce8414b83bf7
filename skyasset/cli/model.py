"""`skyasset model info`: what the installed or given model is."""

from __future__ import annotations

from typing import Any

import typer

from skyasset.bundle import load_bundle
from skyasset.cli.options import JsonOpt, ModelOpt
from skyasset.cli.output import respond
from skyasset.generator import SkyGenerator
from skyasset.models import resolve_model_path

model_app = typer.Typer(help="Inspect model bundles.", no_args_is_help=True)


@model_app.command("info")
def model_info(model: ModelOpt = None, json_mode: JsonOpt = False) -> None:
    """Show a bundle's metadata, after the same checks `generate` makes (checksums, graphs, one test run)."""

    def work() -> dict[str, Any]:
        generator = SkyGenerator(load_bundle(resolve_model_path(model)))
        generator.check()
        return {"model": generator.bundle.summary()}

    def human(answer: dict[str, Any]) -> str:
        m = answer["model"]
        prov = m["provenance"]
        lines = [
            f"model      {m['model_id']} ({m['variant']}, {m['bytes'] / 1e6:.1f} MB)",
            f"path       {m['path']}",
            f"resolution {m['resolution']}x{m['resolution']}, z {m['z_dim']}, w {m['w_dim']}, {m['num_ws']} ws",
            f"classes    {', '.join(c['code'] for c in m['classes']) or '(unconditional)'}",
            f"trained    {prov.get('dataset', '?')}, {prov.get('kimg', '?')} kimg, FID {prov.get('fid', '?')}",
            f"license    {m['license']}",
        ]
        return "\n".join(lines)

    respond(json_mode, work, human)
