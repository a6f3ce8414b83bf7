"""Dark ground blobs on the horizon (tree lines, land) found and replaced by the sky around them.

The generator learnt from CCSN photos, whose bottom edge is ground, and draws some of it into the sky band of
its canvas and views: dark green or brown tree lines and grey land masses standing on the horizon. A cylinder
or a ring cut at the detected horizon keeps them as dark blobs in the 0-10 degree band.

A **ground blob** is a region of the band just above the horizon that is

- much darker than the sky around it: luminance below ``DARK_RATIO`` of the column's sky level (a high
  percentile of the 0-15 degree band, smoothed over longitude, so trees under a white cloud and land under a
  grey sky are measured against their own surroundings; a grey cloud base, lit from the side and through, stays
  above that ratio),
- coloured like ground, not like sky: low saturation, or a green to brown hue, or nearly black (blue sky between
  white clouds is as dark relative to them, but saturated blue; the dark teal cloud bank of a real sunset is
  saturated cyan),
- standing on the horizon: connected to its lowest degree, and compact: its top within ``MAX_BLOB_DEG``
  of the horizon (a dark cloud reaching higher, a shower or a storm's base, is sky and stays).

A blob is replaced below its top edge, column by column, by the sky around it: the low frequencies by pull-push
(the average of the sky next to and above it at the finest scale that has any, so the colour and brightness
continue without a flat patch) and the fine texture mirrored from the rows just above the blob's top (the same
clouds at the same scale, continuous at the edge, instead of a smear). The band is at most 30 degrees tall, so
this costs a few milliseconds at the working resolution.
"""

from __future__ import annotations

import cv2
import numpy as np

from skyasset.assets.fill import pull_push
from skyasset.assets.sphere import luminance

__all__ = ["BLOB_BAND_DEG", "fill_ground_blobs", "ground_blob_mask"]

BLOB_BAND_DEG = 10.0  # the band above the horizon where ground blobs are measured (and mostly found)
DARK_RATIO = 0.5  # a blob pixel's luminance is below this share of the sky level around it
VERY_DARK_RATIO = 0.35  # the part of a too tall region that is as dark as this is judged on its own
MAX_BLOB_DEG = 12.0  # a dark region reaching higher than this above the horizon is cloud, not ground
_SKY_LEVEL_DEG = 15.0  # the rows whose bright share sets each column's sky level
_SKY_LEVEL_PERCENTILE = 85.0  # ground fills at most the lower half of those rows in a generated sky
_SKY_LEVEL_SMOOTH_DEG = 6.0  # longitude smoothing of the sky level: the surroundings, not the column alone
_TOUCH_DEG = 2.5  # a blob reaches into the lowest 2.5 degrees above the horizon (a faded horizon too)
_GROUND_SATURATION = 0.55  # below this HSV saturation any hue counts as ground-coloured (blue sky: 0.65+)
_GROUND_HUES = (15.0, 160.0)  # orange, brown, yellow and green (HSV degrees); cyan and blue are sky
_BLACK = 0.12  # any pixel darker than this (display luminance) is ground-coloured whatever its hue
_HALF_DARK_RATIO = 0.8  # a blob takes the pixels next to it below this share of the sky level ...
_HALF_DARK_SATURATION = 0.6  # ... that are not strongly blue or cyan ...
_REACH_DEG = 3.0  # ... within this many degrees
_GROW_DEG = 1.0  # the fill reaches this far past a blob's edge, taking its light rim and halo with it
_TOP_MARGIN = 0.2  # and above it by this share of the blob's height more
_LINE_DEG = 6.0  # the mirror line follows the blobs' tops over this much longitude
_TEXTURE_DEG = 1.5  # finer than this is texture (mirrored from above), coarser is colour (pull-push)
_MAX_DETAIL = 0.12  # mirrored texture is clipped to this contrast: a stray dark edge is not copied whole
_DETAIL_GAIN = 0.7  # and softened, as the sky's texture is near the horizon


def _smooth_longitude(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing of a ``[W]`` profile along the circular longitude axis."""
    half = int(3 * sigma) + 1
    ext = np.pad(values.astype(np.float32), half, mode="wrap")[None, :]
    return cv2.GaussianBlur(ext, (2 * half + 1, 1), sigmaX=sigma, sigmaY=0.1)[0, half:-half]


def _ground_coloured(band: np.ndarray, lum: np.ndarray, saturation: float = _GROUND_SATURATION) -> np.ndarray:
    """Pixels whose colour is the ground's: grey (below ``saturation``), green, brown or black, not the sky's
    saturated cyan and blue."""
    hsv = cv2.cvtColor(np.ascontiguousarray(band, np.float32), cv2.COLOR_RGB2HSV)
    hue, sat = hsv[..., 0], hsv[..., 1]
    earthy = (hue > _GROUND_HUES[0]) & (hue < _GROUND_HUES[1])
    return np.asarray((sat < saturation) | earthy | (lum < _BLACK))


def ground_blob_mask(band: np.ndarray, px_per_deg: float) -> np.ndarray:
    """Ground blobs (bool ``[h, W]``) in ``band``: display RGB ``[h, W, 3]`` in [0, 1], the rows just above the
    horizon (its last row touches it) of an equirect whose columns go all the way round.

    ``px_per_deg``: rows (and columns) per degree. See the module's docstring for what counts as a blob.
    """
    h, w = band.shape[:2]
    lum = luminance(band)
    level_rows = min(h, max(1, int(round(_SKY_LEVEL_DEG * px_per_deg))))
    level = np.percentile(lum[h - level_rows :], _SKY_LEVEL_PERCENTILE, axis=0)
    level = _smooth_longitude(level, max(1.0, _SKY_LEVEL_SMOOTH_DEG * px_per_deg))
    dark = (lum < DARK_RATIO * level[None, :]) & _ground_coloured(band, lum)
    if not dark.any():
        return np.zeros((h, w), bool)
    cores = _standing_regions(dark, px_per_deg)
    # Land that merges with a grey cloud above it is too tall as a whole; its very dark part alone is not.
    cores |= _standing_regions(dark & (lum < VERY_DARK_RATIO * level[None, :]), px_per_deg)
    if not cores.any():
        return cores
    # Grow each blob into the half-dark pixels next to it (lit leaves, a tree's blue-grey edge), a little way.
    half_dark = (lum < _HALF_DARK_RATIO * level[None, :]) & _ground_coloured(band, lum, _HALF_DARK_SATURATION)
    reach = max(1, int(round(_REACH_DEG * px_per_deg)))
    near = _wrap_dilate(cores, reach)
    return np.asarray(cores | (near & half_dark))


def _wrap_dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """``mask`` dilated by a disc of ``radius`` pixels, wrapping at the left and right edges."""
    w = mask.shape[1]
    pad = min(w, radius)
    wide = np.concatenate([mask[:, w - pad :], mask, mask[:, :pad]], axis=1).astype(np.uint8)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(wide, disc)[:, pad : pad + w].astype(bool)


def _standing_regions(dark: np.ndarray, px_per_deg: float) -> np.ndarray:
    """The connected regions of ``dark`` that reach the lowest ``_TOUCH_DEG`` and no higher than
    ``MAX_BLOB_DEG`` above the horizon (the last row)."""
    h, w = dark.shape
    # Label on a copy with wrapped columns each side, so a blob across the panorama's seam is one blob.
    pad = min(w, max(2, int(round(MAX_BLOB_DEG * px_per_deg))))
    wide = np.concatenate([dark[:, w - pad :], dark, dark[:, :pad]], axis=1)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(wide.astype(np.uint8), connectivity=8)
    touch_rows = max(1, int(round(_TOUCH_DEG * px_per_deg)))
    standing = np.zeros(count, bool)
    standing[np.unique(labels[h - touch_rows :])] = True
    low = (h - stats[:, cv2.CC_STAT_TOP]) <= MAX_BLOB_DEG * px_per_deg
    keep = standing & low
    keep[0] = False
    return np.asarray(keep[labels][:, pad : pad + w])


def _fill_tops(mask: np.ndarray, px_per_deg: float) -> np.ndarray:
    """Per column, the first row to replace (``h``: none): above every blob pixel of the column and its
    neighbours within ``_GROW_DEG`` (and a share of the blob's height: tall blobs have ragged tops), then
    smoothed along the row, so the region is whole columns below a smooth top edge (a ragged one would mirror
    the texture above it into chevrons)."""
    h, w = mask.shape
    rows = np.where(mask.any(axis=0), mask.argmax(axis=0), h).astype(np.float32)
    grow = max(1, int(round(_GROW_DEG * px_per_deg)))
    wrapped = np.pad(rows, grow, mode="wrap")
    highest = np.lib.stride_tricks.sliding_window_view(wrapped, 2 * grow + 1).min(axis=1)
    covered = highest < h
    tops = highest - grow - _TOP_MARGIN * (h - highest)
    smoothed = _smooth_longitude(np.where(covered, tops, h + grow), max(1.0, _GROW_DEG * px_per_deg))
    tops = np.minimum(tops, smoothed)
    return np.asarray(np.where(covered | (smoothed < h - 0.5), np.clip(np.floor(tops), 0, h), h).astype(np.int64))


def _mirror_line(tops: np.ndarray, rows: int, px_per_deg: float) -> np.ndarray:
    """Per column, a row at or above ``tops`` that changes only over ``_LINE_DEG`` of longitude."""
    reach = max(1, int(round(_LINE_DEG * px_per_deg)))
    wrapped = np.pad(tops.astype(np.float32), reach, mode="wrap")
    highest = np.lib.stride_tricks.sliding_window_view(wrapped, 2 * reach + 1).min(axis=1)
    line = np.minimum(_smooth_longitude(highest, max(1.0, 0.5 * reach)), tops)
    return np.asarray(np.clip(np.floor(line), 0, rows).astype(np.int64))


def fill_ground_blobs(upper: np.ndarray) -> np.ndarray:
    """The upper hemisphere ``[H, W, 3]`` (row 0 = zenith, last row = just above the horizon, ``W = 4 H``) with
    its ground blobs replaced by the sky around them (a copy; the input is returned when there are none)."""
    h, w = upper.shape[:2]
    px_per_deg = w / 360.0
    rows = min(h, int(round(2.5 * MAX_BLOB_DEG * px_per_deg)))  # room above the tallest blob to mirror from
    band = np.ascontiguousarray(upper[h - rows :], np.float32)
    mask = ground_blob_mask(band, px_per_deg)
    if not mask.any():
        return upper
    # Work on a copy with wrapped columns each side: every blur and the pull-push continue across the seam.
    pad = min(w, int(round(30.0 * px_per_deg)))
    wide = np.concatenate([band[:, w - pad :], band, band[:, :pad]], axis=1)
    tops = np.pad(_fill_tops(mask, px_per_deg), pad, mode="wrap")
    row_index = np.arange(rows)[:, None]
    region = (row_index >= tops[None, :]).astype(np.float32)
    smooth = pull_push(wide, 1.0 - region)
    smooth = cv2.GaussianBlur(smooth, (0, 0), max(1.0, _TEXTURE_DEG * px_per_deg))  # no pull-push blocks
    composite = wide * (1.0 - region[..., None]) + smooth * region[..., None]
    detail = composite - cv2.GaussianBlur(composite, (0, 0), max(1.0, _TEXTURE_DEG * px_per_deg))
    # Mirror the texture above the blobs down into them about a line that follows their tops only slowly (a
    # line that follows every column turns the texture into chevrons): row line - 1 - k lands on line + k.
    line = _mirror_line(tops, rows, px_per_deg)
    source = np.clip(2 * line[None, :] - 1 - row_index, 0, rows - 1)
    mirrored = np.clip(np.take_along_axis(detail, source[..., None], axis=0), -_MAX_DETAIL, _MAX_DETAIL)
    mirrored *= _DETAIL_GAIN
    feather = cv2.GaussianBlur(region, (0, 0), max(0.5, 0.5 * _GROW_DEG * px_per_deg))
    alpha = np.maximum(feather, region)[..., None]
    blended = wide * (1.0 - alpha) + (smooth + mirrored) * alpha
    out = upper.copy()
    out[h - rows :] = np.clip(blended[:, pad : pad + w], 0.0, 1.0)
    return out
