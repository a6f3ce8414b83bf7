"""Truncation as the runtime applies it: ``w`` pulled toward its class's mean ``w`` by ``psi``.

The bundle stores the per-class mean ``w`` (:func:`class_mean_w`, computed at export) and
``skyasset.generator.SkyGenerator.style`` truncates toward it; the metrics (``skyasset-train metrics --psi``) use the
same two functions, so a snapshot measured at ``psi`` is measured as users of its bundle see it.
"""

from __future__ import annotations

import numpy as np
import torch

from training.networks import Generator

__all__ = ["EXPORT_MEAN_SAMPLES", "class_mean_w", "truncate"]

EXPORT_MEAN_SAMPLES = 4096  # random z per class behind a bundle's class_w_avg (export's default)


def class_mean_w(G: Generator, num_samples: int, seed: int, batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Mean w per class ``[c_dim, w_dim]`` and overall ``[w_dim]`` over ``num_samples`` random z per class."""
    gen = torch.Generator().manual_seed(seed)
    num_classes = max(G.c_dim, 1)
    sums = torch.zeros([num_classes, G.w_dim], dtype=torch.float64)
    device = next(G.mapping.parameters()).device
    with torch.no_grad():
        for cls in range(num_classes):
            done = 0
            while done < num_samples:
                n = min(batch_size, num_samples - done)
                z = torch.randn([n, G.z_dim], generator=gen).to(device)
                c = None
                if G.c_dim > 0:
                    c = torch.zeros([n, G.c_dim], device=device)
                    c[:, cls] = 1
                sums[cls] += G.mapping.map_w(z, c).double().sum(dim=0).cpu()
                done += n
    means = sums / num_samples
    class_means = means.float().numpy() if G.c_dim > 0 else np.zeros([0, G.w_dim], np.float32)
    return class_means, means.mean(dim=0).float().numpy()


def truncate(w: torch.Tensor, centre: torch.Tensor, psi: float) -> torch.Tensor:
    """``centre + psi (w - centre)``, the runtime's formula: 1 leaves ``w`` alone, 0 gives the centre."""
    return centre + psi * (w - centre)
