"""`skyasset-train quantize` writes quantized variants of an fp32 bundle; `fid-delta` scores them by FID."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from skyasset.bundle import load_bundle
from skyasset.errors import SkyassetError

__all__ = ["fid_delta_command", "quantize_command"]

# Spelled out (a test checks it equals variants.QUANT_VARIANTS) so `skyasset-train --help` stays light.
QUANT_VARIANTS = ("fp16", "int8-weight", "int8-qdq", "int8-dynamic", "int8-rtn")


def _fail(error: SkyassetError, json_mode: bool) -> NoReturn:
    """Report ``error`` (one JSON object in --json mode, else a line on stderr) and exit with its code."""
    if json_mode:
        sys.stdout.write(json.dumps(error.to_json()) + "\n")
    else:
        typer.echo(f"error: {error.message}", err=True)
    raise typer.Exit(error.exit_code) from None


def quantize_command(
    source: Annotated[Path, typer.Argument(help="The fp32 bundle folder (skyasset-train export output).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder that receives one bundle per variant.")],
    variant: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option("--variant", "-v", help=f"Repeatable; default all of: {', '.join(QUANT_VARIANTS)}."),
    ] = None,
    calibration_samples: Annotated[int, typer.Option(help="Random latents for int8-qdq ranges.")] = 16,
    seed: Annotated[int, typer.Option(help="Seed of the calibration latents.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Replace existing variant folders.")] = False,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Quantize an fp32 bundle. Benchmark the result with `skyasset bench model SOURCE OUT`."""
    from training.quantize.variants import quantize_bundle

    chosen = list(variant or QUANT_VARIANTS)
    try:
        unknown = [v for v in chosen if v not in QUANT_VARIANTS]
        if unknown:
            raise SkyassetError(
                "invalid_argument", f"Unknown variant(s) {', '.join(unknown)}; choose from {', '.join(QUANT_VARIANTS)}."
            )
        written = []
        for name in chosen:
            path = quantize_bundle(
                source,
                out / name,
                name,  # type: ignore[arg-type]
                calibration_samples=calibration_samples,
                seed=seed,
                force=force,
            )
            bundle = load_bundle(path)
            written.append({"variant": name, "path": str(path), "bytes": bundle.total_bytes})
            if not json_mode:
                typer.echo(f"{name:<13} {bundle.total_bytes / 1e6:8.1f} MB  {path}")
    except SkyassetError as error:
        _fail(error, json_mode)
    if json_mode:
        sys.stdout.write(json.dumps({"variants": written}) + "\n")


def fid_delta_command(
    bundles: Annotated[
        list[Path],
        typer.Argument(help="Bundle folders, or folders holding bundles (as `skyasset bench model` takes them)."),
    ],
    archive: Annotated[Path, typer.Option(help="Dataset archive (skyasset-train prepare) to compare with.")],
    samples: Annotated[int, typer.Option(help="Generated images per bundle.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the latents and classes drawn.")] = 0,
    device: Annotated[str, typer.Option(help="cpu | cuda")] = "cpu",
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """FID of each bundle and its difference from fp32's, same seeds and classes.

    `skyasset bench model BUNDLES --fid-report FILE` adds the numbers to the speed and size table.
    """
    from training.quantize.fid_delta import SHIP_THRESHOLD, fid_of_bundles

    try:
        if not archive.is_file():
            raise SkyassetError(
                "input_not_found", f"Dataset archive {archive} does not exist: make it with `skyasset-train prepare`."
            )
        if samples < 2:
            raise SkyassetError("invalid_argument", f"--samples must be at least 2, got {samples}.")
        from skyasset.bench.model import expand_models

        found = expand_models(list(bundles))  # the same folders, in the same order, as the benchmark's
        for bundle in found:
            load_bundle(bundle)
        report = fid_of_bundles(found, archive, samples=samples, seed=seed, device=device)
    except SkyassetError as error:
        _fail(error, json_mode)
    if json_mode:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    for row in report["fid"]:
        mark = "ok" if row["within_ship_threshold"] else f"over {SHIP_THRESHOLD}"
        typer.echo(f"{row['name']:<13} FID {row['fid']:8.2f}  dFID {row['fid_delta']:+7.2f}  {mark}  {row['path']}")
