"""Progress images of a run: the grid layout, fixed seeds, and the noise measure behind the speckle check."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tests._train_helpers import one_torch_thread  # noqa: E402, F401
from training.networks import Generator, get_config  # noqa: E402
from training.progress import generate_grid_images, image_grid, noise_rms  # noqa: E402


def _tiny_generator() -> torch.nn.Module:
    torch.manual_seed(0)
    return Generator(**get_config("tiny").generator_kwargs()).eval()


def test_image_grid_places_images_row_by_row_after_the_label_column() -> None:
    images = np.zeros([6, 3, 4, 5], np.uint8)
    for i in range(6):
        images[i] = 40 * i
    grid = np.asarray(image_grid(images, rows=2, labels=["Ac", "As"]))
    assert grid.shape == (8, 28 + 3 * 5, 3)
    assert grid[0, 28, 0] == 0 and grid[0, 28 + 5, 0] == 40 and grid[4, 28 + 10, 0] == 200
    with pytest.raises(ValueError, match="do not fill"):
        image_grid(images[:5], rows=2)


def test_grid_images_repeat_the_same_seeds_for_every_class() -> None:
    G = _tiny_generator()
    a = generate_grid_images(G, columns=3)
    assert a.shape == (11 * 3, 3, 32, 32) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, generate_grid_images(G, columns=3))  # fixed seeds, const noise


def test_noise_rms_is_zero_without_noise_and_grows_with_the_noise_strength() -> None:
    G = _tiny_generator()
    assert noise_rms(G, columns=2) == pytest.approx(0.0, abs=1e-6)  # noise strengths start at 0
    with torch.no_grad():
        for name, p in G.named_parameters():
            if name.endswith("noise_strength"):
                p.fill_(0.3)
    loud = noise_rms(G, columns=2)
    with torch.no_grad():
        G.synthesis.b32.conv1.noise_strength.fill_(3.0)
    assert 0.001 < loud < noise_rms(G, columns=2)
    state = torch.random.get_rng_state()
    noise_rms(G, columns=2)
    assert torch.equal(state, torch.random.get_rng_state())  # the caller's random stream is untouched


def test_cpu_configs_share_widths_per_resolution_so_lean64_splices_into_lean128() -> None:
    from training.networks.synthesis import channel_widths

    lean64, lean128 = get_config("lean64"), get_config("lean128")
    assert (lean64.resolution, lean128.resolution) == (64, 128)
    w64 = channel_widths([4, 8, 16, 32, 64], lean64.channel_base, lean64.channel_max)
    w128 = channel_widths([4, 8, 16, 32, 64, 128], lean128.channel_base, lean128.channel_max)
    assert all(w128[r] == w for r, w in w64.items()) and w128[128] == 32
