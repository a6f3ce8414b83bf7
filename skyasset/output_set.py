"""A set of output files that appears whole or not at all: a skybox's faces, HDR copies and sidecar.

The files are written into a private staging folder inside the target folder (same file system, so moving
them is a rename), then moved into place together while holding a lock on the target folder:

- **Interrupted while writing** (error, Ctrl-C, SIGTERM): the staging folder is removed; the old set stays.
- **Killed outright** (SIGKILL, power loss): a staging folder may be left behind, hidden (dot name, which Unity's
  importer and file browsers skip). The next write into that folder removes it, or, if the kill came during the
  moves, finishes them from the journal the commit wrote first, so the set is whole again.
- **Concurrent writers** of the same folder take turns at the commit; without ``force`` the later one finds the
  files there and stops with ``output_exists``; with ``force`` each replaces the whole set in turn. A reader
  never sees files of two runs mixed, except during the instant of the moves themselves.

Staging folders are owned: the writer holds a lock on its own staging folder while alive, so another process
only cleans up a staging folder whose owner has died.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from skyasset.atomic import TEMP_MARK, check_writable, make_parent
from skyasset.errors import SkyassetError

__all__ = ["STAGING_PREFIX", "staged_outputs", "recover_staging"]

STAGING_PREFIX = ".skyasset-stage-"
JOURNAL = ".commit.json"
LOCK_TIMEOUT_S = 120.0


POSIX = sys.platform != "win32"


def _try_lock(path: Path, *, blocking: bool) -> int | None:
    """An exclusive advisory lock on the folder ``path``: its descriptor (close it to release), or None if taken.

    POSIX only (flock on the folder itself, released by the kernel when the holder dies, so no lock file is
    left behind); on Windows folders cannot be locked this way and every lock is granted (-1).
    """
    if not POSIX:
        return -1
    import fcntl

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


def _move_journaled(stage: Path, folder: Path, names: Sequence[str]) -> None:
    """Move ``names`` from ``stage`` into ``folder`` (the journal listing them is written already)."""
    for name in names:
        if os.path.lexists(stage / name):
            os.replace(stage / name, folder / name)


def recover_staging(folder: Path) -> None:
    """Clean up after writers that died in ``folder``: finish journaled commits, remove abandoned staging.

    Call with the folder lock held. A staging folder whose owner still runs (holds its lock) is left alone;
    on Windows, where ownership cannot be told, nothing is touched.
    """
    if not POSIX:
        return
    try:
        stages = [p for p in folder.iterdir() if p.name.startswith(STAGING_PREFIX) and p.is_dir()]
    except OSError:
        return
    for stage in stages:
        try:
            with _locked(stage, blocking=False) as free:
                if not free:
                    continue  # its writer is alive
                journal = stage / JOURNAL
                if journal.is_file():
                    _move_journaled(stage, folder, json.loads(journal.read_text(encoding="utf-8"))["names"])
        except (OSError, ValueError, KeyError):
            pass
        shutil.rmtree(stage, ignore_errors=True)


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
        raise SkyassetError("io_error", f"Cannot write in {folder}: {exc.strerror or exc}.") from None
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
                _move_journaled(stage, folder, names)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    except OSError as exc:
        raise SkyassetError("io_error", f"Cannot write into {folder}: {exc.strerror or exc}.") from None
    finally:
        _unlock(owner)
