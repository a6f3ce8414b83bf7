"""Seeds to latent vectors, identical on every platform and for every batch size."""

from __future__ import annotations

import numpy as np

from skyasset.errors import SkyassetError

__all__ = ["z_from_seed", "integers_from_seed", "check_seed", "MAX_SEED"]

MAX_SEED = 2**31 - 1  # one range for every engine: Blender and C# ints are signed 32-bit


def check_seed(seed: object) -> int:
    """A seed: an integer in 0..MAX_SEED (numpy integers too)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) <= MAX_SEED:
        raise SkyassetError("invalid_argument", f"Seed must be an integer in 0..{MAX_SEED}, got {seed!r}.")
    return int(seed)


def z_from_seed(seed: int, z_dim: int, stream: int = 0) -> np.ndarray:
    """The latent of ``seed``: ``default_rng(seed)`` (PCG64) normals, float32 ``[z_dim]``."""
    seed = check_seed(seed)
    rng = np.random.default_rng([seed, stream] if stream else seed)
    return rng.standard_normal(z_dim).astype(np.float32)


def integers_from_seed(seed: int, stream: int, n: int, high: int) -> np.ndarray:
    """``n`` integers in ``[0, high)`` (int64) from sub-stream ``stream`` of ``seed``, the same everywhere."""
    seed = check_seed(seed)
    return np.random.default_rng([seed, stream]).integers(0, high, n, dtype=np.int64)
