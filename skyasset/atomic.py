"""Atomic file output: write to a private temporary name beside the target, rename on success.

Temporary names are unpredictable and created exclusively (``mkstemp``), so nobody can plant a symlink there;
a symlink at the final name counts as an existing output, and ``--force`` replaces the link itself, never the
file it points to (``os.replace`` does not follow it). Without ``force`` the final rename refuses to clobber a
file that appeared while we worked (a concurrent writer), so a single file is never silently overwritten.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from skyasset.errors import SkyassetError

__all__ = [
    "TEMP_MARK",
    "atomic_output",
    "check_writable",
    "lstat_or_none",
    "make_parent",
    "output_path",
    "path_error",
    "publish",
    "umask_mode",
]

TEMP_MARK = ".skyasset-tmp"  # every temporary file or folder we create has this in its name
NAME_MAX_DEFAULT = 255  # bytes per file name on every common file system, where pathconf cannot tell
TEMP_STEM_CHARS = 40  # a temporary name keeps this much of the target's stem, so it fits wherever the target does

# Errors of the disk rather than of the name, which libraries such as OpenEXR's binding report as a
# RuntimeError carrying only the OS message.
_DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS, errno.EACCES, errno.EPERM)


def _name_max(path: Path) -> int:
    """The longest file name, in bytes, that the file system holding ``path`` (or its nearest existing folder)
    accepts."""
    probe = path
    while True:
        try:
            return int(os.pathconf(probe, "PC_NAME_MAX"))
        except (OSError, ValueError, AttributeError):
            if probe.parent == probe:
                return NAME_MAX_DEFAULT
            probe = probe.parent


def path_error(path: Path, exc: OSError, doing: str = "write") -> SkyassetError:
    """The named error for an OS failure on the output ``path``: a bad name is the user's ``invalid_argument``,
    anything else an ``io_error`` that says what the OS said."""
    if exc.errno == errno.ENAMETOOLONG:
        return SkyassetError(
            "invalid_argument",
            f"The output path {path} is too long for the file system (at most {_name_max(path.parent)} bytes per "
            "name, and a limit on the whole path): choose a shorter output name or folder.",
        )
    if exc.errno == errno.ELOOP:
        return SkyassetError(
            "invalid_argument",
            f"The output path {path} goes through a loop of symbolic links: give a real folder for the output.",
        )
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return SkyassetError("io_error", f"Cannot {doing} {path}: {reason}; free some space or write elsewhere.")
    return SkyassetError("io_error", f"Cannot {doing} {path}: {reason}.")


def lstat_or_none(path: Path) -> os.stat_result | None:
    """``path``'s own status (a symlink is not followed), None where nothing is there yet."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise path_error(path, exc, "look at") from None


def output_path(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute without following a symlink at its last component (that would write elsewhere)."""
    if not str(path).strip():
        raise SkyassetError("invalid_argument", "The output name is empty; give a file name such as sky.png.")
    given = Path(path).expanduser()
    try:
        absolute = given.resolve() if given.name in ("", ".", "..") else given.parent.resolve() / given.name
    except RuntimeError:  # Python < 3.13 reports a symlink loop in the folders this way
        raise path_error(given, OSError(errno.ELOOP, os.strerror(errno.ELOOP))) from None
    except OSError as exc:
        raise path_error(given, exc, "use") from None
    limit = _name_max(absolute.parent)
    for part in absolute.parts[1:]:
        if len(os.fsencode(part)) > limit:
            raise path_error(absolute, OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG)))
    lstat_or_none(absolute)  # a path too long as a whole, or a loop, fails here with its name rather than later
    return absolute


def check_writable(path: Path, force: bool) -> None:
    """Refuse to overwrite ``path`` unless ``force``; refuse a folder or a device at that name in any case."""
    found = lstat_or_none(path)
    if found is None:
        return
    if not force:
        what = "is a symbolic link" if stat.S_ISLNK(found.st_mode) else "already exists"
        raise SkyassetError("output_exists", f"{path} {what}. Choose another output name or pass --force to overwrite.")
    if stat.S_ISDIR(found.st_mode):
        raise SkyassetError("io_error", f"{path} is a folder; give a file name for the output.")
    if not stat.S_ISREG(found.st_mode) and not stat.S_ISLNK(found.st_mode):
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
        raise path_error(target.parent, exc, "create folder") from None


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
    suffix = target.suffix if len(target.suffix) <= TEMP_STEM_CHARS else ""
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.stem[:TEMP_STEM_CHARS]}.", suffix=f"{TEMP_MARK}{suffix}", dir=target.parent
        )
    except OSError as exc:
        raise path_error(target.parent, exc, "write in") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        publish(tmp, target, force=force)
    except OSError as exc:
        raise path_error(target, exc) from None
    except RuntimeError as exc:
        failure = _disk_failure(str(exc))
        if failure is None:
            raise  # not the disk's fault: a bug, reported as one
        raise path_error(target, failure) from None
    finally:
        if os.path.lexists(tmp):
            tmp.unlink()


def _disk_failure(message: str) -> OSError | None:
    """The OS error a library's RuntimeError ``message`` reports (e.g. OpenEXR: "... No space left on device."),
    or None when it reports none."""
    for code in _DISK_ERRNOS:
        if os.strerror(code) in message:
            return OSError(code, os.strerror(code))
    return None
