"""Where upscaling slots into the skybox pipeline: assemble a small panorama, then upscale it with wrap.

Measured (benchmarks/bench_upscale.py): upscaling the assembled 1024x512 panorama is ~3x faster than
upscaling six 256 px views and assembling at 4096, because the 4096 assembly itself resamples 8 M pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from skyasset.upscale.upscale import UpscaleMode, upscale, upscale_factor

__all__ = ["upscale_equirect", "assemble_upscaled"]

ProgressFn = Callable[[int, int], None]


def _base_width(width: int, factor: int) -> int:
    """Width to assemble at before upscaling: ``width / factor`` rounded up to a multiple of 8 (>= 64)."""
    return max(64, -(-width // (factor * 8)) * 8)


def upscale_equirect(
    equirect: np.ndarray, mode: UpscaleMode, width: int | None = None, *, progress: ProgressFn | None = None
) -> np.ndarray:
    """Upscale an equirect panorama across its 360-degree seam; optionally resize to exactly ``width``.

    Parameters
    ----------
    equirect
        float32 ``[H, W, 3]`` in [0, 1] (2:1).
    mode
        See :func:`skyasset.upscale.upscale`.
    width
        Output width (height is half); ``None`` keeps ``upscale_factor(mode) * W``.
    """
    out = upscale(equirect, mode, wrap=True, progress=progress)
    if width is not None and out.shape[1] != width:
        from skyasset.assets.ring import resize_equirect

        out = np.clip(resize_equirect(out, width), 0.0, 1.0)
    return out


def assemble_upscaled(
    views: np.ndarray,
    mode: UpscaleMode,
    width: int,
    method: str = "ring",
    *,
    progress: ProgressFn | None = None,
    **options: Any,
) -> np.ndarray:
    """:func:`skyasset.assets.assemble_panorama` at ``width / 4``, then 4x upscaling to ``width``.

    With ``mode="none"`` the panorama is assembled at ``width`` directly. Returns float32
    ``[width // 2, width, 3]`` in [0, 1].
    """
    from skyasset.assets import assemble_panorama

    if mode == "none":
        return assemble_panorama(views, method, width, **options)  # type: ignore[arg-type]
    small = assemble_panorama(views, method, _base_width(width, upscale_factor(mode)), **options)  # type: ignore[arg-type]
    return upscale_equirect(small, mode, width, progress=progress)
