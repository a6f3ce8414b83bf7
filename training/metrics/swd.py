"""Sliced Wasserstein distance (SWD) of Laplacian-pyramid patches, after Karras et al. 2018 (ProGAN), Sec. 5.

No pretrained network is involved: it compares the statistics of small image patches at several scales.

1. Each image (uint8 RGB, as float ``0..255``) gets a Laplacian pyramid: Gaussian levels by a separable 5x5
   binomial blur (``[1, 4, 6, 4, 1] / 16``, reflected borders) and 2x subsampling, band ``i`` = Gaussian ``i`` minus
   the 2x upsampled Gaussian ``i + 1``; the coarsest level is the Gaussian itself. Levels run from the image
   resolution down to 16 px (128, 64, 32, 16 for a 128 px data set; one level at the image size below 16 px).
2. Per level, ``patches_per_image`` random 7x7x3 neighbourhoods per image become 147-d descriptors. Both sets
   get the same number of descriptors, ``patches_per_image * min(n_real, n_fake)``: the larger set spreads them
   over all its images (each image at most once more than another). Both sets use the same random draws (image
   slots and patch positions), so a set against itself scores exactly 0.
3. Each level's descriptors are normalised per colour channel by the mean and standard deviation over reals and
   fakes together.
4. SWD per level: ``repeats`` times, ``directions`` random unit vectors (numpy, fixed seed); the distance along
   one direction is the mean absolute difference of the sorted projections (the 1-D Wasserstein-1 distance
   between equal-size samples); averaged over directions and repeats, reported x1e3.

``swd`` is the average over levels, ``swd_<px>`` each level (fine levels: texture and noise; coarse: colour and
layout). ``swd_halves(archive)`` compares two random halves of a data set: the floor a perfect generator would
reach with a sample of that size. Everything is seeded; the same inputs give the same numbers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import torch

from skyasset.errors import SkyassetError
from training.dataset import ImageArchive
from training.metrics.stats import archive_images

if TYPE_CHECKING:
    from training.metrics import MetricContext

__all__ = [
    "pyramid_sizes",
    "laplacian_pyramid",
    "sliced_wasserstein",
    "swd_from_images",
    "swd_halves",
    "swd_metric",
]

PATCH = 7
MIN_LEVEL = 16
PATCHES_PER_IMAGE = 64
DIRECTIONS = 512
REPEATS = 4
_CHUNK = 128  # images per pyramid pass


def pyramid_sizes(resolution: int) -> list[int]:
    """Level sizes, finest first: ``resolution, resolution / 2, .., 16`` (one level when ``resolution <= 16``)."""
    if resolution < PATCH:
        raise SkyassetError("invalid_argument", f"SWD needs images of at least {PATCH} px, got {resolution}")
    sizes = [resolution]
    while sizes[-1] // 2 >= MIN_LEVEL and sizes[-1] % 2 == 0:
        sizes.append(sizes[-1] // 2)
    return sizes


_K = (1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16)


def _blur(x: torch.Tensor) -> torch.Tensor:
    """Separable 5x5 binomial blur with reflected borders (shifted sums: faster than a depthwise conv on a CPU)."""
    h, w = x.shape[-2:]
    x = torch.nn.functional.pad(x, (2, 2, 2, 2), mode="reflect")
    y = _K[0] * x[..., 0:w]
    for i, k in enumerate(_K[1:], 1):
        y = y + k * x[..., i : i + w]
    out = _K[0] * y[..., 0:h, :]
    for i, k in enumerate(_K[1:], 1):
        out = out + k * y[..., i : i + h, :]
    return out


def _down(x: torch.Tensor) -> torch.Tensor:
    return _blur(x)[:, :, ::2, ::2]


def _up(x: torch.Tensor) -> torch.Tensor:
    n, c, h, w = x.shape
    out = torch.zeros(n, c, 2 * h, 2 * w, dtype=x.dtype)
    out[:, :, ::2, ::2] = 4 * x  # zero insertion keeps a quarter of the samples: x4 keeps the mean
    return _blur(out)


def laplacian_pyramid(images: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """``levels`` bands of float images ``[N, C, R, R]``, finest first; the last one is a Gaussian level."""
    gauss = [images]
    for _ in range(levels - 1):
        gauss.append(_down(gauss[-1]))
    return [g - _up(gauss[i + 1]) for i, g in enumerate(gauss[:-1])] + [gauss[-1]]


def _descriptors(images: np.ndarray, per_image_idx: np.ndarray, sizes: list[int], seed: int) -> list[np.ndarray]:
    """Per level, one 7x7 patch ``[M, 3, 7, 7]`` float32 for each entry of ``per_image_idx`` (image indices),
    at seeded random positions."""
    rng = np.random.default_rng(seed)
    m = len(per_image_idx)
    pos = [rng.integers(0, s - PATCH + 1, size=(m, 2)) for s in sizes]
    out = [np.empty((m, images.shape[1], PATCH, PATCH), np.float32) for _ in sizes]
    order = np.argsort(per_image_idx, kind="stable")
    sorted_idx = per_image_idx[order]
    d = np.arange(PATCH)
    for start in range(0, len(images), _CHUNK):
        stop = min(start + _CHUNK, len(images))
        lo, hi = np.searchsorted(sorted_idx, [start, stop])
        if lo == hi:
            continue
        rows = order[lo:hi]
        with torch.no_grad():
            pyr = laplacian_pyramid(torch.from_numpy(images[start:stop]).float(), len(sizes))
        local = (per_image_idx[rows] - start)[:, None, None]
        for level, band in enumerate(pyr):
            b = band.numpy()
            y = pos[level][rows, 0][:, None, None] + d[None, :, None]
            x = pos[level][rows, 1][:, None, None] + d[None, None, :]
            out[level][rows] = b[local, :, y, x].transpose(0, 3, 1, 2)  # [m, 7, 7, C] -> [m, C, 7, 7]
    return out


def _spread(n_images: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` image indices over ``n_images`` images, each used ``floor`` or ``ceil`` of ``m / n_images`` times."""
    reps = -(-m // n_images)
    return rng.permutation(n_images * reps)[:m] % n_images


def sliced_wasserstein(
    a: np.ndarray, b: np.ndarray, *, directions: int = DIRECTIONS, repeats: int = REPEATS, seed: int = 0
) -> float:
    """Mean over ``repeats x directions`` random unit directions of the 1-D Wasserstein-1 distance between the
    projections of ``a`` and ``b`` (both ``[M, D]``, same ``M``)."""
    if a.shape != b.shape:
        raise SkyassetError("invalid_argument", f"SWD needs equal-size descriptor sets, got {a.shape} and {b.shape}")
    rng = np.random.default_rng(seed)
    at, bt = np.ascontiguousarray(a.T, np.float32), np.ascontiguousarray(b.T, np.float32)
    total = 0.0
    with ThreadPoolExecutor(2) as pool:  # numpy sorts without the GIL: both sets at once
        for _ in range(repeats):
            dirs = rng.standard_normal((directions, a.shape[1]))
            dirs = (dirs / np.linalg.norm(dirs, axis=1, keepdims=True)).astype(np.float32)
            for i in range(0, directions, 128):  # [128, M] projections at a time: bounded memory
                pa, pb = dirs[i : i + 128] @ at, dirs[i : i + 128] @ bt
                list(pool.map(lambda p: p.sort(axis=1), (pa, pb)))
                total += float(np.abs(pa - pb, out=pa).mean(dtype=np.float64)) * len(pa)
    return total / (repeats * directions)


def _to_resolution(images: np.ndarray, resolution: int) -> np.ndarray:
    if images.shape[-1] == resolution:
        return images
    x = torch.from_numpy(images).float()
    x = torch.nn.functional.interpolate(x, size=(resolution, resolution), mode="bilinear", antialias=True)
    return x.round().clamp(0, 255).to(torch.uint8).numpy()


def swd_from_images(
    real: np.ndarray,
    fake: np.ndarray,
    *,
    patches_per_image: int = PATCHES_PER_IMAGE,
    directions: int = DIRECTIONS,
    repeats: int = REPEATS,
    seed: int = 0,
) -> dict[str, float]:
    """``{"swd": mean, "swd_<px>": per level}`` (x1e3) between uint8 image sets ``[N, 3, R, R]`` (see the module
    docstring). ``fake`` is resized to the resolution of ``real`` when they differ."""
    real = np.asarray(real)
    fake = _to_resolution(np.asarray(fake), real.shape[-1])
    if real.ndim != 4 or real.shape[1:] != fake.shape[1:] or min(len(real), len(fake)) < 2:
        raise SkyassetError(
            "invalid_argument", f"SWD needs two sets of >= 2 images [N, C, R, R], got {real.shape} and {fake.shape}"
        )
    sizes = pyramid_sizes(real.shape[-1])
    m = patches_per_image * min(len(real), len(fake))
    # The same random draws for both sets (common random numbers): a set against itself scores exactly 0, and
    # sets of equal size are compared at the same patch positions.
    desc_r = _descriptors(real, _spread(len(real), m, np.random.default_rng(seed)), sizes, seed + 1)
    desc_f = _descriptors(fake, _spread(len(fake), m, np.random.default_rng(seed)), sizes, seed + 1)
    out: dict[str, float] = {}
    for level, (size, dr, df) in enumerate(zip(sizes, desc_r, desc_f, strict=True)):
        both = np.concatenate([dr, df], 0)
        mean = both.mean(axis=(0, 2, 3), dtype=np.float64).astype(np.float32)[None, :, None, None]
        std = both.std(axis=(0, 2, 3), dtype=np.float64).astype(np.float32)[None, :, None, None]
        std = np.where(std > 1e-8, std, 1.0)
        del both
        a = ((dr - mean) / std).reshape(m, -1)
        b = ((df - mean) / std).reshape(m, -1)
        value = sliced_wasserstein(a, b, directions=directions, repeats=repeats, seed=seed + 100 + level)
        out[f"swd_{size}"] = 1e3 * value
    return {"swd": float(np.mean(list(out.values()))), **out}


def swd_halves(archive: ImageArchive, *, seed: int = 0, **kwargs: int) -> dict[str, float]:
    """SWD between two random halves of ``archive`` (keys ``swd``, ``swd_<px>``): the data set's floor."""
    images = archive_images(archive)
    order = np.random.default_rng(seed).permutation(len(images))
    half = len(images) // 2
    return swd_from_images(images[order[:half]], images[order[half : 2 * half]], seed=seed, **kwargs)


def swd_metric(ctx: MetricContext) -> dict[str, float]:
    """``swd`` and ``swd_<px>`` of the main generated sample against every image of the archive."""
    _, fake = ctx.generated_images()
    return swd_from_images(ctx.real_images(), fake, seed=ctx.seed)
