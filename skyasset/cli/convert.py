"""`skyasset convert INPUT --to LAYOUT`: a photo, photos, panorama or cubemap -> skybox files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Optional, cast

import typer

from skyasset.cli.options import ForceOpt, JsonOpt, UpscaleOpt
from skyasset.cli.output import respond
from skyasset.cli.progress import StderrProgress
from skyasset.errors import SkyassetError


def convert_command(
    input_path: Annotated[
        Path,
        typer.Argument(metavar="INPUT", help="Photo, photo folder, equirect panorama, cubemap image or faces folder."),
    ],
    out: Annotated[str, typer.Option("--out", "-o", help="Output file, e.g. sky.png (other files derive from it).")],
    to: Annotated[str, typer.Option("--to", help="equirect, faces, cross-h, cross-v, dice or horizon.")] = "equirect",
    kind: Annotated[
        str, typer.Option("--input-kind", help="auto, photo, photos, equirect, faces, cross-h, cross-v, dice, horizon.")
    ] = "auto",
    method: Annotated[
        str, typer.Option(help="Photo input: auto, stripe or mirror (one photo), ring (a folder of photos).")
    ] = "auto",
    size: Annotated[
        Optional[int],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option(help="Equirect width (default: 2048 for photos, the input's own size otherwise)."),
    ] = None,
    ground: Annotated[str, typer.Option(help="Below the horizon (photo input): haze, solid or reflection.")] = "haze",
    hdr: Annotated[bool, typer.Option("--hdr", help="Also write .hdr and .exr HDR expansions.")] = False,
    bit_depth: Annotated[int, typer.Option("--bit-depth", help="PNG bits per channel: 8 or 16.")] = 8,
    upscale: UpscaleOpt = "none",
    force: ForceOpt = False,
    json_mode: JsonOpt = False,
) -> None:
    """Turn any sky image into skybox files (equirect, Unity 6-sided faces, crosses, dice, horizon strip)."""

    def work() -> dict[str, Any]:
        from skyasset.assets.skybox import SkyboxLayout
        from skyasset.convert import ConvertMethod, InputKind, convert
        from skyasset.upscale import UpscaleMode

        if bit_depth not in (8, 16):
            raise SkyassetError("invalid_argument", f"--bit-depth must be 8 or 16, got {bit_depth}.")
        from skyasset.assets.fill import GROUND_FILLS

        if ground not in GROUND_FILLS:
            raise SkyassetError("invalid_argument", f"--ground must be {', '.join(GROUND_FILLS)}, got '{ground}'.")
        options: dict[str, Any] = {} if ground == "haze" else {"ground": ground}
        # Plain strings from the command line: convert checks them and names the valid choices.
        result = convert(
            input_path,
            cast(SkyboxLayout, to),
            out,
            kind=cast(InputKind, kind),
            method=cast(ConvertMethod, method),
            size=size,
            hdr=hdr,
            bit_depth=cast(Literal[8, 16], bit_depth),
            force=force,
            upscale=cast(UpscaleMode, upscale),
            progress=StderrProgress(f"upscale {upscale}"),
            **options,
        )
        return result.to_json()

    def human(answer: dict[str, Any]) -> str:
        head = (
            f"{answer['input_kind']} -> {answer['layout']} (upscale {answer['upscale']}, "
            f"{answer['timings']['total_s']:.2f} s)"
        )
        return "\n".join([head, *answer["outputs"]])

    respond(json_mode, work, human)
