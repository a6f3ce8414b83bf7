"""The studio's library: every finished sky kept in its own folder under a user data folder, across restarts.

Layout of the library folder::

    <library>/<sky id>/sky.json        the settings and the generate answer, written last and atomically
    <library>/<sky id>/<stem>...       the files of the sky's set, as `skyasset generate` writes them
    <library>/.partial/<session>/<id>  skies being made (moved into the library in one rename when done)

A sky appears whole or not at all: a job writes into ``.partial``, then ``sky.json`` is written atomically in its
folder and the folder is renamed into the library. Deleting renames the folder out first, so a half-deleted sky is
never listed. Sky ids are 16 lowercase hex digits; anything else is refused before it reaches a path, and the file
names a ``sky.json`` lists must be plain names inside the sky's own folder.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skyasset.atomic import atomic_output
from skyasset.errors import SkyassetError

__all__ = ["RECORD_NAME", "SKY_ID", "Library", "SavedSky", "check_sky_id", "default_library_folder"]

RECORD_NAME = "sky.json"
RECORD_FORMAT = "skyasset-studio-sky"
RECORD_VERSION = 1
SKY_ID = re.compile(r"[0-9a-f]{16}", re.ASCII)
_PARTIAL = ".partial"
_STALE_PARTIAL_S = 24 * 3600  # a studio killed mid-sky leaves its session's folder; removed by a later start

_log = logging.getLogger("skyasset.studio")


def default_library_folder(
    platform: str = sys.platform, environ: Mapping[str, str] = os.environ, home: Path | None = None
) -> Path:
    """Where the studio keeps skies unless ``--library`` says otherwise: the platform's per-user data folder.

    Linux and other Unix: ``$XDG_DATA_HOME/skyasset/library`` (``~/.local/share/...`` when unset or not
    absolute); macOS: ``~/Library/Application Support/skyasset/library``; Windows:
    ``%LOCALAPPDATA%\\skyasset\\library``.
    """
    home = home if home is not None else Path.home()
    if platform == "win32":
        local = environ.get("LOCALAPPDATA")
        base = Path(local) if local else home / "AppData" / "Local"
    elif platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".local" / "share"
    return base / "skyasset" / "library"


def check_sky_id(sky_id: str) -> str:
    """``sky_id`` if it is a sky id (16 lowercase hex digits); else ``invalid_argument``: ids never become paths
    unchecked."""
    if not isinstance(sky_id, str) or not SKY_ID.fullmatch(sky_id):
        raise SkyassetError(
            "invalid_argument",
            f"{sky_id!r} is not a sky id: ids are 16 lowercase hex digits, as /api/jobs lists them.",
        )
    return sky_id


def _plain_name(name: object) -> str:
    """A file name that stays inside the sky's folder, or ``ValueError``."""
    if not isinstance(name, str) or name in ("", ".", "..", RECORD_NAME) or Path(name).name != name:
        raise ValueError(f"file name {name!r} is not a plain name in the sky's folder")
    if "/" in name or "\\" in name or "\0" in name:
        raise ValueError(f"file name {name!r} is not a plain name in the sky's folder")
    return name


@dataclass(frozen=True)
class SavedSky:
    """One sky of the library, as its ``sky.json`` describes it; ``files`` and ``viewer`` are in ``folder``."""

    id: str
    folder: Path
    params: dict[str, Any]
    result: dict[str, Any]
    files: list[Path]
    file_bytes: list[int]
    viewer: Path
    created_at: float
    started_at: float | None
    finished_at: float

    def record(self) -> dict[str, Any]:
        return {
            "format": RECORD_FORMAT,
            "version": RECORD_VERSION,
            "id": self.id,
            "params": self.params,
            "result": self.result,
            "files": [{"name": p.name, "bytes": n} for p, n in zip(self.files, self.file_bytes, strict=True)],
            "viewer": self.viewer.name,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }

    @classmethod
    def from_record(cls, record: object, folder: Path) -> SavedSky:
        """The sky a ``sky.json`` describes, its paths inside ``folder``; ``ValueError`` for anything else."""
        if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
            raise ValueError(f"not a {RECORD_FORMAT} record")
        if record.get("version") != RECORD_VERSION:
            raise ValueError(f"record version {record.get('version')!r}, this studio reads {RECORD_VERSION}")
        if record.get("id") != folder.name:
            raise ValueError(f"record id {record.get('id')!r} is not its folder's name")
        files = record.get("files")
        if not isinstance(files, list) or not files:
            raise ValueError("the record lists no files")
        names = [_plain_name(f.get("name") if isinstance(f, dict) else None) for f in files]
        sizes = [f.get("bytes") for f in files]
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in sizes):
            raise ValueError("a file size is not a byte count")
        params, result = record.get("params"), record.get("result")
        if not isinstance(params, dict) or not isinstance(result, dict):
            raise ValueError("params and result must be objects")
        times = [record.get(k) for k in ("created_at", "finished_at")]
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in times):
            raise ValueError("created_at and finished_at must be numbers")
        started = record.get("started_at")
        return cls(
            id=folder.name,
            folder=folder,
            params=params,
            result=result,
            files=[folder / n for n in names],
            file_bytes=[int(n) for n in sizes],
            viewer=folder / _plain_name(record.get("viewer")),
            created_at=float(times[0]),  # type: ignore[arg-type]
            started_at=float(started) if isinstance(started, (int, float)) else None,
            finished_at=float(times[1]),  # type: ignore[arg-type]
        )


class Library:
    """The skies under ``root`` (created if missing); one instance per studio process."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().absolute()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SkyassetError(
                "io_error",
                f"Cannot create the studio library {self.root} ({exc.strerror}); choose another with --library.",
            ) from None
        if not self.root.is_dir():
            raise SkyassetError(
                "invalid_argument", f"The studio library {self.root} is not a folder; choose one with --library."
            )
        self._partial = self.root / _PARTIAL / secrets.token_hex(8)
        self._remove_stale_partials()

    def folder_for_new(self, sky_id: str) -> Path:
        """A fresh, empty folder to make sky ``sky_id`` in, outside the library until :meth:`commit`."""
        folder = self._partial / check_sky_id(sky_id)
        folder.mkdir(parents=True)
        return folder

    def discard(self, folder: Path) -> None:
        """Remove a folder from :meth:`folder_for_new` whose sky was not finished."""
        if folder.parent == self._partial:
            shutil.rmtree(folder, ignore_errors=True)

    def commit(self, sky: SavedSky) -> SavedSky:
        """Write ``sky``'s record into its folder (from :meth:`folder_for_new`) and move it into the library.

        Returns the sky with its paths in the library.
        """
        if sky.folder.parent != self._partial:
            raise ValueError(f"{sky.folder} was not made by folder_for_new")
        with atomic_output(sky.folder / RECORD_NAME) as tmp:
            tmp.write_text(json.dumps(sky.record(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        final = self.root / sky.id
        try:
            os.rename(sky.folder, final)  # one step: the sky is listed whole or not at all
        except OSError as exc:
            raise SkyassetError(
                "io_error", f"Cannot move the finished sky into the library {self.root}: {exc.strerror}."
            ) from None
        return SavedSky.from_record(sky.record(), final)

    def skies(self) -> list[SavedSky]:
        """Every readable sky, oldest first; a folder whose record is missing or damaged is skipped (logged)."""
        found: list[SavedSky] = []
        for folder in self.root.iterdir():
            if not SKY_ID.fullmatch(folder.name) or not folder.is_dir():
                continue
            try:
                record = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
                found.append(SavedSky.from_record(record, folder))
            except (OSError, ValueError) as exc:  # JSONDecodeError is a ValueError
                _log.warning("skyasset studio: skipped %s, not a readable sky (%s)", folder, exc)
        return sorted(found, key=lambda s: (s.finished_at, s.id))

    def delete(self, sky_id: str) -> None:
        """Remove sky ``sky_id`` and all its files; ``input_not_found`` if the library has no such sky."""
        folder = self.root / check_sky_id(sky_id)
        if not (folder / RECORD_NAME).is_file():
            raise SkyassetError("input_not_found", f"The library has no sky {sky_id}; it may be deleted already.")
        self._partial.mkdir(parents=True, exist_ok=True)
        doomed = self._partial / f"deleting-{sky_id}"
        try:
            os.rename(folder, doomed)  # out of the library in one step, then removed at leisure
        except FileNotFoundError:
            raise SkyassetError("input_not_found", f"The library has no sky {sky_id}; it was just deleted.") from None
        except OSError as exc:
            raise SkyassetError("io_error", f"Cannot delete sky {sky_id} from {self.root}: {exc.strerror}.") from None
        shutil.rmtree(doomed, ignore_errors=True)

    def close(self) -> None:
        """Remove this session's unfinished skies."""
        shutil.rmtree(self._partial, ignore_errors=True)
        try:
            self._partial.parent.rmdir()  # only when no other studio is working in this library
        except OSError:
            pass

    def _remove_stale_partials(self) -> None:
        partial = self.root / _PARTIAL
        if not partial.is_dir():
            return
        now = time.time()
        for session in partial.iterdir():
            try:
                if now - session.stat().st_mtime > _STALE_PARTIAL_S:
                    shutil.rmtree(session, ignore_errors=True)
            except OSError:
                pass
