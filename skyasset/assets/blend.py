"""Blending overlapping warped views into one image: feathered or two-band (multi-band).

Feathered blending averages the views with weights that fall to zero at each view's border. Where
neighbouring views show different clouds (they always do: each view is its own generated image) the overlap
shows both cloud layers half-transparent, a visible double exposure 15-20 degrees wide.

Multi-band blending (Burt & Adelson 1983; two bands as in Brown & Lowe's Autostitch) splits each view into a
low-pass band (colour, brightness, haze) and the detail above it. The low band is blended with the wide feather
weights so colour changes slowly across the overlap; the detail band switches over a narrow strip around the
middle of the overlap, so every cloud is drawn by one view only and stays crisp. It looks better on generated
views and CCSN photos (no ghosting, same smooth colour transition) and is the default of ``ring``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import cv2
import numpy as np

__all__ = ["BLEND_MODES", "BlendMode", "blend_views"]

BlendMode = Literal["multiband", "feather"]
BLEND_MODES: tuple[BlendMode, ...] = get_args(BlendMode)


def _blur_wrap(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur that wraps horizontally (across the +-180 degree seam) and replicates vertically."""
    pad = int(3 * sigma) + 1
    padded = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_WRAP)
    # Vertical padding must replicate, not wrap: redo the rows.
    padded[:pad] = padded[pad : pad + 1]
    padded[-pad:] = padded[-pad - 1 : -pad]
    out = cv2.GaussianBlur(padded, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    return out[pad:-pad, pad:-pad]


def blend_views(
    images: Sequence[np.ndarray],
    weights: Sequence[np.ndarray],
    *,
    mode: BlendMode = "multiband",
    sigma: float = 6.0,
    sharpness: float = 12.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Blend warped views.

    Parameters
    ----------
    images
        Warped views ``[H, W, 3]`` (any value where their weight is 0).
    weights
        Feather weights ``[H, W]`` in [0, 1], 0 outside each view.
    mode
        ``multiband`` (default, see module doc) or ``feather``.
    sigma
        Split between the low and the detail band, in pixels of the output.
    sharpness
        Exponent applied to the feather weights for the detail band (higher = narrower switch).

    Returns
    -------
    image, coverage
        Blended image and the summed feather weight (0 where no view reaches).
    """
    total = np.zeros(weights[0].shape, np.float32)
    for w in weights:
        total += w
    safe = np.maximum(total, 1e-6)[..., None]
    if mode == "feather":
        acc = np.zeros(images[0].shape, np.float32)
        for img, w in zip(images, weights, strict=True):
            acc += img * w[..., None]
        return acc / safe, total
    if mode != "multiband":
        raise ValueError(f"unknown blend mode {mode!r}")
    low = np.zeros(images[0].shape, np.float32)
    high = np.zeros(images[0].shape, np.float32)
    sharp_total = np.zeros(weights[0].shape, np.float32)
    for img, w in zip(images, weights, strict=True):
        valid = (w > 0).astype(np.float32)
        # Normalised convolution: the low band of a view uses only that view's own pixels.
        num = _blur_wrap(img * valid[..., None], sigma)
        den = _blur_wrap(valid, sigma)[..., None]
        band = num / np.maximum(den, 1e-4)
        low += band * w[..., None]
        ws = w**sharpness
        high += (img - band) * (ws * valid)[..., None]
        sharp_total += ws * valid
    out = low / safe + high / np.maximum(sharp_total, 1e-30)[..., None]
    return out, total
