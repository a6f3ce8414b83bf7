"""Where the sun is in an equirect sky and how strong it is. Needs numpy only (Blender ships it).

Directions use Blender's world frame and its Environment Texture mapping (checked by rendering in
tests/test_blender_addon.py): the image centre (u = 0.5) faces +X, u = 0.25 faces +Y, the top row is +Z.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "SunEstimate",
    "estimate_sun",
    "from_report",
    "reports_a_sun",
    "srgb_to_linear",
    "direction_from_uv",
    "rotate_z",
    "sun_rotation_euler",
]

_LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)  # Rec. 709 / linear sRGB luminance


@dataclass(frozen=True)
class SunEstimate:
    """The brightest region of a sky.

    ``direction`` points from the scene toward the sun (unit vector, Blender world frame, before any
    rotation of the world). ``irradiance`` is the sun's excess over the sky, integrated over its solid
    angle, in the image's radiance units: a Sun light of that strength (times the world's Background
    strength) lights a scene as the sky's sun would. ``angle`` is the sun region's angular diameter in
    radians. ``contrast`` is
    the peak luminance over the sky's median: below ~1.5 there is no distinct sun (overcast).
    """

    direction: tuple[float, float, float]
    elevation: float
    azimuth: float
    irradiance: float
    angle: float
    contrast: float

    @property
    def distinct(self) -> bool:
        return self.contrast >= 1.5


def reports_a_sun(report: dict[str, object]) -> bool:
    """Whether the CLI's ``sun`` answer says the sky has a sun (``present``; older CLIs always reported one)."""
    return bool(report.get("present", True))


def from_report(report: dict[str, float]) -> SunEstimate:
    """The CLI's ``sun`` answer (image terms: ``u`` from the left, ``v`` from the top) in Blender's frame.

    ``irradiance`` is in the units of the sky's HDR: a Sun light of that strength (times the world's
    Background strength) lights the scene as the HDR's sun disc does.
    """
    direction = direction_from_uv(float(report["u"]), float(report["v"]))
    return SunEstimate(
        direction=direction,
        elevation=math.radians(float(report["elevation_deg"])),
        azimuth=math.atan2(direction[1], direction[0]),
        irradiance=float(report["irradiance"]),
        angle=math.radians(float(report["angle_deg"])),
        contrast=float(report["contrast"]),
    )


def srgb_to_linear(values: np.ndarray) -> np.ndarray:
    """sRGB-encoded values in [0, 1] to linear light (IEC 61966-2-1)."""
    v = np.clip(values, 0.0, 1.0).astype(np.float32)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4).astype(np.float32)


def direction_from_uv(u: float, t: float) -> tuple[float, float, float]:
    """World direction of the equirect point at column fraction ``u`` and row fraction ``t`` from the TOP."""
    azimuth = math.pi * (1.0 - 2.0 * u)
    elevation = math.pi * (0.5 - t)
    c = math.cos(elevation)
    return (c * math.cos(azimuth), c * math.sin(azimuth), math.sin(elevation))


def rotate_z(direction: tuple[float, float, float], angle: float) -> tuple[float, float, float]:
    """``direction`` turned by ``angle`` radians about +Z (counter-clockwise seen from above)."""
    x, y, z = direction
    c, s = math.cos(angle), math.sin(angle)
    return (c * x - s * y, s * x + c * y, z)


def sun_rotation_euler(direction: tuple[float, float, float]) -> tuple[float, float, float]:
    """XYZ Euler angles that make a Sun light (which shines along its local -Z) shine *from* ``direction``."""
    x, y, z = direction
    norm = math.sqrt(x * x + y * y + z * z) or 1.0
    return (0.0, math.acos(max(-1.0, min(1.0, z / norm))), math.atan2(y, x))


def _downsample(luma: np.ndarray, max_width: int) -> np.ndarray:
    h, w = luma.shape
    factor = max(1, math.ceil(w / max_width))
    h2, w2 = h // factor, w // factor
    if factor == 1 or h2 == 0 or w2 == 0:
        return luma
    return luma[: h2 * factor, : w2 * factor].reshape(h2, factor, w2, factor).mean(axis=(1, 3))


def _box_blur_wrapped(values: np.ndarray, radius: int) -> np.ndarray:
    """Box blur that wraps around horizontally (the panorama's seam) and clamps vertically."""
    if radius < 1:
        return values
    size = 2 * radius + 1
    padded = np.pad(values, ((radius, radius), (0, 0)), mode="edge")
    padded = np.concatenate([padded[:, -radius:], padded, padded[:, :radius]], axis=1)
    summed = padded.cumsum(axis=0).cumsum(axis=1)
    summed = np.pad(summed, ((1, 0), (1, 0)))
    window = summed[size:, size:] - summed[:-size, size:] - summed[size:, :-size] + summed[:-size, :-size]
    return window / (size * size)


def estimate_sun(radiance: np.ndarray, *, max_width: int = 512, sun_radius_deg: float = 8.0) -> SunEstimate:
    """Find the sun in an equirect sky image.

    Parameters
    ----------
    radiance
        ``(H, W, 3)`` or ``(H, W, 4)`` linear RGB(A), rows from the TOP of the panorama down. LDR images
        must be linearised first (:func:`srgb_to_linear`); their clipped sun gives a low ``irradiance``.
    max_width
        The image is averaged down to at most this width first (speed, and noise immunity).
    sun_radius_deg
        How far from the brightest point pixels may count as sun.

    Returns
    -------
    SunEstimate
        Only the upper hemisphere is searched: a sun below the horizon lights nothing.
    """
    if radiance.ndim != 3 or radiance.shape[2] < 3 or radiance.shape[0] < 2 or radiance.shape[1] < 2:
        raise ValueError(f"expected an (H, W, 3) image, got shape {radiance.shape}")
    luma = np.tensordot(np.nan_to_num(radiance[..., :3].astype(np.float32)), _LUMA, axes=([2], [0]))
    luma = np.maximum(_downsample(luma, max_width), 0.0)
    h, w = luma.shape
    elevation = np.pi * (0.5 - (np.arange(h) + 0.5) / h)
    azimuth = np.pi * (1.0 - 2.0 * (np.arange(w) + 0.5) / w)
    sky_rows = elevation > 0.0
    upper = luma[sky_rows]
    blurred = _box_blur_wrapped(luma, max(1, w // 128))[sky_rows]

    row, col = np.unravel_index(int(np.argmax(blurred)), blurred.shape)
    peak_dir = np.array(direction_from_uv((col + 0.5) / w, (row + 0.5) / h))

    el, az = elevation[sky_rows][:, None], azimuth[None, :]
    cos_el = np.cos(el)
    dirs = np.stack(np.broadcast_arrays(cos_el * np.cos(az), cos_el * np.sin(az), np.sin(el)), axis=-1)
    background = float(np.median(upper))
    near = dirs @ peak_dir >= math.cos(math.radians(sun_radius_deg))
    threshold = background + 0.5 * (float(blurred[row, col]) - background)
    sun = near & (upper > threshold)
    if not sun.any():
        sun = near
    solid_angle = (2.0 * np.pi / w) * (np.pi / h) * cos_el  # per pixel, broadcast over columns
    weights = np.where(sun, np.maximum(upper - background, 0.0) * solid_angle, 0.0)
    total = float(weights.sum())
    centre = (weights[..., None] * dirs).sum(axis=(0, 1)) if total > 0 else peak_dir
    centre = centre / (np.linalg.norm(centre) or 1.0)
    region = float((np.broadcast_to(solid_angle, sun.shape) * sun).sum())
    x, y, z = (float(c) for c in centre)
    return SunEstimate(
        direction=(x, y, z),
        elevation=math.asin(max(-1.0, min(1.0, z))),
        azimuth=math.atan2(y, x),
        irradiance=total,
        angle=2.0 * math.acos(max(-1.0, min(1.0, 1.0 - region / (2.0 * math.pi)))),
        contrast=float(blurred[row, col]) / max(background, 1e-6),
    )
