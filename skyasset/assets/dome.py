"""A cloud layer overhead: one view's sky laid out on a flat layer of cloud above the camera.

Views that look at the horizon cover the sky up to 30-45 degrees; above them the ring method used to fill a
smooth gradient, so a generated sky was a thin band of cloud under an empty dome. Real clouds form a layer at
some height: seen overhead they are large and close, towards the horizon they shrink and crowd. Projecting the
sky part of one more view onto a horizontal plane above the camera gives exactly that perspective: each
direction ``d`` with elevation ``e`` meets the plane ``y = 1`` at ``(d_x, d_z) / d_y``, so the picture is
magnified overhead and compressed towards ``min_elevation``, where the layer fades into the ring of views.
One image covers the whole cap (the plane square reaches just past ``min_elevation``), so nothing repeats.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from skyasset.assets.horizon import detect_horizon, sky_only
from skyasset.assets.sphere import smoothstep

__all__ = ["cloud_layer", "overlay_cloud_layer"]


def cloud_layer(
    view: np.ndarray,
    dirs: np.ndarray,
    *,
    min_elevation: float = 25.0,
    full_elevation: float = 50.0,
    detect: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """``view``'s sky mapped onto a cloud plane, sampled at unit directions ``dirs [H, W, 3]`` (y up).

    Returns ``(image [H, W, 3], weight [H, W])``: the weight is 0 below ``min_elevation`` and rises smoothly
    to 1 at ``full_elevation``. With ``detect`` the view's ground is cut off first (its sky above the detected
    horizon is stretched to a square); otherwise the whole view is used.
    """
    vh, vw = view.shape[:2]
    if detect:
        hz = detect_horizon(view)
        sky = sky_only(view, hz)[: max(8, int(hz.row * vh * 0.95))]
    else:
        sky = np.clip(view.astype(np.float32), 0.0, 1.0)
    side = max(vw, 8)
    tile = cv2.resize(sky.astype(np.float32), (side, side), interpolation=cv2.INTER_CUBIC)
    elevation = np.degrees(np.arcsin(np.clip(dirs[..., 1], -1.0, 1.0)))
    up = np.maximum(dirs[..., 1], 1e-3)
    reach = 1.05 / math.tan(math.radians(min_elevation))  # half side of the plane square, in layer heights
    px = (dirs[..., 0] / up / reach + 1.0) * 0.5 * side - 0.5
    py = (-dirs[..., 2] / up / reach + 1.0) * 0.5 * side - 0.5  # the view's top edge lies ahead (+Z)
    image = cv2.remap(
        tile, px.astype(np.float32), py.astype(np.float32), cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT
    )
    weight = smoothstep((elevation - min_elevation) / max(full_elevation - min_elevation, 1e-3))
    return np.clip(image, 0.0, 1.0).astype(np.float32), weight.astype(np.float32)


def overlay_cloud_layer(sky: np.ndarray, layer: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The cloud detail of ``layer`` added to ``sky`` by ``weight``; the sky keeps its own large-scale light.

    Only the layer's detail (the layer minus a blur of it) is added: a view's mean colour is that of the sky
    near the horizon, lighter than the zenith, so pasting the layer whole would turn the sky's gradient upside
    down. The blur is wide (1/16 of the panorama width) and wraps around the seam.
    """
    h, w = weight.shape
    sigma = max(2.0, w / 16.0)
    pad = int(3 * sigma)
    wide = np.concatenate([layer[:, -pad:], layer, layer[:, :pad]], axis=1)
    low = cv2.GaussianBlur(wide, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT)
    detail = wide[:, pad : pad + w] - low[:, pad : pad + w]
    return np.clip(sky + detail * weight[..., None], 0.0, 1.0).astype(np.float32)
