"""The public one-call API: ``skyasset.generate(...)`` writes a sky to disk and says what it wrote.

:func:`generate` checks the arguments once (:func:`skyasset.settings.sky_request`) and hands the request to
:func:`generate_sky`, which the studio calls with the request it already checked.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skyasset.atomic import check_writable, output_path
from skyasset.classes import CloudClass
from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator
from skyasset.naming import sky_stem
from skyasset.settings import (
    LAYOUTS,
    METHODS,
    Layout,
    Method,
    Mix,
    SkyRequest,
    check_destination,
    sky_request,
)
from skyasset.upscale.super_resolution import UpscaleMode, upscale_factor

if TYPE_CHECKING:
    from skyasset.assets.fill import GroundFill

__all__ = [
    "generate",
    "generate_sky",
    "check_for_model",
    "GenerateResult",
    "ModelChoice",
    "Layout",
    "Method",
    "LAYOUTS",
    "METHODS",
]

ProgressFn = Callable[[int, int], None]
_SETTINGS = tuple(inspect.signature(sky_request).parameters)  # cloud, seed, psi, ... rotate
_ECHOED = ("seed", "psi", "mix", "layout")  # settings the answer repeats as the request holds them


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


@dataclass(frozen=True)
class ModelChoice:
    """What a request means for one model: its cloud class (``None`` for an unconditional model) and the method
    that makes the panorama (``None`` for ``flat``)."""

    cloud_class: CloudClass | None
    method: Method | None


@dataclass
class _Made:
    """The written files, the sun, the upscaling applied, the output size and the seconds of each step."""

    files: list[dict[str, Any]]
    sun: dict[str, Any] | None
    upscale: UpscaleMode
    size: tuple[int, int]
    timings: dict[str, float]


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
    progress: ProgressFn | None = None,
    sun: str | tuple[float, float] | None = "auto",
    ground: GroundFill = "haze",
    ground_color: Sequence[float] | None = None,
    exposure: float = 0.0,
    rotate: float = 0.0,
) -> GenerateResult:
    """Generate one sky and write it in the chosen layout.

    The sky's settings (``cloud`` to ``rotate``) are the fields of :class:`skyasset.settings.SkyRequest`, which
    says what each does. ``out`` names the output file (``sky.png``; multi-file layouts derive their names from
    it); ``out_dir`` instead names a folder, the files named after the sky's settings
    (``<out_dir>/cumulus_7_psi070_2048.png``: the result's ``stem``, :func:`skyasset.naming.sky_stem`).
    ``force`` overwrites existing files; ``model`` is a :class:`SkyGenerator`, a bundle folder or ``None`` for the
    default model (``providers``: ONNX Runtime's); ``progress`` is called with (tiles done, tiles total) while
    upscaling.
    """
    check_destination(out, out_dir)  # before the settings: where the sky goes is the first question
    arguments = locals()  # the settings are sky_request's arguments, by name: passed on, not restated
    request = sky_request(**{name: arguments[name] for name in _SETTINGS})
    return generate_sky(
        request, out=out, out_dir=out_dir, force=force, model=model, providers=providers, progress=progress
    )


def generate_sky(
    request: SkyRequest,
    *,
    out: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    model: SkyGenerator | str | os.PathLike[str] | None = None,
    providers: Sequence[str] | None = None,
    progress: ProgressFn | None = None,
) -> GenerateResult:
    """:func:`generate` for a request already checked: arguments, then the outputs, then the long work."""
    started = time.perf_counter()
    destination = _destination(out, out_dir)
    gen = model if isinstance(model, SkyGenerator) else SkyGenerator(model, providers=providers)
    loaded = time.perf_counter()
    choice = check_for_model(request, gen)
    stem = _stem(request, choice, gen)
    out_path = destination if out_dir is None else output_path(destination / f"{stem}.png")
    _check_outputs(out_path, request, force)
    job = _Job(gen, request, out_path, _metadata(request, choice, gen), force, progress)
    made = _make_flat(job) if choice.method is None else _make_skybox(job, choice.method)
    made.timings = {"load_s": loaded - started, **made.timings, "total_s": time.perf_counter() - started}
    return _result(request, choice, gen, stem, made)


def check_for_model(request: SkyRequest, gen: SkyGenerator) -> ModelChoice:
    """What depends on the model, checked once before any work: the cloud type (required by a class-conditional
    model, and one it knows, as is the mix's), and the canvas graph ``native`` needs."""
    index = gen.class_index(request.cloud) if request.cloud is not None and gen.bundle.c_dim else None
    if gen.bundle.c_dim and index is None:
        raise SkyassetError(
            "invalid_argument", "Choose a cloud type with --cloud (see `skyasset classes`), e.g. --cloud cumulus."
        )
    if request.mix is not None:
        gen.class_index(request.mix.cloud)
    method = None if request.flat else request.method or gen.default_method
    if method == "native":
        gen.require_canvas()
    return ModelChoice(gen.classes[index] if index is not None else None, method)


def _destination(out: str | os.PathLike[str] | None, out_dir: str | os.PathLike[str] | None) -> Path:
    destination = output_path(check_destination(out, out_dir))
    if out_dir is not None and destination.exists() and not destination.is_dir():
        raise SkyassetError(
            "invalid_argument", f"--out-dir {destination} is a file; give a folder (it is made if missing)."
        )
    return destination


def _stem(request: SkyRequest, choice: ModelChoice, gen: SkyGenerator) -> str:
    return sky_stem(
        request.cloud,
        request.seed,
        request.psi,
        request.size,
        mix=request.mix,
        layout=request.layout,
        method=choice.method,
        upscale=request.upscale,
        exposure=request.look.exposure_stops,
        rotate=request.look.rotation_deg,
        gen=gen,
    )


def _check_outputs(out: Path, request: SkyRequest, force: bool) -> None:
    if request.flat:
        from skyasset.pipeline import flat_target

        check_writable(out, force)  # a device or a folder is named as such before the file name's ending
        flat_target(out)
        return
    from skyasset.assets.skybox import skybox_targets

    for target in skybox_targets(out, request.layout, hdr=request.hdr):  # type: ignore[arg-type]  # not flat
        check_writable(target, force)


def _metadata(request: SkyRequest, choice: ModelChoice, gen: SkyGenerator) -> dict[str, Any]:
    """What the files record about how they were made."""
    mix = request.mix
    return {
        "cloud": choice.cloud_class.code if choice.cloud_class else None,
        "seed": request.seed,
        "psi": request.psi,
        "mix": f"{mix.cloud}:{mix.weight}" if mix else None,
        "model": gen.bundle.model_id,
        "variant": gen.bundle.variant,
        "layout": request.layout,
        "method": choice.method,
        "upscale": request.upscale,
        "ground": None if request.flat else request.ground,
        "ground_color": list(request.ground_color) if not request.flat and request.ground == "solid" else None,
    }


@dataclass(frozen=True)
class _Job:
    """One sky to make: the model, the request, where it goes and what its files record."""

    gen: SkyGenerator
    request: SkyRequest
    out: Path
    metadata: dict[str, Any]
    force: bool
    progress: ProgressFn | None


def _make_flat(job: _Job) -> _Made:
    """The generator's own image, upscaled when asked, written as one PNG."""
    from skyasset import pipeline

    started = time.perf_counter()
    image = job.gen.generate(job.request.cloud, job.request.seed, psi=job.request.psi, mix=job.request.mix)[0]
    generated = time.perf_counter()
    image = pipeline.upscale_flat(image, job.request.upscale, progress=job.progress)
    upscaled = time.perf_counter()
    files = pipeline.write_flat(image, job.out, force=job.force, metadata=job.metadata)
    side = job.gen.resolution * upscale_factor(job.request.upscale)
    timings = _step_seconds(started, generated, generated, upscaled, time.perf_counter())
    return _Made(files, None, job.request.upscale, (side, side), timings)


def _make_skybox(job: _Job, method: Method) -> _Made:
    """The method's views, assembled into a panorama, upscaled when it helps, written in the layout."""
    from skyasset import pipeline  # heavy imports (cv2) only when a skybox is wanted
    from skyasset.sources import sky_source

    started = time.perf_counter()
    source = sky_source(
        job.gen,
        method,
        job.request.cloud,
        job.request.seed,
        psi=job.request.psi,
        mix=job.request.mix,
        ground=job.request.ground,
        ground_color=job.request.ground_color,
    )
    generated = time.perf_counter()
    panorama = pipeline.panorama_from_views(
        source.views, method, job.request.size, job.request.upscale, progress=job.progress, options=source.options
    )
    assembled = generated + panorama.timings["assemble_s"]
    upscaled = assembled + panorama.timings["upscale_s"]
    files, sun = pipeline.write_sky(
        panorama,
        job.request.layout,  # type: ignore[arg-type]  # a skybox layout: flat has no method
        job.out,
        hdr=job.request.hdr,
        force=job.force,
        metadata=job.metadata | {"upscale": panorama.upscale},  # what was applied, as convert records it
        sun=job.request.sun,
        cloud=job.metadata["cloud"],
        seed=job.request.seed,
        look=job.request.look,
    )
    timings = _step_seconds(started, generated, assembled, upscaled, time.perf_counter())
    return _Made(files, sun, panorama.upscale, (job.request.size, job.request.size // 2), timings)


def _step_seconds(*clock: float) -> dict[str, float]:
    """Each step's seconds from the clock read at the start and after each step (generate, assemble, upscale,
    write)."""
    steps = ("generate_s", "assemble_s", "upscale_s", "write_s")
    return {name: end - start for name, start, end in zip(steps, clock[:-1], clock[1:], strict=True)}


def _result(request: SkyRequest, choice: ModelChoice, gen: SkyGenerator, stem: str, made: _Made) -> GenerateResult:
    cloud = choice.cloud_class
    return GenerateResult(
        outputs=[Path(f["path"]) for f in made.files],
        files=made.files,
        stem=stem,
        cloud=cloud.code if cloud else None,
        cloud_name=cloud.name if cloud else None,
        **{name: getattr(request, name) for name in _ECHOED},
        method=choice.method,
        size=made.size,
        hdr=request.hdr and not request.flat,
        upscale=made.upscale,
        sun=made.sun,
        exposure_stops=request.look.exposure_stops,
        rotation_deg=request.look.rotation_deg,
        model={"model_id": gen.bundle.model_id, "variant": gen.bundle.variant, "path": str(gen.bundle.path)},
        timings=made.timings,
    )
