"""Class-conditional StyleGAN2 networks (plain PyTorch, ONNX-exportable).

Written for skyasset with the constructor arguments and the parameter/buffer names of NVlabs
stylegan2-ada-pytorch, so an NVlabs ``G_ema``/``D`` state dict loads with ``load_state_dict`` 1:1.
"""

from __future__ import annotations

from training.networks.config import CONFIGS, NetworkConfig, get_config
from training.networks.discriminator import Discriminator
from training.networks.generator import Generator
from training.networks.mapping import MappingNetwork
from training.networks.synthesis import SynthesisNetwork

__all__ = [
    "CONFIGS",
    "Discriminator",
    "Generator",
    "MappingNetwork",
    "NetworkConfig",
    "SynthesisNetwork",
    "get_config",
]
