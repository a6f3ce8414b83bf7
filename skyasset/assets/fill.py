"""What the views do not cover: the zenith cap above them and everything below the horizon."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import cv2
import numpy as np

from skyasset.assets.sphere import luminance, smoothstep
from skyasset.choices import check_choice
from skyasset.errors import SkyassetError

__all__ = [
    "DEFAULT_GROUND_COLOR",
    "GROUND_FILLS",
    "GroundFill",
    "check_ground",
    "ground_settings",
    "parse_ground_color",
    "fill_zenith",
    "fill_below_horizon",
    "smooth_columns",
    "ground_colour",
    "horizon_colours",
    "join_at_horizon",
    "pull_push",
]

GroundFill = Literal["haze", "solid", "reflection"]
GROUND_FILLS: tuple[GroundFill, ...] = get_args(GroundFill)

DEFAULT_GROUND_COLOR: tuple[float, float, float] = (0.35, 0.36, 0.38)  # the solid ground's, unless given
HORIZON_BAND_DEG = 1.0  # the sky's last degree sets each longitude's horizon colour
COLUMN_DEG = 3.0  # below the horizon, each longitude's own colour is gone within this depression
BROAD_SIGMA_DEG = 45.0  # ... into the horizon colour smoothed over longitude with this Gaussian sigma
HAZE_DEG = 6.0  # the sky's last degrees fade into the haze's horizon colour (join_at_horizon)
GROUND_DEG = 20.0  # the haze is 63% of the way to the ground colour at this depression
GROUND_SATURATION = 0.4  # the ground keeps this share of the horizon's saturation
GROUND_BRIGHTNESS = 0.7  # and this share of its brightness


def check_ground(ground: str, color: Sequence[float]) -> None:
    """Refuse an unknown fill or a colour that is not three values in [0, 1]."""
    check_choice("ground", ground, GROUND_FILLS)
    if len(color) != 3 or not all(0.0 <= float(c) <= 1.0 for c in color):
        raise SkyassetError("invalid_argument", f"ground_color must be three values in [0, 1], got {color}.")


def parse_ground_color(text: str) -> tuple[float, float, float]:
    """``"R,G,B"`` (three numbers in [0, 1], as ``--ground-color`` takes them) as a colour tuple."""
    parts = text.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 3 or not all(np.isfinite(v) and 0.0 <= v <= 1.0 for v in values):
        raise SkyassetError(
            "invalid_argument",
            f"--ground-color must be R,G,B: three numbers in [0, 1] separated by commas, e.g. 0.35,0.36,0.38; "
            f"got {text!r}.",
        )
    return (values[0], values[1], values[2])


def ground_settings(ground: str, color: Sequence[float] | None) -> tuple[float, float, float]:
    """The colour a ``ground`` fill uses, after checking both (:func:`check_ground`): ``color`` only goes with
    ``solid`` (the other fills take their colours from the sky), whose default is ``DEFAULT_GROUND_COLOR``."""
    if color is not None and ground != "solid":
        raise SkyassetError(
            "invalid_argument",
            f"A ground colour only goes with the solid ground (ground '{ground}' takes its colours from the sky): "
            "add --ground solid, or leave the colour out.",
        )
    try:
        chosen = DEFAULT_GROUND_COLOR if color is None else tuple(float(c) for c in color)
    except (TypeError, ValueError):
        raise SkyassetError(
            "invalid_argument", f"ground_color must be three numbers in [0, 1], got {color!r}."
        ) from None
    check_ground(ground, chosen)
    return (chosen[0], chosen[1], chosen[2])


def smooth_columns(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing of ``[W, C]`` along the circular longitude axis (wraps however wide the kernel)."""
    w = values.shape[0]
    half = int(4 * sigma) + 1
    ext = np.pad(values.astype(np.float32), ((half, half), (0, 0)), mode="wrap")[:, None, :]
    out = cv2.GaussianBlur(ext, (1, 2 * half + 1), sigmaX=0.1, sigmaY=sigma, borderType=cv2.BORDER_REPLICATE)
    return out.reshape(ext.shape)[half : half + w, 0, :]  # one channel comes back without its axis


def pull_push(image: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Fill where ``alpha`` is low from coarser and coarser averages of the covered pixels (Gortler et al.)."""
    levels = []
    prem: np.ndarray = image * alpha[..., None]
    a: np.ndarray = alpha.astype(np.float32)
    while min(a.shape) > 4:
        levels.append((prem, a))
        size = (max(1, a.shape[1] // 2), max(1, a.shape[0] // 2))
        prem = cv2.resize(prem, size, interpolation=cv2.INTER_AREA)
        a = cv2.resize(a, size, interpolation=cv2.INTER_AREA)
    total = np.maximum(a, 1e-6)[..., None]
    colour = prem / total
    if (a <= 1e-6).any():
        colour[a <= 1e-6] = prem.sum(axis=(0, 1)) / max(float(a.sum()), 1e-6)
    for prem_l, a_l in reversed(levels):
        up = cv2.resize(colour, (a_l.shape[1], a_l.shape[0]), interpolation=cv2.INTER_LINEAR)
        keep = np.clip(a_l, 0.0, 1.0)[..., None]
        colour = prem_l / np.maximum(a_l, 1e-6)[..., None] * keep + up * (1.0 - keep)
    return colour


def fill_zenith(image: np.ndarray, coverage: np.ndarray, *, full: float = 0.35, pole_deg: float = 25.0) -> np.ndarray:
    """Fill what the views leave open in the upper hemisphere smoothly, converging to one colour at the zenith.

    Holes (between the views' top edges and the cap above them) are filled by pull-push: each hole pixel gets
    the average of the covered pixels around it at the finest scale that has any, so the fill continues the
    surrounding colours without streaks. Where the coverage weight is below ``full`` the view content fades into
    the fill, hiding the views' edges. Within ``pole_deg`` of the zenith every row fades to its mean colour,
    so the up cube face shows no pinch point.

    Parameters
    ----------
    image
        Upper-hemisphere equirect rows ``[H, W, 3]`` (row 0 = zenith, last row = horizon).
    coverage
        Summed feather weight ``[H, W]`` of the views (0 = not covered).
    """
    h, w = coverage.shape
    alpha = np.clip(coverage / full, 0.0, 1.0)
    alpha = alpha * alpha * (3.0 - 2.0 * alpha)
    pad = w // 8  # wrap-around context for the horizontal seam
    wide_img = np.concatenate([image[:, -pad:], image, image[:, :pad]], axis=1)
    wide_a = np.concatenate([alpha[:, -pad:], alpha, alpha[:, :pad]], axis=1)
    fill = pull_push(wide_img.astype(np.float32), wide_a.astype(np.float32))[:, pad : pad + w]
    out = image * alpha[..., None] + fill * (1.0 - alpha[..., None])
    lat = 90.0 - (np.arange(h, dtype=np.float32) + 0.5) / h * 90.0
    t = np.clip((lat - (90.0 - pole_deg)) / pole_deg, 0.0, 1.0)[:, None, None]
    t = t * t * (3.0 - 2.0 * t)
    row_mean = out.mean(axis=1, keepdims=True)
    row_mean = cv2.GaussianBlur(row_mean, (1, 0), sigmaX=0.1, sigmaY=max(1.0, h / 30))
    return (out * (1.0 - t) + row_mean * t).astype(np.float32)


def horizon_colours(sky: np.ndarray, *, band_deg: float = HORIZON_BAND_DEG) -> np.ndarray:
    """Each longitude's colour ``[W, 3]`` at the horizon: the mean of the sky's last ``band_deg`` (``sky`` is an
    upper hemisphere, last row = the horizon), smoothed over about a degree of longitude so one pixel's noise
    does not become a column of its own."""
    h, w = sky.shape[:2]
    rows = max(1, int(round(band_deg / 90.0 * h)))
    return smooth_columns(sky[h - rows :].mean(axis=0), max(0.5, w / 360.0))


def ground_colour(horizon: np.ndarray) -> np.ndarray:
    """The ground's one colour ``[3]`` from the sky's own light: the mean horizon colour ``horizon`` ``[W, 3]``,
    desaturated (``GROUND_SATURATION``) and darkened (``GROUND_BRIGHTNESS``), as land seen through haze is."""
    mean = horizon.reshape(-1, 3).mean(axis=0)
    grey = float(luminance(mean))
    return ((grey + GROUND_SATURATION * (mean - grey)) * GROUND_BRIGHTNESS).astype(np.float32)


def fill_below_horizon(
    sky: np.ndarray,
    mode: GroundFill = "haze",
    *,
    color: tuple[float, float, float] = (0.35, 0.36, 0.38),
    darken: float = 0.85,
    column_deg: float = COLUMN_DEG,
) -> np.ndarray:
    """The lower hemisphere ``[H, W, 3]`` for an upper hemisphere ``sky`` (same size, horizon = its last row).

    Parameters
    ----------
    sky
        Upper-hemisphere equirect, row 0 = zenith, last row = just above the horizon.
    mode
        ``haze`` (default): a haze that starts at the horizon in each longitude's own colour
        (:func:`horizon_colours`, so the sky's last degrees continue without an edge), leaves that colour within
        ``column_deg`` for the horizon colour smoothed over longitude (``BROAD_SIGMA_DEG``) (so a dark column at the
        horizon is not drawn down as a streak, while the brighter side under a low sun stays brighter), and
        deepens with depression into one ground colour (:func:`ground_colour`) that the nadir reaches exactly,
        as the "pure sky" HDRIs do. ``solid``: one ``color``. ``reflection``: the sky mirrored about the horizon,
        blurred and darkened by ``darken`` a few degrees down, fading into the haze, as over water.
    """
    h, w = sky.shape[:2]
    if mode == "solid":
        return np.broadcast_to(np.asarray(color, np.float32), (h, w, 3)).copy()
    depth = ((np.arange(h, dtype=np.float32) + 0.5) / h)[:, None, None]  # 0 at the horizon, 1 at the nadir
    depression = 90.0 * depth
    near = horizon_colours(sky)
    broad = smooth_columns(near, BROAD_SIGMA_DEG / 360.0 * w)
    ground = ground_colour(near)
    own = 1.0 - smoothstep(depression / column_deg)  # each longitude's own colour, only near the horizon
    horizon = near[None] * own + broad[None] * (1.0 - own)
    deepen = 1.0 - np.exp(-((depression / GROUND_DEG) ** 2))  # flat at the horizon: no kink under the sky
    deepen = deepen + (1.0 - deepen) * depth**2  # exactly the ground colour at the nadir: no pinwheel there
    haze = horizon * (1.0 - deepen) + ground * deepen
    if mode == "haze":
        return haze.astype(np.float32)
    if mode == "reflection":
        mirrored = sky[::-1]
        soft = cv2.GaussianBlur(mirrored, (0, 0), sigmaX=max(1.0, w / 512), sigmaY=max(1.0, h / 64))
        dim = 1.0 - (1.0 - darken) * smoothstep(depression / column_deg)  # no step at the waterline
        fade = np.exp(-depth * 2.5)
        return (soft * dim * fade + haze * (1.0 - fade)).astype(np.float32)
    raise ValueError(f"unknown ground fill {mode!r}")


def join_at_horizon(upper: np.ndarray, lower: np.ndarray, *, haze_deg: float = HAZE_DEG) -> np.ndarray:
    """Stack the hemispheres, fading the last ``haze_deg`` of sky into the fill's horizon colour.

    Real skies get hazier toward the horizon; the fade also hides the line where the views' sky ends. It reaches
    the fill's first row at the sky's last row, so the two meet without a step. Over 4 degrees a band of cloud
    still ended in a straight line on the flat haze below it: 14 of 220 default-model skies had a horizon step
    above both real skies' (median 0.55); over ``HAZE_DEG`` 6 do (median 0.37; the real skies 0.22 and 1.07;
    over 8 degrees 5, at the cost of more of the clouds low on the horizon).
    """
    h = upper.shape[0]
    k = max(2, int(round(haze_deg / 90.0 * h)))
    t = smoothstep(np.linspace(0.0, 1.0, k, dtype=np.float32))[:, None, None]
    upper = upper.copy()
    upper[h - k :] = upper[h - k :] * (1.0 - t) + lower[:1] * t
    return np.concatenate([upper, lower], axis=0)
