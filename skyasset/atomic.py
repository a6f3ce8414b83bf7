"""Atomic file output: write to a temporary name beside the target, rename on success."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from skyasset.errors import SkyassetError

__all__ = ["atomic_output", "check_writable"]


def check_writable(path: Path, force: bool) -> None:
    """Refuse to overwrite ``path`` unless ``force``; fail early if its folder cannot be made."""
    if path.exists() and not force:
        raise SkyassetError(
            "output_exists", f"{path} already exists. Choose another output name or pass --force to overwrite."
        )
    if path.exists() and path.is_dir():
        raise SkyassetError("io_error", f"{path} is a folder; give a file name for the output.")


@contextmanager
def atomic_output(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``path`` in one rename.

    On any error the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    check_writable(target, force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SkyassetError("io_error", f"Cannot create folder {target.parent}: {exc.strerror}.") from None
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        raise SkyassetError("io_error", f"Cannot write {target}: {exc.strerror or exc}.") from None
    finally:
        if tmp.exists():
            tmp.unlink()
