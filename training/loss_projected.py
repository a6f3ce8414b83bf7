"""Hinge loss against the projected discriminator (``--disc projected``), with DiffAugment and no R1.

Same interface as ``StyleGAN2Loss.accumulate``: one phase, one forward and one backward through the network it
trains. Only ``Gmain`` and ``Dmain`` exist: the frozen feature network and the spectrally normalised heads
keep D smooth without R1, so there is no double backward (which also leaves ``torch.compile`` possible).

Each scale's patch logits are averaged, then the scales are summed, so every scale weighs the same whatever
its number of patches. ``bf16`` runs the discriminator (feature network and heads) under CPU autocast in
bfloat16; the generator stays in fp32.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import torch
import torch.nn.functional as F

from training.diffaugment import diff_augment
from training.loss import GeneratorStep, Phase, style_mixing_latents

__all__ = ["ProjectedLoss"]


class ProjectedLoss:
    def __init__(
        self,
        G_step: torch.nn.Module,
        D: torch.nn.Module,
        G_plain: GeneratorStep,
        D_plain: torch.nn.Module,
        style_mixing_prob: float = 0.9,
        bf16: bool = False,
    ) -> None:
        self.G_step, self.D, self.G_plain, self.D_plain = G_step, D, G_plain, D_plain
        self.style_mixing_prob = style_mixing_prob
        self.bf16 = bf16
        self.pl_mean = torch.zeros([])  # kept for the snapshot meta; no path-length regularisation here

    def _autocast(self, device: torch.device) -> AbstractContextManager[object]:
        if not self.bf16:
            return nullcontext()
        return torch.autocast(device.type, dtype=torch.bfloat16)

    def _mix(self, z: torch.Tensor) -> tuple[torch.Tensor | None, int]:
        return style_mixing_latents(z, self.G_plain, self.style_mixing_prob)

    def _logits(self, D: torch.nn.Module, img: torch.Tensor, c: torch.Tensor) -> list[torch.Tensor]:
        with self._autocast(img.device):
            return [x.float() for x in D(diff_augment(img), c)]

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
            loss = sum(-x.mean() for x in self._logits(self.D_plain, img, gen_c))
            assert isinstance(loss, torch.Tensor)
            loss.mul(gain).backward()
            stats["loss/G"] = float(loss.detach())
        elif phase == "Dmain":
            with torch.no_grad():
                mix_z, cutoff = self._mix(gen_z)
                fake, _ = self.G_plain(gen_z, gen_c, mix_z, cutoff)
            no_sync = getattr(self.D, "no_sync", nullcontext)
            with no_sync():  # gradients of the fake half are summed locally, synced with the real half
                fake_logits = self._logits(self.D, fake, gen_c)
                loss_fake = sum(F.relu(1 + x).mean() for x in fake_logits)
                assert isinstance(loss_fake, torch.Tensor)
                loss_fake.mul(gain).backward()
            real_logits = self._logits(self.D, real_img.detach(), real_c)
            loss_real = sum(F.relu(1 - x).mean() for x in real_logits)
            assert isinstance(loss_real, torch.Tensor)
            loss_real.mul(gain).backward()
            stats["loss/D"] = float(loss_fake.detach() + loss_real.detach())
            stats["scores/real"] = float(sum(x.detach().mean() for x in real_logits)) / len(real_logits)
            stats["scores/fake"] = float(sum(x.detach().mean() for x in fake_logits)) / len(fake_logits)
        return stats
