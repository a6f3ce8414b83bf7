"""Quantization benchmark: fp32 bundle -> every variant -> size, load, latency, memory, PSNR (+ FID) table.

    python benchmarks/bench_model.py                       # random-init ccsn256-small export (no trained model)
    python benchmarks/bench_model.py --model path/to/fp32  # a real (trained) fp32 bundle
    python benchmarks/bench_model.py --fid-archive data/ccsn256.zip --model trained/   # + FID difference

Prints the table, the JSON report (``{"variants": [{"name", "bytes", "latency_s", "psnr_db", ...}]}``) and
whether the quantization targets hold: the int8 variant >= 3.5x smaller than fp32, the fastest variant's median
latency <= 0.6x fp32's. On random weights PSNR only says how faithfully a variant reproduces the fp32 graph;
which variant ships is decided on the trained model by FID (within 1.0 of fp32's).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from skyasset.bench.fid import add_fid  # noqa: E402
from skyasset.bench.model import bench_models, format_table  # noqa: E402
from training.quantize import QUANT_VARIANTS, quantize_bundle  # noqa: E402

SIZE_TARGET = 3.5
LATENCY_TARGET = 0.6


def export_random(config: str, out: Path) -> Path:
    """A random-init export of ``config`` (what this benchmark measures when no trained model exists)."""
    import torch

    from training.export import export_bundle
    from training.networks import Generator, get_config

    torch.manual_seed(0)
    G = Generator(**get_config(config).generator_kwargs())
    return export_bundle(
        G,
        out,
        model_id=f"{config}-random-init",
        license="CC0-1.0",
        mean_samples=512,
        verbose=False,
        provenance={"dataset": None, "kimg": 0, "trained_by": "benchmarks/bench_model.py: random init"},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="fp32 bundle (default: export a random-init --config)")
    parser.add_argument("--config", default="ccsn256-small", help="network config for the random-init export")
    parser.add_argument("--work", type=Path, help="where variants go (default: a temporary folder)")
    parser.add_argument("--variants", nargs="*", default=list(QUANT_VARIANTS))
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--fid-archive", type=Path)
    parser.add_argument("--fid-samples", type=int, default=2000)
    parser.add_argument("--json-out", type=Path, help="also write the JSON report here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="skyasset-quant-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        fp32 = args.model or export_random(args.config, work / "fp32")
        bundles = [fp32]
        for variant in args.variants:
            start = time.perf_counter()
            bundles.append(quantize_bundle(fp32, work / variant, variant, force=True))
            print(f"made {variant} in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        report = bench_models(bundles, repeats=args.repeats, threads=args.threads)
        if args.fid_archive:
            from training.quantize.fid_delta import fid_of_bundles

            report = add_fid(report, fid_of_bundles(bundles, args.fid_archive, samples=args.fid_samples))
    rows = {v["name"]: v for v in report["variants"]}
    int8_ratio = max(v["size_ratio"] for n, v in rows.items() if n.startswith("int8"))
    fastest = min(report["variants"], key=lambda v: v["latency_s"])
    report["targets"] = {
        "int8_size_ratio": int8_ratio,
        "int8_size_ok": int8_ratio >= SIZE_TARGET,
        "fastest": fastest["name"],
        "fastest_latency_ratio": fastest["latency_s"] / rows["fp32"]["latency_s"],
        "latency_ok": fastest["latency_s"] <= LATENCY_TARGET * rows["fp32"]["latency_s"],
    }
    print(format_table(report))
    t = report["targets"]
    print(f"int8 >= {SIZE_TARGET}x smaller: {t['int8_size_ratio']:.2f}x -> {'PASS' if t['int8_size_ok'] else 'FAIL'}")
    print(
        f"fastest ({t['fastest']}) <= {LATENCY_TARGET}x fp32 latency: {t['fastest_latency_ratio']:.2f}x -> "
        f"{'PASS' if t['latency_ok'] else 'FAIL'}"
    )
    text = json.dumps(report, indent=1)
    print(text)
    if args.json_out:
        args.json_out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
