"""`skyasset bench model`: size, load time, latency, memory and quality of model bundles and their variants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from skyasset.bench.model import format_table, run_model_bench
from skyasset.cli.bench_report import respond_with_report
from skyasset.cli.options import ForceOpt, JsonOpt, ReportOpt

__all__ = ["bench_model_command"]


def bench_model_command(
    models: Annotated[
        Optional[list[Path]],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Argument(help="Bundle folders, or folders holding bundles (default: the installed model)."),
    ] = None,
    cloud: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--cloud", "-c", help="Cloud type to generate (default: the model's first)."),
    ] = None,
    seeds: Annotated[int, typer.Option(help="Images compared across variants: seeds 0..N-1 (at least 8).")] = 8,
    repeats: Annotated[int, typer.Option(help="Timed runs at batch 1; the median is reported.")] = 10,
    threads: Annotated[int, typer.Option(help="ONNX Runtime intra-op threads, 0 = automatic.")] = 0,
    fid_report: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="JSON from `skyasset-train fid-delta --json` on the same bundles: adds FID columns."),
    ] = None,
    output: ReportOpt = None,
    force: ForceOpt = False,
    json_mode: JsonOpt = False,
) -> None:
    """Benchmark model bundles: bytes, load time, s/image at batch 1 and 8, peak memory, PSNR vs fp32."""
    respond_with_report(
        lambda: run_model_bench(
            list(models or []), cloud=cloud, seeds=seeds, repeats=repeats, threads=threads, fid_report=fid_report
        ),
        format_table,
        output=output,
        force=force,
        json_mode=json_mode,
    )
