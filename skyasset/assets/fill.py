"""What the views do not cover: the zenith cap above them and everything below the horizon."""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np

__all__ = ["GroundFill", "fill_zenith", "fill_below_horizon"]

GroundFill = Literal["haze", "solid", "reflection"]


def _smooth_columns(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing of ``[W, C]`` along the circular longitude axis."""
    w = values.shape[0]
    pad = min(w, int(3 * sigma) + 1)
    ext = np.concatenate([values[-pad:], values, values[:pad]], axis=0)[:, None, :].astype(np.float32)
    out = cv2.GaussianBlur(ext, (1, 0), sigmaX=0.1, sigmaY=sigma, borderType=cv2.BORDER_REPLICATE)
    return out[pad:pad + w, 0, :]


def fill_zenith(image: np.ndarray, coverage: np.ndarray, *, full: float = 0.35, smooth_deg: float = 20.0) -> np.ndarray:
    """Fill the cap above the views smoothly, converging to one colour at the zenith.

    Above the top of the views each column fades from the colour at the top of its coverage (smoothed over
    ``smooth_deg`` of longitude, so no streaks point at the pole) to the mean of those colours at the zenith,
    linearly in angle. Where the coverage weight is below ``full`` the view content fades into that fill, which
    hides the views' top edges.

    Parameters
    ----------
    image
        Upper-hemisphere equirect rows ``[H, W, 3]`` (row 0 = zenith, last row = horizon).
    coverage
        Summed feather weight ``[H, W]`` of the views (0 = not covered).
    """
    h, w = coverage.shape
    covered = coverage > 1e-3
    any_cov = covered.any(axis=0)
    # Topmost covered row per column (rows run from the zenith down).
    top = np.where(any_cov, np.argmax(covered, axis=0), h - 1)
    # Colour a little below the top of the coverage, where the weight is reliable.
    probe = np.clip(top + max(2, h // 40), 0, h - 1)
    edge = image[probe, np.arange(w)]
    if not any_cov.all():
        edge[~any_cov] = edge[any_cov].mean(axis=0) if any_cov.any() else 0.5
    edge = _smooth_columns(edge, smooth_deg / 360.0 * w)
    zenith = edge.mean(axis=0)
    rows = np.arange(h, dtype=np.float32)[:, None] + 0.5
    t = np.clip(rows / np.maximum(probe[None, :].astype(np.float32) + 0.5, 1.0), 0.0, 1.0)  # 0 at zenith
    t = t * t * (3.0 - 2.0 * t)
    fill = zenith[None, None, :] * (1.0 - t[..., None]) + edge[None, :, :] * t[..., None]
    alpha = np.clip(coverage / full, 0.0, 1.0)
    alpha = (alpha * alpha * (3.0 - 2.0 * alpha))[..., None]
    return (image * alpha + fill * (1.0 - alpha)).astype(np.float32)


def fill_below_horizon(
    sky: np.ndarray,
    mode: GroundFill = "haze",
    *,
    color: tuple[float, float, float] = (0.35, 0.36, 0.38),
    darken: float = 0.75,
    smooth_deg: float = 30.0,
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
    band = max(1, h // 45)  # ~2 degrees above the horizon
    horizon = _smooth_columns(sky[h - band:].mean(axis=0), smooth_deg / 360.0 * w)
    depth = ((np.arange(h, dtype=np.float32) + 0.5) / h)[:, None, None]  # 0 at the horizon, 1 at the nadir
    grey = horizon.mean(axis=1, keepdims=True)
    far = (0.5 * horizon + 0.5 * grey) * darken
    t = 1.0 - np.exp(-depth * 3.0)
    haze = horizon[None] * (1.0 - t) + far[None] * t
    if mode == "haze":
        return haze.astype(np.float32)
    if mode == "reflection":
        mirrored = sky[::-1]
        soft = cv2.GaussianBlur(mirrored, (0, 0), sigmaX=max(1.0, w / 512), sigmaY=max(1.0, h / 64))
        fade = np.exp(-depth * 2.5)
        return (soft * darken * fade + haze * (1.0 - fade)).astype(np.float32)
    raise ValueError(f"unknown ground fill {mode!r}")
