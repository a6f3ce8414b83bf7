"""Direction conventions shared by every layout, and the sRGB <-> linear transfer curves.

World axes follow Unity (left-handed, y up): +Z is "front", +X is to the right of front, +Y is up.
An equirect image has longitude 0 (+Z) at its centre column, +90 degrees (+X) three quarters of the way
across, the +-180 degree seam (-Z) at its left/right edges, the zenith at the top row and the nadir at the
bottom row. Viewed from inside the sphere, nothing is mirrored: turning right moves right in the image.
Pixel centres sit at half-integer positions everywhere (equirect columns/rows and cube face texels).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = [
    "equirect_directions",
    "directions_to_equirect_pixels",
    "srgb_to_linear",
    "linear_to_srgb",
    "luminance",
]


@lru_cache(maxsize=8)
def equirect_directions(height: int, width: int) -> np.ndarray:
    """Unit direction ``[H, W, 3]`` (x, y, z) of every equirect pixel centre (read-only, cached)."""
    lon = ((np.arange(width, dtype=np.float64) + 0.5) / width - 0.5) * 2.0 * np.pi
    lat = (0.5 - (np.arange(height, dtype=np.float64) + 0.5) / height) * np.pi
    cos_lat = np.cos(lat)[:, None]
    out = np.empty((height, width, 3), np.float32)
    out[..., 0] = cos_lat * np.sin(lon)[None, :]
    out[..., 1] = np.sin(lat)[:, None]
    out[..., 2] = cos_lat * np.cos(lon)[None, :]
    out.setflags(write=False)
    return out


def directions_to_equirect_pixels(dirs: np.ndarray, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Continuous equirect pixel coordinates ``(x, y)`` (float32) of directions ``[..., 3]``.

    ``x`` wraps: callers sample with horizontal wrap-around (see :func:`skyasset.assets.cubemap.remap_wrap`).
    """
    x, y, z = dirs[..., 0], dirs[..., 1], dirs[..., 2]
    lon = np.arctan2(x, z)
    lat = np.arctan2(y, np.hypot(x, z))
    px = (lon / (2.0 * np.pi) + 0.5) * width - 0.5
    py = (0.5 - lat / np.pi) * height - 0.5
    return px.astype(np.float32), py.astype(np.float32)


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1 sRGB decoding of values in [0, 1] (float32)."""
    rgb = np.asarray(rgb, np.float32)
    # In one fresh buffer, in place: the same values as the formula written out, but an 8192 px HDR skybox spent
    # half its time here, most of it faulting in the pages of four full-size temporaries (benchmarks/bench_srgb.py).
    out = np.array(rgb, np.float32, copy=True)
    np.add(out, np.float32(0.055), out=out)
    np.divide(out, np.float32(1.055), out=out)
    np.power(out, np.float32(2.4), out=out)
    low = rgb <= np.float32(0.04045)
    np.divide(rgb, np.float32(12.92), out=out, where=low)
    return out


def linear_to_srgb(lin: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1 sRGB encoding; input clipped to [0, 1] (float32)."""
    out = np.array(lin, np.float32, copy=True)
    np.clip(out, np.float32(0.0), np.float32(1.0), out=out)
    low = out <= np.float32(0.0031308)
    low_values = out[low] * np.float32(12.92)
    np.power(out, np.float32(1 / 2.4), out=out)
    np.multiply(out, np.float32(1.055), out=out)
    np.subtract(out, np.float32(0.055), out=out)
    out[low] = low_values
    return out


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec. 709 luminance of ``[..., 3]`` RGB."""
    return (rgb[..., 0] * 0.2126 + rgb[..., 1] * 0.7152 + rgb[..., 2] * 0.0722).astype(np.float32)


def smoothstep(t: np.ndarray) -> np.ndarray:
    """Hermite ease ``3t^2 - 2t^3`` of ``t`` clipped to [0, 1]: the fades of views, layers and caps."""
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)
