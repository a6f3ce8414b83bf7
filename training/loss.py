"""StyleGAN2 losses: non-saturating logistic, lazy R1 on reals, lazy path-length regularisation.

Each phase does its own forward and one backward through the network it trains, so the networks can be wrapped
in ``DistributedDataParallel`` (the other network is called through its plain module, frozen).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from training.augment import AdaController, AugmentPipe
from training.networks.generator import Generator
from training.networks.modconv import NoiseMode

__all__ = ["Phase", "GeneratorStep", "StyleGAN2Loss", "style_mixing_latents"]

Phase = Literal["Gmain", "Greg", "Dmain", "Dreg"]


class GeneratorStep(torch.nn.Module):
    """``G`` as one module whose forward returns ``(img, ws)`` with optional style mixing (for DDP).

    ``noise_mode`` 'none' trains without the per-pixel noise inputs (their strengths get no gradient).
    """

    def __init__(self, G: Generator, noise_mode: NoiseMode = "random") -> None:
        super().__init__()
        self.G = G
        self.noise_mode = noise_mode

    def forward(
        self, z: torch.Tensor, c: torch.Tensor, mix_z: torch.Tensor | None = None, mix_cutoff: int = 0
    ) -> tuple[torch.Tensor, torch.Tensor]:
        ws = self.G.mapping(z, c)
        if mix_z is not None and 0 < mix_cutoff < ws.shape[1]:
            ws2 = self.G.mapping(mix_z, c, skip_w_avg_update=True)
            ws = torch.cat([ws[:, :mix_cutoff], ws2[:, mix_cutoff:]], dim=1)
        return self.G.synthesis(ws, noise_mode=self.noise_mode), ws


def style_mixing_latents(z: torch.Tensor, G_step: GeneratorStep, prob: float) -> tuple[torch.Tensor | None, int]:
    """With probability ``prob``, a second latent and the layer from which it takes over; else ``(None, 0)``."""
    if prob > 0 and np.random.rand() < prob:
        return torch.randn_like(z), int(np.random.randint(1, G_step.G.num_ws))
    return None, 0


class StyleGAN2Loss:
    """Computes one phase's loss and backpropagates it (gradients end up in the networks' ``.grad``).

    Parameters
    ----------
    G_step, D
        The trained networks, possibly DDP-wrapped (``G_step`` wraps ``GeneratorStep``).
    G_plain, D_plain
        The same networks unwrapped (used frozen by the other player's phases).
    augment_pipe
        Applied to every image D sees (fakes and reals); None = no augmentation.
    ada
        Collects ``sign(D(real))`` for the ADA heuristic; None = fixed ``p``.
    """

    def __init__(
        self,
        G_step: torch.nn.Module,
        D: torch.nn.Module,
        G_plain: GeneratorStep,
        D_plain: torch.nn.Module,
        augment_pipe: AugmentPipe | None = None,
        ada: AdaController | None = None,
        r1_gamma: float = 10.0,  # R1 weight; 0 = off.
        style_mixing_prob: float = 0.9,  # Probability of mixing two latents at a random layer.
        pl_weight: float = 2.0,  # Path-length regularisation weight; 0 = off.
        pl_batch_shrink: int = 2,  # Path-length batch = batch // this.
        pl_decay: float = 0.01,  # Decay of the running mean path length.
    ) -> None:
        self.G_step, self.D, self.G_plain, self.D_plain = G_step, D, G_plain, D_plain
        self.augment_pipe = augment_pipe
        self.ada = ada
        self.r1_gamma = r1_gamma
        self.style_mixing_prob = style_mixing_prob
        self.pl_weight = pl_weight
        self.pl_batch_shrink = pl_batch_shrink
        self.pl_decay = pl_decay
        self.pl_mean = torch.zeros([])

    def _mix(self, z: torch.Tensor) -> tuple[torch.Tensor | None, int]:
        return style_mixing_latents(z, self.G_plain, self.style_mixing_prob)

    def _run_D(self, D: torch.nn.Module, img: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        if self.augment_pipe is not None:
            img = self.augment_pipe(img)
        return D(img, c)

    def accumulate(
        self,
        phase: Phase,
        real_img: torch.Tensor,
        real_c: torch.Tensor,
        gen_z: torch.Tensor,
        gen_c: torch.Tensor,
        gain: float = 1.0,
    ) -> dict[str, float]:
        """Run ``phase`` and backpropagate ``gain`` times its loss; returns the loss values for logging."""
        stats: dict[str, float] = {}
        if phase == "Gmain":
            mix_z, cutoff = self._mix(gen_z)
            img, _ = self.G_step(gen_z, gen_c, mix_z, cutoff)
            logits = self._run_D(self.D_plain, img, gen_c)
            loss = F.softplus(-logits)
            loss.mean().mul(gain).backward()
            stats["loss/G"] = float(loss.detach().mean())
        elif phase == "Greg" and self.pl_weight > 0:
            n = max(gen_z.shape[0] // self.pl_batch_shrink, 1)
            mix_z, cutoff = self._mix(gen_z[:n])
            img, ws = self.G_step(gen_z[:n], gen_c[:n], mix_z, cutoff)
            noise = torch.randn_like(img) / np.sqrt(img.shape[2] * img.shape[3])
            (grads,) = torch.autograd.grad((img * noise).sum(), ws, create_graph=True)
            lengths = grads.square().sum(2).mean(1).sqrt()
            self.pl_mean = self.pl_mean.to(lengths.device)
            pl_mean = self.pl_mean.lerp(lengths.mean().detach(), self.pl_decay)
            self.pl_mean.copy_(pl_mean)
            penalty = (lengths - pl_mean).square()
            (img[:, 0, 0, 0] * 0 + penalty * self.pl_weight).mean().mul(gain).backward()
            stats["loss/pl"] = float(penalty.detach().mean())
        elif phase == "Dmain":
            with torch.no_grad():
                mix_z, cutoff = self._mix(gen_z)
                fake, _ = self.G_plain(gen_z, gen_c, mix_z, cutoff)
            no_sync = getattr(self.D, "no_sync", nullcontext)
            with no_sync():  # gradients of the fake half are summed locally, synced with the real half
                gen_logits = self._run_D(self.D, fake, gen_c)
                F.softplus(gen_logits).mean().mul(gain).backward()
            real_logits = self._run_D(self.D, real_img.detach(), real_c)
            if self.ada is not None:
                self.ada.accumulate(real_logits)
            loss_real = F.softplus(-real_logits)
            loss_real.mean().mul(gain).backward()
            stats["loss/D"] = float(F.softplus(gen_logits.detach()).mean() + loss_real.detach().mean())
            stats["scores/real"] = float(real_logits.detach().mean())
            stats["scores/fake"] = float(gen_logits.detach().mean())
        elif phase == "Dreg" and self.r1_gamma > 0:
            real = real_img.detach().requires_grad_(True)
            logits = self._run_D(self.D, real, real_c)
            (grads,) = torch.autograd.grad(logits.sum(), real, create_graph=True)
            penalty = grads.square().sum([1, 2, 3])
            (logits * 0 + penalty[:, None] * (self.r1_gamma / 2)).mean().mul(gain).backward()
            stats["loss/r1"] = float(penalty.detach().mean())
        return stats
