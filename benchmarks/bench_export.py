"""Benchmark the ONNX export: ORT-vs-PyTorch error, file sizes, export time and ORT latency at batch 1.

Exports randomly initialised generators of the named configs (weights do not change speed or size)::

    python benchmarks/bench_export.py [--configs tiny ccsn256 ccsn256-small] [--runs 10] [--keep DIR]

The design target is about 0.5 s per 256x256 image in ONNX Runtime on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.export import export_bundle  # noqa: E402
from training.networks import Generator, get_config  # noqa: E402


def median_seconds(fn, runs: int, warmup: int = 2) -> tuple[float, float]:
    """Median wall-clock and process-CPU seconds per call (CPU time is robust to other jobs on the machine)."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def bench_config(name: str, root: Path, runs: int, torch_runs: int) -> dict:
    config = get_config(name)
    torch.manual_seed(0)
    G = Generator(**config.generator_kwargs()).eval()
    n_params = sum(p.numel() for p in G.parameters())
    start = time.perf_counter()
    bundle = export_bundle(G, root / name, model_id=f"{name}-bench", license="CC0-1.0", verbose=False)
    export_s = time.perf_counter() - start
    meta = json.loads((bundle / "skyasset-bundle.json").read_text())
    checks = meta["provenance"]["export"]["checks"]

    mapping = ort.InferenceSession(str(bundle / "mapping.onnx"), providers=["CPUExecutionProvider"])
    synthesis = ort.InferenceSession(str(bundle / "synthesis.onnx"), providers=["CPUExecutionProvider"])
    z = np.random.default_rng(0).standard_normal((1, config.z_dim)).astype(np.float32)
    feeds = {"z": z} | ({"c": np.eye(config.c_dim, dtype=np.float32)[[7]]} if config.c_dim else {})
    w = mapping.run(None, feeds)[0]
    ws = np.repeat(w[:, None], meta["num_ws"], axis=1)
    ort_map_s, _ = median_seconds(lambda: mapping.run(None, feeds), runs)
    ort_syn_s, ort_syn_cpu = median_seconds(lambda: synthesis.run(None, {"ws": ws}), runs)
    ws_t = torch.from_numpy(ws)
    with torch.no_grad():
        torch_syn_s, _ = median_seconds(lambda: G.synthesis(ws_t, noise_mode="const"), torch_runs, warmup=1)
    return {
        "config": name,
        "resolution": config.resolution,
        "params_M": n_params / 1e6,
        "export_s": export_s,
        "map_err": checks["mapping"]["max_abs_error"],
        "map_range": checks["mapping"]["output_range"],
        "syn_err": checks["synthesis"]["max_abs_error"],
        "syn_range": checks["synthesis"]["output_range"],
        "mapping_MB": meta["graphs"]["mapping"]["bytes"] / 1e6,
        "synthesis_MB": meta["graphs"]["synthesis"]["bytes"] / 1e6,
        # The graphs' shared weights file (each tensor once; absent in the self-contained layout).
        "weights_MB": meta.get("weights", {}).get("bytes", 0) / 1e6,
        "bundle_MB": (sum(g["bytes"] for g in meta["graphs"].values()) + meta.get("weights", {}).get("bytes", 0)) / 1e6,
        "ort_mapping_ms": ort_map_s * 1e3,
        "ort_synthesis_ms": ort_syn_s * 1e3,
        "ort_synthesis_cpu_ms": ort_syn_cpu * 1e3,
        "torch_synthesis_ms": torch_syn_s * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", nargs="+", default=["tiny", "ccsn256", "ccsn256-small"])
    parser.add_argument("--runs", type=int, default=10, help="timed ORT runs per graph (median reported)")
    parser.add_argument("--torch-runs", type=int, default=3, help="timed PyTorch runs (median reported)")
    parser.add_argument("--keep", type=Path, default=None, help="write the bundles here instead of a temp dir")
    args = parser.parse_args()
    print(
        f"torch {torch.__version__}, onnxruntime {ort.__version__}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} (wall times inflate when other jobs share the CPUs)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for name in args.configs:
            r = bench_config(name, root, args.runs, args.torch_runs)
            print(
                f"{r['config']:>14} {r['resolution']}px {r['params_M']:.2f} M params | export {r['export_s']:.1f} s | "
                f"max abs err mapping {r['map_err']:.2g} (range {r['map_range']:.3g}), "
                f"synthesis {r['syn_err']:.2g} (range {r['syn_range']:.3g}) | "
                f"mapping.onnx {r['mapping_MB']:.2f} MB, synthesis.onnx {r['synthesis_MB']:.2f} MB, "
                f"weights.bin {r['weights_MB']:.2f} MB, all graphs + weights {r['bundle_MB']:.2f} MB | "
                f"batch 1 median: ORT mapping {r['ort_mapping_ms']:.2f} ms, ORT synthesis "
                f"{r['ort_synthesis_ms']:.0f} ms (CPU time {r['ort_synthesis_cpu_ms']:.0f} ms), "
                f"PyTorch synthesis {r['torch_synthesis_ms']:.0f} ms | load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
