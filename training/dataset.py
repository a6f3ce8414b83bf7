"""Dataset archives: ``prepare`` turns photos into one ZIP, ``ImageArchive`` reads it for training.

Archive layout (a plain ZIP, members stored without recompression)::

    dataset.json            {"labels": [["Ac/Ac-N001.jpg", 0], ...] | null,   # StyleGAN2-ADA's format
                             "classes": [{"code": "Ac", "name": ..., "description": ...}, ...],
                             "resolution": 256, "image_format": "jpeg", "jpeg_quality": 90,
                             "crop": "center", "source": "...", "removed_duplicates": [...], ...}
    <class>/<file>.jpg      one square RGB image per photo, at ``resolution``

``labels`` is exactly StyleGAN2-ADA's ``dataset.json`` ``labels`` list, so NVlabs tools read our archives and we
read theirs. ``labels`` is ``null`` in an unconditional archive.

Resize policy: the largest centred square is cut out of the photo (``crop="center"``; ``crop="stretch"`` resizes
the whole photo instead, distorting it), then it is resized to ``resolution`` with Lanczos (antialiased when
shrinking). JPEG quality 90 (PIL default 4:2:0 chroma) keeps 256x256 CCSN at about 31 MB; ``image_format="png"`` is
lossless and about 5x larger.

Duplicates are found by the sha256 of the source file bytes. Within one class every copy but the first (in
sorted path order) is dropped. A file present in several classes has an ambiguous label: ``cross_class="drop"``
(default) removes every copy, ``"keep-first"`` keeps the copy in the first class. Both are reported.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import tempfile
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
from PIL import Image

from skyasset.atomic import publish
from skyasset.classes import CCSN_CLASSES
from skyasset.errors import SkyassetError
from skyasset.limits import max_pixels
from training.outputs import check_output_file

__all__ = [
    "CropMode",
    "CrossClassPolicy",
    "ImageFormat",
    "PrepareReport",
    "SourceImage",
    "prepare_dataset",
    "scan_source",
    "ImageArchive",
    "ArchiveReadError",
    "MAX_CLASSES",
    "check_class_code",
    "read_archive_meta",
]

CropMode = Literal["center", "stretch"]
CrossClassPolicy = Literal["drop", "keep-first"]
ImageFormat = Literal["jpeg", "png"]

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
ARCHIVE_META = "dataset.json"
# Bounds checked before anything is allocated or read. A label value sizes the class table (and c_dim), so it
# is bounded by a count far above any sky data set; a million labels fit in ~60 MB of dataset.json; the
# largest archive image (4096 px PNG) is ~50 MB.
MAX_CLASSES = 1000
MAX_META_BYTES = 64 << 20
MAX_MEMBER_BYTES = 64 << 20
MAX_ARCHIVE_SIDE = 4096
# A class code names files and folders (the studio's outputs, class folders): a plain name, never a path, and
# one that every file system takes (no Windows-reserved characters), so a folder such as "Cirrus (thin)" passes.
_CLASS_CODE = re.compile(r'[^\x00-\x1f\x7f/\\:*?"<>|. -][^\x00-\x1f\x7f/\\:*?"<>|]{0,63}')
# What can go wrong decoding one image: PIL's own errors, its decompression-bomb and text-chunk guards
# (DecompressionBombError, ValueError "Decompressed Data Too Large"), and a damaged zip member.
_IMAGE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
    Image.DecompressionBombError,
)


class ArchiveReadError(SkyassetError):
    """``dataset_invalid`` for a member that cannot be read.

    It survives a DataLoader worker: torch re-raises a worker's exception as ``type(message=<traceback text>)``
    when the type has a ``message`` attribute, so the one-line message is taken back out of that text.
    """

    message = "an archive member could not be read"

    def __init__(self, message: str) -> None:
        head, sep, tail = message.rpartition(f"{type(self).__name__}: ")
        if sep and "Traceback" in head:
            message = tail.strip()
        super().__init__("dataset_invalid", message)


def _shown(value: object, limit: int = 80) -> str:
    """``value`` for a message: scalars as written, containers by kind (their text could nest without bound)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return repr(value)[:limit]
    return f"a {type(value).__name__}"


def _utf8_or_none(text: str) -> str | None:
    """None when ``text`` is valid UTF-8 text, else ``text`` shown with backslash escapes for a message (a name
    read from disk keeps its non-UTF-8 bytes as surrogates, which neither zip nor JSON can store)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return None


def _shown_path(path: object) -> str:
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def check_class_code(code: object, where: str) -> str:
    """``code`` if it is a plain name (1-64 characters of valid UTF-8, no separators, control or
    Windows-reserved characters, not starting with a dot, space or dash, not ending in a space or dot), else
    ``dataset_invalid``: codes become file and folder names, so ``../x`` or ``a/b`` must never get through."""
    if code is None:
        raise SkyassetError("dataset_invalid", f"{where}: the class has no code; give each class a code, e.g. Cu")
    if isinstance(code, str) and (shown := _utf8_or_none(code)) is not None:
        raise SkyassetError(
            "dataset_invalid",
            f"{where}: class code '{shown}' is not valid UTF-8 text; rename it with UTF-8 characters only (e.g. St)",
        )
    if not isinstance(code, str) or not _CLASS_CODE.fullmatch(code) or code.endswith((" ", ".")):
        raise SkyassetError(
            "dataset_invalid",
            f'{where}: class code {_shown(code)} is not a plain name; use 1-64 characters without / \\ : * ? " '
            "< > | or control characters, not starting with '.', ' ' or '-' and not ending in ' ' or '.' (e.g. Cu, St)",
        )
    return code


def _check_relative_path(rel: str, where: str) -> str:
    """``rel`` if it is a relative path that stays inside its folder (no ``..``, no root, no drive), else
    ``dataset_invalid``; labels name files under the source folder and become archive members."""
    parts = rel.split("/")
    if (
        not rel
        or rel.startswith("/")
        or "\\" in rel
        or any(part in ("", ".", "..") for part in parts)
        or ":" in parts[0]
        or any(ord(ch) < 32 for ch in rel)
        or _utf8_or_none(rel) is not None
    ):
        raise SkyassetError(
            "dataset_invalid",
            f"{where}: label path {_shown_path(rel[:200])!r} leaves the source folder or is not a plain relative "
            "path of UTF-8 text; list files as paths under the folder, e.g. Cu/photo1.jpg",
        )
    return rel


def _check_label(value: object, where: str) -> int:
    # bool is an int in Python, and a label of True is a mistake, not class 1
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_CLASSES:
        raise SkyassetError(
            "dataset_invalid",
            f"{where}: label {_shown(value, 40)} is not a class index from 0 to {MAX_CLASSES - 1}",
        )
    return value


def _regular_file_size(path: Path, what: str, limit: int) -> int:
    """The size of ``path``, refused before it is opened when it is not a regular file or over ``limit``."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SkyassetError("input_not_found", f"{what} {path} does not exist") from None
    except OSError as exc:
        raise SkyassetError("io_error", f"{what} {path} cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise SkyassetError("dataset_invalid", f"{what} {path} is not a regular file; give the path of a file")
    if info.st_size > limit:
        raise SkyassetError("dataset_invalid", f"{what} {path} is {info.st_size} bytes, over the limit of {limit}")
    return info.st_size


def _parse_json(data: bytes | str, where: str) -> object:
    try:
        return json.loads(data)
    except RecursionError:
        raise SkyassetError("dataset_invalid", f"{where} nests too deeply to be a dataset.json") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, and ints past Python's digit limit
        raise SkyassetError("dataset_invalid", f"{where} is not valid JSON ({exc})") from None


def _class_table(names: object, num_classes: int, where: str) -> list[dict[str, str]] | None:
    """The ``classes`` of a dataset.json as checked ``{code, name, description}`` entries, or None when it has
    none or not one per label (then classes are numbered)."""
    if names is None:
        return None
    if not isinstance(names, list):
        raise SkyassetError("dataset_invalid", f"{where}: 'classes' is a {type(names).__name__}, not a list")
    if len(names) != num_classes:
        return None
    table = []
    for i, entry in enumerate(names):
        if isinstance(entry, str):
            table.append(_class_entry(check_class_code(entry, f"{where} classes[{i}]")))
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("name", ""), str):
            raise SkyassetError(
                "dataset_invalid",
                f"{where}: classes[{i}] = {_shown(entry)} is not a code or a {{code, name, description}} object",
            )
        code = check_class_code(entry.get("code"), f"{where} classes[{i}]")
        table.append(
            {"code": code, "name": entry.get("name") or code, "description": str(entry.get("description") or "")}
        )
    return table


@dataclass(frozen=True)
class SourceImage:
    """One input photo: its path, the path it will have in the archive, and its class index (or None)."""

    path: Path
    archive_name: str
    label: int | None


@dataclass
class PrepareReport:
    """What ``prepare_dataset`` did; ``to_json`` is what the CLI prints with ``--json``."""

    out: Path
    resolution: int
    num_images: int
    class_counts: dict[str, int]
    duplicates_within_class: list[list[str]] = field(default_factory=list)
    duplicates_cross_class: list[list[str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    bytes: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "out": str(self.out),
            "resolution": self.resolution,
            "num_images": self.num_images,
            "class_counts": self.class_counts,
            "duplicates_within_class": self.duplicates_within_class,
            "duplicates_cross_class": self.duplicates_cross_class,
            "removed": self.removed,
            "bytes": self.bytes,
        }


def _class_entry(code: str) -> dict[str, str]:
    for cloud in CCSN_CLASSES:
        if cloud.code == code:
            return cloud.to_json()
    return {"code": code, "name": code, "description": ""}


def scan_source(
    source: Path,
    labels_json: Path | None = None,
) -> tuple[list[SourceImage], list[dict[str, str]]]:
    """List the photos of a class-folder tree or of a StyleGAN2-ADA ``dataset.json`` labelled folder.

    Parameters
    ----------
    source
        A folder. Either one sub-folder per class (the CCSN layout; classes are the sorted folder names), or
        any folder with a ``dataset.json`` (or ``labels_json``) holding ``{"labels": [[relpath, int], ...]}``.
    labels_json
        Labels file to use instead of ``source/dataset.json``.

    Returns
    -------
    images, classes
        The photos in sorted order and the class table (code, name, description), one entry per label.
    """
    source = Path(source)
    if not source.is_dir():
        raise SkyassetError(
            "input_not_found",
            f"dataset source {source} is not a folder; pass the folder "
            "that holds one sub-folder per class or a dataset.json with labels",
        )
    labels_path = labels_json if labels_json is not None else source / ARCHIVE_META
    if labels_json is not None or os.path.lexists(labels_path):  # a FIFO or link there is refused by name
        return _scan_labels_json(source, Path(labels_path))
    class_dirs = sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise SkyassetError(
            "dataset_invalid",
            f"{source} has no class sub-folders and no dataset.json; put "
            "each class's photos in its own sub-folder (e.g. Cu/, St/)",
        )
    if len(class_dirs) > MAX_CLASSES:
        raise SkyassetError("dataset_invalid", f"{source} has {len(class_dirs)} class folders, over {MAX_CLASSES}")
    for class_dir in class_dirs:
        if (shown := _utf8_or_none(class_dir.name)) is not None:
            raise SkyassetError(
                "dataset_invalid",
                f"class folder {_shown_path(class_dir)}: its name '{shown}' is not valid UTF-8 text; rename the "
                "folder with UTF-8 characters only (e.g. St)",
            )
        check_class_code(class_dir.name, f"class folder {class_dir}")
    images: list[SourceImage] = []
    for label, class_dir in enumerate(class_dirs):
        files = sorted(p for p in class_dir.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS)
        for f in files:
            if not _image_file(f):
                continue
            rel = f.relative_to(class_dir).as_posix()
            if (shown := _utf8_or_none(rel)) is not None:
                raise SkyassetError(
                    "dataset_invalid",
                    f"image {_shown_path(f)}: its name '{shown}' is not valid UTF-8 text, which the archive cannot "
                    "store; rename the file with UTF-8 characters only",
                )
            images.append(SourceImage(f, f"{class_dir.name}/{Path(rel).with_suffix('').as_posix()}", label))
    if not images:
        raise SkyassetError("dataset_invalid", f"no images ({', '.join(IMAGE_EXTENSIONS)}) under {source}")
    return images, [_class_entry(d.name) for d in class_dirs]


def _labels_list(meta: object, where: str) -> list[tuple[str, int]] | None:
    """The checked ``labels`` of a dataset.json: None, or ``(relative path, class index)`` pairs."""
    labels = meta.get("labels") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or "labels" not in meta or not (labels is None or isinstance(labels, list)):
        raise SkyassetError(
            "dataset_invalid", f'{where} is not a StyleGAN2-ADA dataset.json ({{"labels": [[path, int], ...]}})'
        )
    if labels is None:
        return None
    pairs = []
    for item in labels:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            raise SkyassetError(
                "dataset_invalid",
                f"{where}: label entry {_shown(item) if not isinstance(item, list) else _shown_entry(item)} "
                "is not [relative path, class index]",
            )
        pairs.append((_check_relative_path(item[0], where), _check_label(item[1], f"{where} ({item[0][:80]})")))
    return pairs


def _shown_entry(item: list[Any]) -> str:
    return "[" + ", ".join(_shown(v, 60) for v in item[:3]) + (", ...]" if len(item) > 3 else "]")


def _scan_labels_json(source: Path, labels_path: Path) -> tuple[list[SourceImage], list[dict[str, str]]]:
    _regular_file_size(labels_path, "labels file", MAX_META_BYTES)
    try:
        text = labels_path.read_bytes()
    except OSError as exc:
        raise SkyassetError("io_error", f"labels file {labels_path} cannot be read ({exc.strerror or exc})") from None
    meta = _parse_json(text, str(labels_path))
    checked = _labels_list(meta, str(labels_path))
    if checked is None:
        files = sorted(p for p in source.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file())
        pairs: list[tuple[str, int | None]] = [(f.relative_to(source).as_posix(), None) for f in files]
    else:
        pairs = list(checked)
    num_classes = max((lab for _, lab in pairs if lab is not None), default=-1) + 1
    names = meta.get("classes") if isinstance(meta, dict) else None
    classes = _class_table(names, num_classes, str(labels_path)) or [
        {"code": str(i), "name": str(i), "description": ""} for i in range(num_classes)
    ]
    images = []
    for rel, lab in sorted(pairs, key=lambda pair: pair[0]):
        path = source / rel
        if not path.is_file():
            raise SkyassetError("input_not_found", f"{labels_path} lists {rel}, which is not a file in {source}")
        images.append(SourceImage(path, Path(rel).with_suffix("").as_posix(), lab))
    return images, classes


def _image_file(path: Path) -> bool:
    """True for a regular file (through links), False for a folder named like an image; ``dataset_invalid``
    for anything else with an image name (a FIFO would block the read, a device never ends, a link loops or
    points nowhere), so nothing is skipped without a word."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise SkyassetError(
            "dataset_invalid",
            f"image {_shown_path(path)} cannot be opened ({exc.strerror or exc}: a dangling or looping link?); "
            "remove it or point it at an image file",
        ) from None
    if stat.S_ISDIR(info.st_mode):
        return False
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device, socket or pipe"
        raise SkyassetError(
            "dataset_invalid",
            f"image {_shown_path(path)} is {kind}, not a regular file; remove it or replace it with an image file",
        )
    return True


def _load_square(path: Path, resolution: int, crop: CropMode) -> Image.Image:
    limit = max_pixels()
    try:
        with Image.open(path) as im:
            width, height = im.size
            if width * height > limit:  # measured from the header, before any pixel is decoded
                raise SkyassetError(
                    "dataset_invalid",
                    f"image {path} is {width}x{height} = {width * height} pixels, over the {limit} that "
                    "skyasset decodes; shrink or remove it (or raise SKYASSET_MAX_PIXELS)",
                )
            im = im.convert("RGB")
    except _IMAGE_ERRORS as exc:
        raise SkyassetError(
            "dataset_invalid", f"cannot read image {path} ({type(exc).__name__}: {exc}); remove or replace it"
        ) from None
    if crop == "center":
        w, h = im.size
        s = min(w, h)
        left, top = (w - s) // 2, (h - s) // 2
        im = im.crop((left, top, left + s, top + s))
    if im.size != (resolution, resolution):
        im = im.resize((resolution, resolution), Image.Resampling.LANCZOS)
    return im


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise SkyassetError("io_error", f"cannot read {path} ({exc.strerror or exc}); check its permissions") from None
    return digest.hexdigest()


def _find_duplicates(
    images: list[SourceImage], cross_class: CrossClassPolicy
) -> tuple[list[SourceImage], list[list[str]], list[list[str]], list[str]]:
    by_hash: dict[str, list[SourceImage]] = {}
    for img in images:
        by_hash.setdefault(_file_digest(img.path), []).append(img)
    removed: set[Path] = set()
    within: list[list[str]] = []
    across: list[list[str]] = []
    for group in by_hash.values():
        if len(group) < 2:
            continue
        names = [g.archive_name for g in group]
        if len({g.label for g in group}) > 1:
            across.append(names)
            keep = [] if cross_class == "drop" else group[:1]
        else:
            within.append(names)
            keep = group[:1]
        removed.update(g.path for g in group if g not in keep)
    kept = [img for img in images if img.path not in removed]
    removed_names = [img.archive_name for img in images if img.path in removed]
    return kept, within, across, removed_names


def _check_prepare_arguments(resolution: int, jpeg_quality: int, max_images: int | None) -> None:
    if resolution < 4 or resolution > 4096 or resolution & (resolution - 1):
        raise SkyassetError("invalid_argument", f"resolution {resolution} is not a power of two in [4, 4096]")
    if not 1 <= jpeg_quality <= 100:
        raise SkyassetError("invalid_argument", f"jpeg quality {jpeg_quality} is not in [1, 100]")
    if max_images is not None and max_images < 1:
        raise SkyassetError(
            "invalid_argument", f"--max-images {max_images} keeps no image; give at least 1, or leave it out for all"
        )


def _labelled_images(
    source: Path, labels_json: Path | None, unconditional: bool
) -> tuple[list[SourceImage], list[dict[str, str]]]:
    """The source's photos and classes; without labels when ``unconditional``, else every photo must have one."""
    images, classes = scan_source(source, labels_json)
    if unconditional:
        images = [SourceImage(i.path, i.archive_name, None) for i in images]
    elif any(i.label is None for i in images):
        raise SkyassetError("dataset_invalid", "the labels file has no labels; pass --unconditional")
    return images, classes


def _first_per_class(images: list[SourceImage], max_images: int) -> list[SourceImage]:
    """The first ``max_images`` photos of each class, in order."""
    per_class: Counter[int | None] = Counter()
    limited = []
    for img in images:
        if per_class[img.label] < max_images:
            per_class[img.label] += 1
            limited.append(img)
    return limited


def _temporary_archive(out: Path) -> Path:
    """An empty file beside ``out`` to write the archive into before it is renamed into place."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".skyasset-tmp", dir=out.parent)
    except OSError as exc:
        raise SkyassetError(
            "io_error", f"cannot write the archive {out} ({exc.strerror or exc}); choose a writable folder"
        ) from None
    os.close(fd)
    return Path(tmp_name)


@dataclass(frozen=True)
class _Encoding:
    """How each photo goes into the archive: cropped square, side, file format and JPEG quality."""

    resolution: int
    crop: CropMode
    image_format: ImageFormat
    jpeg_quality: int


def _write_images(
    zf: zipfile.ZipFile,
    images: list[SourceImage],
    classes: list[dict[str, str]],
    encoding: _Encoding,
    *,
    labelled: bool,
) -> tuple[list[list[object]] | None, Counter[str]]:
    """Write every photo into ``zf``; its ``labels`` list (None when not ``labelled``) and the count per class."""
    ext = ".jpg" if encoding.image_format == "jpeg" else ".png"
    labels: list[list[object]] | None = [] if labelled else None
    counts: Counter[str] = Counter()
    for img in images:
        pil = _load_square(img.path, encoding.resolution, encoding.crop)
        buf = io.BytesIO()
        if encoding.image_format == "jpeg":
            pil.save(buf, format="JPEG", quality=encoding.jpeg_quality)
        else:
            pil.save(buf, format="PNG", compress_level=6)
        name = img.archive_name + ext
        zf.writestr(name, buf.getvalue())
        if labels is not None:
            labels.append([name, img.label])
        counts["all" if img.label is None else classes[img.label]["code"]] += 1
    return labels, counts


def prepare_dataset(
    source: Path,
    out: Path,
    *,
    resolution: int = 256,
    labels_json: Path | None = None,
    unconditional: bool = False,
    crop: CropMode = "center",
    image_format: ImageFormat = "jpeg",
    jpeg_quality: int = 90,
    cross_class: CrossClassPolicy = "drop",
    max_images: int | None = None,
    force: bool = False,
) -> PrepareReport:
    """Write a training archive from photos (see the module docstring for layout and policies).

    Parameters
    ----------
    source, labels_json
        Input folder and optional labels file (see ``scan_source``).
    out
        The ``.zip`` to write. Written under a temporary name, then renamed.
    resolution
        Output side length in pixels (a power of two from 4 to 4096).
    unconditional
        Ignore the labels: ``labels`` is ``null`` and duplicates are dropped regardless of class.
    crop, image_format, jpeg_quality, cross_class
        Policies described in the module docstring.
    max_images
        Keep only the first N photos per class after de-duplication (handy for quick tests); None keeps all.
    force
        Overwrite ``out`` if it exists.
    """
    _check_prepare_arguments(resolution, jpeg_quality, max_images)
    out = Path(out)
    if out.is_dir() and not out.is_symlink():
        raise SkyassetError("invalid_argument", f"{out} is a folder; name the archive file, e.g. {out / 'data.zip'}")
    # a link at ``out`` is an existing output: refused without force, with it replaced itself (never followed)
    target = check_output_file(out, force, option="the archive")
    images, classes = _labelled_images(Path(source), labels_json, unconditional)
    images, within, across, removed = _find_duplicates(images, cross_class)
    if max_images is not None:
        images = _first_per_class(images, max_images)
    tmp = _temporary_archive(out)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            encoding = _Encoding(resolution, crop, image_format, jpeg_quality)
            labels, counts = _write_images(zf, images, classes, encoding, labelled=not unconditional)
            meta = {
                "labels": labels,
                "classes": None if unconditional else classes,
                "resolution": resolution,
                "image_format": image_format,
                "jpeg_quality": jpeg_quality if image_format == "jpeg" else None,
                "crop": crop,
                "cross_class": cross_class,
                "source": str(Path(source).resolve()),
                "num_images": len(images),
                "removed_duplicates": removed,
                "duplicates_cross_class": across,
            }
            zf.writestr(ARCHIVE_META, json.dumps(meta, indent=1))
        publish(tmp, target, force=force)
    except OSError as exc:
        raise SkyassetError("io_error", f"cannot write the archive {out} ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return PrepareReport(
        out=out,
        resolution=resolution,
        num_images=len(images),
        class_counts=dict(counts),
        duplicates_within_class=within,
        duplicates_cross_class=across,
        removed=removed,
        bytes=out.stat().st_size,
    )


def read_archive_meta(path: Path) -> dict[str, object]:
    """Read and check ``dataset.json`` of an archive (ours or an NVlabs ``dataset_tool.py`` ZIP)."""
    path = Path(path)
    if not path.exists():
        raise SkyassetError(
            "input_not_found",
            f"dataset archive {path} does not exist; make one with `skyasset-train prepare SOURCE OUT.zip`",
        )
    _regular_file_size(path, "dataset archive", 1 << 62)
    where = f"{path}: {ARCHIVE_META}"
    try:
        with zipfile.ZipFile(path) as zf:
            members = {info.filename: info for info in zf.infolist()}
            names = [n for n in members if n.lower().endswith(IMAGE_EXTENSIONS)]
            meta_info = members.get(ARCHIVE_META)
            if meta_info is not None and meta_info.file_size > MAX_META_BYTES:
                raise SkyassetError(
                    "dataset_invalid",
                    f"{where} inflates to {meta_info.file_size} bytes, over the limit of {MAX_META_BYTES}; "
                    "this is not a training archive",
                )
            raw = zf.read(meta_info) if meta_info is not None else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, ValueError) as exc:
        raise SkyassetError("dataset_invalid", f"{path} is not a readable dataset archive: {exc}") from None
    meta = _parse_json(raw, where) if raw is not None else {"labels": None}
    if not isinstance(meta, dict):
        raise SkyassetError("dataset_invalid", f"{where} is not an object")
    meta.setdefault("labels", None)
    pairs = _labels_list(meta, where)
    if pairs is not None:
        missing = [name for name, _ in pairs if name not in members]
        if missing:
            raise SkyassetError(
                "dataset_invalid",
                f"{where} labels {len(missing)} image(s) the archive does not hold (e.g. {missing[0][:120]!r}); "
                "re-run `skyasset-train prepare`",
            )
        meta["labels"] = [[name, label] for name, label in pairs]
        num_classes = max((label for _, label in pairs), default=-1) + 1
        meta["classes"] = _class_table(meta.get("classes"), num_classes, where)
    else:
        meta["classes"] = None
    meta["files"] = sorted(names)
    if not names:
        raise SkyassetError("dataset_invalid", f"{path} holds no images")
    return meta


class ImageArchive:
    """Map-style dataset over an archive: item ``i`` is ``(uint8 CHW numpy image, float32 one-hot label)``.

    Works as a ``torch.utils.data.Dataset`` (it has ``__len__`` and ``__getitem__``) without importing torch,
    and is safe for DataLoader workers (each process opens its own ZIP handle).

    Parameters
    ----------
    path
        Archive written by ``prepare_dataset`` (or an NVlabs dataset ZIP).
    use_labels
        False ignores labels (``c_dim`` becomes 0): trains an unconditional model from a labelled archive.
    max_size
        Use only a random subset of this many images (seeded, reproducible); None uses all.
    indices
        Use exactly these images (after ``max_size`` is ignored); used to split an archive in halves.
    """

    def __init__(
        self,
        path: Path,
        *,
        use_labels: bool = True,
        max_size: int | None = None,
        indices: list[int] | None = None,
        seed: int = 0,
    ) -> None:
        self.path = Path(path)
        meta = read_archive_meta(self.path)
        self.meta = meta
        labels = cast("list[list[Any]] | None", meta["labels"])  # checked by read_archive_meta
        if use_labels and labels:
            label_of = {name: int(lab) for name, lab in labels}
            files = sorted(label_of)
            self.classes: list[dict[str, str]] = list(cast("list[dict[str, str]]", meta.get("classes") or []))
            num = max(label_of.values()) + 1  # read_archive_meta bounded it by MAX_CLASSES
            if len(self.classes) != num:
                self.classes = [{"code": str(i), "name": str(i), "description": ""} for i in range(num)]
            self._labels = np.array([label_of[f] for f in files], dtype=np.int64)
        else:
            files = list(cast("list[str]", meta["files"]))
            self.classes = []
            self._labels = np.zeros(len(files), dtype=np.int64)
        order = np.arange(len(files))
        if indices is not None:
            order = np.asarray(indices, dtype=np.int64)
        elif max_size is not None and max_size < len(files):
            order = np.sort(np.random.default_rng(seed).permutation(len(files))[:max_size])
        self._files = [files[i] for i in order]
        self._labels = self._labels[order]
        self._zip: zipfile.ZipFile | None = None
        self._zip_pid = -1
        if not self._files:
            raise SkyassetError("dataset_invalid", f"{self.path}: no images left to use (labels or --max-size)")
        first = self._read(0, None)
        self.resolution = int(first.shape[1])
        self.num_channels = int(first.shape[0])
        if first.shape[1] != first.shape[2]:
            raise SkyassetError(
                "dataset_invalid",
                f"{self.path}: images are {first.shape[2]}x{first.shape[1]}, "
                "not square; re-run `skyasset-train prepare`",
            )

    @property
    def c_dim(self) -> int:
        """Label dimensionality: number of classes, 0 when unconditional."""
        return len(self.classes)

    @property
    def labels(self) -> np.ndarray:
        """Integer class index per image (all 0 when unconditional)."""
        return self._labels

    @property
    def names(self) -> list[str]:
        return list(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def _open(self) -> zipfile.ZipFile:
        if self._zip is None or self._zip_pid != os.getpid():
            self._zip = zipfile.ZipFile(self.path)
            self._zip_pid = os.getpid()
        return self._zip

    def _read(self, idx: int, side: int | None = -1) -> np.ndarray:
        """Image ``idx`` as uint8 CHW. Its size (from the header, before decoding) must be ``side`` square, the
        archive's resolution by default, or with ``side`` None at most ``MAX_ARCHIVE_SIDE`` (the first image)."""
        name = self._files[idx]
        expected = self.resolution if side == -1 else side
        try:
            zf = self._open()
            info = zf.getinfo(name)
            if info.file_size > MAX_MEMBER_BYTES:
                raise ArchiveReadError(
                    f"{self.path}: member {name} is {info.file_size} bytes, over the {MAX_MEMBER_BYTES} of an "
                    "archive image; re-run `skyasset-train prepare`"
                )
            data = zf.read(info)
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
                if (expected is not None and (width, height) != (expected, expected)) or max(
                    width, height
                ) > MAX_ARCHIVE_SIDE:
                    want = f"{expected}x{expected}" if expected is not None else f"at most {MAX_ARCHIVE_SIDE} px"
                    raise ArchiveReadError(
                        f"{self.path}: {name} is {width}x{height}, expected {want}; re-run `skyasset-train prepare`"
                    )
                arr = np.asarray(im.convert("RGB"), dtype=np.uint8)
        except SkyassetError:
            raise
        except (*_IMAGE_ERRORS, KeyError) as exc:
            raise ArchiveReadError(
                f"{self.path}: member {name} cannot be read ({type(exc).__name__}: {exc}); "
                "the archive is damaged, re-run `skyasset-train prepare`"
            ) from None
        return np.ascontiguousarray(arr.transpose(2, 0, 1))

    def one_hot(self, idx: int) -> np.ndarray:
        c = np.zeros(self.c_dim, dtype=np.float32)
        if self.c_dim:
            c[self._labels[idx]] = 1.0
        return c

    def __getitem__(self, idx: int) -> tuple[np.ndarray, np.ndarray]:
        return self._read(idx), self.one_hot(idx)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_zip"] = None
        return state
