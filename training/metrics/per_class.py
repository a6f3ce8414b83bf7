"""Per-class FID: each class's generated images against the same class's real images."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from training.metrics.fid import fid_from_features

if TYPE_CHECKING:
    from training.metrics import MetricContext

__all__ = ["fid_per_class"]


def fid_per_class(ctx: MetricContext) -> dict[str, float]:
    """``fid/<code>`` per class with ``num_gen // c_dim`` generated images each (needs a conditional source)."""
    if not ctx.source.c_dim or not ctx.archive.c_dim:
        return {}
    real = ctx.real_features()
    labels = ctx.archive.labels
    per = max(ctx.num_gen // ctx.archive.c_dim, 2)
    out: dict[str, float] = {}
    for k, cls in enumerate(ctx.archive.classes):
        gen = ctx.generated_features(np.full(per, k, np.int64))
        out[f"fid/{cls['code']}"] = fid_from_features(real[labels == k], gen)
    return out
