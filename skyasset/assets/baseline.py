"""The 2025 baseline's panoramas from one image, kept so the difference to ``ring`` can be shown and measured.

Both take the sky part of the image (same horizon handling as ``ring``) and stretch it over the upper
hemisphere, its top row becoming the zenith as in the baseline, with the same ground fill below the horizon.

- ``mirror``: the image fills half the width and its mirror image the other half (half the pixels are copies,
  the symmetry is visible).
- ``stripe``: the baseline's proposed fix: the image spans the full 360 degrees and only a narrow stripe at the
  right edge is cross-faded into the mirror image of the left edge, so the wrap closes.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from skyasset.assets.fill import GroundFill, check_ground, fill_below_horizon, join_at_horizon
from skyasset.assets.ground_blobs import fill_ground_blobs
from skyasset.assets.horizon import detect_horizon, sky_only
from skyasset.errors import SkyassetError

__all__ = ["MirrorOptions", "StripeOptions", "assemble_mirror", "assemble_stripe"]


@dataclass(frozen=True)
class MirrorOptions:
    """``ground``/``ground_color``: the fill below the horizon; ``detect``: find the horizon (else all sky)."""

    ground: GroundFill = "haze"
    ground_color: tuple[float, float, float] = (0.35, 0.36, 0.38)
    detect: bool = True

    def __post_init__(self) -> None:
        check_ground(self.ground, self.ground_color)


@dataclass(frozen=True)
class StripeOptions(MirrorOptions):
    """As :class:`MirrorOptions`; ``stripe``: the share of the width cross-faded into the mirror, in (0, 0.5]."""

    stripe: float = 0.125

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 < self.stripe <= 0.5:
            raise SkyassetError("invalid_argument", f"stripe must be in (0, 0.5], got {self.stripe}.")


def _sky(view: np.ndarray, detect: bool) -> np.ndarray:
    if not detect:
        return np.clip(view.astype(np.float32), 0.0, 1.0)
    return sky_only(view, detect_horizon(view))


def _finish(
    upper: np.ndarray, ground: GroundFill, ground_color: tuple[float, float, float], detect: bool
) -> np.ndarray:
    if detect:
        upper = fill_ground_blobs(upper)  # land left on the horizon, as the ring and native methods do
    lower = fill_below_horizon(upper, ground, color=ground_color)
    return np.clip(join_at_horizon(upper, lower), 0.0, 1.0).astype(np.float32)


def assemble_mirror(view: np.ndarray, width: int = 2048, options: MirrorOptions | None = None) -> np.ndarray:
    """Baseline: the sky half-width and its mirror image side by side -> ``[width // 2, width, 3]``."""
    opts = options or MirrorOptions()
    half = cv2.resize(_sky(view, opts.detect), (width // 2, width // 4), interpolation=cv2.INTER_CUBIC)
    return _finish(np.concatenate([half, half[:, ::-1]], axis=1), opts.ground, opts.ground_color, opts.detect)


def assemble_stripe(view: np.ndarray, width: int = 2048, options: StripeOptions | None = None) -> np.ndarray:
    """Baseline fix: full-width sky whose last ``stripe`` of the width fades into the mirrored first stripe."""
    opts = options or StripeOptions()
    sky = cv2.resize(_sky(view, opts.detect), (width, width // 4), interpolation=cv2.INTER_CUBIC)
    s = max(2, int(round(opts.stripe * width)))
    mirrored = sky[:, :s][:, ::-1]  # column width-1-j shows column j
    t = np.linspace(0.0, 1.0, s, dtype=np.float32)[None, :, None]
    t = t * t * (3.0 - 2.0 * t)
    sky[:, width - s :] = sky[:, width - s :] * (1.0 - t) + mirrored * t
    return _finish(sky, opts.ground, opts.ground_color, opts.detect)
