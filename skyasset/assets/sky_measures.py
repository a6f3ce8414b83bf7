"""The sky as a person sees it, in numbers: every measure of the sphere's geometry and light in one place, so
generated skies and real panoramas are scored the same way (``skyasset bench skybox``).

- Overhead (:mod:`skyasset.assets.overhead`): ``zenith_seam`` (a mosaic's tile seams) and ``zenith_bias``
  (bands sharing one direction), in the view straight up.
- Horizon and ground (:mod:`skyasset.assets.horizon_metrics`): ``dark_blob_share`` (ground blobs in the 0-10
  degree band), ``horizon_step`` (a hard edge at the horizon) and ``ground_smear`` (vertical streaks below).
- Around: ``band_repeat``, the largest correlation of the sky band's cloud detail with itself turned by 45-315
  degrees (:func:`skyasset.assets.metrics.repeat_correlation`): a canvas that draws the same clouds again. Until
  0.9 it correlated the whole band at 60, 120 and 180 degrees, which mostly read the light's large-scale layout
  (a dark cloud mass on one side and another across scored 0.4, as high as a contrail drawn twice). ``ring_edge``
  (:func:`skyasset.assets.metrics.ring_edge`): an edge at one elevation all round, which reads as a ring or
  funnel around the viewer at 45 degrees; ``ring_excess`` (:func:`skyasset.assets.metrics.ring_excess`), the
  same over what the sky's clouds score with every ring broken (about 1: no ring; ``ring_edge`` alone mostly
  reads how busy the clouds are).
- The sun (:mod:`skyasset.assets.sun_measures`), for a generated sky whose sun is decided as ``skyasset generate``
  decides it: ``hdr_hot_spots`` (separate regions far brighter than the sky in the HDR) and
  ``sun_disagreement_deg`` (between the sidecar, the PNG's visible sun and the HDR's).

Every measure is "lower is better" except ``hdr_hot_spots``, which should be exactly 1 (or 0 with no sun).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from skyasset.assets.horizon_metrics import dark_blob_share, display_from_radiance, ground_smear, horizon_step
from skyasset.assets.metrics import repeat_correlation, ring_edge, ring_excess
from skyasset.assets.overhead import directional_bias, straight_seam_score, zenith_view

__all__ = ["SKY_MEASURES", "display_from_radiance", "score_sky", "score_sun"]


def _zenith_seam(equirect: np.ndarray) -> float:
    return straight_seam_score(zenith_view(equirect))


def _zenith_bias(equirect: np.ndarray) -> float:
    return directional_bias(zenith_view(equirect))


def _band_repeat(equirect: np.ndarray) -> float:
    return repeat_correlation(equirect)[0]


SKY_MEASURES: dict[str, Callable[[np.ndarray], float]] = {
    "zenith_seam": _zenith_seam,
    "zenith_bias": _zenith_bias,
    "dark_blob_share": dark_blob_share,
    "horizon_step": horizon_step,
    "ground_smear": ground_smear,
    "band_repeat": _band_repeat,
    "ring_edge": ring_edge,
    "ring_excess": ring_excess,
}
"""Name -> measure of a display equirect ``[H, 2H, 3]`` float32 in [0, 1]."""


def _as_display(equirect: np.ndarray) -> np.ndarray:
    eq = np.asarray(equirect)
    return eq.astype(np.float32) / 255.0 if eq.dtype == np.uint8 else np.clip(eq.astype(np.float32), 0.0, 1.0)


def score_sky(equirect: np.ndarray) -> dict[str, float]:
    """Every measure of :data:`SKY_MEASURES` for one display equirect (uint8 or float in [0, 1])."""
    eq = _as_display(equirect)
    return {name: float(measure(eq)) for name, measure in SKY_MEASURES.items()}


def score_sun(equirect: np.ndarray, cloud: str | None, seed: int) -> dict[str, float]:
    """The sun measures of a generated panorama as ``skyasset generate --sun auto --hdr`` would write it: the sun
    decided on it, painted, given its HDR disc; the PNG's sun read back from the 8-bit picture."""
    from skyasset.assets.sun_measures import hdr_hot_spots, sun_disagreement_deg
    from skyasset.assets.sun_place import decide_sun, expanded_median, hdr_with_sun, parse_sun, report

    decision, display = decide_sun(_as_display(equirect), parse_sun("auto"), cloud=cloud, seed=seed)
    median = expanded_median(display)
    radiance = hdr_with_sun(display, decision, median)
    png = (np.clip(display, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return {
        "hdr_hot_spots": float(hdr_hot_spots(radiance)),
        "sun_disagreement_deg": float(sun_disagreement_deg(report(decision, median), png, radiance)),
    }
