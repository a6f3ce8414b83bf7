"""Sky-safe ADA augmentations and the r_t controller."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from tests._train_helpers import one_torch_thread  # noqa: E402, F401
from training.augment import AdaController, AugmentPipe, _GridSample  # noqa: E402


def _only(name: str, **kw: float) -> AugmentPipe:
    names = ["xflip", "translate", "scale", "rotate", "brightness", "contrast", "saturation", "cutout"]
    pipe = AugmentPipe(**{n: float(n == name) for n in names}, **kw)
    pipe.p.fill_(1.0)
    return pipe


def test_p_zero_is_identity() -> None:
    x = torch.rand(4, 3, 16, 16)
    assert AugmentPipe()(x) is x


def test_xflip_is_exact_mirror_or_identity() -> None:
    torch.manual_seed(0)
    x = torch.rand(32, 3, 8, 8)
    y = _only("xflip")(x)
    flipped = torch.isclose(y, x.flip(3), atol=1e-5).flatten(1).all(1)
    same = torch.isclose(y, x, atol=1e-5).flatten(1).all(1)
    assert bool((flipped | same).all()) and 4 < int(flipped.sum()) < 28


def test_translation_is_integer_pixels() -> None:
    torch.manual_seed(1)
    x = torch.rand(16, 3, 32, 32)
    y = _only("translate")(x)
    for i in range(16):  # some integer shift reproduces the interior exactly
        ok = any(
            torch.allclose(y[i, :, 8:24, 8:24], x[i, :, 8 - dy : 24 - dy, 8 - dx : 24 - dx], atol=1e-5)
            for dy in range(-4, 5)
            for dx in range(-4, 5)
        )
        assert ok, i


def test_geometry_keeps_the_sky_up() -> None:
    """No vertical flips or 90-degree turns: a bright top stays brighter than the bottom."""
    torch.manual_seed(2)
    ramp = torch.linspace(1, -1, 32)[None, None, :, None].expand(64, 3, 32, 32).contiguous()
    pipe = AugmentPipe(brightness=0, contrast=0, saturation=0, cutout=0)
    pipe.p.fill_(1.0)
    y = pipe(ramp)
    assert bool((y[:, :, :12].mean((1, 2, 3)) > y[:, :, 20:].mean((1, 2, 3)) + 0.5).all())


def test_grid_sample_twice_differentiable() -> None:
    x = torch.randn(1, 1, 4, 4, dtype=torch.float64, requires_grad=True)
    theta = torch.tensor([[[0.9, 0.2, 0.1], [-0.1, 1.1, 0.05]]], dtype=torch.float64)
    grid = F.affine_grid(theta, [1, 1, 4, 4], align_corners=False)
    assert torch.autograd.gradgradcheck(lambda a: _GridSample.apply(a, grid), (x,))
    ref = F.grid_sample(x, grid, padding_mode="reflection", align_corners=False)
    assert torch.allclose(_GridSample.apply(x, grid), ref)


def test_ada_controller_moves_p_with_rt() -> None:
    pipe = AugmentPipe()
    ada = AdaController(pipe, target=0.6, interval=2, ada_kimg=1)
    for step in range(4):  # D confident on reals: r_t = 1 > 0.6, p rises by 8 * 2 / 1000 per update
        ada.accumulate(torch.ones(8, 1))
        ada.update(step, 8)
    assert ada.last_rt == 1.0 and float(pipe.p) == pytest.approx(0.032)
    for step in range(4, 8):
        ada.accumulate(-torch.ones(8, 1))
        ada.update(step, 8)
    assert float(pipe.p) == pytest.approx(0.0)
