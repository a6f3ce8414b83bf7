"""Reading the photos and panoramas the benchmarks measure against."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from skyasset.errors import SkyassetError
from skyasset.native_paths import imread

__all__ = ["class_photos", "read_image"]


def read_image(path: Path, flags: int) -> np.ndarray:
    """``cv2.imread`` (BGR) that refuses with ``io_error`` a file it cannot read."""
    try:
        img = imread(path, flags)
    except OSError:
        img = None
    if img is None:
        raise SkyassetError("io_error", f"Cannot read {path} as an image; remove or replace it.")
    return img


@lru_cache(maxsize=16)
def class_photos(folder: str) -> tuple[list[Path], np.ndarray]:
    """Photos of one class and a colour descriptor of each (mean and spread of a 16x16 thumbnail)."""
    files = sorted(Path(folder).glob("*.jpg"))
    desc = []
    for f in files:
        img = read_image(f, cv2.IMREAD_REDUCED_COLOR_4)
        small = cv2.resize(img, (16, 16), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        desc.append(np.concatenate([small.mean(axis=(0, 1)), small.std(axis=(0, 1))]))
    return files, np.asarray(desc, np.float32)
