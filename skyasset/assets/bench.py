"""The skybox benchmark: seam, cube-edge and redundancy scores and timings over classes x seeds, and a contact
sheet comparing the panorama methods. Runs on a real generator, the tiny test bundle, or CCSN photos.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from skyasset.assets.cubemap import equirect_to_faces
from skyasset.assets.dome import LAYER_VIEWS
from skyasset.assets.metrics import (
    cube_edge_score,
    period_correlation,
    sky_detail_share,
    unique_pixel_share,
    wrap_seam_score,
)
from skyasset.assets.native import NativeOptions
from skyasset.assets.panorama import PANORAMA_METHODS, RING_VIEWS, PanoramaMethod, assemble_panorama
from skyasset.assets.png import write_image
from skyasset.assets.ring import split_zenith
from skyasset.assets.sky_measures import display_from_radiance, score_sky, score_sun
from skyasset.errors import SkyassetError
from skyasset.native_paths import imread

__all__ = [
    "CanvasFn",
    "ViewsFn",
    "bench_skybox",
    "ccsn_views",
    "contact_sheet",
    "generator_canvas",
    "generator_views",
    "label_image",
    "score_reference_skies",
]

ViewsFn = Callable[[str, int, int], np.ndarray]
"""``(cloud code, seed, n_views) -> views [n_views (+ k * k), H, W, 3]`` float32 in [0, 1]; views beyond
``n_views`` are the ring's cloud layer overhead (a generator makes them; photos do not)."""
CanvasFn = Callable[[str, int], tuple[np.ndarray, np.ndarray]]
"""``(cloud code, seed) -> (canvas [H, W, 3], cloud-layer views [N, H, H, 3])`` float32 in [0, 1]: a canvas that
goes all the way round and the views overhead (``native``)."""


def generator_views(generator: Any, *, psi: float = 1.0) -> ViewsFn:
    """Views from a :class:`skyasset.generator.SkyGenerator`, as `generate` makes them for a ring."""

    def views(cloud: str, seed: int, n_views: int) -> np.ndarray:
        # The last LAYER_VIEWS views make the cloud layer overhead.
        return generator.ring_views(cloud, seed, n_views + LAYER_VIEWS, psi=psi)

    return views


def generator_canvas(generator: Any, *, psi: float = 1.0) -> CanvasFn:
    """Canvas and cloud-layer view of a :class:`skyasset.generator.SkyGenerator` with a canvas graph, as
    `generate --method native` makes them."""

    def canvas(cloud: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
        tiles = generator.canvas_tiles
        styles = generator.ring_styles(cloud, seed, tiles + LAYER_VIEWS, psi=psi)
        return generator.canvas(cloud, seed, psi=psi), generator.synthesize(styles[tiles:])

    return canvas


def _imread(path: Path, flags: int) -> np.ndarray:
    try:
        img = imread(path, flags)
    except OSError:
        img = None
    if img is None:
        raise SkyassetError("io_error", f"Cannot read {path} as an image; remove or replace it.")
    return img


@lru_cache(maxsize=16)
def _class_photos(folder: str) -> tuple[list[Path], np.ndarray]:
    """Photos of one class and a colour descriptor of each (mean and spread of a 16x16 thumbnail)."""
    files = sorted(Path(folder).glob("*.jpg"))
    desc = []
    for f in files:
        img = _imread(f, cv2.IMREAD_REDUCED_COLOR_4)
        small = cv2.resize(img, (16, 16), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        desc.append(np.concatenate([small.mean(axis=(0, 1)), small.std(axis=(0, 1))]))
    return files, np.asarray(desc, np.float32)


def ccsn_views(root: Path, *, resolution: int = 256, coherent: bool = True) -> ViewsFn:
    """Stand-in for a generator: ``n_views`` CCSN photos of the class, chosen by the seed, resized square.

    With ``coherent`` (default) the seed picks one photo and the others are its nearest neighbours in colour
    statistics, placed so that the most similar photos sit next to each other around the ring, as a
    generator's latent loop makes neighbouring views share style. Otherwise the photos are random.
    """
    root = Path(root)
    if not root.is_dir():
        raise SkyassetError("input_not_found", f"CCSN folder {root} does not exist.")

    def views(cloud: str, seed: int, n_views: int) -> np.ndarray:
        files, desc = _class_photos(str(root / cloud))
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
            img = _imread(files[i], cv2.IMREAD_COLOR)[..., ::-1]
            out.append(cv2.resize(img, (resolution, resolution), interpolation=cv2.INTER_AREA))
        return np.stack(out).astype(np.float32) / 255.0

    return views


def label_image(img: np.ndarray, text: str) -> np.ndarray:
    """White text on a darkened box (a thick black outline smeared the last letter into a ghost copy)."""
    out = np.ascontiguousarray(img.copy())
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    box = out[2 : 8 + th + base, 2 : 10 + tw]
    box[:] = (box.astype(np.float32) * 0.45).astype(np.uint8)
    cv2.putText(out, text, (6, 4 + th), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def contact_sheet(rows: Sequence[tuple[str, dict[str, np.ndarray]]], *, thumb_width: int = 384) -> np.ndarray:
    """uint8 grid: one row per cloud type, one labelled equirect thumbnail per method (mirror, stripe, ring,
    native)."""
    lines = []
    for name, panos in rows:
        cells = []
        for method in ("mirror", "stripe", "ring", "native"):
            if method not in panos:
                continue
            small = cv2.resize(panos[method], (thumb_width, thumb_width // 2), interpolation=cv2.INTER_AREA)
            cell = (np.clip(small, 0, 1) * 255 + 0.5).astype(np.uint8)
            cells.append(np.pad(label_image(cell, f"{name}  {method}"), ((2, 2), (2, 2), (0, 0)), constant_values=255))
        lines.append(np.concatenate(cells, axis=1))
    return np.concatenate(lines, axis=0)


def bench_skybox(
    views_fn: ViewsFn,
    classes: Sequence[str],
    seeds: Sequence[int],
    *,
    width: int = 2048,
    face_size: int = 512,
    n_views: int = RING_VIEWS,
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
    adds generating the ``n_views`` views (for ``native``: the canvas and the cloud-layer view). ``methods``
    defaults to every method that can run (``native`` needs ``canvas_fn``). The top-level scores are
    ``main_method``'s; ``methods`` holds every method's medians, ``period_correlation_by_class`` each class's
    median per method; ``sky`` the median and worst of each measure of
    :mod:`skyasset.assets.sky_measures` over ``main_method``'s panoramas. ``period_correlation`` is the sky
    band's correlation with itself turned by 60 degrees
    (repetition; real skies score about -0.05..0.25) and ``detail_above_45`` the share of the sky above 45
    degrees elevation that holds detail rather than a flat fill. With ``sheet``, a contact sheet of the first
    seed of up to ``sheet_classes`` classes is written there (PNG).
    """
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
    scores: dict[str, dict[str, list[float]]] = {
        m: {
            "wrap_seam": [],
            "cube_edge": [],
            "unique_share": [],
            "period_correlation": [],
            "detail_above_45": [],
            "seconds": [],
            "cpu_seconds": [],
        }
        for m in methods
    }
    gen_times: list[float] = []
    canvas_times: list[float] = []
    period_by_class: dict[str, dict[str, list[float]]] = {c: {m: [] for m in methods} for c in classes}
    rows: list[tuple[str, dict[str, np.ndarray]]] = []
    sky_scores: list[dict[str, float]] = []
    for cloud in classes:
        for k, seed in enumerate(seeds):
            t0 = time.perf_counter()
            views = views_fn(cloud, int(seed), n_views)
            gen_times.append(time.perf_counter() - t0)
            views, ring_options = split_zenith(views, n_views)
            canvas, overhead = None, None
            if canvas_fn is not None and "native" in methods:
                t0 = time.perf_counter()
                canvas, overhead = canvas_fn(cloud, int(seed))
                canvas_times.append(time.perf_counter() - t0)
            panos: dict[str, np.ndarray] = {}
            for method in methods:
                t1, c1 = time.perf_counter(), time.process_time()
                if method == "native":
                    assert canvas is not None  # checked above: native runs only with a canvas_fn
                    pano = assemble_panorama(canvas, method, width, NativeOptions(zenith=overhead))
                else:
                    pano = assemble_panorama(views, method, width, ring_options if method == "ring" else None)
                faces = equirect_to_faces(pano, face_size)
                scores[method]["seconds"].append(time.perf_counter() - t1)
                scores[method]["cpu_seconds"].append(time.process_time() - c1)
                scores[method]["wrap_seam"].append(wrap_seam_score(pano))
                scores[method]["cube_edge"].append(cube_edge_score(faces))
                scores[method]["unique_share"].append(unique_pixel_share(pano))
                period = period_correlation(pano)
                scores[method]["period_correlation"].append(period)
                period_by_class[cloud][method].append(period)
                scores[method]["detail_above_45"].append(sky_detail_share(pano))
                panos[method] = pano
                if method == main_method:
                    sky_scores.append(score_sky(pano) | score_sun(pano, cloud, int(seed)))
            if k == 0 and len(rows) < sheet_classes:
                rows.append((cloud, panos))
    med = {m: {k: float(statistics.median(v)) for k, v in s.items()} for m, s in scores.items()}
    main = main_method
    generate_s = float(statistics.median(canvas_times if main == "native" else gen_times))
    report: dict[str, Any] = {
        "wrap_seam": round(med[main]["wrap_seam"], 4),
        "cube_edge": round(med[main]["cube_edge"], 4),
        "unique_share": round(med[main]["unique_share"], 4),
        "period_correlation": round(med[main]["period_correlation"], 4),
        "detail_above_45": round(med[main]["detail_above_45"], 4),
        "seconds_per_skybox": round(med[main]["seconds"], 4),
        "cpu_seconds_per_skybox": round(med[main]["cpu_seconds"], 4),
        "seconds_generate": round(generate_s, 4),
        "seconds_end_to_end": round(generate_s + med[main]["seconds"], 4),
        "method": main,
        "methods": {m: {k: round(v, 4) for k, v in s.items()} for m, s in med.items()},
        "period_correlation_by_class": {
            c: {m: round(float(statistics.median(v)), 4) for m, v in by_method.items()}
            for c, by_method in period_by_class.items()
        },
        "sky": _summarise(sky_scores),
        "runs": len(gen_times),
        "classes": list(classes),
        "seeds": [int(s) for s in seeds],
        "width": width,
        "face_size": face_size,
        "n_views": n_views,
        "source": source,
    }
    if sheet is not None:
        write_image(sheet, contact_sheet(rows), metadata={"benchmark": "skybox"}, force=True)
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


REFERENCE_SUFFIXES = (".hdr", ".exr", ".png", ".jpg", ".jpeg")


def score_reference_skies(folder: Path) -> dict[str, dict[str, float]]:
    """The sky measures of every equirect panorama in ``folder`` (HDR files are shown as
    :func:`skyasset.assets.sky_measures.display_from_radiance` does, and their hot spots counted), by file name."""
    from skyasset.assets.hdr import read_hdr
    from skyasset.assets.sun_measures import hdr_hot_spots

    if not folder.is_dir():
        raise SkyassetError("input_not_found", f"Reference folder {folder} not found: give a folder of panoramas.")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in REFERENCE_SUFFIXES and p.is_file())
    if not files:
        raise SkyassetError(
            "invalid_argument",
            f"{folder} holds no panorama ({', '.join(REFERENCE_SUFFIXES)}): give a folder of equirect skies.",
        )
    scores = {}
    for path in files:
        hot_spots: dict[str, float] = {}
        if path.suffix.lower() in (".hdr", ".exr"):
            radiance = read_hdr(path)
            display = display_from_radiance(radiance)
            hot_spots = {"hdr_hot_spots": float(hdr_hot_spots(radiance))}
        else:
            display = _imread(path, cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255.0
        scores[path.name] = {k: round(v, 4) for k, v in (score_sky(display) | hot_spots).items()}
    return scores
