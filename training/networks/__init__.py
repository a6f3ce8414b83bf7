"""Class-conditional StyleGAN2 networks (plain PyTorch, ONNX-exportable).

Written for skyasset with the constructor arguments and the parameter/buffer names of NVlabs
stylegan2-ada-pytorch, so an NVlabs ``G_ema``/``D`` state dict loads with ``load_state_dict`` 1:1.
"""

from __future__ import annotations

from typing import Any

import torch

from training.networks.config import CONFIGS, NetworkConfig, get_config
from training.networks.discriminator import Discriminator
from training.networks.generator import Generator
from training.networks.mapping import MappingNetwork
from training.networks.synthesis import SynthesisNetwork


def is_projected(D_kwargs: Any) -> bool:
    """True for the kwargs of a ``ProjectedDiscriminator`` (``kind: 'projected'``), False for the residual D."""
    return isinstance(D_kwargs, dict) and D_kwargs.get("kind") == "projected"


def is_dual(D_kwargs: Any) -> bool:
    """True for the kwargs of a ``DualDiscriminator`` (``kind: 'both'``: residual and projected D side by side)."""
    return isinstance(D_kwargs, dict) and D_kwargs.get("kind") == "both"


def disc_kind(D_kwargs: Any) -> str:
    """``stylegan2``, ``projected`` or ``both``: the ``--disc`` that built a D with these kwargs."""
    return "both" if is_dual(D_kwargs) else "projected" if is_projected(D_kwargs) else "stylegan2"


def discriminator_class(D_kwargs: Any) -> type[torch.nn.Module]:
    """The discriminator class that ``D_kwargs`` (from a config or a snapshot) builds."""
    if is_dual(D_kwargs):
        from training.networks.dual import DualDiscriminator

        return DualDiscriminator
    if is_projected(D_kwargs):
        from training.networks.projected import ProjectedDiscriminator

        return ProjectedDiscriminator
    return Discriminator


def build_discriminator(D_kwargs: dict[str, Any]) -> torch.nn.Module:
    return discriminator_class(D_kwargs)(**D_kwargs)


__all__ = [
    "CONFIGS",
    "Discriminator",
    "Generator",
    "MappingNetwork",
    "NetworkConfig",
    "SynthesisNetwork",
    "build_discriminator",
    "disc_kind",
    "discriminator_class",
    "is_dual",
    "is_projected",
    "get_config",
]
