"""Named starting points for the studio's form: a cloud type, a variety (psi) and a sun, set together.

The sun is ``generate --sun``'s value: ``none``, or ``ELEVATION,AZIMUTH`` in degrees, azimuth 0 being the
panorama's centre, which the viewer faces at the start. The generator draws the clouds; the sun is the one placed
(a disc and glow in the files, and the direction in the sidecar), so "sunset" means a sun low ahead, not a
colour grade.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator

__all__ = ["PRESETS", "Preset", "presets_for"]


@dataclass(frozen=True)
class Preset:
    name: str
    cloud: str  # a class code of the default model's CCSN classes
    psi: float
    sun: str
    description: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


PRESETS: tuple[Preset, ...] = (
    Preset("clear noon", "Ci", 0.5, "70,0", "Thin high cirrus, a high sun ahead: bright and nearly clear."),
    Preset("overcast", "St", 0.7, "none", "An even grey stratus sheet, no sun: soft light from everywhere."),
    Preset("sunset", "Ac", 0.8, "5,0", "Altocumulus patches with the sun just above the horizon, ahead."),
    Preset("storm", "Cb", 0.9, "none", "Towering cumulonimbus, no sun."),
)


def presets_for(gen: SkyGenerator) -> list[dict[str, Any]]:
    """The presets whose cloud type this model knows (none for a model without cloud types)."""
    if not gen.bundle.c_dim:
        return []
    usable = []
    for preset in PRESETS:
        try:
            gen.class_index(preset.cloud)
        except SkyassetError:
            continue
        usable.append(preset.to_json())
    return usable
