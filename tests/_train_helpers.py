"""Shared helpers of the tests/test_train_*.py files (not a test module)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

CCSN = Path(__file__).resolve().parents[1].parent / "shared/datasets/ccsn"


def tiny_run_options(data: Path, outdir: Path) -> dict[str, object]:
    """Options of an 8-image CPU run of the tiny config on the archive ``data`` (fp32, no metrics, 2 ticks)."""
    return dict(
        data=str(data),
        outdir=str(outdir),
        config="tiny",
        batch=4,
        kimg=0.008,
        tick_kimg=0.004,
        snap_kimg=0,
        metrics=[],
        workers=0,
        device="cpu",
        bf16="off",
    )


def write_photo(path: Path, seed: int, size: tuple[int, int] = (48, 40)) -> None:
    """A small random-noise RGB photo (distinct bytes per seed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(path)


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """One intra-op thread: on a small shared CPU, torch's thread pool is 10-50x slower under contention."""
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
