"""Sky/ground boundary of a horizon-looking sky photo, and removal of ground objects that reach into the sky.

CCSN photos (and views generated from a model trained on them) look toward the horizon: ground, trees, poles
and roofs at the bottom, sky above. Ground is darker than the sky just above it in nearly all of them (also in
sunsets, where it is a silhouette), so the boundary is found on the row profile of luminance: the row where
the sky above is brightest relative to the band below, accepted only when everything below stays darker.
Objects above that row (trees, poles) are the dark pixels connected to the ground that are closer to the ground's
brightness than to the sky's; they are painted out from the surrounding sky (``cv2.inpaint``, Telea).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from skyasset.assets.sphere import luminance

__all__ = ["Horizon", "detect_horizon", "sky_only"]

_PROFILE_SIZE = 96  # rows/columns of the working copy used to find the boundary


@dataclass(frozen=True)
class Horizon:
    """Where the sky ends in a view.

    Attributes
    ----------
    row : float
        Boundary as a fraction of the image height (0 = top, 1 = bottom edge: no ground seen).
    contrast : float
        Sky-minus-ground luminance step at the boundary (0 when no ground was found).
    """

    row: float
    contrast: float

    @property
    def has_ground(self) -> bool:
        return self.row < 1.0


def detect_horizon(view: np.ndarray, *, min_contrast: float = 0.06, lowest_sky: float = 0.3) -> Horizon:
    """Find the sky/ground boundary of a view ``[H, W, 3]`` in [0, 1].

    Parameters
    ----------
    view
        Display-referred RGB image.
    min_contrast
        Smallest sky-minus-ground luminance step accepted as a horizon.
    lowest_sky
        The boundary is searched below this fraction of the height (the top of a photo is sky).
    """
    small = cv2.resize(view.astype(np.float32), (_PROFILE_SIZE, _PROFILE_SIZE), interpolation=cv2.INTER_AREA)
    lum = luminance(small)
    prof = np.median(lum, axis=1)
    n = _PROFILE_SIZE
    band = max(2, n // 24)
    best_row, best_score, best_step = n, 0.0, 0.0
    for r in range(int(lowest_sky * n), n - 1):
        above = prof[max(0, r - band) : r].mean()
        below_near = prof[r : min(n, r + band)].mean()
        below_all = prof[r:].max()
        step = above - below_near
        # Everything below must stay darker than the sky just above (ground does not get brighter again).
        if step < min_contrast or below_all > above - 0.5 * min_contrast:
            continue
        score = step * (1.0 + 0.25 * r / n)  # prefer the lowest of equally strong steps (ridges above plains)
        if score > best_score:
            best_row, best_score, best_step = r, score, step
    if best_row >= n:
        return Horizon(1.0, 0.0)
    # Refine on the full-resolution profile near the coarse boundary.
    h = view.shape[0]
    full = np.median(luminance(view.astype(np.float32)), axis=1)
    lo, hi = max(1, int((best_row - 1.5) * h / n)), min(h - 1, int((best_row + 1.5) * h / n) + 1)
    if hi > lo:
        grad = full[lo - 1 : hi - 1] - full[lo:hi]
        row = lo + int(np.argmax(grad))
    else:
        row = int(best_row * h / n)
    return Horizon(row / h, float(best_step))


def sky_only(view: np.ndarray, horizon: Horizon, *, margin: float = 0.02) -> np.ndarray:
    """The sky part of ``view`` above ``horizon`` with ground objects that reach into it painted out.

    Returns the rows ``[0, horizon.row - margin)`` as float32 [0, 1]; ``margin`` drops the blurred transition.
    """
    img = np.clip(view.astype(np.float32), 0.0, 1.0)
    h = img.shape[0]
    if not horizon.has_ground:
        return img
    cut = max(8, int(round((horizon.row - margin) * h)))
    sky = img[:cut]
    ground = img[int(horizon.row * h) :]
    lum = luminance(sky)
    ground_lum = float(np.median(luminance(ground))) if ground.size else 0.0
    row_sky = np.median(lum, axis=1, keepdims=True)
    dark = (row_sky - lum) > np.maximum(0.06, 0.35 * (row_sky - ground_lum))
    if not dark[-1].any():
        return sky
    # Keep only dark regions touching the bottom row (connected to the ground).
    count, labels = cv2.connectedComponents(dark.astype(np.uint8), connectivity=8)
    touching = np.unique(labels[-1][dark[-1]])
    mask = np.isin(labels, touching[touching > 0])
    if not mask.any():
        return sky
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8))
    u8 = (sky * 255.0 + 0.5).astype(np.uint8)
    painted = cv2.inpaint(u8, grown, 5, cv2.INPAINT_TELEA).astype(np.float32) / 255.0
    m = grown.astype(bool)[..., None]
    return np.where(m, painted, sky).astype(np.float32)
