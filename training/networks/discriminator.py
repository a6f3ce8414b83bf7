"""Residual StyleGAN2 discriminator with minibatch stddev and projection conditioning (cmap)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from training.networks.layers import Activation, Conv2dLayer, FullyConnectedLayer, MinibatchStdLayer
from training.networks.mapping import MappingNetwork
from training.networks.resample import setup_filter
from training.networks.synthesis import channel_widths, use_half

__all__ = ["DiscriminatorBlock", "DiscriminatorEpilogue", "Discriminator"]


class DiscriminatorBlock(torch.nn.Module):
    """One resolution: (FromRGB), conv, down-conv, plus a 1x1 down-sampled residual skip."""

    resample_filter: torch.Tensor  # registered buffer

    def __init__(
        self,
        in_channels: int,  # Number of input channels, 0 = first block (reads the image).
        tmp_channels: int,  # Number of intermediate channels.
        out_channels: int,  # Number of output channels.
        resolution: int,  # Resolution of this block.
        img_channels: int,  # Number of input color channels.
        first_layer_idx: int,  # Index of the first layer (for freeze_layers).
        architecture: str = "resnet",  # Architecture: only 'resnet' is supported.
        activation: Activation = "lrelu",  # Activation function.
        resample_filter: Sequence[float] = (1, 3, 3, 1),  # Low-pass filter to apply when resampling.
        conv_clamp: float | None = None,  # Clamp the output of convolution layers to +-X, None = disable.
        use_fp16: bool = False,  # Use FP16 for this block (on CUDA)?
        fp16_channels_last: bool = False,  # Use channels-last memory format with FP16?
        freeze_layers: int = 0,  # Freeze-D: number of layers to freeze.
    ) -> None:
        if architecture != "resnet":
            raise ValueError(f"DiscriminatorBlock: architecture {architecture!r} is not supported, use 'resnet'")
        super().__init__()
        self.in_channels = in_channels
        self.resolution = resolution
        self.img_channels = img_channels
        self.first_layer_idx = first_layer_idx
        self.architecture = architecture
        self.use_fp16 = use_fp16
        self.channels_last = use_fp16 and fp16_channels_last
        self.register_buffer("resample_filter", setup_filter(resample_filter))
        self.num_layers = 0

        def trainable() -> bool:
            layer_idx = self.first_layer_idx + self.num_layers
            self.num_layers += 1
            return layer_idx >= freeze_layers

        common: dict[str, Any] = dict(conv_clamp=conv_clamp, channels_last=self.channels_last)
        if in_channels == 0:
            self.fromrgb = Conv2dLayer(
                img_channels, tmp_channels, kernel_size=1, activation=activation, trainable=trainable(), **common
            )
        self.conv0 = Conv2dLayer(
            tmp_channels, tmp_channels, kernel_size=3, activation=activation, trainable=trainable(), **common
        )
        self.conv1 = Conv2dLayer(
            tmp_channels,
            out_channels,
            kernel_size=3,
            activation=activation,
            down=2,
            resample_filter=resample_filter,
            trainable=trainable(),
            **common,
        )
        self.skip = Conv2dLayer(
            tmp_channels,
            out_channels,
            kernel_size=1,
            bias=False,
            down=2,
            resample_filter=resample_filter,
            trainable=trainable(),
            channels_last=self.channels_last,
        )

    def forward(self, x: torch.Tensor | None, img: torch.Tensor, force_fp32: bool = False) -> tuple[torch.Tensor, None]:
        dtype = torch.float16 if use_half(self.use_fp16, force_fp32, img.device) else torch.float32
        if self.in_channels == 0:
            x = self.fromrgb(img.to(dtype))
        else:
            assert x is not None
            x = x.to(dtype)
        if self.channels_last and dtype == torch.float16:
            x = x.contiguous(memory_format=torch.channels_last)
        y = self.skip(x, gain=np.sqrt(0.5))
        x = self.conv0(x)
        x = self.conv1(x, gain=np.sqrt(0.5))
        return y + x, None


class DiscriminatorEpilogue(torch.nn.Module):
    """4x4 head: minibatch stddev, conv, fc, out; projection onto the class embedding when conditional."""

    def __init__(
        self,
        in_channels: int,  # Number of input channels.
        cmap_dim: int,  # Dimensionality of the mapped conditioning label, 0 = no label.
        resolution: int,  # Resolution of this block (4).
        img_channels: int,  # Number of input color channels.
        architecture: str = "resnet",  # Architecture: only 'resnet' is supported.
        mbstd_group_size: int | None = 4,  # Group size for the minibatch stddev layer, None = entire minibatch.
        mbstd_num_channels: int = 1,  # Number of features for the minibatch stddev layer, 0 = disable.
        activation: Activation = "lrelu",  # Activation function.
        conv_clamp: float | None = None,  # Clamp the output of convolution layers to +-X, None = disable.
    ) -> None:
        if architecture != "resnet":
            raise ValueError(f"DiscriminatorEpilogue: architecture {architecture!r} is not supported")
        super().__init__()
        self.in_channels = in_channels
        self.cmap_dim = cmap_dim
        self.resolution = resolution
        self.img_channels = img_channels
        self.architecture = architecture
        self.mbstd = MinibatchStdLayer(mbstd_group_size, mbstd_num_channels) if mbstd_num_channels > 0 else None
        self.conv = Conv2dLayer(
            in_channels + mbstd_num_channels,
            in_channels,
            kernel_size=3,
            activation=activation,
            conv_clamp=conv_clamp,
        )
        self.fc = FullyConnectedLayer(in_channels * resolution**2, in_channels, activation=activation)
        self.out = FullyConnectedLayer(in_channels, 1 if cmap_dim == 0 else cmap_dim)

    def forward(self, x: torch.Tensor, img: None, cmap: torch.Tensor | None) -> torch.Tensor:
        x = x.to(torch.float32)
        if self.mbstd is not None:
            x = self.mbstd(x)
        x = self.conv(x)
        x = self.fc(x.flatten(1))
        x = self.out(x)
        if self.cmap_dim > 0:
            assert cmap is not None
            x = (x * cmap).sum(dim=1, keepdim=True) * (1 / np.sqrt(self.cmap_dim))
        return x


class Discriminator(torch.nn.Module):
    """Real/fake logits ``[N, 1]`` for images ``[N, C, R, R]`` and one-hot labels ``c`` ``[N, c_dim]``."""

    def __init__(
        self,
        c_dim: int,  # Conditioning label (C) dimensionality, 0 = no label.
        img_resolution: int,  # Input resolution (power of two, >= 8).
        img_channels: int,  # Number of input color channels.
        architecture: str = "resnet",  # Architecture: only 'resnet' is supported.
        channel_base: int = 32768,  # Overall multiplier for the number of channels.
        channel_max: int = 512,  # Maximum number of channels in any layer.
        num_fp16_res: int = 0,  # Use FP16 (on CUDA) for the N highest resolutions.
        conv_clamp: float | None = None,  # Clamp the output of convolution layers to +-X, None = disable.
        cmap_dim: int | None = None,  # Dimensionality of mapped conditioning label, None = default.
        block_kwargs: dict[str, Any] | None = None,  # Arguments for DiscriminatorBlock.
        mapping_kwargs: dict[str, Any] | None = None,  # Arguments for MappingNetwork.
        epilogue_kwargs: dict[str, Any] | None = None,  # Arguments for DiscriminatorEpilogue.
    ) -> None:
        log2 = int(np.log2(img_resolution))
        if img_resolution < 8 or img_resolution != 2**log2:
            raise ValueError(f"img_resolution must be a power of two >= 8, got {img_resolution}")
        super().__init__()
        self.init_kwargs: dict[str, Any] = dict(
            c_dim=c_dim,
            img_resolution=img_resolution,
            img_channels=img_channels,
            architecture=architecture,
            channel_base=channel_base,
            channel_max=channel_max,
            num_fp16_res=num_fp16_res,
            conv_clamp=conv_clamp,
            cmap_dim=cmap_dim,
            block_kwargs=dict(block_kwargs or {}),
            mapping_kwargs=dict(mapping_kwargs or {}),
            epilogue_kwargs=dict(epilogue_kwargs or {}),
        )
        self.c_dim = c_dim
        self.img_resolution = img_resolution
        self.img_resolution_log2 = log2
        self.img_channels = img_channels
        self.block_resolutions = [2**i for i in range(log2, 2, -1)]
        channels = channel_widths(self.block_resolutions + [4], channel_base, channel_max)
        fp16_resolution = max(2 ** (log2 + 1 - num_fp16_res), 8)
        if cmap_dim is None:
            cmap_dim = channels[4]
        if c_dim == 0:
            cmap_dim = 0
        common: dict[str, Any] = dict(img_channels=img_channels, architecture=architecture, conv_clamp=conv_clamp)
        layer_idx = 0
        for res in self.block_resolutions:
            block = DiscriminatorBlock(
                channels[res] if res < img_resolution else 0,
                channels[res],
                channels[res // 2],
                resolution=res,
                first_layer_idx=layer_idx,
                use_fp16=res >= fp16_resolution,
                **(block_kwargs or {}),
                **common,
            )
            setattr(self, f"b{res}", block)
            layer_idx += block.num_layers
        if c_dim > 0:
            self.mapping = MappingNetwork(
                z_dim=0, c_dim=c_dim, w_dim=cmap_dim, num_ws=None, w_avg_beta=None, **(mapping_kwargs or {})
            )
        self.b4 = DiscriminatorEpilogue(
            channels[4], cmap_dim=cmap_dim, resolution=4, **(epilogue_kwargs or {}), **common
        )

    def forward(self, img: torch.Tensor, c: torch.Tensor | None, force_fp32: bool = False) -> torch.Tensor:
        x = None
        for res in self.block_resolutions:
            x, _ = getattr(self, f"b{res}")(x, img, force_fp32=force_fp32)
        cmap = self.mapping(None, c) if self.c_dim > 0 else None
        assert x is not None
        return self.b4(x, None, cmap)
