"""write_skybox / write_image / HDR: real files, metadata, atomic writes, no silent overwrite, HDR read-back."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from skyasset.assets import expand_to_hdr, read_hdr, read_png_text, write_image, write_skybox
from skyasset.assets.hdr import SKY_CEILING, write_exr, write_radiance
from skyasset.assets.sphere import equirect_directions
from skyasset.errors import SkyassetError

META = {"cloud": "Cu", "seed": 7, "psi": 0.7, "model": "test-model", "method": "ring"}


def sky(h: int = 64) -> np.ndarray:
    return (equirect_directions(h, 2 * h) * 0.4 + 0.5).astype(np.float32)


EXPECTED = {
    "equirect": [("sky.png", "equirect", 128, 64)],
    "faces": [(f"sky_{n}.png", f"face:{n}", 32, 32) for n in ("front", "back", "left", "right", "up", "down")],
    "cross-h": [("sky.png", "cross-h", 128, 96)],
    "cross-v": [("sky.png", "cross-v", 96, 128)],
    "dice": [("sky.png", "dice", 128, 96)],
    "horizon": [("sky.png", "horizon", 192, 32)],
}


@pytest.mark.parametrize("layout", list(EXPECTED))
def test_each_layout_writes_named_files_with_roles_sizes_and_metadata(tmp_path: Path, layout: str) -> None:
    files = write_skybox(sky(), layout, tmp_path / "sky.png", metadata=META)  # type: ignore[arg-type]
    images = [f for f in files if f.role != "sidecar"]
    assert [(f.path.name, f.role, f.width, f.height) for f in images] == EXPECTED[layout]
    for f in images:
        with open(f.path, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
        img = cv2.imread(str(f.path))
        assert img.shape[:2] == (f.height, f.width)
        text = read_png_text(f.path)
        stored = json.loads(text["skyasset"])
        assert stored["seed"] == 7 and stored["cloud"] == "Cu" and stored["layout"] == layout
        assert text["skyasset:model"] == "test-model"
    sidecar = files[-1]
    assert sidecar.role == "sidecar" and sidecar.path.name == "sky.json" and sidecar.width is None
    doc = json.loads(sidecar.path.read_text())
    assert doc["skyasset"]["method"] == "ring" and len(doc["files"]) == len(images)
    assert all(Path(j["path"]).is_absolute() for j in (f.to_json() for f in files))
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


def test_existing_output_is_not_overwritten_without_force(tmp_path: Path) -> None:
    write_skybox(sky(), "faces", tmp_path / "sky.png", metadata=META)
    before = (tmp_path / "sky_up.png").read_bytes()
    with pytest.raises(SkyassetError) as err:
        write_skybox(sky() * 0.5, "faces", tmp_path / "sky.png", metadata=META)
    assert err.value.code == "output_exists" and "--force" in err.value.message
    assert (tmp_path / "sky_up.png").read_bytes() == before
    write_skybox(sky() * 0.5, "faces", tmp_path / "sky.png", metadata=META, force=True)
    assert (tmp_path / "sky_up.png").read_bytes() != before


def test_any_existing_target_blocks_the_whole_write(tmp_path: Path) -> None:
    (tmp_path / "sky.json").write_text("{}")
    with pytest.raises(SkyassetError):
        write_skybox(sky(), "equirect", tmp_path / "sky.png", metadata=META)
    assert not (tmp_path / "sky.png").exists()


def test_folder_output_and_bad_suffix(tmp_path: Path) -> None:
    files = write_skybox(sky(), "equirect", tmp_path, metadata={})
    assert files[0].path == (tmp_path / "sky.png").resolve()
    with pytest.raises(SkyassetError) as err:
        write_skybox(sky(), "equirect", tmp_path / "sky.jpg", metadata={})
    assert err.value.code == "invalid_argument"


def test_sixteen_bit_png_keeps_precision(tmp_path: Path) -> None:
    img = sky()
    write_image(tmp_path / "a.png", img, metadata={"seed": 1}, bit_depth=16)
    back = cv2.imread(str(tmp_path / "a.png"), cv2.IMREAD_UNCHANGED)
    assert back.dtype == np.uint16
    assert np.abs(back[..., ::-1] / 65535.0 - img).max() < 1e-4
    assert json.loads(read_png_text(tmp_path / "a.png")["skyasset"]) == {"seed": 1}


def test_hdr_expansion_curve_and_no_highlight_becomes_a_sun() -> None:
    ramp = np.linspace(0, 1, 256, dtype=np.float32)[None, :, None].repeat(8, 0).repeat(3, 2)
    e = expand_to_hdr(ramp, white=16.0)
    assert np.all(np.diff(e[0, :, 0]) >= -1e-6)  # monotonic (up to float rounding where the roll-off is flat)
    y = 0.2158  # sRGB 128/255 decoded
    assert abs(e[0, 128, 0] - y / (1 - (1 - 1 / 16) * y)) < 1e-3  # the documented curve
    assert e[0, 128, 0] < 1.3 * y  # mid grey stays near its linear value
    # A saturated patch is cloud, not a sun: it stays within the sky's range (the old expansion boosted every
    # near-white region 32x, eight "suns" of 512 in one generated sky); the one sun is added elsewhere.
    scene = np.full((64, 128, 3), 0.5, np.float32)
    scene[30:34, 60:64] = 1.0
    expanded = expand_to_hdr(scene)
    median = float(np.median(expanded[:32]))
    assert expanded[32, 62, 0] <= SKY_CEILING * median * 1.01
    assert expanded[32, 62, 0] > 3.0 * median  # white is still brighter than the sky


def test_hdr_files_read_back_with_the_values_written(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    radiance = (rng.random((32, 64, 3)) ** 4 * 500).astype(np.float32) + 0.01
    write_radiance(tmp_path / "a.hdr", radiance)
    write_exr(tmp_path / "a.exr", radiance, metadata={"seed": 3})
    # RGBE shares one 8-bit exponent per pixel: error <= 1 % of the pixel's largest channel.
    hdr = read_hdr(tmp_path / "a.hdr")
    assert (np.abs(hdr - radiance) / radiance.max(axis=-1, keepdims=True)).max() < 0.01
    # Half float: relative error <= 2^-11.
    exr = read_hdr(tmp_path / "a.exr")
    assert (np.abs(exr - radiance) / radiance).max() < 1e-3
    with pytest.raises(SkyassetError):
        write_radiance(tmp_path / "a.hdr", radiance)


def test_skybox_with_hdr_writes_twins(tmp_path: Path) -> None:
    files = write_skybox(sky(), "cross-h", tmp_path / "sky.png", hdr=True, metadata=META)
    assert [(f.path.name, f.format, f.role) for f in files] == [
        ("sky.png", "png", "cross-h"),
        ("sky.hdr", "hdr", "cross-h"),
        ("sky.exr", "exr", "cross-h"),
        ("sky.json", "json", "sidecar"),
    ]
    exr = read_hdr(tmp_path / "sky.exr")
    assert exr.shape == (96, 128, 3) and exr.max() > 1.0
    doc = json.loads((tmp_path / "sky.json").read_text())
    # the white point is chosen per sky (display white at SKY_RANGE times the sky's median), at most 16
    assert 1.0 <= doc["skyasset"]["hdr_white"] <= 16.0


@pytest.mark.parametrize("layout", ["equirect", "faces"])
@pytest.mark.parametrize("name", ["sky_psi0.70.png", "sky_psi0.70"])
def test_dots_in_the_output_stem_are_kept(tmp_path: Path, layout: str, name: str) -> None:
    """Regression: ``Path.with_suffix`` took ``.70`` of ``sky_psi0.70.png`` for an extension (-> sky_psi0.png)."""
    files = write_skybox(sky(), layout, tmp_path / name, hdr=True, metadata=META)
    names = sorted(f.path.name for f in files)
    stems = (
        ["sky_psi0.70"]
        if layout == "equirect"
        else [f"sky_psi0.70_{n}" for n in ("front", "back", "left", "right", "up", "down")]
    )
    expected = sorted([f"{s}{ext}" for s in stems for ext in (".png", ".hdr", ".exr")] + ["sky_psi0.70.json"])
    assert names == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == expected  # nothing else written (no sky_psi0.png)
    for f in files:
        assert f.path.exists()
    with pytest.raises(SkyassetError) as err:  # same name again: every target exists
        write_skybox(sky(), layout, tmp_path / name, metadata=META)
    assert err.value.code == "output_exists"


def test_other_image_extension_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SkyassetError) as err:
        write_skybox(sky(), "equirect", tmp_path / "sky.exr", hdr=True, metadata={})
    assert err.value.code == "invalid_argument" and "*.png" in err.value.message
    assert not list(tmp_path.iterdir())
