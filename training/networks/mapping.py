"""Mapping network: (z, class) -> w, with a learned class embedding and the running mean ``w_avg``."""

from __future__ import annotations

import torch

from training.networks.layers import Activation, FullyConnectedLayer, normalize_2nd_moment

__all__ = ["MappingNetwork"]


class MappingNetwork(torch.nn.Module):
    """MLP from the normalised ``[z, embed(c)]`` to w.

    ``num_layers`` defaults to 8 (StyleGAN2); StyleGAN2-ADA's ``auto`` config uses 2 for small data sets.
    Also used by the discriminator (``z_dim=0``, ``num_ws=None``) to embed the class for projection.
    """

    w_avg: torch.Tensor  # registered buffer (when num_ws and w_avg_beta are set)
    embed: FullyConnectedLayer  # c_dim > 0 only

    def __init__(
        self,
        z_dim: int,  # Input latent (Z) dimensionality, 0 = no latent.
        c_dim: int,  # Conditioning label (C) dimensionality, 0 = no label.
        w_dim: int,  # Intermediate latent (W) dimensionality.
        num_ws: int | None,  # Number of intermediate latents to output, None = do not broadcast.
        num_layers: int = 8,  # Number of mapping layers.
        embed_features: int | None = None,  # Label embedding dimensionality, None = same as w_dim.
        layer_features: int | None = None,  # Number of intermediate features, None = same as w_dim.
        activation: Activation = "lrelu",  # Activation function.
        lr_multiplier: float = 0.01,  # Learning rate multiplier for the mapping layers.
        w_avg_beta: float | None = 0.995,  # Decay for tracking the moving average of W, None = do not track.
    ) -> None:
        super().__init__()
        if z_dim == 0 and c_dim == 0:
            raise ValueError("MappingNetwork needs z_dim > 0 or c_dim > 0")
        self.z_dim = z_dim
        self.c_dim = c_dim
        self.w_dim = w_dim
        self.num_ws = num_ws
        self.num_layers = num_layers
        self.w_avg_beta = w_avg_beta
        if embed_features is None:
            embed_features = w_dim
        if c_dim == 0:
            embed_features = 0
        if layer_features is None:
            layer_features = w_dim
        features = [z_dim + embed_features] + [layer_features] * (num_layers - 1) + [w_dim]
        if c_dim > 0:
            self.embed = FullyConnectedLayer(c_dim, embed_features)
        for idx in range(num_layers):
            layer = FullyConnectedLayer(
                features[idx], features[idx + 1], activation=activation, lr_multiplier=lr_multiplier
            )
            setattr(self, f"fc{idx}", layer)
        if num_ws is not None and w_avg_beta is not None:
            self.register_buffer("w_avg", torch.zeros([w_dim]))

    def map_w(self, z: torch.Tensor | None, c: torch.Tensor | None) -> torch.Tensor:
        """One w per sample, ``[N, w_dim]``: no broadcast, no truncation, no ``w_avg`` update."""
        x = None
        if self.z_dim > 0:
            assert z is not None
            x = normalize_2nd_moment(z.to(torch.float32))
        if self.c_dim > 0:
            assert c is not None
            y = normalize_2nd_moment(self.embed(c.to(torch.float32)))
            x = torch.cat([x, y], dim=1) if x is not None else y
        assert x is not None
        for idx in range(self.num_layers):
            x = getattr(self, f"fc{idx}")(x)
        return x

    def forward(
        self,
        z: torch.Tensor | None,
        c: torch.Tensor | None,
        truncation_psi: float = 1.0,
        truncation_cutoff: int | None = None,
        skip_w_avg_update: bool = False,
    ) -> torch.Tensor:
        """Map to ``[N, num_ws, w_dim]`` (or ``[N, w_dim]`` when ``num_ws`` is None).

        In training mode the batch mean updates ``w_avg`` unless ``skip_w_avg_update`` (style mixing).
        Truncation pulls the first ``truncation_cutoff`` ws (all if None) toward ``w_avg``.
        """
        x = self.map_w(z, c)
        if self.w_avg_beta is not None and self.training and not skip_w_avg_update:
            self.w_avg.copy_(x.detach().mean(dim=0).lerp(self.w_avg, self.w_avg_beta))
        if self.num_ws is not None:
            x = x.unsqueeze(1).repeat([1, self.num_ws, 1])
        if truncation_psi != 1:
            if self.w_avg_beta is None:
                raise ValueError("truncation needs w_avg, which this mapping network does not track")
            if self.num_ws is None or truncation_cutoff is None:
                x = self.w_avg.lerp(x, truncation_psi)
            else:
                x = x.clone()
                x[:, :truncation_cutoff] = self.w_avg.lerp(x[:, :truncation_cutoff], truncation_psi)
        return x

    def extra_repr(self) -> str:
        return f"z_dim={self.z_dim}, c_dim={self.c_dim}, w_dim={self.w_dim}, num_ws={self.num_ws}"
