"""Upscaler benchmark: quality against Lanczos on held-out CCSN photos, and seconds per 4096x2048 skybox.

Quality: every held-out photo (every tenth per class, never trained on) is shrunk 4x with antialiased
bicubic and brought back with each method; PSNR and SSIM against the photo, and gradient energy relative to
the photo's own (1.0 = as much fine detail as the real photo; Lanczos is blurrier, so below 1).

Speed: six 256 px views (CCSN photos standing in for generator output) become a 4096x2048 equirect, either by
assembling a 1024x512 panorama and upscaling it ("panorama" route) or by upscaling the views and assembling
at 4096 ("views" route). ``none`` assembles at 4096 straight from the 256 px views.

    nice python benchmarks/bench_upscale.py --photos 40 --best-photos 8 --json-out /tmp/upscale.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skyasset.bench.quality import gradient_energy  # noqa: E402
from skyasset.bench.sheets import write_crop_sheet  # noqa: E402
from skyasset.bench.upscale import restore, score, shrink4  # noqa: E402
from skyasset.upscale import upscale_image  # noqa: E402
from training.upscaler.data import ccsn_root, load_rgb, split_files  # noqa: E402


def quality(n_photos: int, n_best: int) -> tuple[dict, list]:
    files = split_files(ccsn_root(), "heldout")
    pick = np.random.default_rng(0).permutation(len(files))[:n_photos]
    methods = ("lanczos", "fast", "best")
    scores: dict[str, list[tuple[float, float, float]]] = {m: [] for m in methods}
    samples = []
    for j, i in enumerate(pick):
        hr = load_rgb(files[i])
        lr = shrink4(hr)
        outs = {}
        for name in methods:
            if name == "best" and j >= n_best:
                continue
            outs[name] = restore(lr, name)
            row = score(outs[name], hr)  # the outer 2 LR pixels left out: border handling is not compared
            scores[name].append((row["psnr_db"], row["ssim"], row["sharpness"]))
        if j < 3:
            samples.append((hr, outs))
        print(f"quality {j + 1}/{len(pick)}", file=sys.stderr, flush=True)
    summary = {}
    for name, rows in scores.items():
        if rows:
            arr = np.array(rows)
            summary[name] = {
                "photos": len(rows),
                "psnr_db": round(float(arr[:, 0].mean()), 3),
                "ssim": round(float(arr[:, 1].mean()), 4),
                "grad_energy_vs_photo": round(float(arr[:, 2].mean()), 3),
            }
    # the same photos as 'best', for a like-for-like comparison
    for name in ("lanczos", "fast"):
        arr = np.array(scores[name][: len(scores["best"])])
        if len(arr):
            summary[f"{name}_on_best_photos"] = {
                "psnr_db": round(float(arr[:, 0].mean()), 3),
                "grad_energy_vs_photo": round(float(arr[:, 2].mean()), 3),
            }
    return summary, samples


def ccsn_ring_views(n: int = 6, size: int = 256) -> np.ndarray:
    files = split_files(ccsn_root(), "heldout")
    cu = [f for f in files if f.parent.name == "Cu"][:n]
    return np.stack([cv2.resize(load_rgb(f), (size, size), interpolation=cv2.INTER_AREA) for f in cu])


def timing(modes: list[str]) -> dict:
    from skyasset.assets import assemble_panorama

    views = ccsn_ring_views()
    result: dict[str, dict] = {}
    t = time.perf_counter()
    pano = assemble_panorama(views, "ring", 4096)
    result["none"] = {"seconds": round(time.perf_counter() - t, 2), "grad_energy": gradient_energy(pano)}
    for mode in modes:
        t = time.perf_counter()
        small = assemble_panorama(views, "ring", 1024)
        t_asm = time.perf_counter() - t
        big = upscale_image(small, mode, wrap=True)  # type: ignore[arg-type]
        t_pano = time.perf_counter() - t
        assert big.shape == (2048, 4096, 3)
        entry = {
            "panorama_route_seconds": round(t_pano, 2),
            "assemble_1024_seconds": round(t_asm, 2),
            "panorama_route_grad_energy": gradient_energy(big),
        }
        t = time.perf_counter()
        up_views = np.stack([upscale_image(v, mode) for v in views])  # type: ignore[arg-type]
        big_v = assemble_panorama(up_views, "ring", 4096)
        entry["views_route_seconds"] = round(time.perf_counter() - t, 2)
        entry["views_route_grad_energy"] = gradient_energy(big_v)
        result[mode] = entry
        print(f"timing {mode} done", file=sys.stderr, flush=True)
    return result


def side_by_side(samples: list, path: Path, crop: int = 144) -> None:
    """Rows of crops of the first two photos: Lanczos | fast | best | original photo, each labelled."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_crop_sheet(samples[:2], path, crop=crop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=40, help="held-out photos for lanczos and fast")
    parser.add_argument("--best-photos", type=int, default=6, help="of those, how many also run 'best' (slow)")
    parser.add_argument("--timing-modes", default="fast,best", help="modes to time on a 4096x2048 skybox")
    parser.add_argument("--image", type=Path, default=ROOT / "docs" / "images" / "upscale_crops.png")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()
    if not ccsn_root().is_dir():
        sys.exit(f"CCSN photos not found at {ccsn_root()}")
    summary, samples = quality(args.photos, args.best_photos)
    side_by_side(samples, args.image)
    report = {"quality": summary, "image": str(args.image)}
    modes = [m for m in args.timing_modes.split(",") if m]
    report["timing_4096x2048"] = timing(modes)
    text = json.dumps(report, indent=1)
    print(text)
    if args.json_out:
        args.json_out.write_text(text)


if __name__ == "__main__":
    main()
