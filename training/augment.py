"""ADA for skies: differentiable augmentations that keep the sky up, and the r_t controller of their strength.

Every augmentation is applied to each image independently with probability ``p`` (the ADA probability):

============  ===============================================================================================
xflip         mirror left-right (skies have no handedness; no vertical flip: the ground stays down)
translate     integer-pixel shift, uniform up to ``translate_max`` of the side (reflection padding)
scale         isotropic zoom, ``2 ** N(0, scale_std)``
rotate        small roll, uniform in +-``rotate_max_deg`` (no 90-degree rotations)
brightness    add ``N(0, brightness_std)`` (images are in [-1, 1])
contrast      multiply by ``2 ** N(0, contrast_std)`` around mid grey
saturation    scale the chroma around the luma by ``2 ** N(0, saturation_std)``
cutout        zero a square of ``cutout_size`` of the side at a random centre
============  ===============================================================================================

The geometric ones are combined into one affine matrix per image and applied with one ``grid_sample``, whose
double backward (needed by R1 through augmented reals) is provided by ``_GridSample``.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

__all__ = ["AugmentPipe", "AdaController"]

_PADDING_REFLECTION = 2  # aten's padding_mode code for 'reflection'
_BILINEAR = 0


class _GridSample(torch.autograd.Function):
    """``grid_sample(x, grid)`` (bilinear, reflection) differentiable twice w.r.t. ``x``; ``grid`` is constant."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(grid)
        ctx.x_shape = x.shape
        ctx.x_dtype = x.dtype
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor, None]:
        (grid,) = ctx.saved_tensors
        return _GridSampleBackward.apply(grad_out, grid, ctx.x_shape, ctx.x_dtype), None


class _GridSampleBackward(torch.autograd.Function):
    """The input gradient of ``grid_sample``: linear in ``grad_out``, so its own gradient is ``grid_sample``."""

    @staticmethod
    def forward(
        ctx: Any, grad_out: torch.Tensor, grid: torch.Tensor, x_shape: torch.Size, x_dtype: torch.dtype
    ) -> torch.Tensor:
        ctx.save_for_backward(grid)
        dummy = torch.empty(x_shape, dtype=x_dtype, device=grad_out.device)
        grad_x, _ = torch.ops.aten.grid_sampler_2d_backward(
            grad_out, dummy, grid, _BILINEAR, _PADDING_REFLECTION, False, [True, False]
        )
        return grad_x

    @staticmethod
    def backward(ctx: Any, grad2: torch.Tensor) -> tuple[torch.Tensor, None, None, None]:
        (grid,) = ctx.saved_tensors
        return _GridSample.apply(grad2, grid), None, None, None


def _rotation(theta: torch.Tensor) -> torch.Tensor:
    c, s = torch.cos(theta), torch.sin(theta)
    z, o = torch.zeros_like(theta), torch.ones_like(theta)
    return torch.stack([torch.stack([c, -s, z], -1), torch.stack([s, c, z], -1), torch.stack([z, z, o], -1)], 1)


def _diag(sx: torch.Tensor, sy: torch.Tensor) -> torch.Tensor:
    z, o = torch.zeros_like(sx), torch.ones_like(sx)
    return torch.stack([torch.stack([sx, z, z], -1), torch.stack([z, sy, z], -1), torch.stack([z, z, o], -1)], 1)


def _shift(tx: torch.Tensor, ty: torch.Tensor) -> torch.Tensor:
    z, o = torch.zeros_like(tx), torch.ones_like(tx)
    return torch.stack([torch.stack([o, z, tx], -1), torch.stack([z, o, ty], -1), torch.stack([z, z, o], -1)], 1)


class AugmentPipe(torch.nn.Module):
    """Sky-safe ADA augmentations; the probability is the buffer ``p`` (set by ``AdaController``)."""

    p: torch.Tensor  # registered buffer: the augmentation probability, set by AdaController

    def __init__(
        self,
        xflip: float = 1,  # Probability multiplier of each augmentation, 0 = off.
        translate: float = 1,
        scale: float = 1,
        rotate: float = 1,
        brightness: float = 1,
        contrast: float = 1,
        saturation: float = 1,
        cutout: float = 1,
        translate_max: float = 0.125,  # Largest shift, fraction of the image side.
        scale_std: float = 0.2,  # Log2 std of the zoom.
        rotate_max_deg: float = 10.0,  # Largest roll in degrees.
        brightness_std: float = 0.2,  # Std of the added brightness.
        contrast_std: float = 0.5,  # Log2 std of the contrast factor.
        saturation_std: float = 1.0,  # Log2 std of the saturation factor.
        cutout_size: float = 0.5,  # Side of the cutout square, fraction of the image side.
    ) -> None:
        super().__init__()
        self.register_buffer("p", torch.zeros([]))
        self.probs = dict(
            xflip=xflip,
            translate=translate,
            scale=scale,
            rotate=rotate,
            brightness=brightness,
            contrast=contrast,
            saturation=saturation,
            cutout=cutout,
        )
        self.translate_max = translate_max
        self.scale_std = scale_std
        self.rotate_max = math.radians(rotate_max_deg)
        self.brightness_std = brightness_std
        self.contrast_std = contrast_std
        self.saturation_std = saturation_std
        self.cutout_size = cutout_size

    def _gate(self, name: str, n: int, device: torch.device) -> torch.Tensor:
        """1 for the images that get augmentation ``name`` this time, else 0."""
        prob = self.p * self.probs[name]
        return (torch.rand([n], device=device) < prob).to(torch.float32)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Augment ``images`` ``[N, C, H, W]`` (float, nominal range [-1, 1]); identity when ``p == 0``."""
        if float(self.p) <= 0:
            return images
        n, ch, h, w = images.shape
        dev = images.device
        x = images.to(torch.float32)

        # Geometric: the matrix maps output coordinates (normalised [-1, 1]) to input coordinates.
        m = torch.eye(3, device=dev).repeat(n, 1, 1)
        g = self._gate("xflip", n, dev)
        m = m @ _diag(1 - 2 * g * torch.randint(0, 2, [n], device=dev), torch.ones(n, device=dev))
        g = self._gate("translate", n, dev)
        shift = (
            torch.round(
                (torch.rand([n, 2], device=dev) * 2 - 1)
                * self.translate_max
                * torch.tensor([w, h], device=dev, dtype=torch.float32)
            )
            * g[:, None]
        )
        m = m @ _shift(shift[:, 0] * 2 / w, shift[:, 1] * 2 / h)
        g = self._gate("scale", n, dev)
        s = torch.exp2(torch.randn([n], device=dev) * self.scale_std * g)
        m = m @ _diag(1 / s, 1 / s)
        g = self._gate("rotate", n, dev)
        m = m @ _rotation((torch.rand([n], device=dev) * 2 - 1) * self.rotate_max * g)
        if not torch.equal(m, torch.eye(3, device=dev).expand(n, 3, 3)):
            grid = F.affine_grid(m[:, :2, :], [n, ch, h, w], align_corners=False)
            x = _GridSample.apply(x, grid)

        # Colour.
        g = self._gate("brightness", n, dev)
        x = x + (torch.randn([n], device=dev) * self.brightness_std * g)[:, None, None, None]
        g = self._gate("contrast", n, dev)
        x = x * torch.exp2(torch.randn([n], device=dev) * self.contrast_std * g)[:, None, None, None]
        if ch == 3:
            g = self._gate("saturation", n, dev)
            sat = torch.exp2(torch.randn([n], device=dev) * self.saturation_std * g)[:, None, None, None]
            luma = (x * torch.tensor([0.299, 0.587, 0.114], device=dev)[None, :, None, None]).sum(1, keepdim=True)
            x = luma + (x - luma) * sat

        # Cutout.
        g = self._gate("cutout", n, dev)
        if bool(g.any()):
            centre = torch.rand([n, 2, 1, 1], device=dev)
            yy = (torch.arange(h, device=dev, dtype=torch.float32)[None, :, None] + 0.5) / h
            xx = (torch.arange(w, device=dev, dtype=torch.float32)[None, None, :] + 0.5) / w
            inside = ((xx - centre[:, 0]).abs() < self.cutout_size / 2) & (
                (yy - centre[:, 1]).abs() < self.cutout_size / 2
            )
            keep = 1 - inside.to(torch.float32) * g[:, None, None]
            x = x * keep[:, None]
        return x.to(images.dtype)


class AdaController:
    """Adjust ``pipe.p`` from the overfitting heuristic ``r_t = E[sign(D(real))]`` (Karras et al. 2020).

    Every ``interval`` steps, ``p += sign(r_t - target) * batch * interval / (ada_kimg * 1000)``, so ``p`` can
    go from 0 to 1 in ``ada_kimg`` thousand images. In multi-process runs the sign sums are all-reduced.
    """

    def __init__(self, pipe: AugmentPipe, *, target: float = 0.6, interval: int = 4, ada_kimg: float = 500) -> None:
        self.pipe = pipe
        self.target = target
        self.interval = interval
        self.ada_kimg = ada_kimg
        self._sum = 0.0
        self._count = 0
        self.last_rt: float | None = None

    def accumulate(self, real_logits: torch.Tensor) -> None:
        self._sum += float(torch.sign(real_logits.detach()).sum())
        self._count += int(real_logits.numel())

    def update(self, step: int, batch_size: int) -> None:
        """Call once per step after the D phase; adjusts ``p`` every ``interval`` steps."""
        if step % self.interval != self.interval - 1:
            return
        stats = torch.tensor([self._sum, float(self._count)], dtype=torch.float64)
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            torch.distributed.all_reduce(stats)
        self._sum, self._count = 0.0, 0
        if stats[1] <= 0:
            return
        self.last_rt = float(stats[0] / stats[1])
        adjust = math.copysign(1.0, self.last_rt - self.target) * batch_size * self.interval / (self.ada_kimg * 1000)
        self.pipe.p.copy_((self.pipe.p + adjust).clamp(0, 1))
