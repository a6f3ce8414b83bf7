"""Where the skybox benchmark's views come from: a generator (as ``generate`` makes them, through
:func:`skyasset.sources.sky_source`) or CCSN photos standing in for one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from skyasset.assets.panorama import PanoramaMethod
from skyasset.assets.ring import RING_VIEWS, RingOptions
from skyasset.bench.photos import class_photos, read_image
from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator
from skyasset.sources import SkySource, sky_source

__all__ = [
    "CanvasFn",
    "PhotosFn",
    "SkyboxSource",
    "ViewsFn",
    "ccsn_photos",
    "ccsn_views",
    "generator_canvas",
    "generator_views",
    "open_source",
]

ViewsFn = Callable[[str, int], SkySource]
"""``(cloud code, seed) -> ring views [N, H, W, 3]`` float32 in [0, 1] and their :class:`RingOptions` (with the
cloud layer overhead as ``zenith`` where a generator makes one; photos have none)."""
CanvasFn = Callable[[str, int], SkySource]
"""``(cloud code, seed) -> canvas [1, H, W, 3]`` float32 in [0, 1] that goes all the way round and its
:class:`NativeOptions` with the cloud layer overhead (``native``)."""
PhotosFn = Callable[[str, int, int], np.ndarray]
"""``(cloud code, seed, n) -> n photos [n, H, W, 3]`` float32 in [0, 1]."""


def generator_views(generator: SkyGenerator, *, psi: float = 1.0) -> ViewsFn:
    """The ring's views and options from ``generator``, as ``generate --method ring`` makes them."""

    def views(cloud: str, seed: int) -> SkySource:
        return sky_source(generator, "ring", cloud, seed, psi=psi)

    return views


def generator_canvas(generator: SkyGenerator, *, psi: float = 1.0) -> CanvasFn:
    """Canvas and options of a generator with a canvas graph, as ``generate --method native`` makes them."""

    def canvas(cloud: str, seed: int) -> SkySource:
        return sky_source(generator, "native", cloud, seed, psi=psi)

    return canvas


def ccsn_photos(root: Path, *, resolution: int = 256, coherent: bool = True) -> PhotosFn:
    """Stand-in for a generator: ``n`` CCSN photos of the class, chosen by the seed, resized square.

    With ``coherent`` (default) the seed picks one photo and the others are its nearest neighbours in colour
    statistics, placed so that the most similar photos sit next to each other around the ring, as a
    generator's latent loop makes neighbouring views share style. Otherwise the photos are random.
    """
    root = Path(root)
    if not root.is_dir():
        raise SkyassetError("input_not_found", f"CCSN folder {root} does not exist.")

    def photos(cloud: str, seed: int, n_views: int) -> np.ndarray:
        files, desc = class_photos(str(root / cloud))
        if len(files) < n_views:
            raise SkyassetError("invalid_argument", f"{root / cloud} has fewer than {n_views} photos.")
        rng = np.random.default_rng(seed)
        if coherent:
            anchor = int(rng.integers(len(files)))
            near = np.argsort(np.abs(desc - desc[anchor]).sum(axis=1))[:n_views]
            order = [0] + [n_views - 1 - k // 2 if k % 2 else 1 + k // 2 for k in range(n_views - 1)]
            pick = [int(near[i]) for i in np.argsort(order)]
        else:
            pick = [int(i) for i in rng.choice(len(files), n_views, replace=False)]
        out = []
        for i in pick:
            img = read_image(files[i], cv2.IMREAD_COLOR)[..., ::-1]
            out.append(cv2.resize(img, (resolution, resolution), interpolation=cv2.INTER_AREA))
        return np.stack(out).astype(np.float32) / 255.0

    return photos


def ccsn_views(root: Path, *, n_views: int = RING_VIEWS, resolution: int = 256, coherent: bool = True) -> ViewsFn:
    """:func:`ccsn_photos` as a ring's ``n_views`` views with the ring's default options (no cloud layer)."""
    photos = ccsn_photos(root, resolution=resolution, coherent=coherent)

    def views(cloud: str, seed: int) -> SkySource:
        return SkySource(photos(cloud, seed, n_views), RingOptions())

    return views


@dataclass(frozen=True)
class SkyboxSource:
    """What the skybox benchmark measures: views (and, for a model with a canvas graph, a canvas), the classes
    they come in, the report's ``source`` name and the method ``generate`` would use."""

    views: ViewsFn
    canvas: CanvasFn | None
    classes: tuple[str, ...]
    name: str
    default_method: PanoramaMethod


def open_source(
    model: Path | None, ccsn: Path | None, *, psi: float, method: PanoramaMethod | None = None
) -> SkyboxSource:
    """CCSN photos when ``ccsn`` is given, else the generator of ``model`` (``None``: the default model).

    ``method`` is the one whose scores will head the report: ``native`` is refused for photos and for a model
    without a canvas graph.
    """
    if ccsn is not None:
        if method == "native":
            raise SkyassetError("invalid_argument", "--method native needs a model (its canvas graph), not --ccsn.")
        views = ccsn_views(ccsn)
        known = tuple(sorted(p.name for p in ccsn.iterdir() if p.is_dir()))
        return SkyboxSource(views, None, known, "ccsn", "ring")
    gen = SkyGenerator(model)
    if method == "native":
        gen.require_canvas()
    canvas = generator_canvas(gen, psi=psi) if gen.has_canvas else None
    known = tuple(c.code for c in gen.classes)
    return SkyboxSource(
        generator_views(gen, psi=psi), canvas, known, f"model:{gen.bundle.model_id}", gen.default_method
    )
