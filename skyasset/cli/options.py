"""Option aliases shared by the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

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
