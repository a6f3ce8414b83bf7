"""How much each way of making a small image 4x larger restores of a real photo (``skyasset bench upscale``).

Ground truth: held-out CCSN photos (every tenth per class, sorted by name: the split the ``fast`` student was
never fitted on, as in ``training/upscaler/data.py``) at their own size (400 px, a few 256 px; upsizing them to
512 would make the truth itself an interpolation and favour the smooth methods), shrunk 4x with antialiased
bicubic and brought back by each method:

- ``none``: bicubic (OpenCV), what ``--upscale none`` does: ``generate`` samples the views bicubically straight at
  the output size, ``convert`` resizes bicubically;
- ``lanczos``: PIL's Lanczos, the best plain filter;
- ``fast`` and ``best``: :func:`skyasset.upscale.upscale`.

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

from skyasset.atomic import atomic_output
from skyasset.bench import psnr
from skyasset.errors import SkyassetError
from skyasset.upscale.upscale import check_upscale, upscale

__all__ = [
    "BenchMethod",
    "BENCH_METHODS",
    "heldout_photos",
    "shrink4",
    "restore",
    "ssim",
    "sharpness",
    "score",
    "write_crop_sheet",
    "bench_upscale",
]

BenchMethod = Literal["none", "lanczos", "fast", "best"]
BENCH_METHODS: tuple[str, ...] = get_args(BenchMethod)
BORDER = 8  # output pixels left out on each side: border handling is not what we compare
HOLDOUT_EVERY = 10
_LUMA = np.array([0.299, 0.587, 0.114])
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
    return upscale(small, method)


def _luma(image: np.ndarray) -> np.ndarray:
    return np.asarray(image, dtype=np.float64) @ _LUMA


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM of two RGB images in [0, 1] on luma, 11 px Gaussian window (Wang et al. 2004 constants)."""
    ya, yb = _luma(a), _luma(b)

    def blur(x: np.ndarray) -> np.ndarray:
        return np.asarray(cv2.GaussianBlur(x, (11, 11), 1.5))

    ma, mb = blur(ya), blur(yb)
    va, vb, cov = blur(ya * ya) - ma**2, blur(yb * yb) - mb**2, blur(ya * yb) - ma * mb
    c1, c2 = 0.01**2, 0.03**2
    return float(np.mean((2 * ma * mb + c1) * (2 * cov + c2) / ((ma**2 + mb**2 + c1) * (va + vb + c2))))


def _gradient_energy(image: np.ndarray) -> float:
    y = _luma(image)
    return float(np.mean(np.diff(y, axis=0) ** 2) + np.mean(np.diff(y, axis=1) ** 2))


def sharpness(image: np.ndarray, photo: np.ndarray) -> float:
    """Gradient energy of ``image`` relative to ``photo``'s: 1.0 = as much fine detail as the photo."""
    return _gradient_energy(image) / max(_gradient_energy(photo), 1e-12)


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


def _detailed_window(photo: np.ndarray, crop: int) -> tuple[int, int, int]:
    """Top-left corner and edge of the window (``crop`` px or less in a small photo) with the most fine detail
    (a flat blue sky shows no difference between methods)."""
    step = 16
    crop = min(crop, photo.shape[0] - 2 * BORDER, photo.shape[1] - 2 * BORDER)
    corners = [
        (y, x)
        for y in range(BORDER, photo.shape[0] - crop - BORDER + 1, step)
        for x in range(BORDER, photo.shape[1] - crop - BORDER + 1, step)
    ]
    y, x = max(corners, key=lambda p: _gradient_energy(photo[p[0] : p[0] + crop, p[1] : p[1] + crop]))
    return y, x, crop


def write_crop_sheet(samples: list[tuple[np.ndarray, dict[str, np.ndarray]]], path: Path, crop: int = 128) -> None:
    """Rows of labelled crops, one row per photo: each method, then the photo; shown 2x (nearest) to see pixels."""
    rows = []
    for photo, outs in samples:
        y0, x0, edge = _detailed_window(photo, crop)
        tiles = []
        for name, img in [*outs.items(), ("photo", photo)]:
            tile = np.clip(img[y0 : y0 + edge, x0 : x0 + edge], 0.0, 1.0)
            tile = cv2.resize(tile, (2 * edge, 2 * edge), interpolation=cv2.INTER_NEAREST)
            tile = np.ascontiguousarray((tile * 255.0 + 0.5).astype(np.uint8))
            for colour, thickness in (((0, 0, 0), 3), ((255, 255, 255), 1)):
                cv2.putText(tile, name, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, colour, thickness, cv2.LINE_AA)
            tiles.append(np.pad(tile, ((2, 2), (2, 2), (0, 0)), constant_values=255))
        rows.append(np.concatenate(tiles, axis=1))
    width = max(r.shape[1] for r in rows)
    sheet = np.concatenate([np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows])
    with atomic_output(path, force=True) as tmp:
        Image.fromarray(sheet).save(tmp, format="PNG", optimize=True)


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
        small = shrink4(photo)
        entry: dict[str, Any] = {"photo": f"{path.parent.name}/{path.name}", "size": photo.shape[1]}
        outs: dict[str, np.ndarray] = {}
        for method in chosen_methods:
            if method == "best" and index >= best_photos:
                continue
            started = time.perf_counter()
            outs[method] = restore(small, method)  # type: ignore[arg-type]
            row = {**score(outs[method], photo), "seconds": time.perf_counter() - started}
            scores[method].append(row)
            entry[method] = row
        per_photo.append(entry)
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
        write_crop_sheet(samples, sheet)
        report["sheet"] = str(sheet.resolve())
    return report
