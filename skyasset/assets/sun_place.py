"""One sun per sky, decided once on the final display equirect: found, placed or given, then painted and lit.

``--sun auto`` looks for a sun the picture already shows (:func:`find_visible_sun`); where it shows none, a sky
of an overcast type gets no sun and any other gets one placed from the seed where the sky has room for it (blue
sky or thin cloud away from white cloud, :func:`placed_sun_positions`), checked to show as a sun once painted;
a sky that is white cloud all over has no such place and gets none, which its sidecar states.
``--sun ELEVATION,AZIMUTH`` puts it where asked, ``--sun none`` leaves it out. A placed or given sun is painted
into the display picture (a white disc in a warm glare screened over the sky, :func:`paint_display_sun`); every
sun gets exactly one disc of physical radiance in the HDR (:func:`add_hdr_sun`) and its irradiance, in the HDR's
units, goes into the sidecar so that engines set their Sun light from it.

Azimuth is the panorama's longitude (:mod:`skyasset.assets.sphere`): degrees from its centre column (Unity's
+Z, "front"), increasing to the right as seen from inside (+X at 90), so ``u = 0.5 + azimuth / 360`` (mod 1);
elevation is above the horizon, ``v = 0.5 - elevation / 180`` from the top.

The sun's radiance comes from two real CC0 sky HDRIs (1024 x 512, linear), measured against each sky's median
luminance ``m`` over the upper hemisphere:

- clear (a partly cloudy noon, sun at 48 degrees): the disc (pixels above a tenth of the peak) averages
  12000 ``m`` over 1.5e-4 sr (0.8 degrees across at that resolution; the true sun is 0.53), its excess
  irradiance is 1.9 ``m`` (the sky itself gives 3.4 ``m`` on a horizontal plane); the aureole falls off as
  ``19 m exp(-angle / 1.9 deg)`` (7 ``m`` at 1-2 degrees, 3 at 3-5, 1.6 at 5-8); the sun is white.
- hazy (an evening under altocumulus, the sun low and veiled): no disc, a glow of at most 18 ``m`` spread as
  ``10 m exp(-angle / 8.8 deg)`` (9 ``m`` at 1-2 degrees, 5.6 at 5-8, 2.6 at 12-20), a hundred times less
  radiance in its core than the clear day's disc. A veiled sun here keeps a disc a tenth of the clear one
  (a disc is what casts shadows) in that wide glow.

Which CCSN types show no sun: stratus (a uniform low layer), nimbostratus ("hides the sun completely") and
altostratus (a grey sheet through which the sun at most shows dimly, a patch rather than a disc): their photos
are overcast, so ``auto`` places none unless the picture shows one. Cirrostratus is a thin veil with the sun
(and often a halo) visible: a hazy sun. Every other type has blue gaps or detached clouds: a clear sun.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np

from skyasset.assets.hdr import expand_to_hdr, hdr_white_point, sky_median
from skyasset.assets.sphere import linear_to_srgb, luminance, srgb_to_linear
from skyasset.errors import SkyassetError

__all__ = [
    "SunMode",
    "SunSource",
    "Weather",
    "SunRequest",
    "SunLook",
    "VisibleSun",
    "SunDecision",
    "OVERCAST_CLASSES",
    "HAZY_CLASSES",
    "SUN_LOOKS",
    "parse_sun",
    "weather_of",
    "uv_from_angles",
    "angles_from_uv",
    "unit_vector",
    "angle_between_deg",
    "find_visible_sun",
    "choose_sun_position",
    "placed_sun_positions",
    "paint_display_sun",
    "add_hdr_sun",
    "sun_irradiance",
    "decide_sun",
    "hdr_with_sun",
    "expanded_median",
    "report",
    "none_report",
    "SUN_HELP",
]

SunMode = Literal["auto", "none", "given"]
SunSource = Literal["detected", "placed", "given", "measured", "none"]
Weather = Literal["clear", "hazy", "overcast"]

OVERCAST_CLASSES: tuple[str, ...] = ("St", "Ns", "As")
HAZY_CLASSES: tuple[str, ...] = ("Cs",)
SUN_HELP = (
    "auto (the sun the picture shows, else none for overcast types and one placed from the seed for the "
    "others), none, or ELEVATION,AZIMUTH in degrees: elevation above the horizon (0-90), azimuth from the "
    "panorama's centre column (Unity +Z) turning right (+X at 90), e.g. 35,120."
)
PLACED_ELEVATION_DEG = (20.0, 60.0)  # a placed sun: between mid-morning and noon of a mid-latitude summer
WIDE_ELEVATION_DEG = (12.0, 72.0)  # ... or, where that band has no room for one, anywhere in this wider one
_CANDIDATES = 48  # positions drawn from the seed in each band; the one with the most room that shows wins
_WIDE_CANDIDATES = 96
OFF_NOON = 0.3  # room given up, at a band's edges, for a sun nearer the middle of its band (_off_noon)
_CHECKED = 16  # of each band's candidates at most this many, most room first, are painted and checked
ROOM_DEG = 4.0  # the neighbourhood (Gaussian sigma, degrees) whose clipped cloud and unevenness crowd a sun
CHECK_RADIUS_DEG = 18.0  # a placed sun is checked in a window this wide around it: core and two glow rings
VERIFY_MARGIN = 1.04  # ... with this margin on the detector's thresholds (the written picture differs a little)
_CONFIRMED = 4  # at most this many placements are painted at full size and confirmed by find_visible_sun
_SEED_SALT = 0x5317  # keeps the sun's stream apart from the generator's use of the same seed


@dataclass(frozen=True)
class SunRequest:
    """What the caller asked for: ``auto``, ``none`` or a ``given`` position (degrees)."""

    mode: SunMode
    elevation_deg: float = 0.0
    azimuth_deg: float = 0.0


@dataclass(frozen=True)
class SunLook:
    """How a sun looks in the display picture and how bright it is in the HDR (module doc for the numbers).

    Display: a disc of ``disc_deg`` across in a glare ``min(1, inner * exp(-a / inner_deg) + outer *
    exp(-a / outer_deg))`` of ``colour``, screened over the sky (:func:`_painted_window`); the clipped core
    it makes is 7 to 12 degrees across, the blown-out sun of a photo exposed for the sky.
    HDR: a disc of ``hdr_ratio`` times the sky's median over ``hdr_solid_angle_sr`` plus an aureole
    ``aureole * m * exp(-a / aureole_deg)``.
    """

    disc_deg: float
    inner: float
    inner_deg: float
    outer: float
    outer_deg: float
    colour: tuple[float, float, float]
    hdr_ratio: float
    hdr_solid_angle_sr: float
    aureole: float
    aureole_deg: float


SUN_LOOKS: dict[str, SunLook] = {
    "clear": SunLook(2.0, 1.7, 4.6, 0.1, 10.0, (1.0, 0.93, 0.82), 12000.0, 1.5e-4, 19.0, 1.9),
    "hazy": SunLook(2.0, 1.2, 6.0, 0.2, 14.0, (1.0, 0.9, 0.76), 1200.0, 1.5e-4, 10.0, 8.8),
}


@dataclass(frozen=True)
class VisibleSun:
    """A sun the picture shows: its centre (image fractions), its bright core's angular diameter, a score."""

    u: float
    v: float
    diameter_deg: float
    score: float


@dataclass(frozen=True)
class SunDecision:
    """The one sun of a sky: where (``u``, ``v``; ``None`` when there is none), why, and how it looks."""

    source: SunSource
    u: float | None = None
    v: float | None = None
    weather: Weather = "clear"

    @property
    def present(self) -> bool:
        return self.u is not None and self.v is not None

    @property
    def elevation_deg(self) -> float:
        return angles_from_uv(self.u or 0.0, self.v or 0.0)[0]

    @property
    def azimuth_deg(self) -> float:
        return angles_from_uv(self.u or 0.0, self.v or 0.0)[1]


# --- the option -------------------------------------------------------------------------------------------

_NUMBER = r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*"
_SUN_USAGE = "--sun must be auto, none or ELEVATION,AZIMUTH in degrees, e.g. 35,120"


def parse_sun(value: SunRequest | str | Sequence[float] | None) -> SunRequest:
    """The ``--sun`` / ``sun=`` value checked: ``auto`` (also ``None``), ``none``, ``"EL,AZ"`` or ``(el, az)``.

    Elevation must be 0..90 degrees above the horizon; azimuth is any finite angle, kept modulo 360.
    """
    if value is None:
        return SunRequest("auto")
    if isinstance(value, SunRequest):
        return _checked(value.elevation_deg, value.azimuth_deg) if value.mode == "given" else value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("auto", "none"):
            return SunRequest(text)  # type: ignore[arg-type]
        match = re.fullmatch(_NUMBER + "," + _NUMBER, text)
        if match is None:
            raise SkyassetError("invalid_argument", f"{_SUN_USAGE}; got {value!r}.")
        return _checked(float(match.group(1)), float(match.group(2)))
    if isinstance(value, Sequence) and len(value) == 2 and all(_is_number(v) for v in value):
        return _checked(float(value[0]), float(value[1]))
    raise SkyassetError("invalid_argument", f"{_SUN_USAGE} (or a pair of numbers); got {value!r}.")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _checked(elevation: float, azimuth: float) -> SunRequest:
    if not (math.isfinite(elevation) and math.isfinite(azimuth)):
        raise SkyassetError("invalid_argument", f"{_SUN_USAGE}; the numbers must be finite.")
    if not 0.0 <= elevation <= 90.0:
        raise SkyassetError(
            "invalid_argument",
            f"{_SUN_USAGE}; the elevation is degrees above the horizon, 0 to 90, got {elevation:g}.",
        )
    return SunRequest("given", elevation, azimuth % 360.0)


def weather_of(cloud: str | None) -> Weather:
    """``overcast`` for the types that hide the sun, ``hazy`` for a veil, ``clear`` otherwise (module doc)."""
    if cloud in OVERCAST_CLASSES:
        return "overcast"
    return "hazy" if cloud in HAZY_CLASSES else "clear"


# --- geometry ---------------------------------------------------------------------------------------------


def uv_from_angles(elevation_deg: float, azimuth_deg: float) -> tuple[float, float]:
    """Image fractions (``u`` from the left, ``v`` from the top) of a direction (module doc)."""
    return (0.5 + azimuth_deg / 360.0) % 1.0, 0.5 - elevation_deg / 180.0


def angles_from_uv(u: float, v: float) -> tuple[float, float]:
    """``(elevation, azimuth)`` in degrees, azimuth in [0, 360), of the image point ``(u, v)``."""
    return 90.0 - 180.0 * v, (360.0 * (u - 0.5)) % 360.0


def unit_vector(u: float, v: float) -> np.ndarray:
    """The direction of image point ``(u, v)`` in :mod:`skyasset.assets.sphere`'s frame (x right, y up, z front)."""
    lon, lat = 2.0 * math.pi * (u - 0.5), math.pi * (0.5 - v)
    return np.array([math.cos(lat) * math.sin(lon), math.sin(lat), math.cos(lat) * math.cos(lon)])


def angle_between_deg(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Angle in degrees between image points ``a`` and ``b`` (each ``(u, v)``)."""
    cosine = float(np.clip(unit_vector(*a) @ unit_vector(*b), -1.0, 1.0))
    return math.degrees(math.acos(cosine))


def _angles_to(height: int, width: int, u: float, v: float, radius_deg: float) -> tuple[slice, np.ndarray, np.ndarray]:
    """The pixels within ``radius_deg`` of ``(u, v)``: their rows (a slice), columns (indices, wrapping) and
    every such pixel's angle (degrees) to it.

    Only that window is computed: painting a sun costs the glow's area, not the whole panorama.
    """
    centre = unit_vector(u, v)
    lat0 = math.pi * (0.5 - v)
    radius = math.radians(radius_deg)
    top = max(0, int((0.5 - (lat0 + radius) / math.pi) * height))
    bottom = min(height, int(math.ceil((0.5 - (lat0 - radius) / math.pi) * height)))
    rows = slice(top, max(bottom, top + 1))
    if abs(lat0) + radius < 0.5 * math.pi - 1e-3:  # no pole inside: a band of longitudes suffices
        half = math.asin(min(1.0, math.sin(radius) / math.cos(abs(lat0) + radius)))
        span = min(width, int(math.ceil(half / math.pi * width)) * 2 + 3)
        first = int(round(u * width)) - span // 2
        cols = np.arange(first, first + span) % width
    else:
        cols = np.arange(width)
    lat = (0.5 - (np.arange(rows.start, rows.stop) + 0.5) / height) * math.pi
    lon = ((cols + 0.5) / width - 0.5) * 2.0 * math.pi
    cos_lat = np.cos(lat)[:, None]
    cosine = (
        cos_lat * np.sin(lon)[None, :] * centre[0]
        + np.sin(lat)[:, None] * centre[1]
        + cos_lat * np.cos(lon)[None, :] * centre[2]
    )
    return rows, cols, np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))).astype(np.float32)


def _pixel_solid_angles(rows: slice, height: int, width: int) -> np.ndarray:
    """Solid angle (sr) of one pixel in each of ``rows``, as a column ``[rows, 1]``."""
    lat = (0.5 - (np.arange(rows.start, rows.stop) + 0.5) / height) * math.pi
    return ((2.0 * math.pi / width) * (math.pi / height) * np.cos(lat))[:, None].astype(np.float32)


# --- finding the sun the picture shows --------------------------------------------------------------------

DETECT_WIDTH = 512  # the search runs on a copy this wide: a sun's core and glow are degrees across
CORE_VALUE = 0.93  # a sun's core is clipped: every channel this bright ...
CORE_CHROMA = 0.10  # ... and nearly grey ((max - min) / max)
MAX_CORE_DEG = 25.0  # brighter regions wider than this (as a disc) are clouds or a bright overcast, not a sun
GLOW_MIN = 0.4  # the ring around a sun (its aureole) is bright in every direction: linear luminance ...
GLOW_OVER_SKY = 1.5  # ... and this many times the sky's median
MIN_CORE_DEG = 2.5  # a clipped spot smaller than this (as a disc) is a cloud highlight, not a sun
GLOW_SECTORS = 8
GLOW_REACH = 2.0  # the glow is painted out to this many of its outer widths, fading over the last third
# A sun the picture shows of itself (``evident``) must look like a photographed one: a blown-out core ...
EVIDENT_CORE_DEG = 9.0  # ... at least this wide (as a disc) ...
EVIDENT_ASPECT = 6.0  # ... and no longer than this many times its width (a bright haze band is a streak) ...
EVIDENT_GLOW_OVER_SKY = 3.5  # ... in an aureole (the ring just outside it) this many times the sky's median ...
EVIDENT_FALLOFF = 1.7  # ... that is this many times brighter than the sky 17-20 degrees from the core
EVIDENT_FAR_RINGS = (6, 7)  # that far: rings 24-28 pixels of the DETECT_WIDTH copy out from the core's edge
RING_PX = 4  # rings of this width (pixels of the DETECT_WIDTH copy, 2.8 degrees) around the core
FALLOFF = 1.1  # ... and brighter than the ring beyond it by this factor
FALLOFF_EXCEPTIONS = 1  # sectors allowed to break that (a cloud edge crossing the aureole)


def find_visible_sun(display: np.ndarray, *, evident: bool = False) -> VisibleSun | None:
    """The sun a display equirect (sRGB in [0, 1], ``[H, 2H, 3]``) shows, or ``None``.

    A sun is a bright, compact, unsaturated region in the upper hemisphere: a core of clipped near-grey
    pixels ``MIN_CORE_DEG`` to ``MAX_CORE_DEG`` across (as a disc of its solid angle), surrounded in every
    direction by an aureole that darkens outwards (:func:`_judge_core`). Tuned on generated skies of all 11
    types and on CCSN photos: smaller clipped spots were cloud highlights, larger ones bright overcast. The
    strongest such region wins. This finds a painted sun again, wherever it was put.

    ``evident`` asks whether the picture shows a sun of its own, with no sun painted (``--sun auto``): the
    region must also look as a photographed sun does (:func:`_is_evident`). Without it, 100 of 220 generated
    skies (default model, 20 seeds of each type) "showed" a sun, and looked at, nearly all were bright patches
    of cloud, or the haze on the horizon; the light of a scene then came from a sky with no sun in it. With
    it, 1 of those 100 is kept; of 215 CCSN photos with such a region, 10 of the 17 that do show the sun are
    kept and 8 of the 190 that do not (white cumulus on a deep blue sky, mostly).
    """
    small = _detect_copy(display)
    h, w = small.shape[:2]
    core = _core_pixels(small)
    core[h // 2 :] = False  # below the horizon nothing lights the scene
    if not core.any():
        return None
    shift = int(np.argmin(core.sum(axis=0)))  # cut the wrap where there is no core, so no region is split
    rolled = np.roll(core, -shift, axis=1).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(rolled, connectivity=8)
    full_lum = luminance(srgb_to_linear(small))
    lum = np.roll(full_lum, -shift, axis=1)
    solid = _pixel_solid_angles(slice(0, h), h, w)
    sky = float(np.median(full_lum[: h // 2]))
    best: VisibleSun | None = None
    for label in range(1, count):
        if stats[label, cv2.CC_STAT_WIDTH] > w // 4:
            continue
        mask = labels == label
        found = _judge_core(mask, lum, solid, sky, 0, h)
        if found is not None and evident and not _is_evident(mask, lum, sky, found, h):
            continue
        if found is not None and (best is None or found.score > best.score):
            best = VisibleSun(((found.col + shift + 0.5) / w) % 1.0, (found.row + 0.5) / h, found.diameter, found.score)
    return best


def _detect_copy(display: np.ndarray) -> np.ndarray:
    """The picture as its 8-bit PNG holds it, at most ``DETECT_WIDTH`` wide: a sun decided on the float
    picture must be the one found again in the written file, where every value is rounded to 1/255."""
    eq = np.asarray(display)
    if eq.dtype != np.uint8:  # as skyasset.assets.png rounds it (saturating, to nearest), in one fast pass
        eq = cv2.convertScaleAbs(np.maximum(eq.astype(np.float32, copy=False), 0.0), alpha=255.0)
    if eq.shape[1] > DETECT_WIDTH:
        eq = cv2.resize(eq, (DETECT_WIDTH, DETECT_WIDTH // 2), interpolation=cv2.INTER_AREA)
    return eq.astype(np.float32) / 255.0


def _core_pixels(small: np.ndarray) -> np.ndarray:
    """Pixels that could be part of a sun's core: clipped in every channel and nearly grey."""
    red, green, blue = small[..., 0], small[..., 1], small[..., 2]
    peak = np.maximum(np.maximum(red, green), blue)  # channel by channel: much faster than max(axis=-1)
    low = np.minimum(np.minimum(red, green), blue)
    core: np.ndarray = (peak >= CORE_VALUE) & (peak - low <= CORE_CHROMA * peak)  # chroma (max - min) / max
    return core


@dataclass(frozen=True)
class _Core:
    """A core judged a sun: its centre (row, column of the array it was judged in), diameter (deg), score."""

    row: float
    col: float
    diameter: float
    score: float


def _judge_core(
    mask: np.ndarray,
    lum: np.ndarray,
    solid: np.ndarray,
    sky: float,
    row0: int,
    height: int,
    strict: float = 1.0,
) -> _Core | None:
    """The region ``mask`` (of the same window as ``lum``) as a sun, or ``None``.

    Around a sun the sky is bright in every direction and darkens outwards (its aureole): in each of
    ``GLOW_SECTORS`` sectors around the core, the ring of ``RING_PX`` pixels just outside it is above
    ``GLOW_MIN`` and ``GLOW_OVER_SKY`` times the ``sky``'s median luminance, and brighter (by ``FALLOFF``)
    than the ring beyond, in all but ``FALLOFF_EXCEPTIONS`` of them.
    A cloud top fails: on some side there is blue sky or shade, on another more cloud as bright as itself.
    Rings are taken in pixels from the core's edge, so a core that a photo's panorama stretched is judged by
    its own outline. The window's first row is row ``row0`` of a panorama ``height`` rows high (``solid``:
    its rows' pixel solid angles); ``strict`` > 1 asks for that much margin on every threshold (a placed sun
    is checked on a small copy and must still pass on the written picture).
    """
    area = float((solid * mask).sum())
    diameter = math.degrees(2.0 * math.sqrt(area / math.pi))
    if not MIN_CORE_DEG * strict <= diameter <= MAX_CORE_DEG / strict:
        return None
    rows, cols = np.nonzero(mask)
    window, distance = _rings_around(mask, rows, cols, 2)
    row_c = float((rows * solid[rows, 0]).sum() / solid[rows, 0].sum())
    col_c = float(cols.mean())
    yy, xx = np.mgrid[window]
    bearing = np.arctan2(yy - row_c, (xx - col_c) * _squeeze(row_c + row0, height))
    sectors = ((bearing + math.pi) / (2.0 * math.pi) * GLOW_SECTORS).astype(np.int32) % GLOW_SECTORS
    local = lum[window]
    near = _sector_means(local, sectors, (distance > 0) & (distance <= RING_PX))
    far = _sector_means(local, sectors, (distance > RING_PX) & (distance <= 2 * RING_PX))
    if near is None or far is None or float(near.min()) < strict * max(GLOW_MIN, GLOW_OVER_SKY * sky):
        return None
    if int((near <= far * FALLOFF * strict).sum()) > FALLOFF_EXCEPTIONS:
        return None
    return _Core(row_c + row0, col_c, diameter, float(near.min()) + float((near / np.maximum(far, 1e-6)).min()))


def _is_evident(mask: np.ndarray, lum: np.ndarray, sky: float, core: _Core, height: int) -> bool:
    """Whether a core that :func:`_judge_core` passed looks like a photographed sun (``EVIDENT_*``): blown out
    wide, not a streak, in an aureole far brighter than the sky that has faded by 17-20 degrees out.

    Measured on 100 such regions of generated skies and 215 of CCSN photos, each looked at: the suns of the
    photos had cores 11-19 degrees across (median 14; the regions that were not suns, 5) and aureoles 2.3-5.4
    times the sky's median (others 2.1-3.8), 1.7-2.7 times brighter than 20 degrees out (others 1.5-2.2).
    """
    if core.diameter < EVIDENT_CORE_DEG:
        return False
    rows, cols = np.nonzero(mask)
    spread = np.cov(np.stack([(cols - cols.mean()) * _squeeze(core.row, height), rows - rows.mean()]))
    low, high = np.linalg.eigvalsh(spread + 1e-6 * np.eye(2))
    if math.sqrt(high / low) > EVIDENT_ASPECT:
        return False
    window, distance = _rings_around(mask, rows, cols, EVIDENT_FAR_RINGS[1])
    local = lum[window]
    aureole = local[(distance > 0) & (distance <= RING_PX)]
    far = local[(distance > EVIDENT_FAR_RINGS[0] * RING_PX) & (distance <= EVIDENT_FAR_RINGS[1] * RING_PX)]
    if aureole.size == 0 or far.size == 0:
        return False
    glow = float(aureole.mean())
    return glow >= EVIDENT_GLOW_OVER_SKY * sky and glow >= EVIDENT_FALLOFF * float(far.mean())


def _rings_around(
    mask: np.ndarray, rows: np.ndarray, cols: np.ndarray, rings: int
) -> tuple[tuple[slice, slice], np.ndarray]:
    """The window of ``mask`` reaching ``rings`` rings of ``RING_PX`` beyond its region (pixels ``rows``,
    ``cols``), and each window pixel's distance from the region (0 inside it)."""
    h, w = mask.shape
    margin = rings * RING_PX + 1
    window = (
        slice(max(0, rows.min() - margin), min(h, rows.max() + margin + 1)),
        slice(max(0, cols.min() - margin), min(w, cols.max() + margin + 1)),
    )
    return window, cv2.distanceTransform((~mask[window]).astype(np.uint8), cv2.DIST_L2, 3)


def _squeeze(row: float, height: int) -> float:
    """How much narrower a degree of longitude is than one of latitude at ``row`` of a ``height``-row panorama."""
    return math.cos(math.pi * (0.5 - (row + 0.5) / height))


def _sector_means(lum: np.ndarray, sectors: np.ndarray, ring: np.ndarray) -> np.ndarray | None:
    """Mean of ``lum`` over ``ring`` in each sector; ``None`` when a sector has no pixel (the ring left the
    image)."""
    counts = np.bincount(sectors[ring], minlength=GLOW_SECTORS)
    if (counts == 0).any():
        return None
    return np.bincount(sectors[ring], weights=lum[ring], minlength=GLOW_SECTORS) / counts


# --- placing, painting, lighting --------------------------------------------------------------------------


def choose_sun_position(display: np.ndarray, seed: int, look: SunLook) -> tuple[float, float] | None:
    """``(u, v)`` of a sun placed from ``seed`` (the same seed and picture give the same place), or ``None``
    where the sky has no room for one (:func:`placed_sun_positions`)."""
    return next(placed_sun_positions(display, seed, look), None)


def placed_sun_positions(display: np.ndarray, seed: int, look: SunLook) -> Iterator[tuple[float, float]]:
    """Places for a sun drawn from ``seed``, best first, each one where the painted sun shows as a sun.

    ``_CANDIDATES`` positions are drawn at a natural elevation (``PLACED_ELEVATION_DEG``) and ranked by the
    room they leave (:func:`_room`: blue sky or thin cloud, no clipped white cloud for the sun to merge with,
    an even background for its glow); the ``_CHECKED`` roomiest are painted on a small copy and kept only
    where :func:`_judge_core` then sees a sun there, with margin. Where none of them does, ``_WIDE_CANDIDATES``
    more are drawn over ``WIDE_ELEVATION_DEG`` (a lower or higher sun rather than an invisible one).
    Of the 160 generated skies of the 8 non-overcast types (default model, seeds 0-19), 2 showed a sun of
    their own (:func:`find_visible_sun` with ``evident``), 131 got a placed one and 27 none: white cloud nearly
    everywhere (12 of them stratocumulus, 10 cirrostratus), where no aureole can outshine the sky around it.
    """
    small = _detect_copy(display)
    h = small.shape[0]
    lum = luminance(srgb_to_linear(small))
    sky = float(np.median(lum[: h // 2]))
    room = _room(small, lum)
    rng = np.random.default_rng([_SEED_SALT, seed])
    for (low, high), count in ((PLACED_ELEVATION_DEG, _CANDIDATES), (WIDE_ELEVATION_DEG, _WIDE_CANDIDATES)):
        elevation = rng.uniform(low, high, count)
        azimuth = rng.uniform(0.0, 360.0, count)
        places = [uv_from_angles(float(e), float(a)) for e, a in zip(elevation, azimuth, strict=True)]
        score = [_at(room, u, v) - _off_noon(float(e), low, high) for (u, v), e in zip(places, elevation, strict=True)]
        for i in np.argsort(score, kind="stable")[::-1][:_CHECKED]:
            if _shows_as_sun(small, sky, places[i], look):
                yield places[i]


def _off_noon(elevation: float, low: float, high: float) -> float:
    """A mild preference for the middle of the band: of two places with as much room, the sun stands where
    it lights a scene with clear shadows rather than grazing it (up to ``OFF_NOON`` of room at the edges)."""
    middle, half = 0.5 * (low + high), 0.5 * (high - low)
    return OFF_NOON * ((elevation - middle) / half) ** 2


def _at(image: np.ndarray, u: float, v: float) -> float:
    h, w = image.shape[:2]
    return float(image[min(h - 1, int(v * h)), min(w - 1, int(u * w))])


def _room(small: np.ndarray, lum: np.ndarray) -> np.ndarray:
    """How much room each point leaves a sun: low where white cloud is near (the sun would merge with it)
    or where the background is uneven (one side of the glow would be cloud, the other shade)."""
    w = small.shape[1]
    sigma = w / 360.0 * ROOM_DEG
    white = (small[..., 0] >= CORE_VALUE) & (small[..., 1] >= CORE_VALUE) & (small[..., 2] >= CORE_VALUE)
    clipped = cv2.GaussianBlur(white.astype(np.float32), (0, 0), sigma)
    mean = cv2.GaussianBlur(lum, (0, 0), sigma)
    spread = np.sqrt(np.maximum(cv2.GaussianBlur(lum * lum, (0, 0), sigma) - mean * mean, 0.0))
    return -(clipped * 10.0 + spread / np.maximum(mean, 0.05))  # any white cloud near outweighs unevenness


def _shows_as_sun(small: np.ndarray, sky: float, place: tuple[float, float], look: SunLook) -> bool:
    """Whether a sun painted at ``place`` on the detection copy ``small`` is seen as one, with margin."""
    h, w = small.shape[:2]
    u, v = place
    rows, cols, angles = _angles_to(h, w, u, v, CHECK_RADIUS_DEG)
    window = _painted_window(small[rows][:, cols], angles, look, 180.0 / h)
    core = _core_pixels(window)
    row, col = int(v * h) - rows.start, int(np.argmin(np.abs(cols - int(u * w))))
    if not core[row, col]:
        return False
    _, labels = cv2.connectedComponents(core.astype(np.uint8), connectivity=8)
    mask = labels == labels[row, col]
    if mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any():
        return False  # merged with something larger than the window: not a sun of its own
    lum = luminance(srgb_to_linear(window))
    found = _judge_core(mask, lum, _pixel_solid_angles(rows, h, w), sky, rows.start, h, strict=VERIFY_MARGIN)
    if found is None:
        return False
    seen = (((cols[0] + found.col + 0.5) / w) % 1.0, (found.row + 0.5) / h)
    return angle_between_deg(seen, place) < 1.0


def paint_display_sun(display: np.ndarray, u: float, v: float, look: SunLook) -> np.ndarray:
    """``display`` (float sRGB [0, 1]) with a sun disc and its glare at ``(u, v)`` (:func:`_painted_window`)."""
    out = np.array(display, dtype=np.float32, copy=True)
    h, w = out.shape[:2]
    rows, cols, angles = _angles_to(h, w, u, v, GLOW_REACH * look.outer_deg)
    out[rows, cols] = _painted_window(out[rows][:, cols], angles, look, 180.0 / h)
    return out


def _painted_window(srgb: np.ndarray, angles: np.ndarray, look: SunLook, pixel_deg: float) -> np.ndarray:
    """The pixels ``srgb`` (at ``angles`` degrees from the sun) with the sun's glare and disc over them.

    The glare is screened over the sky in linear light (``1 - (1 - sky) (1 - glare)``), as light scattered in
    a lens adds to a picture that cannot go above white: a blue gap turns white near the sun as fast as a
    white cloud does, so the clipped core stays a round disc instead of running along the cloud beside it,
    and the aureole is bright on every side.
    """
    reach = GLOW_REACH * look.outer_deg
    lin = srgb_to_linear(srgb)
    taper = np.clip((reach - angles) / (0.3 * reach), 0.0, 1.0)  # the faint edge fades out instead of stopping
    glow = look.inner * np.exp(-angles / look.inner_deg) + look.outer * np.exp(-angles / look.outer_deg) * taper
    glare = np.minimum(glow, 1.0)[..., None] * np.asarray(look.colour, np.float32)
    lin = 1.0 - (1.0 - lin) * (1.0 - glare)
    coverage = np.clip((0.5 * look.disc_deg - angles) / pixel_deg + 0.5, 0.0, 1.0)[..., None]
    lin = lin * (1.0 - coverage) + coverage
    painted: np.ndarray = linear_to_srgb(np.clip(lin, 0.0, 1.0))
    return painted


def _disc_weights(angles: np.ndarray, solid: np.ndarray, look: SunLook, pixel_deg: float) -> np.ndarray:
    """Per-pixel share of the HDR disc, scaled so that sum(weight * solid angle) is the disc's solid angle
    at any resolution (a disc smaller than a pixel keeps its energy)."""
    radius = math.degrees(math.sqrt(look.hdr_solid_angle_sr / math.pi))
    coverage = np.clip((radius - angles) / pixel_deg + 0.5, 0.0, 1.0)
    if not coverage.any():
        coverage = (angles <= angles.min()).astype(np.float32)
    return coverage * (look.hdr_solid_angle_sr / float((coverage * solid).sum()))


def add_hdr_sun(radiance: np.ndarray, u: float, v: float, look: SunLook, median: float) -> np.ndarray:
    """``radiance`` with the sun of ``look`` at ``(u, v)``: a disc of ``hdr_ratio * median`` and its aureole."""
    out = np.array(radiance, dtype=np.float32, copy=True)
    h, w = out.shape[:2]
    rows, cols, angles = _angles_to(h, w, u, v, 6.0 * look.aureole_deg)
    solid = _pixel_solid_angles(rows, h, w)
    disc = _disc_weights(angles, solid, look, 180.0 / h) * ((look.hdr_ratio - 1.0) * median)
    aureole = look.aureole * median * np.exp(-angles / look.aureole_deg)
    colour = np.asarray(look.colour, np.float32) / float(luminance(np.asarray(look.colour, np.float32)))
    out[rows, cols] += (disc + aureole)[..., None] * colour
    return out


def sun_irradiance(look: SunLook, median: float) -> float:
    """The excess irradiance of :func:`add_hdr_sun`'s disc and aureole, in the HDR's units: what a Sun light
    needs to light a scene as the HDR's sun would (the aureole's integral ``2 pi tau^2`` to 6 ``tau``)."""
    tau = math.radians(look.aureole_deg)
    aureole = look.aureole * 2.0 * math.pi * tau**2 * (1.0 - 7.0 * math.exp(-6.0))
    return median * ((look.hdr_ratio - 1.0) * look.hdr_solid_angle_sr + aureole)


# --- the decision ---------------------------------------------------------------------------------------


def decide_sun(
    display: np.ndarray,
    request: SunRequest,
    *,
    cloud: str | None = None,
    seed: int | None = None,
    has_radiance: bool = False,
) -> tuple[SunDecision, np.ndarray]:
    """The one sun of a sky and the display picture to write (with the sun painted where it was put).

    ``has_radiance``: the HDR comes from the input's own radiance, where ``auto`` measures it instead
    (:func:`skyasset.pipeline.write_sky`); nothing is painted then. A placed sun is painted at full size and
    found again by :func:`find_visible_sun` before it is kept (at most ``_CONFIRMED`` places are tried), so
    the sidecar, the PNG and the HDR agree; where none shows, the sky gets no sun.
    """
    weather = weather_of(cloud)
    if request.mode == "none":
        return SunDecision("none", weather=weather), display
    if request.mode == "given":
        u, v = uv_from_angles(request.elevation_deg, request.azimuth_deg)
        decision = SunDecision("given", u, v, "hazy" if weather == "hazy" else "clear")
        return decision, paint_display_sun(display, u, v, SUN_LOOKS[decision.weather])
    if has_radiance:
        return SunDecision("measured", weather=weather), display
    visible = find_visible_sun(display, evident=True)
    if visible is not None:
        return SunDecision("detected", visible.u, visible.v, "clear" if weather == "clear" else "hazy"), display
    if weather == "overcast" or seed is None:
        return SunDecision("none", weather=weather), display
    look = SUN_LOOKS[weather]
    for u, v in itertools.islice(placed_sun_positions(display, seed, look), _CONFIRMED):
        painted = paint_display_sun(display, u, v, look)
        seen = find_visible_sun(painted)
        if seen is not None and angle_between_deg((seen.u, seen.v), (u, v)) < 1.0:
            return SunDecision("placed", u, v, weather), painted
    return SunDecision("none", weather=weather), display  # no room for a sun that would show as one


def hdr_with_sun(display: np.ndarray, decision: SunDecision, median: float) -> np.ndarray:
    """The HDR expansion of ``display`` with the decided sun's disc (``median``: :func:`expanded_median`)."""
    radiance = expand_to_hdr(display)
    if decision.u is not None and decision.v is not None:
        radiance = add_hdr_sun(radiance, decision.u, decision.v, SUN_LOOKS[decision.weather], median)
    return radiance


def expanded_median(display: np.ndarray) -> float:
    """The sky median the HDR expansion of ``display`` would have, without expanding every pixel."""
    small = _detect_copy(display)
    m = sky_median(srgb_to_linear(small))
    k = 1.0 - 1.0 / hdr_white_point(m)
    return m / (1.0 - k * min(m, 0.999))


def report(decision: SunDecision, median: float) -> dict[str, Any]:
    """The sidecar's and answer's ``sun`` for a decided (not measured) sun; ``median`` in the HDR's units."""
    if not decision.present or decision.u is None or decision.v is None:
        return none_report(decision.source)
    look = SUN_LOOKS[decision.weather]
    elevation, azimuth = angles_from_uv(decision.u, decision.v)
    irradiance = sun_irradiance(look, median)
    return {
        "u": round(decision.u, 5),
        "v": round(decision.v, 5),
        "elevation_deg": round(elevation, 3),
        "azimuth_deg": round(azimuth, 3),
        "irradiance": round(irradiance, 5),
        "angle_deg": round(math.degrees(2.0 * math.sqrt(look.hdr_solid_angle_sr / math.pi)), 3),
        "contrast": round(look.hdr_ratio, 4),
        "distinct": True,
        "present": True,
        "source": decision.source,
    }


def none_report(source: SunSource = "none") -> dict[str, Any]:
    """The ``sun`` of a sky without one: the same keys, ``present``/``distinct`` false, zero irradiance."""
    return {
        "u": 0.5,
        "v": 0.0,
        "elevation_deg": 90.0,
        "azimuth_deg": 0.0,
        "irradiance": 0.0,
        "angle_deg": 0.0,
        "contrast": 1.0,
        "distinct": False,
        "present": False,
        "source": source,
    }
