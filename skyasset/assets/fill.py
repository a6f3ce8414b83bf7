"""What the views do not cover: the zenith cap above them and everything below the horizon."""

from __future__ import annotations

from typing import Literal, get_args

import cv2
import numpy as np

from skyasset.errors import SkyassetError

__all__ = [
    "GROUND_FILLS",
    "GroundFill",
    "check_ground",
    "fill_zenith",
    "fill_below_horizon",
    "join_at_horizon",
]

GroundFill = Literal["haze", "solid", "reflection"]
GROUND_FILLS: tuple[GroundFill, ...] = get_args(GroundFill)


def check_ground(ground: str, color: tuple[float, float, float]) -> None:
    """Refuse an unknown fill or a colour that is not three values in [0, 1]."""
    if ground not in GROUND_FILLS:
        raise SkyassetError("invalid_argument", f"Unknown ground '{ground}'. Choose one of {', '.join(GROUND_FILLS)}.")
    if len(color) != 3 or not all(0.0 <= float(c) <= 1.0 for c in color):
        raise SkyassetError("invalid_argument", f"ground_color must be three values in [0, 1], got {color}.")


def _smooth_columns(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing of ``[W, C]`` along the circular longitude axis (wraps however wide the kernel)."""
    w = values.shape[0]
    half = int(4 * sigma) + 1
    ext = np.pad(values.astype(np.float32), ((half, half), (0, 0)), mode="wrap")[:, None, :]
    out = cv2.GaussianBlur(ext, (1, 2 * half + 1), sigmaX=0.1, sigmaY=sigma, borderType=cv2.BORDER_REPLICATE)
    return out[half : half + w, 0, :]


def _pull_push(image: np.ndarray, alpha: np.ndarray) -> np.ndarray:
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
    fill = _pull_push(wide_img.astype(np.float32), wide_a.astype(np.float32))[:, pad : pad + w]
    out = image * alpha[..., None] + fill * (1.0 - alpha[..., None])
    lat = 90.0 - (np.arange(h, dtype=np.float32) + 0.5) / h * 90.0
    t = np.clip((lat - (90.0 - pole_deg)) / pole_deg, 0.0, 1.0)[:, None, None]
    t = t * t * (3.0 - 2.0 * t)
    row_mean = out.mean(axis=1, keepdims=True)
    row_mean = cv2.GaussianBlur(row_mean, (1, 0), sigmaX=0.1, sigmaY=max(1.0, h / 30))
    return (out * (1.0 - t) + row_mean * t).astype(np.float32)


def fill_below_horizon(
    sky: np.ndarray,
    mode: GroundFill = "haze",
    *,
    color: tuple[float, float, float] = (0.35, 0.36, 0.38),
    darken: float = 0.85,
    smooth_deg: float = 20.0,
) -> np.ndarray:
    """The lower hemisphere ``[H, W, 3]`` for an upper hemisphere ``sky`` (same size, horizon = its last row).

    Parameters
    ----------
    sky
        Upper-hemisphere equirect, row 0 = zenith, last row = just above the horizon.
    mode
        ``haze`` (default): the horizon colour of each longitude (smoothed over ``smooth_deg``), fading with
        depression angle to a darker, greyer haze, like the "pure sky" HDRIs. ``solid``: one ``color``.
        ``reflection``: the sky mirrored about the horizon, blurred and darkened by ``darken``, as over water.
    """
    h, w = sky.shape[:2]
    if mode == "solid":
        return np.broadcast_to(np.asarray(color, np.float32), (h, w, 3)).copy()
    skip, band = max(1, h // 45), max(2, h // 22)  # a 4 degree band starting 2 degrees above the horizon
    near = np.median(sky[h - skip - band : h - skip], axis=0)
    horizon = _smooth_columns(near, smooth_deg / 360.0 * w)
    broad = _smooth_columns(near, 4.0 * smooth_deg / 360.0 * w)
    depth = ((np.arange(h, dtype=np.float32) + 0.5) / h)[:, None, None]  # 0 at the horizon, 1 at the nadir
    grey = broad.mean(axis=1, keepdims=True)
    far = (0.5 * broad + 0.5 * grey) * darken
    t = 1.0 - np.exp(-depth * 2.0)
    haze = horizon[None] * (1.0 - t) + far[None] * t
    nadir = depth**2  # every column meets in one colour at the nadir (no pinwheel in the down face)
    haze = haze * (1.0 - nadir) + far.mean(axis=0)[None, None, :] * nadir
    if mode == "haze":
        return haze.astype(np.float32)
    if mode == "reflection":
        mirrored = sky[::-1]
        soft = cv2.GaussianBlur(mirrored, (0, 0), sigmaX=max(1.0, w / 512), sigmaY=max(1.0, h / 64))
        fade = np.exp(-depth * 2.5)
        return (soft * darken * fade + haze * (1.0 - fade)).astype(np.float32)
    raise ValueError(f"unknown ground fill {mode!r}")


def join_at_horizon(upper: np.ndarray, lower: np.ndarray, *, haze_deg: float = 4.0) -> np.ndarray:
    """Stack the hemispheres, fading the last ``haze_deg`` of sky into the fill's horizon colour.

    Real skies get hazier toward the horizon; the fade also hides the line where the views' sky ends.
    """
    h = upper.shape[0]
    k = max(2, int(round(haze_deg / 90.0 * h)))
    t = np.linspace(0.0, 1.0, k, dtype=np.float32)[:, None, None]
    t = 0.85 * t * t * (3.0 - 2.0 * t)
    upper = upper.copy()
    upper[h - k :] = upper[h - k :] * (1.0 - t) + lower[:1] * t
    return np.concatenate([upper, lower], axis=0)
