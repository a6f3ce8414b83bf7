"""Distil Real-ESRGAN x4plus into :class:`FastUpscaler` on CCSN crops, within a wall-clock budget.

Training pairs come from :func:`training.upscaler.data.teacher_pairs` (saved as ``part*.npz``): an LR crop,
the teacher's 4x output and the ground-truth photo crop; running the teacher is slow on a CPU, so many more
cheap photo-only pairs (:func:`training.upscaler.data.photo_pairs`) are mixed in. The loss is L1 to the
teacher where there is one plus ``gt_weight`` times L1 to the photo, on the crop interior only (the teacher
saw no context beyond the crop edge).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from skyasset.errors import SkyassetError
from training.upscaler.linear_fit import fit_linear
from training.upscaler.student import FastUpscaler

__all__ = ["DistillConfig", "load_pairs", "distill"]


# fmt: off
@dataclass
class DistillConfig:
    seconds:        float = 240.0  # Wall-clock training budget.
    batch:          int   = 16     # Crops per step.
    patch:          int   = 48     # LR patch edge cut from each 64 px crop.
    margin:         int   = 4      # LR pixels at the patch edge left out of the loss.
    lr:             float = 2e-3   # Adam learning rate (cosine-decayed over the budget).
    gt_weight:      float = 0.3    # Weight of L1 to the ground-truth photo (teacher L1 has weight 1).
    width:          int   = 32     # Student width.
    depth:          int   = 3      # Student hidden 3x3 convs.
    threads:        int   = 2      # torch intra-op threads.
    seed:           int   = 0      # Initialisation and sampling seed.
    linear_init:    bool  = True   # Start the skip path from the least-squares linear fit, not bicubic.
# fmt: on


def load_pairs(folder: Path, photo: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Concatenate every ``part*.npz`` in ``folder``, then photo-only pairs (``has_teacher`` marks which)."""
    parts = sorted(folder.glob("part*.npz"))
    if not parts:
        raise SkyassetError(
            "input_not_found",
            f"No part*.npz training pairs in {folder}. Make them with 'skyasset-train upscaler pairs'.",
        )
    loaded = [dict(np.load(p)) for p in parts]
    for d in loaded:
        d["has_teacher"] = np.ones(len(d["lr"]), np.float32)
    if photo is not None:
        loaded.append({**photo, "teacher": photo["hr"], "has_teacher": np.zeros(len(photo["lr"]), np.float32)})
    return {k: np.concatenate([d[k] for d in loaded]) for k in ("lr", "teacher", "hr", "has_teacher")}


def _batch(
    pairs: dict[str, np.ndarray], cfg: DistillConfig, rng: np.random.Generator
) -> tuple[list[torch.Tensor], torch.Tensor]:
    """Half the batch from teacher pairs, half from photo-only pairs (when there are any)."""
    teacher_idx = np.flatnonzero(pairs["has_teacher"] > 0)
    photo_idx = np.flatnonzero(pairs["has_teacher"] == 0)
    n_teacher = cfg.batch if len(photo_idx) == 0 else cfg.batch // 2
    idx = np.concatenate(
        [rng.choice(teacher_idx, n_teacher), rng.choice(photo_idx, cfg.batch - n_teacher)]
        if len(photo_idx)
        else [rng.choice(teacher_idx, n_teacher)]
    )
    crop = pairs["lr"].shape[1]
    y, x = rng.integers(0, crop - cfg.patch + 1, 2)
    out = []
    for key, s in (("lr", 1), ("teacher", 4), ("hr", 4)):
        a = pairs[key][idx, y * s : (y + cfg.patch) * s, x * s : (x + cfg.patch) * s]
        out.append(torch.from_numpy(a.astype(np.float32) / 255.0).permute(0, 3, 1, 2))
    if rng.random() < 0.5:
        out = [t.flip(3) for t in out]
    k = int(rng.integers(0, 4))
    mask = torch.from_numpy(pairs["has_teacher"][idx]).view(-1, 1, 1, 1)
    return [torch.rot90(t, k, (2, 3)) for t in out], mask


def distill(pairs: dict[str, np.ndarray], cfg: DistillConfig, log: Path | None = None) -> FastUpscaler:
    """Train a student for ``cfg.seconds`` of wall time; returns it in eval mode."""
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    rng = np.random.default_rng(cfg.seed)
    net = FastUpscaler(cfg.width, cfg.depth)
    if cfg.linear_init:
        weight, bias = fit_linear(pairs, gt_weight=cfg.gt_weight, margin=cfg.margin)
        assert net.skip.bias is not None  # nn.Conv2d's bias=True
        with torch.no_grad():
            net.skip.weight.copy_(torch.from_numpy(weight))
            net.skip.bias.copy_(torch.from_numpy(bias))
    if cfg.width == 0 or cfg.seconds <= 0:
        if log is not None:
            log.write_text(json.dumps({"config": asdict(cfg), "steps": 0, "history": []}, indent=1))
        return net.eval()
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    m = cfg.margin * 4
    start, step, history = time.monotonic(), 0, []
    while (elapsed := time.monotonic() - start) < cfg.seconds:
        for group in opt.param_groups:
            group["lr"] = cfg.lr * 0.5 * (1 + np.cos(np.pi * min(elapsed / cfg.seconds, 1.0)))
        (lr, teacher, hr), mask = _batch(pairs, cfg, rng)
        out = net(lr)[..., m:-m, m:-m]
        teacher_l1 = ((out - teacher[..., m:-m, m:-m]).abs() * mask).sum() / (mask.sum() * out[0].numel())
        loss = teacher_l1 + cfg.gt_weight * F.l1_loss(out, hr[..., m:-m, m:-m])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            history.append({"step": step, "seconds": round(elapsed, 1), "loss": float(loss.detach())})
            print(f"step {step} {elapsed:.0f}s loss {float(loss.detach()):.4f}", flush=True)
    if log is not None:
        log.write_text(json.dumps({"config": asdict(cfg), "steps": step, "history": history}, indent=1))
    return net.eval()
