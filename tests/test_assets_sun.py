"""The sun reported with every skybox: found where it is, as strong as it is, in image terms."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import skyasset
from skyasset.assets.sun import estimate_sun


def _sky_with_sun(u: float, v: float, width: int = 2048, peak: float = 5000.0) -> np.ndarray:
    h = width // 2
    sky = np.full((h, width, 3), 0.3, np.float32)
    rows, cols = np.mgrid[0:h, 0:width]
    du = np.minimum(np.abs(cols / width - u), 1 - np.abs(cols / width - u)) * width
    dv = (rows / h - v) * h
    sky[(du**2 + dv**2) < (width / 360) ** 2] = peak  # a disc of about one degree
    return sky


@pytest.mark.parametrize(("u", "v"), [(0.25, 0.2), (0.9, 0.4), (0.01, 0.1)])
def test_finds_the_sun_where_it_is(u: float, v: float) -> None:
    found = estimate_sun(_sky_with_sun(u, v))
    assert min(abs(found.u - u), 1 - abs(found.u - u)) < 0.004 and abs(found.v - v) < 0.004
    assert found.elevation_deg == pytest.approx(90 - 180 * v, abs=1.0)
    assert found.distinct and found.angle_deg < 5
    # A disc of one-degree radius in pixels spans cos(elevation) of that in solid angle.
    disc = math.pi * (math.pi / 180) ** 2 * math.cos(math.radians(90 - 180 * v))
    assert found.irradiance == pytest.approx(5000 * disc, rel=0.2)


def test_overcast_has_no_distinct_sun() -> None:
    rng = np.random.default_rng(0)
    found = estimate_sun(0.5 + 0.02 * rng.random((512, 1024, 3), dtype=np.float32))
    assert not found.distinct


def test_sun_is_in_the_answer_and_the_sidecar(tiny_bundle_path: Path, tmp_path: Path) -> None:
    result = skyasset.generate("Cu", 3, tmp_path / "sky.png", model=str(tiny_bundle_path), size=512, hdr=True)
    answer = result.to_json()["sun"]
    assert set(answer) == {
        "u",
        "v",
        "elevation_deg",
        "azimuth_deg",
        "irradiance",
        "angle_deg",
        "contrast",
        "distinct",
        "present",
        "source",
    }
    assert answer["present"] and answer["source"] in ("detected", "placed")
    assert json.loads((tmp_path / "sky.json").read_text())["sun"] == answer
    from skyasset.assets.hdr import read_hdr

    radiance = read_hdr(tmp_path / "sky.hdr")
    direct = estimate_sun(radiance)
    assert answer["u"] == pytest.approx(direct.u, abs=0.02) and answer["v"] == pytest.approx(direct.v, abs=0.02)
    flat = skyasset.generate("Cu", 3, tmp_path / "flat.png", model=str(tiny_bundle_path), layout="flat")
    assert flat.to_json()["sun"] is None
