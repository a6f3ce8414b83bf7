"""The training loop: conditional StyleGAN2 with ADA, lazy regularisation, EMA, snapshots, metrics, logs.

``run_training(options)`` makes (on rank 0) a numbered run directory holding::

    training_options.json   the options (the run is reproducible from this file)
    transfer_report.json    when --transfer-from was used: copied / skipped / fresh tensors
    log.txt                 the progress lines
    stats.jsonl             one JSON object per tick: kimg, images/s, losses, augment p, r_t, ...
    metrics.jsonl           one JSON object per evaluated snapshot
    plot.png                losses, augment p and FID against kimg
    snapshot-NNNNNNNNNN.pt  snapshots named by the number of images shown (training/snapshot.py)

Mixed precision on CUDA comes from the networks (``num_fp16_res`` top resolutions in fp16, ``conv_clamp``);
gradients are made finite (``nan_to_num``) before each optimizer step, as in StyleGAN2-ADA.
"""

from __future__ import annotations

import copy
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from skyasset.errors import SkyassetError
from training.augment import AdaController, AugmentPipe
from training.dataset import ImageArchive
from training.distributed import DistContext, InfiniteSampler, broadcast_object, init_distributed
from training.loss import GeneratorStep, StyleGAN2Loss
from training.loss_dual import DualLoss
from training.loss_projected import ProjectedLoss
from training.networks import Generator
from training.networks.dual import DualDiscriminator
from training.options import TrainingOptions, find_latest_snapshot, make_run_dir
from training.precision import use_bf16
from training.progress import save_fakes_grid, save_reals_grid
from training.snapshot import build_networks, load_snapshot, save_snapshot

__all__ = ["RunResult", "run_training", "format_duration"]


@dataclass
class RunResult:
    run_dir: Path
    kimg: float
    snapshots: list[Path] = field(default_factory=list)
    last_stats: dict[str, Any] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)


def format_duration(seconds: float) -> str:
    s = int(max(seconds, 0))
    return f"{s // 3600}h{s // 60 % 60:02d}m{s % 60:02d}s" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def _networks(opts: TrainingOptions, data: ImageArchive) -> tuple[dict[str, Any], dict[str, Any]]:
    from training.networks import get_config

    cfg = get_config(opts.config)
    if cfg.resolution != data.resolution:
        raise SkyassetError(
            "invalid_argument",
            f"config {opts.config} is {cfg.resolution}x{cfg.resolution} but "
            f"{opts.data} holds {data.resolution}x{data.resolution} images; prepare the data at "
            f"{cfg.resolution} or pick a config of that resolution",
        )
    G_kwargs = cfg.generator_kwargs()
    G_kwargs["c_dim"] = data.c_dim
    projected: dict[str, Any] = dict(
        c_dim=data.c_dim,
        img_resolution=cfg.resolution,
        img_channels=cfg.img_channels,
        feature_weights=opts.disc_features,
        feature_seed=opts.seed,
        kind="projected",
    )
    residual = {**cfg.discriminator_kwargs(), "c_dim": data.c_dim}
    if opts.disc == "projected":
        return G_kwargs, projected
    if opts.disc == "both":
        from training.networks.dual import dual_kwargs

        return G_kwargs, dual_kwargs(residual, projected)
    return G_kwargs, residual


def _adam(params: Any, lr: float, reg_interval: int | None) -> torch.optim.Adam:
    # Lazy regularisation every `reg_interval` steps: shrink lr and betas to compensate; None = no regulariser.
    ratio = reg_interval / (reg_interval + 1) if reg_interval else 1.0
    return torch.optim.Adam(params, lr=lr * ratio, betas=(0.0, 0.99**ratio), eps=1e-8)


def _finite_grads(module: torch.nn.Module) -> None:
    for p in module.parameters():
        if p.grad is not None:
            torch.nan_to_num(p.grad, nan=0, posinf=1e5, neginf=-1e5, out=p.grad)


class _Logger:
    def __init__(self, run_dir: Path | None) -> None:
        self.run_dir = run_dir

    def line(self, text: str) -> None:
        print(text, flush=True)
        if self.run_dir is not None:
            with open(self.run_dir / "log.txt", "a", encoding="utf-8") as f:
                f.write(text + "\n")

    def jsonl(self, name: str, obj: dict[str, Any]) -> None:
        if self.run_dir is not None:
            with open(self.run_dir / name, "a", encoding="utf-8") as f:
                f.write(json.dumps(obj) + "\n")


def _prepare_run_dir(opts: TrainingOptions, ctx: DistContext) -> Path | None:
    run_dir = None
    if ctx.is_main:
        run_dir = make_run_dir(Path(opts.outdir), opts.description())
        (run_dir / "training_options.json").write_text(json.dumps(opts.to_json(), indent=1), encoding="utf-8")
    path = broadcast_object(str(run_dir) if run_dir else None, ctx)
    return Path(path) if path else None


@dataclass
class _Nets:
    """The networks of a run and where they came from."""

    G: Generator
    D: torch.nn.Module
    G_ema: Generator
    G_kwargs: dict[str, Any]
    D_kwargs: dict[str, Any]
    snap: Any = None  # the loaded snapshot when resuming (optimizer states, augment p, pl_mean)
    cur_nimg: int = 0
    augment_p: float = 0.0
    pl_mean: float = 0.0
    frozen_noise: list[torch.nn.Parameter] = field(default_factory=list)
    # The EMA ramp-up keeps an early G_ema from holding a random G; a G_ema transferred from a trained model is
    # already an average, and capping its half-life at 5% of this run's images made it follow G step by step.
    ema_rampup: bool = True


@dataclass
class _Trainer:
    """What one optimisation step needs, built once per run."""

    nets: _Nets
    loss: StyleGAN2Loss | ProjectedLoss | DualLoss
    opt_G: torch.optim.Adam
    opt_D: torch.optim.Adam
    pipe: AugmentPipe | None
    ada: AdaController | None


def _build_networks(
    opts: TrainingOptions, data: ImageArchive, dev: torch.device, run_dir: Path | None, log: _Logger
) -> _Nets:
    """Fresh networks (optionally with transferred weights), or the ones of the snapshot to resume."""
    from training.networks import build_discriminator, disc_kind

    G_kwargs, D_kwargs = _networks(opts, data)
    if opts.resume:
        snap_path = find_latest_snapshot(Path(opts.resume))
        snap = load_snapshot(snap_path)
        if snap.meta["G_kwargs"]["c_dim"] != data.c_dim:
            raise SkyassetError(
                "invalid_argument",
                f"{snap_path} has c_dim {snap.meta['G_kwargs']['c_dim']} but "
                f"the data has {data.c_dim} classes; use --transfer-from to change the classes",
            )
        snap_disc = disc_kind(snap.meta["D_kwargs"])
        if snap_disc != opts.disc:
            raise SkyassetError(
                "invalid_argument",
                f"{snap_path} was trained with --disc {snap_disc}, not {opts.disc}; to keep its generator and "
                f"start a {opts.disc} discriminator, use --transfer-from {snap_path} --transfer-parts "
                + (
                    "G+D (its D becomes the pair's residual D)"
                    if (opts.disc, snap_disc) == ("both", "stylegan2")
                    else "G"
                ),
            )
        G, D, G_ema = build_networks(snap, dev)
        nets = _Nets(
            G,
            D,
            G_ema,
            snap.meta["G_kwargs"],
            snap.meta["D_kwargs"],
            snap=snap,
            cur_nimg=int(round(snap.kimg * 1000)),
            augment_p=float(snap.meta.get("augment_p", opts.augment_p)),
            pl_mean=float(snap.meta.get("pl_mean", 0.0)),
            ema_rampup=bool(snap.meta.get("ema_rampup", True)),
        )
        log.line(f"resuming from {snap_path} at {snap.kimg:.3f} kimg ({snap.kind} snapshot)")
    else:
        G = Generator(**G_kwargs).to(dev)
        D = build_discriminator(D_kwargs).to(dev)
        G_ema = copy.deepcopy(G).eval().requires_grad_(False)
        if opts.transfer_from:
            from training.transfer import transfer_into

            report = transfer_into(Path(opts.transfer_from), G=G, D=D, G_ema=G_ema, parts=opts.transfer_parts)
            if opts.transfer_parts == "D":
                G_ema.load_state_dict(G.state_dict())
            log.line(report.summary())
            if run_dir is not None:
                report.write(run_dir / "transfer_report.json")
        trained_g = bool(opts.transfer_from) and opts.transfer_parts != "D"
        nets = _Nets(G, D, G_ema, G_kwargs, D_kwargs, augment_p=opts.augment_p, ema_rampup=not trained_g)
        if trained_g:
            log.line("G_ema transferred from a trained model: no EMA ramp-up (full half-life from the start)")
    if opts.noise == "none":
        _zero_noise(nets.G, nets.G_ema)
    if opts.noise == "low":  # noise for layout variety at coarse layers, none where it would speckle
        nets.frozen_noise = _zero_noise(nets.G, nets.G_ema, above=LOW_NOISE_MAX_RES)
    if opts.channels_last:
        for net in (nets.G, nets.D, nets.G_ema):
            net.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # torch's overloads omit it
    nets.G.train()
    nets.D.train()
    return nets


def _build_trainer(opts: TrainingOptions, nets: _Nets, data: ImageArchive, ctx: DistContext) -> _Trainer:
    """Loss (wrapped for DDP when distributed), augmentation with its ADA controller, and the two optimizers."""
    dev = ctx.device
    G, D = nets.G, nets.D
    G_step_plain = GeneratorStep(G, noise_mode="none" if opts.noise == "none" else "random")
    if ctx.distributed:
        ids = [dev.index] if dev.type == "cuda" else None
        G_step: torch.nn.Module = torch.nn.parallel.DistributedDataParallel(
            G_step_plain, device_ids=ids, broadcast_buffers=False
        )
        D_train: torch.nn.Module = torch.nn.parallel.DistributedDataParallel(D, device_ids=ids, broadcast_buffers=False)
        if nets.snap is None:  # every rank starts from rank 0's weights (DDP broadcast them into G and D)
            nets.G_ema.load_state_dict(G.state_dict())
    else:
        G_step, D_train = G_step_plain, D
    if opts.disc == "projected":
        loss = ProjectedLoss(
            G_step, D_train, G_step_plain, D, style_mixing_prob=opts.style_mixing, bf16=use_bf16(opts.bf16, dev)
        )
        opt_G = _adam(G.parameters(), opts.lr, None)
        opt_D = _adam(D.parameters(), opts.d_lr if opts.d_lr is not None else opts.lr, None)
        _load_optimizers(nets.snap, opt_G, opt_D)
        return _Trainer(nets, loss, opt_G, opt_D, None, None)
    pipe = None
    ada = None
    if opts.disc == "both" and ctx.distributed:
        raise SkyassetError(
            "invalid_argument",
            "--disc both trains in one process (its losses call the two discriminators directly, outside "
            "DistributedDataParallel): use one GPU, or --disc stylegan2 or projected across several",
        )
    if opts.aug != "none":
        pipe = AugmentPipe().to(dev)
        pipe.p.fill_(nets.augment_p)
        if opts.aug == "ada":
            ada = AdaController(pipe, target=opts.ada_target, ada_kimg=opts.ada_kimg)
    gamma = opts.gamma if opts.gamma is not None else 0.0002 * data.resolution**2 / opts.batch
    residual = D.residual if isinstance(D, DualDiscriminator) else D
    stylegan2_loss = StyleGAN2Loss(
        G_step,
        residual if isinstance(D, DualDiscriminator) else D_train,
        G_step_plain,
        residual,
        augment_pipe=pipe,
        ada=ada,
        r1_gamma=gamma,
        style_mixing_prob=opts.style_mixing,
        pl_weight=opts.pl_weight,
    )
    stylegan2_loss.pl_mean = torch.tensor(nets.pl_mean, device=dev)
    training_loss: StyleGAN2Loss | DualLoss = stylegan2_loss
    if isinstance(D, DualDiscriminator):
        projected = ProjectedLoss(
            G_step, D.projected, G_step_plain, D.projected, opts.style_mixing, bf16=use_bf16(opts.bf16, dev)
        )
        training_loss = DualLoss(stylegan2_loss, projected, projected_weight=opts.projected_weight)
    opt_G = _adam(G.parameters(), opts.lr, opts.g_reg_interval)
    opt_D = _adam(D.parameters(), opts.d_lr if opts.d_lr is not None else opts.lr, opts.d_reg_interval)
    _load_optimizers(nets.snap, opt_G, opt_D)
    return _Trainer(nets, training_loss, opt_G, opt_D, pipe, ada)


def _load_optimizers(snap: Any, opt_G: torch.optim.Adam, opt_D: torch.optim.Adam) -> None:
    """Adam's state from a full snapshot (a compact one restarts Adam)."""
    if snap is not None and snap.opt_G is not None and snap.opt_D is not None:
        opt_G.load_state_dict(snap.opt_G)
        opt_D.load_state_dict(snap.opt_D)


def _make_loader(opts: TrainingOptions, data: ImageArchive, ctx: DistContext, batch_gpu: int) -> Any:
    loader: torch.utils.data.DataLoader[tuple[torch.Tensor, torch.Tensor]] = torch.utils.data.DataLoader(
        data,  # type: ignore[arg-type]  # a map-style dataset (__len__, __getitem__), not a Dataset subclass
        batch_size=batch_gpu,
        sampler=InfiniteSampler(len(data), ctx.rank, ctx.world_size, opts.seed),
        num_workers=opts.workers,
        pin_memory=ctx.device.type == "cuda",
        persistent_workers=opts.workers > 0,
        prefetch_factor=2 if opts.workers > 0 else None,
    )
    return iter(loader)


def _train_step(
    opts: TrainingOptions,
    trainer: _Trainer,
    batch: tuple[torch.Tensor, torch.Tensor],
    gen_z: torch.Tensor,
    gen_c: torch.Tensor,
    step: int,
    sums: dict[str, list[float]],
) -> None:
    """One minibatch: G main, G path-length (lazy), D main, D R1 (lazy); losses appended to ``sums``."""
    G, D = trainer.nets.G, trainer.nets.D
    real_img, real_c = batch
    for phase, net, opt, interval in (
        ("Gmain", G, trainer.opt_G, 1),
        ("Greg", G, trainer.opt_G, opts.g_reg_interval),
        ("Dmain", D, trainer.opt_D, 1),
        ("Dreg", D, trainer.opt_D, opts.d_reg_interval),
    ):
        if step % interval:
            continue
        if phase == "Greg" and opts.pl_weight <= 0:
            continue
        if phase in ("Greg", "Dreg") and opts.disc == "projected":  # no R1, no path-length term
            continue
        G.requires_grad_(net is G)
        D.requires_grad_(net is D)
        opt.zero_grad(set_to_none=True)
        stats = trainer.loss.accumulate(phase, real_img, real_c, gen_z, gen_c, gain=float(interval))  # type: ignore[arg-type]
        _finite_grads(net)
        if net is G:
            for p in trainer.nets.frozen_noise:  # requires_grad is toggled per phase, so freeze by dropping the grad
                p.grad = None
        opt.step()
        for k, v in stats.items():
            sums.setdefault(k, []).append(v)
    G.requires_grad_(False)
    D.requires_grad_(False)


def _update_ema(opts: TrainingOptions, nets: _Nets, cur_nimg: int) -> None:
    """G_ema <- lerp towards G with a half-life of ``ema_kimg`` (ramped up early); buffers such as w_avg copied."""
    ema_kimg = opts.ema_kimg if opts.ema_kimg is not None else opts.batch * 10 / 32
    with torch.no_grad():
        ema_nimg = ema_kimg * 1000
        if opts.ema_rampup is not None and nets.ema_rampup:
            ema_nimg = min(ema_nimg, cur_nimg * opts.ema_rampup)
        beta = 0.5 ** (opts.batch / max(ema_nimg, 1e-8))
        for p_ema, p in zip(nets.G_ema.parameters(), nets.G.parameters(), strict=True):
            p_ema.copy_(p.detach().lerp(p_ema, beta))
        for b_ema, b in zip(nets.G_ema.buffers(), nets.G.buffers(), strict=True):
            b_ema.copy_(b)


@dataclass
class _Clock:
    """Where the run is in images and time, for ticks, snapshots and --max-minutes."""

    start_time: float
    start_nimg: int
    total_nimg: int
    tick_time: float = 0.0
    tick_nimg: int = 0
    tick: int = 0
    # CPU seconds of this process (all its threads) at the start: a machine-hours measure that a pause
    # (SIGSTOP while benchmarking) or a busy neighbour does not inflate, unlike wall time.
    start_cpu: float = field(default_factory=time.process_time)

    def __post_init__(self) -> None:
        self.tick_time, self.tick_nimg = self.start_time, self.start_nimg

    def cpu_seconds(self) -> float:
        return time.process_time() - self.start_cpu


def _tick_record(
    trainer: _Trainer, clock: _Clock, cur_nimg: int, sums: dict[str, list[float]], dev: torch.device, log: _Logger
) -> dict[str, Any]:
    """Log the progress line and ``stats.jsonl`` row of a tick; a non-finite number stops the run."""
    now = time.time()
    speed = (cur_nimg - clock.tick_nimg) / max(now - clock.tick_time, 1e-9)
    overall = (cur_nimg - clock.start_nimg) / max(now - clock.start_time, 1e-9)
    eta = (clock.total_nimg - cur_nimg) / max(overall, 1e-9)
    means = {k: float(np.mean(v)) for k, v in sums.items()}
    record: dict[str, Any] = {
        "tick": clock.tick,
        "kimg": cur_nimg / 1000,
        "time_s": now - clock.start_time,
        "cpu_s": clock.cpu_seconds(),
        "images_per_s": speed,
        "sec_per_kimg": 1000 / max(speed, 1e-9),
        "eta_s": eta,
        "augment_p": float(trainer.pipe.p) if trainer.pipe is not None else 0.0,
        "ada_rt": trainer.ada.last_rt if trainer.ada is not None else None,
        **means,
    }
    if dev.type == "cuda":
        record["gpu_mem_gb"] = torch.cuda.max_memory_allocated(dev) / 2**30
    log.line(
        f"tick {clock.tick:<4d} kimg {cur_nimg / 1000:<8.3f} time {format_duration(now - clock.start_time):<9s} "
        f"img/s {speed:<7.1f} eta {format_duration(eta):<9s} "
        + " ".join(f"{k.split('/')[-1]} {v:.4f}" for k, v in means.items() if k.startswith("loss"))
        + f" augment {record['augment_p']:.3f}"
    )
    log.jsonl("stats.jsonl", record)
    for k, v in record.items():
        if isinstance(v, float) and not np.isfinite(v):
            raise SkyassetError(
                "training_diverged",
                f"{k} became {v} at {cur_nimg / 1000:.3f} kimg; lower "
                "--lr or raise --gamma and resume from the last snapshot",
            )
    clock.tick += 1
    clock.tick_time, clock.tick_nimg = now, cur_nimg
    return record


def _write_snapshot(
    opts: TrainingOptions,
    trainer: _Trainer,
    data: ImageArchive,
    run_dir: Path,
    cur_nimg: int,
    start_time: float,
    dev: torch.device,
    log: _Logger,
    result: RunResult,
) -> None:
    """Snapshot, fakes grid (with its noise RMS), metrics if asked for, and the run's plot."""
    nets = trainer.nets
    meta = {
        "kimg": cur_nimg / 1000,
        "G_kwargs": nets.G_kwargs,
        "D_kwargs": nets.D_kwargs,
        "classes": data.classes,
        "augment_p": float(trainer.pipe.p) if trainer.pipe is not None else 0.0,
        "pl_mean": float(trainer.loss.pl_mean),
        "ema_rampup": nets.ema_rampup,
        "config": opts.config,
        "dataset": str(opts.data),
        "training_options": opts.to_json(),
    }
    path = save_snapshot(
        run_dir / f"snapshot-{cur_nimg:010d}.pt",
        G_ema=nets.G_ema,
        D=nets.D,
        meta=meta,
        kind=opts.snap_kind,
        G=nets.G,
        opt_G=trainer.opt_G,
        opt_D=trainer.opt_D,
    )
    result.snapshots.append(path)
    grid, noise = save_fakes_grid(
        nets.G_ema, run_dir / f"fakes-{cur_nimg // 1000:06d}.png", data.classes if data.c_dim else None
    )
    log.line(
        f"snapshot {path.name} ({path.stat().st_size / 2**20:.1f} MiB), {grid.name} "
        f"(noise rms {noise:.4f}), {format_duration(time.time() - start_time)} into this run"
    )
    log.jsonl(
        "snapshots.jsonl",
        {
            "kimg": cur_nimg / 1000,
            "snapshot": path.name,
            "grid": grid.name,
            "noise_rms": noise,
            "time_s": time.time() - start_time,
        },
    )
    if opts.metrics:
        result.metrics.append(_evaluate(opts, nets.G_ema, data, dev, cur_nimg, path, log))
    from training.plot import plot_run

    plot_run(run_dir)


def run_training(opts: TrainingOptions, ctx: DistContext | None = None) -> RunResult:
    """Train as ``opts`` says (checked when it was built, see ``TrainingOptions``); returns where things went
    and the last stats."""
    ctx = ctx or init_distributed(opts.device)
    dev = ctx.device
    if opts.batch % ctx.world_size:
        raise SkyassetError("invalid_argument", f"batch {opts.batch} is not divisible by {ctx.world_size} processes")
    batch_gpu = opts.batch // ctx.world_size
    np.random.seed(opts.seed * ctx.world_size + ctx.rank)
    torch.manual_seed(opts.seed * ctx.world_size + ctx.rank)
    torch.backends.cudnn.benchmark = True

    data = ImageArchive(Path(opts.data), use_labels=opts.cond, max_size=opts.max_size, seed=opts.seed)
    _networks(opts, data)  # refuses a config of the wrong resolution before a run folder is made
    run_dir = _prepare_run_dir(opts, ctx)
    log = _Logger(run_dir if ctx.is_main else None)
    nets = _build_networks(opts, data, dev, run_dir, log)
    trainer = _build_trainer(opts, nets, data, ctx)
    batches = _make_loader(opts, data, ctx, batch_gpu)
    labels = torch.from_numpy(data.labels)

    cur_nimg = nets.cur_nimg
    total_nimg = int(opts.kimg * 1000)
    if cur_nimg >= total_nimg:
        raise SkyassetError(
            "invalid_argument", f"the run is already at {cur_nimg / 1000:.3f} kimg; raise --kimg above that to continue"
        )
    log.line(
        f"training {opts.config} on {len(data)} images ({data.c_dim} classes) at {data.resolution}px, "
        f"batch {opts.batch} on {ctx.world_size} x {dev.type}, {cur_nimg / 1000:.3f} -> {opts.kimg} kimg"
        + (f", run dir {run_dir}" if run_dir else "")
    )
    result = RunResult(run_dir=run_dir or Path(), kimg=cur_nimg / 1000)
    if run_dir is not None and not (run_dir / "reals.png").exists():
        _write_reals(data, run_dir, log)
    clock = _Clock(time.time(), cur_nimg, total_nimg)
    next_snap_nimg = cur_nimg + int(opts.snap_kimg * 1000) if opts.snap_kimg > 0 else total_nimg
    step = 0
    sums: dict[str, list[float]] = {}
    while True:
        real_img, real_c = next(batches)
        real_img = real_img.to(dev, non_blocking=True).to(torch.float32) / 127.5 - 1
        real_c = real_c.to(dev, non_blocking=True)
        gen_z = torch.randn([batch_gpu, nets.G.z_dim], device=dev)
        gen_c = torch.zeros([batch_gpu, data.c_dim], device=dev)
        if data.c_dim:
            pick = labels[torch.randint(len(labels), [batch_gpu])].to(dev)
            gen_c[torch.arange(batch_gpu, device=dev), pick] = 1
        _train_step(opts, trainer, (real_img, real_c), gen_z, gen_c, step, sums)
        if trainer.ada is not None:
            trainer.ada.update(step, opts.batch)
        _update_ema(opts, nets, cur_nimg)
        cur_nimg += opts.batch
        step += 1

        out_of_time = opts.max_minutes is not None and time.time() - clock.start_time >= opts.max_minutes * 60
        if ctx.distributed:
            flag = torch.tensor([float(out_of_time)], device=dev)
            torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
            out_of_time = bool(flag.item())
        done = cur_nimg >= total_nimg or out_of_time
        if not done and cur_nimg < clock.tick_nimg + opts.tick_kimg * 1000:
            continue
        result.last_stats = _tick_record(trainer, clock, cur_nimg, sums, dev, log)
        sums = {}
        if done or cur_nimg >= next_snap_nimg:
            next_snap_nimg = cur_nimg + int(opts.snap_kimg * 1000) if opts.snap_kimg > 0 else total_nimg
            if ctx.is_main and run_dir is not None:
                _write_snapshot(opts, trainer, data, run_dir, cur_nimg, clock.start_time, dev, log, result)
            if ctx.distributed:
                torch.distributed.barrier()
        if done:
            break
    result.kimg = cur_nimg / 1000
    if out_of_time:
        log.line(
            f"stopped after --max-minutes {opts.max_minutes} at {cur_nimg / 1000:.3f} kimg; continue with "
            f"--resume {run_dir}"
        )
    return result


LOW_NOISE_MAX_RES = 32  # --noise low keeps noise inputs up to this resolution


def _zero_noise(*nets: torch.nn.Module, above: int = 0) -> list[torch.nn.Parameter]:
    """Switch per-pixel noise inputs off for good: zero the strengths of layers above ``above`` px (all layers
    for 0), so every noise mode renders alike there; returns the zeroed parameters of the first net."""
    zeroed: list[torch.nn.Parameter] = []
    with torch.no_grad():
        for i, net in enumerate(nets):
            for name, p in net.named_parameters():
                match = re.search(r"\bb(\d+)\.", name)
                if name.endswith("noise_strength") and (match is None or int(match.group(1)) > above):
                    p.zero_()
                    if i == 0:
                        zeroed.append(p)
    return zeroed


def _write_reals(data: ImageArchive, run_dir: Path, log: _Logger) -> None:
    path = save_reals_grid(data, run_dir / "reals.png")
    log.line(f"{path.name}: {max(data.c_dim, 1)} rows of real images, one per class")


def _evaluate(
    opts: TrainingOptions,
    G_ema: Generator,
    data: ImageArchive,
    dev: torch.device,
    cur_nimg: int,
    snapshot: Path,
    log: _Logger,
) -> dict[str, Any]:
    from training.metrics import MetricContext, TorchSource, compute_metrics

    t = time.time()
    full = ImageArchive(data.path, use_labels=data.c_dim > 0)  # reference: the whole data set
    ctx = MetricContext(TorchSource(G_ema, dev), full, num_gen=opts.metrics_num_gen, device=str(dev))
    results = compute_metrics(opts.metrics, ctx)
    G_ema.to(dev)
    record = {
        "kimg": cur_nimg / 1000,
        "snapshot": snapshot.name,
        "num_gen": opts.metrics_num_gen,
        "reference": f"{data.path.name} ({len(full)} images)",
        "results": results,
        "seconds": time.time() - t,
    }
    log.line("metrics " + " ".join(f"{k} {v:.3f}" for k, v in results.items()) + f" ({record['seconds']:.0f}s)")
    log.jsonl("metrics.jsonl", record)
    return record
