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
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image

from skyasset.classes import CCSN_CLASSES
from skyasset.errors import SkyassetError

__all__ = [
    "CropMode",
    "CrossClassPolicy",
    "ImageFormat",
    "PrepareReport",
    "SourceImage",
    "prepare_dataset",
    "scan_source",
    "ImageArchive",
    "read_archive_meta",
]

CropMode = Literal["center", "stretch"]
CrossClassPolicy = Literal["drop", "keep-first"]
ImageFormat = Literal["jpeg", "png"]

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
ARCHIVE_META = "dataset.json"


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
    if labels_json is not None or labels_path.is_file():
        return _scan_labels_json(source, Path(labels_path))
    class_dirs = sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise SkyassetError(
            "dataset_invalid",
            f"{source} has no class sub-folders and no dataset.json; put "
            "each class's photos in its own sub-folder (e.g. Cu/, St/)",
        )
    images: list[SourceImage] = []
    for label, class_dir in enumerate(class_dirs):
        files = sorted(p for p in class_dir.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file())
        for f in files:
            rel = f.relative_to(class_dir).as_posix()
            images.append(SourceImage(f, f"{class_dir.name}/{Path(rel).with_suffix('').as_posix()}", label))
    if not images:
        raise SkyassetError("dataset_invalid", f"no images ({', '.join(IMAGE_EXTENSIONS)}) under {source}")
    return images, [_class_entry(d.name) for d in class_dirs]


def _scan_labels_json(source: Path, labels_path: Path) -> tuple[list[SourceImage], list[dict[str, str]]]:
    if not labels_path.is_file():
        raise SkyassetError("input_not_found", f"labels file {labels_path} does not exist")
    try:
        meta = json.loads(labels_path.read_text(encoding="utf-8"))
        labels = meta["labels"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SkyassetError(
            "dataset_invalid",
            f'{labels_path} is not a StyleGAN2-ADA dataset.json ({{"labels": [[path, int], ...]}}): {exc}',
        ) from exc
    if labels is None:
        files = sorted(p for p in source.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file())
        pairs: list[tuple[str, int | None]] = [(f.relative_to(source).as_posix(), None) for f in files]
    else:
        pairs = []
        for item in labels:
            if not (
                isinstance(item, list)
                and len(item) == 2
                and isinstance(item[0], str)
                and isinstance(item[1], int)
                and item[1] >= 0
            ):
                raise SkyassetError(
                    "dataset_invalid", f"{labels_path}: label entry {item!r} is not [relative path, non-negative int]"
                )
            pairs.append((item[0], item[1]))
    num_classes = max((lab for _, lab in pairs if lab is not None), default=-1) + 1
    names = meta.get("classes") if isinstance(meta, dict) else None
    if isinstance(names, list) and len(names) == num_classes:
        classes = [_class_entry(n) if isinstance(n, str) else dict(n) for n in names]
    else:
        classes = [{"code": str(i), "name": str(i), "description": ""} for i in range(num_classes)]
    images = []
    for rel, lab in sorted(pairs):
        path = source / rel
        if not path.is_file():
            raise SkyassetError("input_not_found", f"{labels_path} lists {rel}, which is not in {source}")
        images.append(SourceImage(path, Path(rel).with_suffix("").as_posix(), lab))
    return images, classes


def _load_square(path: Path, resolution: int, crop: CropMode) -> Image.Image:
    try:
        with Image.open(path) as im:
            im = im.convert("RGB")
    except OSError as exc:
        raise SkyassetError("dataset_invalid", f"cannot read image {path}: {exc}; remove or replace it") from exc
    if crop == "center":
        w, h = im.size
        s = min(w, h)
        left, top = (w - s) // 2, (h - s) // 2
        im = im.crop((left, top, left + s, top + s))
    if im.size != (resolution, resolution):
        im = im.resize((resolution, resolution), Image.Resampling.LANCZOS)
    return im


def _find_duplicates(
    images: list[SourceImage], cross_class: CrossClassPolicy
) -> tuple[list[SourceImage], list[list[str]], list[list[str]], list[str]]:
    by_hash: dict[str, list[SourceImage]] = {}
    for img in images:
        digest = hashlib.sha256(img.path.read_bytes()).hexdigest()
        by_hash.setdefault(digest, []).append(img)
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
    if resolution < 4 or resolution > 4096 or resolution & (resolution - 1):
        raise SkyassetError("invalid_argument", f"resolution {resolution} is not a power of two in [4, 4096]")
    if not 1 <= jpeg_quality <= 100:
        raise SkyassetError("invalid_argument", f"jpeg quality {jpeg_quality} is not in [1, 100]")
    out = Path(out)
    if out.is_dir():
        raise SkyassetError("invalid_argument", f"{out} is a folder; name the archive file, e.g. {out / 'data.zip'}")
    if out.exists() and not force:
        raise SkyassetError("output_exists", f"{out} exists; pass --force to overwrite it or choose another path")
    images, classes = scan_source(Path(source), labels_json)
    if unconditional:
        images = [SourceImage(i.path, i.archive_name, None) for i in images]
    elif any(i.label is None for i in images):
        raise SkyassetError("dataset_invalid", "the labels file has no labels; pass --unconditional")
    images, within, across, removed = _find_duplicates(images, cross_class)
    if max_images is not None:
        per_class: Counter[int | None] = Counter()
        limited = []
        for img in images:
            if per_class[img.label] < max_images:
                per_class[img.label] += 1
                limited.append(img)
        images = limited
    ext = ".jpg" if image_format == "jpeg" else ".png"
    labels: list[list[object]] | None = None if unconditional else []
    counts: Counter[str] = Counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".skyasset-tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for img in images:
                pil = _load_square(img.path, resolution, crop)
                buf = io.BytesIO()
                if image_format == "jpeg":
                    pil.save(buf, format="JPEG", quality=jpeg_quality)
                else:
                    pil.save(buf, format="PNG", compress_level=6)
                name = img.archive_name + ext
                zf.writestr(name, buf.getvalue())
                if labels is not None:
                    labels.append([name, img.label])
                counts["all" if img.label is None else classes[img.label]["code"]] += 1
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
        os.replace(tmp, out)
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
    if not path.is_file():
        raise SkyassetError(
            "input_not_found",
            f"dataset archive {path} does not exist; make one with `skyasset-train prepare SOURCE OUT.zip`",
        )
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(IMAGE_EXTENSIONS)]
            meta = json.loads(zf.read(ARCHIVE_META)) if ARCHIVE_META in zf.namelist() else {"labels": None}
    except (zipfile.BadZipFile, json.JSONDecodeError, OSError) as exc:
        raise SkyassetError("dataset_invalid", f"{path} is not a readable dataset archive: {exc}") from exc
    if not isinstance(meta, dict):
        raise SkyassetError("dataset_invalid", f"{path}: dataset.json is not an object")
    meta.setdefault("labels", None)
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
        labels = meta["labels"]
        if use_labels and labels:
            label_of = {name: int(lab) for name, lab in labels}  # type: ignore[union-attr]
            files = sorted(label_of)
            self.classes: list[dict[str, str]] = list(meta.get("classes") or [])  # type: ignore[arg-type]
            num = max(label_of.values()) + 1
            if len(self.classes) != num:
                self.classes = [{"code": str(i), "name": str(i), "description": ""} for i in range(num)]
            self._labels = np.array([label_of[f] for f in files], dtype=np.int64)
        else:
            files = list(meta["files"])  # type: ignore[arg-type]
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
        first = self._read(0)
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

    def _read(self, idx: int) -> np.ndarray:
        data = self._open().read(self._files[idx])
        with Image.open(io.BytesIO(data)) as im:
            arr = np.asarray(im.convert("RGB"), dtype=np.uint8)
        return np.ascontiguousarray(arr.transpose(2, 0, 1))

    def one_hot(self, idx: int) -> np.ndarray:
        c = np.zeros(self.c_dim, dtype=np.float32)
        if self.c_dim:
            c[self._labels[idx]] = 1.0
        return c

    def __getitem__(self, idx: int) -> tuple[np.ndarray, np.ndarray]:
        img = self._read(idx)
        if img.shape[1] != self.resolution:
            raise SkyassetError(
                "dataset_invalid",
                f"{self._files[idx]} is {img.shape[2]}x{img.shape[1]}, "
                f"expected {self.resolution}; re-run `skyasset-train prepare`",
            )
        return img, self.one_hot(idx)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_zip"] = None
        return state
