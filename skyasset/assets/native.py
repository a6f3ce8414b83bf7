"""The ``native`` panorama: one generated canvas that already goes all the way round, laid on a cylinder.

The bundle's canvas graph renders several views' worth of sky in a single pass whose two ends meet (see
docs/BUNDLE.md), so nothing needs stitching: no view edges, no blending, and no tile that repeats. The canvas is
a cylindrical band: column x looks at yaw ``360 * (x + 0.5 - H / 2) / W`` degrees (tile 0's centre, at
``H / 2`` for square tiles, at the panorama's centre like the ring's view 0), and a row at ``d`` pixels above the
horizon looks up at ``atan(d / (s f))`` with ``f = W / (2 pi)`` pixels per radian across.

The vertical scale ``s`` is ``CANVAS_SQUASH`` (1.6) times a factor between ``1 / ROW_WANDER`` and ``ROW_WANDER``
that changes smoothly round the sky (:func:`row_scales`). Laid unsquashed (``s = 1``, clouds with the photos'
own shape), a 128-pixel canvas reached 36-44 degrees, and every tile of it ends its cloud bank at the same row:
seen at 45 degrees, the bank's top was a ring round the viewer, a U-shaped wall under the cloud layer, with
clouds as large at 35 degrees as overhead. Squashed, the canvas covers the lowest 20-37 degrees, where a real
cloud layer is foreshortened flat, and its bank lies nearer the horizon; the wander moves the bank's top and the
canvas's end up and down round the sky, so they no longer trace one circle. Above it the cap is filled as the
ring's is (a smooth fill, and with ``zenith`` views a cloud layer: :mod:`skyasset.assets.dome`, which continues
the same clouds smaller and smaller towards the canvas), and the lower hemisphere gets the chosen ground fill.

The horizon is found on the whole canvas at once (:mod:`skyasset.assets.horizon` on its row profile): one row for
the whole band, as a cylinder has one horizon, and the ground, which runs all the way round, outweighs the dark
base of one cloud. It is searched in the canvas's lower 40%: a generated canvas puts its horizon at 70-90% of its
height, and the grey bases of a cumulus row above it are the one thing a search higher up takes for ground
(measured on the default model: 0.44-0.48 for two of six cumulus seeds, 0.78-0.98 with the lower search). The
ground below the horizon is cut off; nothing above it is painted out, unlike in the ring's photos: what is dark
and touches a generated horizon is cloud, and painting it out left flat blobs.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import cv2
import numpy as np

from skyasset.assets.aerial import haze_low_sky
from skyasset.assets.band import BandOptions
from skyasset.assets.dome import cloud_layer, deepen_zenith, fill_cap, overlay_cloud_layer
from skyasset.assets.equirect import resize_equirect
from skyasset.assets.fill import fill_below_horizon, join_at_horizon
from skyasset.assets.ground_blobs import fill_ground_blobs
from skyasset.assets.horizon import Horizon, detect_horizon
from skyasset.assets.sphere import equirect_directions, smoothstep
from skyasset.errors import SkyassetError

__all__ = ["NativeOptions", "assemble_native", "canvas_horizon", "canvas_scales", "row_scales"]

LOWEST_HORIZON = 0.6  # the horizon is searched below this fraction of the canvas's height (see above)
LAYER_LOWEST_DEG = 12.0  # the cloud layer never starts lower than this
LAYER_LEAD_DEG = 10.0  # the layer starts this far below where the canvas starts fading at its top
CANVAS_SQUASH = 1.6  # the canvas's rows are laid this many times closer than its columns (see above)
ROW_WANDER = 1.3  # ... times between 1 / ROW_WANDER and ROW_WANDER, changing smoothly round the sky
WANDER_HARMONICS = 4  # that change's slowest to fastest: 1 to 4 cycles round the sky


@dataclass(frozen=True, eq=False)
class NativeOptions(BandOptions):
    """How :func:`assemble_native` lays the canvas out; the defaults are the product's.

    The options are :class:`~skyasset.assets.band.BandOptions`'s: ``top_feather`` is the width of the fade at the
    canvas's top edge, in (0, 1]; ``detect`` cuts the ground off (off: the canvas's bottom edge is the horizon);
    ``yaw`` is where the canvas's first tile looks.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 < self.top_feather <= 1.0:
            raise SkyassetError("invalid_argument", f"top_feather must be in (0, 1], got {self.top_feather}.")


def canvas_horizon(canvas: np.ndarray) -> Horizon:
    """The horizon of a canvas ``[H, W, 3]`` (row 1: no ground found), searched in its lower 40%."""
    return detect_horizon(canvas, lowest_sky=LOWEST_HORIZON)


def _canvas_sky(canvas: np.ndarray, detect: bool) -> tuple[np.ndarray, float]:
    """The canvas's sky (the rows above the horizon, less a 2% margin) and the horizon row in pixels."""
    h = canvas.shape[0]
    sky = np.clip(canvas.astype(np.float32), 0.0, 1.0)
    if not detect:
        return sky, float(h)
    horizon = canvas_horizon(canvas)
    if not horizon.has_ground:
        return sky, float(h)
    cut = max(8, int(round((horizon.row - 0.02) * h)))  # the blurred transition goes with the ground
    return np.ascontiguousarray(sky[:cut]), horizon.row * h


def row_scales(longitude: np.ndarray, seed: int, wander: float = ROW_WANDER) -> np.ndarray:
    """A vertical scale for each longitude (radians): between ``1 / wander`` and ``wander`` (both reached),
    smooth and periodic round the sky, drawn from ``seed``: a sum of ``WANDER_HARMONICS`` cosines, the k-th with
    amplitude ``N(0, 1) / k``, stretched to span the range."""
    rng = np.random.default_rng(seed)
    k = np.arange(1, WANDER_HARMONICS + 1)
    amplitude, phase = rng.normal(size=len(k)) / k, rng.uniform(0.0, 2.0 * math.pi, len(k))

    def wave(lon: np.ndarray) -> np.ndarray:
        return (amplitude * np.cos(k * lon[..., None] + phase)).sum(axis=-1)

    fine = wave(np.linspace(0.0, 2.0 * math.pi, 1440, endpoint=False))
    low, high = float(fine.min()), float(fine.max())
    u = 2.0 * (wave(np.asarray(longitude, np.float64)) - low) / max(high - low, 1e-9) - 1.0
    return np.exp(math.log(wander) * np.clip(u, -1.0, 1.0))


def canvas_scales(sky: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """The vertical scale ``s`` of the canvas's sky ``sky`` at each longitude (radians): ``CANVAS_SQUASH`` times
    its :func:`row_scales`, seeded by the sky itself (the same canvas is always laid the same way)."""
    seed = zlib.crc32(np.ascontiguousarray(np.asarray(sky, np.float32)[::8, ::8]).tobytes())
    return CANVAS_SQUASH * row_scales(longitude, seed, ROW_WANDER)


def assemble_native(canvas: np.ndarray, width: int = 2048, options: NativeOptions | None = None) -> np.ndarray:
    """Equirect ``[width // 2, width, 3]`` float32 in [0, 1] from a canvas ``[H, W, 3]`` that wraps around.

    ``W`` must be at least ``H`` (a canvas covers 360 degrees across); see :class:`NativeOptions` for the rest.
    """
    opts = options or NativeOptions()
    canvas = np.asarray(canvas, np.float32)
    if canvas.ndim != 3 or canvas.shape[2] != 3 or canvas.shape[0] < 8 or canvas.shape[1] < canvas.shape[0]:
        raise SkyassetError(
            "invalid_argument",
            f"A native canvas must be [H, W, 3] with W >= H >= 8 (360 degrees across), got shape {canvas.shape}.",
        )
    ch, cw = canvas.shape[:2]
    f_px = cw / (2.0 * math.pi)
    sky, horizon_px = _canvas_sky(canvas, opts.detect)
    # Work at about the canvas's own resolution (the output width over a whole number, rounded down to a
    # multiple of 4), as the ring does; the result is resized to the output width.
    iw = width // max(1, int(width // cw)) if width >= cw else width
    iw -= iw % 4
    ih = iw // 4
    dirs = equirect_directions(iw // 2, iw)[:ih]
    lon = np.arctan2(dirs[..., 0], dirs[..., 2]) - math.radians(opts.yaw)
    elevation = np.arcsin(np.clip(dirs[..., 1], -1.0, 1.0))
    pad = 4  # wrapped columns each side, for the cubic kernel at the seam
    px = np.mod(lon / (2.0 * math.pi) * cw + ch / 2.0 - 0.5, cw) + pad
    f_rows = f_px * canvas_scales(sky, lon[0])[None, :]  # rows per unit of tan(elevation), at each longitude
    py = horizon_px - f_rows * np.tan(elevation) - 0.5
    wrapped = np.concatenate([sky[:, cw - pad :], sky, sky[:, :pad]], axis=1)
    warped = cv2.remap(
        wrapped,
        px.astype(np.float32),
        np.minimum(py, sky.shape[0] - 1).astype(np.float32),
        cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REPLICATE,
    )
    weight = (smoothstep((py + 0.5) / max(1.0, opts.top_feather * ch)) * (py >= -0.5)).astype(np.float32)
    upper = fill_cap(warped, weight)
    if opts.zenith is not None:
        # The layer takes over where the canvas fades out at its top edge (20-37 degrees, by where its horizon
        # sits and by the wander), starting LAYER_LEAD_DEG below it so the two cross-fade over 10-17 degrees.
        top_deg = np.degrees(np.arctan(horizon_px / f_rows))
        fade_deg = np.degrees(np.arctan(max(0.0, horizon_px - opts.top_feather * ch) / f_rows))
        layer, layer_weight = cloud_layer(
            np.asarray(opts.zenith, np.float32),
            dirs,
            min_elevation=np.maximum(LAYER_LOWEST_DEG, fade_deg - LAYER_LEAD_DEG),
            full_elevation=top_deg,
            detect=opts.detect,
            plane_elevation=LAYER_LOWEST_DEG,
        )
        upper = overlay_cloud_layer(upper, layer, layer_weight)
    upper = deepen_zenith(upper)
    if opts.detect:
        upper = fill_ground_blobs(upper)  # tree lines and land the generator drew on the horizon
    upper = haze_low_sky(upper)
    lower = fill_below_horizon(upper, opts.ground, color=opts.ground_color)
    equirect = join_at_horizon(upper, lower)
    return np.clip(resize_equirect(equirect, width), 0.0, 1.0).astype(np.float32)
