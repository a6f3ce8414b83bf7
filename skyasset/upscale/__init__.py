"""4x super-resolution for skyboxes: ``none``, a bundled ``fast`` network, or Real-ESRGAN as ``best``."""

from __future__ import annotations

from skyasset.upscale.panorama import assemble_upscaled, upscale_equirect
from skyasset.upscale.upscale import UPSCALE_MODES, UpscaleMode, fast_model_path, upscale, upscale_factor

__all__ = [
    "UPSCALE_MODES",
    "UpscaleMode",
    "assemble_upscaled",
    "fast_model_path",
    "upscale",
    "upscale_equirect",
    "upscale_factor",
]
