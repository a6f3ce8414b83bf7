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

**Tall ground** (a hill or forest up to ``MAX_TALL_DEG``, as a whole as dark as ``VERY_DARK_RATIO`` of the sky
around it) is removed first, differently: mirroring texture into a region that tall draws dark chevrons, so the
sky is lowered over it instead ("the horizon cut higher" there). Per column the rows from just above the ground's
top up to ``_WARP_DEG`` are stretched down onto the horizon; the lift falls off beside the hill no faster than
``_WARP_SLOPE`` and is smoothed along longitude, so the clouds stay continuous and are only gently sheared (the
sky within about ``lift / _WARP_SLOPE`` of longitude is lowered with it). Near the horizon the lowered sky's
coarse colour is replaced by the sky's beside the hill at the same height. About 20 ms more where it acts.
"""

from __future__ import annotations

import cv2
import numpy as np

from skyasset.assets.fill import pull_push, smooth_columns
from skyasset.assets.sphere import luminance

__all__ = ["BLOB_BAND_DEG", "TALL_BAND_DEG", "fill_ground_blobs", "ground_blob_mask", "tall_ground_mask"]

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
# A filled blob brightens its column's sky level, and grey haze beside it can then fall below DARK_RATIO of it:
# after one pass 2 of 220 default-model skies kept such a rim (0.046 and 0.027 of the 0-10 degree band), after
# two none, and the second pass changed nothing else a person sees.
FILL_PASSES = 2
_LINE_DEG = 6.0  # the mirror line follows the blobs' tops over this much longitude
_TEXTURE_DEG = 1.5  # finer than this is texture (mirrored from above), coarser is colour (pull-push)
_MAX_DETAIL = 0.12  # mirrored texture is clipped to this contrast: a stray dark edge is not copied whole
_DETAIL_GAIN = 0.7  # and softened, as the sky's texture is near the horizon
MAX_TALL_DEG = 25.0  # a hill or a forest this tall is still ground, when it is as dark as VERY_DARK_RATIO
TALL_BAND_DEG = 45.0  # the rows above the horizon where tall ground is looked for (its sky level too)
_TALL_LEVEL_DEG = 40.0  # the rows whose bright share sets each column's sky level for tall ground
_TALL_LEVEL_SMOOTH_DEG = 12.0  # wider than for blobs: a tall hill covers more longitude
_WARP_DEG = 70.0  # the sky from a hill's top up to this height is lowered onto the horizon
_WARP_SLOPE = 0.3  # the lowering falls off beside a hill by at most this many degrees per degree of longitude ...
_WARP_SMOOTH_DEG = 8.0  # ... and changes smoothly over this much longitude, so clouds stay continuous
_COLOUR_DEG = 3.0  # coarser than this is the sky's colour near the horizon, taken from beside the hill
_FOOT_DEG = 3.0  # a blob's fill also takes the half-dark ground it stands in, along the horizon, this high ...
_FOOT_REACH_DEG = 15.0  # ... and this far beside it (farther, a long dark band is more likely haze or cloud)
_SKY_RATIO = 0.9  # beside a blob, a pixel this bright (of the sky level) counts fully for its row's fill


def _smooth_longitude(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing of a ``[W]`` profile along the circular longitude axis."""
    return smooth_columns(values[:, None], sigma)[:, 0]


def _ground_coloured(band: np.ndarray, lum: np.ndarray, saturation: float = _GROUND_SATURATION) -> np.ndarray:
    """Pixels whose colour is the ground's: grey (below ``saturation``), green, brown or black, not the sky's
    saturated cyan and blue."""
    hsv = cv2.cvtColor(np.ascontiguousarray(band, np.float32), cv2.COLOR_RGB2HSV)
    hue, sat = hsv[..., 0], hsv[..., 1]
    earthy = (hue > _GROUND_HUES[0]) & (hue < _GROUND_HUES[1])
    return np.asarray((sat < saturation) | earthy | (lum < _BLACK))


def _sky_level(lum: np.ndarray, rows_deg: float, smooth_deg: float, px_per_deg: float) -> np.ndarray:
    """Each column's sky level ``[W]``: a high percentile of the lowest ``rows_deg`` of ``lum``, smoothed over
    ``smooth_deg`` of longitude (the surroundings, not the column alone)."""
    h = lum.shape[0]
    rows = min(h, max(1, int(round(rows_deg * px_per_deg))))
    level = np.percentile(lum[h - rows :], _SKY_LEVEL_PERCENTILE, axis=0)
    return _smooth_longitude(level, max(1.0, smooth_deg * px_per_deg))


def ground_blob_mask(band: np.ndarray, px_per_deg: float) -> np.ndarray:
    """Ground blobs (bool ``[h, W]``) in ``band``: display RGB ``[h, W, 3]`` in [0, 1], the rows just above the
    horizon (its last row touches it) of an equirect whose columns go all the way round.

    ``px_per_deg``: rows (and columns) per degree. See the module's docstring for what counts as a blob.
    """
    h, w = band.shape[:2]
    lum = luminance(band)
    level = _sky_level(lum, _SKY_LEVEL_DEG, _SKY_LEVEL_SMOOTH_DEG, px_per_deg)
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


def tall_ground_mask(band: np.ndarray, px_per_deg: float) -> np.ndarray:
    """Tall ground (bool ``[h, W]``) in ``band`` (as for :func:`ground_blob_mask`, about ``TALL_BAND_DEG`` rows):
    a hill or forest standing on the horizon whose top is higher than ``MAX_BLOB_DEG`` but at most
    ``MAX_TALL_DEG``, ground-coloured and, as a whole, as dark as ``VERY_DARK_RATIO`` of the sky level around it.

    A grey cloud base or a storm's dark base is lit from above and through: its median stays above that ratio
    (or it reaches higher), so it is sky and stays."""
    h, w = band.shape[:2]
    lum = luminance(band)
    level = _sky_level(lum, _TALL_LEVEL_DEG, _TALL_LEVEL_SMOOTH_DEG, px_per_deg)
    dark = (lum < DARK_RATIO * level[None, :]) & _ground_coloured(band, lum)
    very_dark = dark & (lum < VERY_DARK_RATIO * level[None, :])
    if not very_dark.any():
        return np.zeros((h, w), bool)
    tall = np.zeros((h, w), bool)
    for candidate in (dark, very_dark):
        labels, tops = _standing_labels(candidate, px_per_deg, MAX_TALL_DEG)
        wide_lum = _wrap_columns(lum / np.maximum(level[None, :], 1e-6), labels.shape[1])
        for label in np.flatnonzero(tops > MAX_BLOB_DEG * px_per_deg):
            inside = labels == label
            if np.median(wide_lum[inside]) < VERY_DARK_RATIO:
                tall |= _unwrap_columns(inside, w)
    return tall


def _wrap_columns(values: np.ndarray, wide_width: int) -> np.ndarray:
    """``values`` ``[h, W]`` with wrapped columns each side, ``wide_width`` columns in all."""
    w = values.shape[1]
    pad = (wide_width - w) // 2
    return np.concatenate([values[:, w - pad :], values, values[:, :pad]], axis=1)


def _unwrap_columns(wide: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` columns of a wrapped copy, each pixel set where it or its wrapped twin is."""
    pad = (wide.shape[1] - width) // 2
    out = wide[:, pad : pad + width].copy()
    out[:, width - pad :] |= wide[:, :pad]
    out[:, :pad] |= wide[:, pad + width :]
    return out


def _standing_labels(dark: np.ndarray, px_per_deg: float, max_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Labels of ``dark``'s connected regions on a copy with wrapped columns, with every region that does not
    stand on the horizon (reach the lowest ``_TOUCH_DEG``) or reaches higher than ``max_deg`` set to 0, and each
    label's height in rows (0 for those)."""
    h, w = dark.shape
    pad = min(w, max(2, int(round(max_deg * px_per_deg))))
    wide = _wrap_columns(dark, w + 2 * pad)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(wide.astype(np.uint8), connectivity=8)
    touch_rows = max(1, int(round(_TOUCH_DEG * px_per_deg)))
    standing = np.zeros(count, bool)
    standing[np.unique(labels[h - touch_rows :])] = True
    heights = h - stats[:, cv2.CC_STAT_TOP]
    keep = standing & (heights <= max_deg * px_per_deg)
    keep[0] = False
    return np.where(keep[labels], labels, 0), np.where(keep, heights, 0)


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


def _warp_heights(mask: np.ndarray, px_per_deg: float) -> np.ndarray:
    """Per column, the height in rows above the horizon (float) from which the sky is lowered onto it: above
    every tall ground pixel of the column (with a margin for its light rim), falling off to each side no faster
    than ``_WARP_SLOPE`` (a cone dilation) and smoothed over ``_WARP_SMOOTH_DEG`` of longitude, so the lowering
    shears the clouds only gently, however narrow the hill."""
    h, w = mask.shape
    tops = np.where(mask.any(axis=0), h - mask.argmax(axis=0), 0).astype(np.float32)
    tops = np.where(tops > 0, tops * (1.0 + _TOP_MARGIN) + _GROW_DEG * px_per_deg, 0.0)
    reach = min(w // 2, int(np.ceil(tops.max() / _WARP_SLOPE)) + 1)
    wrapped = np.pad(tops, reach, mode="wrap")
    cone = -_WARP_SLOPE * np.abs(np.arange(-reach, reach + 1, dtype=np.float32))
    lifted = (np.lib.stride_tricks.sliding_window_view(wrapped, 2 * reach + 1) + cone[None, :]).max(axis=1)
    sigma = max(1.0, _WARP_SMOOTH_DEG * px_per_deg)
    return _smooth_longitude(np.maximum(lifted, 0.0) + _WARP_SLOPE * sigma, sigma)


def _lower_sky_over_tall_ground(upper: np.ndarray, mask: np.ndarray, px_per_deg: float) -> np.ndarray:
    """``upper`` with the sky lowered over the tall ground of ``mask`` (its last rows): per column the rows from
    the ground's top up to ``_WARP_DEG`` are stretched down onto the horizon ("the horizon cut higher" there),
    a vertical warp that varies slowly with longitude, so the clouds continue from the columns beside it. Near the
    horizon, where the lowered sky is the colour of a higher elevation, its coarse colour is replaced by the sky's
    beside the ground at the same height (pull-push), fading out towards the ground's top."""
    h, w = upper.shape[:2]
    span = min(h - 1, int(round(_WARP_DEG * px_per_deg)))
    lift = np.minimum(_warp_heights(mask, px_per_deg), 0.8 * span)
    pad = min(w, int(round(30.0 * px_per_deg)))
    rows = span + 1
    band = _wrap_columns(np.ascontiguousarray(upper[h - rows :], np.float32), w + 2 * pad)
    lift = np.pad(lift, pad, mode="wrap")
    height = (rows - 1 - np.arange(rows, dtype=np.float32))[:, None]  # rows above the horizon
    source = lift[None, :] + height * (span - lift[None, :]) / span
    map_y = (rows - 1 - source).astype(np.float32)
    map_x = np.broadcast_to(np.arange(band.shape[1], dtype=np.float32)[None, :], map_y.shape).astype(np.float32)
    lowered = cv2.remap(band, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    ground = (height < lift[None, :]).astype(np.float32)
    fade = np.clip(1.0 - height / np.maximum(lift[None, :], 1e-3), 0.0, 1.0)
    fade = (fade * fade * (3.0 - 2.0 * fade))[..., None]
    low = min(rows, int(np.ceil(lift.max())) + 1)  # the rows the colour correction reaches
    lowered[rows - low :] += fade[rows - low :] * _colour_correction(
        band[rows - low :], lowered[rows - low :], ground[rows - low :], px_per_deg
    )
    out = upper.copy()
    out[h - rows :] = np.clip(lowered, 0.0, 1.0)[:, pad : pad + w]
    return out


def _colour_correction(band: np.ndarray, lowered: np.ndarray, ground: np.ndarray, px_per_deg: float) -> np.ndarray:
    """What to add to ``lowered`` for its coarse colour (coarser than ``_COLOUR_DEG``) to be the sky's beside the
    ground (``ground`` > 0) at the same height, the ground pull-pushed from around it. Computed at a quarter of
    the resolution: only the coarse colour is wanted, and it costs a sixteenth."""
    h, w = band.shape[:2]
    size = (max(4, w // 4), max(4, h // 4))
    small_band = cv2.resize(band, size, interpolation=cv2.INTER_AREA)
    small_lowered = cv2.resize(lowered, size, interpolation=cv2.INTER_AREA)
    sky = 1.0 - cv2.resize(ground, size, interpolation=cv2.INTER_AREA)
    sigma = max(0.5, _COLOUR_DEG * px_per_deg / 4.0)
    beside = cv2.GaussianBlur(pull_push(small_band, sky), (0, 0), sigma)
    beside = small_band * sky[..., None] + beside * (1.0 - sky[..., None])
    correction = cv2.GaussianBlur(beside, (0, 0), sigma) - cv2.GaussianBlur(small_lowered, (0, 0), sigma)
    return np.asarray(cv2.resize(correction, (w, h), interpolation=cv2.INTER_LINEAR))


def fill_ground_blobs(upper: np.ndarray) -> np.ndarray:
    """The upper hemisphere ``[H, W, 3]`` (row 0 = zenith, last row = just above the horizon, ``W = 4 H``) with
    its ground blobs replaced by the sky around them (a copy; the input is returned when there are none).

    Tall ground (:func:`tall_ground_mask`) is removed first by lowering the sky over it; small blobs left after
    that are filled from the sky around them, in up to ``FILL_PASSES`` passes."""
    h, w = upper.shape[:2]
    px_per_deg = w / 360.0
    tall_rows = min(h, int(round(TALL_BAND_DEG * px_per_deg)))
    tall = tall_ground_mask(np.ascontiguousarray(upper[h - tall_rows :], np.float32), px_per_deg)
    if tall.any():
        upper = _lower_sky_over_tall_ground(upper, tall, px_per_deg)
    for _ in range(FILL_PASSES):
        upper = _fill_small_blobs(upper)  # returns its input untouched when there is no blob left
    return upper


def _fill_small_blobs(upper: np.ndarray) -> np.ndarray:
    """``upper`` with its ground blobs up to ``MAX_BLOB_DEG`` tall filled: pull-push colour and texture mirrored
    from above their tops (see the module's docstring)."""
    h, w = upper.shape[:2]
    px_per_deg = w / 360.0
    rows = min(h, int(round(2.5 * MAX_BLOB_DEG * px_per_deg)))  # room above the tallest blob to mirror from
    band = np.ascontiguousarray(upper[h - rows :], np.float32)
    mask = ground_blob_mask(band, px_per_deg)
    if not mask.any():
        return upper
    mask = _with_foot(band, mask, px_per_deg)
    # Work on a copy with wrapped columns each side: every blur and the pull-push continue across the seam.
    pad = min(w, int(round(30.0 * px_per_deg)))
    wide = np.concatenate([band[:, w - pad :], band, band[:, :pad]], axis=1)
    tops = np.pad(_fill_tops(mask, px_per_deg), pad, mode="wrap")
    row_index = np.arange(rows)[:, None]
    region = (row_index >= tops[None, :]).astype(np.float32)
    smooth = _fill_along_rows(wide, region, px_per_deg)
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


def _fill_along_rows(wide: np.ndarray, region: np.ndarray, px_per_deg: float) -> np.ndarray:
    """``wide`` with ``region`` (> 0.5) filled from the sky beside it at the same height: per row, the local mean
    (over ``_COLOUR_DEG`` of longitude) of the pixels outside the region, interpolated linearly across it.

    Near the horizon the sky changes with elevation far more than with longitude (a haze band, a low glow, the
    grey of distant land at its foot), so the columns beside a blob, not the sky above it, say what belongs
    there: a fill from above (pull-push) is the brighter colour of a higher elevation, a pale block between
    darker neighbours. A row with no sky outside the region keeps the pull-push fill."""
    h, w = region.shape
    lum = luminance(wide)
    level = _sky_level(lum, _SKY_LEVEL_DEG, _SKY_LEVEL_SMOOTH_DEG, px_per_deg)
    # Ground the mask missed beside a blob (half-dark land at its foot) says little of the sky there.
    skyness = np.clip((lum / np.maximum(level[None, :], 1e-6) - DARK_RATIO) / (_SKY_RATIO - DARK_RATIO), 0.0, 1.0)
    outside = (region < 0.5).astype(np.float32)
    known = outside * (0.05 + 0.95 * skyness)
    sigma = max(1.0, _COLOUR_DEG * px_per_deg)
    half = int(4 * sigma) + 1

    def blur(a: np.ndarray) -> np.ndarray:
        return np.asarray(cv2.GaussianBlur(a, (2 * half + 1, 1), sigma, sigmaY=0.1, borderType=cv2.BORDER_REFLECT))

    weight = blur(known)
    local = blur(wide * known[..., None]) / np.maximum(weight, 1e-6)[..., None]
    trust = blur(outside * skyness) / np.maximum(blur(outside), 1e-6)  # how sky-like the pixels beside are
    from_above = pull_push(wide, 1.0 - region)
    out = from_above.copy()
    columns = np.arange(wide.shape[1], dtype=np.float32)
    for row in np.flatnonzero(region.max(axis=1) > 0.5):
        beside = np.flatnonzero((outside[row] > 0.5) & (weight[row] > 0.05))
        if beside.size < 2:
            continue
        t = np.interp(columns, beside, trust[row, beside])[:, None]
        along = np.stack([np.interp(columns, beside, local[row, beside, c]) for c in range(3)], axis=-1)
        out[row] = along * t + from_above[row] * (1.0 - t)
    return np.asarray(np.where(region[..., None] < 0.5, wide, out), np.float32)


def _with_foot(band: np.ndarray, mask: np.ndarray, px_per_deg: float) -> np.ndarray:
    """``mask`` with the half-dark, ground-coloured land its blobs stand in (the lowest ``_FOOT_DEG``, connected
    to a blob along the horizon, within ``_FOOT_REACH_DEG`` of it): left beside a filled hill, that land is a
    darker block between paler fills."""
    h, w = mask.shape
    lum = luminance(band)
    level = _sky_level(lum, _SKY_LEVEL_DEG, _SKY_LEVEL_SMOOTH_DEG, px_per_deg)
    half_dark = (lum < _HALF_DARK_RATIO * level[None, :]) & _ground_coloured(band, lum, _HALF_DARK_SATURATION)
    rows = max(1, int(round(_FOOT_DEG * px_per_deg)))
    foot = np.asarray(half_dark & (np.arange(h)[:, None] >= h - rows), bool)
    reach = max(1, int(round(_FOOT_REACH_DEG * px_per_deg)))
    columns = np.asarray(mask.any(axis=0), np.uint8)[None, :]
    near = cv2.dilate(_wrap_columns(columns, w + 2 * reach), np.ones((1, 2 * reach + 1), np.uint8))
    foot &= near[:, reach : reach + w].astype(bool)
    pad = w // 4
    wide = _wrap_columns(mask | foot, w + 2 * pad)
    count, labels = cv2.connectedComponents(wide.astype(np.uint8), connectivity=8)
    touched = np.zeros(count, bool)
    wide_mask = np.asarray(_wrap_columns(mask, w + 2 * pad), bool)
    touched[np.unique(labels[wide_mask])] = True
    touched[0] = False
    return np.asarray(mask | _unwrap_columns(touched[labels], w))
