"""Synthesis network: ws ``[N, num_ws, w_dim]`` -> image ``[N, C, R, R]`` (skip architecture)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from training.networks.modconv import NoiseMode, SynthesisLayer, ToRGBLayer
from training.networks.resample import setup_filter, upsample2d

__all__ = ["SynthesisBlock", "SynthesisNetwork", "channel_widths"]


def channel_widths(resolutions: Sequence[int], channel_base: int, channel_max: int) -> dict[int, int]:
    """Feature maps per resolution: ``min(channel_base // res, channel_max)``."""
    return {res: min(channel_base // res, channel_max) for res in resolutions}


def use_half(use_fp16: bool, force_fp32: bool, device: torch.device) -> bool:
    """fp16 only on CUDA: CPU fp16 convolutions are slow, and export always runs fp32."""
    return use_fp16 and not force_fp32 and device.type == "cuda"


class SynthesisBlock(torch.nn.Module):
    """One resolution of the synthesis network: (up)conv, conv, ToRGB, plus the upsampled running image."""

    resample_filter: torch.Tensor  # registered buffer
    const: torch.nn.Parameter  # the first block's learned input (in_channels == 0 only)

    def __init__(
        self,
        in_channels: int,  # Number of input channels, 0 = first block (learned constant).
        out_channels: int,  # Number of output channels.
        w_dim: int,  # Intermediate latent (W) dimensionality.
        resolution: int,  # Resolution of this block.
        img_channels: int,  # Number of output color channels.
        is_last: bool,  # Is this the last block?
        architecture: str = "skip",  # Architecture: only 'skip' (ToRGB at every block) is supported.
        resample_filter: Sequence[float] = (1, 3, 3, 1),  # Low-pass filter to apply when resampling.
        conv_clamp: float | None = None,  # Clamp the output of convolution layers to +-X, None = disable.
        use_fp16: bool = False,  # Use FP16 for this block (on CUDA)?
        fp16_channels_last: bool = False,  # Use channels-last memory format with FP16?
        **layer_kwargs: Any,  # Arguments for SynthesisLayer.
    ) -> None:
        if architecture != "skip":
            raise ValueError(f"SynthesisBlock: architecture {architecture!r} is not supported, use 'skip'")
        super().__init__()
        self.in_channels = in_channels
        self.w_dim = w_dim
        self.resolution = resolution
        self.img_channels = img_channels
        self.is_last = is_last
        self.architecture = architecture
        self.use_fp16 = use_fp16
        self.channels_last = use_fp16 and fp16_channels_last
        self.register_buffer("resample_filter", setup_filter(resample_filter))
        self.num_conv = 0
        self.num_torgb = 0
        common: dict[str, Any] = dict(
            w_dim=w_dim, resolution=resolution, conv_clamp=conv_clamp, channels_last=self.channels_last
        )
        if in_channels == 0:
            self.const = torch.nn.Parameter(torch.randn([out_channels, resolution, resolution]))
        else:
            self.conv0 = SynthesisLayer(
                in_channels, out_channels, up=2, resample_filter=resample_filter, **common, **layer_kwargs
            )
            self.num_conv += 1
        self.conv1 = SynthesisLayer(out_channels, out_channels, **common, **layer_kwargs)
        self.num_conv += 1
        self.torgb = ToRGBLayer(
            out_channels, img_channels, w_dim=w_dim, conv_clamp=conv_clamp, channels_last=self.channels_last
        )
        self.num_torgb += 1

    def forward(
        self,
        x: torch.Tensor | None,
        img: torch.Tensor | None,
        ws: torch.Tensor,
        force_fp32: bool = False,
        noise_mode: NoiseMode = "random",
    ) -> tuple[torch.Tensor, torch.Tensor]:
        w_iter = iter(ws.unbind(dim=1))
        dtype = torch.float16 if use_half(self.use_fp16, force_fp32, ws.device) else torch.float32
        memory_format = torch.channels_last if self.channels_last and dtype == torch.float16 else None
        if self.in_channels == 0:
            x = self.const.to(dtype).unsqueeze(0).expand(ws.shape[0], -1, -1, -1)
            x = self.conv1(x, next(w_iter), noise_mode=noise_mode)
        else:
            assert x is not None
            x = x.to(dtype)
            if memory_format is not None:
                x = x.contiguous(memory_format=memory_format)
            x = self.conv0(x, next(w_iter), noise_mode=noise_mode)
            x = self.conv1(x, next(w_iter), noise_mode=noise_mode)
        if img is not None:
            img = upsample2d(img, self.resample_filter)
        y = self.torgb(x, next(w_iter)).to(torch.float32, memory_format=torch.contiguous_format)
        img = img + y if img is not None else y
        return x, img

    def extra_repr(self) -> str:
        return f"resolution={self.resolution}, architecture={self.architecture}"


class SynthesisNetwork(torch.nn.Module):
    """Learned 4x4 constant up to ``img_resolution`` in blocks of two modulated convs, summing ToRGB outputs.

    ``num_ws = 2 * log2(R) - 2``: one w per conv layer plus one for the final ToRGB; block ``b{res}`` reads
    ``ws[:, i : i + num_conv + num_torgb]`` so its ToRGB shares the w of the next block's first conv.
    """

    b4: SynthesisBlock  # the first block (learned constant), always there; the others are set as b8, b16, ...

    def __init__(
        self,
        w_dim: int,  # Intermediate latent (W) dimensionality.
        img_resolution: int,  # Output image resolution (power of two, >= 4).
        img_channels: int,  # Number of color channels.
        channel_base: int = 32768,  # Overall multiplier for the number of channels.
        channel_max: int = 512,  # Maximum number of channels in any layer.
        num_fp16_res: int = 0,  # Use FP16 (on CUDA) for the N highest resolutions.
        **block_kwargs: Any,  # Arguments for SynthesisBlock.
    ) -> None:
        log2 = int(np.log2(img_resolution))
        if img_resolution < 4 or img_resolution != 2**log2:
            raise ValueError(f"img_resolution must be a power of two >= 4, got {img_resolution}")
        super().__init__()
        self.w_dim = w_dim
        self.img_resolution = img_resolution
        self.img_resolution_log2 = log2
        self.img_channels = img_channels
        self.block_resolutions = [2**i for i in range(2, log2 + 1)]
        channels = channel_widths(self.block_resolutions, channel_base, channel_max)
        fp16_resolution = max(2 ** (log2 + 1 - num_fp16_res), 8)
        self.num_ws = 0
        for res in self.block_resolutions:
            is_last = res == img_resolution
            block = SynthesisBlock(
                channels[res // 2] if res > 4 else 0,
                channels[res],
                w_dim=w_dim,
                resolution=res,
                img_channels=img_channels,
                is_last=is_last,
                use_fp16=res >= fp16_resolution,
                **block_kwargs,
            )
            self.num_ws += block.num_conv
            if is_last:
                self.num_ws += block.num_torgb
            setattr(self, f"b{res}", block)

    def forward(self, ws: torch.Tensor, force_fp32: bool = False, noise_mode: NoiseMode = "random") -> torch.Tensor:
        """Render ``ws`` ``[N, num_ws, w_dim]`` to images ``[N, img_channels, R, R]`` (nominal range [-1, 1])."""
        if ws.ndim != 3 or ws.shape[1] != self.num_ws or ws.shape[2] != self.w_dim:
            raise ValueError(f"ws must be [N, {self.num_ws}, {self.w_dim}], got {list(ws.shape)}")
        ws = ws.to(torch.float32)
        x = img = None
        w_idx = 0
        for res in self.block_resolutions:
            block: SynthesisBlock = getattr(self, f"b{res}")
            block_ws = ws.narrow(1, w_idx, block.num_conv + block.num_torgb)
            w_idx += block.num_conv
            x, img = block(x, img, block_ws, force_fp32=force_fp32, noise_mode=noise_mode)
        assert img is not None
        return img

    def extra_repr(self) -> str:
        return f"w_dim={self.w_dim}, num_ws={self.num_ws}, img_resolution={self.img_resolution}"
