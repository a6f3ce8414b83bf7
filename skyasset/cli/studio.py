"""`skyasset studio`: serve the local web studio until Ctrl-C."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from skyasset.cli.options import JsonOpt, ModelOpt
from skyasset.cli.output import emit_error
from skyasset.errors import SkyassetError


def studio_command(
    model: ModelOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback unless --allow-remote).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on; 0 picks a free one.")] = 8765,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a non-loopback --host (the studio has no login).")
    ] = False,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open the page in the browser.")] = True,
    json_mode: JsonOpt = False,
) -> None:
    """Open a local web page to choose a sky, look around it in 3D and download its files (offline)."""

    def ready(info: dict[str, Any]) -> None:
        if json_mode:
            sys.stdout.write(json.dumps(info) + "\n")
        else:
            sys.stdout.write(f"skyasset studio ({info['model_id']}) at {info['url']}  (Ctrl-C to stop)\n")
        sys.stdout.flush()

    try:
        from skyasset.studio.server import serve

        serve(model, host=host, port=port, allow_remote=allow_remote, open_browser=open_browser, on_ready=ready)
    except SkyassetError as error:
        emit_error(error, json_mode)
        raise typer.Exit(error.exit_code) from None
