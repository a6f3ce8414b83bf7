"""The class-conditional StyleGAN2 generator: mapping + synthesis."""

from __future__ import annotations

from typing import Any

import torch

from training.networks.mapping import MappingNetwork
from training.networks.synthesis import SynthesisNetwork

__all__ = ["Generator"]


class Generator(torch.nn.Module):
    """``G(z, c) = synthesis(mapping(z, c))``.

    For style mixing or latent editing call the halves yourself: ``ws = G.mapping(z, c)`` gives one w per
    layer ``[N, num_ws, w_dim]``; mix rows of ``ws``, then ``img = G.synthesis(ws)``.
    """

    def __init__(
        self,
        z_dim: int,  # Input latent (Z) dimensionality.
        c_dim: int,  # Conditioning label (C) dimensionality, 0 = no label.
        w_dim: int,  # Intermediate latent (W) dimensionality.
        img_resolution: int,  # Output resolution.
        img_channels: int,  # Number of output color channels.
        mapping_kwargs: dict[str, Any] | None = None,  # Arguments for MappingNetwork.
        synthesis_kwargs: dict[str, Any] | None = None,  # Arguments for SynthesisNetwork.
    ) -> None:
        super().__init__()
        self.init_kwargs: dict[str, Any] = dict(
            z_dim=z_dim,
            c_dim=c_dim,
            w_dim=w_dim,
            img_resolution=img_resolution,
            img_channels=img_channels,
            mapping_kwargs=dict(mapping_kwargs or {}),
            synthesis_kwargs=dict(synthesis_kwargs or {}),
        )
        self.z_dim = z_dim
        self.c_dim = c_dim
        self.w_dim = w_dim
        self.img_resolution = img_resolution
        self.img_channels = img_channels
        self.synthesis = SynthesisNetwork(
            w_dim=w_dim, img_resolution=img_resolution, img_channels=img_channels, **(synthesis_kwargs or {})
        )
        self.num_ws = self.synthesis.num_ws
        self.mapping = MappingNetwork(
            z_dim=z_dim, c_dim=c_dim, w_dim=w_dim, num_ws=self.num_ws, **(mapping_kwargs or {})
        )

    def forward(
        self,
        z: torch.Tensor,
        c: torch.Tensor | None,
        truncation_psi: float = 1.0,
        truncation_cutoff: int | None = None,
        **synthesis_kwargs: Any,
    ) -> torch.Tensor:
        """Images ``[N, img_channels, R, R]`` for latents ``z`` ``[N, z_dim]`` and one-hot ``c`` ``[N, c_dim]``.

        ``synthesis_kwargs``: ``noise_mode`` ('random' | 'const' | 'none'), ``force_fp32``.
        """
        ws = self.mapping(z, c, truncation_psi=truncation_psi, truncation_cutoff=truncation_cutoff)
        return self.synthesis(ws, **synthesis_kwargs)
