"""`skyasset generate`: cloud type + seed -> sky files.

The options are taken as typed and checked by the core (:func:`skyasset.settings.sky_request`), so a bad value
gets the same code and message here, in the studio and from the Python API.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Optional, cast

import typer

from skyasset.api import generate
from skyasset.assets.fill import GROUND_FILLS, GroundFill, parse_ground_color
from skyasset.cli.options import (
    ExposureOpt,
    ForceOpt,
    JsonOpt,
    ModelOpt,
    RotateOpt,
    SunOpt,
    UpscaleOpt,
    choice_option,
    written_text,
)
from skyasset.cli.output import respond
from skyasset.cli.progress import StderrProgress
from skyasset.seeds import MAX_SEED
from skyasset.settings import LAYOUTS, METHODS, Layout, Method
from skyasset.upscale import UpscaleMode

# typer needs Optional (not `X | None`) on Python 3.10, hence the noqa: UP045 below.
OutOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--out", "-o", help="Output file, e.g. sky.png; other files of the set are named after it."),
]
OutDirOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--out-dir",
        help="Instead of --out: a folder, the files named after the sky's settings, e.g. "
        "skies/cumulus_7_psi070_2048.png (the answer's `stem`).",
    ),
]
CloudOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--cloud",
        "-c",
        help="Cloud type by code or name (see `skyasset classes`); required by a class-conditional model "
        "such as the default one.",
    ),
]
SeedOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option("--seed", "-s", help="0..2147483647; omitted = a random seed (reported)."),
]
PsiOpt = Annotated[float, typer.Option(help="Truncation in [-1, 2]: 1 = full variety, 0 = the class-mean sky.")]
MixOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(help="Blend toward another cloud type, CLOUD:WEIGHT, e.g. stratus:0.3."),
]
LayoutOpt = Annotated[str, choice_option(LAYOUTS)]
MethodOpt = Annotated[
    Optional[str],  # noqa: UP045
    choice_option(
        METHODS,
        lead="Panorama method, one of",
        tail="; default: native when the model has a canvas graph (the default model does), else ring",
    ),
]
SizeOpt = Annotated[int, typer.Option(help="Equirect width in pixels (height is half).")]
HdrOpt = Annotated[bool, typer.Option("--hdr", help="Also write an HDR expansion that can light a scene.")]
GroundOpt = Annotated[
    str, choice_option(GROUND_FILLS, lead="Below the horizon, one of", tail=" (haze: in the sky's own light)")
]
GroundColorOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--ground-color", help="R,G,B in [0, 1] for --ground solid, e.g. 0.35,0.36,0.38."),
]


def generate_command(
    out: OutOpt = None,
    out_dir: OutDirOpt = None,
    cloud: CloudOpt = None,
    seed: SeedOpt = None,
    psi: PsiOpt = 0.7,
    mix: MixOpt = None,
    layout: LayoutOpt = "equirect",
    method: MethodOpt = None,
    size: SizeOpt = 2048,
    hdr: HdrOpt = False,
    upscale: UpscaleOpt = "none",
    sun: SunOpt = "auto",
    ground: GroundOpt = "haze",
    ground_color: GroundColorOpt = None,
    exposure: ExposureOpt = 0.0,
    rotate: RotateOpt = 0.0,
    force: ForceOpt = False,
    model: ModelOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Generate a sky: a skybox in the chosen layout, or the flat generator image (--layout flat)."""

    def work() -> dict[str, Any]:
        result = generate(
            cloud,
            seed if seed is not None else secrets.randbelow(MAX_SEED + 1),
            out,
            out_dir=out_dir,
            psi=psi,
            mix=mix,
            layout=cast(Layout, layout),  # as typed: the core checks it, with one message for every front end
            method=cast("Method | None", method),
            size=size,
            hdr=hdr,
            force=force,
            model=model,
            upscale=cast(UpscaleMode, upscale),
            progress=StderrProgress(f"upscale {upscale}"),
            sun=sun,
            ground=cast(GroundFill, ground),
            ground_color=parse_ground_color(ground_color) if ground_color is not None else None,
            exposure=exposure,
            rotate=rotate,
        )
        return result.to_json()

    def human(answer: dict[str, Any]) -> str:
        prefix = f"{answer['cloud_name']} seed {answer['seed']} psi {answer['psi']} ({answer['layout']}, "
        return written_text(prefix, answer)

    respond(json_mode, work, human)
