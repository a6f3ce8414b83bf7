"""What each panorama method takes from the generator: its views and the options that go with them.

The one place that knows, for ``generate`` and ``bench skybox`` alike, that ``native`` is one canvas plus the
views of its cloud layer, ``ring`` is six views around the horizon plus the cloud layer's, and ``mirror`` and
``stripe`` stretch a single view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from skyasset.assets.dome import LAYER_VIEWS
from skyasset.assets.fill import DEFAULT_GROUND_COLOR, GroundFill
from skyasset.assets.native import NativeOptions
from skyasset.assets.panorama import PanoramaMethod, PanoramaOptions, default_options
from skyasset.assets.ring import RING_VIEWS, split_zenith
from skyasset.generator import SkyGenerator
from skyasset.settings import Mix

__all__ = ["SkySource", "sky_source"]


@dataclass(frozen=True)
class SkySource:
    """The views a method assembles (``[N, H, W, 3]`` in [0, 1]; ``native``: the canvas as one wide view) and its
    options, the cloud layer overhead (``zenith``) included where the method has one."""

    views: np.ndarray
    options: PanoramaOptions


def sky_source(
    gen: SkyGenerator,
    method: PanoramaMethod,
    cloud: str | None,
    seed: int,
    *,
    psi: float,
    mix: Mix | None = None,
    ground: GroundFill = "haze",
    ground_color: Sequence[float] = DEFAULT_GROUND_COLOR,
) -> SkySource:
    """The generator's views for ``method`` and the method's options with the below-horizon fill ``ground``."""
    options: PanoramaOptions
    if method == "native":
        views, options = _native(gen, cloud, seed, psi, mix)
    elif method == "ring":
        views, options = split_zenith(gen.ring_views(cloud, seed, RING_VIEWS + LAYER_VIEWS, psi=psi, mix=mix))
    else:
        views, options = gen.ring_views(cloud, seed, 1, psi=psi, mix=mix), default_options(method)
    color = (float(ground_color[0]), float(ground_color[1]), float(ground_color[2]))
    return SkySource(views, replace(options, ground=ground, ground_color=color))


def _native(
    gen: SkyGenerator, cloud: str | None, seed: int, psi: float, mix: Mix | None
) -> tuple[np.ndarray, NativeOptions]:
    """One canvas and the views after its tiles as the cloud layer, from one set of styles."""
    tiles = gen.canvas_tiles
    styles = gen.ring_styles(cloud, seed, tiles + LAYER_VIEWS, psi=psi, mix=mix)
    canvas = gen.canvas_from_styles(styles[:tiles], seed)
    return canvas[None], NativeOptions(zenith=gen.synthesize(styles[tiles:]))
