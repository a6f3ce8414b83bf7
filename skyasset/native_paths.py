"""File names for native libraries (OpenCV, OpenEXR, ONNX Runtime) whose Python bindings take a UTF-8 ``str``.

On POSIX a file name is bytes, and Python shows a name that is not valid UTF-8 with surrogate escapes
(``b"\\xff"`` becomes ``"\\udcff"``). A binding cannot encode such a ``str``: pybind11 refuses it, and OpenCV's
``imread`` even crashes the process (segmentation fault), for a missing file too. Those libraries therefore
never get such a ``str``: OpenEXR gets the name as bytes, and OpenCV and ONNX Runtime open the file (or the graph's
folder) through a link with an ASCII name in a private temporary folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = ["ascii_link", "encodes", "imread", "library_path"]


def encodes(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a ``str`` that a native library's binding can take (it encodes as UTF-8)."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def imread(path: str | os.PathLike[str], flags: int) -> np.ndarray | None:
    """``cv2.imread`` that never hands OpenCV a name it cannot take: one that is not UTF-8 is read through an
    ASCII link (OpenCV streams from the file; reading it whole into memory first would take a sparse 8 GiB
    file's size). None when the file is not an image OpenCV reads."""
    import cv2  # here: ONNX Runtime's callers need no OpenCV

    with ascii_link(Path(path)) as readable:
        return cv2.imread(str(readable), flags)


def library_path(path: str | os.PathLike[str]) -> str | bytes:
    """``path`` as a ``str`` where it encodes, else as the bytes of the name (OpenEXR takes either)."""
    return os.fspath(path) if encodes(path) else os.fsencode(path)


@contextmanager
def ascii_link(path: Path) -> Iterator[Path]:
    """``path`` itself where its name encodes; else a link to it with an ASCII name (and its suffix) in a private
    temporary folder, removed on exit. A graph opened through a link to its folder finds its external data
    next to it, as in the folder; ONNX Runtime maps or reads that data while it loads, so the link is not
    needed afterwards."""
    if encodes(path):
        yield path
        return
    private = tempfile.mkdtemp(prefix="skyasset-link-")
    try:
        suffix = path.suffix if encodes(path.suffix) and len(path.suffix) <= 16 else ""
        link = os.path.join(private, "link" + suffix)
        os.symlink(os.fsencode(os.path.abspath(path)), os.fsencode(link))
        yield Path(link)
    finally:
        shutil.rmtree(private, ignore_errors=True)
