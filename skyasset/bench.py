"""Benchmark model bundles: size, load time, latency at batch 1 and 8, peak memory, quality against fp32.

Each bundle is measured in its own fresh Python process (``python -m skyasset.bench``), so load time and peak
memory are those of a cold start and one variant's allocations never count against another. The parent drives
the processes in turn (one timed run of each variant, then the next round), so a busy shared machine slows
every variant alike and the medians stay comparable. It then scores every variant's images against the
reference's (the fp32 bundle) on the same seeds.

Quality on a randomly initialised model says little about a trained one: PSNR here measures how faithfully
a variant reproduces the fp32 graph, not how good the skies look; FID difference needs a trained model (measured
by ``skyasset-train fid-delta``, joined here with :func:`add_fid`).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skyasset.errors import CliErrorCode, SkyassetError

__all__ = ["VariantResult", "add_fid", "bench_models", "check_fid_covers", "psnr", "format_table", "BATCH"]

BATCH = 8


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


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio of images in [0, 1], in dB (``inf`` when identical)."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


def _peak_rss_bytes() -> int:
    """Peak resident memory of this process since it started running its own program.

    Linux's ``ru_maxrss`` survives ``execve``: a worker started by a parent that once held 6 GB reports
    6 GB. ``VmHWM`` belongs to the address space, which ``execve`` replaces, so it counts the worker alone.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


def _worker(model: str, cloud: str | None, threads: int) -> None:
    """Child-process side: load one bundle, then answer timing commands from stdin, one JSON line each.

    Commands: ``b1 SEED`` and ``b8 SEED...`` (seconds per image), ``images PATH SEED...`` (save the images),
    ``stats`` (peak memory). Driving all variants' workers in turn lets load drift on a shared machine hit
    every variant alike.
    """
    import time

    from skyasset.generator import SkyGenerator

    os.environ["SKYASSET_THREADS"] = str(threads)
    start = time.perf_counter()
    gen = SkyGenerator(model)
    load_s = time.perf_counter() - start
    if cloud is None and gen.bundle.c_dim:
        cloud = gen.classes[0].code
    gen.generate(cloud, 0)  # warm-up: first-run allocations and kernel selection
    info = {"name": gen.bundle.variant, "path": str(gen.bundle.path), "bytes": gen.bundle.total_bytes}
    sys.stdout.write(json.dumps(info | {"load_s": load_s}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        command, *args = line.split()
        if command in ("b1", "b8"):
            seeds = [int(a) for a in args]
            t = time.perf_counter()
            gen.generate(cloud, seeds, batch_size=len(seeds))
            answer: dict[str, Any] = {"s_per_image": (time.perf_counter() - t) / len(seeds)}
        elif command == "images":
            np.save(args[0], gen.generate(cloud, [int(a) for a in args[1:]], batch_size=BATCH))
            answer = {"saved": args[0]}
        else:
            answer = {"peak_rss_bytes": _peak_rss_bytes()}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


class _Worker:
    """Parent-side handle of one measuring process."""

    def __init__(self, model: Path, cloud: str | None, threads: int) -> None:
        self.model = model
        self.process = subprocess.Popen(
            [sys.executable, "-m", "skyasset.bench", str(model), json.dumps(cloud), str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.info = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            assert self.process.stderr is not None
            lines = self.process.stderr.read().strip().splitlines() or ["(no output)"]
            code: CliErrorCode = "bundle_invalid" if "SkyassetError" in lines[-1] else "internal_error"
            raise SkyassetError(code, f"Benchmarking {self.model} failed: {lines[-1]}")
        return json.loads(line)

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


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
    if len(seeds) < BATCH:
        raise SkyassetError("invalid_argument", f"Give at least {BATCH} seeds (the batch-8 timing needs them).")
    if repeats < 1 or threads < 0:
        raise SkyassetError("invalid_argument", "repeats must be >= 1 and threads >= 0.")
    if not models:
        raise SkyassetError("invalid_argument", "Name at least one model bundle to benchmark.")
    results: list[VariantResult] = []
    pictures: list[np.ndarray] = []
    workers: list[_Worker] = []
    try:
        for model in models:  # one at a time, so each load time is uncontended by the others
            workers.append(_Worker(Path(model), cloud, threads))
        single: list[list[float]] = [[] for _ in workers]
        batched: list[list[float]] = [[] for _ in workers]
        for r in range(repeats):
            for i, w in enumerate(workers):
                single[i].append(w.ask(f"b1 {seeds[r % len(seeds)]}")["s_per_image"])
        for _ in range(max(1, repeats // 2)):
            for i, w in enumerate(workers):
                batched[i].append(w.ask("b8 " + " ".join(map(str, seeds[:BATCH])))["s_per_image"])
        with tempfile.TemporaryDirectory(prefix="skyasset-bench-") as tmp:
            for i, w in enumerate(workers):
                images = Path(tmp) / f"{i}.npy"
                w.ask(f"images {images} " + " ".join(map(str, seeds)))
                pictures.append(np.load(images))
                results.append(
                    VariantResult(
                        **w.info,
                        latency_s=float(np.median(single[i])),
                        latency_batch8_s=float(np.median(batched[i])),
                        peak_rss_bytes=w.ask("stats")["peak_rss_bytes"],
                    )
                )
    finally:
        for w in workers:
            w.close()
    ref = next((i for i, res in enumerate(results) if res.name == "fp32"), 0)
    for result, img in zip(results, pictures, strict=True):
        result.size_ratio = results[ref].bytes / result.bytes
        result.speedup = results[ref].latency_s / result.latency_s
        if result is not results[ref]:
            result.psnr_db = psnr(img, pictures[ref])
            result.max_abs_error = float(np.abs(img - pictures[ref]).max())
    return {
        "variants": [asdict(r) for r in results],
        "fid": None,
        "reference": results[ref].name,
        "seeds": seeds,
        "cloud": cloud,
        "machine": _machine(threads),
    }


def _fid_rows(fid_report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = fid_report.get("fid")
    if not isinstance(rows, list) or not all(
        isinstance(row, dict) and {"path", "fid", "fid_delta"} <= row.keys() for row in rows
    ):
        raise SkyassetError(
            "invalid_argument",
            "The FID report needs a 'fid' list of {path, fid, fid_delta} rows: write it with "
            "`skyasset-train fid-delta --json`.",
        )
    return {str(Path(row["path"]).resolve()): row for row in rows}


def check_fid_covers(fid_report: dict[str, Any], bundles: Sequence[str | os.PathLike[str]]) -> None:
    """Refuse, before any benchmarking, a FID report that lacks one of ``bundles`` (matched by folder)."""
    rows = _fid_rows(fid_report)
    missing = [str(b) for b in bundles if str(Path(b).resolve()) not in rows]
    if missing:
        raise SkyassetError(
            "invalid_argument",
            f"The FID report does not cover {', '.join(missing)}: run `skyasset-train fid-delta` on the same "
            "bundle folders.",
        )


def add_fid(report: dict[str, Any], fid_report: dict[str, Any]) -> dict[str, Any]:
    """``report`` with each variant's FID and FID difference taken from ``skyasset-train fid-delta --json``.

    FID needs torch and the Inception network, which the runtime never imports; the training tools measure it
    and this joins their answer to the benchmark's rows by bundle folder.
    """
    check_fid_covers(fid_report, [v["path"] for v in report["variants"]])
    rows = _fid_rows(fid_report)
    for variant in report["variants"]:
        row = rows[str(Path(variant["path"]).resolve())]
        variant["fid"], variant["fid_delta"] = float(row["fid"]), float(row["fid_delta"])
    return report | {"fid": fid_report}


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


if __name__ == "__main__":
    _worker(sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]))
