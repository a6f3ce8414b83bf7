"""Atomic file output: write to a private temporary name beside the target, rename on success.

Temporary names are unpredictable and created exclusively (``mkstemp``), so nobody can plant a symlink there;
a symlink at the final name counts as an existing output, and ``--force`` replaces the link itself, never the
file it points to (``os.replace`` does not follow it). Without ``force`` the final rename refuses to clobber a
file that appeared while we worked (a concurrent writer), so a single file is never silently overwritten.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from skyasset.errors import SkyassetError

__all__ = ["TEMP_MARK", "atomic_output", "check_writable", "make_parent", "output_path", "publish", "umask_mode"]

TEMP_MARK = ".skyasset-tmp"  # every temporary file or folder we create has this in its name


def output_path(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute without following a symlink at its last component (that would write elsewhere)."""
    if not str(path).strip():
        raise SkyassetError("invalid_argument", "The output name is empty; give a file name such as sky.png.")
    given = Path(path).expanduser()
    if given.name in ("", ".", ".."):
        return given.resolve()
    return given.parent.resolve() / given.name


def check_writable(path: Path, force: bool) -> None:
    """Refuse to overwrite ``path`` unless ``force``; refuse a folder or a device at that name in any case."""
    if os.path.lexists(path) and not force:
        what = "is a symbolic link" if path.is_symlink() else "already exists"
        raise SkyassetError("output_exists", f"{path} {what}. Choose another output name or pass --force to overwrite.")
    if path.is_dir() and not path.is_symlink():
        raise SkyassetError("io_error", f"{path} is a folder; give a file name for the output.")
    if path.exists() and not path.is_symlink() and not path.is_file():
        raise SkyassetError("io_error", f"{path} is not a regular file (a device or pipe?); give a file name.")


def umask_mode(mode: int = 0o666) -> int:
    """``mode`` as a plain ``open()`` would create it: mkstemp makes 0600 files, outputs should not be private."""
    mask = os.umask(0)
    os.umask(mask)
    return mode & ~mask


def make_parent(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SkyassetError("io_error", f"Cannot create folder {target.parent}: {exc.strerror}.") from None


def publish(tmp: Path, target: Path, *, force: bool) -> None:
    """Move ``tmp`` to ``target`` in one step; without ``force`` fail rather than replace a file that exists."""
    os.chmod(tmp, umask_mode())
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # atomic and never clobbers: EEXIST if someone got there first
    except FileExistsError:
        raise SkyassetError(
            "output_exists",
            f"{target} appeared while skyasset was writing it (another process?). Choose another "
            "output name or pass --force to overwrite.",
        ) from None
    except OSError:  # a file system without hard links: rename, after one more check
        check_writable(target, force=False)
        os.replace(tmp, target)
        return
    os.unlink(tmp)


@contextmanager
def atomic_output(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """Yield a fresh temporary path in the target's folder; on success it becomes ``path`` in one step.

    On any error or interruption the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    check_writable(target, force)
    make_parent(target)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f"{TEMP_MARK}{target.suffix}", dir=target.parent)
    except OSError as exc:
        raise SkyassetError("io_error", f"Cannot write in {target.parent}: {exc.strerror or exc}.") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        publish(tmp, target, force=force)
    except OSError as exc:
        raise SkyassetError("io_error", f"Cannot write {target}: {exc.strerror or exc}.") from None
    finally:
        if os.path.lexists(tmp):
            tmp.unlink()
