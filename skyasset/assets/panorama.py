"""``assemble_panorama``: one entry point for the three panorama methods."""

from __future__ import annotations

from typing import Any, Literal, get_args

import numpy as np

from skyasset.assets.baseline import assemble_mirror, assemble_stripe
from skyasset.assets.ring import RING_VIEWS, assemble_ring
from skyasset.errors import SkyassetError

__all__ = ["PanoramaMethod", "PANORAMA_METHODS", "RING_VIEWS", "assemble_panorama"]

PanoramaMethod = Literal["ring", "mirror", "stripe"]
PANORAMA_METHODS: tuple[PanoramaMethod, ...] = get_args(PanoramaMethod)


def assemble_panorama(
    views: np.ndarray, method: PanoramaMethod = "ring", width: int = 2048, **options: Any
) -> np.ndarray:
    """Equirect ``[width // 2, width, 3]`` float32 in [0, 1] from views ``[N, H, W, 3]`` in [0, 1].

    Parameters
    ----------
    views
        sRGB display values; ``ring`` uses all N (view i looks at yaw ``360 * i / N``), ``mirror`` and
        ``stripe`` use ``views[0]``. A single ``[H, W, 3]`` image is taken as one view.
    method
        ``ring`` (default; :func:`skyasset.assets.ring.assemble_ring`), ``mirror`` or ``stripe`` (the 2025
        baseline, :mod:`skyasset.assets.baseline`).
    width
        Output width in pixels, a multiple of 8 (height is half).
    **options
        Passed to the method (e.g. ``fov``, ``blend``, ``ground``, ``stripe``).
    """
    arr = np.asarray(views)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.ndim != 4 or arr.shape[-1] != 3 or arr.shape[0] < 1 or min(arr.shape[1:3]) < 8:
        raise SkyassetError(
            "invalid_argument", f"Views must be [N, H, W, 3] RGB images at least 8x8, got shape {arr.shape}."
        )
    if width < 64 or width % 8:
        raise SkyassetError("invalid_argument", f"Panorama width must be a multiple of 8, >= 64; got {width}.")
    if arr.dtype == np.uint8:
        arr = arr.astype(np.float32) / 255.0
    arr = arr.astype(np.float32, copy=False)
    if method == "ring":
        return assemble_ring(arr, width, **options)
    if method == "mirror":
        return assemble_mirror(arr[0], width, **options)
    if method == "stripe":
        return assemble_stripe(arr[0], width, **options)
    raise SkyassetError(
        "invalid_argument", f"Unknown panorama method '{method}'. Choose one of {', '.join(PANORAMA_METHODS)}."
    )
