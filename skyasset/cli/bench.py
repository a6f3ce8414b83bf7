"""`skyasset bench ...`: measurement commands, one module each, gathered under one sub-app."""

from __future__ import annotations

import typer

from skyasset.cli.bench_model import bench_model_command
from skyasset.cli.bench_skybox import bench_skybox_command
from skyasset.cli.bench_upscale import bench_upscale_command

bench_app = typer.Typer(help="Measure models (speed, quality), skyboxes and upscalers.", no_args_is_help=True)


@bench_app.callback()
def _bench() -> None:
    """Measure models (speed, quality), skyboxes and upscalers."""  # a callback keeps `bench` a command group


bench_app.command("model")(bench_model_command)
bench_app.command("skybox")(bench_skybox_command)
bench_app.command("upscale")(bench_upscale_command)
