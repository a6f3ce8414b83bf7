"""The public one-call API: ``skyasset.generate(...)`` writes a sky to disk and says what it wrote."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from skyasset.atomic import atomic_output, check_writable, output_path
from skyasset.classes import CloudClass
from skyasset.errors import SkyassetError
from skyasset.generator import Mix, SkyGenerator, parse_mix
from skyasset.limits import check_output_size
from skyasset.naming import sky_stem
from skyasset.seeds import z_from_seed
from skyasset.upscale.upscale import UpscaleMode, check_upscale, upscale_factor

if TYPE_CHECKING:
    from skyasset.assets.fill import GroundFill

__all__ = [
    "generate",
    "check_choice",
    "check_destination",
    "check_settings",
    "default_method",
    "GenerateResult",
    "Layout",
    "Method",
    "LAYOUTS",
    "METHODS",
]

Layout = Literal["flat", "equirect", "faces", "cross-h", "cross-v", "dice", "horizon"]
Method = Literal["ring", "native", "mirror", "stripe"]
LAYOUTS: tuple[Layout, ...] = get_args(Layout)
METHODS: tuple[Method, ...] = get_args(Method)


@dataclass
class GenerateResult:
    """What :func:`generate` wrote; ``to_json()`` is the ``generate --json`` answer (docs/CLI_PROTOCOL.md)."""

    outputs: list[Path]
    files: list[dict[str, Any]]
    stem: str  # the sky's name from its settings (skyasset.naming); the files' names under ``out_dir``
    cloud: str | None
    cloud_name: str | None
    seed: int
    psi: float
    mix: Mix | None
    layout: str
    method: str | None
    size: tuple[int, int]
    hdr: bool
    model: dict[str, Any]
    upscale: str = "none"
    timings: dict[str, float] = field(default_factory=dict)
    sun: dict[str, Any] | None = None
    exposure_stops: float = 0.0  # applied to the files (skyasset.assets.look); 0 for flat
    rotation_deg: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "outputs": [str(p) for p in self.outputs],
            "files": self.files,
            "stem": self.stem,
            "cloud": self.cloud,
            "cloud_name": self.cloud_name,
            "seed": self.seed,
            "psi": self.psi,
            "mix": [{"cloud": self.mix.cloud, "weight": self.mix.weight}] if self.mix else [],
            "layout": self.layout,
            "method": self.method,
            "size": list(self.size),
            "hdr": self.hdr,
            "upscale": self.upscale,
            "model": self.model,
            "sun": self.sun,
            "exposure_stops": self.exposure_stops,
            "rotation_deg": self.rotation_deg,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


def _write_flat(image: np.ndarray, out: Path, metadata: dict[str, Any], force: bool) -> dict[str, Any]:
    if out.suffix.lower() != ".png":
        raise SkyassetError("invalid_argument", f"The flat layout writes PNG: name the output *.png, not {out}.")
    info = PngInfo()
    for key, value in metadata.items():
        info.add_text(f"skyasset:{key}", str(value))
    pixels = (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    with atomic_output(out, force=force) as tmp:
        Image.fromarray(pixels).save(tmp, format="PNG", pnginfo=info)
    h, w = pixels.shape[:2]
    return {"path": str(out), "role": "flat", "format": "png", "width": w, "height": h}


def _check_outputs(out: Path, layout: Layout, hdr: bool, force: bool) -> None:
    if layout == "flat":
        check_writable(out, force)
        return
    from skyasset.assets.skybox import skybox_targets

    for target in skybox_targets(out, layout, hdr=hdr):
        check_writable(target, force)


def default_method(gen: SkyGenerator) -> Method:
    """``native`` for a bundle with a canvas graph (no stitching, no repeats: see README), else ``ring``."""
    return gen.default_method


def check_settings(*, layout: str, method: str | None, size: int, upscale: str) -> None:
    """The model-independent arguments of :func:`generate`, as the CLI and the studio check them (``method``
    ``None``: the model's default)."""
    if layout not in LAYOUTS:
        raise SkyassetError("invalid_argument", f"Unknown layout '{layout}'. Choose one of {', '.join(LAYOUTS)}.")
    if method is not None and method not in METHODS:
        raise SkyassetError("invalid_argument", f"Unknown method '{method}'. Choose one of {', '.join(METHODS)}.")
    if isinstance(size, bool) or not isinstance(size, int) or size < 64 or size > 16384 or size % 8:
        raise SkyassetError("invalid_argument", f"--size must be a multiple of 8 in 64..16384, got {size!r}.")
    check_output_size(size, size // 2)
    check_upscale(upscale)  # an unknown mode or a missing optional package fails early


def check_destination(
    out: str | os.PathLike[str] | None, out_dir: str | os.PathLike[str] | None
) -> str | os.PathLike[str]:
    """The one of ``out`` (a file name) and ``out_dir`` (a folder: the files are named after the sky) given."""
    if out is not None and out_dir is not None:
        raise SkyassetError(
            "invalid_argument",
            "Give either --out FILE (you name the files) or --out-dir FOLDER (the files are named after the "
            "sky's settings), not both.",
        )
    if out is None and out_dir is None:
        raise SkyassetError(
            "invalid_argument",
            "Say where the sky goes: --out sky.png, or --out-dir FOLDER to name the files after its settings.",
        )
    if out is not None:
        return out
    assert out_dir is not None
    if not str(out_dir).strip():
        raise SkyassetError("invalid_argument", "The output folder is empty; give one such as --out-dir skies.")
    return out_dir


def check_choice(gen: SkyGenerator, cloud: str | None, seed: int, psi: float, mix: Mix | None) -> CloudClass | None:
    """The sky the user chose, checked against the model: its class, or ``None`` for an unconditional model."""
    z_from_seed(seed, 1)  # the seed range
    if isinstance(psi, bool) or not isinstance(psi, (int, float)) or not np.isfinite(psi) or not -1.0 <= psi <= 2.0:
        raise SkyassetError("invalid_argument", f"psi must be in [-1, 2] (usually 0.5..1), got {psi!r}.")
    index = gen.class_index(cloud) if cloud is not None and gen.bundle.c_dim else None
    if gen.bundle.c_dim and index is None:
        raise SkyassetError(
            "invalid_argument", "Choose a cloud type with --cloud (see `skyasset classes`), e.g. --cloud cumulus."
        )
    if mix is not None:
        gen.class_index(mix.cloud)
    return gen.classes[index] if index is not None else None


def generate(
    cloud: str | None,
    seed: int,
    out: str | os.PathLike[str] | None = None,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    psi: float = 0.7,
    mix: Mix | str | None = None,
    layout: Layout = "equirect",
    method: Method | None = None,
    size: int = 2048,
    hdr: bool = False,
    force: bool = False,
    model: SkyGenerator | str | os.PathLike[str] | None = None,
    providers: Sequence[str] | None = None,
    upscale: UpscaleMode = "none",
    progress: Callable[[int, int], None] | None = None,
    sun: str | tuple[float, float] | None = "auto",
    ground: GroundFill = "haze",
    ground_color: Sequence[float] | None = None,
    exposure: float = 0.0,
    rotate: float = 0.0,
) -> GenerateResult:
    """Generate one sky and write it in the chosen layout.

    Parameters
    ----------
    cloud
        Cloud type by code or name (``"Cu"``, ``"cumulus"``); ``None`` only for an unconditional model.
    seed
        0 .. 2**31-1; the same seed gives the same pixels everywhere.
    out
        Output file (``sky.png``); multi-file layouts derive their names from it.
    out_dir
        Instead of ``out``: the folder to write into, the files named after the sky's settings
        (``<out_dir>/cumulus_7_psi070_2048.png``; the result's ``stem``, :func:`skyasset.naming.sky_stem`).
    psi
        Truncation toward the class-mean style: 1 = full variety, 0 = the class-mean sky.
    mix
        Blend toward a second cloud type, e.g. ``"stratus:0.3"``.
    layout
        ``flat`` writes the generator's image as is; the others write a skybox.
    method
        How the panorama is made: ``native`` (one canvas that goes all the way round, from the bundle's canvas
        graph: no stitching), ``ring`` (views around the horizon, stitched), ``mirror``/``stripe`` (the 2025
        baseline). ``None``: ``native`` when the bundle has a canvas graph, else ``ring`` (:func:`default_method`).
    size
        Equirect width in pixels (height = size / 2); cube faces are size / 4.
    hdr
        Also write a Radiance HDR / EXR expansion of the sky that can light a scene.
    upscale
        ``none``; ``fast`` (bundled network) or ``best`` (Real-ESRGAN x4plus, ``pip install 'skyasset[best]'``):
        a skybox is assembled at ``size / 4`` (at least the views' own resolution) and the panorama upscaled 4x
        across its wrap seam (:mod:`skyasset.pipeline` says why); ``flat`` upscales the generator image
        4x. The result's ``upscale`` says what was applied: ``none`` when the views already fill ``size``.
    progress
        Called with (tiles done, tiles total) while upscaling.
    sun
        ``"auto"`` (the sun the picture shows; else none for overcast types, one placed from the seed for the
        others), ``"none"``, or ``"ELEVATION,AZIMUTH"`` / ``(elevation, azimuth)`` in degrees (azimuth from
        the panorama's centre, turning right): see :mod:`skyasset.assets.sun_place`. Ignored for ``flat``.
    ground, ground_color
        Below the horizon: ``haze`` (a haze in the sky's own colours deepening into a ground colour from its
        light), ``solid`` (one ``ground_color``, R, G, B in [0, 1]; only with ``solid``) or ``reflection``
        (the sky mirrored, as over water); :func:`skyasset.assets.fill.fill_below_horizon`. Ignored for ``flat``.
    exposure, rotate
        The studio's look, applied to the files (:mod:`skyasset.assets.look`): ``exposure`` in stops (-10 .. 10,
        +1 twice the light; the ``.hdr`` records it as ``EXPOSURE=``), ``rotate`` in degrees of azimuth
        (-360 .. 360, turning right; the sun turns with the sky). 0 and 0 leave the files as they were.
        Ignored for ``flat``.
    """
    started = time.perf_counter()
    destination = output_path(check_destination(out, out_dir))
    if out_dir is not None and destination.exists() and not destination.is_dir():
        raise SkyassetError(
            "invalid_argument", f"--out-dir {destination} is a file; give a folder (it is made if missing)."
        )
    check_settings(layout=layout, method=method, size=size, upscale=upscale)
    from skyasset.assets.sun_place import parse_sun

    sun_request = parse_sun(sun)  # a bad --sun fails before the model loads
    from skyasset.assets.fill import ground_settings

    ground_fill_color = ground_settings(ground, ground_color)  # a bad --ground(-color) too
    from skyasset.assets.look import Look, check_look

    look = check_look(exposure, rotate)  # a bad --exposure/--rotate too
    if layout == "flat":  # not a panorama: nothing to turn, and the preview shows it as written
        look = Look()
    mix_value = parse_mix(mix) if isinstance(mix, str) else mix

    gen = model if isinstance(model, SkyGenerator) else SkyGenerator(model, providers=providers)
    loaded = time.perf_counter()
    cloud_class = check_choice(gen, cloud, seed, psi, mix_value)
    method = method or default_method(gen)
    if method == "native" and layout != "flat":
        gen.require_canvas()  # before anything is written
    stem = sky_stem(
        cloud,
        seed,
        psi,
        size,
        mix=mix_value,
        layout=layout,
        method=method,
        upscale=upscale,
        exposure=look.exposure_stops,
        rotate=look.rotation_deg,
        gen=gen,
    )
    out_path = destination if out_dir is None else output_path(destination / f"{stem}.png")
    _check_outputs(out_path, layout, hdr, force)  # arguments first, then the outputs, then the long work
    metadata: dict[str, Any] = {
        "cloud": cloud_class.code if cloud_class else None,
        "seed": seed,
        "psi": psi,
        "mix": f"{mix_value.cloud}:{mix_value.weight}" if mix_value else None,
        "model": gen.bundle.model_id,
        "variant": gen.bundle.variant,
        "layout": layout,
        "method": None if layout == "flat" else method,
        "upscale": upscale,
        "ground": None if layout == "flat" else ground,
        "ground_color": list(ground_fill_color) if layout != "flat" and ground == "solid" else None,
    }
    timings = {"load_s": loaded - started}
    applied: UpscaleMode = upscale

    sun_json: dict[str, Any] | None = None
    if layout == "flat":
        image = gen.generate(cloud, seed, psi=psi, mix=mix_value)[0]
        generated = time.perf_counter()
        assembled = generated
        if upscale != "none":
            from skyasset.upscale import upscale as upscale_image

            image = upscale_image(image, upscale, progress=progress)
        upscaled = time.perf_counter()
        files = [_write_flat(image, out_path, metadata, force)]
        side = gen.resolution * upscale_factor(upscale)
        size_wh = (side, side)
    else:
        from skyasset import pipeline  # heavy imports (cv2) only when a skybox is wanted
        from skyasset.assets.dome import LAYER_VIEWS
        from skyasset.assets.native import NativeOptions
        from skyasset.assets.panorama import PanoramaOptions, default_options
        from skyasset.assets.ring import RING_VIEWS, split_zenith

        options: PanoramaOptions | None = None
        # The views after the ring's (or the canvas's tiles) make the cloud layer overhead (skyasset.assets.dome).
        if method == "native":
            tiles = gen.canvas_tiles
            styles = gen.ring_styles(cloud, seed, tiles + LAYER_VIEWS, psi=psi, mix=mix_value)
            options = NativeOptions(zenith=gen.synthesize(styles[tiles:]))
            views = gen.canvas(cloud, seed, psi=psi, mix=mix_value)[None]
        else:
            count = RING_VIEWS + LAYER_VIEWS if method == "ring" else 1
            views = gen.ring_views(cloud, seed, count, psi=psi, mix=mix_value)
            if method == "ring":
                views, options = split_zenith(views, RING_VIEWS)
        options = replace(options or default_options(method), ground=ground, ground_color=ground_fill_color)
        generated = time.perf_counter()
        panorama = pipeline.panorama_from_views(views, method, size, upscale, progress=progress, options=options)
        applied = panorama.upscale
        assembled = generated + panorama.timings["assemble_s"]
        upscaled = assembled + panorama.timings["upscale_s"]
        files, sun_json = pipeline.write_sky(
            panorama,
            layout,
            out_path,
            hdr=hdr,
            force=force,
            metadata=metadata,
            sun=sun_request,
            cloud=cloud_class.code if cloud_class else None,
            seed=seed,
            look=look,
        )
        size_wh = (size, size // 2)
    finished = time.perf_counter()
    timings |= {
        "generate_s": generated - loaded,
        "assemble_s": assembled - generated,
        "upscale_s": upscaled - assembled,
        "write_s": finished - upscaled,
        "total_s": finished - started,
    }
    return GenerateResult(
        outputs=[Path(f["path"]) for f in files],
        files=files,
        stem=stem,
        cloud=cloud_class.code if cloud_class else None,
        cloud_name=cloud_class.name if cloud_class else None,
        seed=seed,
        psi=psi,
        mix=mix_value,
        layout=layout,
        method=metadata["method"],
        size=size_wh,
        hdr=hdr and layout != "flat",
        upscale=applied,
        sun=sun_json,
        exposure_stops=look.exposure_stops,
        rotation_deg=look.rotation_deg,
        model={"model_id": gen.bundle.model_id, "variant": gen.bundle.variant, "path": str(gen.bundle.path)},
        timings=timings,
    )
