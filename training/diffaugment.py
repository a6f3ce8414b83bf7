"""Differentiable augmentation for the projected discriminator (after DiffAugment, Zhao et al. 2020).

Applied to every image the projected discriminator sees, reals and fakes alike, always (no adaptive ``p``):
the same random transforms on both sides keep the target distribution unchanged, and the generator gets
gradients through them. Written for skies: no flips of any kind, nothing that turns the picture.

===========  ==============================================================================================
colour       brightness + U(-0.5, 0.5); saturation x U(0, 2) around the pixel's grey; contrast x U(0.5, 1.5)
             around the image mean (images are in [-1, 1], so these are half DiffAugment's [0, 1] amounts x 2)
translation  integer shift up to 1/8 of the side in x and y, zeros shifted in
cutout       one square of half the side set to zero at a random centre
===========  ==============================================================================================
"""

from __future__ import annotations

import torch

__all__ = ["diff_augment", "DIFF_AUGMENT_OPS"]

DIFF_AUGMENT_OPS = ("color", "translation", "cutout")


def _per_image(x: torch.Tensor) -> torch.Tensor:
    """One U(0, 1) number per image, shaped to broadcast over it."""
    return torch.rand(x.shape[0], 1, 1, 1, dtype=x.dtype, device=x.device)


def _color(x: torch.Tensor) -> torch.Tensor:
    x = x + (_per_image(x) - 0.5)
    grey = x.mean(dim=1, keepdim=True)
    x = (x - grey) * (_per_image(x) * 2) + grey
    mean = x.mean(dim=[1, 2, 3], keepdim=True)
    return (x - mean) * (_per_image(x) + 0.5) + mean


def _translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    n, _, h, w = x.shape
    sy, sx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sy, sy + 1, [n, 1, 1], device=x.device)
    dx = torch.randint(-sx, sx + 1, [n, 1, 1], device=x.device)
    ys = torch.arange(h, device=x.device).view(1, h, 1) - dy  # source row of each output row
    xs = torch.arange(w, device=x.device).view(1, 1, w) - dx
    inside = ((ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)).unsqueeze(1)
    ys, xs = ys.clamp(0, h - 1), xs.clamp(0, w - 1)
    idx = (ys * w + xs).expand(n, h, w).reshape(n, 1, h * w).expand(-1, x.shape[1], -1)
    shifted = x.reshape(n, x.shape[1], h * w).gather(2, idx).view_as(x)
    return shifted * inside.to(x.dtype)


def _cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), [n, 1, 1], device=x.device)
    cx = torch.randint(0, w + (1 - cw % 2), [n, 1, 1], device=x.device)
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    hole = (ys >= cy - ch // 2) & (ys < cy - ch // 2 + ch) & (xs >= cx - cw // 2) & (xs < cx - cw // 2 + cw)
    return x * (~hole).unsqueeze(1).to(x.dtype)


_OPS = {"color": _color, "translation": _translation, "cutout": _cutout}


def diff_augment(x: torch.Tensor, ops: tuple[str, ...] = DIFF_AUGMENT_OPS) -> torch.Tensor:
    """Apply ``ops`` in order, each with fresh random parameters per image."""
    for op in ops:
        x = _OPS[op](x)
    return x
