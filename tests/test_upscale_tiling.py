"""Tiled inference: coverage, blending weights, and no seams (crop mode is exact, feather mode is smooth)."""

from __future__ import annotations

import numpy as np
import pytest

from skyasset.upscale.tiling import feather_ramp, run_tiled, tile_starts


def _box_blur_x4(tile: np.ndarray) -> np.ndarray:
    """A stand-in network with a 3 px receptive radius and zero padding (so tile edges differ)."""
    padded = np.pad(tile, ((0, 0), (3, 3), (3, 3)))
    acc = np.zeros_like(tile)
    for dy in range(7):
        for dx in range(7):
            acc += padded[:, dy : dy + tile.shape[1], dx : dx + tile.shape[2]]
    return (acc / 49).repeat(4, axis=1).repeat(4, axis=2)


@pytest.mark.parametrize(
    "length,tile,overlap", [(100, 32, 8), (32, 32, 8), (20, 32, 8), (257, 256, 16), (1024, 512, 16), (777, 64, 20)]
)
def test_tile_starts_cover_with_overlap(length: int, tile: int, overlap: int) -> None:
    starts, size = tile_starts(length, tile, overlap)
    assert size <= tile and (size == length or len(starts) > 1)
    covered = np.zeros(length, bool)
    for s in starts:
        covered[s : s + size] = True
        assert s >= 0 and s + size <= length
    assert covered.all()
    assert all(a + size - b >= overlap for a, b in zip(starts, starts[1:], strict=False))
    # few tiles: one fewer could not cover the length with this overlap
    n = len(starts)
    assert n == 1 or (n - 1) * tile - (n - 2) * overlap < length


def test_feather_ramp_is_positive_and_cross_fades_to_one() -> None:
    ramp = feather_ramp(64, 16, 16)
    assert ramp.min() > 0 and ramp.max() == 1
    assert ramp[0] < 1e-5 and ramp[-1] < 1e-5  # tile edges carry no weight
    # two neighbours overlapping by 16 sum to exactly 1 over the overlap
    np.testing.assert_allclose(ramp[-16:] + ramp[:16], 1.0, atol=1e-5)


def test_pointwise_network_is_reproduced_exactly_in_both_modes() -> None:
    image = np.random.default_rng(0).random((3, 70, 90), dtype=np.float32)
    want = image.repeat(4, axis=1).repeat(4, axis=2)
    for blend in ("crop", "feather"):
        got = run_tiled(image, lambda t: t.repeat(4, 1).repeat(4, 2), scale=4, tile=32, overlap=8, blend=blend)
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_crop_mode_equals_whole_image_run_when_overlap_covers_receptive_field() -> None:
    image = np.random.default_rng(1).random((3, 75, 101), dtype=np.float32)
    calls: list[tuple[int, int]] = []
    got = run_tiled(
        image, _box_blur_x4, scale=4, tile=32, overlap=8, blend="crop", progress=lambda d, t: calls.append((d, t))
    )
    np.testing.assert_allclose(got, _box_blur_x4(image), atol=1e-6)
    assert calls[-1][0] == calls[-1][1] == len(calls) == 3 * 4


def test_crop_mode_with_too_little_overlap_shows_the_seam() -> None:
    """Guards the test above: it must be able to fail."""
    image = np.random.default_rng(1).random((3, 75, 101), dtype=np.float32)
    got = run_tiled(image, _box_blur_x4, scale=4, tile=32, overlap=2, blend="crop")
    assert np.abs(got - _box_blur_x4(image)).max() > 0.05


def test_feather_mode_leaves_no_seam() -> None:
    """With a zero-padded network, plain tiling darkens tile edges; feathering keeps them invisible."""
    image = np.full((3, 64, 160), 0.6, dtype=np.float32)
    got = run_tiled(image, _box_blur_x4, scale=4, tile=48, overlap=16, blend="feather")
    interior = got[:, 16:-16, 16:-16]  # away from the true image border, where zero padding is expected
    assert np.abs(interior - 0.6).max() < 0.02
    hard = run_tiled(image, _box_blur_x4, scale=4, tile=48, overlap=0 + 1, blend="crop")[:, 16:-16, 16:-16]
    assert np.abs(hard - 0.6).max() > 0.1


def test_bad_overlap_is_refused() -> None:
    with pytest.raises(ValueError):
        run_tiled(np.zeros((3, 8, 8), np.float32), _box_blur_x4, scale=4, tile=8, overlap=8)
