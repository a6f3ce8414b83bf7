"""Named network configurations (the only place where model sizes are chosen).

Sizes (parameters + buffers, from ``NetworkConfig.fp16_bytes()``; a snapshot holding G_ema and D in fp16):

============== ========== ========== ====================== ==================================
config          G          D          G_ema + D in fp16      notes
============== ========== ========== ====================== ==================================
tiny            71 k       76 k       0.29 MB                32x32, tests only
ccsn256         25.2 M     26.4 M     103.2 MB (98.4 MiB)    = StyleGAN2-ADA ``paper256``
ccsn256-small   9.07 M     7.81 M     33.8 MB (32.2 MiB)     fits a 64 MB upload budget
lean128         5.89 M     5.35 M     22.5 MB (21.4 MiB)     CPU training at 128 px; the default model
lean64          5.76 M     5.32 M     22.2 MB (21.1 MiB)     CPU training at 64 px, a first stage
============== ========== ========== ====================== ==================================

``ccsn256`` (channel_base 16384, channel_max 512, 8 mapping layers) does not fit 64 MB in fp16, so the 256 px
model that fits is ``ccsn256-small`` (the default model is ``lean128``, trained on the CPU): channel_max 256
(4..64 px: 256 maps, 128 px: 128, 256 px: 64) and a 2-layer G mapping network as in StyleGAN2-ADA's ``auto``
config for small data sets (CCSN has 2,543 photos); its fp32 synthesis graph is ~36 MB, so even the fp32 bundle
meets the 40 MB bundle limit. D keeps the NVlabs default of 8 layers in its class-embedding network (StyleGAN2-ADA
never changed it). ``ccsn256`` stays for transfer from NVlabs 256x256 pickles, whose state dicts load into it 1:1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from skyasset.errors import SkyassetError

__all__ = ["NetworkConfig", "CONFIGS", "get_config"]


@dataclass(frozen=True)
class NetworkConfig:
    """Sizes of a generator/discriminator pair; ``generator_kwargs()`` feeds ``Generator(**kwargs)``."""

    name: str  # Config name, e.g. 'ccsn256'.
    resolution: int  # Image resolution (power of two, 32..1024).
    z_dim: int = 512  # Input latent (Z) dimensionality.
    w_dim: int = 512  # Intermediate latent (W) dimensionality.
    c_dim: int = 11  # Conditioning label dimensionality, 0 = unconditional.
    img_channels: int = 3  # RGB.
    channel_base: int = 16384  # Feature maps at resolution r: min(channel_base // r, channel_max).
    channel_max: int = 512  # Maximum number of feature maps.
    mapping_layers: int = 8  # Depth of G's mapping network.
    d_mapping_layers: int = 8  # Depth of D's class-embedding network (projection conditioning).
    num_fp16_res: int = 4  # FP16 (on CUDA) in the N highest resolutions of G and D.
    conv_clamp: float | None = 256  # Clamp conv outputs to +-X (keeps fp16 finite), None = disable.
    mbstd_group_size: int = 4  # Minibatch-stddev group size of D.

    def generator_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``Generator``."""
        return dict(
            z_dim=self.z_dim,
            c_dim=self.c_dim,
            w_dim=self.w_dim,
            img_resolution=self.resolution,
            img_channels=self.img_channels,
            mapping_kwargs=dict(num_layers=self.mapping_layers),
            synthesis_kwargs=dict(
                channel_base=self.channel_base,
                channel_max=self.channel_max,
                num_fp16_res=self.num_fp16_res,
                conv_clamp=self.conv_clamp,
            ),
        )

    def discriminator_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``Discriminator``."""
        return dict(
            c_dim=self.c_dim,
            img_resolution=self.resolution,
            img_channels=self.img_channels,
            channel_base=self.channel_base,
            channel_max=self.channel_max,
            num_fp16_res=self.num_fp16_res,
            conv_clamp=self.conv_clamp,
            mapping_kwargs=dict(num_layers=self.d_mapping_layers),
            epilogue_kwargs=dict(mbstd_group_size=self.mbstd_group_size),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def fp16_bytes(self) -> dict[str, int]:
        """Bytes of G and D (parameters + buffers) stored as fp16, built on the meta device (no memory)."""
        import torch

        from training.networks.discriminator import Discriminator
        from training.networks.generator import Generator

        with torch.device("meta"):
            nets = {"G": Generator(**self.generator_kwargs()), "D": Discriminator(**self.discriminator_kwargs())}
        return {name: 2 * sum(t.numel() for t in [*net.parameters(), *net.buffers()]) for name, net in nets.items()}


CONFIGS: dict[str, NetworkConfig] = {
    # Tests and smoke runs: 32x32, a few thousand parameters per layer, exports in seconds.
    "tiny": NetworkConfig(
        name="tiny",
        resolution=32,
        z_dim=32,
        w_dim=32,
        channel_base=512,
        channel_max=32,
        mapping_layers=2,
        d_mapping_layers=2,
        num_fp16_res=0,
        conv_clamp=None,
        mbstd_group_size=2,
    ),
    # StyleGAN2-ADA 'paper256' sizes, so NVlabs 256x256 weights load 1:1 for transfer. 103 MB in fp16
    # for G_ema + D: does NOT fit the 64 MB budget; 'ccsn256-small' is the 256 px config that does.
    "ccsn256": NetworkConfig(name="ccsn256", resolution=256),
    # The 256 px config within the budget: 33.8 MB in fp16 for G_ema + D (see the table above).
    "ccsn256-small": NetworkConfig(
        name="ccsn256-small",
        resolution=256,
        channel_base=16384,
        channel_max=256,
        mapping_layers=2,
    ),
    # CPU training (no GPU lent): 128 px, 32 maps at 128 px, 2 mapping layers; ~3 images/s on 2 cores.
    # The starting snapshot of the default model was trained with exactly these sizes.
    "lean128": NetworkConfig(
        name="lean128",
        resolution=128,
        channel_base=4096,
        channel_max=256,
        mapping_layers=2,
        num_fp16_res=0,
    ),
    # Fast first stage on CPU: the same widths per resolution as lean128, so its blocks splice into it.
    "lean64": NetworkConfig(
        name="lean64",
        resolution=64,
        channel_base=4096,
        channel_max=256,
        mapping_layers=2,
        num_fp16_res=0,
    ),
}


def get_config(name: str) -> NetworkConfig:
    """Return the named config, or raise ``SkyassetError('invalid_argument')`` listing the valid names."""
    try:
        return CONFIGS[name]
    except KeyError:
        valid = ", ".join(sorted(CONFIGS))
        raise SkyassetError("invalid_argument", f"unknown network config {name!r}; choose one of: {valid}") from None
