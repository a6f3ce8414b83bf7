"""Size limits shared by every command: how many pixels an input may have and an output may get.

An image header costs nothing to forge: a 109 KB PNG can claim 30000x30000 pixels and make a decoder allocate
10 GiB. Inputs are therefore measured from their headers before any decoding, and outputs before any work.
The bound is in pixels of one image; ``SKYASSET_MAX_PIXELS`` raises (or lowers) it. An input must also be a
regular file (a FIFO or a device such as /dev/zero never ends), and an OpenEXR input may hold only the channels
of an RGB(A) image, since its decoder reads every channel of the file.
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from skyasset.errors import SkyassetError
from skyasset.native_paths import library_path

__all__ = [
    "BYTES_PER_PIXEL",
    "DEFAULT_MAX_PIXELS",
    "MAX_EXR_CHANNELS",
    "ImageHeader",
    "check_input",
    "check_input_size",
    "check_output_size",
    "check_regular_file",
    "image_header",
    "image_size",
    "json_depth",
    "read_json_file",
    "max_pixels",
    "openexr",
    "path_error",
    "user_path",
    "pil_unguarded",
]

DEFAULT_MAX_PIXELS = 16384 * 8192  # a 16K equirect; ~1.6 GB as float32 RGB
ENV_VAR = "SKYASSET_MAX_PIXELS"
# Peak memory per pixel of the largest image, measured as the rise of peak RSS over a small run: `convert` of a
# 4096x2048 PNG panorama 53, `generate --size 4096` 48 (writing the set dominates; decoding an 8-bit PNG input
# alone takes 15: tests/test_reliability2_input_memory.py).
BYTES_PER_PIXEL = 55
MAX_EXR_CHANNELS = 4  # R, G, B and one more (alpha): at most 16 bytes per pixel in 32-bit floats
_HDR_RESOLUTION = re.compile(rb"^([-+])([YX]) (\d{1,9}) ([-+])([YX]) (\d{1,9})$")
_FILE_TYPES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class ImageHeader(NamedTuple):
    """What an image file's header says: its size and its format (``HDR``, ``EXR`` or PIL's format name)."""

    width: int
    height: int
    format: str


def openexr():  # noqa: ANN201 - the OpenEXR module, imported only when .exr is wanted
    try:
        import OpenEXR
    except ImportError:
        if importlib.util.find_spec("OpenEXR") is not None:
            raise  # installed but broken: not the user's missing package
        raise SkyassetError(
            "io_error", "Writing or reading .exr needs the OpenEXR package: pip install OpenEXR."
        ) from None
    return OpenEXR


def path_error(path: str | os.PathLike[str], exc: BaseException, what: str = "The input") -> SkyassetError:
    """The named error for an ``OSError`` (or pathlib's ``RuntimeError``) met while looking a user's path up."""
    shown = str(path) if len(str(path)) <= 300 else str(path)[:300] + "..."
    code = exc.errno if isinstance(exc, OSError) else errno.ELOOP if "loop" in str(exc).lower() else None
    if code in (errno.ENOENT, errno.ENOTDIR):
        return SkyassetError("input_not_found", f"{what} {shown} does not exist. Check the path.")
    if code == errno.ELOOP:
        return SkyassetError(
            "invalid_argument", f"{what} {shown} is a loop of symbolic links; point the link at a real file."
        )
    if code == errno.ENAMETOOLONG:
        return SkyassetError(
            "invalid_argument",
            f"{what} path ({len(str(path))} characters) is longer than the file system allows: {shown}. "
            "Give a shorter path.",
        )
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return SkyassetError("io_error", f"{what} {shown} cannot be opened ({reason}).")


def user_path(path: str | os.PathLike[str], what: str = "The input") -> Path:
    """``path`` with ``~`` expanded, made absolute with its links resolved; named errors for the paths that
    pathlib cannot take (``~nouser``, a loop of links, a NUL character, a name too long)."""
    try:
        expanded = Path(path).expanduser()
    except RuntimeError:  # ~name of an unknown user, or no home folder at all
        raise SkyassetError(
            "input_not_found", f"{what} {str(path)[:300]}: '~' names no home folder on this machine; give a full path."
        ) from None
    try:
        return expanded.resolve()
    except ValueError:
        raise SkyassetError("invalid_argument", f"{what} path {str(path)[:300]!r} holds a NUL character.") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: pathlib's symlink loop (before Python 3.13)
        raise path_error(expanded, exc, what) from None


def check_regular_file(path: Path, what: str = "The input", want: str = "an image file") -> os.stat_result:
    """Refuse anything but a regular file, by its type and before opening it: reading a FIFO or a device such
    as /dev/zero blocks or never ends."""
    try:
        info = os.stat(path)
    except ValueError:
        raise SkyassetError("invalid_argument", f"{what} path {str(path)[:300]!r} holds a NUL character.") from None
    except OSError as exc:
        raise path_error(path, exc, what) from None
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _FILE_TYPES if test(info.st_mode)), "not a file")
        raise SkyassetError(
            "invalid_argument", f"{what} {path} is {kind}, not a regular file: give the path of {want}."
        )
    return info


def json_depth(value: Any, limit: int) -> int:
    """How deeply ``value`` nests lists and objects, counted without recursion and no further than past
    ``limit``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= limit:
                stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _too_deep(path: Path, what: str, max_depth: int) -> SkyassetError:
    return SkyassetError(
        "invalid_argument",
        f"{what} {path} nests lists or objects more than {max_depth} deep; it is not the JSON expected.",
    )


def read_json_file(path: Path, what: str, *, max_bytes: int = 16 << 20, max_depth: int = 32) -> Any:
    """The JSON value in the regular file ``path``, refused (``invalid_argument``) past ``max_bytes`` or nested
    deeper than ``max_depth``: a FIFO would block the read, and ``[`` repeated 100000 times exhausts the
    parser's recursion. ``what`` names the file in messages ("The FID report")."""
    info = check_regular_file(path, what, "a JSON file")
    if info.st_size > max_bytes:
        raise SkyassetError(
            "invalid_argument",
            f"{what} {path} is {info.st_size} bytes, over the {max_bytes} allowed: give the JSON file.",
        )
    try:
        with open(path, "rb") as f:
            text = f.read(max_bytes + 1)  # the size can grow after the stat
    except OSError as exc:
        raise path_error(path, exc, what) from None
    if len(text) > max_bytes:
        raise SkyassetError("invalid_argument", f"{what} {path} is over the {max_bytes} bytes allowed.")
    try:
        value = json.loads(text.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, and ints past Python's digit limit
        raise SkyassetError("invalid_argument", f"{what} {path} is not valid JSON ({exc}).") from None
    except RecursionError:
        raise _too_deep(path, what, max_depth) from None
    if json_depth(value, max_depth) > max_depth:
        raise _too_deep(path, what, max_depth)
    return value


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
    """The data window of a single-part EXR, after checking that decoding it reads no more than RGB(A) needs."""
    OpenEXR = openexr()  # noqa: N806 - the module
    try:
        with OpenEXR.File(library_path(path), header_only=True) as exr:
            parts = len(exr.parts)
            header = exr.header()
            (x0, y0), (x1, y1) = header["dataWindow"]
            channels = list(header.get("channels", []))
            names = [str(c.name) for c in channels]
            sampled = [str(c.name) for c in channels if (int(c.xSampling), int(c.ySampling)) != (1, 1)]
            storage = header.get("type", OpenEXR.scanlineimage)
    except (RuntimeError, OSError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise SkyassetError(
            "io_error", f"Could not read {path.name} as OpenEXR ({exc}); the file is damaged or not an EXR."
        ) from None
    # The decoder reads every part and every channel whole: a small file of many channels or parts would
    # allocate gigabytes before the RGB channels could be picked out.
    if parts != 1:
        raise SkyassetError(
            "invalid_argument",
            f"{path.name} is a multi-part EXR ({parts} parts); skyasset reads a single-part RGB(A) image. "
            "Save the beauty/combined image alone.",
        )
    if storage not in (OpenEXR.scanlineimage, OpenEXR.tiledimage):
        raise SkyassetError("invalid_argument", f"{path.name} is a deep EXR; save it as a flat RGB(A) image.")
    if len(names) > MAX_EXR_CHANNELS or not {"R", "G", "B"} <= set(names):
        shown = ", ".join(names[:8]) + (f", ... ({len(names)} in all)" if len(names) > 8 else "")
        raise SkyassetError(
            "invalid_argument",
            f"{path.name} has the channels {shown or 'none'}; skyasset reads an RGB or RGBA image (R, G, B and at "
            f"most {MAX_EXR_CHANNELS} channels). Save only the R, G, B (and A) channels.",
        )
    if sampled:
        raise SkyassetError(
            "invalid_argument",
            f"{path.name} has subsampled channels ({', '.join(sampled)}); save every channel at full resolution.",
        )
    return int(x1) - int(x0) + 1, int(y1) - int(y0) + 1


def image_header(path: Path) -> ImageHeader:
    """Size and format from the file's header alone, without decoding pixels; the path must be a regular file."""
    check_regular_file(path)
    suffix = path.suffix.lower()
    if suffix == ".hdr":
        return ImageHeader(*_radiance_size(path), "HDR")
    if suffix == ".exr":
        return ImageHeader(*_exr_size(path), "EXR")
    from PIL import UnidentifiedImageError

    try:
        with pil_unguarded() as image_module, image_module.open(path) as img:
            width, height = img.size
            return ImageHeader(int(width), int(height), str(img.format or ""))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise SkyassetError(
            "io_error",
            f"Could not read {path.name} as an image ({exc}). Give a PNG, JPEG, TIFF, WebP, HDR or EXR file.",
        ) from None


def image_size(path: Path) -> tuple[int, int]:
    """``(width, height)`` from the file's header alone, without decoding pixels."""
    header = image_header(path)
    return header.width, header.height


@contextmanager
def pil_unguarded() -> Iterator[Any]:
    """PIL's ``Image`` module with its own decompression-bomb guard off (callers check our bound instead) and
    truncated files refused, whatever another module set (a truncated file must fail, not load half grey)."""
    from PIL import Image, ImageFile

    previous = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
    Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = None, False
    try:
        yield Image
    finally:
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = previous


def check_input(path: Path) -> ImageHeader:
    """Refuse an input that is not a regular file or whose header claims more pixels than the bound, before it
    is decoded; its header otherwise."""
    header = image_header(path)
    width, height = header.width, header.height
    limit = max_pixels()
    if width <= 0 or height <= 0:
        raise SkyassetError("io_error", f"{path.name} claims a size of {width}x{height}; the file is damaged.")
    if width * height > limit:
        raise SkyassetError(
            "invalid_argument",
            f"{path.name} is {width}x{height} = {width * height} pixels, over "
            f"the {limit} that skyasset decodes; shrink it first, or raise the bound with "
            f"{ENV_VAR}=<pixels> if the machine has the memory (~{BYTES_PER_PIXEL} bytes per pixel).",
        )
    return header


def check_input_size(path: Path) -> tuple[int, int]:
    """:func:`check_input`'s ``(width, height)``."""
    header = check_input(path)
    return header.width, header.height


def check_output_size(width: int, height: int) -> None:
    """Refuse an output larger than the bound, before any work."""
    limit = max_pixels()
    if width * height > limit:
        raise SkyassetError(
            "invalid_argument",
            f"A {width}x{height} output is {width * height} pixels, over the "
            f"{limit} allowed; choose a smaller --size, or raise the bound with {ENV_VAR}=<pixels> "
            f"if the machine has the memory (~{BYTES_PER_PIXEL} bytes per pixel).",
        )
