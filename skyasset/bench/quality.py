"""How close one image is to another, and how much fine detail it holds (images in [0, 1])."""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["gradient_energy", "psnr", "sharpness", "ssim"]

_LUMA = np.array([0.299, 0.587, 0.114])


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio of images in [0, 1], in dB (``inf`` when identical)."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


def _luma(image: np.ndarray) -> np.ndarray:
    return np.asarray(image, dtype=np.float64) @ _LUMA


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM of two RGB images in [0, 1] on luma, 11 px Gaussian window (Wang et al. 2004 constants)."""
    ya, yb = _luma(a), _luma(b)

    def blur(x: np.ndarray) -> np.ndarray:
        return np.asarray(cv2.GaussianBlur(x, (11, 11), 1.5))

    ma, mb = blur(ya), blur(yb)
    va, vb, cov = blur(ya * ya) - ma**2, blur(yb * yb) - mb**2, blur(ya * yb) - ma * mb
    c1, c2 = 0.01**2, 0.03**2
    return float(np.mean((2 * ma * mb + c1) * (2 * cov + c2) / ((ma**2 + mb**2 + c1) * (va + vb + c2))))


def gradient_energy(image: np.ndarray) -> float:
    """Mean squared step between neighbouring pixels of an RGB image's luma, down and across."""
    y = _luma(image)
    return float(np.mean(np.diff(y, axis=0) ** 2) + np.mean(np.diff(y, axis=1) ** 2))


def sharpness(image: np.ndarray, photo: np.ndarray) -> float:
    """Gradient energy of ``image`` relative to ``photo``'s: 1.0 = as much fine detail as the photo."""
    return gradient_energy(image) / max(gradient_energy(photo), 1e-12)
