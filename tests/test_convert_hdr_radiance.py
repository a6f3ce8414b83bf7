"""An HDR panorama stays linear HDR through every layout: convert keeps its radiance, not a re-expansion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skyasset.assets.cubemap import equirect_to_faces, pack_faces
from skyasset.assets.hdr import read_hdr, write_radiance
from skyasset.convert import convert

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "skies"
KLOOFENDAL = REFERENCE / "kloofendal_48d_partly_cloudy_puresky_1k.hdr"


def _synthetic_sky(width: int = 512) -> np.ndarray:
    h = width // 2
    rows = np.linspace(1.2, 0.3, h, dtype=np.float32)[:, None, None]
    sky = np.broadcast_to(rows * np.array([0.6, 0.8, 1.0], np.float32), (h, width, 3)).copy()
    sky[40:48, 100:108] = 18432.0  # a sun far above display white
    return sky


@pytest.mark.parametrize("layout", ["equirect", "faces", "cross-h"])
def test_hdr_panorama_keeps_its_radiance(tmp_path: Path, layout: str) -> None:
    source = tmp_path / "pano.hdr"
    sky = _synthetic_sky()
    write_radiance(source, sky)
    result = convert(source, layout, tmp_path / "out" / "sky.png", hdr=True)  # type: ignore[arg-type]
    hdrs = [Path(f["path"]) for f in result.files if f["format"] == "hdr"]
    radiance = np.concatenate([read_hdr(p).reshape(-1, 3) for p in hdrs])
    assert radiance.max() > 0.5 * 18432, "the sun keeps its radiance"
    faces = equirect_to_faces(sky, sky.shape[1] // 4)
    expected = {"equirect": sky, "faces": np.stack(list(faces.values())), "cross-h": pack_faces(faces, "cross-h")}
    assert np.median(radiance) == pytest.approx(np.median(expected[layout]), rel=0.05)
    exrs = [Path(f["path"]) for f in result.files if f["format"] == "exr"]
    assert max(read_hdr(p).max() for p in exrs) > 0.5 * 18432


def test_hdr_cubemap_input_keeps_its_radiance(tmp_path: Path) -> None:
    cross = pack_faces(equirect_to_faces(_synthetic_sky(), 128), "cross-h")
    source = tmp_path / "cross.hdr"
    write_radiance(source, cross)
    result = convert(source, "equirect", tmp_path / "sky.png", hdr=True)
    equirect = read_hdr(next(Path(f["path"]) for f in result.files if f["format"] == "hdr"))
    assert equirect.max() > 0.5 * 18432


def test_real_hdr_sky_keeps_its_peak_and_median(tmp_path: Path) -> None:
    if not KLOOFENDAL.is_file():
        pytest.skip(f"reference sky not found at {KLOOFENDAL} (it lives in ../shared/reference/skies)")
    source = read_hdr(KLOOFENDAL)
    result = convert(KLOOFENDAL, "equirect", tmp_path / "pano.png", hdr=True)
    pano = read_hdr(next(Path(f["path"]) for f in result.files if f["format"] == "hdr"))
    assert pano.max() == pytest.approx(source.max(), rel=0.01)  # was ~500 after a tone-map round trip
    assert np.median(pano) == pytest.approx(np.median(source), rel=0.01)
    result = convert(KLOOFENDAL, "faces", tmp_path / "sky.png", hdr=True)
    faces = np.concatenate([read_hdr(Path(f["path"])).reshape(-1, 3) for f in result.files if f["format"] == "hdr"])
    # Resampling to cube faces spreads the sun's few pixels a little; the radiance stays of the same order.
    assert faces.max() > 0.25 * source.max()
