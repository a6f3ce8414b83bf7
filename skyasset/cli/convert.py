"""`skyasset convert INPUT --to LAYOUT`: a photo, photos, panorama or cubemap -> skybox files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Optional, cast

import typer

from skyasset.assets.fill import GROUND_FILLS, GroundFill
from skyasset.assets.skybox import SKYBOX_LAYOUTS, SkyboxLayout
from skyasset.assets.sun_place import SUN_HELP
from skyasset.cli.options import UPSCALE_HELP, ExposureOpt, ForceOpt, JsonOpt, RotateOpt
from skyasset.cli.output import respond
from skyasset.cli.progress import StderrProgress
from skyasset.convert import CONVERT_METHODS, INPUT_KINDS, ConvertMethod, InputKind, convert
from skyasset.errors import SkyassetError
from skyasset.upscale import UpscaleMode


def convert_command(
    input_path: Annotated[
        Path,
        typer.Argument(metavar="INPUT", help="Photo, photo folder, equirect panorama, cubemap image or faces folder."),
    ],
    out: Annotated[str, typer.Option("--out", "-o", help="Output file, e.g. sky.png (other files derive from it).")],
    # Literal choices: a bad value fails while parsing, and --help lists the choices.
    to: Annotated[SkyboxLayout, typer.Option("--to", help=f"One of: {', '.join(SKYBOX_LAYOUTS)}.")] = "equirect",
    kind: Annotated[InputKind, typer.Option("--input-kind", help=f"One of: {', '.join(INPUT_KINDS)}.")] = "auto",
    method: Annotated[
        ConvertMethod,
        typer.Option(help=f"Photo input, one of: {', '.join(CONVERT_METHODS)} (ring takes a folder of photos)."),
    ] = "auto",
    size: Annotated[
        Optional[int],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option(help="Equirect width (default: 2048 for photos, the input's own size otherwise)."),
    ] = None,
    ground: Annotated[
        GroundFill, typer.Option(help=f"Below the horizon (photo input), one of: {', '.join(GROUND_FILLS)}.")
    ] = "haze",
    hdr: Annotated[bool, typer.Option("--hdr", help="Also write .hdr and .exr HDR expansions.")] = False,
    bit_depth: Annotated[int, typer.Option("--bit-depth", help="PNG bits per channel: 8 or 16.")] = 8,
    upscale: Annotated[UpscaleMode, typer.Option("--upscale", help=UPSCALE_HELP)] = "none",
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
        if bit_depth not in (8, 16):
            raise SkyassetError("invalid_argument", f"--bit-depth must be 8 or 16, got {bit_depth}.")
        result = convert(
            input_path,
            to,
            out,
            kind=kind,
            method=method,
            size=size,
            hdr=hdr,
            bit_depth=cast(Literal[8, 16], bit_depth),
            force=force,
            upscale=upscale,
            ground=ground,
            progress=StderrProgress(f"upscale {upscale}"),
            sun=sun,
            exposure=exposure,
            rotate=rotate,
        )
        return result.to_json()

    def human(answer: dict[str, Any]) -> str:
        head = (
            f"{answer['input_kind']} -> {answer['layout']} (upscale {answer['upscale']}, "
            f"{answer['timings']['total_s']:.2f} s)"
        )
        return "\n".join([head, *answer["outputs"]])

    respond(json_mode, work, human)
