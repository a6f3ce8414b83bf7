"""Option aliases shared by the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from skyasset.assets.sun_place import SUN_HELP
from skyasset.upscale.super_resolution import UPSCALE_MODES

JsonOpt = Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout (bridge protocol).")]
ModelOpt = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on 3.10
    typer.Option("--model", "-m", help="Model bundle folder (default: $SKYASSET_MODEL or the bundled model)."),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")]
ReportOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--output", "-o", help="Also write the JSON report to this file."),
]
UPSCALE_HELP = (
    "4x super-resolution: none (default: interpolated views), fast (bundled network, about as fast; +0.5 dB over "
    "Lanczos, no visible detail on a sky) or best (Real-ESRGAN, minutes; invents texture; needs the 'best' extra)."
)
ExposureOpt = Annotated[
    float,
    typer.Option(
        "--exposure",
        metavar="STOPS",
        help="Exposure applied to the files, -10..10 stops (+1 twice the light; the .hdr records EXPOSURE=).",
    ),
]
RotateOpt = Annotated[
    float,
    typer.Option(
        "--rotate",
        metavar="DEG",
        help="Turn the sky -360..360 degrees of azimuth (turning right); the sun turns with it.",
    ),
]


def choice_metavar(choices: tuple[str, ...]) -> str:
    """``<a|b|c>``: the choices in --help, for an option whose value the core checks (one message everywhere)."""
    return "<" + "|".join(choices) + ">"


UpscaleOpt = Annotated[str, typer.Option("--upscale", metavar=choice_metavar(UPSCALE_MODES), help=UPSCALE_HELP)]
SunOpt = Annotated[str, typer.Option("--sun", help=SUN_HELP)]


def choice_option(choices: tuple[str, ...], *flags: str, lead: str = "One of", tail: str = "") -> Any:
    """A ``typer.Option`` for one of ``choices``, listed in --help (``<lead>: a, b, c<tail>.``)."""
    return typer.Option(*flags, metavar=choice_metavar(choices), help=f"{lead}: {', '.join(choices)}{tail}.")


def written_text(prefix: str, answer: dict[str, Any]) -> str:
    """The human answer of a command that wrote a sky: ``<prefix>upscale U, T s)`` and the files, one a line."""
    head = f"{prefix}upscale {answer['upscale']}, {answer['timings']['total_s']:.2f} s)"
    return "\n".join([head, *answer["outputs"]])
