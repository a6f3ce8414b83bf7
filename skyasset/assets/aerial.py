"""Aerial perspective low in the sky: the last degrees above the horizon turn towards one pale haze colour.

Looking towards the horizon the eye looks through the most air: a clear sky pales and whitens there, and distant
clouds lose contrast, whatever lies behind them. The generator's views do not always show it: a photo taken
straight up at a deep-blue sky, laid as a tile of the band, keeps its deep blue down to the horizon, where it met
the pale haze below in a hard line, its tile's vertical edges running down into it (6 of 220 default-model skies
had a horizon step above two real skies'). The haze colour is the band's own light near the horizon, smoothed
over longitude and desaturated (its luminance kept): bluer skies get more of it, as blue comes from the scattering
that also makes the haze, while an overcast sky's low grey stays closer to itself.
"""

from __future__ import annotations

import numpy as np

from skyasset.assets.fill import smooth_columns
from skyasset.assets.sphere import luminance, smoothstep

__all__ = ["HAZE_TOP_DEG", "haze_low_sky"]

HAZE_TOP_DEG = 12.0  # the haze rises from the horizon to this elevation
HAZE_GREY = 0.35  # at the horizon every sky takes this share of the haze colour ...
HAZE_BLUE = 0.35  # ... and a deep-blue one this much more
HAZE_SATURATION = 0.5  # the haze keeps this share of the low sky's saturation
HAZE_SOURCE_DEG = (2.0, 8.0)  # the low sky's colour is read between these elevations
HAZE_SIGMA_DEG = 30.0  # smoothed over this much longitude (Gaussian sigma)


def haze_low_sky(sky: np.ndarray) -> np.ndarray:
    """The upper hemisphere ``sky [H, W, 3]`` (row 0 = zenith, last row = the horizon) with aerial haze over its
    lowest ``HAZE_TOP_DEG``: each pixel blends towards the haze colour by up to ``HAZE_GREY`` plus ``HAZE_BLUE``
    times how blue the low sky is there, all of it at the horizon, none at ``HAZE_TOP_DEG``."""
    h, w = sky.shape[:2]
    elevation = 90.0 - (np.arange(h, dtype=np.float32) + 0.5) / h * 90.0
    low, high = HAZE_SOURCE_DEG
    rows = (elevation >= low) & (elevation <= high)
    colour = smooth_columns(sky[rows].mean(axis=0), HAZE_SIGMA_DEG / 360.0 * w)  # [W, 3]
    grey = luminance(colour)[:, None]
    blue = np.clip((colour[:, 2:3] - colour[:, 0:1]) / np.maximum(grey, 0.05) * 1.5, 0.0, 1.0)
    haze = grey + HAZE_SATURATION * (colour - grey)
    low_rows = elevation < HAZE_TOP_DEG
    rise = (1.0 - smoothstep(elevation[low_rows] / HAZE_TOP_DEG))[:, None, None]
    amount = rise * (HAZE_GREY + HAZE_BLUE * blue)[None]
    out = sky.astype(np.float32, copy=True)
    out[low_rows] = np.clip(sky[low_rows] * (1.0 - amount) + haze[None] * amount, 0.0, 1.0)
    return out
