"""One sky request, checked once.

The CLI, the studio and the Python API each build a :class:`SkyRequest` with :func:`sky_request`, which checks
every model-independent setting and turns the text forms (``"stratus:0.3"``, ``"35,120"``) into values; the
generation below it trusts the request and checks nothing again. What depends on the model (is the cloud type
one it knows, does it have a canvas graph) is checked once by :func:`skyasset.api.check_for_model`.

Each check is one function here or in the module that owns the value (``check_look``, ``parse_sun``,
``ground_settings``, ``check_upscale``), so a bad value gets the same code and message from every front end.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from skyasset.assets.fill import GroundFill, ground_settings
from skyasset.assets.look import Look, check_look
from skyasset.assets.panorama import PANORAMA_METHODS, PanoramaMethod
from skyasset.assets.skybox import SkyboxLayout
from skyasset.assets.sun_place import SunRequest, parse_sun
from skyasset.choices import check_choice
from skyasset.errors import SkyassetError
from skyasset.limits import check_output_size
from skyasset.seeds import check_seed
from skyasset.upscale.super_resolution import UpscaleMode, check_upscale

__all__ = [
    "LAYOUTS",
    "METHODS",
    "Layout",
    "Method",
    "Mix",
    "SkyRequest",
    "check_destination",
    "check_layout",
    "check_method",
    "check_psi",
    "check_size",
    "parse_mix",
    "sky_request",
]

Layout = Literal["flat", SkyboxLayout]  # flat: the generator's own image; the others are skyboxes
LAYOUTS: tuple[Layout, ...] = get_args(Layout)
Method = PanoramaMethod
METHODS: tuple[Method, ...] = PANORAMA_METHODS
MIN_SIZE, MAX_SIZE = 64, 16384


@dataclass(frozen=True)
class Mix:
    """Blend toward another cloud type: ``w = (1 - weight) w_cloud + weight w_other``."""

    cloud: str
    weight: float


def parse_mix(spec: str) -> Mix:
    """Parse ``"stratus:0.3"`` (a weight in [0, 1]); a bare ``"stratus"`` means 0.5."""
    name, sep, weight_text = spec.partition(":")
    try:
        weight = float(weight_text) if sep else 0.5
    except ValueError:
        weight = float("nan")
    if not name.strip() or not 0.0 <= weight <= 1.0:
        raise SkyassetError(
            "invalid_argument",
            f"Cannot read mix '{spec}': write CLOUD:WEIGHT with a weight in [0, 1], e.g. stratus:0.3.",
        )
    return Mix(name.strip(), weight)


def check_psi(psi: object) -> float:
    """Truncation ``psi`` in [-1, 2]: 1 = full variety, 0 = the class-mean sky."""
    if isinstance(psi, bool) or not isinstance(psi, (int, float)) or not math.isfinite(psi) or not -1.0 <= psi <= 2.0:
        shown = float(psi) if isinstance(psi, (int, float)) and not isinstance(psi, bool) else psi
        raise SkyassetError("invalid_argument", f"psi must be in [-1, 2] (usually 0.5..1), got {shown!r}.")
    return psi


def check_size(size: object) -> int:
    """An equirect width: a multiple of 8 in 64..16384, whose output the pixel bound allows."""
    if isinstance(size, bool) or not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE or size % 8:
        raise SkyassetError(
            "invalid_argument", f"--size must be a multiple of 8 in {MIN_SIZE}..{MAX_SIZE}, got {size!r}."
        )
    check_output_size(size, size // 2)
    return size


def check_layout(layout: str) -> Layout:
    return check_choice("layout", layout, LAYOUTS)


def check_method(method: str | None) -> Method | None:
    """A panorama method, or ``None`` for the model's default."""
    return None if method is None else check_choice("method", method, METHODS)


def check_destination(
    out: str | os.PathLike[str] | None, out_dir: str | os.PathLike[str] | None
) -> str | os.PathLike[str]:
    """The one of ``out`` (a file name) and ``out_dir`` (a folder: the files are named after the sky) given."""
    if out is not None and out_dir is not None:
        raise SkyassetError(
            "invalid_argument",
            "Give either --out FILE (you name the files) or --out-dir FOLDER (the files are named after the "
            "sky's settings), not both.",
        )
    if out is None and out_dir is None:
        raise SkyassetError(
            "invalid_argument",
            "Say where the sky goes: --out sky.png, or --out-dir FOLDER to name the files after its settings.",
        )
    if out is not None:
        return out
    assert out_dir is not None
    if not str(out_dir).strip():
        raise SkyassetError("invalid_argument", "The output folder is empty; give one such as --out-dir skies.")
    return out_dir


@dataclass(frozen=True)
class SkyRequest:
    """A sky as the user asked for it, every value checked (:func:`sky_request` makes one from the arguments of
    :func:`skyasset.generate`, which are these fields; ``exposure`` and ``rotate`` make ``look``).

    Attributes
    ----------
    cloud
        Cloud type by code or name (``"Cu"``, ``"cumulus"``); ``None`` only for an unconditional model.
    seed
        0 .. 2**31-1; the same seed gives the same pixels everywhere.
    psi
        Truncation toward the class-mean style: 1 = full variety, 0 = the class-mean sky.
    mix
        Blend toward a second cloud type, e.g. ``"stratus:0.3"``.
    layout
        ``flat`` writes the generator's image as is; the others write a skybox.
    method
        How the panorama is made: ``native`` (one canvas that goes all the way round, from the bundle's canvas
        graph: no stitching), ``ring`` (views around the horizon, stitched), ``mirror``/``stripe`` (the 2025
        baseline). ``None``: ``native`` when the bundle has a canvas graph, else ``ring``.
    size
        Equirect width in pixels (height = size / 2); cube faces are size / 4.
    hdr
        Also write a Radiance HDR / EXR expansion of the sky that can light a scene.
    upscale
        ``none``; ``fast`` (bundled network) or ``best`` (Real-ESRGAN x4plus, ``pip install 'skyasset[best]'``):
        a skybox is assembled at ``size / 4`` (at least the views' own resolution) and the panorama upscaled 4x
        across its wrap seam (:mod:`skyasset.pipeline` says why); ``flat`` upscales the generator image
        4x. The result's ``upscale`` says what was applied: ``none`` when the views already fill ``size``.
    sun
        ``"auto"`` (the sun the picture shows; else none for overcast types, one placed from the seed for the
        others), ``"none"``, or ``"ELEVATION,AZIMUTH"`` / ``(elevation, azimuth)`` in degrees (azimuth from
        the panorama's centre, turning right): see :mod:`skyasset.assets.sun_place`. Ignored for ``flat``.
    ground, ground_color
        Below the horizon: ``haze`` (a haze in the sky's own colours deepening into a ground colour from its
        light), ``solid`` (one ``ground_color``, R, G, B in [0, 1]; only with ``solid``) or ``reflection``
        (the sky mirrored, as over water); :func:`skyasset.assets.fill.fill_below_horizon`. Ignored for ``flat``.
    look
        ``exposure`` in stops (-10 .. 10, +1 twice the light; the ``.hdr`` records it as ``EXPOSURE=``) and
        ``rotate`` in degrees of azimuth (-360 .. 360, turning right; the sun turns with the sky), applied to the
        files (:mod:`skyasset.assets.look`). 0 and 0 leave the files as they were; ``flat`` has none.
    """

    cloud: str | None
    seed: int
    psi: float = 0.7
    mix: Mix | None = None
    layout: Layout = "equirect"
    method: Method | None = None
    size: int = 2048
    hdr: bool = False
    upscale: UpscaleMode = "none"
    sun: SunRequest = field(default_factory=lambda: SunRequest("auto"))
    ground: GroundFill = "haze"
    ground_color: tuple[float, float, float] = (0.35, 0.36, 0.38)
    look: Look = field(default_factory=Look)

    @property
    def flat(self) -> bool:
        return self.layout == "flat"


def sky_request(
    cloud: str | None,
    seed: int,
    *,
    psi: float = 0.7,
    mix: Mix | str | None = None,
    layout: str = "equirect",
    method: str | None = None,
    size: int = 2048,
    hdr: bool = False,
    upscale: str = "none",
    sun: SunRequest | str | Sequence[float] | None = "auto",
    ground: str = "haze",
    ground_color: Sequence[float] | None = None,
    exposure: float = 0.0,
    rotate: float = 0.0,
) -> SkyRequest:
    """Check every setting (``SkyassetError`` ``invalid_argument`` naming the fix) and return the request.

    The order is the order of the questions a user would fix first: where and how large, then the look.
    """
    chosen_layout = check_layout(layout)
    chosen_method = check_method(method)
    check_size(size)
    check_upscale(upscale)  # an unknown mode or a missing optional package fails before the model loads
    sun_request = parse_sun(sun)
    color = ground_settings(ground, ground_color)
    look = check_look(exposure, rotate)
    if chosen_layout == "flat":  # not a panorama: nothing to turn, and the preview shows it as written
        look = Look()
    mix_value = parse_mix(mix) if isinstance(mix, str) else mix
    return SkyRequest(
        cloud=cloud,
        seed=check_seed(seed),
        psi=check_psi(psi),
        mix=mix_value,
        layout=chosen_layout,
        method=chosen_method,
        size=size,
        hdr=hdr,
        upscale=upscale,  # type: ignore[arg-type]  # checked by check_upscale
        sun=sun_request,
        ground=ground,  # type: ignore[arg-type]  # checked by ground_settings
        ground_color=color,
        look=look,
    )
