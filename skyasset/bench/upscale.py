"""How much each way of making a small image 4x larger restores of a real photo (``skyasset bench upscale``).

Ground truth: held-out CCSN photos (every tenth per class, sorted by name: the split the ``fast`` student was
never fitted on, as in ``training/upscaler/data.py``) at their own size (400 px, a few 256 px; upsizing them to
512 would make the truth itself an interpolation and favour the smooth methods), shrunk 4x with antialiased
bicubic and brought back by each method:

- ``none``: bicubic (OpenCV), what ``--upscale none`` does: ``generate`` samples the views bicubically straight at
  the output size, ``convert`` resizes bicubically;
- ``lanczos``: PIL's Lanczos, the best plain filter;
- ``fast`` and ``best``: :func:`skyasset.upscale.upscale_image`.

Scores per photo, outer 8 px (2 input pixels) left out: PSNR, SSIM (luma, 11 px Gaussian window) and sharpness,
the restored image's gradient energy over the photo's (1.0 = as much fine detail as the photo; above 1 = more
than the photo, i.e. invented texture).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import cv2
import numpy as np
from PIL import Image

from skyasset.bench.quality import psnr, sharpness, ssim
from skyasset.bench.sheets import write_crop_sheet
from skyasset.errors import SkyassetError
from skyasset.upscale.super_resolution import check_upscale, upscale_image

__all__ = [
    "BenchMethod",
    "BENCH_METHODS",
    "heldout_photos",
    "shrink4",
    "restore",
    "score",
    "bench_upscale",
    "format_upscale_report",
    "parse_methods",
]

BenchMethod = Literal["none", "lanczos", "fast", "best"]
BENCH_METHODS: tuple[str, ...] = get_args(BenchMethod)
BORDER = 8  # output pixels left out on each side: border handling is not what we compare
HOLDOUT_EVERY = 10
_PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


def heldout_photos(root: Path) -> list[Path]:
    """Every tenth photo of each class folder of ``root`` (sorted by file name), in class order.

    Raises
    ------
    SkyassetError
        ``input_not_found`` when ``root`` holds no class folders with photos.
    """
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    files: list[Path] = []
    for folder in folders:
        photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in _PHOTO_SUFFIXES)
        files.extend(photos[::HOLDOUT_EVERY])
    if not files:
        raise SkyassetError(
            "input_not_found",
            f"No CCSN photos under {root}: pass --ccsn DIR, the folder with one sub-folder of photos per cloud "
            "class (CCSN, Harvard Dataverse doi:10.7910/DVN/CADDPD).",
        )
    return files


def _spread(files: Sequence[Path], count: int) -> list[Path]:
    """``count`` photos evenly spaced through ``files``: every class gets its share."""
    count = min(count, len(files))
    return [files[i * len(files) // count] for i in range(count)]


def _load_photo(path: Path) -> np.ndarray:
    """float32 ``[H, W, 3]`` in [0, 1], cropped to a multiple of 4 on each side."""
    with Image.open(path) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    return np.ascontiguousarray(rgb[: rgb.shape[0] // 4 * 4, : rgb.shape[1] // 4 * 4])


def _to_pil(image: np.ndarray) -> Image.Image:
    return Image.fromarray((np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))


def shrink4(image: np.ndarray) -> np.ndarray:
    """``[H, W, 3]`` float shrunk 4x with PIL's antialiased bicubic filter (how the student's inputs were made)."""
    small = _to_pil(image).resize((image.shape[1] // 4, image.shape[0] // 4), Image.Resampling.BICUBIC)
    return np.asarray(small, dtype=np.float32) / 255.0


def restore(small: np.ndarray, method: BenchMethod) -> np.ndarray:
    """``small`` made 4x larger by ``method`` (float32 ``[4H, 4W, 3]`` in [0, 1])."""
    h, w = small.shape[0] * 4, small.shape[1] * 4
    if method == "none":
        out = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        return np.clip(out, 0.0, 1.0).astype(np.float32)
    if method == "lanczos":
        return np.asarray(_to_pil(small).resize((w, h), Image.Resampling.LANCZOS), dtype=np.float32) / 255.0
    return upscale_image(small, method)


def score(restored: np.ndarray, photo: np.ndarray) -> dict[str, float]:
    """PSNR (dB), SSIM and sharpness of ``restored`` against ``photo``, the outer ``BORDER`` pixels left out."""
    if restored.shape != photo.shape:
        raise SkyassetError("invalid_argument", f"Restored {restored.shape} and photo {photo.shape} differ in shape.")
    inner = (slice(BORDER, -BORDER), slice(BORDER, -BORDER))
    a, b = restored[inner], photo[inner]
    return {"psnr_db": psnr(a, b), "ssim": ssim(a, b), "sharpness": sharpness(a, b)}


def _check_methods(methods: Sequence[str]) -> None:
    bad = [m for m in methods if m not in BENCH_METHODS]
    if bad or not methods:
        raise SkyassetError(
            "invalid_argument",
            f"Unknown method(s) {', '.join(bad) or '(none)'}; choose from {', '.join(BENCH_METHODS)}.",
        )
    for method in methods:
        if method in ("fast", "best"):
            check_upscale(method)


def _summary(rows: list[dict[str, float]], lanczos: list[dict[str, float]]) -> dict[str, Any]:
    """Medians of one method's per-photo scores, and how it does against Lanczos on the same photos."""
    out: dict[str, Any] = {"photos": len(rows)}
    for key in ("psnr_db", "ssim", "sharpness", "seconds"):
        out[key] = float(np.median([r[key] for r in rows]))
    if lanczos:
        paired = list(zip(rows, lanczos, strict=True))
        out["psnr_gain_vs_lanczos_db"] = float(np.median([r["psnr_db"] - q["psnr_db"] for r, q in paired]))
        out["ssim_gain_vs_lanczos"] = float(np.median([r["ssim"] - q["ssim"] for r, q in paired]))
        out["psnr_wins_vs_lanczos"] = sum(r["psnr_db"] > q["psnr_db"] for r, q in paired) / len(paired)
    return out


def _restore_photo(photo: np.ndarray, methods: Sequence[str]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """``photo`` shrunk 4x and restored by each of ``methods``: its size and each method's scores (with seconds),
    and each method's image."""
    small = shrink4(photo)
    entry: dict[str, Any] = {"size": photo.shape[1]}
    outs: dict[str, np.ndarray] = {}
    for method in methods:
        started = time.perf_counter()
        outs[method] = restore(small, method)  # type: ignore[arg-type]
        entry[method] = {**score(outs[method], photo), "seconds": time.perf_counter() - started}
    return entry, outs


def bench_upscale(
    root: Path,
    *,
    photos: int = 40,
    best_photos: int = 8,
    methods: Sequence[str] = BENCH_METHODS,
    sheet: Path | None = None,
    sheet_rows: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Score each method on ``photos`` held-out CCSN photos (``best`` on the first ``best_photos`` of them).

    Parameters
    ----------
    root
        CCSN folder: one sub-folder of photos per cloud class.
    photos
        Photos scored, evenly spread over the held-out split (so over the classes).
    best_photos
        How many of them ``best`` also restores (Real-ESRGAN takes seconds per photo on a CPU).
    methods
        Any of :data:`BENCH_METHODS`.
    sheet
        Where to write a PNG of crops (the most detailed window of the first ``sheet_rows`` photos) per method.
    progress
        Called with (photos done, photos total).

    Returns
    -------
    dict
        ``methods``: per method the medians of ``psnr_db``, ``ssim``, ``sharpness`` and ``seconds`` (per photo),
        and against Lanczos on the same photos the median ``psnr_gain_vs_lanczos_db``, ``ssim_gain_vs_lanczos``
        and the share of photos where it has the higher PSNR; ``per_photo``: every score.
    """
    if photos < 1:
        raise SkyassetError("invalid_argument", f"--photos must be >= 1, got {photos}.")
    if best_photos < 0:
        raise SkyassetError("invalid_argument", f"--best-photos must be >= 0, got {best_photos}.")
    chosen_methods = [m for m in methods if not (m == "best" and best_photos == 0)]
    _check_methods(chosen_methods)
    files = _spread(heldout_photos(root), photos)
    scores: dict[str, list[dict[str, float]]] = {m: [] for m in chosen_methods}
    per_photo: list[dict[str, Any]] = []
    samples: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
    for index, path in enumerate(files):
        photo = _load_photo(path)
        entry, outs = _restore_photo(photo, [m for m in chosen_methods if m != "best" or index < best_photos])
        per_photo.append({"photo": f"{path.parent.name}/{path.name}"} | entry)
        for method in outs:
            scores[method].append(entry[method])
        if len(samples) < sheet_rows and ("best" not in chosen_methods or "best" in outs):
            samples.append((photo, outs))
        if progress is not None:
            progress(index + 1, len(files))
    summary = {}
    for method, rows in scores.items():
        lanczos = [e["lanczos"] for e in per_photo if method in e and "lanczos" in e and method != "lanczos"]
        summary[method] = _summary(rows, lanczos)
    report: dict[str, Any] = {
        "source": str(root),
        "photos": len(files),
        "photo_sizes": sorted({e["size"] for e in per_photo}),
        "shrink": "4x, antialiased bicubic",
        "methods": summary,
        "per_photo": per_photo,
    }
    if sheet is not None and samples:
        write_crop_sheet(samples, sheet, margin=BORDER)
        report["sheet"] = str(sheet.resolve())
    return report


def parse_methods(spec: str) -> list[str]:
    """Comma-separated method names, or ``all`` for :data:`BENCH_METHODS` (checked by :func:`bench_upscale`)."""
    return list(BENCH_METHODS) if spec == "all" else [m.strip() for m in spec.split(",") if m.strip()]


def format_upscale_report(report: dict[str, Any]) -> str:
    """The report as a table of each method's medians and its paired difference to Lanczos."""
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
