"""``skyasset bench skybox`` from its options: the source, classes and methods chosen by name, the benchmark run,
real skies scored beside it, and the report as text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from skyasset.assets.panorama import PANORAMA_METHODS, PanoramaMethod
from skyasset.bench.reference_skies import REFERENCE_TURNS
from skyasset.bench.skybox import bench_skybox
from skyasset.bench.skybox_sources import open_source
from skyasset.errors import SkyassetError

__all__ = ["SkyboxBenchRequest", "format_skybox_report", "run_skybox_bench"]


@dataclass(frozen=True)
class SkyboxBenchRequest:
    """The command's options; ``classes`` and ``methods`` are comma-separated names or ``all``."""

    model: Path | None = None
    ccsn: Path | None = None
    classes: str = "all"
    seeds: int = 3
    width: int = 2048
    face_size: int = 512
    psi: float = 0.7
    method: PanoramaMethod | None = None
    methods: str = "all"
    sheet: Path | None = None
    reference: Path | None = None


def _choose_classes(spec: str, known: tuple[str, ...]) -> list[str]:
    chosen = list(known) if spec == "all" else [c.strip() for c in spec.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise SkyassetError("unknown_cloud", f"Unknown class(es) {', '.join(unknown)}. Valid: {', '.join(known)}.")
    return chosen


def _choose_methods(spec: str, main_method: PanoramaMethod) -> tuple[list[PanoramaMethod] | None, PanoramaMethod]:
    """The methods ``spec`` names (``None`` for all that can run) and the one heading the report: ``main_method``,
    or the first named when it is not among them."""
    if spec == "all":
        return None, main_method
    names = [m.strip() for m in spec.split(",") if m.strip()]
    bad = [m for m in names if m not in PANORAMA_METHODS]
    if bad or not names:
        raise SkyassetError(
            "invalid_argument",
            f"Unknown method(s) {', '.join(bad) or '(none)'} in --methods; "
            f"choose from {', '.join(PANORAMA_METHODS)} or 'all'.",
        )
    chosen = cast(list[PanoramaMethod], names)  # each checked against PANORAMA_METHODS above
    return chosen, main_method if main_method in chosen else chosen[0]


def run_skybox_bench(request: SkyboxBenchRequest) -> dict[str, Any]:
    """Score the panorama methods on ``request``'s source (medians over classes x seeds ``0..seeds-1``)."""
    if request.seeds < 1:
        raise SkyassetError("invalid_argument", f"--seeds must be >= 1, got {request.seeds}.")
    source = open_source(request.model, request.ccsn, psi=request.psi, method=request.method)
    classes = _choose_classes(request.classes, source.classes)
    methods, main_method = _choose_methods(request.methods, request.method or source.default_method)
    report = bench_skybox(
        source.views,
        classes,
        list(range(request.seeds)),
        methods=methods,
        width=request.width,
        face_size=request.face_size,
        canvas_fn=source.canvas,
        sheet=request.sheet,
        source=source.name,
        main_method=main_method,
    )
    if request.reference is not None:
        from skyasset.bench.reference_skies import (
            read_reference_skies,
            reference_range,
            score_reference_skies,
            skies_above,
        )

        real = read_reference_skies(request.reference)
        report["reference_skies"] = score_reference_skies(real)
        report["reference_range"] = reference_range(real)
        report["sky_above_real"] = skies_above(report["sky_runs"], report["reference_range"])
    return report


def _sky_lines(report: dict[str, Any]) -> list[str]:
    sky = report["sky"]
    lines = [f"the sky as seen ({report['method']}; median / worst):"]
    lines.extend(f"  {name:22} {v['median']:8.3f} / {v['max']:8.3f}" for name, v in sky.items())
    if "sun_disagreement_deg" in sky:
        lines.append(
            f"  suns agreeing within 2 deg: {sky['sun_disagreement_deg']['share_within_2']:.1%}; "
            f"skies with more than one HDR hot spot: {sky['hdr_hot_spots']['share_over_1']:.1%}"
        )
    for name, scores in report.get("reference_skies", {}).items():
        lines.append(f"  real sky {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    ranges, above = report.get("reference_range", {}), report.get("sky_above_real", {})
    if ranges:
        lines.append(f"  real skies turned to {REFERENCE_TURNS} azimuths; generated skies above their worst:")
    for name, bounds in ranges.items():
        worst = ", ".join(above[name][:5]) + (", ..." if len(above[name]) > 5 else "")
        lines.append(
            f"  {name:22} real {bounds['min']:.3f}-{bounds['max']:.3f}: {len(above[name])} of "
            f"{len(report['sky_runs'])}" + (f" ({worst})" if worst else "")
        )
    return lines


def format_skybox_report(report: dict[str, Any]) -> str:
    """The report as a table of the methods' medians, then the sky measures."""
    lines = [
        f"{'method':8} {'wrap_seam':>10} {'cube_edge':>10} {'unique':>8} {'period':>8} {'dome':>6} {'s/skybox':>9}"
    ]
    for name, m in report["methods"].items():
        lines.append(
            f"{name:8} {m['wrap_seam']:10.3f} {m['cube_edge']:10.3f} {m['unique_share']:8.3f} "
            f"{m['period_correlation']:8.3f} {m['detail_above_45']:6.3f} {m['seconds']:9.3f}"
        )
    lines.append(
        f"{report['runs']} runs ({report['source']}); generate {report['seconds_generate']:.3f} s, "
        f"end to end {report['seconds_end_to_end']:.3f} s per {report['method']} skybox"
    )
    if report.get("sky"):
        lines.extend(_sky_lines(report))
    if "contact_sheet" in report:
        lines.append(f"contact sheet: {report['contact_sheet']}")
    return "\n".join(lines)
