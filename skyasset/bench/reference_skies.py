"""Real sky panoramas scored on the same sky measures as generated ones (``bench skybox --reference``)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from skyasset.assets.sky_measures import display_from_radiance, score_sky
from skyasset.bench.photos import read_image
from skyasset.errors import SkyassetError

__all__ = ["REFERENCE_SUFFIXES", "read_sky", "score_reference_skies"]

REFERENCE_SUFFIXES = (".hdr", ".exr", ".png", ".jpg", ".jpeg")


def read_sky(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """An equirect as the sky measures see it (float32 RGB in [0, 1]; HDR files shown as
    :func:`skyasset.assets.sky_measures.display_from_radiance` does) and, for HDR files, its radiance."""
    from skyasset.assets.hdr import read_hdr

    if path.suffix.lower() in (".hdr", ".exr"):
        radiance = read_hdr(path)
        return display_from_radiance(radiance), radiance
    return read_image(path, cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255.0, None


def score_reference_skies(folder: Path) -> dict[str, dict[str, float]]:
    """The sky measures of every equirect panorama in ``folder`` (HDR files are shown as
    :func:`skyasset.assets.sky_measures.display_from_radiance` does, and their hot spots counted), by file name."""
    from skyasset.assets.sun_measures import hdr_hot_spots

    if not folder.is_dir():
        raise SkyassetError("input_not_found", f"Reference folder {folder} not found: give a folder of panoramas.")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in REFERENCE_SUFFIXES and p.is_file())
    if not files:
        raise SkyassetError(
            "invalid_argument",
            f"{folder} holds no panorama ({', '.join(REFERENCE_SUFFIXES)}): give a folder of equirect skies.",
        )
    scores = {}
    for path in files:
        display, radiance = read_sky(path)
        hot_spots = {} if radiance is None else {"hdr_hot_spots": float(hdr_hot_spots(radiance))}
        scores[path.name] = {k: round(v, 4) for k, v in (score_sky(display) | hot_spots).items()}
    return scores
