"""`skyasset convert INPUT --to LAYOUT`: a photo, photos, panorama or cubemap -> skybox files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from skyasset.assets.fill import GROUND_FILLS
from skyasset.assets.skybox import SKYBOX_LAYOUTS
from skyasset.assets.sun_place import SUN_HELP
from skyasset.cli.options import ExposureOpt, ForceOpt, JsonOpt, RotateOpt, UpscaleOpt, choice_option, written_text
from skyasset.cli.output import respond
from skyasset.cli.progress import StderrProgress
from skyasset.convert import CONVERT_METHODS, INPUT_KINDS, convert_request, convert_request_to


def convert_command(
    input_path: Annotated[
        Path,
        typer.Argument(metavar="INPUT", help="Photo, photo folder, equirect panorama, cubemap image or faces folder."),
    ],
    out: Annotated[str, typer.Option("--out", "-o", help="Output file, e.g. sky.png (other files derive from it).")],
    # Choices are checked by the core (skyasset.convert.convert_request): one message for the CLI and the API.
    to: Annotated[str, choice_option(SKYBOX_LAYOUTS, "--to")] = "equirect",
    kind: Annotated[str, choice_option(INPUT_KINDS, "--input-kind")] = "auto",
    method: Annotated[
        str, choice_option(CONVERT_METHODS, lead="Photo input, one of", tail=" (ring takes a folder of photos)")
    ] = "auto",
    size: Annotated[
        Optional[int],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option(help="Equirect width (default: 2048 for photos, the input's own size otherwise)."),
    ] = None,
    ground: Annotated[str, choice_option(GROUND_FILLS, lead="Below the horizon (photo input), one of")] = "haze",
    hdr: Annotated[bool, typer.Option("--hdr", help="Also write .hdr and .exr HDR expansions.")] = False,
    bit_depth: Annotated[int, typer.Option("--bit-depth", help="PNG bits per channel: 8 or 16.")] = 8,
    upscale: UpscaleOpt = "none",
    sun: Annotated[
        str, typer.Option("--sun", help=SUN_HELP + " An HDR input's own sun is measured, not painted.")
    ] = "auto",
    exposure: ExposureOpt = 0.0,
    rotate: RotateOpt = 0.0,
    force: ForceOpt = False,
    json_mode: JsonOpt = False,
) -> None:
    """Turn any sky image into skybox files (equirect, Unity 6-sided faces, crosses, dice, horizon strip)."""

    def work() -> dict[str, Any]:
        request = convert_request(
            input_path, to, kind, method, size, hdr, bit_depth, upscale, ground, None, sun, exposure, rotate
        )
        result = convert_request_to(request, out, force=force, progress=StderrProgress(f"upscale {upscale}"))
        return result.to_json()

    def human(answer: dict[str, Any]) -> str:
        return written_text(f"{answer['input_kind']} -> {answer['layout']} (", answer)

    respond(json_mode, work, human)
