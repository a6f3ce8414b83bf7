"""``assemble_panorama``: one entry point for the panorama methods."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from skyasset.assets.baseline import MirrorOptions, StripeOptions, assemble_mirror, assemble_stripe
from skyasset.assets.fill import GroundFill
from skyasset.assets.native import NativeOptions, assemble_native
from skyasset.assets.ring import RING_VIEWS, RingOptions, assemble_ring
from skyasset.choices import check_choice
from skyasset.errors import SkyassetError

__all__ = [
    "PanoramaMethod",
    "PhotoMethod",
    "PANORAMA_METHODS",
    "PanoramaOptions",
    "RING_VIEWS",
    "MirrorOptions",
    "NativeOptions",
    "RingOptions",
    "StripeOptions",
    "assemble_panorama",
    "default_options",
]

PhotoMethod = Literal["ring", "mirror", "stripe"]  # what views or photos can be assembled with
PanoramaMethod = Literal[PhotoMethod, "native"]  # native: the generator's canvas graph
PANORAMA_METHODS: tuple[PanoramaMethod, ...] = get_args(PanoramaMethod)
PanoramaOptions = RingOptions | MirrorOptions | StripeOptions | NativeOptions
_OPTIONS: dict[str, type[PanoramaOptions]] = {
    "ring": RingOptions,
    "mirror": MirrorOptions,
    "stripe": StripeOptions,
    "native": NativeOptions,
}


def default_options(method: str, *, ground: GroundFill = "haze") -> PanoramaOptions:
    """The options ``method`` uses by default, with the below-horizon fill ``ground``."""
    return _OPTIONS[check_choice("panorama method", method, PANORAMA_METHODS)](ground=ground)


def assemble_panorama(
    views: np.ndarray, method: PanoramaMethod = "ring", width: int = 2048, options: PanoramaOptions | None = None
) -> np.ndarray:
    """Equirect ``[width // 2, width, 3]`` float32 in [0, 1] from views ``[N, H, W, 3]`` in [0, 1].

    Parameters
    ----------
    views
        sRGB display values; ``ring`` uses all N (view i looks at yaw ``360 * i / N``), ``mirror`` and
        ``stripe`` use ``views[0]``, ``native`` takes ``views[0]`` as a canvas that goes all the way round
        (the bundle's canvas graph). A single ``[H, W, 3]`` image is taken as one view.
    method
        ``ring`` (default; :func:`skyasset.assets.ring.assemble_ring`), ``native``
        (:func:`skyasset.assets.native.assemble_native`), ``mirror`` or ``stripe`` (the 2025 baseline,
        :mod:`skyasset.assets.baseline`).
    width
        Output width in pixels, a multiple of 8 (height is half).
    options
        The method's own options (:class:`RingOptions`, :class:`NativeOptions`, :class:`MirrorOptions`,
        :class:`StripeOptions`);
        ``None`` for its defaults.
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
    opts = default_options(method)  # also refuses an unknown method
    if options is not None:
        opts = options
    if type(opts) is not _OPTIONS[method]:
        raise SkyassetError(
            "invalid_argument",
            f"{type(opts).__name__} do not fit panorama method '{method}': give {_OPTIONS[method].__name__}.",
        )
    if isinstance(opts, RingOptions):
        return assemble_ring(arr, width, opts)
    if isinstance(opts, NativeOptions):
        return assemble_native(arr[0], width, opts)
    if isinstance(opts, StripeOptions):
        return assemble_stripe(arr[0], width, opts)
    return assemble_mirror(arr[0], width, opts)
