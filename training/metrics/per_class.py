"""Per-class FID: each class's generated images against the same class's real images."""

from __future__ import annotations

from typing import TYPE_CHECKING

from training.metrics.fid import fid_from_features

if TYPE_CHECKING:
    from training.metrics import MetricContext

__all__ = ["fid_per_class"]


def fid_per_class(ctx: MetricContext) -> dict[str, float]:
    """``fid/<code>`` per class (needs a conditional source); the generated images: see ``class_features``."""
    if not ctx.source.c_dim or not ctx.archive.c_dim:
        return {}
    real = ctx.real_features()
    labels = ctx.archive.labels
    out: dict[str, float] = {}
    for k, cls in enumerate(ctx.archive.classes):
        gen = ctx.class_features(k)
        out[f"fid/{cls['code']}"] = fid_from_features(real[labels == k], gen)
    return out
