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
    """Images from a ``Generator`` (usually ``G_ema``): constant noise (like the bundle).

    ``psi`` other than 1 truncates each ``w`` toward its class's mean ``w``, computed as export computes a bundle's
    (:func:`training.truncation.class_mean_w`; ``mean_samples`` and ``mean_seed`` as export's defaults), so the
    images are the ones the exported bundle makes at that psi.
    """

    def __init__(
        self,
        G: Generator,
        device: str | torch.device = "cpu",
        batch: int = 16,
        psi: float = 1.0,
        mean_samples: int | None = None,
        mean_seed: int = 0,
    ) -> None:
        from skyasset.settings import check_psi

        check_psi(psi)
        self.G = G.eval().to(device)
        self.device = torch.device(device)
        self.batch = batch
        self.c_dim = int(G.c_dim)
        self.psi = psi
        self._centres: torch.Tensor | None = None
        if psi != 1.0:
            from training.truncation import EXPORT_MEAN_SAMPLES, class_mean_w

            class_means, mean = class_mean_w(self.G, mean_samples or EXPORT_MEAN_SAMPLES, seed=mean_seed)
            self._centres = torch.from_numpy(class_means if self.c_dim else mean[None]).to(self.device)

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
            if self._centres is None:
                img = self.G(z, c, noise_mode="const")
            else:
                img = self.G.synthesis(self._truncated_ws(z, c, classes[i : i + self.batch]), noise_mode="const")
            out.append((img * 127.5 + 128).clamp(0, 255).to(torch.uint8).cpu().numpy())
        return np.concatenate(out, 0)

    def _truncated_ws(self, z: torch.Tensor, c: torch.Tensor, classes: np.ndarray) -> torch.Tensor:
        from training.truncation import truncate

        assert self._centres is not None
        rows = torch.from_numpy(np.asarray(classes, np.int64) if self.c_dim else np.zeros(len(z), np.int64))
        w = truncate(self.G.mapping.map_w(z, c if self.c_dim else None), self._centres[rows.to(self.device)], self.psi)
        return w.unsqueeze(1).repeat(1, self.G.num_ws, 1)


class BundleSource:
    """Images from an exported model bundle through the skyasset runtime (what users actually get), truncated by
    ``psi`` toward each class's mean ``w`` as ``skyasset generate --psi`` does."""

    def __init__(self, bundle: Path, batch: int = 8, psi: float = 1.0) -> None:
        from skyasset.generator import SkyGenerator
        from skyasset.settings import check_psi

        check_psi(psi)
        self.gen = SkyGenerator(bundle)
        self.batch = batch
        self.c_dim = int(self.gen.bundle.c_dim)
        self.psi = psi

    def generate(self, seeds: np.ndarray, classes: np.ndarray) -> np.ndarray:
        from skyasset.seeds import z_from_seed

        out = []
        for cls in np.unique(classes):
            idx = np.nonzero(classes == cls)[0]
            z = np.stack([z_from_seed(int(seeds[i]), self.gen.bundle.z_dim) for i in idx])
            if self.psi == 1.0:  # as before truncation was offered: the numbers already logged stay reproducible
                w = self.gen.map(z, int(cls) if self.c_dim else None)
            else:
                w = self.gen.style(z, self.gen.classes[int(cls)].code if self.c_dim else None, psi=self.psi)
            img = self.gen.synthesize(w, batch_size=self.batch)
            out.append((idx, (img * 255 + 0.5).astype(np.uint8).transpose(0, 3, 1, 2)))
        result = np.zeros((len(seeds), 3, self.gen.resolution, self.gen.resolution), np.uint8)
        for idx, imgs in out:
            result[idx] = imgs
        return result
