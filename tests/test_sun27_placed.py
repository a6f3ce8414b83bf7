"""Issue 27, one sun: a sun placed from the seed shows as a sun in the PNG, or the sidecar says there is none.

Synthetic skies pin the placement's choices (room in blue sky, no merging with white cloud, none where there is
no room); real skies from the bundled default model (ONNX Runtime) and the real files check the three positions
agree for the clear types whose placed suns used to vanish next to bright cloud.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

import skyasset
from skyasset.assets.hdr import read_hdr
from skyasset.assets.sun_measures import hdr_hot_spots, sun_disagreement_deg
from skyasset.assets.sun_place import (
    PLACED_ELEVATION_DEG,
    SUN_LOOKS,
    WIDE_ELEVATION_DEG,
    SunRequest,
    angle_between_deg,
    angles_from_uv,
    choose_sun_position,
    decide_sun,
    find_visible_sun,
    paint_display_sun,
    uv_from_angles,
)
from skyasset.generator import SkyGenerator

H, W = 256, 512


def _blue_sky() -> np.ndarray:
    """A plain blue sky, lighter towards the horizon (sRGB)."""
    sky = np.broadcast_to(np.linspace(0.45, 0.75, H, dtype=np.float32)[:, None, None], (H, W, 3)).copy()
    return sky * np.array([0.55, 0.75, 1.0], np.float32)


def _cloudy_sky(gap_azimuth: float) -> np.ndarray:
    """A blue sky with clipped white cloud puffs (as generated skies have) over about a third of the upper
    hemisphere, except in one clear gap about 40 degrees wide at 40 degrees of elevation and ``gap_azimuth``."""
    sky = _blue_sky()
    yy, xx = np.mgrid[0:H, 0:W]
    puffs = (np.sin(xx / 6.0) * np.sin(yy / 5.0) > 0.3) & (yy < H // 2)
    u, v = uv_from_angles(40.0, gap_azimuth)
    gap = ((yy - v * H) / 28.0) ** 2 + ((xx - u * W) / 40.0) ** 2 <= 1.0
    sky[puffs & ~gap] = np.array([0.96, 0.97, 0.98], np.float32)
    return cv2.GaussianBlur(sky, (0, 0), 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_placed_sun_goes_where_there_is_room_and_shows(seed: int) -> None:
    sky = _cloudy_sky(gap_azimuth=100.0)
    assert find_visible_sun(sky) is None
    place = choose_sun_position(sky, seed, SUN_LOOKS["clear"])
    assert place is not None
    assert angle_between_deg(place, uv_from_angles(40.0, 100.0)) < 20.0  # in the blue gap, not the white cloud
    seen = find_visible_sun(paint_display_sun(sky, *place, SUN_LOOKS["clear"]))
    assert seen is not None and angle_between_deg((seen.u, seen.v), place) < 1.0
    elevation = angles_from_uv(*place)[0]
    assert WIDE_ELEVATION_DEG[0] <= elevation <= WIDE_ELEVATION_DEG[1]


def test_a_blue_sky_gets_its_sun_at_a_natural_elevation() -> None:
    for seed in range(5):
        place = choose_sun_position(_blue_sky(), seed, SUN_LOOKS["clear"])
        assert place is not None
        assert PLACED_ELEVATION_DEG[0] <= angles_from_uv(*place)[0] <= PLACED_ELEVATION_DEG[1]
    places = {choose_sun_position(_blue_sky(), seed, SUN_LOOKS["clear"]) for seed in range(5)}
    assert len(places) == 5  # the seed chooses


def test_no_room_means_no_sun_and_the_sidecar_says_so() -> None:
    """A clear type whose sky is white cloud all over: a painted sun would not show, so none is placed."""
    white = _blue_sky()
    white[: H // 2] = np.array([0.95, 0.96, 0.97], np.float32)
    decision, display = decide_sun(white, SunRequest("auto"), cloud="Cu", seed=4)
    assert decision.source == "none" and not decision.present
    assert display is white


@pytest.mark.parametrize("weather", ["clear", "hazy"])
def test_the_painted_core_stays_round_beside_a_white_cloud(weather: str) -> None:
    """A sun 9 degrees from a clipped white cloud: its glare whitens the cloud's edge but the core it makes
    stays a disc of its own (the glare is screened over the sky, not added to it)."""
    sky = _blue_sky()
    u, v = uv_from_angles(35.0, 0.0)
    cloud_u = u + 9.0 / 360.0
    yy, xx = np.mgrid[0:H, 0:W]
    cloud = ((yy - v * H) / 10.0) ** 2 + ((xx - (cloud_u * W + 12)) / 12.0) ** 2 <= 1.0
    sky[cloud] = 0.97
    painted = paint_display_sun(sky, u, v, SUN_LOOKS[weather])
    seen = find_visible_sun(painted)
    assert seen is not None and angle_between_deg((seen.u, seen.v), (u, v)) < 1.0
    assert 4.0 < seen.diameter_deg < 12.0


@pytest.fixture(scope="module")
def model() -> SkyGenerator:
    return SkyGenerator(None)  # the bundled default model


@pytest.mark.parametrize(("cloud", "seed"), [("Ac", 0), ("Cs", 1), ("Sc", 0), ("Cu", 0)])
def test_auto_sun_agrees_in_sidecar_png_and_hdr(model: SkyGenerator, tmp_path: Path, cloud: str, seed: int) -> None:
    """Clear types whose placed suns used to vanish in the PNG: now one sun everywhere, or none everywhere."""
    result = skyasset.generate(cloud, seed, tmp_path / "sky.png", size=1024, hdr=True, model=model)
    sun = json.loads((tmp_path / "sky.json").read_text())["sun"]
    assert sun == result.sun and sun["source"] in ("placed", "detected", "none")
    png = cv2.imread(str(tmp_path / "sky.png"))[..., ::-1]
    hdr = read_hdr(tmp_path / "sky.hdr")
    assert hdr_hot_spots(hdr) == int(sun["present"])
    assert sun_disagreement_deg(sun, png, hdr) < 2.0
    if sun["source"] == "placed":
        assert WIDE_ELEVATION_DEG[0] <= sun["elevation_deg"] <= WIDE_ELEVATION_DEG[1]
