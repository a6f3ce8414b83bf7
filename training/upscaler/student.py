"""The fast student: a small conv net that predicts a 4x residual on top of bicubic upscaling.

Everything runs at the input resolution and ends in a pixel shuffle (ESPCN style), so the cost per output
pixel is tiny. The skip path is a linear 5x5 convolution + pixel shuffle on an edge-padded input: it starts as
exact bicubic upscaling (``F.interpolate(mode="bicubic")``, but ~20x faster in ONNX Runtime than its cubic
``Resize``) or as the least-squares fit of :mod:`training.upscaler.linear_fit`; the conv body (absent when
``width == 0``) learns the non-linear rest of what Real-ESRGAN adds.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["FastUpscaler", "bicubic_kernel"]


def _cubic(t: np.ndarray, a: float = -0.75) -> np.ndarray:
    t = np.abs(t)
    return np.where(
        t <= 1,
        (a + 2) * t**3 - (a + 3) * t**2 + 1,
        np.where(t < 2, a * t**3 - 5 * a * t**2 + 8 * a * t - 4 * a, 0.0),
    )


def bicubic_kernel(scale: int = 4) -> torch.Tensor:
    """Weights ``[scale*scale, 1, 5, 5]`` so that conv + pixel shuffle == half-pixel bicubic upscaling."""
    taps = np.arange(-2, 3)
    rows = []
    for i in range(scale):
        offset = (i + 0.5) / scale - 0.5  # source position of output sub-pixel i, relative to its LR pixel
        w = _cubic(offset - taps)
        rows.append(w / w.sum())
    rows_arr = np.stack(rows)  # [scale, 5]
    kernel = np.einsum("iy,jx->ijyx", rows_arr, rows_arr).reshape(scale * scale, 1, 5, 5)
    return torch.from_numpy(kernel.astype(np.float32))


class FastUpscaler(nn.Module):
    """Input ``[N, 3, H, W]`` in [0, 1]; output ``[N, 3, 4H, 4W]`` (not clipped)."""

    def __init__(
        self,
        width:  int = 32,  # Feature channels of the hidden convs; 0 = linear skip path only.
        depth:  int = 3,   # Hidden 3x3 convs after the 5x5 head.
        scale:  int = 4,   # Upscaling factor (pixel-shuffle factor).
    ) -> None:  # fmt: skip
        super().__init__()
        self.scale = scale
        self.skip = nn.Conv2d(3, 3 * scale * scale, 5)
        with torch.no_grad():
            assert self.skip.bias is not None  # nn.Conv2d's bias=True
            self.skip.weight.zero_()
            self.skip.bias.zero_()
            for c in range(3):  # channel c's 16 sub-pixels come from channel c alone: bicubic
                self.skip.weight[c * scale * scale : (c + 1) * scale * scale, c : c + 1] = bicubic_kernel(scale)
        self.body: nn.Module | None = None
        if width > 0:
            layers: list[nn.Module] = [nn.Conv2d(3, width, 5, 1, 2), nn.LeakyReLU(0.1)]
            for _ in range(depth):
                layers += [nn.Conv2d(width, width, 3, 1, 1), nn.LeakyReLU(0.1)]
            last = nn.Conv2d(width, 3 * scale * scale, 3, 1, 1)
            assert last.bias is not None  # nn.Conv2d's bias=True
            nn.init.zeros_(last.weight)  # the body starts silent: output = skip path
            nn.init.zeros_(last.bias)
            self.body = nn.Sequential(*layers, last)
        self.shuffle = nn.PixelShuffle(scale)

    def base(self, x: torch.Tensor) -> torch.Tensor:
        """The linear skip path alone (edge-replicated borders, as ``F.interpolate``)."""
        return self.shuffle(self.skip(F.pad(x, (2, 2, 2, 2), mode="replicate")))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sub = self.skip(F.pad(x, (2, 2, 2, 2), mode="replicate"))
        if self.body is not None:
            sub = sub + self.body(x)  # added before the shuffle: one full-resolution pass in all
        return self.shuffle(sub)
