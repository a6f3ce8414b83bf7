"""The sky overhead (issue 27, item 1): perspective views, the overhead measures, the cloud layer seen from the
ground, the cap above the band of views, and the benchmark that scores generated and real skies alike."""

from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from skyasset.assets.dome import cloud_layer, deepen_zenith, fill_cap, overlay_cloud_layer
from skyasset.assets.overhead import directional_bias, straight_seam_score, zenith_view
from skyasset.assets.perspective import perspective_view
from skyasset.assets.sky_measures import SKY_MEASURES, display_from_radiance, score_sky
from skyasset.assets.sphere import equirect_directions
from skyasset.cli.app import app

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared/reference/skies"


def direction_colours(h: int = 256) -> np.ndarray:
    """An equirect whose colour is its own direction (x, y, z mapped to [0, 1])."""
    return (equirect_directions(h, 2 * h) * 0.5 + 0.5).astype(np.float32)


@pytest.mark.parametrize(("elevation", "azimuth"), [(0.0, 0.0), (5.0, 90.0), (45.0, -120.0), (90.0, 0.0)])
def test_a_perspective_view_looks_where_it_is_told(elevation: float, azimuth: float) -> None:
    view = perspective_view(direction_colours(), elevation, azimuth, size=65)
    centre = view[32, 32] * 2.0 - 1.0
    el, az = math.radians(elevation), math.radians(azimuth)
    expected = np.array([math.cos(el) * math.sin(az), math.sin(el), math.cos(el) * math.cos(az)])
    np.testing.assert_allclose(centre, expected, atol=0.03)
    if elevation < 80:  # the image's top looks higher than its bottom, its right lies clockwise of its left
        assert view[0, 32, 1] > view[-1, 32, 1]
        right, left = view[32, -1] * 2 - 1, view[32, 0] * 2 - 1
        # turning from left to right is clockwise seen from above (x right of z: a negative 2-D cross product)
        assert left[2] * right[0] - left[0] * right[2] > 0


def test_the_zenith_view_has_the_planes_axes() -> None:
    """Straight up, the view's right is +X and its top is behind (-Z): a head tilted back."""
    view = perspective_view(direction_colours(), 90.0, size=65)
    assert view[32, -1, 0] > 0.8 and view[32, 0, 0] < 0.2  # x at the edges of a 90 degree view: +-0.7
    assert view[0, 32, 2] < 0.2 and view[-1, 32, 2] > 0.8


def mosaic(size: int = 240, tiles: int = 3) -> np.ndarray:
    """A tiled texture like the old layer: each tile a different banded pattern, cross-faded at the seams."""
    rng = np.random.default_rng(1)
    image = np.zeros((size, size), np.float32)
    step = size // tiles
    for r in range(tiles):
        for c in range(tiles):
            rows = np.arange(step, dtype=np.float32)[:, None]
            tile = 0.5 + 0.2 * np.sin(rows * rng.uniform(0.4, 0.9) + rng.uniform(0, 6)) + rng.uniform(-0.1, 0.1)
            image[r * step : (r + 1) * step, c * step : (c + 1) * step] = tile
    return image


def test_the_overhead_measures_tell_a_banded_mosaic_from_clouds() -> None:
    rng = np.random.default_rng(0)
    clouds = cv2.GaussianBlur(rng.random((256, 256)).astype(np.float32), (0, 0), 4) * 4.0
    assert directional_bias(clouds) < 1.3
    assert directional_bias(mosaic()) > 5.0
    # Where the old 3 x 3 layer's seams fall in the zenith view (x = +-0.68: columns 41 and 214 of 256), two
    # tiles cross-faded into a flatter grey.
    textured = clouds.copy()
    textured[:, 13:69] = textured[:, 13:69] * 0.3 + 0.35
    textured[:, 186:242] = textured[:, 186:242] * 0.3 + 0.35
    assert straight_seam_score(clouds) < 1.3
    assert straight_seam_score(textured) > 2.0


def test_score_sky_scores_every_measure_on_uint8_and_float_alike() -> None:
    rng = np.random.default_rng(2)
    clouds = cv2.GaussianBlur(rng.random((256, 512)).astype(np.float32), (0, 0), 3)
    sky = np.clip(0.5 + (clouds[..., None] - 0.5) * 6.0, 0, 1) * np.array([0.8, 0.9, 1.0], np.float32)
    as_float, as_bytes = score_sky(sky), score_sky((sky * 255 + 0.5).astype(np.uint8))
    assert set(as_float) == set(SKY_MEASURES)
    for name in as_float:
        assert as_float[name] == pytest.approx(as_bytes[name], rel=0.05, abs=0.05)


def test_a_real_hdr_is_shown_with_its_sky_white_and_its_sun_clipped() -> None:
    radiance = np.full((64, 128, 3), 2.0, np.float32)
    radiance[10, 10] = 5e4  # a sun
    display = display_from_radiance(radiance)
    assert display.max() == pytest.approx(1.0) and display[30, 60].min() == pytest.approx(1.0)
    assert display.dtype == np.float32


def banded_views(count: int = 9, size: int = 64) -> np.ndarray:
    rng = np.random.default_rng(5)
    rows = np.arange(size, dtype=np.float32)[:, None, None]
    return np.stack(
        [
            np.broadcast_to(0.5 + 0.25 * np.sin(rows * rng.uniform(0.3, 0.7) + rng.uniform(0, 6)), (size, size, 3))
            for _ in range(count)
        ]
    ).astype(np.float32)


def test_the_cloud_layer_seen_from_below_has_no_direction_and_meets_the_band() -> None:
    """Banded views (every generated view keeps its up) overhead: the zenith view shows no direction; the layer
    is laid in perspective (finer towards the horizon, where the same plane is farther away)."""
    dirs = equirect_directions(512, 1024)[:256]
    layer, weight = cloud_layer(banded_views(), dirs, detect=False)
    sky = np.full((256, 1024, 3), 0.5, np.float32)
    dome = overlay_cloud_layer(sky, layer, weight)
    full = np.concatenate([dome, np.full_like(dome, 0.4)], axis=0)
    assert directional_bias(zenith_view(full)) < 1.6
    # Perspective: the layer's detail per degree grows towards the horizon (the plane recedes).
    steps = np.abs(np.diff(layer[..., 0], axis=1)).mean(axis=1)
    near_zenith, low = steps[20:40].mean(), steps[150:170].mean()  # ~80 and ~35 degrees elevation
    assert low > 1.5 * near_zenith


def test_the_cap_continues_the_bands_top_colour_without_a_funnel() -> None:
    """A band whose top is deep blue at some azimuths and white at others: the cap starts from each column's
    own top colour and turns into one colour for every azimuth well before the zenith (the old fill averaged
    the whole band into a pale cap, and carried each azimuth's light up to the zenith as a wall)."""
    h, w = 128, 512
    image = np.zeros((h, w, 3), np.float32)
    coverage = np.zeros((h, w), np.float32)
    band_top = int(h * 50 / 90)  # the band reaches 40 degrees
    columns = np.arange(w)
    blue, white = np.array([0.15, 0.3, 0.7], np.float32), np.array([0.95, 0.95, 0.95], np.float32)
    top_colour = np.where((columns // 128 % 2 == 0)[:, None], blue, white)
    image[band_top:] = top_colour[None]
    image[band_top + 20 :] = 0.6  # the band's lower rows: a pale average
    coverage[band_top:] = 1.0
    capped = fill_cap(image, coverage)
    just_above = capped[band_top - 2]
    np.testing.assert_allclose(just_above[64], blue, atol=0.06)  # continues the column's own top colour
    np.testing.assert_allclose(just_above[192], white, atol=0.06)
    high = capped[: int(h * 15 / 90)]  # above 75 degrees: one colour per row
    assert high.std(axis=1).max() < 0.01
    np.testing.assert_allclose(capped[0, 0], top_colour.mean(axis=0), atol=0.02)  # the mean of the tops


def test_the_zenith_deepens_only_where_the_sky_is_blue() -> None:
    h, w = 90, 180
    blue_sky = np.broadcast_to(np.array([0.35, 0.55, 0.85], np.float32), (h, w, 3)).copy()
    grey_sky = np.full((h, w, 3), 0.7, np.float32)
    deep, grey = deepen_zenith(blue_sky), deepen_zenith(grey_sky)
    assert deep[0].mean() < 0.8 * blue_sky[0].mean()  # darker overhead
    np.testing.assert_allclose(deep[-20:], blue_sky[-20:], atol=1e-6)  # below 30 degrees untouched
    np.testing.assert_allclose(grey, grey_sky, atol=1e-6)  # overcast keeps its light
    assert np.abs(deep[:, 0] - deep[:, -1]).max() < 1e-3  # no step at the wrap


@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference skies not found at {REFERENCE}")
def test_real_skies_set_the_range_and_the_default_model_is_within_it(tmp_path: Path) -> None:
    """Over six of the default model's skies the overhead measures' medians fall within what the two real CC0
    panoramas score (plus a margin for a sample of two); the 3 x 3 mosaic scored a median bias of 2.63. Single
    skies vary (a zenith view holds only a few patches: one streaky stratus patch can lean it), so medians."""
    from skyasset import generate
    from skyasset.bench.reference_skies import read_reference_skies, score_reference_skies

    real = score_reference_skies(read_reference_skies(REFERENCE))
    assert len(real) == 2
    worst_bias = max(r["zenith_bias"] for r in real.values())
    worst_seam = max(r["zenith_seam"] for r in real.values())
    scores = []
    for cloud, seed in (
        ("cumulus", 7),
        ("cirrus", 3),
        ("stratus", 3),
        ("altocumulus", 1),
        ("cumulonimbus", 4),
        ("stratocumulus", 2),
    ):
        out = generate(cloud, seed, tmp_path / f"{cloud}.png", size=1024, sun="none")
        scores.append(score_sky(cv2.imread(str(out.outputs[0]))[..., ::-1]))
    bias = float(np.median([s["zenith_bias"] for s in scores]))
    seam = float(np.median([s["zenith_seam"] for s in scores]))
    assert bias < max(1.6, worst_bias * 1.25), scores
    assert seam < worst_seam * 1.25, scores


def test_bench_skybox_reports_the_sky_measures_and_scores_a_reference_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    cv2.imwrite(str(real / "sky.png"), (direction_colours(64) * 255).astype(np.uint8))
    bench = ["bench", "skybox", "--model", str(REPO / "tests/data/tiny_bundle"), "--seeds", "1", "--width", "256"]
    bench += ["--face-size", "64", "--json"]
    run = CliRunner().invoke(app, [*bench, "--classes", "all", "--reference", str(real), "--methods", "ring"])
    assert run.exit_code == 0, run.stdout
    answer = json.loads(run.stdout)
    assert set(answer["sky"]) == set(SKY_MEASURES) | {"hdr_hot_spots", "sun_disagreement_deg"}
    assert all(v["median"] <= v["max"] for v in answer["sky"].values())
    assert 0.0 <= answer["sky"]["sun_disagreement_deg"]["share_within_2"] <= 1.0
    assert set(answer["reference_skies"]) == {"sky.png"}
    assert set(answer["reference_range"]) == set(answer["sky_above_real"]) == set(SKY_MEASURES)
    assert len(answer["sky_runs"]) == answer["runs"]
    for name, skies in answer["sky_above_real"].items():  # named as CLOUD SEED, and truly above the real maximum
        runs = {f"{r['cloud']} {r['seed']}": r[name] for r in answer["sky_runs"]}
        assert all(runs[sky] > answer["reference_range"][name]["max"] for sky in skies)
    assert set(answer["methods"]) == {"ring"} and answer["method"] == "ring"  # --methods ring: nothing else ran
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = CliRunner().invoke(app, [*bench, "--reference", str(empty)])
    assert refused.exit_code != 0
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "invalid_argument" and "holds no panorama" in error["message"]


def test_reference_range_spans_every_turn_of_the_real_skies(tmp_path: Path) -> None:
    """The overhead measures look at fixed places of the view up, so a real sky is scored at several turns."""
    from skyasset.bench.reference_skies import read_reference_skies, reference_range, skies_above

    real = tmp_path / "real"
    real.mkdir()
    sky = (direction_colours(64) * 255).astype(np.uint8)
    cv2.imwrite(str(real / "sky.png"), sky)
    ranges = reference_range(read_reference_skies(real), turns=4)
    turned = [score_sky(np.roll(sky[..., ::-1], k * 32, axis=1)) for k in range(4)]
    for name, bounds in ranges.items():
        assert bounds["min"] == pytest.approx(min(t[name] for t in turned), abs=1e-4)
        assert bounds["max"] == pytest.approx(max(t[name] for t in turned), abs=1e-4)
    runs = [
        {"cloud": "Cu", "seed": s, "zenith_seam": ranges["zenith_seam"]["max"] + d} for s, d in enumerate((1, -1, 2))
    ]
    assert skies_above(runs, {"zenith_seam": ranges["zenith_seam"]}) == {"zenith_seam": ["Cu 2", "Cu 0"]}


def test_band_repeat_sees_clouds_drawn_again_and_not_the_lights_layout() -> None:
    """Clouds that come round again (after 180 degrees, or 170: any turn is tried) score near 1; the same band with
    its second half drawn afresh near 0, and so does a fresh band under a large-scale light layout (a dark side
    and a bright one, which every sky has and which the 0.9 measure took for a repeat) or level layers that are
    the same at every azimuth."""
    from skyasset.assets.metrics import repeat_correlation
    from skyasset.assets.sky_measures import SKY_MEASURES

    rng = np.random.default_rng(3)
    fresh = np.clip(0.5 + 0.2 * rng.standard_normal((256, 512, 1)), 0.0, 1.0).astype(np.float32)
    fresh = cv2.GaussianBlur(np.repeat(fresh, 3, axis=2), (0, 0), 3.0)
    repeated = fresh.copy()
    repeated[:, 256:] = fresh[:, :256]
    assert SKY_MEASURES["band_repeat"](repeated) > 0.95
    assert SKY_MEASURES["band_repeat"](fresh) < 0.1
    offset = fresh.copy()
    offset[:, 242:] = fresh[:, : 512 - 242]  # 242 of the 512 columns drawn again 170 degrees round
    value, turn = repeat_correlation(offset)
    assert value > 0.4 and abs(min(turn, 360.0 - turn) - 170.2) < 1.5, (value, turn)
    azimuth = np.linspace(0.0, 2.0 * np.pi, 512, endpoint=False)
    light = (0.25 * np.cos(2.0 * azimuth))[None, :, None]  # bright at 0 and 180 degrees, dark between
    assert SKY_MEASURES["band_repeat"](np.clip(fresh + light, 0.0, 1.0)) < 0.1
    rows = np.arange(256, dtype=np.float32)[:, None, None]
    layers = (0.2 * np.sin(rows * 1.3)).astype(np.float32)  # level bands of cloud, fine in elevation
    assert SKY_MEASURES["band_repeat"](np.clip(fresh + layers, 0.0, 1.0)) < 0.1


RING_H, RING_W = 512, 1024
RING_ELEVATION = (90.0 - (np.arange(RING_H) + 0.5) / RING_H * 180.0)[:, None]
RING_AZIMUTH = (np.arange(RING_W) + 0.5) / RING_W * 2.0 * np.pi


def _cloud_field(seed: int, sigma: float, contrast: float) -> np.ndarray:
    """Random grey clouds over the whole equirect, blurred by ``sigma`` pixels, of standard deviation ``contrast``."""
    clouds = cv2.GaussianBlur(np.random.default_rng(seed).random((RING_H, RING_W)).astype(np.float32), (0, 0), sigma)
    return contrast * (clouds - clouds.mean()) / clouds.std()


def _banded_sky(top: np.ndarray | float, clouds: np.ndarray, step: float) -> np.ndarray:
    """A sky brightening smoothly towards the horizon, with ``clouds`` on it and a band ``step`` brighter from
    the horizon up to ``top`` degrees (per column where ``top`` is an array; none where it is negative)."""
    smooth = np.clip(0.35 + 0.4 * np.exp(-np.maximum(RING_ELEVATION, 0.0) / 20.0), 0.0, 1.0) + np.zeros((1, RING_W))
    band = (RING_ELEVATION < top) & (RING_ELEVATION > 0)
    grey = np.clip(smooth + step * band + clouds, 0.0, 1.0)
    return np.repeat(grey[..., None], 3, axis=2).astype(np.float32)


def test_ring_edge_sees_a_band_ending_at_one_elevation_all_round() -> None:
    """A band of cloud ending at 35 degrees all round (a ring at 45 degrees) scores far above the same band whose
    top wanders by 15 degrees round the sky, and above a sky that only brightens smoothly towards the horizon or
    holds random clouds; the two real CC0 skies score 1.8 and 2.6."""
    from skyasset.assets.metrics import ring_edge

    clouds = _cloud_field(0, 6.0, 0.3) * 0.2

    ring = ring_edge(_banded_sky(35.0, clouds, 0.2))
    wavy = ring_edge(_banded_sky(35.0 + 15.0 * np.sin(3.0 * RING_AZIMUTH)[None, :], clouds, 0.2))
    plain = ring_edge(_banded_sky(-1.0, clouds, 0.2))
    assert ring > 20.0 and ring > 4.0 * wavy and wavy > plain, (ring, wavy, plain)
    assert plain < 2.0


def test_ring_excess_reads_rings_not_busy_clouds() -> None:
    """Busy clouds with no ring score ring_edge well above a calm sky's but ring_excess near 1; a band ending at
    one elevation all round scores ring_excess far above 1, and well above the same band with its top wandering."""
    from skyasset.assets.metrics import ring_edge, ring_excess

    busy = _cloud_field(1, 10.0, 0.25)

    def sky(top: np.ndarray | float, clouds: np.ndarray) -> np.ndarray:
        return _banded_sky(top, clouds, 0.15)

    no_ring = sky(-1.0, busy)
    assert ring_edge(no_ring) > 2.0 * ring_edge(sky(-1.0, 0.1 * busy))
    assert 0.6 < ring_excess(no_ring) < 1.5
    ring = ring_excess(sky(35.0, busy))
    wavy = ring_excess(sky(35.0 + 15.0 * np.sin(3.0 * RING_AZIMUTH)[None, :], busy))
    assert ring > 2.5 and ring > 1.8 * wavy, (ring, wavy)
