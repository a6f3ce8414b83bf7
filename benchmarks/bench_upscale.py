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
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skyasset.upscale import upscale  # noqa: E402
from training.upscaler.data import ccsn_root, downscale4, load_rgb, split_files  # noqa: E402


def lanczos4(lr: np.ndarray) -> np.ndarray:
    pil = Image.fromarray((np.clip(lr, 0, 1) * 255 + 0.5).astype(np.uint8))
    big = pil.resize((lr.shape[1] * 4, lr.shape[0] * 4), Image.Resampling.LANCZOS)
    return np.asarray(big, np.float32) / 255.0


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(1.0 / max(np.mean((a - b) ** 2), 1e-12)))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM on luma with an 11 px Gaussian window (Wang et al. 2004 constants)."""
    ya, yb = (x @ np.array([0.299, 0.587, 0.114], np.float32) for x in (a, b))
    blur = lambda x: cv2.GaussianBlur(x, (11, 11), 1.5)  # noqa: E731
    ma, mb = blur(ya), blur(yb)
    va, vb, cov = blur(ya * ya) - ma**2, blur(yb * yb) - mb**2, blur(ya * yb) - ma * mb
    c1, c2 = 0.01**2, 0.03**2
    return float(np.mean((2 * ma * mb + c1) * (2 * cov + c2) / ((ma**2 + mb**2 + c1) * (va + vb + c2))))


def grad_energy(a: np.ndarray) -> float:
    return float(np.mean(np.diff(a, axis=0) ** 2) + np.mean(np.diff(a, axis=1) ** 2))


def quality(n_photos: int, n_best: int) -> tuple[dict, list]:
    files = split_files(ccsn_root(), "heldout")
    pick = np.random.default_rng(0).permutation(len(files))[:n_photos]
    methods = {"lanczos": lanczos4, "fast": lambda x: upscale(x, "fast"), "best": lambda x: upscale(x, "best")}
    scores: dict[str, list[tuple[float, float, float]]] = {m: [] for m in methods}
    samples = []
    for j, i in enumerate(pick):
        hr = load_rgb(files[i])
        lr = downscale4(hr)
        outs = {}
        for name, fn in methods.items():
            if name == "best" and j >= n_best:
                continue
            out = fn(lr)
            outs[name] = out
            b = 8  # leave the outer 2 LR pixels out: border handling is not what we compare
            scores[name].append(
                (psnr(out[b:-b, b:-b], hr[b:-b, b:-b]), ssim(out, hr), grad_energy(out) / grad_energy(hr))
            )
        if j < 3:
            samples.append((files[i].name, hr, outs))
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
    result["none"] = {"seconds": round(time.perf_counter() - t, 2), "grad_energy": grad_energy(pano)}
    for mode in modes:
        t = time.perf_counter()
        small = assemble_panorama(views, "ring", 1024)
        t_asm = time.perf_counter() - t
        big = upscale(small, mode, wrap=True)  # type: ignore[arg-type]
        t_pano = time.perf_counter() - t
        assert big.shape == (2048, 4096, 3)
        entry = {
            "panorama_route_seconds": round(t_pano, 2),
            "assemble_1024_seconds": round(t_asm, 2),
            "panorama_route_grad_energy": grad_energy(big),
        }
        t = time.perf_counter()
        up_views = np.stack([upscale(v, mode) for v in views])  # type: ignore[arg-type]
        big_v = assemble_panorama(up_views, "ring", 4096)
        entry["views_route_seconds"] = round(time.perf_counter() - t, 2)
        entry["views_route_grad_energy"] = grad_energy(big_v)
        result[mode] = entry
        print(f"timing {mode} done", file=sys.stderr, flush=True)
    return result


def side_by_side(samples: list, path: Path, crop: int = 144) -> None:
    """Rows of crops: Lanczos | fast | best | original photo, each labelled."""
    rows = []
    names = [n for n in ("lanczos", "fast", "best") if all(n in outs for _, _, outs in samples[:2])] + ["photo"]
    for _, hr, outs in samples[:2]:
        # the most detailed window of the photo (flat blue sky shows no difference between methods)
        grid = [(y, x) for y in range(0, hr.shape[0] - crop + 1, 16) for x in range(0, hr.shape[1] - crop + 1, 16)]
        y0, x0 = max(grid, key=lambda p: grad_energy(hr[p[0] : p[0] + crop, p[1] : p[1] + crop]))
        tiles = []
        for name in names:
            img = hr if name == "photo" else outs[name]
            tile = (np.clip(img[y0 : y0 + crop, x0 : x0 + crop], 0, 1) * 255 + 0.5).astype(np.uint8)
            tile = np.ascontiguousarray(tile)
            cv2.putText(tile, name, (5, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3, cv2.LINE_AA)
            cv2.putText(tile, name, (5, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
            tiles.append(np.pad(tile, ((2, 2), (2, 2), (0, 0)), constant_values=255))
        rows.append(np.concatenate(tiles, axis=1))
    sheet = np.concatenate(rows, axis=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.png")
    Image.fromarray(sheet).save(tmp, optimize=True)
    tmp.replace(path)


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
