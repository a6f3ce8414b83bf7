"""The look chosen in the studio's preview, applied to a sky's files: exposure (stops) and rotation (azimuth).

Rotation turns the sky about the vertical: what was at azimuth ``A`` is at ``A + rotation_deg`` (turning right,
the convention of ``--sun`` and the sidecar's ``azimuth_deg``). For an equirect that is a circular shift of its
columns by ``rotation / 360`` of the width, exact when it is a whole number of pixels; it is rounded to one
(at most half a column: 0.09 degrees at 2048 px), so no pixel is resampled. Cube faces follow, being cut from
the turned panorama, and the sun turns with the sky.

Exposure scales linear light by ``2 ** stops``, as the studio's preview does: the HDR's radiance is multiplied
(so the sun's irradiance is too) and the PNG's sRGB pixels are decoded, scaled, clipped at white and encoded.
A Radiance ``.hdr`` also records the factor as ``EXPOSURE=`` (:func:`skyasset.assets.hdr.write_radiance`).

A plain look (0 stops, 0 degrees) changes nothing, not even the files' metadata: the files are byte for byte
those of a sky made without it, and a missing ``exposure_stops`` / ``rotation_deg`` reads as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from skyasset.assets.sphere import linear_to_srgb, srgb_to_linear
from skyasset.errors import SkyassetError

__all__ = [
    "EXPOSURE_RANGE",
    "ROTATION_RANGE",
    "Look",
    "check_look",
    "expose_display",
    "rotate_equirect",
    "rotate_sun",
    "rotation_shift",
]

EXPOSURE_RANGE = (-10.0, 10.0)  # stops: 1/1024 .. 1024 times the light, far past any useful grade
ROTATION_RANGE = (-360.0, 360.0)  # degrees; normalised to [0, 360)


@dataclass(frozen=True)
class Look:
    """Exposure in stops (+1 twice as bright) and rotation in degrees of azimuth, in [0, 360)."""

    exposure_stops: float = 0.0
    rotation_deg: float = 0.0

    @property
    def plain(self) -> bool:
        return self.exposure_stops == 0.0 and self.rotation_deg == 0.0

    @property
    def exposure_factor(self) -> float:
        return float(2.0**self.exposure_stops)

    def metadata(self) -> dict[str, float]:
        """The files' metadata entries: only what differs from plain, so a plain sky's files are unchanged."""
        entries = {"exposure_stops": self.exposure_stops, "rotation_deg": self.rotation_deg}
        return {key: value for key, value in entries.items() if value != 0.0}


def check_look(exposure_stops: float = 0.0, rotation_deg: float = 0.0) -> Look:
    """The look asked for, range-checked (``invalid_argument`` naming the range); rotation wrapped to [0, 360)."""
    low, high = EXPOSURE_RANGE
    if not (math.isfinite(exposure_stops) and low <= exposure_stops <= high):
        raise SkyassetError(
            "invalid_argument",
            f"--exposure must be in stops from {low:g} to {high:g} (+1 doubles the light), "
            f"got {float(exposure_stops)}.",
        )
    low, high = ROTATION_RANGE
    if not (math.isfinite(rotation_deg) and low <= rotation_deg <= high):
        raise SkyassetError(
            "invalid_argument",
            f"--rotate must be in degrees from {low:g} to {high:g} (turning right), got {float(rotation_deg)}.",
        )
    turn = float(rotation_deg) % 360.0
    return Look(float(exposure_stops) + 0.0, turn + 0.0)  # + 0.0: -0.0 is plain too


def rotation_shift(width: int, rotation_deg: float) -> int:
    """Columns an equirect ``width`` wide shifts right for ``rotation_deg``, rounded, in [0, width)."""
    return round(rotation_deg / 360.0 * width) % width


def rotate_equirect(equirect: np.ndarray, shift: int) -> np.ndarray:
    """``equirect`` turned by ``shift`` columns (:func:`rotation_shift`); the same array when ``shift`` is 0."""
    return np.roll(equirect, shift, axis=1) if shift else equirect


def rotate_sun(sun: dict[str, Any], shift: int, width: int) -> dict[str, Any]:
    """The sidecar's ``sun`` after the sky turned ``shift`` of ``width`` columns: ``u`` and ``azimuth_deg`` move
    with it; a sky without a sun (``present`` false) keeps its report."""
    if not shift or not sun.get("present", sun.get("distinct", False)) or "u" not in sun:
        return sun
    u = (float(sun["u"]) + shift / width) % 1.0
    azimuth = (float(sun["azimuth_deg"]) + 360.0 * shift / width) % 360.0
    return sun | {"u": round(u, 5), "azimuth_deg": round(azimuth, 3)}


def expose_display(rgb: np.ndarray, exposure_stops: float) -> np.ndarray:
    """Display sRGB ``rgb`` (float [0, 1]) with its linear light scaled by ``2 ** exposure_stops`` and clipped
    at white, as the studio's preview shows it; ``rgb`` itself at 0 stops."""
    if exposure_stops == 0.0:
        return rgb
    return linear_to_srgb(srgb_to_linear(rgb) * np.float32(2.0**exposure_stops))
