"""Checks every ``skyasset-train`` command runs on a user-named output before any work.

A symbolic link at the output name counts as an existing output: without the overwrite option it is refused,
with it the link itself is replaced (``os.replace``), never the file or folder it points to. Folders (bundles)
follow the same rule.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path

from skyasset.atomic import check_writable, lstat_or_none, output_path
from skyasset.errors import SkyassetError

__all__ = ["IMAGE_SUFFIXES", "check_output_file", "check_output_folder", "remove_output", "shown_path"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")  # what PIL writes from the suffix alone


def shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` for a message: bytes that are not UTF-8 (a surrogate-escaped name) shown as ``\\xff`` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def check_output_file(
    path: str | os.PathLike[str], force: bool, *, option: str = "--out", suffixes: Iterable[str] | None = None
) -> Path:
    """``path`` made absolute (a link at its name not followed), after refusing a wrong suffix, a folder, a
    device, or an existing file or link without ``force``."""
    allowed = tuple(suffixes) if suffixes is not None else None
    if allowed is not None and Path(path).suffix.lower() not in allowed:
        raise SkyassetError(
            "invalid_argument",
            f"{option} {shown_path(path)} does not end in {', '.join(allowed)}; name the file with one of "
            f"these suffixes, e.g. {Path(path).stem or 'out'}{allowed[0]}",
        )
    target = output_path(path)
    found = lstat_or_none(target)
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise SkyassetError(
            "invalid_argument", f"{option} {shown_path(target)} is a folder; give a file name inside it instead"
        )
    check_writable(target, force)
    return target


def check_output_folder(path: str | os.PathLike[str], force: bool, *, option: str = "--out") -> Path:
    """``path`` (a folder to create) made absolute; refuses an existing folder, file or link without ``force``,
    and a device or pipe in any case."""
    target = output_path(path)
    found = lstat_or_none(target)
    if found is None:
        return target
    what = "is a symbolic link" if stat.S_ISLNK(found.st_mode) else "already exists"
    if not force:
        raise SkyassetError(
            "output_exists",
            f"{option} {shown_path(target)} {what}; choose another name or pass --force to replace it",
        )
    if not (stat.S_ISDIR(found.st_mode) or stat.S_ISREG(found.st_mode) or stat.S_ISLNK(found.st_mode)):
        raise SkyassetError(
            "invalid_argument", f"{option} {shown_path(target)} is a device or pipe; give a folder name for the output"
        )
    return target


def remove_output(path: Path) -> None:
    """Remove what is at ``path`` to make room for a new output: a link or file is unlinked (never followed), a
    real folder removed with its content."""
    found = lstat_or_none(path)
    if found is None:
        return
    if stat.S_ISDIR(found.st_mode):
        shutil.rmtree(path)
    else:
        path.unlink()
