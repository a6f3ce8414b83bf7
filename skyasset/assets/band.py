"""The options the two horizon-band panoramas share: ``ring`` (views around the horizon) and ``native`` (one
canvas that goes all the way round). Both detect the horizon, fade the band out at its top, fill the cap above it
(or lay a cloud layer there) and fill the lower hemisphere; :mod:`skyasset.assets.ring` and
:mod:`skyasset.assets.native` add their own options and checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyasset.assets.fill import GroundFill, check_ground

__all__ = ["BandOptions"]


@dataclass(frozen=True, eq=False)  # eq=False: ``zenith`` is an array, which has no truth value to compare by
class BandOptions:
    """What a horizon-band panorama fills around its band; the defaults are the product's.

    Attributes
    ----------
    ground, ground_color
        Below-horizon fill: ``haze``, ``solid`` (``ground_color``) or ``reflection``.
    top_feather
        Width of the fade at the band's top edge (a ring view's, the native canvas's) as a fraction of its height.
    detect
        Detect the horizon and remove the ground (ring: per view, painting out ground objects; native: once, cutting
        the ground off the canvas). Off: the bottom edge is the horizon, for views that are all sky.
    yaw
        Where the first view or tile looks, in degrees (0: the panorama's centre, +Z).
    zenith
        One more view ``[H, W, 3]``, or k x k views ``[k * k, H, W, 3]``, whose sky becomes the cloud layer
        overhead (:mod:`skyasset.assets.dome`); without it the cap above the band is filled smoothly.
    """

    ground: GroundFill = "haze"
    ground_color: tuple[float, float, float] = (0.35, 0.36, 0.38)
    top_feather: float = 0.2
    detect: bool = True
    yaw: float = 0.0
    zenith: np.ndarray | None = None

    def __post_init__(self) -> None:
        check_ground(self.ground, self.ground_color)
