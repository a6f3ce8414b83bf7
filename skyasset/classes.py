"""The 11 CCSN cloud genera: the built-in class table used when no model says otherwise."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CloudClass", "CCSN_CLASSES"]


@dataclass(frozen=True)
class CloudClass:
    """One cloud type: WMO genus code, English name, one-line description."""

    code: str
    name: str
    description: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "description": self.description}


CCSN_CLASSES: tuple[CloudClass, ...] = (
    CloudClass("Ac", "altocumulus", "Mid-level white or grey patches, rolls or rounded masses in layers."),
    CloudClass("As", "altostratus", "Grey or bluish mid-level sheet through which the sun shows dimly."),
    CloudClass("Cb", "cumulonimbus", "Towering thunderstorm cloud, dark base, often an anvil top."),
    CloudClass("Cc", "cirrocumulus", "High, thin white patches of tiny grains or ripples (mackerel sky)."),
    CloudClass("Ci", "cirrus", "High, detached white filaments or hair-like wisps of ice."),
    CloudClass("Cs", "cirrostratus", "High, transparent whitish veil, often with a halo around the sun."),
    CloudClass("Ct", "contrail", "Straight, thin condensation trails left by aircraft."),
    CloudClass("Cu", "cumulus", "Detached fair-weather heaps with flat bases and bright cauliflower tops."),
    CloudClass("Ns", "nimbostratus", "Thick, dark grey rain layer that hides the sun completely."),
    CloudClass("Sc", "stratocumulus", "Low grey or whitish patches or rolls with blue gaps between."),
    CloudClass("St", "stratus", "Low, uniform grey layer like a lifted fog."),
)
