"""Image sources for metrics: a PyTorch generator (snapshot) or an exported bundle (ONNX Runtime)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import torch

if TYPE_CHECKING:
    from training.networks import Generator

__all__ = ["ImageSource", "TorchSource", "BundleSource"]


class ImageSource(Protocol):
    """Anything that makes uint8 RGB images ``[N, 3, R, R]`` for given seeds and class indices."""

    c_dim: int

    def generate(self, seeds: np.ndarray, classes: np.ndarray) -> np.ndarray: ...


class TorchSource:
    """Images from a ``Generator`` (usually ``G_ema``): constant noise (like the bundle), no truncation."""

    def __init__(self, G: Generator, device: str | torch.device = "cpu", batch: int = 16) -> None:
        self.G = G.eval().to(device)
        self.device = torch.device(device)
        self.batch = batch
        self.c_dim = int(G.c_dim)

    @torch.no_grad()
    def generate(self, seeds: np.ndarray, classes: np.ndarray) -> np.ndarray:
        out = []
        for i in range(0, len(seeds), self.batch):
            s = seeds[i : i + self.batch]
            z = torch.from_numpy(
                np.stack([np.random.default_rng(int(x)).standard_normal(self.G.z_dim) for x in s]).astype(np.float32)
            ).to(self.device)
            c = torch.zeros([len(s), self.c_dim], device=self.device)
            if self.c_dim:
                c[torch.arange(len(s)), torch.from_numpy(classes[i : i + self.batch]).to(self.device)] = 1
            img = self.G(z, c, noise_mode="const")
            out.append((img * 127.5 + 128).clamp(0, 255).to(torch.uint8).cpu().numpy())
        return np.concatenate(out, 0)


class BundleSource:
    """Images from an exported model bundle through the skyasset runtime (what users actually get)."""

    def __init__(self, bundle: Path, batch: int = 8) -> None:
        from skyasset.generator import SkyGenerator

        self.gen = SkyGenerator(bundle)
        self.batch = batch
        self.c_dim = int(self.gen.bundle.c_dim)

    def generate(self, seeds: np.ndarray, classes: np.ndarray) -> np.ndarray:
        from skyasset.seeds import z_from_seed

        out = []
        for cls in np.unique(classes):
            idx = np.nonzero(classes == cls)[0]
            z = np.stack([z_from_seed(int(seeds[i]), self.gen.bundle.z_dim) for i in idx])
            w = self.gen.map(z, int(cls) if self.c_dim else None)
            img = self.gen.synthesize(w, batch_size=self.batch)
            out.append((idx, (img * 255 + 0.5).astype(np.uint8).transpose(0, 3, 1, 2)))
        result = np.zeros((len(seeds), 3, self.gen.resolution, self.gen.resolution), np.uint8)
        for idx, imgs in out:
            result[idx] = imgs
        return result
