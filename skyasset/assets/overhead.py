"""Measures of the sky overhead: tile seams (a mosaic) and a shared direction (bands), in the zenith view.

Both are computed on the view straight up (90 degree field of view, :func:`skyasset.assets.perspective.
perspective_view`), in grey, and read against real sky panoramas viewed the same way. A mosaic of views overhead
shows where its tiles meet (contrast dips where they cross-fade, or steps in light); views that all keep their
"up" show as bands: more gradient energy across one axis than the other.
"""

from __future__ import annotations

import numpy as np

from skyasset.assets.perspective import perspective_view

__all__ = ["directional_bias", "straight_seam_score", "zenith_view"]

_GREY = np.array([0.299, 0.587, 0.114], np.float32)


def zenith_view(equirect: np.ndarray, size: int = 256) -> np.ndarray:
    """The grey view straight up ``[size, size]`` in [0, 1] (uint8 input is scaled)."""
    eq = np.asarray(equirect)
    eq = eq.astype(np.float32) / 255.0 if eq.dtype == np.uint8 else eq.astype(np.float32)
    return perspective_view(eq[..., :3], 90.0, size=size) @ _GREY


# Where the 3 x 3 mosaic of views that textured the layer until 0.8 had its seams, in the zenith view's
# coordinates (the plane at distance 1: -1..1 across a 90 degree view): tiles a third of a square of half-side
# 1.05 / tan(25 deg) wide met at +-0.68, cross-fading over 0.45.
MOSAIC_SEAMS = (-0.6755, 0.6755)
MOSAIC_SEAM_WIDTH = 0.45


def straight_seam_score(view: np.ndarray) -> float:
    """Gradient energy on the bands where a 3 x 3 mosaic of tiles meets, over that elsewhere in the zenith view,
    folded so that both a seam that dips (tiles cross-fading into grey) and one that stands out score above 1
    (``max(r, 1/r)``; 1: no seam there; real sky panoramas ~1.0-1.2)."""
    grey = np.asarray(view, np.float32)
    size = grey.shape[0]
    gy, gx = np.gradient(grey)
    energy = gx * gx + gy * gy
    coords = (np.arange(size) + 0.5) / size * 2.0 - 1.0
    near = np.zeros(size, bool)
    for seam in MOSAIC_SEAMS:
        near |= np.abs(coords - seam) < MOSAIC_SEAM_WIDTH / 2.0
    band = near[:, None] | near[None, :]
    ratio = float(energy[band].mean()) / max(float(energy[~band].mean()), 1e-12)
    return max(ratio, 1.0 / max(ratio, 1e-12))


def directional_bias(view: np.ndarray) -> float:
    """Gradient energy across rows over that across columns, as a ratio >= 1 (1: no direction; real skies ~1-1.3).

    Views laid overhead with a shared "up" keep their horizontal cloud bands and dashes all parallel."""
    grey = np.asarray(view, np.float32)
    vertical = float((np.diff(grey, axis=0) ** 2).mean())
    horizontal = float((np.diff(grey, axis=1) ** 2).mean())
    low, high = sorted((vertical, horizontal))
    return high / max(low, 1e-12)
