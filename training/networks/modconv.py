"""Modulated convolution in the non-fused form, and the two synthesis layers built on it.

Non-fused: scale the input activations by the styles, convolve with the *static* weight, then
scale the output by the demodulation coefficients, computed as a small matmul of the squared styles with the
precomputed per-(out, in) sum of squared weights. Numerically this equals the fused form (a per-sample
modulated weight in a grouped convolution) but it keeps every convolution weight a graph initializer, which
makes the ONNX graph ~3x faster in ONNX Runtime and lets int8 weight quantization apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import torch

from training.networks.layers import ACTIVATION_GAIN, Activation, FullyConnectedLayer, bias_act
from training.networks.resample import conv2d_resample, setup_filter

__all__ = ["NoiseMode", "modulated_conv2d", "SynthesisLayer", "ToRGBLayer"]

NoiseMode = Literal["random", "const", "none"]


def modulated_conv2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    styles: torch.Tensor,
    noise: torch.Tensor | None = None,
    up: int = 1,
    padding: int = 0,
    resample_filter: torch.Tensor | None = None,
    demodulate: bool = True,
) -> torch.Tensor:
    """Convolve ``x`` ``[N, I, H, W]`` with ``weight`` ``[O, I, k, k]`` modulated by ``styles`` ``[N, I]``.

    Parameters
    ----------
    x, weight, styles
        Activations, static convolution weight and per-sample input-channel scales.
    noise
        Added after demodulation (broadcast to ``[N, O, H', W']``), or None.
    up
        1, or 2 for a transposed convolution followed by the FIR filter ``resample_filter``.
    padding
        Convolution padding (``kernel // 2`` for "same").
    demodulate
        Normalise each output channel to unit expected variance (False for ToRGB).

    Returns
    -------
    torch.Tensor
        ``[N, O, H * up, W * up]`` in the dtype of ``x``.
    """
    batch = x.shape[0]
    if x.dtype == torch.float16 and demodulate:
        # Pre-normalise to keep fp16 activations in range; demodulation cancels the scale exactly.
        fan_in = weight.shape[1] * weight.shape[2] * weight.shape[3]
        weight = weight * (1 / np.sqrt(fan_in) / weight.norm(float("inf"), dim=[1, 2, 3], keepdim=True))
        styles = styles / styles.norm(float("inf"), dim=1, keepdim=True)
    x = x * styles.to(x.dtype).reshape(batch, -1, 1, 1)
    x = conv2d_resample(x, weight.to(x.dtype), f=resample_filter, up=up, padding=padding)
    if demodulate:
        weight_sq = weight.square().sum(dim=[2, 3])  # [O, I]
        dcoefs = (styles.square() @ weight_sq.t() + 1e-8).rsqrt()  # [N, O]
        x = x * dcoefs.to(x.dtype).reshape(batch, -1, 1, 1)
    if noise is not None:
        x = x + noise.to(x.dtype)
    return x


class SynthesisLayer(torch.nn.Module):
    """Style-modulated 3x3 convolution (optionally upsampling 2x) + noise + bias + leaky ReLU."""

    resample_filter: torch.Tensor  # registered buffer
    noise_const: torch.Tensor  # registered buffer (use_noise only)

    def __init__(
        self,
        in_channels: int,  # Number of input channels.
        out_channels: int,  # Number of output channels.
        w_dim: int,  # Intermediate latent (W) dimensionality.
        resolution: int,  # Resolution of this layer's output.
        kernel_size: int = 3,  # Convolution kernel size.
        up: int = 1,  # Integer upsampling factor.
        use_noise: bool = True,  # Enable noise input?
        activation: Activation = "lrelu",  # Activation function.
        resample_filter: Sequence[float] = (1, 3, 3, 1),  # Low-pass filter to apply when resampling.
        conv_clamp: float | None = None,  # Clamp the output of convolution layers to +-X, None = disable.
        channels_last: bool = False,  # Use channels_last format for the weights?
    ) -> None:
        super().__init__()
        self.resolution = resolution
        self.up = up
        self.use_noise = use_noise
        self.activation = activation
        self.conv_clamp = conv_clamp
        self.register_buffer("resample_filter", setup_filter(resample_filter))
        self.padding = kernel_size // 2
        self.act_gain = ACTIVATION_GAIN[activation]
        self.affine = FullyConnectedLayer(w_dim, in_channels, bias_init=1)
        memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.weight = torch.nn.Parameter(
            torch.randn([out_channels, in_channels, kernel_size, kernel_size]).to(memory_format=memory_format)
        )
        if use_noise:
            self.register_buffer("noise_const", torch.randn([resolution, resolution]))
            self.noise_strength = torch.nn.Parameter(torch.zeros([]))
        self.bias = torch.nn.Parameter(torch.zeros([out_channels]))

    def forward(
        self, x: torch.Tensor, w: torch.Tensor, noise_mode: NoiseMode = "random", gain: float = 1.0
    ) -> torch.Tensor:
        styles = self.affine(w)
        noise = None
        if self.use_noise and noise_mode == "random":
            shape = [x.shape[0], 1, self.resolution, self.resolution]
            noise = torch.randn(shape, device=x.device) * self.noise_strength
        elif self.use_noise and noise_mode == "const":
            noise = self.noise_const * self.noise_strength
        elif noise_mode not in ("random", "const", "none"):
            raise ValueError(f"noise_mode must be 'random', 'const' or 'none', not {noise_mode!r}")
        x = modulated_conv2d(
            x,
            self.weight,
            styles,
            noise=noise,
            up=self.up,
            padding=self.padding,
            resample_filter=self.resample_filter,
        )
        act_clamp = self.conv_clamp * gain if self.conv_clamp is not None else None
        return bias_act(x, self.bias, act=self.activation, gain=self.act_gain * gain, clamp=act_clamp)


class ToRGBLayer(torch.nn.Module):
    """Style-modulated 1x1 convolution to image channels, without demodulation."""

    def __init__(
        self,
        in_channels: int,  # Number of input channels.
        out_channels: int,  # Number of output (image) channels.
        w_dim: int,  # Intermediate latent (W) dimensionality.
        kernel_size: int = 1,  # Convolution kernel size.
        conv_clamp: float | None = None,  # Clamp the output to +-X, None = disable clamping.
        channels_last: bool = False,  # Use channels_last format for the weights?
    ) -> None:
        super().__init__()
        self.conv_clamp = conv_clamp
        self.affine = FullyConnectedLayer(w_dim, in_channels, bias_init=1)
        memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.weight = torch.nn.Parameter(
            torch.randn([out_channels, in_channels, kernel_size, kernel_size]).to(memory_format=memory_format)
        )
        self.bias = torch.nn.Parameter(torch.zeros([out_channels]))
        self.weight_gain = 1 / np.sqrt(in_channels * kernel_size**2)

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        styles = self.affine(w) * self.weight_gain
        x = modulated_conv2d(x, self.weight, styles, demodulate=False)
        return bias_act(x, self.bias, clamp=self.conv_clamp)
