"""4x super-resolution of images (optionally wrapping around a panorama's seam): ``none``, a bundled ``fast``
network, or Real-ESRGAN as ``best``. Where it slots into a skybox: :mod:`skyasset.pipeline`."""

from __future__ import annotations

from skyasset.upscale.super_resolution import (
    UPSCALE_MODES,
    UpscaleMode,
    check_upscale,
    fast_model_path,
    upscale_factor,
    upscale_image,
)

__all__ = [
    "UPSCALE_MODES",
    "UpscaleMode",
    "check_upscale",
    "fast_model_path",
    "upscale_factor",
    "upscale_image",
]
