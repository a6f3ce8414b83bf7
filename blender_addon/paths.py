"""Where generated skies go. Needs no Blender.

What they are called is the CLI's decision (`generate --out-dir`): the same name as in the studio and Unity.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["output_folder"]


def output_folder(configured: str, blend_file: str, temp_dir: str) -> Path:
    """The folder for generated skies.

    Parameters
    ----------
    configured
        The add-on preference, already made absolute (Blender's ``//`` resolved); empty = the default.
    blend_file
        The open .blend file's path, empty when the file was never saved.
    temp_dir
        The system's temporary folder, used for unsaved files (not ``bpy.app.tempdir``, which Blender
        deletes on exit).

    Returns
    -------
    Path
        ``configured``; else a ``skies`` folder next to the .blend file; else ``<temp_dir>/skyasset``.
    """
    if configured.strip():
        return Path(configured.strip()).expanduser()
    if blend_file:
        return Path(blend_file).parent / "skies"
    return Path(temp_dir) / "skyasset"
