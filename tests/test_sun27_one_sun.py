"""Issue 27, one sun: ``--sun``, one decision per sky, one HDR disc, and the sidecar, PNG and HDR agreeing.

Real files, the real default model (ONNX Runtime) and the real CLI entry point; the two CC0 reference skies are
read when present (skipped otherwise).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

import skyasset
from skyasset.assets.cubemap import faces_to_equirect, unpack_faces
from skyasset.assets.hdr import expand_to_hdr, read_hdr
from skyasset.assets.sun_measures import hdr_hot_spots, hdr_sun_position, sun_disagreement_deg
from skyasset.assets.sun_place import (
    SUN_LOOKS,
    WIDE_ELEVATION_DEG,
    SunRequest,
    angle_between_deg,
    find_visible_sun,
    paint_display_sun,
    parse_sun,
    uv_from_angles,
)
from skyasset.cli.app import main
from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "skies"
CLEAR = REFERENCE / "kloofendal_48d_partly_cloudy_puresky_1k.hdr"
HAZY = REFERENCE / "evening_road_01_puresky_1k.hdr"
SIZE = 512


@pytest.fixture(scope="module")
def model() -> SkyGenerator:
    return SkyGenerator(None)  # the bundled default model


# --- the option -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, SunRequest("auto")),
        ("auto", SunRequest("auto")),
        (" None ", SunRequest("none")),
        ("35,120", SunRequest("given", 35.0, 120.0)),
        ("0, -90", SunRequest("given", 0.0, 270.0)),
        ((90, 720.5), SunRequest("given", 90.0, 0.5)),
    ],
)
def test_parse_sun_accepts(value: object, expected: SunRequest) -> None:
    assert parse_sun(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["", "sunny", "35", "35,120,3", "95,10", "-1,10", "nan,3", "3,inf", (1, 2, 3), True])
def test_parse_sun_refuses_with_the_fix(value: object) -> None:
    with pytest.raises(SkyassetError) as caught:
        parse_sun(value)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_argument"
    assert "--sun must be auto, none or ELEVATION,AZIMUTH in degrees, e.g. 35,120" in caught.value.message


def test_cli_refuses_a_bad_sun_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["generate", "-c", "cumulus", "-s", "1", "-o", str(tmp_path / "sky.png"), "--sun", "up", "--json"])
    answer = json.loads(capsys.readouterr().out)
    assert code == 2 and answer["error"]["code"] == "invalid_argument" and "e.g. 35,120" in answer["error"]["message"]
    assert not list(tmp_path.iterdir())


def test_azimuth_convention_is_the_panoramas_longitude() -> None:
    assert uv_from_angles(0.0, 0.0) == (0.5, 0.5)  # the centre column, Unity's +Z
    assert uv_from_angles(45.0, 90.0) == pytest.approx((0.75, 0.25))  # a quarter turn right: +X
    assert uv_from_angles(90.0, -90.0) == pytest.approx((0.25, 0.0))


# --- the HDR: one sun, nothing else hot ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [CLEAR, HAZY], ids=["clear", "hazy"])
def test_each_reference_sky_has_one_hot_spot(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"reference sky not found at {path}")
    radiance = read_hdr(path)
    assert hdr_hot_spots(radiance) == 1
    u, v = hdr_sun_position(radiance) or (0.0, 0.0)
    assert 0.59 < u < 0.63 and v < 0.45  # where each sky's sun (or sunset glow) is


def test_expansion_boosts_no_highlight_into_a_sun() -> None:
    rng = np.random.default_rng(3)
    sky = np.full((256, 512, 3), (0.35, 0.55, 0.85), np.float32)  # blue sky
    for _ in range(12):  # clipped white clouds, as generated skies have
        r, c = int(rng.integers(10, 120)), int(rng.integers(0, 500))
        sky[r : r + 6, c : c + 10] = 1.0
    radiance = expand_to_hdr(sky)
    median = float(np.median(radiance[:128] @ np.array([0.2126, 0.7152, 0.0722], np.float32)))
    assert hdr_hot_spots(radiance) == 0
    assert radiance.max() <= 8.0 * median * 1.01  # the sky keeps a sane range
    ramp = expand_to_hdr(np.linspace(0, 1, 64, dtype=np.float32)[None, :, None].repeat(4, 0).repeat(3, 2))
    assert np.all(np.diff(ramp[0, :, 0]) >= 0)  # monotonic


# --- the decision, painted and lit ------------------------------------------------------------------------


def _positions(tmp_path: Path, stem: str, layout: str, hdr: bool) -> tuple[dict, np.ndarray, np.ndarray | None]:
    """The sidecar's sun and the PNG and HDR equirects, reassembled from any layout's files."""
    sidecar = json.loads((tmp_path / f"{stem}.json").read_text())
    files = sidecar["files"]

    def equirect(fmt: str) -> np.ndarray:
        paths = {f["role"]: Path(f["path"]) for f in files if f["format"] == fmt}

        def read(p: Path) -> np.ndarray:
            return read_hdr(p) if fmt == "hdr" else cv2.imread(str(p))[..., ::-1].astype(np.float32) / 255.0

        if layout == "equirect":
            return read(paths["equirect"])
        if layout == "faces":
            faces = {role.split(":")[1]: read(p) for role, p in paths.items()}
        else:
            faces = unpack_faces(read(paths[layout]), layout)  # type: ignore[arg-type]
        return faces_to_equirect(faces, 4 * faces["front"].shape[0])

    return sidecar["sun"], equirect("png"), equirect("hdr") if hdr else None


@pytest.mark.parametrize("layout", ["equirect", "faces", "cross-h", "cross-v", "dice", "horizon"])
def test_given_sun_agrees_in_every_layout(model: SkyGenerator, tmp_path: Path, layout: str) -> None:
    result = skyasset.generate(
        "cirrus",
        3,
        tmp_path / "sky.png",
        size=SIZE,
        layout=layout,
        hdr=True,
        sun="40,30",
        model=model,  # type: ignore[arg-type]
    )
    sun, png, hdr = _positions(tmp_path, "sky", layout, hdr=True)
    assert sun == result.sun and sun["source"] == "given" and sun["present"]
    assert sun["elevation_deg"] == pytest.approx(40.0) and sun["azimuth_deg"] == pytest.approx(30.0)
    assert hdr is not None and hdr_hot_spots(hdr) == 1
    hdr_at = hdr_sun_position(hdr)
    assert hdr_at is not None and angle_between_deg(hdr_at, uv_from_angles(40.0, 30.0)) < 2.0
    visible = find_visible_sun(png)
    assert visible is not None and angle_between_deg((visible.u, visible.v), (sun["u"], sun["v"])) < 2.0
    assert sun_disagreement_deg(sun, png, hdr) < 2.0


def test_the_sun_is_the_same_with_and_without_hdr(model: SkyGenerator, tmp_path: Path) -> None:
    with_hdr = skyasset.generate("cumulus", 7, tmp_path / "a.png", size=SIZE, hdr=True, model=model)
    without = skyasset.generate("cumulus", 7, tmp_path / "b.png", size=SIZE, hdr=False, model=model)
    assert with_hdr.sun == without.sun  # decided once, on the display picture; irradiance in the HDR's units
    assert with_hdr.sun is not None and with_hdr.sun["present"] and with_hdr.sun["irradiance"] > 0
    png_a = cv2.imread(str(tmp_path / "a.png"))
    assert np.array_equal(png_a, cv2.imread(str(tmp_path / "b.png")))
    sun, png, hdr = _positions(tmp_path, "a", "equirect", hdr=True)
    assert hdr is not None and hdr_hot_spots(hdr) == 1 and sun_disagreement_deg(sun, png, hdr) < 2.0


def test_none_has_no_sun(model: SkyGenerator, tmp_path: Path) -> None:
    result = skyasset.generate("cumulus", 7, tmp_path / "cu.png", size=SIZE, hdr=True, sun="none", model=model)
    sun, png, hdr = _positions(tmp_path, "cu", "equirect", hdr=True)
    assert sun == result.sun and sun["present"] is False and sun["distinct"] is False
    assert sun["irradiance"] == 0.0 and sun["source"] == "none"
    assert hdr is not None and hdr_hot_spots(hdr) == 0


@pytest.mark.parametrize("cloud", ["stratus", "nimbostratus", "altostratus"])
def test_overcast_types_get_no_placed_sun(model: SkyGenerator, tmp_path: Path, cloud: str) -> None:
    """No sun is invented for an overcast type; one the picture itself shows is still kept (and agrees)."""
    for seed in (0, 1):
        result = skyasset.generate(cloud, seed, tmp_path / f"{seed}.png", size=SIZE, hdr=True, model=model)
        assert result.sun is not None and result.sun["source"] in ("none", "detected")
        sun, png, hdr = _positions(tmp_path, str(seed), "equirect", hdr=True)
        assert hdr is not None and hdr_hot_spots(hdr) == int(sun["present"])
        if not sun["present"]:
            assert sun["irradiance"] == 0.0 and sun_disagreement_deg(sun, png, hdr) == 0.0


def test_a_placed_sun_comes_from_the_seed(model: SkyGenerator, tmp_path: Path) -> None:
    """Cirrus seed 1 shows no sun of its own: one is placed from the seed, the same every time."""
    a = skyasset.generate("cirrus", 1, tmp_path / "a.png", size=SIZE, model=model)
    b = skyasset.generate("cirrus", 1, tmp_path / "b.png", size=SIZE, model=model, force=True)
    assert a.sun == b.sun and a.sun is not None and a.sun["source"] in ("placed", "detected")
    if a.sun["source"] == "placed":  # the natural band; the wider one only where that has no room
        assert WIDE_ELEVATION_DEG[0] <= a.sun["elevation_deg"] <= WIDE_ELEVATION_DEG[1]


def test_painted_sun_is_found_where_it_was_put() -> None:
    sky = np.broadcast_to(np.linspace(0.45, 0.75, 256, dtype=np.float32)[:, None, None], (256, 512, 3)).copy()
    sky *= np.array([0.55, 0.75, 1.0], np.float32)  # a plain blue sky, lighter towards the horizon
    for elevation, azimuth in ((25.0, 0.0), (50.0, 170.0), (70.0, -60.0)):
        u, v = uv_from_angles(elevation, azimuth)
        painted = paint_display_sun(sky, u, v, SUN_LOOKS["clear"])
        found = find_visible_sun(painted)
        assert found is not None and angle_between_deg((found.u, found.v), (u, v)) < 2.0
    assert find_visible_sun(sky) is None


def test_irradiance_lights_like_the_hdr_disc(model: SkyGenerator, tmp_path: Path) -> None:
    """The sidecar's irradiance is the HDR sun's excess over the sky, integrated: what a Sun light needs."""
    result = skyasset.generate("cumulus", 2, tmp_path / "sky.png", size=1024, hdr=True, sun="45,0", model=model)
    radiance = read_hdr(tmp_path / "sky.hdr")
    h, w = radiance.shape[:2]
    lum = radiance @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    median = float(np.median(lum[: h // 2]))
    lat = (0.5 - (np.arange(h) + 0.5) / h) * math.pi
    solid = (2 * math.pi / w) * (math.pi / h) * np.cos(lat)[:, None]
    near = lum > 50.0 * median
    measured = float(((lum - median) * solid)[near].sum())
    assert result.sun is not None and measured == pytest.approx(result.sun["irradiance"], rel=0.25)
    assert 1.0 < result.sun["irradiance"] / median < 3.0  # the clear reference day: 1.9 times its median
