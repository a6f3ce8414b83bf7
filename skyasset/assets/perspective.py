"""Perspective views of an equirect sky: what a camera in the scene sees, for measures and comparison sheets."""

from __future__ import annotations

import math

import numpy as np

from skyasset.assets.cubemap import remap_wrap
from skyasset.assets.sphere import directions_to_equirect_pixels

__all__ = ["perspective_view"]


def perspective_view(
    equirect: np.ndarray, elevation_deg: float, azimuth_deg: float = 0.0, *, fov_deg: float = 90.0, size: int = 256
) -> np.ndarray:
    """A square pinhole view ``[size, size, C]`` of ``equirect`` looking at ``elevation_deg`` above the horizon
    and ``azimuth_deg`` clockwise from the panorama's centre (+Z), with a horizontal field of view ``fov_deg``.

    Straight up (90) the camera is tilted back: the image's top points behind (-Z at azimuth 0) and its right
    to +X, so the view's axes are the cloud plane's. Sampled bilinearly with wrap-around at the seam.
    """
    half = math.tan(math.radians(fov_deg) / 2.0)
    steps = (np.arange(size, dtype=np.float64) + 0.5) / size * 2.0 - 1.0
    right, down = np.meshgrid(steps * half, steps * half)
    pitch, yaw = math.radians(elevation_deg), math.radians(azimuth_deg)
    # camera frame: forward at (yaw, pitch), right horizontal, up completing it (y up, left-handed like sphere.py)
    forward = np.array([math.sin(yaw) * math.cos(pitch), math.sin(pitch), math.cos(yaw) * math.cos(pitch)])
    side = np.array([math.cos(yaw), 0.0, -math.sin(yaw)])
    up = np.cross(forward, side)
    dirs = forward + right[..., None] * side - down[..., None] * up
    dirs /= np.linalg.norm(dirs, axis=-1, keepdims=True)
    h, w = equirect.shape[:2]
    px, py = directions_to_equirect_pixels(dirs.astype(np.float32), h, w)
    return remap_wrap(np.asarray(equirect), px, py)
