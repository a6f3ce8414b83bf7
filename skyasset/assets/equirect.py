"""Resampling a whole equirect panorama without opening its 360-degree seam."""

from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = ["resize_equirect"]


def resize_equirect(equirect: np.ndarray, width: int) -> np.ndarray:
    """Resize an equirect to ``[width // 2, width]``, wrapping horizontally so the seam stays clean.

    The image is padded with wrapped columns and resized so that the scale is exactly ``width / w``
    everywhere; the crop then keeps pixel centres exact, so columns 0 and ``width - 1`` stay one column apart
    across the seam (a pad whose scaled size is rounded drifts and makes them near copies).
    """
    h, w = equirect.shape[:2]
    if w == width and h == width // 2:
        return equirect
    step = w // math.gcd(w, width)  # smallest pad (input columns) that scales to whole output columns
    pad = step * max(1, -(-4 // step)) if step <= w // 2 else w
    big_pad = pad * width // w
    padded = np.concatenate([equirect[:, w - pad :], equirect, equirect[:, :pad]], axis=1)
    interp = cv2.INTER_CUBIC if width > w else cv2.INTER_AREA
    out = cv2.resize(padded, (width + 2 * big_pad, width // 2), interpolation=interp)
    return np.ascontiguousarray(out[:, big_pad : big_pad + width])
