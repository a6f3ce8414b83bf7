"""Exposure and rotation written into a sky's files (`generate --exposure/--rotate`, the studio's look).

Round trips through the real CLI and the repository's own readers: a turned sky is the unturned one's columns
shifted, its sun turned with it; +1 stop doubles the HDR's radiance and the .hdr says so (EXPOSURE=2); a plain
look leaves every file byte for byte as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from skyasset.assets.hdr import read_hdr, read_radiance_exposure
from skyasset.assets.look import check_look, rotation_shift
from skyasset.assets.png import read_png_text
from skyasset.assets.sphere import linear_to_srgb, srgb_to_linear
from skyasset.cli.app import main
from skyasset.errors import SkyassetError

SIZE = 256
BASE = ["generate", "--cloud", "cumulus", "--seed", "7", "--size", str(SIZE), "--hdr"]


def make(folder: Path, *extra: str, name: str = "sky") -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}.png"
    assert main([*BASE, "-o", str(out), *extra, "--json"]) == 0
    return dict(json.loads(out.with_suffix(".json").read_text()))


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plain")
    make(folder)
    return folder


def test_rotate_90_shifts_the_equirect_a_quarter_turn_and_the_sun_with_it(plain: Path, tmp_path: Path) -> None:
    sidecar = make(tmp_path, "--rotate", "90")
    before = json.loads((plain / "sky.json").read_text())
    quarter = SIZE // 4
    np.testing.assert_array_equal(pixels(tmp_path / "sky.png"), np.roll(pixels(plain / "sky.png"), quarter, axis=1))
    np.testing.assert_array_equal(read_hdr(tmp_path / "sky.hdr"), np.roll(read_hdr(plain / "sky.hdr"), quarter, axis=1))
    sun, old = sidecar["sun"], before["sun"]
    assert old["present"], "the test needs a sky with a sun"
    assert sun["azimuth_deg"] == pytest.approx((old["azimuth_deg"] + 90.0) % 360.0, abs=1e-3)
    assert sun["u"] == pytest.approx((old["u"] + 0.25) % 1.0, abs=1e-5)
    assert (sun["elevation_deg"], sun["irradiance"]) == (old["elevation_deg"], old["irradiance"])
    assert sidecar["skyasset"]["rotation_deg"] == 90.0 and "exposure_stops" not in sidecar["skyasset"]
    assert read_png_text(tmp_path / "sky.png")["skyasset:rotation_deg"] == "90.0"


def test_the_cube_faces_are_cut_from_the_turned_sky(tmp_path: Path) -> None:
    make(tmp_path / "plain", "--layout", "faces")
    make(tmp_path / "turned", "--layout", "faces", "--rotate", "90")
    # Turned right by 90 degrees, what was in front (+Z) is at +X, Unity's 6 Sided "left" face, and what was at
    # -X ("right") is in front.
    for was, now in (("front", "left"), ("right", "front")):
        before = pixels(tmp_path / "plain" / f"sky_{was}.png").astype(np.float32)
        after = pixels(tmp_path / "turned" / f"sky_{now}.png").astype(np.float32)
        assert np.abs(before - after).mean() < 0.5, (was, now)


def test_exposure_plus_one_doubles_the_radiance_and_records_it(plain: Path, tmp_path: Path) -> None:
    sidecar = make(tmp_path, "--exposure", "1")
    before = json.loads((plain / "sky.json").read_text())
    radiance, original = read_hdr(tmp_path / "sky.hdr"), read_hdr(plain / "sky.hdr")
    np.testing.assert_array_equal(radiance, 2.0 * original)  # a power of two only changes RGBE's exponent
    assert read_radiance_exposure(tmp_path / "sky.hdr") == 2.0
    assert read_radiance_exposure(plain / "sky.hdr") == 1.0
    # What Radiance's own tools do: divide by EXPOSURE for the radiance before the grade.
    np.testing.assert_array_equal(radiance / read_radiance_exposure(tmp_path / "sky.hdr"), original)
    # The EXR is half float: near zero (subnormals, steps of 6e-8) one step is more than 1e-3 of the value.
    np.testing.assert_allclose(read_hdr(tmp_path / "sky.exr"), 2.0 * read_hdr(plain / "sky.exr"), rtol=1e-3, atol=1e-6)
    # The PNG as the studio's preview shows +1 stop: linear light doubled, clipped at white.
    expected = linear_to_srgb(2.0 * srgb_to_linear(pixels(plain / "sky.png") / 255.0)) * 255.0
    assert np.abs(pixels(tmp_path / "sky.png") - expected).max() <= 2.0
    assert sidecar["sun"]["irradiance"] == pytest.approx(2.0 * before["sun"]["irradiance"], rel=1e-4)
    assert sidecar["skyasset"]["exposure_stops"] == 1.0 and "rotation_deg" not in sidecar["skyasset"]
    assert read_png_text(tmp_path / "sky.png")["skyasset:exposure_stops"] == "1.0"


def test_a_plain_look_leaves_every_file_byte_for_byte(plain: Path, tmp_path: Path) -> None:
    make(tmp_path, "--exposure", "0", "--rotate", "360")
    for path in sorted(plain.iterdir()):
        ours = tmp_path / path.name
        if path.suffix == ".json":  # names its folder
            assert ours.read_text().replace(str(tmp_path), str(plain)) == path.read_text()
        else:
            assert ours.read_bytes() == path.read_bytes(), path.name
    assert b"EXPOSURE" not in (tmp_path / "sky.hdr").read_bytes()[:200]


def test_convert_turns_a_panorama_too(plain: Path, tmp_path: Path) -> None:
    out = tmp_path / "turned.png"
    assert main(["convert", str(plain / "sky.png"), "-o", str(out), "--rotate", "-90", "--sun", "none", "--json"]) == 0
    np.testing.assert_array_equal(pixels(out), np.roll(pixels(plain / "sky.png"), -SIZE // 4, axis=1))
    assert json.loads(out.with_suffix(".json").read_text())["skyasset"]["rotation_deg"] == 270.0


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--exposure", "11"], ["--exposure", "-10 to 10"]),
        (["--exposure", "nan"], ["--exposure", "-10 to 10"]),
        (["--rotate", "400"], ["--rotate", "-360 to 360"]),
        (["--rotate", "-inf"], ["--rotate", "-360 to 360"]),
    ],
)
def test_a_look_out_of_range_is_refused_naming_the_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], words: list[str]
) -> None:
    out = tmp_path / "sky.png"
    assert main([*BASE, "-o", str(out), *extra, "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "invalid_argument" and all(w in error["message"] for w in words)
    assert not list(tmp_path.iterdir()), "nothing is written"


def test_the_look_is_normalised_and_rounded_to_whole_columns() -> None:
    assert check_look(-1.5, -90).rotation_deg == 270.0
    assert check_look(0.0, -0.0).plain and check_look(0.0, 360.0).plain
    assert rotation_shift(2048, 90.0) == 512 and rotation_shift(2048, 0.05) == 0 and rotation_shift(256, 359.9) == 0
    with pytest.raises(SkyassetError):
        check_look(10.5, 0.0)


def test_the_studio_takes_the_look_with_the_request(tiny_bundle_path: Path) -> None:
    from skyasset.generator import SkyGenerator
    from skyasset.studio.params import GenerateParams, parse_params

    gen = SkyGenerator(tiny_bundle_path)
    params = parse_params({"seed": 3, "cloud": gen.classes[0].code, "exposure": 1.5, "rotate": 90}, gen)
    assert (params.exposure, params.rotate) == (1.5, 90.0)
    assert GenerateParams.from_json({"cloud": None, "seed": 3}).exposure == 0.0  # a sky saved before the look
    with pytest.raises(SkyassetError) as err:
        parse_params({"seed": 3, "cloud": gen.classes[0].code, "rotate": 720}, gen)
    assert err.value.code == "invalid_argument" and "-360 to 360" in err.value.message
