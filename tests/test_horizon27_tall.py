"""Issue 27, item 3: tall ground (hills, forests up to 25 degrees) on the horizon is removed by lowering the sky
over it, counted by the dark-blob measure, and grey cloud bases and storm clouds beside it are kept."""

from __future__ import annotations

import time

import numpy as np
import pytest

from skyasset.assets.ground_blobs import MAX_BLOB_DEG, TALL_BAND_DEG, fill_ground_blobs, tall_ground_mask
from skyasset.assets.horizon_metrics import dark_blob_share
from skyasset.assets.native import NativeOptions, assemble_native
from skyasset.assets.sphere import luminance

HILL = (0.08, 0.1, 0.05)  # a black-green wooded hill
CLOUD_BASE = (0.62, 0.64, 0.68)  # a grey cloud base, lit from the side
STORM = (0.42, 0.43, 0.47)  # a dark storm cloud standing on the horizon: grey, not as dark as ground
SIDE, TILES = 64, 6  # a native canvas of 6 views, one degree per row
HORIZON = 48  # the canvas's horizon row (75% of its height)


def _sky(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A blue-to-pale sky with soft white clouds, ``[height, width, 3]``, its last row at the horizon."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    sky = np.array([0.3, 0.5, 0.85], np.float32) * (1 - y) + np.array([0.75, 0.82, 0.9], np.float32) * y
    noise = rng.random((height // 4 + 1, width // 8 + 1)).astype(np.float32)
    clouds = np.kron(noise, np.ones((4, 8), np.float32))[:height, :width]
    return np.clip(sky + np.clip((noise.mean() - 0.1 + clouds - 0.5) * 1.5, 0.0, 0.3)[..., None], 0.0, 1.0)


def _canvas() -> tuple[np.ndarray, slice, slice, slice]:
    """A canvas with a 20-degree dark hill (tile 1), a storm cloud standing on the horizon 20 degrees tall
    (tile 4) and a grey cloud base 4-7 degrees up (tile 5); ground below the horizon. (The sky within about 80
    degrees of longitude of the hill is lowered with it, so the clouds are placed beyond.) Returns the canvas and the
    hill's, the cloud base's and the storm's columns."""
    width = SIDE * TILES
    canvas = np.empty((SIDE, width, 3), np.float32)
    canvas[:HORIZON] = _sky(HORIZON, width)
    canvas[HORIZON:] = (0.18, 0.15, 0.1)
    hill = slice(SIDE + 12, 2 * SIDE - 12)
    centre, half = (hill.start + hill.stop) / 2, (hill.stop - hill.start) / 2
    for col in range(hill.start, hill.stop):
        top = HORIZON - int(round(20 * np.sqrt(max(0.0, 1 - ((col - centre) / half) ** 2))))
        canvas[top:HORIZON, col] = HILL
    storm = slice(4 * SIDE + 16, 5 * SIDE - 16)
    canvas[HORIZON - 20 : HORIZON, storm] = STORM
    base = slice(5 * SIDE + 8, 6 * SIDE - 8)
    canvas[HORIZON - 9 : HORIZON - 4, base] = CLOUD_BASE
    return canvas, hill, base, storm


def _band_of(equirect: np.ndarray, lo_deg: float, hi_deg: float) -> np.ndarray:
    """Rows from ``lo_deg`` to ``hi_deg`` above the horizon of an equirect."""
    h = equirect.shape[0]
    return equirect[int(round(h / 2 - hi_deg / 180 * h)) : int(round(h / 2 - lo_deg / 180 * h))]


def _columns(width: int, cols: slice) -> slice:
    """Equirect columns that show canvas columns ``cols`` (tile 0's centre at the panorama's centre)."""

    def to_eq(c: int) -> int:
        return int(((c - SIDE / 2) / (SIDE * TILES) * width + width / 2) % width)

    return slice(to_eq(cols.start), to_eq(cols.stop))


def _median_colour(pixels: np.ndarray) -> np.ndarray:
    return np.asarray(np.median(pixels.reshape(-1, 3), axis=0))


def test_a_20_degree_hill_is_measured_then_lowered_away_and_cloud_base_and_storm_are_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from skyasset.assets import native

    # The fill is judged on its own: the aerial haze after it pales the lowest 12 degrees of every sky alike; and
    # on the canvas laid unsquashed, one degree per row, so the hill stands 20 degrees tall.
    monkeypatch.setattr(native, "haze_low_sky", lambda sky: sky)
    monkeypatch.setattr(native, "CANVAS_SQUASH", 1.0)
    monkeypatch.setattr(native, "ROW_WANDER", 1.0)
    canvas, hill, base, storm = _canvas()
    # Without detection nothing is painted out: the measure sees the hill (it used to stop at 12 degrees).
    kept = assemble_native(canvas[:HORIZON], 768, NativeOptions(detect=False))
    assert dark_blob_share(kept) > 0.05
    pano = assemble_native(canvas, 768)
    assert dark_blob_share(pano) < 0.002
    hill_band = _band_of(pano, 0.0, 22.0)[:, _columns(768, hill)]
    assert luminance(hill_band).min() > 0.4, luminance(hill_band).min()  # no dark remains in its columns
    # The grey cloud base (2-6 degrees up once the horizon is found) and the storm cloud keep their own colour
    # where the haze of the last degrees (fill.HAZE_DEG), which fades everything alike, is thin.
    cloud = _band_of(pano, 4.0, 5.0)[:, _columns(768, base)]
    np.testing.assert_allclose(_median_colour(cloud), CLOUD_BASE, atol=0.05)
    dark_cloud = _band_of(pano, 8.0, 18.0)[:, _columns(768, storm)]
    np.testing.assert_allclose(_median_colour(dark_cloud), STORM, atol=0.05)


def _upper_with(height_deg: float, colour: tuple[float, float, float], size: int = 128) -> np.ndarray:
    """An upper hemisphere ``[size, 4 size, 3]`` with a block of ``colour`` standing on its horizon over 40
    degrees of longitude, ``height_deg`` tall."""
    upper = _sky(size, 4 * size, seed=4)
    rows = int(round(height_deg * size / 90))
    upper[size - rows :, 60 : 60 + int(40 * 4 * size / 360)] = colour
    return upper


def test_only_dark_tall_ground_is_tall_and_only_the_band_changes() -> None:
    px_per_deg = 512 / 360
    band = slice(128 - int(TALL_BAND_DEG * px_per_deg), 128)
    hill = _upper_with(20.0, HILL)
    assert tall_ground_mask(hill[band], px_per_deg).any()
    assert not tall_ground_mask(_upper_with(20.0, STORM)[band], px_per_deg).any()  # a storm is sky
    assert not tall_ground_mask(_upper_with(30.0, HILL)[band], px_per_deg).any()  # taller than any hill: kept
    small = _upper_with(MAX_BLOB_DEG - 4.0, HILL)
    assert not tall_ground_mask(small[band], px_per_deg).any()  # small blobs keep their own fill
    filled = fill_ground_blobs(hill)
    assert luminance(filled[band]).min() > 0.3 and dark_blob_share(np.concatenate([filled, filled[::-1]])) == 0.0
    np.testing.assert_array_equal(filled[:20], hill[:20])  # the sky above the lowered span is untouched


def test_the_tall_fill_stays_cheap_at_the_working_resolution() -> None:
    hill = _upper_with(20.0, HILL, size=256)
    fill_ground_blobs(hill)
    start = time.perf_counter()
    filled = fill_ground_blobs(hill)
    elapsed = time.perf_counter() - start
    assert luminance(filled[-int(20 * 256 / 90) :]).min() > 0.3
    assert elapsed < 0.15, elapsed  # about 40 ms on two busy cores
