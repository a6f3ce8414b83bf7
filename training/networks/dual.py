"""Two discriminators side by side (``--disc both``): the residual StyleGAN2 D beside the projected one.

As vision-aided GAN (Kumari et al., CVPR 2022) pairs the original discriminator with ones on pretrained features,
written from the paper for this code base. The projected D alone trained sharper, more photo-like clouds on this
data but dropped variety and palette (every seed of a class one picture, one blue-grey for all): nothing in its
patch heads sees the batch or the colours DiffAugment jitters. The residual D, with its minibatch standard
deviation, R1 and ADA, does; with both, the generator answers to each (see :mod:`training.loss_dual`).

One module holds both so that a snapshot, the optimizer and ``requires_grad_`` treat them as one D; the losses
call ``residual`` and ``projected`` directly. ``forward`` is the residual D's, so code that only needs "a D"
(logging, shape checks) works unchanged.
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["DualDiscriminator", "dual_kwargs"]


def dual_kwargs(residual: dict[str, Any], projected: dict[str, Any]) -> dict[str, Any]:
    """The kwargs of a :class:`DualDiscriminator` from its two parts' (which must agree on classes and size)."""
    return dict(
        kind="both",
        c_dim=residual["c_dim"],
        img_resolution=residual["img_resolution"],
        residual=dict(residual),
        projected=dict(projected),
    )


class DualDiscriminator(torch.nn.Module):
    def __init__(
        self,
        c_dim: int,  # Conditioning label dimensionality (both parts).
        img_resolution: int,  # Input resolution (both parts).
        residual: dict[str, Any],  # The StyleGAN2 D's kwargs.
        projected: dict[str, Any],  # The projected D's kwargs.
        kind: str = "both",  # Marks the kwargs in snapshots (``build_discriminator`` dispatches on it).
    ) -> None:
        super().__init__()
        from training.networks.discriminator import Discriminator
        from training.networks.projected import ProjectedDiscriminator

        if kind != "both":
            raise ValueError(f"kind {kind!r} is not 'both'")
        for name, part in (("residual", residual), ("projected", projected)):
            if part.get("c_dim") != c_dim or part.get("img_resolution") != img_resolution:
                raise ValueError(
                    f"the {name} D's c_dim/img_resolution differ from the pair's ({c_dim}, {img_resolution})"
                )
        if residual.get("kind") not in (None, "stylegan2") or projected.get("kind") != "projected":
            raise ValueError("a dual D pairs a residual (StyleGAN2) D with a projected one")
        self.init_kwargs: dict[str, Any] = dual_kwargs(residual, projected)
        self.c_dim = c_dim
        self.img_resolution = img_resolution
        self.residual = Discriminator(**residual)
        self.projected = ProjectedDiscriminator(**projected)

    def forward(self, img: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return self.residual(img, c)
