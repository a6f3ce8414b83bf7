"""Two measures of a skybox's sun, for ``skyasset bench skybox`` and the tests: HDR hot spots and disagreement.

- :func:`hdr_hot_spots`: how many separate light sources the HDR holds. A hot spot is a connected region
  brighter than ``HOT_SPOT_RATIO`` (10) times the sky's median luminance, regions closer than
  ``MERGE_DEG`` (1.5 degrees) counting as one. Each of the two real CC0 reference skies scores 1: the
  partly cloudy noon its sun (nothing else above 7 times its median), the hazy evening the glow where its
  sun sets (13 fragments above 10 times the median, all within 10 degrees and merged at 1.5).
- :func:`sun_disagreement_deg`: the largest angle between the sidecar's sun, the sun the PNG shows
  (:func:`skyasset.assets.sun_place.find_visible_sun`: a sun the sidecar says was painted, else one the picture
  shows of itself, ``evident``) and the HDR's brightest hot spot; 0 when all three say there is none, 180 when
  some see a sun and others none.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np

from skyasset.assets.hdr import sky_median
from skyasset.assets.sphere import luminance
from skyasset.assets.sun_place import angle_between_deg, find_visible_sun

__all__ = ["HOT_SPOT_RATIO", "MERGE_DEG", "hdr_hot_spots", "hdr_sun_position", "sun_disagreement_deg"]

HOT_SPOT_RATIO = 10.0
MERGE_DEG = 1.5
PAINTED_SOURCES = ("placed", "given")  # a sidecar's sun that was painted into the picture
MEASURE_WIDTH = 1024  # measured on a copy at most this wide (area-averaged: a sun keeps its energy)


def _hot_spot_labels(radiance: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """``(count, labels, luminance)`` of the hot spots of an equirect ``[H, 2H, 3]`` of linear radiance."""
    rgb: np.ndarray = np.nan_to_num(np.asarray(radiance, np.float32)[..., :3])
    if rgb.shape[1] > MEASURE_WIDTH:
        rgb = cv2.resize(rgb, (MEASURE_WIDTH, MEASURE_WIDTH // 2), interpolation=cv2.INTER_AREA)
    lum = luminance(np.maximum(rgb, 0.0))
    h, w = lum.shape
    hot = (lum > HOT_SPOT_RATIO * max(sky_median(np.maximum(rgb, 0.0)), 1e-6)).astype(np.uint8)
    reach = max(1, round(MERGE_DEG / 360.0 * w))
    merged = cv2.dilate(hot, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
    merged = np.concatenate([merged, merged[:, :1]], axis=1)  # the wrap: column 0 repeated after the last
    count, labels = cv2.connectedComponents(merged, connectivity=8)
    labels = _join_wrap(labels)[:, :w] * hot
    present = np.unique(labels[labels > 0])
    return int(present.size), labels, lum


def _join_wrap(labels: np.ndarray) -> np.ndarray:
    """Labels of a panorama with its first column repeated at the end: regions meeting across the seam
    become one."""
    out = labels.copy()
    for left, right in set(zip(labels[:, 0].tolist(), labels[:, -1].tolist(), strict=True)):
        if left and right and left != right:
            out[out == right] = left
    return out


def hdr_hot_spots(radiance: np.ndarray) -> int:
    """The number of separate hot spots in an equirect of linear radiance (module doc): 1 for a sky with
    one sun, 0 for an overcast one, more when highlights were blown up into extra suns."""
    return _hot_spot_labels(radiance)[0]


def hdr_sun_position(radiance: np.ndarray) -> tuple[float, float] | None:
    """``(u, v)`` of the HDR's sun: the centroid (weighted by radiance) of its brightest hot spot."""
    count, labels, lum = _hot_spot_labels(radiance)
    if count == 0:
        return None
    h, w = lum.shape
    brightest = labels[np.unravel_index(int(np.argmax(np.where(labels > 0, lum, -1.0))), lum.shape)]
    rows, cols = np.nonzero(labels == brightest)
    weights = lum[rows, cols] * np.cos(math.pi * (0.5 - (rows + 0.5) / h))
    lon = ((cols + 0.5) / w - 0.5) * 2.0 * math.pi
    lat = (0.5 - (rows + 0.5) / h) * math.pi
    x = float((weights * np.cos(lat) * np.sin(lon)).sum())
    y = float((weights * np.sin(lat)).sum())
    z = float((weights * np.cos(lat) * np.cos(lon)).sum())
    u = (math.atan2(x, z) / (2.0 * math.pi) + 0.5) % 1.0
    v = 0.5 - math.atan2(y, math.hypot(x, z)) / math.pi
    return u, v


def _sidecar_position(sun: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """The sidecar's sun, or ``None`` where it says there is none (``present``, or ``distinct`` before it)."""
    if not sun or not sun.get("present", sun.get("distinct", False)):
        return None
    return float(sun["u"]), float(sun["v"])


def sun_disagreement_deg(
    sidecar_sun: Mapping[str, Any] | None, png_equirect: np.ndarray, hdr_radiance: np.ndarray | None
) -> float:
    """The largest angle (degrees) between the sidecar's, the PNG's and (when given) the HDR's sun.

    0 when none of them has a sun, 180 when some have one and others none.
    """
    painted = sidecar_sun is not None and sidecar_sun.get("source") in PAINTED_SOURCES
    positions = [_sidecar_position(sidecar_sun), _png_position(png_equirect, painted)]
    if hdr_radiance is not None:
        positions.append(hdr_sun_position(hdr_radiance))
    found = [p for p in positions if p is not None]
    if not found:
        return 0.0
    if len(found) < len(positions):
        return 180.0
    return max(angle_between_deg(a, b) for a, b in itertools.combinations(found, 2))


def _png_position(png_equirect: np.ndarray, painted: bool) -> tuple[float, float] | None:
    """The sun a person sees in the PNG: a painted one wherever it was put; without one, only a region that
    looks like a photographed sun (a bright patch of cloud is not a sun to the eye)."""
    visible = find_visible_sun(png_equirect, evident=not painted)
    return None if visible is None else (visible.u, visible.v)
