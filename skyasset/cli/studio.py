"""`skyasset studio`: serve the local web studio until Ctrl-C."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

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
    library: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--library",
            help="Folder that keeps your skies across restarts; default: the user data folder "
            "(Linux: $XDG_DATA_HOME or ~/.local/share/skyasset/library; macOS: ~/Library/Application "
            "Support/skyasset/library; Windows: %LOCALAPPDATA%\\skyasset\\library).",
        ),
    ] = None,
    json_mode: JsonOpt = False,
) -> None:
    """Open a local web page to choose a sky, look around it in 3D and download its files (offline)."""

    def ready(info: dict[str, Any]) -> None:
        if json_mode:
            sys.stdout.write(json.dumps(info) + "\n")
        else:
            sys.stdout.write(
                f"skyasset studio ({info['model_id']}) at {info['url']}  (Ctrl-C to stop)\n"
                f"skies are saved in {info['library']}\n"
            )
        sys.stdout.flush()

    try:
        from skyasset.studio.server import serve

        stopped = serve(
            model,
            host=host,
            port=port,
            allow_remote=allow_remote,
            open_browser=open_browser,
            library=library,
            on_ready=ready,
        )
    except SkyassetError as error:
        emit_error(error, json_mode)
        raise typer.Exit(error.exit_code) from None
    if not stopped:
        _leave_while_a_job_runs()


def _leave_while_a_job_runs() -> NoReturn:
    """End the process now, with a clean stop's exit code, while a job's thread is still in native code.

    Interpreter shutdown would not wait for that (daemon) thread: on Python < 3.14 it is made to exit when it
    next takes the GIL, from inside OpenCV's or ONNX Runtime's C++ frames, which aborts the whole process
    ("terminate called without an active exception", exit -6; a segfault inside the EXR writer), and C++ static
    destructors would run while it works. The server has closed and the unfinished sky is removed (what the
    thread writes from here on stays under the library's hidden .partial folder, which no listing reads), so
    there is nothing left to finalize.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
