"""A generation request from the page: parsed from JSON and checked exactly as ``skyasset generate`` checks it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from functools import cached_property
from typing import Any, cast

from skyasset.api import check_for_model
from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator
from skyasset.settings import Layout, Method, SkyRequest, sky_request
from skyasset.upscale import UpscaleMode

__all__ = ["MAX_SIZE", "GenerateParams", "parse_params"]

# The CLI allows 16384; one such job with faces, HDR and upscaling took 520 s and 12.6 GB here (8192: 71 s,
# 3.4 GB). The page offers up to 8192, and a bounded queue of such jobs stays within a desktop's memory and patience.
MAX_SIZE = 8192

_FIELDS: dict[str, tuple[type, ...]] = {
    "cloud": (str,),
    "seed": (int,),
    "psi": (int, float),
    "mix": (str,),
    "size": (int,),
    "layout": (str,),
    "hdr": (bool,),
    "upscale": (str,),
    "method": (str,),
    "sun": (str,),
    "exposure": (int, float),
    "rotate": (int, float),
}
_NULLABLE = ("cloud", "mix", "method")


@dataclass(frozen=True)
class GenerateParams:
    cloud: str | None
    seed: int
    psi: float = 0.7
    mix: str | None = None
    size: int = 2048
    layout: Layout = "equirect"
    hdr: bool = False
    upscale: UpscaleMode = "none"
    method: Method | None = None  # None: the model's default (native with a canvas graph, else ring)
    sun: str = "auto"  # as `generate --sun` takes it: auto, none or "ELEVATION,AZIMUTH"
    exposure: float = 0.0  # the preview's look, applied to the files: stops, as `generate --exposure`
    rotate: float = 0.0  # degrees of azimuth, as `generate --rotate`

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @cached_property
    def request(self) -> SkyRequest:
        """These parameters checked as ``skyasset generate`` checks its options (once: the job reuses it)."""
        return sky_request(**self.to_json())  # the fields are sky_request's arguments, by name

    @classmethod
    def from_json(cls, saved: dict[str, Any]) -> GenerateParams:
        """Parameters as :meth:`to_json` wrote them (a saved sky's); keys this version does not know are dropped.

        ``ValueError`` when ``cloud`` or ``seed`` is missing (a damaged ``sky.json``)."""
        known = {f.name for f in fields(cls)}
        missing = [name for name in ("cloud", "seed") if name not in saved]
        if missing:
            raise ValueError(f"the saved parameters lack {', '.join(missing)}")
        return cls(**{k: v for k, v in saved.items() if k in known})


def parse_params(body: object, gen: SkyGenerator) -> GenerateParams:
    """``body`` (decoded JSON) as :class:`GenerateParams`; ``SkyassetError`` with the CLI's code and message.

    Unknown keys and wrong JSON types are refused rather than ignored or coerced: a typo in a parameter name
    must not silently give the default sky.
    """
    if not isinstance(body, dict):
        raise SkyassetError("invalid_argument", 'Send a JSON object such as {"cloud": "cumulus", "seed": 7}.')
    unknown = sorted(set(body) - set(_FIELDS))
    if unknown:
        raise SkyassetError(
            "invalid_argument", f"Unknown parameter(s) {', '.join(unknown)}; known: {', '.join(_FIELDS)}."
        )
    for key, value in body.items():
        types = _FIELDS[key]
        if value is None and key in _NULLABLE:
            continue
        if isinstance(value, bool) and bool not in types or not isinstance(value, types):
            raise SkyassetError(
                "invalid_argument",
                f"Parameter {key} must be {' or '.join(t.__name__ for t in types)}, got {type(value).__name__}.",
            )
    if "seed" not in body:
        raise SkyassetError("invalid_argument", "Parameter seed is required (an integer in 0..2147483647).")
    mix_text = body.get("mix") or None
    params = GenerateParams(
        cloud=body.get("cloud"),
        seed=body["seed"],
        psi=float(body.get("psi", 0.7)),
        mix=mix_text,
        size=body.get("size", 2048),
        layout=cast(Layout, body.get("layout", "equirect")),  # checked below, by params.request
        hdr=body.get("hdr", False),
        upscale=cast(UpscaleMode, body.get("upscale", "none")),
        method=cast("Method | None", body.get("method")),  # checked below, by params.request
        sun=body.get("sun", "auto"),
        exposure=float(body.get("exposure", 0.0)),
        rotate=float(body.get("rotate", 0.0)),
    )
    request = params.request  # every setting checked as `skyasset generate` checks it
    if params.size > MAX_SIZE:
        raise SkyassetError(
            "invalid_argument",
            f"The studio makes skies up to {MAX_SIZE} px wide, got size {params.size}; "
            f"use `skyasset generate --size {params.size}` for larger ones.",
        )
    check_for_model(request, gen)
    return params
