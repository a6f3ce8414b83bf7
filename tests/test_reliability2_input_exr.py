"""Issue 28, items 3 and 7: an EXR is measured from its header (channels, parts, size) before its decoder, which
reads every channel, runs; non-finite radiance is repaired by one policy or refused, never passed on as NaN."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skyasset.assets.hdr import read_hdr
from skyasset.convert import convert
from skyasset.errors import SkyassetError
from skyasset.limits import MAX_EXR_CHANNELS, image_size

OpenEXR = pytest.importorskip("OpenEXR")


def _scanline() -> dict[str, object]:
    return {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}  # File() fills it in: one each


def _write(path: Path, channels: dict[str, np.ndarray]) -> Path:
    with OpenEXR.File(_scanline(), channels) as exr:
        exr.write(str(path))
    return path


def _error(call) -> SkyassetError:  # type: ignore[no-untyped-def]
    with pytest.raises(SkyassetError) as caught:
        call()
    return caught.value


def test_an_exr_of_many_channels_is_refused_from_its_header(tmp_path: Path) -> None:
    h, w = 64, 128
    channels = {name: np.ones((h, w), np.float16) for name in "RGB"}
    channels |= {f"aov{i}": np.zeros((h, w), np.float32) for i in range(100)}  # 103 channels, a few KB zipped
    many = _write(tmp_path / "many.exr", channels)
    assert many.stat().st_size < 100_000
    for call in (
        lambda: image_size(many),
        lambda: read_hdr(many),
        lambda: convert(many, "equirect", tmp_path / "o.png"),
    ):
        error = _error(call)
        assert error.code == "invalid_argument" and "103 in all" in error.message and "R, G, B" in error.message
    assert not list(tmp_path.glob("o*"))


def test_rgba_is_read_and_rgb_plus_one_channel_is_the_most(tmp_path: Path) -> None:
    rgba = _write(tmp_path / "rgba.exr", {"RGBA": np.full((32, 64, 4), 0.25, np.float16)})
    assert read_hdr(rgba).shape == (32, 64, 3)
    five = {name: np.ones((32, 64), np.float16) for name in "RGBAZ"}
    assert len(five) > MAX_EXR_CHANNELS
    assert _error(lambda: read_hdr(_write(tmp_path / "five.exr", five))).code == "invalid_argument"


def test_a_multi_part_exr_is_refused(tmp_path: Path) -> None:
    parts = [OpenEXR.Part(_scanline(), {"RGB": np.ones((32, 64, 3), np.float32)}, name=f"view{i}") for i in range(2)]
    with OpenEXR.File(parts) as exr:
        exr.write(str(tmp_path / "parts.exr"))
    error = _error(lambda: convert(tmp_path / "parts.exr", "equirect", tmp_path / "o.png"))
    assert error.code == "invalid_argument" and "multi-part" in error.message


def test_an_all_nan_exr_is_refused(tmp_path: Path) -> None:
    nan = _write(tmp_path / "nan.exr", {"RGB": np.full((64, 128, 3), np.nan, np.float32)})
    error = _error(lambda: convert(nan, "equirect", tmp_path / "o.png", hdr=True))
    assert error.code == "invalid_argument" and "nan.exr" in error.message and "no finite" in error.message
    assert not list(tmp_path.glob("o*"))


def test_a_few_non_finite_pixels_are_repaired_and_the_hdr_twins_stay_finite(tmp_path: Path) -> None:
    sky = np.full((64, 128, 3), 2.0, np.float32)
    sky[10, 20:30] = 40.0  # a sun
    sky[30, 5], sky[31, 6], sky[32, 7] = np.nan, np.inf, -np.inf
    source = _write(tmp_path / "sky.exr", {"RGB": sky})
    radiance = read_hdr(source)
    assert np.isfinite(radiance).all()
    assert (radiance[30, 5] == 0).all() and (radiance[31, 6] == 40.0).all() and (radiance[32, 7] == 0).all()
    result = convert(source, "equirect", tmp_path / "o.png", hdr=True)
    for entry in result.files:
        if entry["format"] in ("hdr", "exr"):
            twin = read_hdr(entry["path"])
            assert np.isfinite(twin).all() and twin.max() <= 40.0 * 1.01
    assert result.sun is not None and np.isfinite(result.sun["irradiance"]) and result.sun["irradiance"] < 1e6
