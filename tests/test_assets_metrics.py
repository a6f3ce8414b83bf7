"""The seam and redundancy metrics respond to what they claim to measure."""

from __future__ import annotations

import cv2
import numpy as np

from skyasset.assets import cube_edge_score, equirect_to_faces, unique_pixel_share, wrap_seam_score
from skyasset.assets.metrics import period_correlation, sky_detail_share


def smooth_noise(h: int = 128, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = cv2.GaussianBlur(rng.random((h, 2 * h, 3)).astype(np.float32), (0, 0), 3)
    img = np.concatenate([img, img[:, :8]], axis=1)  # make it periodic before cropping
    return cv2.GaussianBlur(img, (0, 0), 2)[:, 4 : 4 + 2 * h]


def periodic_texture(h: int = 128) -> np.ndarray:
    """Sum of sines that is continuous across the wrap."""
    y, x = np.mgrid[0:h, 0 : 2 * h].astype(np.float32)
    lon = (x + 0.5) / (2 * h) * 2 * np.pi
    chans = [0.5 + 0.2 * np.sin(k * lon + y / (5 + k)) + 0.1 * np.cos(3 * k * lon) for k in (3, 5, 7)]
    return np.stack(chans, axis=-1).astype(np.float32)


def test_wrap_seam_is_about_one_for_continuous_and_large_for_a_cut() -> None:
    img = periodic_texture()
    assert 0.5 < wrap_seam_score(img) < 1.5
    cut = np.roll(img, img.shape[1] // 3, axis=1)[:, ::-1].copy()
    cut = np.concatenate([img[:, : img.shape[1] // 2], cut[:, img.shape[1] // 2 :]], axis=1)
    assert wrap_seam_score(np.roll(cut, img.shape[1] // 2, axis=1)) > 3.0


def test_cube_edge_score_detects_a_rotated_face() -> None:
    faces = equirect_to_faces(periodic_texture(256), 64)
    good = cube_edge_score(faces)
    assert good < 1.5
    broken = dict(faces, left=np.rot90(faces["left"]).copy())
    assert cube_edge_score(broken) > 2 * good


def test_unique_share_mirror_half_and_distinct_full() -> None:
    img = smooth_noise()
    assert unique_pixel_share(img) > 0.95
    half = img[:, : img.shape[1] // 2]
    assert abs(unique_pixel_share(np.concatenate([half, half[:, ::-1]], axis=1)) - 0.5) < 0.05
    assert abs(unique_pixel_share(np.concatenate([half, half], axis=1)) - 0.5) < 0.05


def test_period_correlation_is_high_for_six_repeated_tiles_and_low_for_distinct_sky() -> None:
    tile = smooth_noise(h=256)[:, :86]
    repeated = np.concatenate([tile] * 6, axis=1)[:, :512]
    assert period_correlation(repeated) > 0.9
    assert abs(period_correlation(smooth_noise(h=256, seed=3))) < 0.2


def test_period_correlation_ignores_the_vertical_gradient() -> None:
    rows = np.linspace(0.2, 0.9, 256, dtype=np.float32)[:, None, None]
    sky = np.broadcast_to(rows, (256, 512, 3)).copy()
    sky += 0.05 * smooth_noise(h=256, seed=5)
    assert abs(period_correlation(sky)) < 0.2


def test_detail_share_sees_a_flat_cap_and_clouds_overhead() -> None:
    sky = np.clip((smooth_noise(h=256, seed=1) - 0.5) * 4 + 0.5, 0, 1)  # cloud-like contrast
    assert sky_detail_share(sky) > 0.95
    flat_cap = sky.copy()
    flat_cap[: 256 // 4] = np.linspace(0.3, 0.5, 256 // 4, dtype=np.float32)[:, None, None]
    assert sky_detail_share(flat_cap) < 0.05
