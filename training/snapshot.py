"""Training snapshots: tensors plus JSON, loaded with ``torch.load(weights_only=True)``; never pickled code.

A snapshot is one ``torch.save`` file holding a dict of plain types only::

    {"format": "skyasset-train-snapshot", "version": 1, "kind": "full" | "compact",
     "meta": "<JSON string>",              # kimg, augment_p, pl_mean, G/D constructor kwargs, classes, options
     "G_ema": {name: tensor}, "D": {name: tensor},
     "G": {name: tensor},                  # full only
     "opt_G": {...}, "opt_D": {...}}        # full only: Adam state dicts (tensors and numbers)

``full`` keeps everything in fp32 to continue exactly. ``compact`` keeps ``G_ema`` and ``D`` in fp16 (the
generator resumes from ``G_ema``, optimizers restart): the ``ccsn256-small`` pair is under 64 MB, small enough
to carry between GPU sittings. ``load_snapshot`` is the one loader; it migrates older versions when they exist.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import torch

from skyasset.atomic import umask_mode
from skyasset.errors import SkyassetError

if TYPE_CHECKING:
    from training.networks import Generator

__all__ = ["SNAPSHOT_VERSION", "SnapshotKind", "Snapshot", "save_snapshot", "load_snapshot", "build_networks"]

SNAPSHOT_FORMAT = "skyasset-train-snapshot"
SNAPSHOT_VERSION = 1
SnapshotKind = Literal["full", "compact"]
ModuleT = TypeVar("ModuleT", bound=torch.nn.Module)


@dataclass
class Snapshot:
    """What a snapshot file holds. ``G`` and the optimizer states are None in a compact snapshot."""

    meta: dict[str, Any]
    G_ema: dict[str, torch.Tensor]
    D: dict[str, torch.Tensor]
    G: dict[str, torch.Tensor] | None = None
    opt_G: dict[str, Any] | None = None
    opt_D: dict[str, Any] | None = None
    kind: SnapshotKind = "full"
    path: Path | None = field(default=None)

    @property
    def kimg(self) -> float:
        return float(self.meta.get("kimg", 0.0))


def _state(module: torch.nn.Module, dtype: torch.dtype | None) -> dict[str, torch.Tensor]:
    out = {}
    for name, t in module.state_dict().items():
        t = t.detach().to("cpu")
        if dtype is not None and t.is_floating_point():
            t = t.to(dtype)
        out[name] = t.clone()
    return out


def save_snapshot(
    path: Path,
    *,
    G_ema: torch.nn.Module,
    D: torch.nn.Module,
    meta: dict[str, Any],
    kind: SnapshotKind = "full",
    G: torch.nn.Module | None = None,
    opt_G: torch.optim.Optimizer | None = None,
    opt_D: torch.optim.Optimizer | None = None,
) -> Path:
    """Write a snapshot atomically (temporary name, then rename).

    ``meta`` must be JSON-serialisable and should hold ``G_kwargs``, ``D_kwargs`` and ``kimg``.
    """
    if kind not in ("full", "compact"):
        raise SkyassetError("invalid_argument", f"snapshot kind {kind!r} is not 'full' or 'compact'")
    for key in ("G_kwargs", "D_kwargs"):
        if key not in meta:
            raise SkyassetError("invalid_argument", f"snapshot meta needs {key!r}")
    data: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "kind": kind,
        "meta": json.dumps(meta),
    }
    half = torch.float16 if kind == "compact" else None
    data["G_ema"] = _state(G_ema, half)
    data["D"] = _state(D, half)
    if kind == "full":
        if G is None:
            raise SkyassetError("invalid_argument", "a full snapshot needs G")
        data["G"] = _state(G, None)
        if opt_G is not None:
            data["opt_G"] = opt_G.state_dict()
        if opt_D is not None:
            data["opt_D"] = opt_D.state_dict()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".skyasset-tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        torch.save(data, tmp)
        os.chmod(tmp, umask_mode())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _migrate(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Bring an older snapshot dict to the current version (only version 1 exists so far)."""
    version = data.get("version")
    if version == SNAPSHOT_VERSION:
        return data
    raise SkyassetError(
        "snapshot_invalid",
        f"{path} is snapshot version {version}; this skyasset reads "
        f"version {SNAPSHOT_VERSION}. Upgrade skyasset or re-export the snapshot.",
    )


def load_snapshot(path: Path) -> Snapshot:
    """Read a snapshot with ``weights_only=True`` (no code runs) and check its structure."""
    path = Path(path)
    if not path.is_file():
        raise SkyassetError("input_not_found", f"snapshot {path} does not exist")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - corrupt file, pickled code, anything: refuse with one message
        raise SkyassetError(
            "snapshot_invalid",
            f"{path} is not a readable skyasset snapshot ({exc}); NVlabs "
            "pickles go through `skyasset-train import-nvlabs`",
        ) from exc
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise SkyassetError("snapshot_invalid", f"{path} is not a skyasset training snapshot")
    data = _migrate(data, path)
    try:
        meta = json.loads(data["meta"])
        snap = Snapshot(
            meta=meta,
            G_ema=data["G_ema"],
            D=data["D"],
            G=data.get("G"),
            opt_G=data.get("opt_G"),
            opt_D=data.get("opt_D"),
            kind=data["kind"],
            path=path,
        )
        meta["G_kwargs"], meta["D_kwargs"]  # noqa: B018 - presence check
    except RecursionError:
        raise SkyassetError("snapshot_invalid", f"{path}: its meta nests too deeply to be a snapshot's") from None
    except (KeyError, TypeError, ValueError) as exc:  # ValueError: JSONDecodeError, ints past the digit limit
        raise SkyassetError("snapshot_invalid", f"{path} misses snapshot field {exc}") from None
    _check_snapshot(snap, path)
    return snap


def _shown(value: object) -> str:
    # a container from the file could nest deep enough to exhaust repr's recursion
    return repr(value)[:40] if isinstance(value, (str, int, float)) or value is None else type(value).__name__


def _check_snapshot(snap: Snapshot, path: Path) -> None:
    """Refuse a snapshot whose fields are not what ``save_snapshot`` writes, before anything uses them."""
    if snap.kind not in ("full", "compact"):
        raise SkyassetError("snapshot_invalid", f"{path}: kind {_shown(snap.kind)} is not full or compact")
    meta = snap.meta
    if not isinstance(meta, dict) or not isinstance(meta["G_kwargs"], dict) or not isinstance(meta["D_kwargs"], dict):
        raise SkyassetError("snapshot_invalid", f"{path}: its meta and G/D kwargs are not JSON objects")
    kimg = meta.get("kimg", 0.0)
    if isinstance(kimg, bool) or not isinstance(kimg, (int, float)) or not 0 <= kimg <= MAX_KIMG:
        raise SkyassetError("snapshot_invalid", f"{path}: kimg {_shown(kimg)} is not a number in 0..{MAX_KIMG:g}")
    classes = meta.get("classes")
    if classes is not None:
        from training.dataset import check_class_code

        if not isinstance(classes, list):
            raise SkyassetError("snapshot_invalid", f"{path}: classes is not a list")
        for i, entry in enumerate(classes):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise SkyassetError(
                    "snapshot_invalid", f"{path}: classes[{i}] is not a {{code, name, description}} object"
                )
            try:
                check_class_code(entry.get("code"), f"{path} classes[{i}]")
            except SkyassetError as exc:
                raise SkyassetError("snapshot_invalid", exc.message) from None
    for what in ("G_ema", "D", "G"):
        state = getattr(snap, what)
        if state is None and what == "G":
            continue
        if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
        ):
            raise SkyassetError("snapshot_invalid", f"{path}: {what} is not a mapping of names to tensors")
    for what in ("opt_G", "opt_D"):
        if getattr(snap, what) is not None and not isinstance(getattr(snap, what), dict):
            raise SkyassetError("snapshot_invalid", f"{path}: {what} is not an optimizer state")


def _load_into(module: torch.nn.Module, state: dict[str, torch.Tensor], what: str, path: Path | None) -> None:
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    # a float weight stored as an integer (or complex, bool) tensor is not one this network wrote
    bad = sorted(
        k
        for k in own.keys() & state.keys()
        if own[k].shape != state[k].shape
        or own[k].is_floating_point() != state[k].is_floating_point()
        or state[k].is_complex()
    )
    if missing or unexpected or bad:
        raise SkyassetError(
            "snapshot_invalid",
            f"{path}: {what} does not match its kwargs (missing {missing[:3]}, "
            f"unexpected {unexpected[:3]}, shape or type mismatch {bad[:3]})",
        )
    with torch.no_grad():
        for name, tensor in own.items():
            tensor.copy_(state[name].to(tensor.dtype))


MAX_KIMG = 1e9  # a billion thousand images: far above any run; NaN and infinity fail the range check too
MAX_KWARG_INT = 1 << 17  # above any real channel count or dimension; guards against kwargs built to exhaust memory
MAX_RESOLUTION = 4096


def _check_kwargs(value: Any, where: str, source: Path | str | None) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _check_kwargs(item, f"{where}.{key}", source)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_kwargs(item, f"{where}[{i}]", source)
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_KWARG_INT:
            raise SkyassetError("snapshot_invalid", f"{source}: {where} = {value} is not a plausible network size")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise SkyassetError("snapshot_invalid", f"{source}: {where} = {value} is not finite")
    else:
        raise SkyassetError("snapshot_invalid", f"{source}: {where} has a {type(value).__name__}, not a plain value")


def construct(cls: type[ModuleT], kwargs: Any, source: Path | str | None) -> ModuleT:
    """``cls(**kwargs)`` for kwargs read from a file: checked to be plain, plausible values first, and any
    failure to build reported as ``snapshot_invalid`` rather than a traceback."""
    if not isinstance(kwargs, dict):
        raise SkyassetError("snapshot_invalid", f"{source}: the {cls.__name__} kwargs are not a mapping")
    _check_kwargs(kwargs, cls.__name__, source)
    resolution = kwargs.get("img_resolution")
    power_of_two = isinstance(resolution, int) and not resolution & (resolution - 1)
    if not (isinstance(resolution, int) and 4 <= resolution <= MAX_RESOLUTION and power_of_two):
        raise SkyassetError(
            "snapshot_invalid",
            f"{source}: {cls.__name__} img_resolution {resolution!r} is not a power of two in 4..{MAX_RESOLUTION}",
        )
    try:
        return cls(**kwargs)
    except (TypeError, ValueError, KeyError, AssertionError, RuntimeError, MemoryError, OverflowError) as exc:
        raise SkyassetError(
            "snapshot_invalid",
            f"{source}: its {cls.__name__} kwargs do not build a network "
            f"({type(exc).__name__}: {exc}); re-create the snapshot",
        ) from None


def build_networks(snap: Snapshot, device: torch.device | str = "cpu") -> tuple[Generator, torch.nn.Module, Generator]:
    """Construct ``(G, D, G_ema)`` from the snapshot's kwargs and load its tensors (fp32).

    In a compact snapshot ``G`` starts as a copy of ``G_ema``.
    """
    from training.networks import Generator, discriminator_class

    G_ema = construct(Generator, snap.meta["G_kwargs"], snap.path)
    D = construct(discriminator_class(snap.meta["D_kwargs"]), snap.meta["D_kwargs"], snap.path)
    G = construct(Generator, snap.meta["G_kwargs"], snap.path)
    _load_into(G_ema, snap.G_ema, "G_ema", snap.path)
    _load_into(D, snap.D, "D", snap.path)
    _load_into(G, snap.G if snap.G is not None else snap.G_ema, "G", snap.path)
    return G.to(device), D.to(device), G_ema.eval().requires_grad_(False).to(device)
