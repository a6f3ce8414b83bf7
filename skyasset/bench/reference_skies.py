"""Real sky panoramas scored on the same sky measures as generated ones (``bench skybox --reference``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from skyasset.assets.sky_measures import display_from_radiance, score_sky
from skyasset.bench.photos import read_image
from skyasset.errors import SkyassetError

__all__ = [
    "REFERENCE_SUFFIXES",
    "REFERENCE_TURNS",
    "RealSky",
    "read_reference_skies",
    "read_sky",
    "reference_range",
    "score_reference_skies",
    "skies_above",
]

REFERENCE_SUFFIXES = (".hdr", ".exr", ".png", ".jpg", ".jpeg")
# A real sky is scored turned to this many azimuths: the overhead measures look at fixed places of the view
# straight up, so one orientation of a real sky is one sample of its range (kloofendal's zenith seam: 2.29 as
# stored, 2.27-2.61 over 24 turns; the evening sky's 1.88, 1.35-2.44).
REFERENCE_TURNS = 24
RealSky = tuple[np.ndarray, np.ndarray | None]  # a real sky as the measures see it, and its radiance (HDR files)


def read_sky(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """An equirect as the sky measures see it (float32 RGB in [0, 1]; HDR files shown as
    :func:`skyasset.assets.sky_measures.display_from_radiance` does) and, for HDR files, its radiance."""
    from skyasset.assets.hdr import read_hdr

    if path.suffix.lower() in (".hdr", ".exr"):
        radiance = read_hdr(path)
        return display_from_radiance(radiance), radiance
    return read_image(path, cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255.0, None


def read_reference_skies(folder: Path) -> dict[str, RealSky]:
    """Every equirect panorama in ``folder``, read once, by file name (:func:`read_sky`)."""
    if not folder.is_dir():
        raise SkyassetError("input_not_found", f"Reference folder {folder} not found: give a folder of panoramas.")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in REFERENCE_SUFFIXES and p.is_file())
    if not files:
        raise SkyassetError(
            "invalid_argument",
            f"{folder} holds no panorama ({', '.join(REFERENCE_SUFFIXES)}): give a folder of equirect skies.",
        )
    return {path.name: read_sky(path) for path in files}


def score_reference_skies(skies: Mapping[str, RealSky]) -> dict[str, dict[str, float]]:
    """The sky measures of each real sky (:func:`read_reference_skies`; HDR files are shown as
    :func:`skyasset.assets.sky_measures.display_from_radiance` does, and their hot spots counted), by file name."""
    from skyasset.assets.sun_measures import hdr_hot_spots

    scores = {}
    for name, (display, radiance) in skies.items():
        hot_spots = {} if radiance is None else {"hdr_hot_spots": float(hdr_hot_spots(radiance))}
        scores[name] = {k: round(v, 4) for k, v in (score_sky(display) | hot_spots).items()}
    return scores


def reference_range(skies: Mapping[str, RealSky], turns: int = REFERENCE_TURNS) -> dict[str, dict[str, float]]:
    """Per sky measure, the lowest and highest score of the real skies (:func:`read_reference_skies`), each
    turned to ``turns`` azimuths (see ``REFERENCE_TURNS``); every measure is "lower is better", so ``max`` is the
    bar."""
    runs: list[dict[str, float]] = []
    for display, _ in skies.values():
        width = display.shape[1]
        runs.extend(score_sky(np.roll(display, k * width // turns, axis=1)) for k in range(turns))
    return {
        name: {"min": round(min(r[name] for r in runs), 4), "max": round(max(r[name] for r in runs), 4)}
        for name in (runs[0] if runs else {})
    }


def skies_above(runs: list[dict[str, Any]], ranges: dict[str, dict[str, float]]) -> dict[str, list[str]]:
    """Per measure of ``ranges``, the generated skies (``runs``: each with ``cloud``, ``seed`` and its scores)
    that score above every real sky, worst first, as ``"CLOUD SEED"``."""
    above = {}
    for name, bounds in ranges.items():
        worse = sorted((r for r in runs if r[name] > bounds["max"]), key=lambda r: -r[name])
        above[name] = [f"{r['cloud']} {r['seed']}" for r in worse]
    return above
