"""What a run makes, shown while it trains: ``reals.png`` once, ``fakes-NNNNNN.png`` at every snapshot.

Both grids have one row per class (the class code on the left), so a reader can tell at a glance whether the
classes differ and whether the fakes look like the reals. The fakes use fixed seeds, so grids of successive
snapshots show the same latents as training moves them. ``noise_rms`` measures how much of the image the
per-pixel noise inputs decide, the cause of the speckle of early snapshots; it is logged with every grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image, ImageDraw

from training.dataset import ImageArchive

if TYPE_CHECKING:
    from training.networks import Generator

__all__ = [
    "GRID_COLUMNS",
    "image_grid",
    "save_reals_grid",
    "save_fakes_grid",
    "save_compact_grid",
    "generate_grid_images",
    "noise_rms",
]

GRID_COLUMNS = 8
_LABEL_WIDTH = 28


def image_grid(images: np.ndarray, rows: int, labels: Sequence[str] | None = None) -> Image.Image:
    """Tile uint8 images ``[rows * cols, 3, H, W]`` row by row, with an optional label left of each row."""
    n, _, h, w = images.shape
    if n % rows:
        raise ValueError(f"{n} images do not fill {rows} rows")
    cols = n // rows
    left = _LABEL_WIDTH if labels else 0
    canvas = Image.new("RGB", (left + cols * w, rows * h), (16, 16, 16))
    draw = ImageDraw.Draw(canvas)
    for i in range(n):
        r, c = divmod(i, cols)
        canvas.paste(Image.fromarray(images[i].transpose(1, 2, 0)), (left + c * w, r * h))
    for r, text in enumerate(labels or []):
        draw.text((4, r * h + h // 2 - 5), text, fill=(235, 235, 235))
    return canvas


def save_reals_grid(data: ImageArchive, path: Path, columns: int = GRID_COLUMNS, seed: int = 0) -> Path:
    """``columns`` random real images per class (one row each; one unlabelled row for unconditional data)."""
    rng = np.random.default_rng(seed)
    labels = data.labels if data.c_dim else np.zeros(len(data), np.int64)
    rows = max(data.c_dim, 1)
    picks: list[int] = []
    for cls in range(rows):
        members = np.flatnonzero(labels == cls)
        picks.extend(rng.choice(members, columns, replace=len(members) < columns).tolist())
    images = np.stack([np.asarray(data[i][0]) for i in picks])
    image_grid(images, rows, _codes(data.classes) if data.c_dim else None).save(path)
    return path


@torch.no_grad()
def generate_grid_images(
    G: Generator, columns: int = GRID_COLUMNS, seed: int = 0, noise_mode: str = "const"
) -> np.ndarray:
    """uint8 ``[rows * columns, 3, R, R]``: seeds ``seed .. seed + columns - 1`` for every class, psi 1."""
    c_dim = int(G.c_dim)
    device = next(G.parameters()).device
    rows = max(c_dim, 1)
    z = torch.from_numpy(np.stack([np.random.RandomState(seed + s).randn(G.z_dim) for s in range(columns)]))
    z = z.to(device, torch.float32).repeat(rows, 1)
    c = torch.zeros([rows * columns, c_dim], device=device)
    if c_dim:
        c[torch.arange(rows * columns), torch.arange(rows).repeat_interleave(columns)] = 1
    out = []
    for i in range(0, len(z), 16):
        img = G(z[i : i + 16], c[i : i + 16], truncation_psi=1.0, noise_mode=noise_mode)
        out.append((img * 127.5 + 128).clamp(0, 255).to(torch.uint8).cpu().numpy())
    return np.concatenate(out)


def save_fakes_grid(
    G: Generator, path: Path, classes: Sequence[dict[str, str]] | None, columns: int = GRID_COLUMNS
) -> tuple[Path, float]:
    """Write the fixed-seed grid of ``G`` (its const noise, as exported) and return ``noise_rms(G)``."""
    images = generate_grid_images(G, columns)
    rows = len(images) // columns
    image_grid(images, rows, _codes(classes)).save(path)
    return path, noise_rms(G, columns)


def save_compact_grid(
    G: Generator,
    path: Path,
    classes: Sequence[dict[str, str]] | None,
    columns: int = 4,
    size: int = 64,
    seed: int = 0,
) -> Path:
    """A small fixed-seed grid (one row per class, ``columns`` seeds, each image resized to ``size`` px): the
    picture of a run that is light enough to commit beside its numbers."""
    images = generate_grid_images(G, columns, seed=seed)
    if images.shape[-1] != size:
        images = np.stack(
            [
                np.asarray(
                    Image.fromarray(im.transpose(1, 2, 0)).resize((size, size), Image.Resampling.LANCZOS)
                ).transpose(2, 0, 1)
                for im in images
            ]
        )
    image_grid(images, len(images) // columns, _codes(classes)).save(path, optimize=True)
    return path


def _codes(classes: Sequence[dict[str, str]] | None) -> list[str] | None:
    return [c["code"] for c in classes] if classes else None


@torch.no_grad()
def noise_rms(G: Generator, columns: int = GRID_COLUMNS) -> float:
    """How much of the image the per-pixel noise inputs decide: RMS luma change between two noise draws / sqrt 2.

    The grid's latents are rendered twice with fresh random noise; what differs is only what the noise added. A
    trained StyleGAN2 uses noise for small stochastic detail (well under 0.01 on a [0, 1] scale); early in
    training it uses it to imitate the reals' fine texture, which shows as speckle (0.02-0.03 here).
    """
    state = torch.random.get_rng_state()
    try:
        draws = []
        for seed in (1, 2):
            torch.manual_seed(seed)
            draws.append(_luma(generate_grid_images(G, columns, noise_mode="random")))
    finally:
        torch.random.set_rng_state(state)
    return float(np.sqrt(np.mean((draws[0] - draws[1]) ** 2) / 2))


def _luma(images: np.ndarray) -> np.ndarray:
    rgb = images.astype(np.float32) / 255.0
    return 0.299 * rgb[:, 0] + 0.587 * rgb[:, 1] + 0.114 * rgb[:, 2]
