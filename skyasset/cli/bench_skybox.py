"""`skyasset bench skybox`: seam/cube-edge/unique-pixel scores and timings of the panorama methods."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import typer

from skyasset.cli.options import ForceOpt, JsonOpt, ModelOpt, ReportOpt
from skyasset.cli.output import respond, write_report
from skyasset.errors import SkyassetError


def _human(report: dict[str, Any]) -> str:
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
        sky = report["sky"]
        lines.append(f"the sky as seen ({report['method']}; median / worst):")
        lines.extend(f"  {name:22} {v['median']:8.3f} / {v['max']:8.3f}" for name, v in sky.items())
        if "sun_disagreement_deg" in sky:
            lines.append(
                f"  suns agreeing within 2 deg: {sky['sun_disagreement_deg']['share_within_2']:.1%}; "
                f"skies with more than one HDR hot spot: {sky['hdr_hot_spots']['share_over_1']:.1%}"
            )
        for name, scores in report.get("reference_skies", {}).items():
            lines.append(f"  real sky {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    if "contact_sheet" in report:
        lines.append(f"contact sheet: {report['contact_sheet']}")
    return "\n".join(lines)


def bench_skybox_command(
    model: ModelOpt = None,
    ccsn: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option(help="Use CCSN photos (folder with one sub-folder per class) as views instead of a model."),
    ] = None,
    classes: Annotated[str, typer.Option(help="Comma-separated class codes; 'all' = every class.")] = "all",
    seeds: Annotated[int, typer.Option(help="Seeds 0..N-1 per class.")] = 3,
    width: Annotated[int, typer.Option(help="Equirect width.")] = 2048,
    face_size: Annotated[int, typer.Option(help="Cube face size.")] = 512,
    psi: Annotated[float, typer.Option(help="Truncation for generated views.")] = 0.7,
    method: Annotated[
        Optional[Literal["ring", "native"]],  # noqa: UP045
        typer.Option(
            help="Whose scores head the report; default: the method `generate` uses (native for a model with a "
            "canvas graph, else ring)."
        ),
    ] = None,
    methods: Annotated[
        str,
        typer.Option(help="Comma-separated methods to measure (ring, mirror, stripe, native); 'all' = every one."),
    ] = "all",
    sheet: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Contact sheet PNG (default: skybox_contact_sheet.png beside --output, else none)."),
    ] = None,
    reference: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Folder of real equirect skies (.hdr/.exr/.png/.jpg) scored on the same sky measures."),
    ] = None,
    output: ReportOpt = None,
    force: ForceOpt = False,
    json_mode: JsonOpt = False,
) -> None:
    """Score ring, mirror, stripe and (with a canvas graph) native panoramas (medians over classes x seeds) and
    write a contact sheet."""

    def work() -> dict[str, Any]:
        from skyasset.api import Method, default_method
        from skyasset.assets.bench import CanvasFn, bench_skybox, ccsn_views, generator_canvas, generator_views

        if seeds < 1:
            raise SkyassetError("invalid_argument", f"--seeds must be >= 1, got {seeds}.")
        canvas_fn: CanvasFn | None = None
        if ccsn is not None:
            if method == "native":
                raise SkyassetError("invalid_argument", "--method native needs a model (its canvas graph), not --ccsn.")
            views_fn = ccsn_views(ccsn)
            main_method: Method = "ring"
            known = sorted(p.name for p in ccsn.iterdir() if p.is_dir())
            source = "ccsn"
        else:
            from skyasset.generator import SkyGenerator

            gen = SkyGenerator(model)
            views_fn = generator_views(gen, psi=psi)
            if gen.has_canvas:
                canvas_fn = generator_canvas(gen, psi=psi)
            elif method == "native":
                gen.require_canvas()
            main_method = method or default_method(gen)
            known = [c.code for c in gen.classes]
            source = f"model:{gen.bundle.model_id}"
        chosen = known if classes == "all" else [c.strip() for c in classes.split(",") if c.strip()]
        unknown = [c for c in chosen if c not in known]
        if unknown:
            raise SkyassetError("unknown_cloud", f"Unknown class(es) {', '.join(unknown)}. Valid: {', '.join(known)}.")
        sheet_path = sheet
        if sheet_path is None and output is not None:
            sheet_path = output.with_name("skybox_contact_sheet.png")
        from skyasset.assets.panorama import PANORAMA_METHODS

        chosen_methods = None
        if methods != "all":
            chosen_methods = [m.strip() for m in methods.split(",") if m.strip()]
            bad = [m for m in chosen_methods if m not in PANORAMA_METHODS]
            if bad or not chosen_methods:
                raise SkyassetError(
                    "invalid_argument",
                    f"Unknown method(s) {', '.join(bad) or '(none)'} in --methods; "
                    f"choose from {', '.join(PANORAMA_METHODS)} or 'all'.",
                )
            if main_method not in chosen_methods:
                main_method = chosen_methods[0]  # type: ignore[assignment]
        report = bench_skybox(
            views_fn,
            chosen,
            list(range(seeds)),
            methods=chosen_methods,  # type: ignore[arg-type]
            width=width,
            face_size=face_size,
            canvas_fn=canvas_fn,
            sheet=sheet_path,
            source=source,
            main_method=main_method,
        )
        if reference is not None:
            from skyasset.assets.bench import score_reference_skies

            report["reference_skies"] = score_reference_skies(reference)
        write_report(report, output, force=force)
        return report

    respond(json_mode, work, _human)
