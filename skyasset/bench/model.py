"""Benchmark model bundles: size, load time, latency at batch 1 and 8, peak memory, quality against fp32.

Each bundle is measured in its own fresh Python process (:mod:`skyasset.bench.model_worker`), so load time and
peak memory are those of a cold start and one variant's allocations never count against another. The parent
drives the processes in turn (one timed run of each variant, then the next round), so a busy shared machine
slows every variant alike and the medians stay comparable. It then scores every variant's images against the
reference's (the fp32 bundle) on the same seeds.

Quality on a randomly initialised model says little about a trained one: PSNR here measures how faithfully
a variant reproduces the fp32 graph, not how good the skies look; FID difference needs a trained model (measured
by ``skyasset-train fid-delta``, joined here with :func:`skyasset.bench.fid.add_fid`).
"""

from __future__ import annotations

import os
import platform
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skyasset.bench.model_worker import BATCH, ModelWorker
from skyasset.bench.quality import psnr
from skyasset.bundle import METADATA_NAME, VARIANTS
from skyasset.errors import SkyassetError
from skyasset.limits import read_json_file
from skyasset.models import resolve_model_path

__all__ = ["BATCH", "VariantResult", "bench_models", "expand_models", "format_table", "run_model_bench"]


@dataclass
class VariantResult:
    """What ``skyasset bench model`` reports for one bundle (all times in seconds, sizes in bytes)."""

    name: str  # The bundle's variant (fp32, fp16, int8-weight, ...).
    path: str  # Bundle folder.
    bytes: int  # Both graphs on disk.
    load_s: float  # SkyGenerator(...) from a cold process: validation + both sessions.
    latency_s: float  # Median seconds per image at batch 1 (mapping + synthesis).
    latency_batch8_s: float  # Median seconds per image in batches of 8.
    peak_rss_bytes: int  # Peak resident memory of the measuring process.
    psnr_db: float | None = None  # Against the reference's images on the same seeds (None for itself).
    max_abs_error: float | None = None  # Largest per-pixel difference in [0, 1] units.
    size_ratio: float | None = None  # Reference bytes / these bytes.
    speedup: float | None = None  # Reference latency_s / this latency_s.
    fid: float | None = None
    fid_delta: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _variant_rank(bundle: Path) -> int:
    """fp32 first, then the order of ``VARIANTS``; unreadable metadata last (the benchmark reports it)."""
    try:
        variant = read_json_file(bundle / METADATA_NAME, "The bundle metadata").get("variant")
    except (SkyassetError, AttributeError):
        return len(VARIANTS)
    return VARIANTS.index(variant) if variant in VARIANTS else len(VARIANTS)


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


def _check_request(models: Sequence[object], seeds: list[int], repeats: int, threads: int) -> None:
    if len(seeds) < BATCH:
        raise SkyassetError("invalid_argument", f"Give at least {BATCH} seeds (the batch-8 timing needs them).")
    if repeats < 1 or threads < 0:
        raise SkyassetError("invalid_argument", "repeats must be >= 1 and threads >= 0.")
    if not models:
        raise SkyassetError("invalid_argument", "Name at least one model bundle to benchmark.")


def _median_latencies(workers: list[ModelWorker], seeds: list[int], repeats: int) -> list[tuple[float, float]]:
    """Per worker: median seconds per image at batch 1 and in batches of 8, timed round by round."""
    single: list[list[float]] = [[] for _ in workers]
    batched: list[list[float]] = [[] for _ in workers]
    for r in range(repeats):
        for i, w in enumerate(workers):
            single[i].append(w.ask(f"b1 {seeds[r % len(seeds)]}")["s_per_image"])
    for _ in range(max(1, repeats // 2)):
        for i, w in enumerate(workers):
            batched[i].append(w.ask("b8 " + " ".join(map(str, seeds[:BATCH])))["s_per_image"])
    return [(float(np.median(s)), float(np.median(b))) for s, b in zip(single, batched, strict=True)]


def _measure(
    workers: list[ModelWorker], seeds: list[int], repeats: int
) -> tuple[list[VariantResult], list[np.ndarray]]:
    """Each worker's timings and memory, and its images of ``seeds``."""
    latencies = _median_latencies(workers, seeds, repeats)
    results: list[VariantResult] = []
    pictures: list[np.ndarray] = []
    with tempfile.TemporaryDirectory(prefix="skyasset-bench-") as tmp:
        for i, (w, (single, batched)) in enumerate(zip(workers, latencies, strict=True)):
            images = Path(tmp) / f"{i}.npy"
            w.ask(f"images {images} " + " ".join(map(str, seeds)))
            pictures.append(np.load(images))
            peak = w.ask("stats")["peak_rss_bytes"]
            results.append(VariantResult(**w.info, latency_s=single, latency_batch8_s=batched, peak_rss_bytes=peak))
    return results, pictures


def _compare_to_reference(results: list[VariantResult], pictures: list[np.ndarray]) -> VariantResult:
    """Fill in each result's ratios and errors against the first fp32 one (else the first); return that one."""
    reference = next((i for i, res in enumerate(results) if res.name == "fp32"), 0)
    ref = results[reference]
    for result, img in zip(results, pictures, strict=True):
        result.size_ratio = ref.bytes / result.bytes
        result.speedup = ref.latency_s / result.latency_s
        if result is not ref:
            result.psnr_db = psnr(img, pictures[reference])
            result.max_abs_error = float(np.abs(img - pictures[reference]).max())
    return ref


def bench_models(
    models: Sequence[str | os.PathLike[str]],
    *,
    cloud: str | None = None,
    seeds: Sequence[int] = tuple(range(BATCH)),
    repeats: int = 10,
    threads: int = 0,
) -> dict[str, Any]:
    """Measure every bundle in ``models``; the first fp32 one (else the first) is the quality reference.

    Parameters
    ----------
    models
        Bundle folders (typically one fp32 export and its quantized variants).
    cloud
        Cloud type to generate (default: the model's first class).
    seeds
        Seeds of the images compared across variants (at least 8: the batch-8 timing uses the first 8).
    repeats
        Timed runs at batch 1 (batch 8 gets half as many); the median is reported.
    threads
        ONNX Runtime intra-op threads (0 = ONNX Runtime's default).

    Returns
    -------
    dict
        ``{"variants": [VariantResult as dict, ...], "reference": name, "seeds": [...], "machine": {...}}``.
    """
    seeds = [int(s) for s in seeds]
    _check_request(models, seeds, repeats, threads)
    workers: list[ModelWorker] = []
    try:
        for model in models:  # one at a time, so each load time is uncontended by the others
            workers.append(ModelWorker(Path(model), cloud, threads))
        results, pictures = _measure(workers, seeds, repeats)
    finally:
        for w in workers:
            w.close()
    reference = _compare_to_reference(results, pictures)
    return {
        "variants": [asdict(r) for r in results],
        "fid": None,
        "reference": reference.name,
        "seeds": seeds,
        "cloud": cloud,
        "machine": _machine(threads),
    }


def _machine(threads: int) -> dict[str, Any]:
    import onnxruntime as ort

    return {
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "threads": threads,
        "onnxruntime": ort.__version__,
        "python": platform.python_version(),
    }


def format_table(report: dict[str, Any]) -> str:
    """A fixed-width table of ``bench_models``' answer."""

    def num(value: float | None, fmt: str) -> str:
        return "-" if value is None else ("inf" if value == float("inf") else format(value, fmt))

    head = f"{'variant':<13}{'MB':>8}{'x smaller':>10}{'load s':>8}{'b1 s/img':>10}{'b8 s/img':>10}"
    head += f"{'speedup':>9}{'peak MB':>9}{'PSNR dB':>9}{'max err':>9}{'FID':>7}{'dFID':>7}"
    lines = [head, "-" * len(head)]
    for v in report["variants"]:
        lines.append(
            f"{v['name']:<13}{v['bytes'] / 1e6:>8.1f}{num(v['size_ratio'], '.2f'):>10}{v['load_s']:>8.2f}"
            f"{v['latency_s']:>10.3f}{v['latency_batch8_s']:>10.3f}{num(v['speedup'], '.2f'):>9}"
            f"{v['peak_rss_bytes'] / 2**20:>9.0f}{num(v['psnr_db'], '.1f'):>9}{num(v['max_abs_error'], '.3f'):>9}"
            f"{num(v['fid'], '.2f'):>7}{num(v['fid_delta'], '+.2f'):>7}"
        )
    lines.append(f"reference: {report['reference']}; seeds {report['seeds']}; {report['machine']}")
    return "\n".join(lines)


def run_model_bench(
    models: list[Path], *, cloud: str | None, seeds: int, repeats: int, threads: int, fid_report: Path | None
) -> dict[str, Any]:
    """``skyasset bench model``: expand ``models`` (:func:`expand_models`), measure them (seeds ``0..seeds-1``)
    and, given ``fid_report``, add its FID columns (refusing a report that misses a bundle before measuring)."""
    from skyasset.bench.fid import add_fid, check_fid_covers, read_fid_report

    fid = read_fid_report(fid_report) if fid_report is not None else None
    bundles = expand_models(models)
    if fid is not None:
        check_fid_covers(fid, bundles)  # before minutes of benchmarking, not after
    report = bench_models(bundles, cloud=cloud, seeds=range(seeds), repeats=repeats, threads=threads)
    return add_fid(report, fid) if fid is not None else report
