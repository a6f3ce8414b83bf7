"""HDR expansion of an LDR sky and the Radiance ``.hdr`` / OpenEXR ``.exr`` writers and readers.

The expansion turns display-referred sRGB into scene-linear radiance that can light a Blender or Unity scene:

1. decode sRGB to linear ``y`` in [0, 1];
2. invert the extended-Reinhard style curve ``y = E (1 + E / white^2) / (1 + E)`` approximately with
   ``E = y / (1 - k y)``, ``k = 1 - 1 / white``: near-black and mid tones stay where they were, ``y = 1`` maps to
   ``white`` (default 16), i.e. the clipped highlights of the photo get back their range;
3. boost the sun: the brightest region (pixels within ``sun_threshold`` of the image's maximum linear
   luminance, blurred over ``sun_radius_deg``) is multiplied by up to ``sun_gain`` (default 32), so a visible
   sun reaches ~500 x the median sky, enough to cast shadows. No visible sun (all luminance below 0.9) -> no
   boost.

The numbers are recorded in the files' metadata (``hdr_white``, ``hdr_sun_gain``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from skyasset.assets.sphere import luminance, srgb_to_linear
from skyasset.atomic import atomic_output
from skyasset.errors import SkyassetError
from skyasset.limits import check_input, openexr, path_error
from skyasset.native_paths import imread, library_path

__all__ = ["expand_to_hdr", "write_radiance", "write_exr", "read_hdr", "replace_non_finite"]


_openexr = openexr  # the writers' name for it


def expand_to_hdr(
    rgb: np.ndarray,
    *,
    white: float = 16.0,
    sun_gain: float = 32.0,
    sun_threshold: float = 0.9,
    sun_radius_deg: float = 2.0,
) -> np.ndarray:
    """Scene-linear float32 radiance ``[H, W, 3]`` from a display-referred sky in [0, 1] (module doc)."""
    if white < 1.0 or sun_gain < 1.0:
        raise SkyassetError("invalid_argument", "HDR white point and sun gain must be >= 1.")
    y = np.clip(srgb_to_linear(np.clip(rgb, 0.0, 1.0)), 0.0, 1.0)
    k = 1.0 - 1.0 / white
    expanded = y / (1.0 - k * y)
    lum = luminance(y)
    peak = float(lum.max())
    if peak >= sun_threshold and sun_gain > 1.0:
        sigma = max(1.0, sun_radius_deg / 360.0 * rgb.shape[1])
        core = np.clip((lum - sun_threshold * peak) / max(1e-6, (1.0 - sun_threshold) * peak), 0.0, 1.0)
        blurred = cv2.GaussianBlur(core, (0, 0), sigma)
        halo = blurred / max(float(blurred.max()), 1e-6)
        expanded = expanded * (1.0 + (sun_gain - 1.0) * np.maximum(core, halo))[..., None]
    return expanded.astype(np.float32)


def write_radiance(path: str | os.PathLike[str], radiance: np.ndarray, *, force: bool = False) -> Path:
    """Write linear RGB as Radiance RGBE ``.hdr`` (8-bit shared exponent: ~1 % relative precision)."""
    target = Path(path)
    ok, buf = cv2.imencode(".hdr", np.ascontiguousarray(radiance[..., ::-1].astype(np.float32)))
    if not ok:
        raise SkyassetError("io_error", f"Could not encode {target.name} as Radiance HDR.")
    with atomic_output(target, force=force) as tmp:
        tmp.write_bytes(buf.tobytes())
    return target


def write_exr(
    path: str | os.PathLike[str],
    radiance: np.ndarray,
    *,
    metadata: dict[str, Any] | None = None,
    force: bool = False,
    half: bool = True,
) -> Path:
    """Write linear RGB as OpenEXR (half float by default, ZIP compression) with metadata in the header."""
    OpenEXR = _openexr()  # noqa: N806 - the module, imported only when .exr is wanted
    target = Path(path)
    pixels = np.ascontiguousarray(radiance.astype(np.float16 if half else np.float32))
    header: dict[str, Any] = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    with atomic_output(target, force=force) as tmp:
        with OpenEXR.File(header, {"RGB": pixels}) as exr:
            if metadata:
                exr.header()["skyasset"] = json.dumps(metadata, sort_keys=True, default=str)
            exr.write(library_path(tmp))
    return target


def read_hdr(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a ``.hdr`` or ``.exr`` file as float32 linear RGB ``[H, W, 3]``.

    The file is checked first (a regular file, its header within ``SKYASSET_MAX_PIXELS``, an EXR with only RGB(A)
    channels). Non-finite samples follow one policy: NaN and -infinity become 0 and +infinity the largest finite
    value of the image, so a few broken pixels of a render do not spread NaN through every output; an image
    without a single finite value is refused (``invalid_argument``).
    """
    source = Path(path)
    check_input(source)
    if source.suffix.lower() == ".exr":
        radiance = _read_exr(source)
    else:
        try:
            img = imread(source, cv2.IMREAD_ANYDEPTH | cv2.IMREAD_COLOR)
        except OSError as exc:
            raise path_error(source, exc) from None
        if img is None:
            raise SkyassetError("io_error", f"Could not read {source.name} as an HDR image.")
        img = img.astype(np.float32, copy=False)
        radiance = cv2.cvtColor(img, cv2.COLOR_BGR2RGB, dst=img)  # in place: one image's memory, not two
    return replace_non_finite(radiance, source.name)


def _read_exr(source: Path) -> np.ndarray:
    OpenEXR = _openexr()  # noqa: N806
    try:
        with OpenEXR.File(library_path(source), separate_channels=False) as exr:
            channels = exr.channels()
            key = "RGB" if "RGB" in channels else "RGBA" if "RGBA" in channels else None
            if key is None:
                raise SkyassetError("invalid_argument", f"{source.name} has no RGB channels.")
            pixels = np.asarray(channels[key].pixels)
    except (RuntimeError, OSError, ValueError, TypeError) as exc:
        raise SkyassetError(
            "io_error", f"Could not read {source.name} as OpenEXR ({exc}); the file is damaged or not an EXR."
        ) from None
    if pixels.ndim != 3 or pixels.dtype.kind != "f":
        raise SkyassetError(
            "invalid_argument", f"{source.name} holds {pixels.dtype} pixels; save it as half or float RGB(A)."
        )
    return np.ascontiguousarray(pixels[..., :3], dtype=np.float32)


def replace_non_finite(radiance: np.ndarray, name: str) -> np.ndarray:
    """``radiance`` (float) with the non-finite policy of :func:`read_hdr` applied in place; ``name`` is the
    file's, for the error when no value is finite."""
    # A float64 sum of float32 values cannot overflow: it is finite exactly when every value is.
    if np.isfinite(np.sum(radiance, dtype=np.float64)):
        return radiance
    finite = radiance[np.isfinite(radiance)]
    if finite.size == 0:
        raise SkyassetError(
            "invalid_argument",
            f"{name} holds no finite pixel value (every sample is NaN or infinite); re-render or re-export it.",
        )
    np.nan_to_num(radiance, copy=False, nan=0.0, posinf=float(finite.max()), neginf=0.0)
    return radiance
