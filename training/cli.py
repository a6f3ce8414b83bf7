"""``skyasset-train``: data prep, training, metrics, transfer, NVlabs import and export, as one Typer app.

Each command validates its options, calls the Python API and prints; a ``SkyassetError`` becomes
``error [code]: message`` on stderr and a non-zero exit code. Heavy imports (torch) happen inside commands.

Adding a tool (quantize, upscaler, ...): write your own ``typer.Typer()`` in your module and add ONE line to the
"Sub-apps" block at the bottom of this file, e.g. ``app.add_typer(quantize_app, name="quantize")``. Keep torch
imports inside your commands so ``skyasset-train --help`` stays fast.
"""

from __future__ import annotations

import inspect
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from skyasset.errors import SkyassetError
from training.cli_errors import handle_errors
from training.cli_options import training_options_command
from training.options import TrainingOptions
from training.outputs import IMAGE_SUFFIXES, check_output_file, check_output_folder

__all__ = ["app", "main"]

app = typer.Typer(
    name="skyasset-train",
    help="Train, evaluate, transfer and export skyasset sky GANs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite the output if it exists.")]
DeviceOpt = Annotated[str, typer.Option(help="auto | cpu | cuda")]


def _emit(obj: dict[str, Any], as_json: bool, text: str) -> None:
    typer.echo(json.dumps(obj) if as_json else text)


MAX_NUM_GEN = 1_000_000  # generated images of one evaluation: ~50 CPU-days of Inception; far above any use


def _check_num_gen(num_gen: int) -> None:
    if not 2 <= num_gen <= MAX_NUM_GEN:
        raise SkyassetError(
            "invalid_argument", f"--num-gen {num_gen} is not in 2..{MAX_NUM_GEN}; the metrics need at least 2 images"
        )


def _device(name: str) -> str:
    if name not in ("auto", "cpu", "cuda"):
        raise SkyassetError("invalid_argument", f"device {name!r} is not auto, cpu or cuda")
    if name == "auto":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


@app.command()
@handle_errors
def prepare(
    source: Annotated[Path, typer.Argument(help="Folder of class sub-folders, or with a dataset.json.")],
    out: Annotated[Path, typer.Argument(help="Archive to write (.zip).")],
    resolution: Annotated[int, typer.Option(help="Output side in pixels (power of two).")] = 256,
    labels: Annotated[Path | None, typer.Option(help="StyleGAN2-ADA dataset.json with labels.")] = None,
    unconditional: Annotated[bool, typer.Option("--unconditional", help="Ignore labels.")] = False,
    crop: Annotated[str, typer.Option(help="center (largest centred square) | stretch")] = "center",
    image_format: Annotated[str, typer.Option("--format", help="jpeg | png")] = "jpeg",
    quality: Annotated[int, typer.Option(help="JPEG quality.")] = 90,
    cross_class: Annotated[str, typer.Option(help="Files in several classes: drop | keep-first")] = "drop",
    max_images: Annotated[int | None, typer.Option(help="At most N images per class.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Write a training archive (resized images + labels), de-duplicated, with per-class counts."""
    from training.dataset import CropMode, CrossClassPolicy, ImageFormat, prepare_dataset

    if (
        crop not in ("center", "stretch")
        or image_format not in ("jpeg", "png")
        or cross_class not in ("drop", "keep-first")
    ):
        raise SkyassetError(
            "invalid_argument", "--crop is center|stretch, --format jpeg|png, --cross-class drop|keep-first"
        )
    report = prepare_dataset(
        source,
        out,
        resolution=resolution,
        labels_json=labels,
        unconditional=unconditional,
        crop=cast(CropMode, crop),  # checked above
        image_format=cast(ImageFormat, image_format),
        jpeg_quality=quality,
        cross_class=cast(CrossClassPolicy, cross_class),
        max_images=max_images,
        force=force,
    )
    lines = [f"wrote {report.out} ({report.num_images} images, {report.bytes / 2**20:.1f} MiB)"]
    lines += [f"  {k:4s} {v:5d}" for k, v in report.class_counts.items()]
    lines.append(
        f"byte-identical duplicates: {len(report.duplicates_within_class)} within a class, "
        f"{len(report.duplicates_cross_class)} across classes; removed {len(report.removed)} files"
    )
    lines += [f"  cross-class: {' = '.join(group)}" for group in report.duplicates_cross_class]
    _emit(report.to_json(), as_json, "\n".join(lines))


DRY_RUN = inspect.Parameter(
    "dry_run",
    inspect.Parameter.KEYWORD_ONLY,
    default=False,
    annotation=Annotated[bool, typer.Option("--dry-run", help="Print the options and exit.")],
)


@app.command()
@handle_errors
@training_options_command(DRY_RUN)
def train(opts: TrainingOptions, dry_run: bool) -> None:
    """Train (or continue) a conditional StyleGAN2-ADA; works under `torchrun --nproc_per_node N`."""
    if dry_run:
        typer.echo(json.dumps(opts.to_json(), indent=1))
        typer.echo(f"run directory would be {opts.outdir}/NNNNN-{opts.description()}")
        return
    if opts.resume is not None:  # refused here, before the run makes its folder
        from training.options import find_latest_snapshot
        from training.snapshot import load_snapshot

        load_snapshot(find_latest_snapshot(Path(opts.resume)))
    from training.distributed import shutdown
    from training.loop import run_training

    try:
        result = run_training(opts)
    finally:
        shutdown()
    if result.run_dir and str(result.run_dir) != ".":
        typer.echo(f"done: {result.kimg:.3f} kimg, run directory {result.run_dir}")


@app.command("metrics")
@handle_errors
def metrics_cmd(
    data: Annotated[Path, typer.Option(help="Reference archive (its cached Inception features).")],
    snapshot: Annotated[Path | None, typer.Option(help="Snapshot to evaluate (its G_ema).")] = None,
    bundle: Annotated[Path | None, typer.Option(help="Exported bundle to evaluate (ONNX Runtime).")] = None,
    metrics: Annotated[
        str,
        typer.Option(
            help="Comma list: fid,kid,fid_per_class,cond_acc,swd,fd_judge,fd_judge_per_class,cond_judge ('' = none)"
        ),
    ] = "fid",
    num_gen: Annotated[int, typer.Option("--num-gen", help="Generated images.")] = 5000,
    psi: Annotated[
        float,
        typer.Option(
            help="Truncation toward each class's mean w, as `skyasset generate --psi` (1 = none; the runtime's "
            "default is 0.7)."
        ),
    ] = 1.0,
    halves: Annotated[
        bool,
        typer.Option("--halves", help="Floors: FID, SWD, fd_judge (if the judge exists) of two halves of --data."),
    ] = False,
    judge: Annotated[
        Path | None, typer.Option(help="Judge weights for fd_judge/cond_judge (default: training/metrics/judge.pt).")
    ] = None,
    memorisation_png: Annotated[
        Path | None,
        typer.Option(
            "--memorisation-png", help="Write 64 pairs (generated | nearest training photo in judge features) here."
        ),
    ] = None,
    device: DeviceOpt = "auto",
    as_json: JsonOpt = False,
) -> None:
    """FID / KID / per-class FID / SWD / judge metrics of a snapshot or a bundle against a data set (or its halves)."""
    from skyasset.settings import check_psi
    from training.dataset import ImageArchive
    from training.metrics import BundleSource, MetricContext, TorchSource, compute_metrics, fid_halves

    _check_num_gen(num_gen)
    try:  # the runtime's bounds, checked before a snapshot is loaded
        check_psi(psi)
    except SkyassetError as err:
        raise SkyassetError(err.code, f"--psi: {err.message}") from None
    if memorisation_png is not None:  # before minutes of work; a link there is replaced, never written through
        check_output_file(memorisation_png, True, option="--memorisation-png", suffixes=IMAGE_SUFFIXES)
    dev = _device(device)
    if halves:
        from training.metrics.judge import DEFAULT_JUDGE, fd_judge_halves
        from training.metrics.swd import swd_halves

        archive = ImageArchive(data)
        floors: dict[str, Any] = {"fid_halves": fid_halves(archive, device=dev, verbose=not as_json)}
        floors.update({f"{k}_halves": v for k, v in swd_halves(archive).items()})
        judge_path = judge if judge is not None else DEFAULT_JUDGE
        if judge_path.is_file():
            floors["fd_judge_halves"] = fd_judge_halves(archive, judge_path=judge_path, device=dev)
        lines = [f"floors: two random halves of {data} ({len(archive) // 2} images each)"]
        lines += [f"{k}: {v:.4f}" for k, v in floors.items()]
        if "fd_judge_halves" not in floors:
            lines.append(f"fd_judge_halves: skipped, no judge weights at {judge_path}")
        _emit({**floors, "data": str(data)}, as_json, "\n".join(lines))
        return
    if (snapshot is None) == (bundle is None):
        raise SkyassetError("invalid_argument", "pass exactly one of --snapshot and --bundle (or --halves)")
    if bundle is not None:
        source: Any = BundleSource(bundle, psi=psi)
    else:
        from training.options import find_latest_snapshot
        from training.snapshot import build_networks, load_snapshot

        _, _, G_ema = build_networks(load_snapshot(find_latest_snapshot(snapshot)), dev)  # type: ignore[arg-type]
        source = TorchSource(G_ema, dev, psi=psi)
    archive = ImageArchive(data, use_labels=source.c_dim > 0)
    names = [m.strip() for m in metrics.split(",") if m.strip()]
    ctx = MetricContext(source, archive, num_gen=num_gen, device=dev, verbose=not as_json, judge=judge)
    results = compute_metrics(names, ctx)
    payload: dict[str, Any] = {
        "results": results,
        "num_gen": num_gen,
        "psi": psi,
        "reference": str(data),
        "reference_images": len(archive),
    }
    lines = [f"{k}: {v:.4f}" for k, v in results.items()]
    if memorisation_png is not None:
        from training.metrics.judge import memorisation_pairs

        memo = memorisation_pairs(source, archive, memorisation_png, judge_path=judge, device=dev)
        payload["memorisation"] = memo
        lines.append(
            f"memorisation: {memorisation_png} (generated | nearest real); median nearest cosine distance in "
            f"judge features {memo['gen_nn_median']:.4f} generated-to-real vs {memo['real_nn_median']:.4f} "
            f"real-to-real (leave-one-out); smallest {memo['gen_nn_min']:.4f}"
        )
    _emit(payload, as_json, "\n".join(lines))


@app.command("train-judge")
@handle_errors
def train_judge_cmd(
    data: Annotated[Path, typer.Option(help="Labelled archive to train on (e.g. ccsn128.zip).")],
    out: Annotated[Path, typer.Option(help="Weights to write (+ .json metadata beside).")] = Path(
        "training/metrics/judge.pt"
    ),
    epochs: Annotated[int, typer.Option(help="Passes over the training part.")] = 18,
    input_size: Annotated[int, typer.Option(help="Judge input side in pixels.")] = 64,
    seed: Annotated[int, typer.Option(help="Seed of the split, the initialisation and the augmentation.")] = 0,
    force: ForceOpt = False,
    device: DeviceOpt = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Train the judge network (fd_judge, cond_judge, --memorisation-png) from scratch on a data set."""
    from training.metrics.judge import train_judge

    check_output_file(out, force)  # a link there is an existing output; --force replaces the link itself
    if epochs < 1 or input_size < 16:
        raise SkyassetError("invalid_argument", "--epochs must be >= 1 and --input-size >= 16")
    meta = train_judge(
        data, out, epochs=epochs, input_size=input_size, seed=seed, device=_device(device), verbose=not as_json
    )
    meta.pop("heldout_names", None)
    per_class = ", ".join(f"{c['code']} {meta['heldout_acc/' + c['code']]:.2f}" for c in meta["classes"])
    _emit(
        meta,
        as_json,
        f"{out}: held-out accuracy {meta['heldout_acc']:.3f} (balanced {meta['heldout_bal_acc']:.3f}, "
        f"{meta['n_heldout']} images; {per_class}), {meta['train_seconds']:.0f} s",
    )


def _filter_kwargs(cls: type, kwargs: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    params = inspect.signature(cls).parameters  # the parameters of __init__, less self
    keep = {k: v for k, v in kwargs.items() if k in params}
    return keep, sorted(set(kwargs) - set(keep))


@app.command("import-nvlabs")
@handle_errors
def import_nvlabs(
    pkl: Annotated[Path, typer.Argument(help="NVlabs network-snapshot-*.pkl (read without running its code).")],
    out: Annotated[Path, typer.Option(help="Snapshot to write (.pt).")],
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Convert an NVlabs StyleGAN2-ADA pickle to a skyasset snapshot (tensors + JSON), with a splice report."""
    from training.networks import Discriminator, Generator
    from training.nvlabs_pickle import load_nvlabs_pickle
    from training.snapshot import construct, save_snapshot
    from training.transfer import TransferReport, splice_state

    check_output_file(out, force)  # a link there is an existing output; --force replaces the link itself
    nv = load_nvlabs_pickle(pkl)
    for key in ("G_ema", "D"):
        if key not in nv.networks:
            raise SkyassetError("snapshot_invalid", f"{pkl} has no {key}")
    G_kwargs, g_dropped = _filter_kwargs(Generator, nv.networks["G_ema"].init_kwargs)
    D_kwargs, d_dropped = _filter_kwargs(Discriminator, nv.networks["D"].init_kwargs)
    G_ema, D = construct(Generator, G_kwargs, pkl), construct(Discriminator, D_kwargs, pkl)
    G = construct(Generator, G_kwargs, pkl)
    report = TransferReport(source=str(pkl), parts="G+D")
    report.networks["G_ema"] = splice_state(G_ema, nv.networks["G_ema"].state_dict)
    report.networks["G"] = splice_state(G, nv.networks.get("G", nv.networks["G_ema"]).state_dict)
    report.networks["D"] = splice_state(D, nv.networks["D"].state_dict)
    meta: dict[str, Any] = {
        "kimg": 0.0,
        "G_kwargs": G.init_kwargs,
        "D_kwargs": D.init_kwargs,
        "classes": [],
        "imported_from": str(pkl),
        "nvlabs_classes": {k: v.class_name for k, v in nv.networks.items()},
        "dropped_kwargs": {"G": g_dropped, "D": d_dropped},
        "training_set_kwargs": nv.extras.get("training_set_kwargs"),
    }
    save_snapshot(out, G_ema=G_ema, D=D, G=G, meta=meta, kind="full")
    payload = {"out": str(out), "report": report.to_json(), "dropped_kwargs": meta["dropped_kwargs"]}
    _emit(payload, as_json, report.summary() + f"\nwrote {out}")


@app.command()
@handle_errors
def transfer(
    source: Annotated[Path, typer.Argument(help="Snapshot or NVlabs .pkl to splice from.")],
    out: Annotated[Path, typer.Option(help="Snapshot to write (.pt).")],
    data: Annotated[Path | None, typer.Option(help="Archive whose classes the new model gets.")] = None,
    config: Annotated[str, typer.Option(help="Network config of the new model.")] = "ccsn256-small",
    c_dim: Annotated[int | None, typer.Option(help="Classes of the new model (instead of --data).")] = None,
    parts: Annotated[str, typer.Option(help="G+D | G | D")] = "G+D",
    seed: Annotated[int, typer.Option(help="Seed of the fresh initialisation.")] = 0,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Splice weights (name + shape match) into a fresh model and save it; prints the transfer report.

    To train from the result directly use `train --transfer-from SOURCE` instead.
    """
    import torch

    from training.networks import Discriminator, Generator, get_config
    from training.snapshot import save_snapshot
    from training.transfer import transfer_into

    check_output_file(out, force)  # a link there is an existing output; --force replaces the link itself
    from training.dataset import MAX_CLASSES

    if c_dim is not None and not 0 <= c_dim <= MAX_CLASSES:
        raise SkyassetError("invalid_argument", f"--c-dim {c_dim} is not a class count in 0..{MAX_CLASSES}")
    classes: list[dict[str, str]] = []
    if data is not None:
        from training.dataset import ImageArchive

        classes = ImageArchive(data).classes
        c_dim = len(classes)
    if c_dim is None:
        raise SkyassetError("invalid_argument", "pass --data (an archive) or --c-dim for the new model's classes")
    cfg = get_config(config)
    G_kwargs, D_kwargs = cfg.generator_kwargs(), cfg.discriminator_kwargs()
    G_kwargs["c_dim"] = D_kwargs["c_dim"] = c_dim
    torch.manual_seed(seed)
    G, D = Generator(**G_kwargs), Discriminator(**D_kwargs)
    G_ema = Generator(**G_kwargs)
    G_ema.load_state_dict(G.state_dict())
    report = transfer_into(source, G=G, D=D, G_ema=G_ema, parts=parts)  # type: ignore[arg-type]
    meta = {
        "kimg": 0.0,
        "G_kwargs": G_kwargs,
        "D_kwargs": D_kwargs,
        "classes": classes,
        "config": config,
        "transfer": report.to_json()["counts"],
        "transfer_source": str(source),
    }
    save_snapshot(out, G_ema=G_ema, D=D, G=G, meta=meta, kind="full")
    _emit({"out": str(out), "report": report.to_json()}, as_json, report.summary() + f"\nwrote {out}")


@app.command()
@handle_errors
def ship(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot (or run dir: its newest snapshot).")],
    data: Annotated[Path, typer.Option(help="The training archive: FID reference and probe data.")],
    out: Annotated[Path, typer.Option(help="Bundle folder to create, e.g. skyasset/models/default.")],
    snapshot_out: Annotated[Path, typer.Option(help="Where the compact snapshot (<= 25 MB) goes.")],
    num_gen: Annotated[
        int, typer.Option("--num-gen", help="Generated images for FID (as many again per class).")
    ] = 5000,
    noise: Annotated[str, typer.Option(help="auto | const | none (auto: none when the noise shows).")] = "auto",
    model_id: Annotated[str | None, typer.Option(help="Bundle model_id (default: from the snapshot).")] = None,
    training_md: Annotated[Path | None, typer.Option(help="Markdown: how the model was trained.")] = None,
    failures_md: Annotated[Path | None, typer.Option(help="Markdown: known failure modes.")] = None,
    summary_md: Annotated[
        Path | None, typer.Option(help="Markdown: a paragraph under the card's title (e.g. why it is interim).")
    ] = None,
    machine_hours: Annotated[
        float | None, typer.Option(min=0, help="Machine-hours of the whole training lineage, for the card.")
    ] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Export a snapshot with its measured model card, samples, skybox and compact snapshot."""
    from training.ship import ship_model

    _check_num_gen(num_gen)

    def read(path: Path | None) -> str:
        if path is None:
            return ""
        if not path.is_file():
            raise SkyassetError("input_not_found", f"{path} does not exist; pass a Markdown file")
        return path.read_text(encoding="utf-8")

    report = ship_model(
        snapshot,
        data,
        out,
        snapshot_out,
        num_gen=num_gen,
        noise=noise,
        model_id=model_id,
        training_summary=read(training_md),
        failure_modes=read(failures_md),
        summary=read(summary_md),
        machine_hours=machine_hours,
        force=force,
        verbose=not as_json,
    )
    _emit(
        {
            "bundle": str(report.bundle),
            "snapshot": str(report.snapshot),
            "metrics": report.metrics,
            "seconds": round(report.seconds, 1),
        },
        as_json,
        f"wrote {report.bundle} and {report.snapshot}",
    )


@app.command()
@handle_errors
def export(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot (or run dir: its newest snapshot).")],
    out: Annotated[Path, typer.Option(help="Bundle folder to create.")],
    model_id: Annotated[str | None, typer.Option(help="Bundle model_id (default: from the snapshot).")] = None,
    license: Annotated[str, typer.Option(help="License of the weights (SPDX).")] = "CC0-1.0",
    mean_samples: Annotated[int, typer.Option(help="Random z per class for the class mean w.")] = 4096,
    fid: Annotated[float | None, typer.Option(help="FID to record in the provenance.")] = None,
    noise: Annotated[
        str,
        typer.Option(
            help="const: bake the snapshot's noise buffers in (StyleGAN2's rendering); none: leave the per-pixel "
            "noise out (an undertrained model's speckle)."
        ),
    ] = "const",
    canvas_tiles: Annotated[
        int,
        typer.Option(help="Views across the canvas graph of `--method native` (2-16); 0 leaves it out."),
    ] = 6,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Export a snapshot's G_ema to a skyasset model bundle (docs/BUNDLE.md)."""
    from skyasset.classes import CloudClass
    from training.export import export_bundle
    from training.options import find_latest_snapshot
    from training.snapshot import build_networks, load_snapshot

    if fid is not None and not (math.isfinite(fid) and fid >= 0):
        raise SkyassetError("invalid_argument", f"--fid {fid} is not a finite number >= 0")
    check_output_folder(out, force)  # the CLI's words (--force); export_bundle checks again for API callers
    path = find_latest_snapshot(snapshot)
    snap = load_snapshot(path)
    _, _, G_ema = build_networks(snap, "cpu")
    raw = snap.meta.get("classes") or []
    classes = [CloudClass(c["code"], c["name"], c.get("description", "")) for c in raw] if raw else None
    provenance = {
        "dataset": snap.meta.get("dataset"),
        "kimg": snap.kimg,
        "fid": fid,
        "snapshot": path.name,
        "config": snap.meta.get("config"),
    }
    mid = model_id or f"{snap.meta.get('config', 'model')}-{'cond' if G_ema.c_dim else 'uncond'}-{int(snap.kimg)}kimg"
    bundle = export_bundle(
        G_ema,
        out,
        classes=classes,
        model_id=mid,
        provenance=provenance,
        license=license,
        mean_samples=mean_samples,
        noise_mode=noise,  # type: ignore[arg-type]
        canvas_tiles=canvas_tiles,
        overwrite=force,
        verbose=not as_json,
    )
    _emit({"bundle": str(bundle), "snapshot": str(path), "model_id": mid}, as_json, f"wrote bundle {bundle}")


@app.command()
@handle_errors
def plot(
    run_dir: Annotated[Path, typer.Argument(help="Run directory (stats.jsonl, metrics.jsonl).")],
    out: Annotated[Path | None, typer.Option(help="PNG to write (default RUN_DIR/plot.png).")] = None,
) -> None:
    """Plot losses, augment p and FID of a run."""
    from training.plot import plot_run

    if not (run_dir / "stats.jsonl").is_file():
        raise SkyassetError("input_not_found", f"{run_dir} has no stats.jsonl; pass a run directory")
    typer.echo(f"wrote {plot_run(run_dir, out)}")


@app.command()
@handle_errors
def info(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot (or run dir: its newest snapshot).")],
) -> None:
    """Print a snapshot's metadata (kind, kimg, kwargs, classes) as JSON."""
    from training.options import find_latest_snapshot
    from training.snapshot import load_snapshot

    path = find_latest_snapshot(snapshot)
    snap = load_snapshot(path)
    mb = path.stat().st_size / 2**20
    typer.echo(json.dumps({"path": str(path), "kind": snap.kind, "mib": round(mb, 2), **snap.meta}, indent=1))


@app.command()
@handle_errors
def grid(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot (or run dir: its newest snapshot).")],
    out: Annotated[Path, typer.Option(help="PNG to write.")],
    columns: Annotated[int, typer.Option(min=1, max=64, help="Seeds per class (seeds 0..N-1).")] = 4,
    size: Annotated[int, typer.Option(min=8, max=1024, help="Side of each image in the grid, px.")] = 64,
) -> None:
    """A small fixed-seed sample grid of a snapshot's G_ema (one row per class), as its constant noise renders it."""
    from skyasset.atomic import atomic_output
    from training.options import find_latest_snapshot
    from training.progress import save_compact_grid
    from training.snapshot import build_networks, load_snapshot

    # grid has always replaced its picture; a link at the name is replaced itself, never written through
    target = check_output_file(out, True, suffixes=IMAGE_SUFFIXES)
    snap = load_snapshot(find_latest_snapshot(snapshot))
    _, _, G_ema = build_networks(snap)
    with atomic_output(target, force=True) as tmp:
        save_compact_grid(G_ema, tmp, snap.meta.get("classes") if G_ema.c_dim else None, columns, size)
    typer.echo(f"wrote {out} ({snap.kimg:.1f} kimg, {columns} seeds per class at {size} px)")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``skyasset-train`` (pyproject ``training.cli:main``)."""
    try:
        app(args=argv if argv is not None else sys.argv[1:], standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


# --- Sub-apps of other tools: one line each --------------------------------------------------------------------
from training.quantize.cli import fid_delta_command, quantize_command  # noqa: E402

app.command("quantize")(quantize_command)
app.command("fid-delta")(fid_delta_command)
from training.repack_cli import repack_command  # noqa: E402

app.command("repack")(repack_command)
from training.upscaler.commands import upscaler_app  # noqa: E402

app.add_typer(upscaler_app, name="upscaler")


if __name__ == "__main__":
    sys.exit(main())
