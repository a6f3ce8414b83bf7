"""CCSN photos for upscaler distillation and evaluation: a fixed held-out split and 4x-downscaled inputs.

Every tenth photo of each class (sorted by file name) is held out for evaluation and never used to train.
Low-resolution inputs are made the way the benchmark makes them: the photo is cropped to a multiple of 4 and
shrunk 4x with an antialiased bicubic filter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image

__all__ = ["ccsn_root", "split_files", "load_rgb", "downscale4", "teacher_pairs", "photo_pairs"]

Split = Literal["train", "heldout"]
HOLDOUT_EVERY = 10


def ccsn_root() -> Path:
    """``<repo>/../shared/datasets/ccsn`` (may not exist on machines without the data)."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "ccsn"


def split_files(root: Path, split: Split) -> list[Path]:
    """Photos of one split, in a fixed order (class folder, then file name)."""
    files: list[Path] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        for i, photo in enumerate(photos):
            if (i % HOLDOUT_EVERY == 0) == (split == "heldout"):
                files.append(photo)
    return files


def load_rgb(path: Path) -> np.ndarray:
    """float32 ``[H, W, 3]`` in [0, 1], cropped to a multiple of 4 on each side."""
    image = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0
    h, w = image.shape[0] // 4 * 4, image.shape[1] // 4 * 4
    return np.ascontiguousarray(image[:h, :w])


def downscale4(image: np.ndarray) -> np.ndarray:
    """Shrink ``[H, W, 3]`` 4x with PIL's antialiased bicubic filter (float in, float out)."""
    pil = Image.fromarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8))
    small = pil.resize((image.shape[1] // 4, image.shape[0] // 4), Image.Resampling.BICUBIC)
    return np.asarray(small, dtype=np.float32) / 255.0


def teacher_pairs(
    files: list[Path],
    teacher: object,
    *,
    crop: int = 64,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """One random LR crop per photo with its teacher output and its ground-truth HR crop.

    Parameters
    ----------
    files
        Training photos.
    teacher
        An ``onnxruntime.InferenceSession`` of the teacher (input ``input``, output ``output``).
    crop
        LR crop edge in pixels.

    Returns
    -------
    dict
        ``lr`` uint8 ``[N, crop, crop, 3]``, ``teacher`` and ``hr`` uint8 ``[N, 4crop, 4crop, 3]``.
    """
    rng = np.random.default_rng(seed)
    lrs, teachers, hrs = [], [], []
    for path in files:
        hr = load_rgb(path)
        lr = downscale4(hr)
        y = int(rng.integers(0, lr.shape[0] - crop + 1))
        x = int(rng.integers(0, lr.shape[1] - crop + 1))
        lr_crop = lr[y : y + crop, x : x + crop]
        out = teacher.run(["output"], {"input": lr_crop.transpose(2, 0, 1)[None].copy()})[0][0]  # type: ignore[attr-defined]
        lrs.append(lr_crop)
        teachers.append(out.transpose(1, 2, 0))
        hrs.append(hr[4 * y : 4 * (y + crop), 4 * x : 4 * (x + crop)])

    def to_u8(items: list[np.ndarray]) -> np.ndarray:
        return (np.clip(np.stack(items), 0, 1) * 255 + 0.5).astype(np.uint8)

    return {"lr": to_u8(lrs), "teacher": to_u8(teachers), "hr": to_u8(hrs)}


def photo_pairs(files: list[Path], *, crop: int = 64, per_photo: int = 2, seed: int = 0) -> dict[str, np.ndarray]:
    """Random LR crops with their ground-truth HR crops only (no teacher run: cheap, for the photo loss).

    Returns ``lr`` uint8 ``[N, crop, crop, 3]`` and ``hr`` uint8 ``[N, 4crop, 4crop, 3]``.
    """
    rng = np.random.default_rng(seed)
    lrs, hrs = [], []
    for path in files:
        hr = load_rgb(path)
        lr = downscale4(hr)
        for _ in range(per_photo):
            y = int(rng.integers(0, lr.shape[0] - crop + 1))
            x = int(rng.integers(0, lr.shape[1] - crop + 1))
            lrs.append(lr[y : y + crop, x : x + crop])
            hrs.append(hr[4 * y : 4 * (y + crop), 4 * x : 4 * (x + crop)])
    return {k: (np.clip(np.stack(v), 0, 1) * 255 + 0.5).astype(np.uint8) for k, v in (("lr", lrs), ("hr", hrs))}
