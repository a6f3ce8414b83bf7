"""Seeds to latent vectors, identical on every platform and for every batch size."""

from __future__ import annotations

import numpy as np

from skyasset.errors import SkyassetError

__all__ = ["z_from_seed", "integers_from_seed", "loop_latents", "MAX_SEED"]

MAX_SEED = 2**31 - 1  # one range for every engine: Blender and C# ints are signed 32-bit

# Sub-streams of one seed: the main latent, then the two directions that span a latent loop.
_LOOP_STREAM_A = 1
_LOOP_STREAM_B = 2


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) <= MAX_SEED:
        raise SkyassetError("invalid_argument", f"Seed must be an integer in 0..{MAX_SEED}, got {seed!r}.")
    return int(seed)


def z_from_seed(seed: int, z_dim: int, stream: int = 0) -> np.ndarray:
    """The latent of ``seed``: ``default_rng(seed)`` (PCG64) normals, float32 ``[z_dim]``."""
    seed = _check_seed(seed)
    rng = np.random.default_rng([seed, stream] if stream else seed)
    return rng.standard_normal(z_dim).astype(np.float32)


def integers_from_seed(seed: int, stream: int, n: int, high: int) -> np.ndarray:
    """``n`` integers in ``[0, high)`` (int64) from sub-stream ``stream`` of ``seed``, the same everywhere."""
    seed = _check_seed(seed)
    return np.random.default_rng([seed, stream]).integers(0, high, n, dtype=np.int64)


def loop_latents(seed: int, z_dim: int, n: int, radius: float = 0.5) -> np.ndarray:
    """``n`` latents on a closed loop around the latent of ``seed``.

    ``z(t) = sqrt(1 - r^2) z0 + r (cos t a + sin t b)`` with independent normal ``z0, a, b``: every point is
    still a standard normal sample (the variances add to 1), so each view looks like an ordinary sample,
    while ``radius`` sets how much neighbouring views differ (0 = all views identical).

    Returns
    -------
    float32 array ``[n, z_dim]``; row ``i`` sits at angle ``2 pi i / n``.
    """
    if not 0.0 <= radius <= 1.0:
        raise SkyassetError("invalid_argument", f"Loop radius must be in [0, 1], got {radius}.")
    z0 = z_from_seed(seed, z_dim)
    a = z_from_seed(seed, z_dim, _LOOP_STREAM_A)
    b = z_from_seed(seed, z_dim, _LOOP_STREAM_B)
    t = 2.0 * np.pi * np.arange(n) / n
    ring = np.cos(t)[:, None] * a[None] + np.sin(t)[:, None] * b[None]
    return (np.sqrt(1.0 - radius**2) * z0[None] + radius * ring).astype(np.float32)
