"""Where generated skies go and what they are called. Needs no Blender."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["output_folder", "sky_file_name"]


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


def sky_file_name(cloud: str, seed: int, psi: float, size: int, upscale: str = "none") -> str:
    """A name that says what made the sky, e.g. ``sky_cumulus_s7_psi070_2048.png`` (psi in hundredths; an
    upscaled sky ends ``_2048-fast``).

    No dot before the extension: the CLI derives its other files' names (``.hdr``, ``.exr``) from the stem.
    Regenerating the same settings overwrites the same file, so a .blend keeps one image per sky.
    """
    safe_cloud = re.sub(r"[^A-Za-z0-9_-]+", "-", cloud).strip("-") or "sky"
    suffix = "" if upscale == "none" else f"-{upscale}"
    return f"sky_{safe_cloud}_s{seed}_psi{round(psi * 100):03d}_{size}{suffix}.png"
