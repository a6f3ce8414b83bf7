"""`skyasset bench model`: size, load time, latency, memory and quality of model bundles and their variants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from skyasset.bench import add_fid, bench_models, check_fid_covers, format_table
from skyasset.bundle import METADATA_NAME, VARIANTS
from skyasset.cli.options import ForceOpt, JsonOpt, ReportOpt
from skyasset.cli.output import respond, write_report
from skyasset.errors import SkyassetError
from skyasset.limits import read_json_file
from skyasset.models import resolve_model_path


def _variant_rank(bundle: Path) -> int:
    """fp32 first, then the order of ``VARIANTS``; unreadable metadata last (the benchmark reports it)."""
    try:
        variant = read_json_file(bundle / METADATA_NAME, "The bundle metadata").get("variant")
    except (SkyassetError, AttributeError):
        return len(VARIANTS)
    return VARIANTS.index(variant) if variant in VARIANTS else len(VARIANTS)


def read_fid_report(path: Path) -> dict[str, Any]:
    """The JSON object ``skyasset-train fid-delta --json`` printed, read from ``path``."""
    try:
        answer = read_json_file(path, "The FID report")
    except SkyassetError as error:
        if error.code != "input_not_found":
            raise
        raise SkyassetError(
            "input_not_found", f"FID report {path} does not exist: write it with `skyasset-train fid-delta --json`."
        ) from None
    if not isinstance(answer, dict):
        raise SkyassetError("invalid_argument", f"FID report {path} is not a JSON object.")
    return answer


def expand_models(paths: list[Path]) -> list[Path]:
    """Bundle folders as given; a folder that is not a bundle stands for the bundles directly inside it.

    With no paths, the default model (``$SKYASSET_MODEL`` or the packaged one) is benchmarked alone.
    """
    if not paths:
        return [resolve_model_path(None)]
    found: list[Path] = []
    for path in paths:
        if (path / METADATA_NAME).is_file():
            found.append(path)
            continue
        inner = [p for p in sorted(path.glob("*")) if (p / METADATA_NAME).is_file()] if path.is_dir() else []
        inner.sort(key=_variant_rank)
        if not inner:
            raise SkyassetError(
                "input_not_found", f"{path} is neither a model bundle nor a folder of bundles. Check the path."
            )
        found.extend(inner)
    return found


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

    def work() -> dict[str, Any]:
        fid = read_fid_report(fid_report) if fid_report is not None else None
        bundles = expand_models(list(models or []))
        if fid is not None:
            check_fid_covers(fid, bundles)  # before minutes of benchmarking, not after
        report = bench_models(bundles, cloud=cloud, seeds=range(seeds), repeats=repeats, threads=threads)
        if fid is not None:
            report = add_fid(report, fid)
        write_report(report, output, force=force)
        return report

    respond(json_mode, work, format_table)
