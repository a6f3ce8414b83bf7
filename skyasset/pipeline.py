"""The one place that sequences a skybox: panorama (assembled from views, or given) -> upscaling -> files.

``skyasset.generate`` (views from the generator, :mod:`skyasset.sources`) and ``skyasset.convert`` (photos,
panoramas, cubemaps) call these steps in this order; the ``flat`` layout (the generator's own image) takes the
short way through :func:`upscale_flat` and :func:`write_flat`. :mod:`skyasset.assets` and :mod:`skyasset.upscale`
each do one job on plain arrays and never call each other.

Why a panorama is upscaled rather than its views: the views overlap and are warped, blended and filled into the
panorama, so upscaling them first would spend 4x the work on pixels that are thrown away and put the tiles'
borders inside the blend. The panorama is assembled at a quarter of the requested width and upscaled across
its 360-degree wrap. Measured (benchmarks/bench_upscale.py): upscaling the assembled 1024x512 panorama is ~3x
faster than upscaling six 256 px views and assembling at 4096, because the 4096 assembly itself resamples 8 M
pixels. The small panorama is never narrower than the views' own resolution (:func:`native_width`): assembling a
400 px photo at 256 and upscaling that would be blurrier than no upscaling at all (measured on CCSN photos).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from skyasset.assets.equirect import resize_equirect
from skyasset.assets.hdr import sky_median
from skyasset.assets.look import Look, rotate_equirect, rotate_sun, rotation_shift
from skyasset.assets.panorama import PanoramaMethod, PanoramaOptions, assemble_panorama
from skyasset.assets.png import write_image
from skyasset.assets.ring import RingOptions
from skyasset.assets.skybox import SkyboxLayout, write_skybox
from skyasset.assets.sun import estimate_sun
from skyasset.assets.sun_place import (
    SUN_LOOKS,
    SunDecision,
    SunRequest,
    add_hdr_sun,
    angles_from_uv,
    decide_sun,
    expanded_median,
    hdr_with_sun,
    none_report,
    parse_sun,
    report,
)
from skyasset.atomic import output_path
from skyasset.errors import SkyassetError
from skyasset.upscale import UpscaleMode, upscale_factor, upscale_image

__all__ = [
    "Panorama",
    "base_width",
    "flat_target",
    "native_width",
    "panorama_from_equirect",
    "panorama_from_views",
    "upscale_flat",
    "upscaled_base_width",
    "write_flat",
    "write_sky",
]

ProgressFn = Callable[[int, int], None]


@dataclass
class Panorama:
    """An equirect float32 ``[W/2, W, 3]`` in [0, 1], what upscaling was applied, and the seconds it took."""

    equirect: np.ndarray
    upscale: UpscaleMode
    timings: dict[str, float] = field(default_factory=dict)


def base_width(width: int, factor: int) -> int:
    """Width to assemble at before upscaling: ``width / factor`` rounded up to a multiple of 8 (>= 64)."""
    return max(64, -(-width // (factor * 8)) * 8)


def native_width(views: np.ndarray, method: str, fov: float = 90.0) -> int:
    """Equirect width at which the views' pixels land 1:1; a wider panorama only interpolates them.

    ``ring``: each view of width ``w`` and horizontal field of view ``fov`` has a focal length of
    ``w / 2 / tan(fov / 2)`` px, so a full turn is ``2 pi`` times that. ``stripe`` stretches one view over
    360 degrees (``w``); ``mirror`` over 180 (``2 w``); ``native`` gets the canvas, already 360 degrees wide
    (``w``).
    """
    view_width = int(np.asarray(views).shape[-2])
    if method == "ring":
        return int(math.ceil(math.pi * view_width / math.tan(math.radians(fov) / 2.0)))
    return 2 * view_width if method == "mirror" else view_width


def upscaled_base_width(views: np.ndarray, method: str, mode: UpscaleMode, width: int, fov: float = 90.0) -> int | None:
    """Width to assemble at before upscaling to ``width``; ``None`` when upscaling would add nothing.

    ``width / 4`` (see :func:`base_width`), raised to the views' :func:`native_width` so no detail is thrown
    away; ``None`` for ``mode="none"`` or when the views already fill ``width`` at their own resolution.
    """
    if mode == "none":
        return None
    base = max(base_width(width, upscale_factor(mode)), -(-native_width(views, method, fov) // 8) * 8)
    return base if base < width else None


def _upscale_to(equirect: np.ndarray, mode: UpscaleMode, width: int, progress: ProgressFn | None) -> np.ndarray:
    out = upscale_image(equirect, mode, wrap=True, progress=progress)
    return np.clip(resize_equirect(out, width), 0.0, 1.0) if out.shape[1] != width else out


def panorama_from_views(
    views: np.ndarray,
    method: PanoramaMethod,
    width: int,
    mode: UpscaleMode = "none",
    *,
    progress: ProgressFn | None = None,
    options: PanoramaOptions | None = None,
) -> Panorama:
    """Assemble ``views`` with ``method`` into a ``width``-wide equirect, upscaling by ``mode`` when it helps.

    ``options`` are the method's own (:func:`skyasset.assets.panorama.default_options` when ``None``).
    """
    started = time.perf_counter()
    fov = options.fov if isinstance(options, RingOptions) else RingOptions.fov
    base = upscaled_base_width(views, method, mode, width, fov)
    if base is None:  # no upscaling asked for, or the views already fill `width` on their own
        equirect = assemble_panorama(views, method, width, options)
        return Panorama(equirect, "none", {"assemble_s": time.perf_counter() - started, "upscale_s": 0.0})
    small = assemble_panorama(views, method, base, options)
    assembled = time.perf_counter()
    equirect = _upscale_to(small, mode, width, progress)
    return Panorama(equirect, mode, {"assemble_s": assembled - started, "upscale_s": time.perf_counter() - assembled})


def panorama_from_equirect(
    equirect: np.ndarray, width: int, mode: UpscaleMode = "none", *, progress: ProgressFn | None = None
) -> Panorama:
    """Bring an equirect to ``width``: resized, or upscaled when it is narrower and ``mode`` is not ``none``.

    The input is first shrunk to at most ``width / 2`` so that the 4x image stays at most twice the output.
    """
    started = time.perf_counter()
    have = int(equirect.shape[1])
    if mode == "none" or have >= width:
        out = resize_equirect(equirect, width) if width != have else equirect
        return Panorama(out, "none", {"assemble_s": time.perf_counter() - started, "upscale_s": 0.0})
    source_width = min(have, base_width(width, 2))
    small = resize_equirect(equirect, source_width) if source_width != have else equirect
    resized = time.perf_counter()
    out = _upscale_to(small, mode, width, progress)
    return Panorama(out, mode, {"assemble_s": resized - started, "upscale_s": time.perf_counter() - resized})


def write_sky(
    panorama: Panorama,
    layout: SkyboxLayout,
    out: Path,
    *,
    hdr: bool,
    force: bool,
    metadata: dict[str, Any],
    radiance: np.ndarray | None = None,
    bit_depth: Literal[8, 16] = 8,
    sun: SunRequest | str | None = "auto",
    cloud: str | None = None,
    seed: int | None = None,
    look: Look | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Decide the sun and write the layout's files (all or nothing); returns ``(files as JSON, sun as JSON)``.

    The sun is decided once, here, on the final display panorama (:func:`skyasset.assets.sun_place.decide_sun`:
    ``sun`` is ``auto``, ``none`` or a position; ``cloud`` and ``seed`` say whether and where ``auto`` places
    one the picture does not show), painted into it where it was put, and given one disc in the HDR; every
    layout's files and the sidecar are then made from those same two panoramas, so they agree.
    ``radiance`` (an HDR input's own linear values) is resampled to the panorama's width and written to the
    .hdr/.exr twins instead of an expansion of the display image; ``auto`` measures its sun there.
    ``look`` (the studio's exposure and rotation, :mod:`skyasset.assets.look`) is applied last, after the sun is
    decided on the sky as made, so a given ``sun`` azimuth is the sky's own and turns with it, as in the preview.
    """
    started = time.perf_counter()
    look = look or Look()
    equirect = panorama.equirect
    if radiance is not None:  # resampled, not upscaled: the network is trained on display images
        radiance = np.maximum(resize_equirect(radiance, int(equirect.shape[1])), 0.0)
    decision, display = decide_sun(equirect, parse_sun(sun), cloud=cloud, seed=seed, has_radiance=radiance is not None)
    hdr_radiance: np.ndarray | None
    if radiance is not None:
        sun_json, hdr_radiance = _sun_in_radiance(radiance, decision)
    else:
        median = expanded_median(display)
        sun_json = report(decision, median)
        hdr_radiance = hdr_with_sun(display, decision, median) if hdr else None
    shift = rotation_shift(int(display.shape[1]), look.rotation_deg)
    display = rotate_equirect(display, shift)
    hdr_radiance = None if hdr_radiance is None else rotate_equirect(hdr_radiance, shift)
    sun_json = rotate_sun(sun_json, shift, int(display.shape[1]))
    if look.exposure_stops and "irradiance" in sun_json:  # in the units of the HDR, which the exposure scales
        sun_json = sun_json | {"irradiance": round(float(sun_json["irradiance"]) * look.exposure_factor, 5)}
    written = write_skybox(
        display,
        layout,
        out,
        hdr=hdr,
        bit_depth=bit_depth,
        force=force,
        metadata=metadata | look.metadata(),
        radiance=hdr_radiance,
        radiance_metadata=None if radiance is not None else {"hdr_units": "relative linear radiance"},
        sun=sun_json,
        exposure_stops=look.exposure_stops,
    )
    panorama.timings["write_s"] = time.perf_counter() - started
    return [f.to_json() for f in written], sun_json


def _sun_in_radiance(radiance: np.ndarray, decision: SunDecision) -> tuple[dict[str, Any], np.ndarray]:
    """The sun of an HDR input: measured in its own radiance (``auto``), added to it (a given position), or
    none; the input's radiance is never expanded or re-scaled."""
    if decision.source == "measured":
        found = estimate_sun(radiance)
        if not found.distinct:
            return none_report(), radiance
        elevation, azimuth = angles_from_uv(found.u, found.v)
        extra = {"azimuth_deg": round(azimuth, 3), "present": True, "source": "measured"}
        return found.to_json() | extra, radiance
    if decision.u is None or decision.v is None:
        return none_report(decision.source), radiance
    median = sky_median(radiance)
    lit = add_hdr_sun(radiance, decision.u, decision.v, SUN_LOOKS[decision.weather], median)
    return report(decision, median), lit


def flat_target(out: Path) -> Path:
    """The one file the ``flat`` layout writes: ``out``, which must be a ``.png``."""
    if out.suffix.lower() != ".png":
        raise SkyassetError("invalid_argument", f"The flat layout writes PNG: name the output *.png, not {out}.")
    return out


def upscale_flat(image: np.ndarray, mode: UpscaleMode, *, progress: ProgressFn | None = None) -> np.ndarray:
    """The generator's image 4x (``mode`` not ``none``), or as it is."""
    return image if mode == "none" else upscale_image(image, mode, progress=progress)


def write_flat(image: np.ndarray, out: Path, *, force: bool, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """Write the generator's image as one PNG with the metadata every skybox PNG carries; returns the file as JSON."""
    target = flat_target(out)
    h, w = image.shape[:2]
    write_image(target, image, metadata=metadata | {"width": w, "height": h, "role": "flat"}, force=force)
    return [{"path": str(output_path(target)), "role": "flat", "format": "png", "width": w, "height": h}]
