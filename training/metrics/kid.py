"""Kernel Inception Distance (unbiased MMD^2 with a cubic polynomial kernel, averaged over subsets)."""

from __future__ import annotations

import numpy as np

__all__ = ["kid_from_features"]


def kid_from_features(
    real: np.ndarray, gen: np.ndarray, num_subsets: int = 100, max_subset_size: int = 1000, seed: int = 0
) -> float:
    """KID as in StyleGAN2-ADA's ``kernel_inception_distance`` (same subsets scheme and kernel)."""
    n = real.shape[1]
    m = min(min(real.shape[0], gen.shape[0]), max_subset_size)
    rng = np.random.default_rng(seed)
    t = 0.0
    for _ in range(num_subsets):
        x = gen[rng.choice(gen.shape[0], m, replace=False)]
        y = real[rng.choice(real.shape[0], m, replace=False)]
        a = (x @ x.T / n + 1) ** 3 + (y @ y.T / n + 1) ** 3
        b = (x @ y.T / n + 1) ** 3
        t += (a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m
    return float(t / num_subsets / m)
