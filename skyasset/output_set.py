"""A set of output files that appears whole or not at all: a skybox's faces, HDR copies and sidecar.

The files are written into a private staging folder inside the target folder (same file system, so moving
them is a rename), then moved into place together while holding a lock on the target folder:

- **Interrupted while writing** (error, Ctrl-C, SIGTERM): the staging folder is removed; the old set stays.
- **Interrupted at the commit**: Ctrl-C/SIGTERM wait until the moves are done and are then delivered, with
  ``SET_PUBLISHED`` set, so that the CLI answers success for a set that is in place (it holds them until its
  answer is out); the removal of the staging folder is never cut short either.
- **Killed outright** (SIGKILL, power loss): a staging folder may be left behind, hidden (dot name, which Unity's
  importer and file browsers skip). The next write into that folder removes it, or, if the kill came during the
  moves, finishes them from the journal the commit wrote first, so the set is whole again.
- **Concurrent writers** of the same folder take turns at the commit; without ``force`` the later one finds the
  files there and stops with ``output_exists``; with ``force`` each replaces the whole set in turn. A reader
  never sees files of two runs mixed, except during the instant of the moves themselves.

Staging folders are owned: the writer holds a lock on its own staging folder while alive, so another process
only cleans up a staging folder whose owner has died. Recovery trusts only a staging folder that this user made
and nobody else can write into, and a journal that names plain file names; it never follows a symlink
(:func:`recover_staging`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from skyasset.atomic import TEMP_MARK, check_writable, make_parent, path_error
from skyasset.errors import SkyassetError

__all__ = ["SET_PUBLISHED", "STAGING_PREFIX", "is_plain_name", "recover_staging", "staged_outputs"]

STAGING_PREFIX = ".skyasset-stage-"
JOURNAL = ".commit.json"
JOURNAL_MAX_BYTES = 64 * 1024
JOURNAL_MAX_NAMES = 1024
LOCK_TIMEOUT_S = 120.0

POSIX = sys.platform != "win32"
if POSIX:
    import fcntl

# Set once a set has been moved into place (cleared when the next one starts staging). A front end that
# answers for the run (the CLI) reads it: a Ctrl-C or SIGTERM from then on cannot undo the work, so the run
# must answer success rather than `interrupted`.
SET_PUBLISHED = threading.Event()


def _try_lock(path: Path, *, blocking: bool) -> int | None:
    """An exclusive advisory lock on the folder ``path``: its descriptor (close it to release), or None if taken.

    POSIX only (flock on the folder itself, released by the kernel when the holder dies, so no lock file is
    left behind); on Windows folders cannot be locked this way and every lock is granted (-1).
    """
    if not POSIX:
        return -1
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _unlock(fd: int | None) -> None:
    if fd is not None and fd >= 0:
        os.close(fd)


@contextmanager
def _locked(path: Path, *, blocking: bool) -> Iterator[bool]:
    fd = _try_lock(path, blocking=blocking)
    try:
        yield fd is not None
    finally:
        _unlock(fd)


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    while True:
        with _locked(folder, blocking=False) as held:
            if held:
                yield
                return
        if time.monotonic() > deadline:
            raise SkyassetError(
                "io_error",
                f"{folder} stayed locked by another skyasset process for "
                f"{LOCK_TIMEOUT_S:.0f} s; wait for it to finish or write elsewhere.",
            )
        time.sleep(0.05)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C/SIGTERM until the moves are done, then deliver them, so a commit is never cut in half.

    Swapping the Python-level handlers (not just masking the signals) matters: a signal that arrived just
    before is already noted by the interpreter and its handler would otherwise run between two moves.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    names = [signal.SIGINT] + ([signal.SIGTERM] if POSIX else [])
    previous = {signum: signal.signal(signum, lambda signum, frame: caught.append(signum)) for signum in names}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:
            signal.raise_signal(caught[0])


def is_plain_name(name: object) -> bool:
    """True for a file name that stays in the folder it is joined to: no separator, not ``.``/``..``, no NUL."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and "/" not in name
        and os.sep not in name
        and (os.altsep is None or os.altsep not in name)
        and "\0" not in name
    )


def _is_member_name(name: object) -> bool:
    """A name a journal may list: a plain file name of a set, never our own journal, staging or temporary names."""
    return (
        is_plain_name(name)
        and name != JOURNAL
        and not str(name).startswith(STAGING_PREFIX)
        and TEMP_MARK not in str(name)
    )


def _open_owned_folder(parent_fd: int, name: str) -> int | None:
    """A descriptor of the folder ``name`` in ``parent_fd`` if this user made it and only this user can write
    into it, else None. Opened without following a symlink and checked on the open descriptor, so what is checked
    is what is used."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent_fd)
    except OSError:
        return None  # a symlink (ELOOP/ENOTDIR), gone, or not ours to open
    info = os.fstat(fd)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        os.close(fd)
        return None
    return fd


def _read_journal(stage_fd: int) -> list[str] | None:
    """The names a journal in the staging folder lists: [] without a journal, None for one we did not write
    (not a regular file of ours, too large, malformed, or naming anything but plain member file names)."""
    try:
        # O_NONBLOCK: a FIFO planted under the journal's name must not hang the run.
        fd = os.open(JOURNAL, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=stage_fd)
    except FileNotFoundError:
        return []
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_size > JOURNAL_MAX_BYTES:
            return None
        data = handle.read(JOURNAL_MAX_BYTES + 1)
    try:
        document = json.loads(data.decode("utf-8"))
    except ValueError:  # also a truncated journal: the writer died while writing it, before any move
        return None
    names = document.get("names") if isinstance(document, dict) else None
    if not isinstance(names, list) or len(names) > JOURNAL_MAX_NAMES or len(set(map(str, names))) != len(names):
        return None
    if not all(_is_member_name(name) for name in names):
        return None
    return [str(name) for name in names]


def _move_names(stage_fd: int, folder_fd: int, names: Sequence[str]) -> None:
    """Move the regular files ``names`` (plain names) from the staging folder into the folder, by descriptor:
    no path is re-resolved and no symlink is followed (``rename`` replaces a link at the target, never what it
    points to); a name already moved, or not a regular file of ours, is skipped."""
    for name in names:
        try:
            info = os.stat(name, dir_fd=stage_fd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
            os.replace(name, name, src_dir_fd=stage_fd, dst_dir_fd=folder_fd)


def _publish(stage: Path, stage_fd: int | None, folder: Path, names: Sequence[str]) -> None:
    """Move our own staged ``names`` into ``folder`` (the journal listing them is written already)."""
    if not POSIX or stage_fd is None or stage_fd < 0:
        for name in names:
            if os.path.lexists(stage / name):
                os.replace(stage / name, folder / name)
        return
    folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _move_names(stage_fd, folder_fd, names)
    finally:
        os.close(folder_fd)


def _staging_names(folder_fd: int) -> list[str]:
    return [n for n in os.listdir(folder_fd) if n.startswith(STAGING_PREFIX) and n.endswith(TEMP_MARK)]


def recover_staging(folder: Path) -> None:
    """Clean up after writers that died in ``folder``: finish journaled commits, remove abandoned staging.

    Call with the folder lock held. A staging folder whose owner still runs (holds its lock) is left alone;
    on Windows, where ownership cannot be told, nothing is touched.

    Only staging folders that this user made and only this user can write into are trusted (checked on the
    open folder, symlinks never followed); any other one, such as a folder planted in a shared /tmp by another
    user, is skipped and left where it is rather than failing the run: this run stages in a fresh folder of its
    own, so a stranger's folder is no reason to stop it, and refusing would let anyone who can write in the
    folder stop every run there. A trusted folder whose journal is not one we wrote (a name that is not a plain
    file name of the set, too large, malformed, e.g. cut short by the kill) moves nothing and is removed.
    """
    if not POSIX:
        return
    try:
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        for name in _staging_names(folder_fd):
            _recover_one(folder, folder_fd, name)
    except OSError:
        pass
    finally:
        os.close(folder_fd)


def _recover_one(folder: Path, folder_fd: int, name: str) -> None:
    stage_fd = _open_owned_folder(folder_fd, name)
    if stage_fd is None:
        return  # not ours: see recover_staging
    try:
        try:
            fcntl.flock(stage_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # its writer is alive
        names = _read_journal(stage_fd)
        if names:
            _move_names(stage_fd, folder_fd, names)
    except OSError:
        pass
    finally:
        os.close(stage_fd)
    # rmtree never follows a symlink, and refuses one in place of the folder.
    shutil.rmtree(folder / name, ignore_errors=True)


@contextmanager
def staged_outputs(targets: Sequence[Path], *, force: bool = False) -> Iterator[Path]:
    """Yield a private empty folder; write the files named like ``targets`` into it; on success they all move
    into the targets' folder together. ``targets`` must share one folder.

    Raises
    ------
    SkyassetError
        ``output_exists`` if a target exists (checked first, and again under the lock at the commit) and not
        ``force``; ``io_error`` if the folder cannot be written or a staged file is missing.
    """
    folder = targets[0].parent
    if any(t.parent != folder for t in targets):
        raise ValueError("staged_outputs: all targets must be in one folder")
    SET_PUBLISHED.clear()
    for target in targets:
        check_writable(target, force)
    make_parent(targets[0])
    try:
        # Made and marked as ours (its lock) under the folder lock, so no other writer's recovery can take a
        # staging folder for abandoned in the instant between the two.
        with _folder_lock(folder):
            recover_staging(folder)
            stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, suffix=TEMP_MARK, dir=folder))
            owner = _try_lock(stage, blocking=True)
    except OSError as exc:
        raise path_error(folder, exc, "write in") from None
    try:
        try:
            yield stage
            names = [t.name for t in targets]
            missing = [n for n in names if not (stage / n).is_file()]
            if missing:
                raise SkyassetError("internal_error", f"{', '.join(missing)} should have been written but was not.")
            with _folder_lock(folder), _signals_deferred():
                recover_staging(folder)
                for target in targets:
                    check_writable(target, force)
                (stage / JOURNAL).write_text(json.dumps({"names": names}), encoding="utf-8")
                _publish(stage, owner, folder, names)
                SET_PUBLISHED.set()
        finally:
            with _signals_deferred():  # a second Ctrl-C must not cut the clean-up short
                shutil.rmtree(stage, ignore_errors=True)
    except OSError as exc:
        raise path_error(folder, exc, "write into") from None
    finally:
        _unlock(owner)
