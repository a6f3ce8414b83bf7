"""Issue 27, item 3: no dark ground blobs on the horizon, a ground without an edge or streaks, and their measures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from skyasset.assets.fill import fill_below_horizon, join_at_horizon, parse_ground_color
from skyasset.assets.ground_blobs import fill_ground_blobs, ground_blob_mask
from skyasset.assets.horizon_metrics import dark_blob_share, display_from_radiance, ground_smear, horizon_step
from skyasset.assets.native import NativeOptions, assemble_native
from skyasset.assets.ring import assemble_ring
from skyasset.assets.sphere import luminance
from skyasset.errors import SkyassetError

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared/reference/skies"
TREE = (0.12, 0.16, 0.08)  # a dark green tree line
CLOUD_BASE = (0.62, 0.64, 0.68)  # a grey cloud base: darker than the white tops, far lighter than trees


def _sky_rows(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A blue-to-pale sky with soft white clouds, ``[height, width, 3]``, its last row at the horizon."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    sky = np.array([0.3, 0.5, 0.85], np.float32) * (1 - y) + np.array([0.75, 0.82, 0.9], np.float32) * y
    noise = rng.random((height // 4 + 1, width // 8 + 1)).astype(np.float32)
    clouds = np.kron(noise, np.ones((4, 8), np.float32))[:height, :width]
    clouds = np.clip((clouds - 0.6) * 1.5, 0.0, 0.3)[..., None]
    return np.clip(sky + clouds, 0.0, 1.0).astype(np.float32)


def _canvas_with_tree_line(side: int = 64, tiles: int = 6) -> tuple[np.ndarray, slice, slice]:
    """A native canvas: sky, a tree line standing on the horizon (tile 1) and a grey cloud base just above it
    (tile 4), ground below 75% of the height. Returns the canvas and the tree's and the cloud's columns."""
    width = side * tiles
    hz = int(0.75 * side)
    canvas = np.empty((side, width, 3), np.float32)
    canvas[:hz] = _sky_rows(hz, width)
    canvas[hz:] = (0.18, 0.15, 0.1)
    tree = slice(side + 8, 2 * side - 8)
    x = np.arange(tree.start, tree.stop)
    tops = hz - (3 + 2 * np.abs(np.sin(x / 3.0))).astype(int)  # a ragged top 3-5 px (3-5 degrees) high
    for col, top in zip(x, tops, strict=True):
        canvas[top:hz, col] = TREE
    cloud = slice(4 * side + 8, 5 * side - 8)
    canvas[hz - 9 : hz - 4, cloud] = CLOUD_BASE
    return canvas, tree, cloud


def _band_of(equirect: np.ndarray, lo_deg: float, hi_deg: float) -> np.ndarray:
    """Rows from ``lo_deg`` to ``hi_deg`` above the horizon of an equirect."""
    h = equirect.shape[0]
    return equirect[int(round(h / 2 - hi_deg / 180 * h)) : int(round(h / 2 - lo_deg / 180 * h))]


def _columns(width: int, canvas_width: int, side: int, cols: slice) -> slice:
    """Equirect columns that show canvas columns ``cols`` (tile 0's centre at the panorama's centre)."""

    def to_eq(c: int) -> int:
        return int(((c - side / 2) / canvas_width * width + width / 2) % width)

    return slice(to_eq(cols.start), to_eq(cols.stop))


def test_a_tree_line_on_the_canvas_horizon_is_filled_and_a_grey_cloud_base_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    canvas, tree, cloud = _canvas_with_tree_line()
    pano = assemble_native(canvas, 768)
    assert dark_blob_share(pano) < 0.002
    band = _band_of(pano, 0.0, 6.0)
    trees = band[:, _columns(768, canvas.shape[1], 64, tree)]
    # Nothing in the tree's columns is as dark as a tree any more: the sky around it continues there.
    assert luminance(trees).min() > 0.45, luminance(trees).min()
    # The grey cloud base (2-5 degrees up, where the squashed canvas lays it) is left alone by the fill, which
    # changes the tree's columns: the same panorama without the fill differs there and only there.
    monkeypatch.setattr("skyasset.assets.native.fill_ground_blobs", lambda upper: upper)
    unfilled = assemble_native(canvas, 768)
    low = _band_of(pano, 0.0, 12.0)
    low_unfilled = _band_of(unfilled, 0.0, 12.0)
    columns = _columns(768, canvas.shape[1], 64, cloud)
    assert np.abs(low[:, columns] - low_unfilled[:, columns]).max() < 0.02
    assert (
        np.abs(
            low[:, _columns(768, canvas.shape[1], 64, tree)] - low_unfilled[:, _columns(768, canvas.shape[1], 64, tree)]
        ).max()
        > 0.2
    )
    # ... and it still shows, greyer than the sky beside it.
    beside = _columns(768, canvas.shape[1], 64, slice(cloud.start - 40, cloud.start - 16))
    assert luminance(low[:, columns]).min() < luminance(low[:, beside]).min() - 0.03
    # Without detection (views known to be all sky) nothing is painted out: the blob stays and is measured.
    kept = assemble_native(canvas[:48], 768, NativeOptions(detect=False))
    assert dark_blob_share(kept) > 0.01  # squashed (as the canvas is laid) the tree spans 1.5-2.5 degrees


def test_ring_keeps_its_band_clean_and_its_ground_smooth() -> None:
    """The ring paints ground objects out of each view already (``sky_only``); with the blob fill after it and the
    new haze its band stays clean and its ground smooth (a guard for the combination)."""
    views = np.stack([_sky_rows(128, 128, seed) for seed in range(6)])
    views[:, 110:] = (0.18, 0.15, 0.1)  # ground
    views[2, 98:110, 30:100] = TREE  # a tree line standing on view 2's horizon
    raw = assemble_ring(views, 512)
    assert dark_blob_share(raw) < 0.002
    assert luminance(_band_of(raw, 0.0, 8.0)).min() > 0.3
    assert horizon_step(raw) < 1.0 and ground_smear(raw) < 0.02


def test_fill_ground_blobs_leaves_a_sky_without_blobs_alone() -> None:
    upper = _sky_rows(128, 512)
    assert fill_ground_blobs(upper) is upper
    upper[-6:, 100:160] = TREE
    filled = fill_ground_blobs(upper)
    assert not ground_blob_mask(filled[-57:], 512 / 360).any()
    np.testing.assert_array_equal(filled[:-40], upper[:-40])  # only the band above the horizon changes


def _hemisphere_with_dark_columns(height: int = 128) -> np.ndarray:
    """An upper hemisphere whose last 3 degrees hold dark columns (what the old fill drew down as streaks)."""
    upper = _sky_rows(height, 4 * height, seed=3)
    rows = max(2, int(3 / 90 * height))
    for start in range(0, 4 * height, 4 * height // 7):
        upper[-rows:, start : start + 12] = (0.15, 0.15, 0.12)
    return upper


def test_the_haze_has_no_edge_and_no_streaks_under_dark_horizon_columns() -> None:
    upper = _hemisphere_with_dark_columns()
    pano = join_at_horizon(upper, fill_below_horizon(upper, "haze"))
    assert horizon_step(pano) < 1.2
    assert ground_smear(pano) < 0.04  # the old fill (each column's colour drawn down to the nadir): 0.054
    h = pano.shape[0]
    lower = pano[h // 2 :]
    # Below a few degrees every longitude has nearly one colour per depression (no column of its own; the old
    # fill kept 0.056 there) ...
    deep = lower[int(6 / 90 * (h // 2)) :]
    assert float(np.abs(deep - deep.mean(axis=1, keepdims=True)).max()) < 0.035
    # ... deepening softly into a ground colour from the sky's light: darker and greyer than the horizon.
    horizon, nadir = lower[0].mean(axis=0), lower[-1].mean(axis=0)
    assert 0.45 * luminance(horizon) < luminance(nadir) < 0.8 * luminance(horizon)
    assert np.ptp(nadir) < np.ptp(horizon)


@pytest.mark.parametrize("ground", ["haze", "reflection"])
def test_haze_and_reflection_meet_the_sky_without_a_step(ground: str) -> None:
    upper = _hemisphere_with_dark_columns()
    lower = fill_below_horizon(upper, ground)  # type: ignore[arg-type]
    pano = join_at_horizon(upper, lower)
    h = pano.shape[0]
    np.testing.assert_allclose(pano[h // 2 - 1], pano[h // 2], atol=0.03)  # the last sky row is the first ground row
    assert np.isfinite(pano).all() and 0.0 <= pano.min() and pano.max() <= 1.0


def test_the_measures_see_a_hard_edge_streaks_and_blobs() -> None:
    upper = _sky_rows(256, 1024, seed=5)
    flat = np.broadcast_to(np.array([0.3, 0.3, 0.32], np.float32), upper.shape)
    hard = np.concatenate([upper, flat], axis=0)
    assert horizon_step(hard) > 3.0
    streaks = hard.copy()
    streaks[256:, ::16] *= 0.5  # dark columns all the way down
    assert ground_smear(streaks) > 0.5 and ground_smear(hard) < 1e-6
    blobs = hard.copy()
    blobs[256 - 12 : 256, 100:300] = TREE  # 4 degrees of trees over 70 degrees of longitude
    assert 0.08 < dark_blob_share(blobs) < 0.3 and dark_blob_share(hard) == 0.0
    with pytest.raises(ValueError):
        dark_blob_share(upper)  # not 2:1


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="the CC0 reference skies are not in this checkout")
def test_real_skies_have_no_blobs_and_no_hard_edge() -> None:
    from skyasset.assets.hdr import read_hdr

    for path in sorted(REFERENCE.glob("*.hdr")):
        sky = display_from_radiance(read_hdr(path))
        assert dark_blob_share(sky) < 0.02, path.name
        assert horizon_step(sky) < 1.2, path.name


def test_ground_color_parsing_refuses_what_is_not_three_unit_numbers() -> None:
    assert parse_ground_color("0.2,0.3,0.4") == (0.2, 0.3, 0.4)
    for bad in ("0.2,0.3", "red", "0.2,0.3,4", "nan,0,0", "0.1,0.2,0.3,0.4"):
        with pytest.raises(SkyassetError) as err:
            parse_ground_color(bad)
        assert err.value.code == "invalid_argument" and "R,G,B" in err.value.message


def test_cli_ground_solid_round_trips_into_the_sidecar_and_the_pixels(tmp_path: Path) -> None:
    from PIL import Image

    from skyasset.cli.app import main

    out = tmp_path / "sky.png"
    args = ["generate", "--cloud", "cumulus", "--seed", "7", "--size", "256", "--out", str(out)]
    assert main([*args, "--ground", "solid", "--ground-color", "0.2,0.3,0.4", "--json"]) == 0
    meta = json.loads(out.with_suffix(".json").read_text())["skyasset"]
    assert meta["ground"] == "solid" and meta["ground_color"] == [0.2, 0.3, 0.4]
    pixels = np.asarray(Image.open(out).convert("RGB"), np.float32) / 255.0
    below = pixels[pixels.shape[0] // 2 + 4 :].reshape(-1, 3)
    np.testing.assert_allclose(below.mean(axis=0), (0.2, 0.3, 0.4), atol=0.01)
    assert main([*args, "--ground", "reflection", "--force", "--json"]) == 0
    meta = json.loads(out.with_suffix(".json").read_text())["skyasset"]
    assert meta["ground"] == "reflection" and meta["ground_color"] is None


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--ground", "lava"], ["lava", "reflection"]),
        (["--ground-color", "0.2,0.3"], ["R,G,B", "0.2,0.3"]),
        (["--ground", "solid", "--ground-color", "0.2,0.3,1.5"], ["R,G,B"]),
        (["--ground-color", "0.2,0.3,0.4"], ["--ground solid"]),
    ],
)
def test_cli_refuses_a_bad_ground_with_invalid_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], words: list[str]
) -> None:
    from skyasset.cli.app import main

    out = tmp_path / "sky.png"
    code = main(["generate", "--cloud", "cumulus", "--seed", "7", "--out", str(out), *extra, "--json"])
    error = json.loads(capsys.readouterr().out)["error"]
    assert code == 2 and error["code"] == "invalid_argument"
    assert all(word in error["message"] for word in words), error["message"]
    assert not list(tmp_path.glob("sky*"))


def test_api_refuses_a_bad_ground_before_loading_a_model(tmp_path: Path) -> None:
    from skyasset.api import generate

    with pytest.raises(SkyassetError) as err:
        generate("cumulus", 7, tmp_path / "sky.png", ground="lava", model=tmp_path / "no-bundle")  # type: ignore[arg-type]
    assert err.value.code == "invalid_argument" and "lava" in err.value.message


@pytest.mark.parametrize(("cloud", "seed"), [("Cb", 9), ("Cb", 14)])
def test_a_second_fill_pass_takes_the_grey_rim_a_filled_blob_leaves(
    monkeypatch: pytest.MonkeyPatch, cloud: str, seed: int
) -> None:
    """The bundled model's skies (ONNX Runtime) that keep 2-3% of their 0-10 degree band as blobs after one pass:
    filling a blob raised the sky level beside it, under which grey haze then counted as ground. Measured
    without the aerial haze that comes after the fill, which pales what one pass leaves below the measure's
    threshold: the fill must hold without it. The canvas is laid unsquashed, as when such skies were first found:
    laid 1.6 times flatter, as the product lays it now, none of 160 default-model skies keeps a rim after one pass.

    The skies depend on the model: after a new default ships, find them again with this test's settings among
    Cb, Sc, Ns and St seeds 0-19 (one pass leaves more than 1%, the full passes none; for the 459 kimg model, Cb 9
    and Cb 14; the 342 kimg model's were Cb 4 and Sc 16)."""
    from skyasset import pipeline
    from skyasset.assets import ground_blobs, native
    from skyasset.generator import SkyGenerator
    from skyasset.sources import sky_source

    gen = SkyGenerator(None)
    source = sky_source(gen, "native", cloud, seed, psi=0.7)
    monkeypatch.setattr(native, "haze_low_sky", lambda sky: sky)
    monkeypatch.setattr(native, "CANVAS_SQUASH", 1.0)
    monkeypatch.setattr(native, "ROW_WANDER", 1.0)

    def share() -> float:
        return dark_blob_share(
            pipeline.panorama_from_views(source.views, "native", 2048, options=source.options).equirect
        )

    assert share() == 0.0
    monkeypatch.setattr(ground_blobs, "FILL_PASSES", 1)
    assert share() > 0.01
