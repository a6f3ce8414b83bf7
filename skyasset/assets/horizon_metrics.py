"""Measures of a skybox's horizon and ground, for ``skyasset bench skybox`` and the tests.

Every measure takes a display equirect: float32 ``[H, 2H, 3]`` in [0, 1], sRGB-encoded, horizon at mid-height
(a generated PNG as written, or an HDR through :func:`display_from_radiance`). Each first resizes it to
1024 x 512 (area-averaged), so one threshold means the same at every output size, and works on Rec. 709
luminance of the display values.

- :func:`dark_blob_share`: the share of the 0-10 degree band above the horizon that is a dark ground blob
  (:func:`skyasset.assets.ground_blobs.ground_blob_mask`: much darker than the sky around it, ground-coloured,
  standing on the horizon, at most 12 degrees tall) or tall ground
  (:func:`skyasset.assets.ground_blobs.tall_ground_mask`: a hill or forest up to 25 degrees tall, as a whole as
  dark as ground). The two real CC0 "pure sky" references score 0.000 and 0.017 (the dark cloud bank under a
  sunset, partly ground-coloured).
- :func:`horizon_step`: the luminance change across the horizon (2-4 degrees above to 0-2 below) over the
  sky's own change across the 4 degrees above that: about 1 or below where the ground continues the sky as its
  own haze would, 2 and more for a hard edge.
- :func:`ground_smear`: the share of horizontal (across-columns) gradient energy in the gradient energy of
  the ground 2-40 degrees below the horizon: 0 for a ground that changes only with depression, 1 for vertical
  streaks only; 0.5 for isotropic texture (a reflection of clouds).
"""

from __future__ import annotations

import cv2
import numpy as np

from skyasset.assets.ground_blobs import BLOB_BAND_DEG, TALL_BAND_DEG, ground_blob_mask, tall_ground_mask
from skyasset.assets.sphere import linear_to_srgb, luminance

__all__ = ["dark_blob_share", "display_from_radiance", "ground_smear", "horizon_step"]

WIDTH = 1024  # every measure works on the equirect resized to WIDTH x WIDTH / 2
_BLOB_SEARCH_DEG = 20.0  # rows above the horizon given to the blob detector (its sky level needs 15)
_SMEAR_BAND_DEG = (2.0, 40.0)  # the ground band whose gradients are compared (below each longitude's own colour)
_TINY_ENERGY = (0.5 / 255.0) ** 2  # mean squared gradient per degree of a ground too flat to see


def _check(equirect: np.ndarray) -> np.ndarray:
    """``equirect`` as float32 ``[512, 1024, 3]``; refuses what is not a 2:1 RGB image."""
    arr = np.asarray(equirect, np.float32)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.shape[1] != 2 * arr.shape[0] or arr.shape[0] < 16:
        raise ValueError(f"A display equirect must be [H, 2H, 3] with H >= 16, got shape {arr.shape}.")
    if arr.shape[1] == WIDTH:
        return arr
    interp = cv2.INTER_AREA if arr.shape[1] > WIDTH else cv2.INTER_LINEAR
    return cv2.resize(arr, (WIDTH, WIDTH // 2), interpolation=interp)


def _rows(deg: float) -> int:
    return max(1, int(round(deg * WIDTH / 360.0)))


def display_from_radiance(radiance: np.ndarray, *, percentile: float = 99.0) -> np.ndarray:
    """A display equirect from linear radiance ``[H, W, 3]``: divided by the ``percentile`` of its luminance
    (the sky's bright clouds, not the sun, which covers far less than 1%), clipped to 1 and sRGB-encoded."""
    lin = np.asarray(radiance, np.float32)
    scale = float(np.percentile(luminance(lin), percentile))
    return linear_to_srgb(lin / max(scale, 1e-12))


def dark_blob_share(equirect: np.ndarray) -> float:
    """Share (0..1) of the 0-10 degree band above the horizon covered by dark ground blobs."""
    eq = _check(equirect)
    mid = eq.shape[0] // 2
    band = eq[mid - _rows(_BLOB_SEARCH_DEG) : mid]
    mask = ground_blob_mask(band, WIDTH / 360.0)[-_rows(BLOB_BAND_DEG) :]
    tall = tall_ground_mask(eq[mid - _rows(TALL_BAND_DEG) : mid], WIDTH / 360.0)[-_rows(BLOB_BAND_DEG) :]
    return float((mask | tall).mean())


def _degree_grid(lum: np.ndarray) -> np.ndarray:
    """Luminance ``[512, 1024]`` area-averaged to one pixel per degree ``[180, 360]`` (row 90 = the horizon)."""
    return cv2.resize(lum, (360, 180), interpolation=cv2.INTER_AREA)


def _smooth_longitude(rows: np.ndarray, deg: int) -> np.ndarray:
    """Box mean of ``[.., 360]`` one-degree columns over ``deg`` degrees of longitude, wrapping at the seam."""
    half = deg // 2
    wide = np.concatenate([rows[..., 360 - half :], rows, rows[..., :half]], axis=-1)
    kernel = np.ones(2 * half + 1, np.float32) / (2 * half + 1)
    return np.apply_along_axis(lambda r: np.convolve(r, kernel, mode="valid"), -1, wide)


def horizon_step(equirect: np.ndarray) -> float:
    """The hard edge at the horizon: the mean absolute luminance change from the sky 2-4 degrees above the
    horizon to the ground 0-2 degrees below it, over the sky's own change across the same 4 degrees just above
    (6-8 to 2-4 degrees), both in blocks of 10 degrees of longitude; the sky's change is floored at 2/255.

    Measured over degrees, not across the last pixel row: the assembly fades the sky's last degrees
    (:data:`skyasset.assets.fill.HAZE_DEG`, 6) into the ground's first row, and a step spread over 4 of them was
    as visible in a view at 5 degrees as a one-row edge. Over 6 the sky rows measured here lie partly in the fade,
    as a real sky's lowest degrees lie in its haze."""
    grid = _degree_grid(luminance(_check(equirect)))
    rows = np.stack([grid[82:84].mean(0), grid[86:88].mean(0), grid[90:92].mean(0)])
    far, near, ground = _smooth_longitude(rows, 10)
    step = float(np.abs(ground - near).mean())
    sky_change = float(np.abs(near - far).mean())
    return step / max(sky_change, 2.0 / 255.0)


def ground_smear(equirect: np.ndarray) -> float:
    """Vertical streaks below the horizon: horizontal gradient energy over total gradient energy (0..1) of the
    luminance 2-40 degrees below the horizon at one pixel per degree (longitude wraps); a ground flatter than
    an eye sees (``_TINY_ENERGY``) adds to the total, so a flat ground scores near 0 whatever its noise."""
    grid = _degree_grid(luminance(_check(equirect)))
    ground = grid[90 + int(_SMEAR_BAND_DEG[0]) : 90 + int(_SMEAR_BAND_DEG[1])]
    across = float(np.mean((np.roll(ground, -1, axis=1) - ground) ** 2))
    down = float(np.mean(np.diff(ground, axis=0) ** 2))
    return across / (across + down + _TINY_ENERGY)
