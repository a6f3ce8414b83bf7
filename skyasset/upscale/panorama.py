"""Where upscaling slots into the skybox pipeline: assemble a small panorama, then upscale it with wrap.

Measured (benchmarks/bench_upscale.py): upscaling the assembled 1024x512 panorama is ~3x faster than
upscaling six 256 px views and assembling at 4096, because the 4096 assembly itself resamples 8 M pixels.
The small panorama is never narrower than the views' own resolution (:func:`native_width`): assembling a 400 px
photo at 256 and upscaling that would be blurrier than no upscaling at all (measured on CCSN photos).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from skyasset.upscale.upscale import UpscaleMode, upscale, upscale_factor

__all__ = ["base_width", "native_width", "upscaled_base_width", "upscale_equirect", "assemble_upscaled"]

ProgressFn = Callable[[int, int], None]


def base_width(width: int, factor: int) -> int:
    """Width to assemble at before upscaling: ``width / factor`` rounded up to a multiple of 8 (>= 64)."""
    return max(64, -(-width // (factor * 8)) * 8)


def native_width(views: np.ndarray, method: str, fov: float = 90.0) -> int:
    """Equirect width at which the views' pixels land 1:1; a wider panorama only interpolates them.

    ``ring``: each view of width ``w`` and horizontal field of view ``fov`` has a focal length of
    ``w / 2 / tan(fov / 2)`` px, so a full turn is ``2 pi`` times that. ``stripe`` stretches one view over
    360 degrees (``w``); ``mirror`` over 180 (``2 w``).
    """
    view_width = int(np.asarray(views).shape[-2])
    if method == "ring":
        return int(math.ceil(math.pi * view_width / math.tan(math.radians(fov) / 2.0)))
    return 2 * view_width if method == "mirror" else view_width


def upscaled_base_width(views: np.ndarray, method: str, mode: UpscaleMode, width: int, fov: float = 90.0) -> int | None:
    """Width to assemble at before upscaling to ``width``; ``None`` when upscaling would add nothing.

    ``width / 4`` (see :func:`base_width`), raised to the views' :func:`native_width` so no detail is thrown
    away; ``None`` for ``mode="none"`` or when the views already fill ``width`` at their own resolution.
    """
    if mode == "none":
        return None
    base = max(base_width(width, upscale_factor(mode)), -(-native_width(views, method, fov) // 8) * 8)
    return base if base < width else None


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

    The small panorama is :func:`upscaled_base_width` wide; when that says upscaling adds nothing (``none``, or
    views whose own resolution already fills ``width``) the panorama is assembled at ``width`` directly.
    Returns float32 ``[width // 2, width, 3]`` in [0, 1].
    """
    from skyasset.assets import assemble_panorama

    base = upscaled_base_width(views, method, mode, width, options.get("fov", 90.0))
    if base is None:
        return assemble_panorama(views, method, width, **options)  # type: ignore[arg-type]
    small = assemble_panorama(views, method, base, **options)  # type: ignore[arg-type]
    return upscale_equirect(small, mode, width, progress=progress)
