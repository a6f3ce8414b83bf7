"""Labelled picture grids the benchmarks write: panoramas per method (skybox), crops per method (upscale)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from skyasset.atomic import atomic_output
from skyasset.bench.quality import gradient_energy

__all__ = ["contact_sheet", "label_image", "quantise_png", "write_crop_sheet"]

SHEET_METHODS = ("mirror", "stripe", "ring", "native")  # the contact sheet's column order


def label_image(img: np.ndarray, text: str) -> np.ndarray:
    """White text on a darkened box (a thick black outline smeared the last letter into a ghost copy)."""
    out = np.ascontiguousarray(img.copy())
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    box = out[2 : 8 + th + base, 2 : 10 + tw]
    box[:] = (box.astype(np.float32) * 0.45).astype(np.uint8)
    cv2.putText(out, text, (6, 4 + th), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def contact_sheet(rows: Sequence[tuple[str, dict[str, np.ndarray]]], *, thumb_width: int = 384) -> np.ndarray:
    """uint8 grid: one row per cloud type, one labelled equirect thumbnail per method (mirror, stripe, ring,
    native)."""
    lines = []
    for name, panos in rows:
        cells = []
        for method in SHEET_METHODS:
            if method not in panos:
                continue
            small = cv2.resize(panos[method], (thumb_width, thumb_width // 2), interpolation=cv2.INTER_AREA)
            cell = (np.clip(small, 0, 1) * 255 + 0.5).astype(np.uint8)
            cells.append(np.pad(label_image(cell, f"{name}  {method}"), ((2, 2), (2, 2), (0, 0)), constant_values=255))
        lines.append(np.concatenate(cells, axis=1))
    return np.concatenate(lines, axis=0)


def _detailed_window(photo: np.ndarray, crop: int, margin: int) -> tuple[int, int, int]:
    """Top-left corner and edge of the window (``crop`` px or less in a small photo), ``margin`` px clear of the
    edges, with the most fine detail (a flat blue sky shows no difference between methods)."""
    step = 16
    crop = min(crop, photo.shape[0] - 2 * margin, photo.shape[1] - 2 * margin)
    corners = [
        (y, x)
        for y in range(margin, photo.shape[0] - crop - margin + 1, step)
        for x in range(margin, photo.shape[1] - crop - margin + 1, step)
    ]
    y, x = max(corners, key=lambda p: gradient_energy(photo[p[0] : p[0] + crop, p[1] : p[1] + crop]))
    return y, x, crop


def _crop_tile(img: np.ndarray, name: str, y0: int, x0: int, edge: int) -> np.ndarray:
    """One labelled crop, shown 2x (nearest) to see pixels, with a white frame."""
    tile = np.clip(img[y0 : y0 + edge, x0 : x0 + edge], 0.0, 1.0)
    tile = cv2.resize(tile, (2 * edge, 2 * edge), interpolation=cv2.INTER_NEAREST)
    tile = np.ascontiguousarray((tile * 255.0 + 0.5).astype(np.uint8))
    for colour, thickness in (((0, 0, 0), 3), ((255, 255, 255), 1)):
        cv2.putText(tile, name, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, colour, thickness, cv2.LINE_AA)
    return np.pad(tile, ((2, 2), (2, 2), (0, 0)), constant_values=255)


def write_crop_sheet(
    samples: list[tuple[np.ndarray, dict[str, np.ndarray]]], path: Path, *, crop: int = 128, margin: int = 8
) -> None:
    """Rows of labelled crops, one row per photo: each method, then the photo (the most detailed window at least
    ``margin`` px inside it); shown 2x (nearest) to see pixels."""
    rows = []
    for photo, outs in samples:
        y0, x0, edge = _detailed_window(photo, crop, margin)
        tiles = [_crop_tile(img, name, y0, x0, edge) for name, img in [*outs.items(), ("photo", photo)]]
        rows.append(np.concatenate(tiles, axis=1))
    width = max(r.shape[1] for r in rows)
    sheet = np.concatenate([np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows])
    with atomic_output(path, force=True) as tmp:
        Image.fromarray(sheet).save(tmp, format="PNG", optimize=True)


def quantise_png(path: Path) -> None:
    """Rewrite a PNG with a 256-colour palette and Floyd-Steinberg dithering (no banding in smooth skies), about
    half the bytes: small enough for the README."""
    img = Image.open(path).convert("RGB")
    palette = img.quantize(256, method=Image.Quantize.MEDIANCUT)
    img.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG).save(path, optimize=True)
