"""One request, checked once (skyasset.settings), and what each method takes from the generator (skyasset.sources)."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import skyasset
from skyasset.assets.look import Look
from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator
from skyasset.settings import LAYOUTS, METHODS, Mix, SkyRequest, sky_request
from skyasset.sources import sky_source

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gen(tiny_bundle_path: Path) -> SkyGenerator:
    return SkyGenerator(tiny_bundle_path)


def test_a_request_holds_values_not_text() -> None:
    request = sky_request("Cu", 7, mix="stratus:0.3", sun="35,120", ground="solid", ground_color=(0.1, 0.2, 0.3))
    assert request.mix == Mix("stratus", 0.3)
    assert (request.sun.mode, request.sun.elevation_deg, request.sun.azimuth_deg) == ("given", 35.0, 120.0)
    assert request.ground_color == (0.1, 0.2, 0.3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.psi = 0.1  # type: ignore[misc]


def test_a_flat_request_has_no_look_but_its_look_is_still_checked() -> None:
    assert sky_request("Cu", 7, layout="flat", exposure=2, rotate=90).look == Look()
    with pytest.raises(SkyassetError, match="--exposure"):
        sky_request("Cu", 7, layout="flat", exposure=99)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("psi", 5, "psi must be in [-1, 2] (usually 0.5..1), got 5.0."),
        ("psi", float("nan"), "psi must be in [-1, 2] (usually 0.5..1), got nan."),
        ("size", 100, "--size must be a multiple of 8 in 64..16384, got 100."),
        ("upscale", "turbo", "Unknown upscale mode 'turbo': use --upscale none | fast | best."),
        ("layout", "sphere", f"Unknown layout 'sphere'. Choose one of {', '.join(LAYOUTS)}."),
        ("method", "stitch", f"Unknown method 'stitch'. Choose one of {', '.join(METHODS)}."),
        ("ground", "lava", "Unknown ground 'lava'. Choose one of haze, solid, reflection."),
    ],
)
def test_each_bad_setting_is_named_before_any_model_loads(setting: str, value: object, message: str) -> None:
    with pytest.raises(SkyassetError) as caught:
        sky_request("Cu", 7, **{setting: value})  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.message) == ("invalid_argument", message)


def _error_messages() -> list[tuple[str, str]]:
    """``(place, message text)`` of every ``SkyassetError(code, message)`` raised in the core; the constant parts
    of an f-string joined."""
    found = []
    for path in (ROOT / "skyasset").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "SkyassetError" and len(node.args) > 1:
                parts = node.args[1].values if isinstance(node.args[1], ast.JoinedStr) else [node.args[1]]
                text = "".join(str(p.value) for p in parts if isinstance(p, ast.Constant))
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


@pytest.mark.parametrize(
    "message",
    ["psi must be in", "Unknown upscale mode", "--size must be a multiple of 8", "Choose one of", "Seed must be"],
)
def test_each_check_is_written_once_in_the_core(message: str) -> None:
    """A check written twice drifts apart (it did: psi had two messages); each lives in one function."""
    messages = _error_messages()
    assert len(messages) > 50, "the walk no longer finds the raise sites"
    places = [place for place, text in messages if message in text]
    assert len(places) == 1, places


def test_generate_sky_trusts_the_request(gen: SkyGenerator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request = sky_request(gen.classes[0].code, 3, size=256)

    def checked_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("a checked request was checked again")

    monkeypatch.setattr("skyasset.settings.check_psi", checked_again)
    monkeypatch.setattr("skyasset.settings.check_size", checked_again)
    monkeypatch.setattr("skyasset.settings.check_upscale", checked_again)
    result = skyasset.generate_sky(request, out=tmp_path / "sky.png", model=gen)
    assert result.size == (256, 128)


def test_flat_writes_the_metadata_every_skybox_png_carries(gen: SkyGenerator, tmp_path: Path) -> None:
    cloud = gen.classes[0].code
    skyasset.generate(cloud, 3, tmp_path / "flat.png", layout="flat", model=gen)
    skyasset.generate(cloud, 3, tmp_path / "pano.png", size=256, model=gen)
    flat = json.loads(Image.open(tmp_path / "flat.png").text["skyasset"])
    pano = json.loads(Image.open(tmp_path / "pano.png").text["skyasset"])
    assert set(flat) == set(pano)
    assert (flat["layout"], flat["role"], flat["method"], flat["width"]) == ("flat", "flat", None, gen.resolution)
    assert {k: flat[k] for k in ("cloud", "seed", "psi", "model")} == {
        k: pano[k] for k in ("cloud", "seed", "psi", "model")
    }


def test_native_takes_its_canvas_and_cloud_layer_from_one_set_of_styles(gen: SkyGenerator) -> None:
    cloud = gen.classes[0].code
    source = sky_source(gen, "native", cloud, 5, psi=0.7)
    np.testing.assert_array_equal(source.views[0], gen.canvas(cloud, 5, psi=0.7))
    assert source.options.zenith is not None and len(source.options.zenith) >= 1


@pytest.mark.parametrize("method", ["ring", "mirror", "stripe"])
def test_each_method_gets_the_views_it_assembles(gen: SkyGenerator, method: str) -> None:
    cloud = gen.classes[0].code
    source = sky_source(gen, method, cloud, 5, psi=0.7, ground="solid", ground_color=(0.2, 0.2, 0.2))  # type: ignore[arg-type]
    np.testing.assert_array_equal(source.views[0], gen.generate(cloud, 5, psi=0.7)[0])  # view 0: the seed's image
    assert (source.options.ground, source.options.ground_color) == ("solid", (0.2, 0.2, 0.2))
    assert len(source.views) == (6 if method == "ring" else 1)


def test_the_request_type_is_exported() -> None:
    assert skyasset.SkyRequest is SkyRequest


def test_the_files_record_the_upscaling_applied_as_convert_does(gen: SkyGenerator, tmp_path: Path) -> None:
    """Asked for fast at a width the views already fill, nothing is upscaled: the answer and the files say none."""
    result = skyasset.generate(gen.classes[0].code, 3, tmp_path / "sky.png", size=64, upscale="fast", model=gen)
    sidecar = json.loads((tmp_path / "sky.json").read_text())
    png = json.loads(Image.open(tmp_path / "sky.png").text["skyasset"])
    assert result.upscale == sidecar["skyasset"]["upscale"] == png["upscale"] == "none"
