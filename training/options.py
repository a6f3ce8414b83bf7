"""Training options, declared once: each field of ``TrainingOptions`` carries its default, its ``--help`` text and
its range; the ``train`` command's options (training/cli_options.py), ``training_options.json`` and the checks all
come from it. Also the numbered run directories and the snapshot finder."""

from __future__ import annotations

import functools
import math
import os
import re
import stat
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from skyasset.errors import SkyassetError

__all__ = ["AugmentMode", "OptionSpec", "TrainingOptions", "make_run_dir", "find_latest_snapshot"]

MAX_OPTION_VALUE = 1e9  # kimg, rates, weights and minutes: far above any run, far below float overflow
MAX_BATCH = 1 << 16
MAX_SEED = 2**31 - 1  # the seed range of every skyasset tool; seed * processes + rank stays a valid numpy seed
MAX_WORKERS = 256
LABELLED_METRICS = ("fid_per_class", "cond_acc", "cond_judge")  # metrics that ask the generator for classes

AugmentMode = Literal["ada", "fixed", "none"]
DiscKind = Literal["stylegan2", "projected", "both"]
Bf16Mode = Literal["auto", "on", "off"]
SnapKind = Literal["full", "compact"]
TransferParts = Literal["G+D", "G", "D"]
NoiseMode = Literal["random", "none", "low"]
DeviceChoice = Literal["auto", "cpu", "cuda"]
Bound = Literal["positive", "non_negative"]

# --snap-kind and --transfer-parts have always been refused in one sentence
_KIND_OR_PARTS = f"--snap-kind is {'|'.join(get_args(SnapKind))}, --transfer-parts {'|'.join(get_args(TransferParts))}"


@dataclass(frozen=True)
class OptionSpec:
    """How one field of ``TrainingOptions`` shows on the command line and what values it takes."""

    help: str  # ``--help`` text; "{choices}" is replaced by the field's Literal choices, "a | b | c"
    flags: tuple[str, ...] = ()  # Typer's parameter declarations; () = "--field-name"
    bound: Bound | None = None  # a finite number in (0, MAX] or [0, MAX] (None passes)
    refuse: str | None = None  # message for a value outside the field's Literal choices ({value!r}, {one_of})
    path: bool = False  # a path on the command line, text in the dataclass and its JSON
    cli: bool = True  # False: settable from Python and the JSON only


def _option(
    default: Any = MISSING,
    *,
    help: str,
    factory: Callable[[], Any] | None = None,
    flags: tuple[str, ...] = (),
    bound: Bound | None = None,
    refuse: str | None = None,
    path: bool = False,
    cli: bool = True,
) -> Any:
    """A dataclass field (``default``, or a fresh ``factory()`` each time) whose metadata is its ``OptionSpec``."""
    metadata = {"spec": OptionSpec(help, flags, bound, refuse, path, cli)}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def _one_of(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}"


_INTERVALS: dict[Bound, str] = {"positive": f"(0, {MAX_OPTION_VALUE:g}]", "non_negative": f"[0, {MAX_OPTION_VALUE:g}]"}


def _within(value: float, bound: Bound) -> bool:
    above_zero = value > 0 if bound == "positive" else value >= 0
    return math.isfinite(value) and above_zero and value <= MAX_OPTION_VALUE


@functools.cache
def _field_types() -> dict[str, Any]:
    return get_type_hints(TrainingOptions)


@dataclass(frozen=True)
class TrainingOptions:
    """Everything a run depends on; ``training_options.json`` is this dataclass as JSON.

    Built checked (``check`` runs on construction, so an instance is always valid): the loop trusts it. Field
    order is the order of ``skyasset-train train --help``.
    """

    data: str = _option(help="Archive from `skyasset-train prepare`.", path=True)
    outdir: str = _option(help="Parent folder of the numbered run directories.", path=True)
    config: str = _option("ccsn256-small", help="Network config: tiny | lean64 | lean128 | ccsn256-small | ccsn256.")
    cond: bool = _option(True, help="Train with or without labels.", flags=("--cond/--uncond",))
    batch: int = _option(32, help="Total batch over all processes.")
    kimg: float = _option(100.0, help="Total length in thousands of real images shown.", bound="positive")
    tick_kimg: float = _option(4.0, help="Progress interval.", bound="positive")
    snap_kimg: float = _option(20.0, help="Snapshot + metrics interval; 0 = end only.", bound="non_negative")
    snap_kind: SnapKind = _option("full", help="{choices} (fp16 G_ema + D).", refuse=_KIND_OR_PARTS)
    metrics: list[str] = _option(factory=lambda: ["fid"], help="Comma list (fid,kid,fid_per_class) or 'none'.")
    metrics_num_gen: int = _option(5000, help="Generated images per evaluation.")
    gamma: float | None = _option(None, help="R1 weight (default 0.0002 res^2 / batch).", bound="non_negative")
    lr: float = _option(0.0025, help="Adam learning rate (G, and D unless --d-lr).", bound="positive")
    d_lr: float | None = _option(None, help="Adam learning rate of D (default --lr).", bound="positive")
    disc: DiscKind = _option(
        "stylegan2",
        help="stylegan2: residual D with R1 and ADA; projected: patch discriminators on frozen Inception "
        "features (hinge loss, DiffAugment, no R1, no ADA); both: the two side by side, G answering to each.",
        refuse="disc {value!r}: use {one_of}",
    )
    projected_weight: float = _option(
        0.5,
        help="--disc both: the projected D's share of G's loss beside the residual D's (1).",
        bound="non_negative",
    )
    disc_features: Literal["inception", "random"] = _option(
        "inception",
        help="Projected D's feature weights: inception, or random (the control).",
        refuse="disc_features {value!r}: use {one_of}",
    )
    bf16: Bf16Mode = _option(
        "auto",
        help="bfloat16 autocast of the projected D on the CPU: auto (where AVX512-BF16) | on | off.",
        refuse="bf16 {value!r}: use {one_of}",
    )
    aug: AugmentMode = _option("ada", help="{choices}", refuse="aug {value!r} is not {one_of}")
    augment_p: float = _option(0.0, help="Initial / fixed augment probability.", bound="non_negative")
    ada_target: float = _option(0.6, help="ADA r_t target.", bound="non_negative")
    ada_kimg: float = _option(500.0, help="ADA speed: kimg for p to go 0 -> 1 (100 for short runs).", bound="positive")
    pl_weight: float = _option(2.0, help="Path-length regularisation weight; 0 = off.", bound="non_negative")
    g_reg_interval: int = _option(4, help="Lazy path-length interval (steps).")
    d_reg_interval: int = _option(16, help="Lazy R1 interval (steps).")
    style_mixing: float = _option(0.9, help="Style-mixing probability.", bound="non_negative")
    ema_kimg: float | None = _option(None, help="G_ema half-life in kimg (default batch * 10 / 32).", bound="positive")
    ema_rampup: float | None = _option(
        0.05, help="EMA ramp-up (fraction of images so far); None = off.", bound="non_negative", cli=False
    )
    resume: str | None = _option(None, help="Snapshot or run dir to continue.", path=True)
    transfer_from: str | None = _option(None, help="Snapshot or NVlabs .pkl to splice in.", path=True)
    transfer_parts: TransferParts = _option("G+D", help="{choices}", refuse=_KIND_OR_PARTS)
    seed: int = _option(0, help="Random seed.")
    max_size: int | None = _option(None, help="Use a random subset of N images.")
    max_minutes: float | None = _option(None, help="Stop with a snapshot after this time.", bound="positive")
    workers: int = _option(2, help="DataLoader workers.")
    noise: NoiseMode = _option(
        "random",
        help="random: StyleGAN2's per-pixel noise inputs; none: without them (strengths zeroed); low: only at 4-32 px.",
        refuse="noise {value!r}: use {one_of}",
    )
    channels_last: bool = _option(
        True,
        help="Memory format of G and D (channels-last is faster on CPU).",
        flags=("--channels-last/--contiguous",),
    )
    # not refused (as before): init_distributed runs any word but cuda and auto on the CPU
    device: DeviceChoice = _option("auto", help="{choices}")
    desc: str | None = _option(None, help="Run directory suffix.")

    def __post_init__(self) -> None:
        self.check()

    @classmethod
    def specs(cls) -> dict[str, OptionSpec]:
        """Each field's ``OptionSpec``, in field order."""
        return {f.name: f.metadata["spec"] for f in fields(cls)}

    @classmethod
    def field_types(cls) -> dict[str, Any]:
        """Each field's type, resolved (``Literal[...]``, ``float | None``, ...)."""
        return _field_types()

    @classmethod
    def choices(cls, name: str) -> tuple[str, ...]:
        """The values of a Literal-typed field (empty for any other field)."""
        annotation = _field_types()[name]
        return get_args(annotation) if get_origin(annotation) is Literal else ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def check(self) -> None:
        """Refuse options no run can use, each with the option's name; the one place options are checked."""
        self._check_counts_and_rates()
        self._check_choices()
        if self.resume and self.transfer_from:
            raise SkyassetError(
                "invalid_argument",
                "use either --resume (continue a run) or --transfer-from "
                "(start a new run from other weights), not both",
            )
        self._check_bounds()
        self._check_integers()
        self._check_metrics()
        if self.transfer_from and self.disc == "projected" and self.transfer_parts != "G":
            raise SkyassetError(
                "invalid_argument",
                "the projected discriminator trains from scratch on frozen features: transfer the "
                "generator only (--transfer-parts G)",
            )

    def _check_counts_and_rates(self) -> None:
        if self.batch < 1:
            raise SkyassetError("invalid_argument", f"batch must be >= 1, got {self.batch}")
        if self.batch > MAX_BATCH:
            raise SkyassetError("invalid_argument", f"--batch {self.batch} is over {MAX_BATCH}")
        if self.kimg <= 0 or self.tick_kimg <= 0:
            raise SkyassetError("invalid_argument", "kimg and tick_kimg must be > 0")
        if self.ada_kimg <= 0:
            raise SkyassetError("invalid_argument", f"ada_kimg must be > 0, got {self.ada_kimg}")
        if self.pl_weight < 0 or not 0 <= self.style_mixing <= 1:
            raise SkyassetError("invalid_argument", "pl_weight must be >= 0 and style_mixing in [0, 1]")
        if self.g_reg_interval < 1 or self.d_reg_interval < 1:
            raise SkyassetError("invalid_argument", "--g-reg-interval and --d-reg-interval must be >= 1")
        if not 0 <= self.augment_p <= 1:
            raise SkyassetError("invalid_argument", f"augment_p {self.augment_p} is not in [0, 1]")

    def _check_choices(self) -> None:
        for name, spec in self.specs().items():
            value, choices = getattr(self, name), self.choices(name)
            if spec.refuse is not None and value not in choices:
                raise SkyassetError("invalid_argument", spec.refuse.format(value=value, one_of=_one_of(choices)))

    def _check_bounds(self) -> None:
        """Every number finite and in its range: NaN passes every ``<`` test and would reach the loop."""
        specs = self.specs()
        for bound, interval in _INTERVALS.items():
            for name in (name for name, spec in specs.items() if spec.bound == bound):
                value = getattr(self, name)
                if value is not None and not _within(value, bound):
                    raise SkyassetError(
                        "invalid_argument", f"--{name.replace('_', '-')} {value} is not a number in {interval}"
                    )

    def _check_integers(self) -> None:
        if not 0 <= self.seed <= MAX_SEED:
            raise SkyassetError("invalid_argument", f"--seed {self.seed} is not in 0..{MAX_SEED}")
        if not 0 <= self.workers <= MAX_WORKERS:
            raise SkyassetError("invalid_argument", f"--workers {self.workers} is not in 0..{MAX_WORKERS}")
        if self.max_size is not None and self.max_size < 1:
            raise SkyassetError("invalid_argument", f"--max-size {self.max_size} keeps no image; give at least 1")

    def _check_metrics(self) -> None:
        if not self.metrics:
            return
        if self.metrics_num_gen < 2:
            raise SkyassetError(
                "invalid_argument", f"--metrics-num-gen {self.metrics_num_gen}: metrics need at least 2 images"
            )
        from training.metrics import METRICS  # imports torch: only for a run that evaluates metrics

        unknown = [m for m in self.metrics if m not in METRICS]
        if unknown:
            raise SkyassetError("invalid_argument", f"unknown metric(s) {unknown}; choose from {sorted(METRICS)}")
        labelled = [m for m in self.metrics if m in LABELLED_METRICS]
        if labelled and not self.cond:
            raise SkyassetError(
                "invalid_argument",
                f"{', '.join(labelled)} need(s) class labels; drop them from --metrics for an --uncond run",
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
