"""``convert``: a photo, a folder of photos, a panorama or a cubemap in; skybox files in any layout out."""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

import cv2
import numpy as np

from skyasset.assets.cubemap import FACE_NAMES, faces_to_equirect, unpack_faces
from skyasset.assets.equirect import resize_equirect
from skyasset.assets.fill import GROUND_FILLS, GroundFill
from skyasset.assets.hdr import read_hdr, replace_non_finite
from skyasset.assets.look import Look, check_look
from skyasset.assets.panorama import PanoramaMethod, PanoramaOptions, PhotoMethod, default_options
from skyasset.assets.skybox import SKYBOX_LAYOUTS, SkyboxLayout, skybox_targets
from skyasset.assets.sun_place import SunRequest, parse_sun
from skyasset.atomic import check_writable, output_path
from skyasset.choices import check_choice
from skyasset.errors import SkyassetError
from skyasset.limits import (
    ImageHeader,
    check_input,
    check_output_size,
    check_regular_file,
    max_pixels,
    path_error,
    pil_unguarded,
    user_path,
)
from skyasset.native_paths import imread
from skyasset.pipeline import Panorama, ProgressFn, panorama_from_equirect, panorama_from_views, write_sky
from skyasset.settings import check_size
from skyasset.upscale import UpscaleMode, check_upscale, upscale_factor

__all__ = [
    "CONVERT_METHODS",
    "ConvertMethod",
    "InputKind",
    "INPUT_KINDS",
    "ConvertResult",
    "convert",
    "convert_request",
    "convert_request_to",
    "detect_input_kind",
    "load_input",
]

ConvertMethod = Literal["auto", PhotoMethod]
CONVERT_METHODS: tuple[ConvertMethod, ...] = get_args(ConvertMethod)
InputKind = Literal["auto", "photo", "photos", SkyboxLayout]  # a panorama or cubemap in any layout we write
INPUT_KINDS: tuple[InputKind, ...] = get_args(InputKind)
_IMAGE_EXT = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".hdr", ".exr"}
# Face file name patterns: Unity names, then the common +/- axis conventions (in Unity's axes, see cubemap.py).
_FACE_ALIASES: dict[str, tuple[str, ...]] = {
    "front": ("front", "pz", "posz", "positivez", "+z"),
    "back": ("back", "nz", "negz", "negativez", "-z"),
    "left": ("left", "px", "posx", "positivex", "+x"),
    "right": ("right", "nx", "negx", "negativex", "-x"),
    "up": ("up", "top", "py", "posy", "positivey", "+y"),
    "down": ("down", "bottom", "ny", "negy", "negativey", "-y"),
}


@dataclass
class ConvertResult:
    """What :func:`convert` wrote; ``to_json()`` is the ``convert --json`` answer (docs/CLI_PROTOCOL.md)."""

    input: Path
    input_kind: str
    files: list[dict[str, Any]]
    layout: str
    method: str | None
    size: tuple[int, int]
    hdr: bool
    upscale: str = "none"
    timings: dict[str, float] = field(default_factory=dict)
    sun: dict[str, Any] | None = None
    exposure_stops: float = 0.0  # applied to the files (skyasset.assets.look)
    rotation_deg: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "outputs": [f["path"] for f in self.files],
            "files": self.files,
            "input": str(self.input),
            "input_kind": self.input_kind,
            "layout": self.layout,
            "method": self.method,
            "size": list(self.size),
            "hdr": self.hdr,
            "upscale": self.upscale,
            "sun": self.sun,
            "exposure_stops": self.exposure_stops,
            "rotation_deg": self.rotation_deg,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


# The smallest inputs that make a skybox (an equirect's cube faces are a quarter of its width, at least 8 px).
MIN_PANORAMA_HEIGHT = 16
MIN_FACE = 8
MIN_PHOTO = 8
_JPEG_FORMATS = ("JPEG", "MPO")  # MPO: a camera's JPEG with extra pictures after the first
# Display value of the largest sample of each pixel type that OpenCV decodes and skyasset accepts.
_WHITE = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0, np.dtype(np.float32): 1.0, np.dtype(np.float64): 1.0}


def _read_image(path: Path) -> np.ndarray:
    """Float32 sRGB display values [H, W, 3] in [0, 1]; HDR files are tone mapped (Reinhard, median at 0.18)."""
    header = check_input(path)
    if header.format in ("HDR", "EXR"):
        return _tone_map(read_hdr(path))
    if header.format in _JPEG_FORMATS:  # by content: a JPEG named .png is still a JPEG
        _check_complete_jpeg(path)
    try:
        img = imread(path, cv2.IMREAD_UNCHANGED)
    except OSError as exc:
        raise path_error(path, exc) from None
    if img is None:
        raise SkyassetError("io_error", f"Could not read {path} as an image (PNG, JPEG, TIFF, WebP, HDR, EXR).")
    return _display_rgb(img, path.name)


def _display_rgb(img: np.ndarray, name: str) -> np.ndarray:
    """OpenCV's decoded BGR(A) or grey pixels as float32 RGB in [0, 1].

    Written into one preallocated array: peak memory is the decoded image plus 12 bytes per pixel (15 for 8-bit
    RGB), where ``astype``, divide and clip made a float temporary each (27 bytes per pixel).
    """
    white = _WHITE.get(img.dtype)
    if white is None:
        raise SkyassetError(
            "invalid_argument",
            f"{name} holds {img.dtype.itemsize * 8}-bit {'integer' if img.dtype.kind in 'iu' else img.dtype.name} "
            "samples; skyasset reads 8- or 16-bit unsigned or floating-point images. Save it as an 8- or 16-bit "
            "PNG or TIFF.",
        )
    if img.ndim == 2 or img.shape[2] < 3:
        rgb = img.reshape(img.shape[0], img.shape[1], -1)[..., :1]  # grey (and alpha): one value for R, G, B
    else:
        rgb = img[..., 2::-1]  # BGR(A) -> RGB
    out = np.empty((img.shape[0], img.shape[1], 3), np.float32)
    np.divide(rgb, np.float32(white), out=out, dtype=np.float32)
    if white == 1.0:
        replace_non_finite(out, name)
        np.clip(out, 0.0, 1.0, out=out)
    return out


def _tone_map(lin: np.ndarray) -> np.ndarray:
    """Reinhard with the median at 0.18, then sRGB encoding, in place (no full-size temporaries but one)."""
    np.maximum(lin, 0.0, out=lin)  # negative radiance (an EXR may hold it) is no light, not x / (1 + x) > 1
    scale = 0.18 / max(float(np.median(lin)), 1e-6)
    lin *= scale
    denominator = lin + 1.0
    np.divide(lin, denominator, out=lin)
    del denominator
    np.clip(lin, 0.0, 1.0, out=lin)
    dark = lin <= 0.0031308  # IEC 61966-2-1: linear below, a power curve above
    dark_values = lin[dark] * 12.92
    np.power(lin, 1 / 2.4, out=lin)
    lin *= 1.055
    lin -= 0.055
    lin[dark] = dark_values
    return lin


def _check_complete_jpeg(path: Path) -> None:
    """libjpeg (in OpenCV) fills a truncated JPEG with grey and only warns; PIL's decoder refuses it."""
    try:
        with pil_unguarded() as image_module, image_module.open(path) as img:  # size checked already
            img.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise SkyassetError("io_error", f"{path.name} is damaged ({exc}); re-export or re-download it.") from None


def _images_in(folder: Path) -> list[Path]:
    """The image files of ``folder`` by suffix, in name order (their type is checked when each is read)."""
    try:
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_EXT)
    except OSError as exc:
        raise path_error(folder, exc, "The input folder") from None


def _face_files(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for p in _images_in(folder):
        stem = p.stem.lower().replace("_", " ").replace("-", " -").split()
        tokens = set(stem) | {p.stem.lower()}
        for name, aliases in _FACE_ALIASES.items():
            if tokens & set(aliases) and name not in found:
                found[name] = p
    return found


def detect_input_kind(path: Path) -> InputKind:
    """Guess what ``path`` holds: a folder of six faces or of photos, or an image by its aspect ratio (read from
    its header: nothing is decoded)."""
    if path.is_dir():
        faces = _face_files(path)
        return "faces" if len(faces) == 6 else "photos"
    header = check_input(path)
    w, h = header.width, header.height
    ratio = w / h
    if abs(ratio - 2.0) < 0.02:
        return "equirect"
    if w % 4 == 0 and h % 3 == 0 and w // 4 == h // 3:
        return "cross-h"
    if w % 3 == 0 and h % 4 == 0 and w // 3 == h // 4:
        return "cross-v"
    if w == 6 * h:
        return "horizon"
    return "photo"


def _too_small(path: Path, header: ImageHeader, kind: InputKind) -> SkyassetError:
    if kind == "equirect":
        need = f"an equirect panorama at least {2 * MIN_PANORAMA_HEIGHT}x{MIN_PANORAMA_HEIGHT}"
    elif kind in ("photo", "photos"):
        need = f"a photo at least {MIN_PHOTO}x{MIN_PHOTO}"
    elif kind == "faces":
        need = f"cube faces at least {MIN_FACE}x{MIN_FACE}"
    else:
        need = f"a {kind} cubemap whose faces are at least {MIN_FACE}x{MIN_FACE}"
    return SkyassetError(
        "invalid_argument", f"{path.name} is {header.width}x{header.height}: too small for {need} pixels."
    )


def _check_image_input(path: Path, kind: InputKind) -> None:
    """Refuse, from the header, a photo, panorama or cubemap image too small to make a sky from."""
    header = check_input(path)
    w, h = header.width, header.height
    faces_across = {"cross-h": (4, 3), "cross-v": (3, 4), "dice": (4, 3), "horizon": (6, 1)}.get(kind)
    if kind == "equirect":
        small = h < MIN_PANORAMA_HEIGHT or w < 2 * MIN_PANORAMA_HEIGHT
    elif kind == "photo":
        small = min(w, h) < MIN_PHOTO
    elif faces_across is not None:
        small = w < faces_across[0] * MIN_FACE or h < faces_across[1] * MIN_FACE
    else:
        small = False
    if small:
        raise _too_small(path, header, kind)


def _check_faces(found: dict[str, Path]) -> None:
    """Six faces of one size, large enough, and an equirect from them within the pixel bound."""
    headers = {name: check_input(found[name]) for name in FACE_NAMES}
    front = headers["front"]
    for name, header in headers.items():
        if min(header.width, header.height) < MIN_FACE:
            raise _too_small(found[name], header, "faces")
        if (header.width, header.height) != (front.width, front.width):
            raise SkyassetError(
                "invalid_argument",
                f"{found[name].name} is {header.width}x{header.height} and {found['front'].name} "
                f"{front.width}x{front.height}; the six faces must be square and the same size.",
            )
    check_output_size(4 * front.width, 2 * front.width)  # the equirect they make


def _check_photos(files: list[Path]) -> None:
    """All photos are resized to the first one's size and held at once: bound their total pixels."""
    first = check_input(files[0])
    if min(first.width, first.height) < MIN_PHOTO:
        raise _too_small(files[0], first, "photos")
    total = len(files) * first.width * first.height
    if total > max_pixels():
        raise SkyassetError(
            "invalid_argument",
            f"{len(files)} photos of {first.width}x{first.height} are {total} pixels together, over the "
            f"{max_pixels()} that skyasset decodes; use fewer or smaller photos, or raise SKYASSET_MAX_PIXELS.",
        )


def load_input(path: Path, kind: InputKind) -> tuple[np.ndarray, bool]:
    """``(array, is_panorama)``: an equirect for panorama/cube inputs, else views ``[N, H, W, 3]``."""
    if kind == "faces":
        found = _face_files(path)
        missing = [n for n in FACE_NAMES if n not in found]
        if missing:
            raise SkyassetError(
                "invalid_argument",
                f"{path} lacks cube face files for: {', '.join(missing)}. Name them front/back/left/right/up/down "
                "(Unity) or pz/nz/px/nx/py/ny.",
            )
        _check_faces(found)
        faces: dict[str, np.ndarray] = {n: _read_image(found[n]) for n in FACE_NAMES}
        return faces_to_equirect(faces, 4 * faces["front"].shape[0]), True
    if kind == "photos":
        files = _images_in(path) if path.is_dir() else [path]
        if not files:
            raise SkyassetError("invalid_argument", f"{path} holds no images (PNG, JPEG, ...).")
        _check_photos(files)
        first = _read_image(files[0])
        size = (first.shape[1], first.shape[0])
        views = [first] + [cv2.resize(_read_image(p), size, interpolation=cv2.INTER_AREA) for p in files[1:]]
        return np.stack(views), False
    _check_image_input(path, kind)
    img = _read_image(path)
    if kind == "photo":
        return img[None], False
    if kind == "equirect":
        w = img.shape[1] - img.shape[1] % 2
        return resize_equirect(img, w) if img.shape[0] * 2 != w else img, True
    faces = unpack_faces(img, kind)  # type: ignore[arg-type]
    return faces_to_equirect(faces, 4 * faces["front"].shape[0]), True


def load_radiance(path: Path, kind: InputKind) -> np.ndarray | None:
    """Linear radiance ``[H, 2H, 3]`` of an HDR panorama or cubemap input (``.hdr``/``.exr``), else None.

    The same geometry as :func:`load_input` without the tone mapping, so ``--hdr`` outputs keep the input's
    radiance (a sun of 18000 stays 18000) instead of an expansion of the tone-mapped picture.
    """
    hdr_suffixes = (".hdr", ".exr")
    if kind == "faces":
        found = _face_files(path)
        if len(found) < 6 or any(found[n].suffix.lower() not in hdr_suffixes for n in FACE_NAMES):
            return None
        faces: dict[str, np.ndarray] = {n: read_hdr(found[n]) for n in FACE_NAMES}
        return faces_to_equirect(faces, 4 * faces["front"].shape[0])
    if kind in ("photo", "photos") or path.is_dir() or path.suffix.lower() not in hdr_suffixes:
        return None
    lin = read_hdr(path)
    if kind == "equirect":
        w = lin.shape[1] - lin.shape[1] % 2
        return np.maximum(resize_equirect(lin, w), 0.0) if lin.shape[0] * 2 != w else lin
    faces = unpack_faces(lin, kind)  # type: ignore[arg-type]
    return faces_to_equirect(faces, 4 * faces["front"].shape[0])


def _input_source(input_path: str | os.PathLike[str]) -> Path:
    """The input as an absolute path: an existing folder or regular file (never a FIFO or device: reading one
    would wait forever)."""
    source = user_path(input_path)
    try:
        is_folder = stat.S_ISDIR(os.stat(source).st_mode)
    except FileNotFoundError:
        raise SkyassetError("input_not_found", f"{source} does not exist. Give a photo, panorama or cubemap.") from None
    except OSError as exc:
        raise path_error(source, exc) from None
    if not is_folder:
        check_regular_file(source)
    return source


def convert(
    input_path: str | os.PathLike[str],
    to: SkyboxLayout,
    out: str | os.PathLike[str],
    *,
    kind: InputKind = "auto",
    method: ConvertMethod = "auto",
    size: int | None = None,
    hdr: bool = False,
    bit_depth: Literal[8, 16] = 8,
    force: bool = False,
    upscale: UpscaleMode = "none",
    ground: GroundFill = "haze",
    options: PanoramaOptions | None = None,
    progress: ProgressFn | None = None,
    sun: str | tuple[float, float] | None = "auto",
    exposure: float = 0.0,
    rotate: float = 0.0,
) -> ConvertResult:
    """Convert ``input_path`` into skybox files in layout ``to``, written as ``out`` (and names derived from it).

    The arguments are checked once (:func:`convert_request`); :class:`ConvertRequest` says what each does.
    ``force`` overwrites existing files; ``progress`` is called with (tiles done, tiles total) while upscaling.
    """
    request = convert_request(
        input_path, to, kind, method, size, hdr, bit_depth, upscale, ground, options, sun, exposure, rotate
    )
    return convert_request_to(request, out, force=force, progress=progress)


def convert_request_to(
    request: ConvertRequest, out: str | os.PathLike[str], *, force: bool = False, progress: ProgressFn | None = None
) -> ConvertResult:
    """:func:`convert` for a request already checked: the outputs first, then loading, assembling and writing."""
    started = time.perf_counter()
    hdr = request.hdr
    out = output_path(out)
    for path in skybox_targets(out, request.layout, hdr=hdr):  # before any loading or upscaling
        check_writable(path, force)
    chosen = _input_kind(request)
    data, is_panorama = load_input(request.source, chosen)
    loaded = time.perf_counter()
    if is_panorama:
        panorama, used_method = _panorama_of_panorama(data, request, progress), None
    else:
        panorama, used_method = _panorama_of_photos(data, request, progress)
    metadata = {"input": str(request.source), "input_kind": chosen, "method": used_method, "upscale": panorama.upscale}
    # An HDR input's own radiance: the HDR twins keep it, and its sun is measured there even without --hdr.
    radiance = load_radiance(request.source, chosen) if is_panorama else None
    files, sun_json = write_sky(
        panorama,
        request.layout,
        out,
        hdr=hdr,
        bit_depth=request.bit_depth,
        force=force,
        metadata=metadata,
        radiance=radiance,
        sun=request.sun,
        look=request.look,
    )
    equirect = panorama.equirect
    return ConvertResult(
        input=request.source,
        input_kind=chosen,
        files=files,
        layout=request.layout,
        method=used_method,
        size=(int(equirect.shape[1]), int(equirect.shape[0])),
        hdr=hdr,
        upscale=panorama.upscale,
        sun=sun_json,
        exposure_stops=request.look.exposure_stops,
        rotation_deg=request.look.rotation_deg,
        timings={"load_s": loaded - started, **panorama.timings, "total_s": time.perf_counter() - started},
    )


@dataclass(frozen=True)
class ConvertRequest:
    """The arguments of :func:`convert`, checked (:func:`convert_request`).

    Attributes
    ----------
    source
        ``input_path`` as an absolute path, one of: a photo (one view), a folder of photos (views around the
        horizon, in name order), an equirect panorama (2:1), a cubemap image (cross-h 4:3, cross-v 3:4,
        horizon 6:1; ``dice`` only by ``kind``) or a folder of six faces (Unity names
        front/back/left/right/up/down, or px/nx/py/ny/pz/nz).
    layout
        ``to``, the output layout (see :func:`skyasset.assets.skybox.write_skybox`).
    kind
        What the input is; ``auto`` guesses from folder contents and aspect ratio.
    method
        For photo input: ``stripe`` (default for one photo) or ``mirror``; a folder of photos uses ``ring``.
        Ignored for panorama and cubemap input.
    size
        Equirect width; default: 2048 for photos, the input's own equirect width otherwise (4x it when
        upscaling).
    upscale
        ``none``, ``fast`` or ``best`` 4x super-resolution (see :func:`skyasset.upscale.upscale_image`). Photos are
        assembled at ``size / 4`` (at least at their own resolution) and the panorama upscaled; photos that
        fill ``size`` on their own are not upscaled; a panorama or cubemap input narrower than ``size``
        is upscaled (first shrunk to at most ``size / 2``, so the 4x image stays at most twice the output) and
        resized to ``size``; one already as wide as ``size`` is only resized, and the result says
        ``upscale: none``.
    ground
        Below the horizon of photo input: ``haze``, ``solid`` or ``reflection``.
    options
        For photo input, the panorama method's own options (:class:`skyasset.assets.panorama.RingOptions`, ...),
        which must fit the method used; they replace ``ground``.
    sun
        ``"auto"``: an HDR input's own sun, measured in its radiance; else the sun the picture shows, or none
        (a photo has no seed to place one from). ``"none"``, or ``"ELEVATION,AZIMUTH"`` / ``(elevation,
        azimuth)`` in degrees: a sun painted there (:mod:`skyasset.assets.sun_place`).
    look
        ``exposure`` in stops and ``rotate`` in degrees of azimuth, applied to the files as for
        :func:`skyasset.api.generate` (:mod:`skyasset.assets.look`).
    """

    source: Path
    layout: SkyboxLayout
    kind: InputKind
    method: ConvertMethod
    size: int | None
    hdr: bool  # also .hdr and .exr twins
    bit_depth: Literal[8, 16]  # PNG bits per channel
    upscale: UpscaleMode
    ground: GroundFill
    options: PanoramaOptions | None
    sun: SunRequest
    look: Look


def convert_request(
    input_path: str | os.PathLike[str],
    to: str,
    kind: str,
    method: str,
    size: int | None,
    hdr: bool,
    bit_depth: int,
    upscale: str,
    ground: str,
    options: PanoramaOptions | None,
    sun: str | tuple[float, float] | None,
    exposure: float,
    rotate: float,
) -> ConvertRequest:
    """Every argument of :func:`convert` checked once, before any loading, in the order a user fixes them."""
    sun_request = parse_sun(sun)
    look = check_look(exposure, rotate)
    source = _input_source(input_path)
    layout = check_choice("layout", to, SKYBOX_LAYOUTS)
    input_kind = check_choice("input kind", kind, INPUT_KINDS)
    if size is not None:
        check_size(size)
    check_upscale(upscale)  # an unknown mode or a missing optional package fails before any long work
    ground_fill = check_choice("ground", ground, GROUND_FILLS)
    photo_method = check_choice("method", method, CONVERT_METHODS)
    if bit_depth not in (8, 16):
        raise SkyassetError("invalid_argument", f"--bit-depth must be 8 or 16, got {bit_depth}.")
    depth = cast(Literal[8, 16], bit_depth)
    mode = cast(UpscaleMode, upscale)
    return ConvertRequest(
        source, layout, input_kind, photo_method, size, hdr, depth, mode, ground_fill, options, sun_request, look
    )


def _input_kind(request: ConvertRequest) -> InputKind:
    """The input's kind, as given or guessed, when it fits what the input is (a file or a folder)."""
    source = request.source
    chosen = detect_input_kind(source) if request.kind == "auto" else request.kind
    if source.is_file() and chosen in ("faces",) or source.is_dir() and chosen not in ("faces", "photos"):
        raise SkyassetError("invalid_argument", f"Input kind '{chosen}' does not fit {source}.")
    return chosen


def _panorama_of_panorama(data: np.ndarray, request: ConvertRequest, progress: ProgressFn | None) -> Panorama:
    target = request.size or int(data.shape[1]) * upscale_factor(request.upscale)
    check_output_size(target, target // 2)
    return panorama_from_equirect(data, target, request.upscale, progress=progress)


def _panorama_of_photos(
    data: np.ndarray, request: ConvertRequest, progress: ProgressFn | None
) -> tuple[Panorama, PanoramaMethod]:
    n = data.shape[0]
    method: PanoramaMethod = ("ring" if n > 1 else "stripe") if request.method == "auto" else request.method
    if method == "ring" and n < 3:
        raise SkyassetError(
            "invalid_argument",
            f"The ring method needs at least 3 photos around the horizon, got {n}. Use --method stripe or "
            "mirror for a single photo, or give a folder of photos.",
        )
    options = request.options if request.options is not None else default_options(method, ground=request.ground)
    panorama = panorama_from_views(
        data, method, request.size or 2048, request.upscale, progress=progress, options=options
    )
    return panorama, method
