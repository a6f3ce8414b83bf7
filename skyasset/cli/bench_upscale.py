"""`skyasset bench upscale`: PSNR, SSIM, sharpness and seconds of none / Lanczos / fast / best on CCSN photos."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from skyasset.cli.options import ForceOpt, JsonOpt, ReportOpt
from skyasset.cli.output import respond, write_report
from skyasset.cli.progress import StderrProgress
from skyasset.errors import SkyassetError


def _human(report: dict[str, Any]) -> str:
    lines = [
        f"{'method':8} {'photos':>6} {'PSNR dB':>8} {'SSIM':>7} {'sharpness':>9} {'s/photo':>8} "
        f"{'dB vs Lanczos':>13} {'SSIM vs Lanczos':>15} {'PSNR wins':>9}"
    ]
    for name, m in report["methods"].items():
        paired = (
            f"{m['psnr_gain_vs_lanczos_db']:+13.2f} {m['ssim_gain_vs_lanczos']:+15.4f} {m['psnr_wins_vs_lanczos']:9.0%}"
            if "psnr_gain_vs_lanczos_db" in m
            else f"{'':13} {'':15} {'':9}"
        )
        lines.append(
            f"{name:8} {m['photos']:6d} {m['psnr_db']:8.2f} {m['ssim']:7.4f} {m['sharpness']:9.3f} "
            f"{m['seconds']:8.3f} {paired}"
        )
    sizes = "/".join(str(s) for s in report["photo_sizes"])
    lines.append(
        f"medians over {report['photos']} held-out CCSN photos ({sizes} px) shrunk 4x and restored; sharpness = "
        "gradient energy / the photo's (1 = as detailed as the photo); 'vs Lanczos' = median paired difference"
    )
    if "sheet" in report:
        lines.append(f"crops: {report['sheet']}")
    return "\n".join(lines)


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

    def work() -> dict[str, Any]:
        from skyasset.upscale.bench import BENCH_METHODS, bench_upscale

        if ccsn is None:
            raise SkyassetError(
                "invalid_argument",
                "bench upscale needs ground-truth photos: pass --ccsn DIR, the CCSN folder with one sub-folder per "
                "cloud class (Harvard Dataverse doi:10.7910/DVN/CADDPD).",
            )
        chosen = list(BENCH_METHODS) if methods == "all" else [m.strip() for m in methods.split(",") if m.strip()]
        report = bench_upscale(
            ccsn,
            photos=photos,
            best_photos=best_photos,
            methods=chosen,
            sheet=sheet,
            progress=StderrProgress("bench upscale"),
        )
        write_report(report, output, force=force)
        return report

    respond(json_mode, work, _human)
