"""The ``ring`` panorama: several views placed as perspective cameras around the horizon.

Each view i looks at yaw ``360 * i / n`` degrees (view 0 at the panorama's centre, +Z). Its sky/ground boundary
is detected (:mod:`skyasset.assets.horizon`) and its pitch chosen so that this boundary lies exactly on the
panorama's horizon; ground below the boundary is dropped and ground objects reaching above it are painted out,
so nothing from the ground floats in the sky. Every direction of the upper hemisphere is projected into every
view; views are blended (:mod:`skyasset.assets.blend`), the cap above them is filled smoothly (or, given a
``zenith`` view, covered by a cloud layer made from it: :mod:`skyasset.assets.dome`) and the lower hemisphere gets
the chosen ground fill (:mod:`skyasset.assets.fill`).

The panorama is assembled at about the views' own angular resolution (a 256-pixel view over 90 degrees holds
~2.8 pixels per degree at its centre, an 804-pixel-wide equirect), rounded up to a whole fraction of the
requested width (1024 for 2048), and only then resized: blending at 2048 pixels would cost 4x the time and add
no detail. The views are warped bicubically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from skyasset.assets.aerial import haze_low_sky
from skyasset.assets.band import BandOptions
from skyasset.assets.blend import BLEND_MODES, BlendMode, blend_views
from skyasset.assets.dome import cloud_layer, deepen_zenith, fill_cap, overlay_cloud_layer
from skyasset.assets.equirect import resize_equirect
from skyasset.assets.fill import fill_below_horizon, join_at_horizon
from skyasset.assets.ground_blobs import fill_ground_blobs
from skyasset.assets.horizon import detect_horizon, sky_only
from skyasset.assets.sphere import equirect_directions, smoothstep
from skyasset.choices import check_choice
from skyasset.errors import SkyassetError

__all__ = ["RING_VIEWS", "RingOptions", "assemble_ring", "split_zenith"]

RING_VIEWS: int = 6  # 60 degrees apart; with the default 90 degree field of view neighbours overlap by 30


@dataclass(frozen=True, eq=False)
class RingOptions(BandOptions):
    """How :func:`assemble_ring` places and blends the views; the defaults are the product's.

    Besides :class:`~skyasset.assets.band.BandOptions`'s (``yaw`` turns every view: view i looks at
    ``yaw + 360 * i / N``):

    Attributes
    ----------
    fov
        Horizontal field of view of each view in degrees (square views: the same vertically), 20..160.
    pitch
        Camera pitch in degrees for every view. ``None``: per view, from its detected horizon (a view without
        visible ground is assumed to have the horizon at its bottom edge).
    blend
        ``multiband`` or ``feather``; see :mod:`skyasset.assets.blend` for why.
    feather
        Width of the side feather as a fraction of the half view width.
    """

    fov: float = 90.0
    pitch: float | None = None
    blend: BlendMode = "multiband"
    feather: float = 0.5

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("blend", self.blend, BLEND_MODES)
        if not 20.0 <= self.fov <= 160.0:
            raise SkyassetError("invalid_argument", f"Ring field of view must be 20..160 degrees, got {self.fov}.")
        if not 0.0 < self.feather <= 1.0 or not 0.0 < self.top_feather <= 1.0:
            raise SkyassetError(
                "invalid_argument",
                f"feather and top_feather must be in (0, 1], got {self.feather} and {self.top_feather}.",
            )


def split_zenith(
    views: np.ndarray, n_views: int = RING_VIEWS, options: RingOptions | None = None
) -> tuple[np.ndarray, RingOptions]:
    """``(ring views, options)``: the views beyond the first ``n_views`` become ``options.zenith`` (the cloud
    layer: one view, or a mosaic of them)."""
    base = options or RingOptions()
    extra = views[n_views:]
    if len(extra) == 0:
        return views[:n_views], base
    return views[:n_views], replace(base, zenith=extra[0] if len(extra) == 1 else extra)


def _camera(yaw: float, pitch: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Forward, right and up unit vectors of a camera (left-handed, y up; yaw 0 looks at +Z)."""
    cy, sy, cp, sp = math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch)
    forward = np.array([sy * cp, sp, cy * cp], np.float32)
    right = np.array([cy, 0.0, -sy], np.float32)
    up = np.array([-sy * sp, cp, -cy * sp], np.float32)
    return forward, right, up


def assemble_ring(views: np.ndarray, width: int = 2048, options: RingOptions | None = None) -> np.ndarray:
    """Assemble views ``[N, H, W, 3]`` in [0, 1] into an equirect ``[width // 2, width, 3]``.

    View i looks at yaw ``options.yaw + 360 * i / N`` degrees; see :class:`RingOptions` for the rest.
    """
    opts = options or RingOptions()
    fov, pitch, feather, top_feather, detect = opts.fov, opts.pitch, opts.feather, opts.top_feather, opts.detect
    n, vh, vw = views.shape[:3]
    f_px = (vw / 2.0) / math.tan(math.radians(fov) / 2.0)
    native = 2.0 * math.pi * f_px
    # Work at the views' own resolution, rounded so that the output is a whole multiple of it: every internal
    # column then maps to the same output phase and the seam is resampled like any other column.
    iw = width // max(1, int(width // native)) if width >= native else width
    iw -= iw % 4
    ih = iw // 4
    dirs = equirect_directions(iw // 2, iw)[:ih]
    images, weights = [], []
    for i in range(n):
        view = views[i]
        if detect:
            hz = detect_horizon(view)
            sky = sky_only(view, hz)
            horizon_px = hz.row * vh
        else:
            sky = np.clip(view.astype(np.float32), 0.0, 1.0)
            horizon_px = float(vh)
        p = math.atan((horizon_px - vh / 2.0) / f_px) if pitch is None else math.radians(pitch)
        fwd, right, up = _camera(2.0 * math.pi * i / n + math.radians(opts.yaw), p)
        zc = dirs @ fwd
        ok = zc > 1e-3
        inv = np.where(ok, 1.0 / np.where(ok, zc, 1.0), 0.0)
        px = (dirs @ right) * inv * f_px + vw / 2.0 - 0.5
        py = vh / 2.0 - (dirs @ up) * inv * f_px - 0.5
        rows = sky.shape[0]
        ok &= (px >= -0.5) & (px <= vw - 0.5) & (py >= -0.5) & (py <= vh - 0.5)
        side = np.minimum(px + 0.5, vw - 0.5 - px) / (feather * vw / 2.0)
        top = (py + 0.5) / max(1.0, top_feather * vh)
        w = smoothstep(side) * smoothstep(top) * ok
        warped = cv2.remap(
            sky,
            px.astype(np.float32),
            np.minimum(py, rows - 1).astype(np.float32),
            cv2.INTER_CUBIC,
            borderMode=cv2.BORDER_REPLICATE,
        )
        images.append(warped)
        weights.append(w.astype(np.float32))
    upper, coverage = blend_views(images, weights, mode=opts.blend)
    upper = fill_cap(upper, coverage)
    if opts.zenith is not None:
        layer, layer_weight = cloud_layer(np.asarray(opts.zenith, np.float32), dirs, detect=detect)
        upper = overlay_cloud_layer(upper, layer, layer_weight)
    upper = deepen_zenith(upper)
    if detect:
        upper = fill_ground_blobs(upper)  # tree lines and land the generator drew on the horizon
    upper = haze_low_sky(upper)
    lower = fill_below_horizon(upper, opts.ground, color=opts.ground_color)
    equirect = join_at_horizon(upper, lower)
    return np.clip(resize_equirect(equirect, width), 0.0, 1.0).astype(np.float32)
