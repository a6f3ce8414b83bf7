"""Training throughput (images/s) of a network config on CPU, and on the GPU when one is available.

Runs the real training step (G main, lazy path-length every 4 steps, D main with ADA augmentation, lazy R1
every 16 steps, Adam, EMA) on random images, after warm-up steps, and prints one line per device::

    python benchmarks/bench_train.py --batch 16 --steps 16      # the CPU configs and ccsn256-small
    python benchmarks/bench_train.py --config lean128 --batch 16 --steps 16 --channels-last --pl-weight 0
    python benchmarks/bench_train.py --config ccsn256 --batch 32 --steps 20 --devices cuda

``--disc stylegan2,projected,both`` times each discriminator (the projected one: hinge loss, DiffAugment, no R1;
``both``: the two side by side, as ``--disc both`` trains);
``--bf16 off,on`` runs each variant in fp32 and under bfloat16 autocast of the projected D, interleaved
``--repeats`` times in one process so that both see the same machine (paired medians and their ratio).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import statistics
import time

import torch

from training.augment import AugmentPipe
from training.loss import GeneratorStep, StyleGAN2Loss
from training.loss_dual import DualLoss
from training.loss_projected import ProjectedLoss
from training.networks import Discriminator, Generator, get_config
from training.networks.dual import DualDiscriminator, dual_kwargs
from training.networks.projected import ProjectedDiscriminator
from training.precision import cpu_has_native_bf16


def bench(
    config: str,
    batch: int,
    steps: int,
    warmup: int,
    device: str,
    pl_weight: float = 2.0,
    g_reg_interval: int = 4,
    d_reg_interval: int = 16,
    channels_last: bool = False,
    d_mapping_layers: int | None = None,
    disc: str = "stylegan2",
    bf16: bool = False,
) -> dict[str, float | str | int]:
    cfg = get_config(config)
    if d_mapping_layers is not None:
        cfg = dataclasses.replace(cfg, d_mapping_layers=d_mapping_layers)
    dev = torch.device(device)
    G = Generator(**cfg.generator_kwargs()).to(dev).train()
    if disc == "projected":
        D: torch.nn.Module = ProjectedDiscriminator(c_dim=cfg.c_dim, img_resolution=cfg.resolution).to(dev).train()
    elif disc == "both":
        projected_kwargs = dict(c_dim=cfg.c_dim, img_resolution=cfg.resolution, img_channels=3, kind="projected")
        D = DualDiscriminator(**dual_kwargs(cfg.discriminator_kwargs(), projected_kwargs)).to(dev).train()
    else:
        D = Discriminator(**cfg.discriminator_kwargs()).to(dev).train()
    if channels_last:
        G = G.to(memory_format=torch.channels_last)
        D = D.to(memory_format=torch.channels_last)
    G_ema = copy.deepcopy(G).eval().requires_grad_(False)
    pipe = AugmentPipe().to(dev)
    pipe.p.fill_(0.2)
    step_module = GeneratorStep(G)
    loss: StyleGAN2Loss | ProjectedLoss | DualLoss
    if disc == "projected":
        loss = ProjectedLoss(step_module, D, step_module, D, bf16=bf16)
        loss.pl_mean = loss.pl_mean.to(dev)
    else:
        residual = D.residual if isinstance(D, DualDiscriminator) else D
        loss = StyleGAN2Loss(
            step_module,
            residual,
            step_module,
            residual,
            augment_pipe=pipe,
            r1_gamma=0.0002 * cfg.resolution**2 / batch,
            pl_weight=pl_weight,
        )
        loss.pl_mean = loss.pl_mean.to(dev)
        if isinstance(D, DualDiscriminator):
            loss = DualLoss(loss, ProjectedLoss(step_module, D.projected, step_module, D.projected, bf16=bf16))
    opt_G = torch.optim.Adam(G.parameters(), lr=0.002, betas=(0.0, 0.99))
    opt_D = torch.optim.Adam(D.parameters(), lr=0.002, betas=(0.0, 0.99))
    real = torch.rand(batch, 3, cfg.resolution, cfg.resolution, device=dev) * 2 - 1
    c = torch.zeros(batch, cfg.c_dim, device=dev)
    if cfg.c_dim:
        c[:, 0] = 1

    def one(step: int) -> None:
        z = torch.randn(batch, cfg.z_dim, device=dev)
        for phase, net, opt, interval in (
            ("Gmain", G, opt_G, 1),
            ("Greg", G, opt_G, g_reg_interval),
            ("Dmain", D, opt_D, 1),
            ("Dreg", D, opt_D, d_reg_interval),
        ):
            if step % interval or (phase == "Greg" and pl_weight <= 0):
                continue
            if disc == "projected" and phase in ("Greg", "Dreg"):
                continue
            G.requires_grad_(net is G)
            D.requires_grad_(net is D)
            opt.zero_grad(set_to_none=True)
            loss.accumulate(phase, real, c, z, c, gain=float(interval))  # type: ignore[arg-type]
            opt.step()
        with torch.no_grad():
            for pe, p in zip(G_ema.parameters(), G.parameters(), strict=True):
                pe.copy_(p.lerp(pe, 0.999))

    for i in range(warmup):
        one(i + 1)  # warm-up without the lazy regularisers
    if dev.type == "cuda":
        torch.cuda.synchronize()
    t = time.perf_counter()
    for i in range(steps):
        one(i)  # step 0 includes both regularisers: over 16 steps that is their exact share
    if dev.type == "cuda":
        torch.cuda.synchronize()
    sec = time.perf_counter() - t
    params = sum(p.numel() for p in G.parameters()) + sum(p.numel() for p in D.parameters())
    variant = {
        "pl_weight": pl_weight,
        "g_reg_interval": g_reg_interval,
        "d_reg_interval": d_reg_interval,
        "channels_last": channels_last,
        "d_mapping_layers": cfg.d_mapping_layers,
        "disc": disc,
        "bf16": bf16,
    }
    return {
        "config": config,
        "device": str(dev),
        "batch": batch,
        **variant,
        "steps": steps,
        "seconds": round(sec, 3),
        "images_per_s": round(batch * steps / sec, 2),
        "sec_per_kimg": round(sec / (batch * steps) * 1000, 1),
        "params_G_plus_D": params,
        "threads": torch.get_num_threads(),
        "gpu_mem_gb": round(torch.cuda.max_memory_allocated(dev) / 2**30, 2) if dev.type == "cuda" else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="lean64,lean128,ccsn256-small", help="comma list of network configs")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--steps", type=int, default=4, help="timed steps (16 gives exact lazy-regulariser share)")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--devices", default="auto", help="comma list of cpu,cuda; auto = cpu plus cuda if present")
    ap.add_argument("--pl-weight", type=float, default=2.0, help="path-length weight; 0 = off")
    ap.add_argument("--g-reg-interval", type=int, default=4)
    ap.add_argument("--d-reg-interval", type=int, default=16)
    ap.add_argument("--channels-last", action="store_true", help="channels-last memory format for G and D")
    ap.add_argument("--d-mapping-layers", type=int, default=None, help="override the config's D class mapping")
    ap.add_argument("--disc", default="stylegan2", help="comma list of stylegan2,projected,both")
    ap.add_argument("--bf16", default="off", help="comma list of off,on (bf16 autocast of the projected D)")
    ap.add_argument("--repeats", type=int, default=1, help="interleaved repeats of every variant (paired medians)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if "on" in args.bf16.split(",") and not cpu_has_native_bf16():
        print("note: this CPU has no AVX512-BF16/AMX: bf16 is emulated here (expect it to be much slower)")
    devices = (
        args.devices.split(",") if args.devices != "auto" else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    )
    variants = [
        (d, c, disc, bf16 == "on")
        for d in devices
        for c in args.config.split(",")
        for disc in args.disc.split(",")
        for bf16 in args.bf16.split(",")
        if not (bf16 == "on" and (disc not in ("projected", "both") or d != "cpu"))
    ]
    speeds: dict[tuple[str, str, str, bool], list[float]] = {}
    for _ in range(args.repeats):
        for device, config, disc, bf16 in variants:
            if device == "cuda":
                torch.backends.cudnn.benchmark = True
            r = bench(
                config,
                args.batch,
                args.steps,
                args.warmup,
                device,
                pl_weight=args.pl_weight,
                g_reg_interval=args.g_reg_interval,
                d_reg_interval=args.d_reg_interval,
                channels_last=args.channels_last,
                d_mapping_layers=args.d_mapping_layers,
                disc=disc,
                bf16=bf16,
            )
            speeds.setdefault((device, config, disc, bf16), []).append(float(r["images_per_s"]))
            _report(r, args.json)
    if args.repeats > 1:
        base = {k: statistics.median(v) for k, v in speeds.items()}
        for (device, config, disc, bf16), median in base.items():
            ref = base.get((device, config, disc, False))
            ratio = f", {median / ref:.2f}x of fp32" if bf16 and ref else ""
            print(f"median {config} {device} {disc}{' bf16' if bf16 else ''}: {median:.2f} img/s{ratio}")


def _report(r: dict[str, float | str | int], as_json: bool) -> None:
    if as_json:
        print(json.dumps(r), flush=True)
        return
    variant = f"{r['disc']}{' bf16' if r['bf16'] else ''}"
    print(
        f"{r['config']:14s} {r['device']:6s} {variant:14s} batch {r['batch']:3d}: {r['images_per_s']:8.2f} img/s "
        f"({r['sec_per_kimg']} s/kimg, {r['params_G_plus_D'] / 1e6:.1f} M params, {r['threads']} threads"
        + (f", {r['gpu_mem_gb']} GB" if r["gpu_mem_gb"] else "")
        + ")",
        flush=True,
    )


if __name__ == "__main__":
    main()
