"""The one cache folder of skyasset: ``$SKYASSET_CACHE``, else the platform's user cache folder + ``skyasset``.

Built upscaler models go in it directly, FID/conditioning features of training data in ``metrics/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["ENV_VAR", "cache_dir"]

ENV_VAR = "SKYASSET_CACHE"


def cache_dir() -> Path:
    """``$SKYASSET_CACHE`` if set, else e.g. ``~/.cache/skyasset`` (``$XDG_CACHE_HOME``), ``~/Library/Caches/
    skyasset`` or ``%LOCALAPPDATA%/skyasset``."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "skyasset"
