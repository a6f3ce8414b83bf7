"""Training options (one table, saved as ``training_options.json``) and numbered run directories."""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from skyasset.errors import SkyassetError

__all__ = ["AugmentMode", "TrainingOptions", "make_run_dir", "find_latest_snapshot"]

MAX_OPTION_VALUE = 1e9  # kimg, rates, weights and minutes: far above any run, far below float overflow
MAX_BATCH = 1 << 16
MAX_SEED = 2**31 - 1  # the seed range of every skyasset tool; seed * processes + rank stays a valid numpy seed

AugmentMode = Literal["ada", "fixed", "none"]
DiscKind = Literal["stylegan2", "projected"]
Bf16Mode = Literal["auto", "on", "off"]


@dataclass
class TrainingOptions:
    """Everything a run depends on; ``training_options.json`` is this dataclass as JSON."""

    data: str  # Dataset archive from `skyasset-train prepare`.
    outdir: str  # Parent of the numbered run directories.
    config: str = "ccsn256-small"  # Network config name (training/networks/config.py).
    cond: bool = True  # Train on labels; False = unconditional (c_dim 0).
    batch: int = 32  # Total batch over all processes.
    kimg: float = 100.0  # Train until this many thousand real images were shown (total).
    tick_kimg: float = 4.0  # Progress line and stats every this many kimg.
    snap_kimg: float = 20.0  # Snapshot (and metrics) every this many kimg; 0 = only at the end.
    snap_kind: Literal["full", "compact"] = "full"  # 'compact': fp16 G_ema + D only (< 64 MB for small).
    metrics: list[str] = field(default_factory=lambda: ["fid"])  # Metrics at each snapshot; [] = none.
    metrics_num_gen: int = 5000  # Generated images per metric evaluation.
    gamma: float | None = None  # R1 weight; None = 0.0002 * res^2 / batch (StyleGAN2-ADA 'auto').
    lr: float = 0.0025  # Adam learning rate of G and D.
    d_lr: float | None = None  # Adam learning rate of D; None = lr.
    ema_kimg: float | None = None  # EMA half-life in kimg; None = batch * 10 / 32.
    ema_rampup: float | None = 0.05  # EMA ramp-up (fraction of images so far); None = off.
    style_mixing: float = 0.9  # Style-mixing probability.
    pl_weight: float = 2.0  # Path-length regularisation weight; 0 = off.
    g_reg_interval: int = 4  # Lazy path-length regularisation interval (steps).
    d_reg_interval: int = 16  # Lazy R1 interval (steps).
    aug: AugmentMode = "ada"  # 'ada' adapts p; 'fixed' keeps augment_p; 'none'.
    augment_p: float = 0.0  # Initial (or fixed) augmentation probability.
    ada_target: float = 0.6  # ADA r_t target.
    ada_kimg: float = 500.0  # kimg for p to go 0 -> 1.
    resume: str | None = None  # Snapshot (or run dir: its newest snapshot) to continue from.
    transfer_from: str | None = None  # Snapshot or NVlabs .pkl to splice in before training.
    transfer_parts: Literal["G+D", "G", "D"] = "G+D"
    seed: int = 0  # Random seed.
    max_size: int | None = None  # Use a random subset of this many images; None = all.
    max_minutes: float | None = None  # Stop cleanly (with a snapshot) after this much wall time.
    workers: int = 2  # DataLoader worker processes.
    # 'none': no per-pixel noise inputs (strengths zeroed, frozen); 'low': only at 4-32 px (coarse layout variety).
    noise: Literal["random", "none", "low"] = "random"
    channels_last: bool = True  # Channels-last G and D (1.2-1.3x faster on CPU, same numbers).
    device: Literal["auto", "cpu", "cuda"] = "auto"
    # 'projected': hinge loss against patch discriminators on frozen Inception features (DiffAugment, no R1,
    # no ADA); 'stylegan2': the residual D with R1 and ADA.
    disc: DiscKind = "stylegan2"
    disc_features: Literal["inception", "random"] = "inception"  # 'random': the control, Inception re-initialised
    # bfloat16 autocast of the projected D on the CPU: 'auto' = where the CPU has AVX512-BF16 or AMX.
    bf16: Bf16Mode = "auto"
    desc: str | None = None  # Run directory suffix; None = derived from data/config/batch.

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainingOptions:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SkyassetError("invalid_argument", f"unknown training options {unknown}")
        return cls(**data)

    def validate(self) -> None:
        if self.batch < 1:
            raise SkyassetError("invalid_argument", f"batch must be >= 1, got {self.batch}")
        if self.batch > MAX_BATCH:
            raise SkyassetError("invalid_argument", f"--batch {self.batch} is over {MAX_BATCH}")
        if self.kimg <= 0 or self.tick_kimg <= 0:
            raise SkyassetError("invalid_argument", "kimg and tick_kimg must be > 0")
        if self.aug not in ("ada", "fixed", "none"):
            raise SkyassetError("invalid_argument", f"aug {self.aug!r} is not ada, fixed or none")
        if self.noise not in ("random", "none", "low"):
            raise SkyassetError("invalid_argument", f"noise {self.noise!r}: use random, none or low")
        if self.ada_kimg <= 0:
            raise SkyassetError("invalid_argument", f"ada_kimg must be > 0, got {self.ada_kimg}")
        if self.pl_weight < 0 or not 0 <= self.style_mixing <= 1:
            raise SkyassetError("invalid_argument", "pl_weight must be >= 0 and style_mixing in [0, 1]")
        if self.g_reg_interval < 1 or self.d_reg_interval < 1:
            raise SkyassetError("invalid_argument", "--g-reg-interval and --d-reg-interval must be >= 1")
        if not 0 <= self.augment_p <= 1:
            raise SkyassetError("invalid_argument", f"augment_p {self.augment_p} is not in [0, 1]")
        if self.disc not in ("stylegan2", "projected"):
            raise SkyassetError("invalid_argument", f"disc {self.disc!r}: use stylegan2 or projected")
        if self.disc_features not in ("inception", "random"):
            raise SkyassetError("invalid_argument", f"disc_features {self.disc_features!r}: use inception or random")
        if self.bf16 not in ("auto", "on", "off"):
            raise SkyassetError("invalid_argument", f"bf16 {self.bf16!r}: use auto, on or off")
        if self.resume and self.transfer_from:
            raise SkyassetError(
                "invalid_argument",
                "use either --resume (continue a run) or --transfer-from "
                "(start a new run from other weights), not both",
            )
        self._validate_numbers()

    def _validate_numbers(self) -> None:
        """Every number finite and in its range: NaN passes every ``<`` test and would reach the loop."""
        positive: dict[str, float | None] = {
            "kimg": self.kimg,
            "tick_kimg": self.tick_kimg,
            "lr": self.lr,
            "ada_kimg": self.ada_kimg,
        }
        positive.update({"d_lr": self.d_lr, "ema_kimg": self.ema_kimg, "max_minutes": self.max_minutes})
        for name, value in positive.items():
            if value is not None and not (math.isfinite(value) and 0 < value <= MAX_OPTION_VALUE):
                raise SkyassetError(
                    "invalid_argument",
                    f"--{name.replace('_', '-')} {value} is not a number in (0, {MAX_OPTION_VALUE:g}]",
                )
        non_negative: dict[str, float | None] = {
            "snap_kimg": self.snap_kimg,
            "gamma": self.gamma,
            "pl_weight": self.pl_weight,
        }
        non_negative.update({"ada_target": self.ada_target, "augment_p": self.augment_p})
        non_negative.update({"style_mixing": self.style_mixing, "ema_rampup": self.ema_rampup})
        for name, value in non_negative.items():
            if value is not None and not (math.isfinite(value) and 0 <= value <= MAX_OPTION_VALUE):
                raise SkyassetError(
                    "invalid_argument",
                    f"--{name.replace('_', '-')} {value} is not a number in [0, {MAX_OPTION_VALUE:g}]",
                )
        if not 0 <= self.seed <= MAX_SEED:
            raise SkyassetError("invalid_argument", f"--seed {self.seed} is not in 0..{MAX_SEED}")
        if not 0 <= self.workers <= 256:
            raise SkyassetError("invalid_argument", f"--workers {self.workers} is not in 0..256")
        if self.max_size is not None and self.max_size < 1:
            raise SkyassetError("invalid_argument", f"--max-size {self.max_size} keeps no image; give at least 1")
        if self.metrics and self.metrics_num_gen < 2:
            raise SkyassetError(
                "invalid_argument", f"--metrics-num-gen {self.metrics_num_gen}: metrics need at least 2 images"
            )

    def description(self) -> str:
        if self.desc:
            return re.sub(r"[^A-Za-z0-9_.+-]", "_", self.desc)
        stem = Path(self.data).stem
        kind = "cond" if self.cond else "uncond"
        extra = f"-from-{self.transfer_parts}" if self.transfer_from else ""
        return f"{stem}-{self.config}-{kind}-b{self.batch}{extra}"


def make_run_dir(outdir: Path, desc: str) -> Path:
    """Create ``outdir/NNNNN-desc`` with the next free number (NVlabs style)."""
    outdir = Path(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        ids = [int(m.group(1)) for p in outdir.iterdir() if (m := re.match(r"^(\d+)-", p.name))]
        run_dir = outdir / f"{max(ids, default=-1) + 1:05d}-{desc}"
        run_dir.mkdir()
    except OSError as exc:  # a file where a folder should be, no permission, no space
        raise SkyassetError(
            "io_error", f"cannot make a run directory in {outdir} ({exc.strerror or exc}); give --outdir a folder"
        ) from None
    return run_dir


def _refuse_special(path: Path) -> None:
    """A FIFO, device or socket at ``path`` is there but is no snapshot: say so rather than "no snapshot at"."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # absent (or unreadable): the caller's "no snapshot at" is true
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
        raise SkyassetError(
            "invalid_argument",
            f"{path} is {kind}, not a regular file; give the path of a snapshot-*.pt file or a run directory",
        )


def find_latest_snapshot(path: Path) -> Path:
    """``path`` itself if it is a file, else the newest ``snapshot-*.pt`` in the run directory ``path``."""
    path = Path(path)
    if path.is_file():
        return path
    _refuse_special(path)
    snaps = sorted(path.glob("snapshot-*.pt")) if path.is_dir() else []
    if not snaps:
        raise SkyassetError(
            "input_not_found", f"no snapshot at {path}; pass a snapshot-*.pt file or a run directory that holds one"
        )
    return snaps[-1]
