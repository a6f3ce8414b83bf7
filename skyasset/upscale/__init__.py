"""4x super-resolution for skyboxes: ``none``, a bundled ``fast`` network, or Real-ESRGAN as ``best``."""

from __future__ import annotations

from skyasset.upscale.panorama import (
    assemble_upscaled,
    base_width,
    native_width,
    upscale_equirect,
    upscaled_base_width,
)
from skyasset.upscale.upscale import (
    UPSCALE_MODES,
    UpscaleMode,
    check_upscale,
    fast_model_path,
    upscale,
    upscale_factor,
)

__all__ = [
    "UPSCALE_MODES",
    "UpscaleMode",
    "assemble_upscaled",
    "base_width",
    "check_upscale",
    "fast_model_path",
    "upscale",
    "upscale_equirect",
    "upscale_factor",
    "native_width",
    "upscaled_base_width",
]
