"""The skybox benchmark: seam, cube-edge and redundancy scores and timings of the panorama methods over classes x
seeds, and a contact sheet comparing them. Runs on a real generator, the tiny test bundle, or CCSN photos
(:mod:`skyasset.bench.skybox_sources`).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skyasset.assets.cubemap import equirect_to_faces
from skyasset.assets.metrics import (
    cube_edge_score,
    period_correlation,
    sky_detail_share,
    unique_pixel_share,
    wrap_seam_score,
)
from skyasset.assets.panorama import PANORAMA_METHODS, PanoramaMethod, PanoramaOptions, assemble_panorama
from skyasset.assets.png import write_image
from skyasset.assets.sky_measures import score_sky, score_sun
from skyasset.bench.sheets import contact_sheet
from skyasset.bench.skybox_sources import CanvasFn, ViewsFn
from skyasset.errors import SkyassetError
from skyasset.sources import SkySource

__all__ = ["bench_skybox"]

# Per method and run: the scores of its panorama, then the wall and CPU seconds of making it.
_SCORES = ("wrap_seam", "cube_edge", "unique_share", "period_correlation", "detail_above_45")
_MEASURES = (*_SCORES, "seconds", "cpu_seconds")


@dataclass
class _Tally:
    """Everything measured so far, per method, per class and per run."""

    methods: Sequence[PanoramaMethod]
    classes: Sequence[str]
    scores: dict[str, dict[str, list[float]]] = field(init=False)
    period_by_class: dict[str, dict[str, list[float]]] = field(init=False)
    gen_times: list[float] = field(default_factory=list)
    canvas_times: list[float] = field(default_factory=list)
    sky_scores: list[dict[str, float]] = field(default_factory=list)
    sky_skies: list[tuple[str, int]] = field(default_factory=list)  # (cloud, seed) of each of sky_scores
    rows: list[tuple[str, dict[str, np.ndarray]]] = field(default_factory=list)  # the contact sheet's
    n_views: int = 0

    def __post_init__(self) -> None:
        self.scores = {m: {k: [] for k in _MEASURES} for m in self.methods}
        self.period_by_class = {c: {m: [] for m in self.methods} for c in self.classes}


def _methods_to_measure(
    classes: Sequence[str],
    seeds: Sequence[int],
    methods: Sequence[PanoramaMethod] | None,
    canvas_fn: CanvasFn | None,
    main_method: PanoramaMethod,
) -> Sequence[PanoramaMethod]:
    """``methods`` (default: every one that can run), refused when it cannot run or lacks ``main_method``."""
    if not classes or not seeds:
        raise SkyassetError("invalid_argument", "The skybox benchmark needs at least one class and one seed.")
    if methods is None:
        methods = [m for m in PANORAMA_METHODS if m != "native" or canvas_fn is not None]
    if "native" in methods and canvas_fn is None:
        raise SkyassetError("invalid_argument", "The native method needs a canvas: a model with a canvas graph.")
    if main_method not in methods:
        raise SkyassetError(
            "invalid_argument", f"The main method '{main_method}' is not among those measured ({', '.join(methods)})."
        )
    return methods


def _timed(times: list[float], make: ViewsFn | CanvasFn, cloud: str, seed: int) -> SkySource:
    t0 = time.perf_counter()
    source = make(cloud, seed)
    times.append(time.perf_counter() - t0)
    return source


def _measure_method(
    tally: _Tally, method: PanoramaMethod, views: np.ndarray, options: PanoramaOptions | None, size: tuple[int, int]
) -> np.ndarray:
    """Assemble one panorama and its cube faces (timed) and record its scores; return the panorama."""
    width, face_size = size
    t1, c1 = time.perf_counter(), time.process_time()
    pano = assemble_panorama(views, method, width, options)
    faces = equirect_to_faces(pano, face_size)
    seconds, cpu_seconds = time.perf_counter() - t1, time.process_time() - c1
    scores = (
        wrap_seam_score(pano),
        cube_edge_score(faces),
        unique_pixel_share(pano),
        period_correlation(pano),
        sky_detail_share(pano),
        seconds,
        cpu_seconds,
    )
    for name, value in zip(_MEASURES, scores, strict=True):
        tally.scores[method][name].append(value)
    return pano


def _measure_run(
    tally: _Tally,
    views_fn: ViewsFn,
    canvas_fn: CanvasFn | None,
    cloud: str,
    seed: int,
    size: tuple[int, int],
    main_method: PanoramaMethod,
) -> dict[str, np.ndarray]:
    """One class and seed: make the views (and canvas), then every method's panorama; return the panoramas."""
    ring = _timed(tally.gen_times, views_fn, cloud, seed)
    tally.n_views = len(ring.views)
    canvas = None
    if canvas_fn is not None and "native" in tally.methods:
        canvas = _timed(tally.canvas_times, canvas_fn, cloud, seed)
    panos: dict[str, np.ndarray] = {}
    for method in tally.methods:
        if method == "native":
            assert canvas is not None  # checked before: native runs only with a canvas_fn
            pano = _measure_method(tally, method, canvas.views, canvas.options, size)
        else:  # mirror and stripe stretch the ring's first view, with their own default options
            pano = _measure_method(tally, method, ring.views, ring.options if method == "ring" else None, size)
        tally.period_by_class[cloud][method].append(tally.scores[method]["period_correlation"][-1])
        panos[method] = pano
        if method == main_method:
            tally.sky_scores.append(score_sky(pano) | score_sun(pano, cloud, seed))
            tally.sky_skies.append((cloud, seed))
    return panos


def _report(tally: _Tally, main: PanoramaMethod) -> dict[str, Any]:
    """The medians of ``tally``: ``main``'s at the top level, then every method's, per class and of the sky."""
    med = {m: {k: float(statistics.median(v)) for k, v in s.items()} for m, s in tally.scores.items()}
    generate_s = float(statistics.median(tally.canvas_times if main == "native" else tally.gen_times))
    top = {name: round(med[main][name], 4) for name in _SCORES}
    return top | {
        "seconds_per_skybox": round(med[main]["seconds"], 4),
        "cpu_seconds_per_skybox": round(med[main]["cpu_seconds"], 4),
        "seconds_generate": round(generate_s, 4),
        "seconds_end_to_end": round(generate_s + med[main]["seconds"], 4),
        "method": main,
        "methods": {m: {k: round(v, 4) for k, v in s.items()} for m, s in med.items()},
        "period_correlation_by_class": {
            c: {m: round(float(statistics.median(v)), 4) for m, v in by_method.items()}
            for c, by_method in tally.period_by_class.items()
        },
        "sky": _summarise(tally.sky_scores),
        "sky_runs": [
            {"cloud": c, "seed": s} | {k: round(v, 4) for k, v in scores.items()}
            for (c, s), scores in zip(tally.sky_skies, tally.sky_scores, strict=True)
        ],
        "runs": len(tally.gen_times),
    }


def bench_skybox(
    views_fn: ViewsFn,
    classes: Sequence[str],
    seeds: Sequence[int],
    *,
    width: int = 2048,
    face_size: int = 512,
    methods: Sequence[PanoramaMethod] | None = None,
    canvas_fn: CanvasFn | None = None,
    sheet: Path | None = None,
    sheet_classes: int = 6,
    source: str = "generator",
    main_method: PanoramaMethod = "ring",
) -> dict[str, Any]:
    """Measure the panorama methods over ``classes`` x ``seeds``; medians over all runs.

    ``seconds_per_skybox`` is the wall time of assembling one ``main_method`` panorama of ``width`` plus six
    ``face_size`` faces (all after the generator); ``cpu_seconds_per_skybox`` the CPU time of the same work
    summed over threads, which does not grow when other processes share the machine; ``seconds_end_to_end``
    adds generating the ring's views (for ``native``: the canvas and the cloud-layer view). ``methods``
    defaults to every method that can run (``native`` needs ``canvas_fn``). The top-level scores are
    ``main_method``'s; ``methods`` holds every method's medians, ``period_correlation_by_class`` each class's
    median per method; ``sky`` the median and worst of each measure of
    :mod:`skyasset.assets.sky_measures` over ``main_method``'s panoramas. ``period_correlation`` is the sky
    band's correlation with itself turned by 60 degrees
    (repetition; real skies score about -0.05..0.25) and ``detail_above_45`` the share of the sky above 45
    degrees elevation that holds detail rather than a flat fill. With ``sheet``, a contact sheet of the first
    seed of up to ``sheet_classes`` classes is written there (PNG).
    """
    chosen = _methods_to_measure(classes, seeds, methods, canvas_fn, main_method)
    tally = _Tally(chosen, classes)
    for cloud in classes:
        for k, seed in enumerate(seeds):
            panos = _measure_run(tally, views_fn, canvas_fn, cloud, int(seed), (width, face_size), main_method)
            if k == 0 and len(tally.rows) < sheet_classes:
                tally.rows.append((cloud, panos))
    report = _report(tally, main_method) | {
        "classes": list(classes),
        "seeds": [int(s) for s in seeds],
        "width": width,
        "face_size": face_size,
        "n_views": tally.n_views,
        "source": source,
    }
    if sheet is not None:
        write_image(sheet, contact_sheet(tally.rows), metadata={"benchmark": "skybox"}, force=True)
        report["contact_sheet"] = str(Path(sheet).resolve())
    return report


def _summarise(runs: Sequence[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Per measure: the median and the worst (largest) over ``runs``; for the sun, also the share of skies whose
    three sun positions agree within 2 degrees and the share with more than one HDR hot spot."""
    if not runs:
        return {}
    summary = {
        name: {
            "median": round(float(statistics.median(r[name] for r in runs)), 4),
            "max": round(float(max(r[name] for r in runs)), 4),
        }
        for name in runs[0]
    }
    if "sun_disagreement_deg" in summary:
        agree = sum(r["sun_disagreement_deg"] <= 2.0 for r in runs) / len(runs)
        summary["sun_disagreement_deg"]["share_within_2"] = round(agree, 4)
    if "hdr_hot_spots" in summary:
        summary["hdr_hot_spots"]["share_over_1"] = round(sum(r["hdr_hot_spots"] > 1 for r in runs) / len(runs), 4)
    return summary
