"""The generator against two discriminators at once (``--disc both``): the StyleGAN2 loss with the residual D
(non-saturating logistic, ADA, lazy R1) plus ``projected_weight`` times the hinge loss with the projected D
(DiffAugment, no R1), as vision-aided GAN adds its pretrained-feature discriminators to the original one.

Same interface as ``StyleGAN2Loss.accumulate``. ``Gmain`` renders the fakes once and backpropagates both terms
together; ``Dmain`` renders them once (without gradient) for both discriminators; ``Dreg`` is the residual D's R1;
``Greg`` the path-length term, as in the StyleGAN2 loss.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from training.loss import Phase, StyleGAN2Loss
from training.loss_projected import ProjectedLoss

__all__ = ["DualLoss"]


class DualLoss:
    def __init__(self, residual: StyleGAN2Loss, projected: ProjectedLoss, *, projected_weight: float = 0.5) -> None:
        if residual.G_plain is not projected.G_plain:
            raise ValueError("both losses must train the same generator")
        self.residual, self.projected = residual, projected
        self.projected_weight = projected_weight

    @property
    def pl_mean(self) -> torch.Tensor:
        return self.residual.pl_mean

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
        if phase == "Gmain":
            return self._generator(gen_z, gen_c, gain)
        if phase == "Dmain":
            return self._discriminators(real_img, real_c, gen_z, gen_c, gain)
        return self.residual.accumulate(phase, real_img, real_c, gen_z, gen_c, gain)  # Greg, Dreg

    def _generator(self, gen_z: torch.Tensor, gen_c: torch.Tensor, gain: float) -> dict[str, float]:
        res, proj = self.residual, self.projected
        mix_z, cutoff = res._mix(gen_z)
        img, _ = res.G_step(gen_z, gen_c, mix_z, cutoff)
        residual_loss = F.softplus(-res._run_D(res.D_plain, img, gen_c)).mean()
        projected_loss = sum(-x.mean() for x in proj._logits(proj.D_plain, img, gen_c))
        assert isinstance(projected_loss, torch.Tensor)
        (residual_loss + self.projected_weight * projected_loss).mul(gain).backward()
        return {
            "loss/G": float(residual_loss.detach() + self.projected_weight * projected_loss.detach()),
            "loss/G_residual": float(residual_loss.detach()),
            "loss/G_projected": float(projected_loss.detach()),
        }

    def _discriminators(
        self, real_img: torch.Tensor, real_c: torch.Tensor, gen_z: torch.Tensor, gen_c: torch.Tensor, gain: float
    ) -> dict[str, float]:
        res, proj = self.residual, self.projected
        with torch.no_grad():
            mix_z, cutoff = res._mix(gen_z)
            fake, _ = res.G_plain(gen_z, gen_c, mix_z, cutoff)
        real = real_img.detach()
        fake_logits = res._run_D(res.D, fake, gen_c)
        real_logits = res._run_D(res.D, real, real_c)
        if res.ada is not None:
            res.ada.accumulate(real_logits)
        residual_loss = F.softplus(fake_logits).mean() + F.softplus(-real_logits).mean()
        proj_fake = proj._logits(proj.D, fake, gen_c)
        proj_real = proj._logits(proj.D, real, real_c)
        projected_loss = sum(F.relu(1 + x).mean() for x in proj_fake) + sum(F.relu(1 - x).mean() for x in proj_real)
        assert isinstance(projected_loss, torch.Tensor)
        # Each D learns from its own loss only (their parameters are disjoint), so the weight stays with G's side.
        (residual_loss + projected_loss).mul(gain).backward()
        return {
            "loss/D": float(residual_loss.detach()),
            "loss/D_projected": float(projected_loss.detach()),
            "scores/real": float(real_logits.detach().mean()),
            "scores/fake": float(fake_logits.detach().mean()),
        }
