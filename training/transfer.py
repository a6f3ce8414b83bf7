"""Transfer: splice weights from another model into a fresh one by name and shape, with a report.

The baseline's recipe: train an unconditional model, then start the conditional one from it by copying every
tensor whose name and shape match (in G and D, G only, or D only); the class embedding and the layers whose
shapes change (``mapping.fc0`` of G takes ``[z, embed(c)]``, ``b4.out`` of D outputs ``cmap_dim``) keep their
fresh initialisation. Sources: a skyasset snapshot or an NVlabs pickle (read by the restricted loader).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch

from skyasset.errors import SkyassetError

__all__ = ["TransferParts", "NetworkTransfer", "TransferReport", "splice_state", "load_source_states", "transfer_into"]

TransferParts = Literal["G+D", "G", "D"]


@dataclass
class NetworkTransfer:
    """Per network: tensors copied, skipped for a shape mismatch, left fresh (absent in the source), unused."""

    copied: list[str] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "copied": len(self.copied),
            "skipped": len(self.skipped),
            "fresh": len(self.fresh),
            "unused": len(self.unused),
        }


@dataclass
class TransferReport:
    source: str
    parts: str
    networks: dict[str, NetworkTransfer] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "parts": self.parts,
            "counts": {k: v.counts() for k, v in self.networks.items()},
            "networks": {
                k: {"copied": v.copied, "skipped": v.skipped, "fresh": v.fresh, "unused": v.unused}
                for k, v in self.networks.items()
            },
        }

    def summary(self) -> str:
        lines = [f"transfer from {self.source} ({self.parts}):"]
        for name, net in self.networks.items():
            c = net.counts()
            lines.append(
                f"  {name:6s} copied {c['copied']:4d}  skipped (shape) {c['skipped']:3d}  "
                f"fresh {c['fresh']:3d}  unused in source {c['unused']:3d}"
            )
            for s in net.skipped:
                lines.append(f"    skipped {s['name']}: source {s['source_shape']} -> target {s['target_shape']}")
        return "\n".join(lines)

    def write(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")


def splice_state(target: torch.nn.Module, source: dict[str, torch.Tensor]) -> NetworkTransfer:
    """Copy into ``target`` every tensor of ``source`` with the same name and shape (cast to target dtype)."""
    report = NetworkTransfer()
    own = target.state_dict()
    with torch.no_grad():
        for name, tensor in own.items():
            if name not in source:
                report.fresh.append(name)
            elif tuple(source[name].shape) != tuple(tensor.shape):
                report.skipped.append(
                    {"name": name, "source_shape": list(source[name].shape), "target_shape": list(tensor.shape)}
                )
            else:
                tensor.copy_(source[name].to(device=tensor.device, dtype=tensor.dtype))
                report.copied.append(name)
    report.unused = sorted(set(source) - set(own))
    return report


def load_source_states(path: Path) -> dict[str, dict[str, torch.Tensor]]:
    """``{"G": ..., "G_ema": ..., "D": ...}`` state dicts from a snapshot or an NVlabs ``.pkl``."""
    path = Path(path)
    if path.suffix == ".pkl":
        from training.nvlabs_pickle import load_nvlabs_pickle

        nets = load_nvlabs_pickle(path).networks
        states = {k: v.state_dict for k, v in nets.items() if k in ("G", "G_ema", "D")}
    else:
        from training.snapshot import load_snapshot

        snap = load_snapshot(path)
        states = {"G_ema": snap.G_ema, "D": snap.D}
        if snap.G is not None:
            states["G"] = snap.G
    if "G" not in states and "G_ema" in states:
        states["G"] = states["G_ema"]
    if "G_ema" not in states and "G" in states:
        states["G_ema"] = states["G"]
    return states


def transfer_into(
    source: Path,
    *,
    G: torch.nn.Module,
    D: torch.nn.Module,
    G_ema: torch.nn.Module | None = None,
    parts: TransferParts = "G+D",
) -> TransferReport:
    """Splice ``source`` into the fresh networks ``G``, ``D`` (and ``G_ema``) and report what happened.

    Parameters
    ----------
    source
        A skyasset snapshot or an NVlabs pickle. ``G`` comes from the source's ``G`` (or its ``G_ema`` when it
        has no ``G``), ``G_ema`` from its ``G_ema``, ``D`` from its ``D``.
    parts
        ``"G+D"``, ``"G"`` (D stays fresh) or ``"D"`` (G stays fresh).
    """
    if parts not in ("G+D", "G", "D"):
        raise SkyassetError("invalid_argument", f"transfer parts {parts!r} is not one of G+D, G, D")
    states = load_source_states(source)
    report = TransferReport(source=str(source), parts=parts)
    if parts in ("G+D", "G"):
        if "G" not in states:
            raise SkyassetError("snapshot_invalid", f"{source} has no generator to transfer")
        report.networks["G"] = splice_state(G, states["G"])
        if G_ema is not None:
            report.networks["G_ema"] = splice_state(G_ema, states["G_ema"])
    if parts in ("G+D", "D"):
        if "D" not in states:
            raise SkyassetError("snapshot_invalid", f"{source} has no discriminator to transfer")
        report.networks["D"] = splice_state(_d_target(D, states["D"]), states["D"])
    return report


def _d_target(D: torch.nn.Module, source: dict[str, torch.Tensor]) -> torch.nn.Module:
    """Where a source D goes: a single StyleGAN2 D into a pair's residual D (``--disc both`` from a plain run)."""
    from training.networks.dual import DualDiscriminator

    if isinstance(D, DualDiscriminator) and not any(name.startswith(("residual.", "projected.")) for name in source):
        return D.residual
    return D
