"""`skyasset generate`: cloud type + seed -> sky files."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Optional

import typer

from skyasset.api import LAYOUTS, METHODS, Layout, Method, generate
from skyasset.assets.fill import GROUND_FILLS, GroundFill, parse_ground_color
from skyasset.assets.sun_place import SUN_HELP
from skyasset.cli.options import UPSCALE_HELP, ExposureOpt, ForceOpt, JsonOpt, ModelOpt, RotateOpt
from skyasset.cli.output import respond
from skyasset.cli.progress import StderrProgress
from skyasset.seeds import MAX_SEED
from skyasset.upscale import UpscaleMode


def generate_command(
    out: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--out", "-o", help="Output file, e.g. sky.png; other files of the set are named after it."),
    ] = None,
    out_dir: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--out-dir",
            help="Instead of --out: a folder, the files named after the sky's settings, e.g. "
            "skies/cumulus_7_psi070_2048.png (the answer's `stem`).",
        ),
    ] = None,
    cloud: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--cloud",
            "-c",
            help="Cloud type by code or name (see `skyasset classes`); required by a class-conditional model "
            "such as the default one.",
        ),
    ] = None,
    seed: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--seed", "-s", help="0..2147483647; omitted = a random seed (reported)."),
    ] = None,
    psi: Annotated[float, typer.Option(help="Truncation in [-1, 2]: 1 = full variety, 0 = the class-mean sky.")] = 0.7,
    mix: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Blend toward another cloud type, CLOUD:WEIGHT, e.g. stratus:0.3."),
    ] = None,
    # Literal choices: a bad value fails while parsing, and --help lists the choices.
    layout: Annotated[Layout, typer.Option(help=f"One of: {', '.join(LAYOUTS)}.")] = "equirect",
    method: Annotated[
        Optional[Method],  # noqa: UP045
        typer.Option(
            help=f"Panorama method, one of: {', '.join(METHODS)}; default: native when the model has a canvas "
            "graph (the default model does), else ring."
        ),
    ] = None,
    size: Annotated[int, typer.Option(help="Equirect width in pixels (height is half).")] = 2048,
    hdr: Annotated[bool, typer.Option("--hdr", help="Also write an HDR expansion that can light a scene.")] = False,
    upscale: Annotated[UpscaleMode, typer.Option("--upscale", help=UPSCALE_HELP)] = "none",
    sun: Annotated[str, typer.Option("--sun", help=SUN_HELP)] = "auto",
    ground: Annotated[
        GroundFill,
        typer.Option(help=f"Below the horizon, one of: {', '.join(GROUND_FILLS)} (haze: in the sky's own light)."),
    ] = "haze",
    ground_color: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--ground-color", help="R,G,B in [0, 1] for --ground solid, e.g. 0.35,0.36,0.38."),
    ] = None,
    exposure: ExposureOpt = 0.0,
    rotate: RotateOpt = 0.0,
    force: ForceOpt = False,
    model: ModelOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Generate a sky: a skybox in the chosen layout, or the flat generator image (--layout flat)."""

    def work() -> dict[str, Any]:
        chosen_seed = seed if seed is not None else secrets.randbelow(MAX_SEED + 1)
        result = generate(
            cloud,
            chosen_seed,
            out,
            out_dir=out_dir,
            psi=psi,
            mix=mix,
            layout=layout,
            method=method,
            size=size,
            hdr=hdr,
            force=force,
            model=model,
            upscale=upscale,
            progress=StderrProgress(f"upscale {upscale}"),
            sun=sun,
            ground=ground,
            ground_color=parse_ground_color(ground_color) if ground_color is not None else None,
            exposure=exposure,
            rotate=rotate,
        )
        return result.to_json()

    def human(answer: dict[str, Any]) -> str:
        head = (
            f"{answer['cloud_name']} seed {answer['seed']} psi {answer['psi']} "
            f"({answer['layout']}, upscale {answer['upscale']}, {answer['timings']['total_s']:.2f} s)"
        )
        return "\n".join([head, *answer["outputs"]])

    respond(json_mode, work, human)
