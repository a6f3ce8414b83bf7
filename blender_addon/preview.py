"""A preview of the chosen sky before the full generation: the flat generator image, shown in the panel.

The CLI makes it (``generate --layout flat``: the model's own 128-256 px image, a fraction of a second plus
start-up) into a private temporary folder; the panel shows it from a ``bpy.utils.previews`` collection.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import bpy
import bpy.utils.previews

from . import cli_bridge

__all__ = ["preview_key", "show", "current", "clear"]

_collection: list[bpy.utils.previews.ImagePreviewCollection] = []
_folder: list[Path] = []


def preview_key(cloud: str, seed: int, psi: float) -> str:
    return f"{cloud}_s{seed}_psi{round(psi * 100):03d}"


def _previews() -> bpy.utils.previews.ImagePreviewCollection:
    if not _collection:
        _collection.append(bpy.utils.previews.new())
    return _collection[0]


def _preview_folder() -> Path:
    if not _folder:
        _folder.append(Path(tempfile.mkdtemp(prefix="skyasset-previews-")))
    return _folder[0]


def show(executable: str, cloud: str, seed: int, psi: float, model: Path | None, timeout: float = 60.0) -> Path:
    """Make (or reuse) the preview of ``cloud``/``seed``/``psi`` and load it for the panel; returns its file."""
    key = preview_key(cloud, seed, psi)
    path = _preview_folder() / f"{key}.png"
    if not path.is_file():
        request = cli_bridge.GenerateRequest(cloud, seed, path, psi=psi, layout="flat", model=model)
        cli_bridge.run_cli(cli_bridge.build_generate_args(executable, request), timeout=timeout)
    previews = _previews()
    if key not in previews:
        previews.load(key, str(path), "IMAGE")
    return path


def current(cloud: str, seed: int, psi: float) -> bpy.types.ImagePreview | None:
    """The loaded preview of these settings, if any (the panel draws it)."""
    if not _collection:
        return None
    return _collection[0].get(preview_key(cloud, seed, psi))


def clear() -> None:
    """Free the previews and their files (on unregister)."""
    for previews in _collection:
        bpy.utils.previews.remove(previews)
    _collection.clear()
    for folder in _folder:
        for file in folder.glob("*"):
            file.unlink(missing_ok=True)
        folder.rmdir()
    _folder.clear()
