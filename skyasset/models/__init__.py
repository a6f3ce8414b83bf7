"""Where models are found: an explicit path, ``$SKYASSET_MODEL``, or the bundle shipped in this package."""

from __future__ import annotations

import os
from pathlib import Path

from skyasset.bundle import METADATA_NAME
from skyasset.errors import SkyassetError

__all__ = ["DEFAULT_MODEL_DIR", "resolve_model_path"]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default"


def _expand(path: str | os.PathLike[str], source: str) -> Path:
    try:
        return Path(path).expanduser()
    except RuntimeError:  # ~name of an unknown user, or no home folder at all
        raise SkyassetError(
            "bundle_not_found",
            f"{source} {str(path)[:300]}: '~' names no home folder on this machine; give the bundle folder's "
            "full path.",
        ) from None


def resolve_model_path(model: str | os.PathLike[str] | None = None) -> Path:
    """The bundle folder to use: ``model`` if given, else ``$SKYASSET_MODEL``, else the packaged default.

    Raises
    ------
    SkyassetError
        ``no_model`` when nothing was given and no trained default model is installed.
    """
    if model is not None:
        return _expand(model, "--model")
    env = os.environ.get("SKYASSET_MODEL")
    if env:
        return _expand(env, "SKYASSET_MODEL")
    if (DEFAULT_MODEL_DIR / METADATA_NAME).is_file():
        return DEFAULT_MODEL_DIR
    raise SkyassetError(
        "no_model",
        "No trained sky model is installed: this build of skyasset ships without a default model. "
        "Pass --model PATH (a bundle folder made by `skyasset-train export`), or set SKYASSET_MODEL to one. "
        "To train your own, see the README's training section.",
    )
