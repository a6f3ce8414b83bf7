"""Size limits shared by every command: how many pixels an input may have and an output may get.

An image header costs nothing to forge: a 109 KB PNG can claim 30000x30000 pixels and make a decoder allocate
10 GiB. Inputs are therefore measured from their headers before any decoding, and outputs before any work.
The bound is in pixels of one image; ``SKYASSET_MAX_PIXELS`` raises (or lowers) it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from skyasset.errors import SkyassetError

__all__ = ["DEFAULT_MAX_PIXELS", "check_input_size", "check_output_size", "image_size", "max_pixels", "pil_unguarded"]

DEFAULT_MAX_PIXELS = 16384 * 8192  # a 16K equirect; ~1.6 GB as float32 RGB
ENV_VAR = "SKYASSET_MAX_PIXELS"
_HDR_RESOLUTION = re.compile(rb"^([-+])([YX]) (\d+) ([-+])([YX]) (\d+)$")


def max_pixels() -> int:
    """The pixel bound: ``$SKYASSET_MAX_PIXELS`` if set, else 16384 x 8192."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_MAX_PIXELS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 64 * 64:
        raise SkyassetError(
            "invalid_argument",
            f"{ENV_VAR}={raw!r} is not a pixel count of at least 4096; "
            f"unset it for the default ({DEFAULT_MAX_PIXELS}).",
        )
    return value


def _radiance_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as f:
        head = f.read(65536)
    lines = head.split(b"\n")
    if not lines or not lines[0].startswith((b"#?RADIANCE", b"#?RGBE")):
        raise SkyassetError("io_error", f"{path.name} is not a Radiance .hdr file (no #?RADIANCE header).")
    for line in lines[1:]:
        match = _HDR_RESOLUTION.match(line.strip())
        if match:
            first, second = int(match.group(3)), int(match.group(6))
            return (second, first) if match.group(2) == b"Y" else (first, second)
    raise SkyassetError("io_error", f"{path.name}: the Radiance header has no resolution line; the file is damaged.")


def _exr_size(path: Path) -> tuple[int, int]:
    from skyasset.assets.hdr import _openexr

    OpenEXR = _openexr()  # noqa: N806 - the module
    try:
        with OpenEXR.File(str(path), header_only=True) as exr:
            (x0, y0), (x1, y1) = exr.header()["dataWindow"]
    except (RuntimeError, OSError, KeyError, ValueError, TypeError) as exc:
        raise SkyassetError(
            "io_error", f"Could not read {path.name} as OpenEXR ({exc}); the file is damaged or not an EXR."
        ) from None
    return int(x1) - int(x0) + 1, int(y1) - int(y0) + 1


def image_size(path: Path) -> tuple[int, int]:
    """``(width, height)`` from the file's header alone, without decoding pixels."""
    suffix = path.suffix.lower()
    if suffix == ".hdr":
        return _radiance_size(path)
    if suffix == ".exr":
        return _exr_size(path)
    from PIL import UnidentifiedImageError

    try:
        with pil_unguarded() as image_module, image_module.open(path) as img:
            return img.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise SkyassetError(
            "io_error",
            f"Could not read {path.name} as an image ({exc}). Give a PNG, JPEG, TIFF, WebP, HDR or EXR file.",
        ) from None


@contextmanager
def pil_unguarded() -> Iterator[Any]:
    """PIL's ``Image`` module with its own decompression-bomb guard off: callers check our bound instead."""
    from PIL import Image

    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield Image
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def check_input_size(path: Path) -> tuple[int, int]:
    """Refuse an input whose header claims more pixels than the bound, before it is decoded."""
    width, height = image_size(path)
    limit = max_pixels()
    if width <= 0 or height <= 0:
        raise SkyassetError("io_error", f"{path.name} claims a size of {width}x{height}; the file is damaged.")
    if width * height > limit:
        raise SkyassetError(
            "invalid_argument",
            f"{path.name} is {width}x{height} = {width * height} pixels, over "
            f"the {limit} that skyasset decodes; shrink it first, or raise the bound with "
            f"{ENV_VAR}=<pixels> if the machine has the memory (~12 bytes per pixel).",
        )
    return width, height


def check_output_size(width: int, height: int) -> None:
    """Refuse an output larger than the bound, before any work."""
    limit = max_pixels()
    if width * height > limit:
        raise SkyassetError(
            "invalid_argument",
            f"A {width}x{height} output is {width * height} pixels, over the "
            f"{limit} allowed; choose a smaller --size, or raise the bound with {ENV_VAR}=<pixels> "
            "if the machine has the memory (~12 bytes per pixel).",
        )
