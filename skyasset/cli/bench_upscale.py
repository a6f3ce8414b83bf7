"""`skyasset bench upscale`: PSNR, SSIM, sharpness and seconds of none / Lanczos / fast / best on CCSN photos."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from skyasset.bench.upscale import bench_upscale, format_upscale_report, parse_methods
from skyasset.cli.bench_report import respond_with_report
from skyasset.cli.options import ForceOpt, JsonOpt, ReportOpt
from skyasset.cli.progress import StderrProgress
from skyasset.errors import SkyassetError


def bench_upscale_command(
    ccsn: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option(help="CCSN folder (one sub-folder of photos per cloud class); its held-out tenth is used."),
    ] = None,
    photos: Annotated[int, typer.Option(help="Photos scored, spread evenly over the classes.")] = 40,
    best_photos: Annotated[
        int, typer.Option(help="Of those, how many 'best' restores too (seconds each on a CPU); 0 skips it.")
    ] = 8,
    methods: Annotated[str, typer.Option(help="Comma-separated: none, lanczos, fast, best; 'all'.")] = "all",
    sheet: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Also write a PNG of crops of two photos, one column per method."),
    ] = None,
    output: ReportOpt = None,
    force: ForceOpt = False,
    json_mode: JsonOpt = False,
) -> None:
    """Shrink held-out CCSN photos 4x, restore them with none (bicubic), Lanczos, fast and best, and print
    PSNR, SSIM, sharpness and seconds per photo (medians)."""

    def measure() -> dict[str, Any]:
        if ccsn is None:
            raise SkyassetError(
                "invalid_argument",
                "bench upscale needs ground-truth photos: pass --ccsn DIR, the CCSN folder with one sub-folder per "
                "cloud class (Harvard Dataverse doi:10.7910/DVN/CADDPD).",
            )
        progress = StderrProgress("bench upscale")
        chosen = parse_methods(methods)
        return bench_upscale(
            ccsn, photos=photos, best_photos=best_photos, methods=chosen, sheet=sheet, progress=progress
        )

    respond_with_report(measure, format_upscale_report, output=output, force=force, json_mode=json_mode)
