"""HDR expansion of an LDR sky and the Radiance ``.hdr`` / OpenEXR ``.exr`` writers and readers.

The expansion turns display-referred sRGB into scene-linear radiance that can light a Blender or Unity scene:

1. decode sRGB to linear ``y`` in [0, 1];
2. invert the extended-Reinhard style curve ``y = E (1 + E / white^2) / (1 + E)`` approximately with
   ``E = y / (1 - k y)``, ``k = 1 - 1 / white``: near-black and mid tones stay where they were and ``y = 1``
   maps to ``white``. ``white`` is chosen per sky (:func:`hdr_white_point`) so that display white lands at
   ``SKY_RANGE`` (6) times the sky's median radiance, as in real skies (the brightest clouds of two CC0
   reference HDRIs, a partly cloudy noon and a hazy evening, sit at 6-7 times their sky's median);
3. roll the few values still above that range (a very dark sky under white clouds) softly towards
   ``SKY_CEILING`` (8) times the median, so no cloud highlight becomes a light source.

Nothing is boosted into a sun any more (it used to multiply every near-white region by 32: eight "suns" of
512 in one sky): the one sun disc is added where the sun was decided (:mod:`skyasset.assets.sun_place`).
The white point used is recorded in the files' metadata (``hdr_white``).
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

__all__ = [
    "expand_to_hdr",
    "hdr_white_point",
    "sky_median",
    "SKY_RANGE",
    "SKY_CEILING",
    "write_radiance",
    "read_radiance_exposure",
    "write_exr",
    "read_hdr",
    "replace_non_finite",
]


_openexr = openexr  # the writers' name for it


SKY_RANGE = 6.0  # display white over the sky's median radiance (references: 6-7 for their brightest clouds)
SKY_CEILING = 8.0  # nothing but the sun above this many times the median after the expansion
MAX_WHITE = 16.0  # the curve's white point never exceeds this (the former fixed value)


def sky_median(linear: np.ndarray) -> float:
    """Median linear luminance of the sky: the upper half of an equirect (the ground is not sky)."""
    rgb = linear[: max(1, linear.shape[0] // 2)] if linear.shape[1] == 2 * linear.shape[0] else linear
    step = max(1, rgb.shape[1] // 512)  # a median of a 512-wide sample is as good and far cheaper at 8192
    return float(np.median(luminance(rgb[::step, ::step])))


def hdr_white_point(median: float, sky_range: float = SKY_RANGE) -> float:
    """The curve's ``white`` that puts display white at ``sky_range`` times the expanded median ``m``.

    Solving ``white = sky_range * m / (1 - k m)`` with ``k = 1 - 1 / white`` gives
    ``white = m (sky_range - 1) / (1 - m)``, clamped to [1, ``MAX_WHITE``] (1: plain linear).
    """
    m = min(max(median, 1e-4), 0.999)
    return float(min(MAX_WHITE, max(1.0, m * (sky_range - 1.0) / (1.0 - m))))


def expand_to_hdr(rgb: np.ndarray, *, white: float | None = None) -> np.ndarray:
    """Scene-linear float32 radiance ``[H, W, 3]`` from a display-referred sky in [0, 1] (module doc).

    ``white``: the curve's white point; ``None`` chooses it from the sky (:func:`hdr_white_point`).
    """
    if white is not None and not white >= 1.0:
        raise SkyassetError("invalid_argument", "The HDR white point must be >= 1.")
    y = np.clip(srgb_to_linear(np.clip(rgb, 0.0, 1.0)), 0.0, 1.0)
    median = sky_median(y)
    white = hdr_white_point(median) if white is None else white
    k = 1.0 - 1.0 / white
    expanded = y / (1.0 - k * y)
    return _roll_off_highlights(expanded, SKY_CEILING * median / (1.0 - k * min(median, 0.999)))


def _roll_off_highlights(radiance: np.ndarray, ceiling: float) -> np.ndarray:
    """Luminance above ``SKY_RANGE / SKY_CEILING`` of ``ceiling`` bends smoothly (tanh) towards ``ceiling``, so
    skies that the curve already keeps in range are untouched; hue and saturation are kept."""
    knee = SKY_RANGE / SKY_CEILING * ceiling
    lum = luminance(radiance)
    if float(lum.max()) <= knee:
        return radiance.astype(np.float32)
    over = np.maximum(lum - knee, 0.0)
    rolled = knee + (ceiling - knee) * np.tanh(over / (ceiling - knee))
    scale = np.where(lum > knee, rolled / np.maximum(lum, 1e-12), 1.0)
    return (radiance * scale[..., None]).astype(np.float32)


def write_radiance(
    path: str | os.PathLike[str], radiance: np.ndarray, *, force: bool = False, exposure: float = 1.0
) -> Path:
    """Write linear RGB as Radiance RGBE ``.hdr`` (8-bit shared exponent: ~1 % relative precision).

    ``exposure``: the factor already applied to ``radiance``, recorded as the header's ``EXPOSURE=`` line (none
    at 1). Radiance's own tools divide by it to recover the original radiance; Blender, Unity, OpenCV and
    OpenImageIO show the pixels as stored, which is why the factor is applied to them and not only recorded.
    """
    target = Path(path)
    ok, buf = cv2.imencode(".hdr", np.ascontiguousarray(radiance[..., ::-1].astype(np.float32)))
    if not ok:
        raise SkyassetError("io_error", f"Could not encode {target.name} as Radiance HDR.")
    data = buf.tobytes()
    if exposure != 1.0:
        end = data.index(b"\n\n")  # the header ends with an empty line, before the resolution line
        data = data[:end] + f"\nEXPOSURE={exposure:.6g}".encode("ascii") + data[end:]
    with atomic_output(target, force=force) as tmp:
        tmp.write_bytes(data)
    return target


def read_radiance_exposure(path: str | os.PathLike[str]) -> float:
    """The product of a Radiance ``.hdr`` header's ``EXPOSURE=`` lines (1 without one): what was applied."""
    with open(path, "rb") as stream:
        header = stream.read(65536).split(b"\n\n", 1)[0]  # the header ends with an empty line
    factor = 1.0
    for line in header.split(b"\n"):
        if line.startswith(b"EXPOSURE="):
            factor *= float(line[len(b"EXPOSURE=") :])
    return factor


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
