"""`skyasset bench skybox`: seam/cube-edge/unique-pixel scores and timings of the panorama methods."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from skyasset.bench.skybox_run import SkyboxBenchRequest, format_skybox_report, run_skybox_bench
from skyasset.cli.bench_report import respond_with_report
from skyasset.cli.options import ForceOpt, JsonOpt, ModelOpt, ReportOpt


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
    if sheet is None and output is not None:
        sheet = output.with_name("skybox_contact_sheet.png")
    request = SkyboxBenchRequest(
        model, ccsn, classes, seeds, width, face_size, psi, method, methods, sheet=sheet, reference=reference
    )
    respond_with_report(
        lambda: run_skybox_bench(request), format_skybox_report, output=output, force=force, json_mode=json_mode
    )
