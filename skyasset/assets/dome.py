"""A cloud layer overhead: one view's sky laid out on a flat layer of cloud above the camera.

Views that look at the horizon cover the sky up to 30-45 degrees; above them the ring method used to fill a
smooth gradient, so a generated sky was a thin band of cloud under an empty dome. Real clouds form a layer at
some height: seen overhead they are large and close, towards the horizon they shrink and crowd. Projecting the
sky part of one more view onto a horizontal plane above the camera gives exactly that perspective: each
direction ``d`` with elevation ``e`` meets the plane ``y = 1`` at ``(d_x, d_z) / d_y``, so the picture is
magnified overhead and compressed towards ``min_elevation``, where the layer fades into the ring of views.
The plane square reaches just past ``min_elevation``; one view stretched over all of it is magnified ~9x
overhead (a 128 px view: one large blur with the view's dark frame as an "eye"), so the layer is a mosaic of
k x k views (``LAYER_VIEWS`` = 9 for generated skies) with overlaps a quarter of a view wide, blended smoothly:
each view covers a third of the square, three times the detail, and nothing repeats. Only the layer's cloud
detail is used: the dome keeps the ring's own light from horizon to zenith.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from skyasset.assets.horizon import detect_horizon, sky_only
from skyasset.assets.sphere import smoothstep

__all__ = ["LAYER_VIEWS", "cloud_layer", "overlay_cloud_layer"]

LAYER_VIEWS = 9  # views in the cloud layer of a generated sky: a 3 x 3 mosaic


def _view_detail(view: np.ndarray, side: int, detect: bool) -> np.ndarray:
    """``[side, side, 3]``: a view's sky (ground cut off with ``detect``) stretched square, minus a wide blur of it
    (a third of the view), so clouds of every size up to that keep their shape and the mean is zero."""
    vh = view.shape[0]
    if detect:
        hz = detect_horizon(view)
        sky = sky_only(view, hz)[: max(8, int(hz.row * vh * 0.95))]
    else:
        sky = np.clip(view.astype(np.float32), 0.0, 1.0)
    tile = cv2.resize(sky.astype(np.float32), (side, side), interpolation=cv2.INTER_CUBIC)
    return tile - cv2.GaussianBlur(tile, (0, 0), side / 3.0, borderType=cv2.BORDER_REFLECT)


def _mosaic(details: list[np.ndarray]) -> np.ndarray:
    """k x k detail tiles (k^2 of them, row by row) overlapping by a quarter of a tile, blended smoothly."""
    k = math.isqrt(len(details))
    side = details[0].shape[0]
    if k == 1:
        return details[0]
    overlap = max(1, side // 4)
    step = side - overlap
    size = k * step + overlap
    acc = np.zeros((size, size, 3), np.float32)
    total = np.zeros((size, size), np.float32)
    edge = np.arange(side, dtype=np.float32)
    ramp = smoothstep(np.clip(np.minimum(edge + 0.5, side - 0.5 - edge) / overlap, 0.0, 1.0))
    weight = (np.outer(ramp, ramp) + 1e-4).astype(np.float32)  # > 0 at the outer border, which no tile overlaps
    for i, detail in enumerate(details):
        r, c = divmod(i, k)
        acc[r * step : r * step + side, c * step : c * step + side] += detail * weight[..., None]
        total[r * step : r * step + side, c * step : c * step + side] += weight
    return acc / total[..., None]


def cloud_layer(
    views: np.ndarray,
    dirs: np.ndarray,
    *,
    min_elevation: float = 25.0,
    full_elevation: float = 50.0,
    detect: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The cloud detail of one view ``[H, W, 3]`` or a mosaic of views ``[N, H, W, 3]`` on a cloud plane, sampled
    at unit directions ``dirs [H', W', 3]`` (y up).

    Returns ``(detail [H', W', 3], weight [H', W'])``. The detail is each view minus a wide blur of it (a third
    of the view), taken on the view itself, so clouds of every size up to that keep their shape however the plane
    stretches them; it averages to zero and carries none of the views' overall light. ``N`` views make a k x k
    mosaic with ``k = floor(sqrt(N))`` (the first k^2 are used). The weight is 0 below ``min_elevation`` and
    rises smoothly to 1 at ``full_elevation``. With ``detect`` each view's ground is cut off first (its sky
    above the detected horizon is stretched to a square); otherwise the whole view is used.
    """
    stack = np.asarray(views, np.float32)
    stack = stack[None] if stack.ndim == 3 else stack
    side = max(int(stack.shape[2]), 8)
    detail = _mosaic([_view_detail(v, side, detect) for v in stack[: math.isqrt(len(stack)) ** 2]])
    side = detail.shape[0]
    elevation = np.degrees(np.arcsin(np.clip(dirs[..., 1], -1.0, 1.0)))
    up = np.maximum(dirs[..., 1], 1e-3)
    reach = 1.05 / math.tan(math.radians(min_elevation))  # half side of the plane square, in layer heights
    px = (dirs[..., 0] / up / reach + 1.0) * 0.5 * side - 0.5
    py = (-dirs[..., 2] / up / reach + 1.0) * 0.5 * side - 0.5  # the view's top edge lies ahead (+Z)
    image = cv2.remap(
        detail, px.astype(np.float32), py.astype(np.float32), cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT
    )
    weight = smoothstep((elevation - min_elevation) / max(full_elevation - min_elevation, 1e-3))
    return image.astype(np.float32), weight.astype(np.float32)


MAX_GAIN = 4.0  # how far a faint layer's contrast is raised towards the ring's


def overlay_cloud_layer(sky: np.ndarray, layer: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``sky`` with its own detail replaced by the cloud ``layer``'s, by ``weight``; its large-scale light stays.

    The sky's own detail overhead is not cloud: it is where the ring's views end (their top edges meet as arcs
    in an X over the zenith). So above ``full_elevation`` the sky keeps only its wide blur (1/16 of the width,
    wrapping around the seam), which holds the gradient from horizon to zenith (pasting the layer whole would
    turn it upside down: a view's mean is the light near the horizon), and the layer's detail takes the place
    of the sky's. The layer's contrast is matched to the clouds of the ring band below (0-40 degrees), raised by
    at most ``MAX_GAIN`` and never lowered, so the dome is not flatter than the horizon.
    """
    h, w = weight.shape
    sigma = max(2.0, w / 16.0)
    pad = int(3 * sigma)
    wide = np.concatenate([sky[:, -pad:], sky, sky[:, :pad]], axis=1)
    low = cv2.GaussianBlur(wide, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT)
    own = sky - low[:, pad : pad + w]
    ring_band = own[int(h * 5 / 9) :]  # rows of 0-40 degrees: the sky covers elevations 90..0 top to bottom
    overhead = layer[weight > 0.99]
    layer_contrast = float(overhead.std()) if overhead.size else 0.0
    gain = float(np.clip(float(ring_band.std()) / max(layer_contrast, 1e-4), 1.0, MAX_GAIN))
    return np.clip(sky + (layer * gain - own) * weight[..., None], 0.0, 1.0).astype(np.float32)
