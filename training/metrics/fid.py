"""Fréchet Inception Distance between two sets of Inception features."""

from __future__ import annotations

import numpy as np
import scipy.linalg

__all__ = ["fid_from_features", "fid_from_stats"]


def fid_from_stats(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """``|mu1 - mu2|^2 + tr(S1 + S2 - 2 sqrt(S1 S2))`` (as in StyleGAN2-ADA's ``frechet_inception_distance``)."""
    m = np.square(mu1 - mu2).sum()
    s, _ = scipy.linalg.sqrtm(np.dot(sigma1, sigma2), disp=False)
    return float(np.real(m + np.trace(sigma1 + sigma2 - s * 2)))


def fid_from_features(a: np.ndarray, b: np.ndarray) -> float:
    """FID between feature sets ``a`` ``[N, D]`` and ``b`` ``[M, D]`` (N, M >= 2)."""
    return fid_from_stats(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))
