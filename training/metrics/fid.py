"""Fréchet Inception Distance between two sets of Inception features.

``FID = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr(sqrt(S1 S2))``, as in StyleGAN2-ADA. Instead of
``scipy.linalg.sqrtm`` of a 2048x2048 matrix (tens of seconds on a small CPU) the trace of the square root is
computed exactly from eigenvalues: ``S1 S2`` is similar to the symmetric PSD ``R S2 R`` with ``R = sqrt(S1)``, so
``tr sqrt(S1 S2) = sum(sqrt(eigvalsh(R S2 R)))``. With fewer samples than dimensions it is the nuclear norm of
the n1 x n2 matrix ``A1 A2^T / sqrt((n1-1)(n2-1))`` of centred features (same value, much faster).
"""

from __future__ import annotations

import numpy as np

__all__ = ["fid_from_features", "fid_from_stats", "trace_sqrt_product"]


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """``tr(sqrtm(sigma1 @ sigma2))`` for symmetric PSD covariance matrices."""
    evals, evecs = np.linalg.eigh(sigma1)
    root = (evecs * np.sqrt(np.clip(evals, 0, None))) @ evecs.T
    inner = np.linalg.eigvalsh(root @ sigma2 @ root)
    return float(np.sqrt(np.clip(inner, 0, None)).sum())


def fid_from_stats(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """FID from means and covariances."""
    m = float(np.square(mu1 - mu2).sum())
    return m + float(np.trace(sigma1) + np.trace(sigma2)) - 2 * trace_sqrt_product(sigma1, sigma2)


def fid_from_features(a: np.ndarray, b: np.ndarray) -> float:
    """FID between feature sets ``a`` ``[N, D]`` and ``b`` ``[M, D]`` (N, M >= 2)."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    n1, n2, dim = len(a), len(b), a.shape[1]
    if min(n1, n2) >= dim:
        return fid_from_stats(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))
    a0, b0 = a - a.mean(0), b - b.mean(0)
    m = float(np.square(a.mean(0) - b.mean(0)).sum())
    tr1 = float(np.square(a0).sum()) / (n1 - 1)
    tr2 = float(np.square(b0).sum()) / (n2 - 1)
    nuclear = float(np.linalg.svd(a0 @ b0.T, compute_uv=False).sum()) / np.sqrt((n1 - 1) * (n2 - 1))
    return m + tr1 + tr2 - 2 * nuclear
