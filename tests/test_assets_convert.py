"""convert (photo / photos / panorama / cubemap in, any layout out), its CLI, and the skybox benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from skyasset.assets import read_hdr
from skyasset.assets.panorama import RingOptions, StripeOptions
from skyasset.assets.sphere import equirect_directions
from skyasset.bench.skybox import bench_skybox
from skyasset.bench.skybox_sources import generator_views
from skyasset.cli.app import app
from skyasset.convert import convert
from skyasset.errors import SkyassetError

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
TINY_BUNDLE = REPO / "tests/data/tiny_bundle"
CCSN = REPO.parent / "shared/datasets/ccsn"


def save_rgb(path: Path, rgb: np.ndarray) -> Path:
    cv2.imwrite(str(path), (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)[..., ::-1])
    return path


def direction_pano(h: int = 128) -> np.ndarray:
    return (equirect_directions(h, 2 * h) * 0.5 + 0.5).astype(np.float32)


def photo(seed: int = 0, size: int = 96) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.empty((size, size, 3), np.float32)
    img[:] = np.linspace(0.3, 0.9, size, dtype=np.float32)[:, None, None] * np.array([0.6, 0.8, 1.0])
    img += cv2.GaussianBlur(rng.random((size, size, 1)).astype(np.float32), (0, 0), 4)[..., None] * 0.2
    img[int(size * 0.8) :] = (0.1, 0.12, 0.08)
    return np.clip(img, 0, 1)


def test_panorama_to_cross_and_back_to_equirect(tmp_path: Path) -> None:
    pano = save_rgb(tmp_path / "pano.png", direction_pano())
    cross = convert(pano, "cross-h", tmp_path / "cross.png")
    assert cross.input_kind == "equirect" and cross.files[0]["role"] == "cross-h"
    back = convert(tmp_path / "cross.png", "equirect", tmp_path / "back.png")
    assert back.input_kind == "cross-h" and back.size == (256, 128)
    img = cv2.imread(str(tmp_path / "back.png"))[..., ::-1] / 255.0
    assert np.abs(img - direction_pano()).mean() < 0.01


def test_faces_folder_round_trip(tmp_path: Path) -> None:
    pano = save_rgb(tmp_path / "pano.png", direction_pano())
    (tmp_path / "faces").mkdir()
    convert(pano, "faces", tmp_path / "faces" / "sky.png")
    result = convert(tmp_path / "faces", "equirect", tmp_path / "eq.png")
    assert result.input_kind == "faces"
    img = cv2.imread(str(tmp_path / "eq.png"))[..., ::-1] / 255.0
    assert np.abs(img - direction_pano()).mean() < 0.01


def test_one_photo_uses_stripe_and_a_folder_uses_ring(tmp_path: Path) -> None:
    single = convert(save_rgb(tmp_path / "p.png", photo()), "equirect", tmp_path / "a.png", size=256)
    assert single.input_kind == "photo" and single.method == "stripe" and single.size == (256, 128)
    (tmp_path / "views").mkdir()
    for i in range(4):
        save_rgb(tmp_path / "views" / f"v{i}.png", photo(i))
    ring = convert(tmp_path / "views", "equirect", tmp_path / "b.png", size=256)
    turned = convert(
        tmp_path / "views", "equirect", tmp_path / "t.png", size=256, options=RingOptions(yaw=90.0, ground="solid")
    )
    assert not np.array_equal(cv2.imread(str(tmp_path / "t.png")), cv2.imread(str(tmp_path / "b.png")))
    assert turned.method == "ring"
    with pytest.raises(SkyassetError):  # options of another method
        convert(tmp_path / "views", "equirect", tmp_path / "u.png", size=256, options=StripeOptions())
    assert ring.input_kind == "photos" and ring.method == "ring"
    with pytest.raises(SkyassetError) as err:
        convert(tmp_path / "p.png", "equirect", tmp_path / "c.png", method="ring")
    assert err.value.code == "invalid_argument" and "3 photos" in err.value.message


def test_hdr_panorama_input_and_hdr_output(tmp_path: Path) -> None:
    radiance = (direction_pano(64) * 4.0).astype(np.float32)
    cv2.imwrite(str(tmp_path / "in.hdr"), radiance[..., ::-1])
    result = convert(tmp_path / "in.hdr", "equirect", tmp_path / "out.png", hdr=True)
    assert [f["format"] for f in result.files] == ["png", "hdr", "exr", "json"]
    assert read_hdr(tmp_path / "out.exr").shape == (64, 128, 3)


def test_cli_convert_json_and_errors(tmp_path: Path) -> None:
    pano = save_rgb(tmp_path / "pano.png", direction_pano(64))
    out = tmp_path / "sky.png"
    args = ["convert", str(pano), "--to", "faces", "-o", str(out), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stdout
    answer = json.loads(result.stdout)
    assert [f["role"] for f in answer["files"]][:6] == [
        "face:front",
        "face:back",
        "face:left",
        "face:right",
        "face:up",
        "face:down",
    ]
    assert answer["outputs"] == [f["path"] for f in answer["files"]] and answer["input"] == str(pano)
    again = runner.invoke(app, args)
    assert again.exit_code == 4 and json.loads(again.stdout)["error"]["code"] == "output_exists"
    missing = runner.invoke(app, ["convert", str(tmp_path / "nope.png"), "--to", "faces", "-o", str(out), "--json"])
    assert missing.exit_code == 2 and json.loads(missing.stdout)["error"]["code"] == "input_not_found"


@pytest.mark.parametrize(
    ("option", "value", "choices"),
    [
        ("--to", "sphere", "horizon"),
        ("--input-kind", "movie", "cross-v"),
        ("--method", "spiral", "mirror"),
        ("--ground", "lava", "reflection"),
        ("--upscale", "huge", "fast"),
    ],
)
def test_cli_convert_refuses_a_bad_choice_while_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, choices: str
) -> None:
    from skyasset.cli.app import main

    pano = save_rgb(tmp_path / "pano.png", direction_pano(64))
    code = main(["convert", str(pano), "-o", str(tmp_path / "sky.png"), option, value, "--json"])
    error = json.loads(capsys.readouterr().out)["error"]
    assert code == 2 and error["code"] == "invalid_argument"
    assert value in error["message"] and choices in error["message"]
    assert not list(tmp_path.glob("sky*"))


def test_bench_skybox_on_the_tiny_bundle_runs_the_real_generator(tmp_path: Path) -> None:
    from skyasset.generator import SkyGenerator

    gen = SkyGenerator(TINY_BUNDLE)
    cloud = gen.classes[0].code
    report = bench_skybox(generator_views(gen), [cloud], [0, 1], width=256, face_size=64, sheet=tmp_path / "s.png")
    for key in ("wrap_seam", "cube_edge", "unique_share", "seconds_per_skybox", "seconds_end_to_end"):
        assert isinstance(report[key], float) and report[key] >= 0
    assert set(report["methods"]) == {"ring", "mirror", "stripe"}
    assert report["methods"]["mirror"]["unique_share"] < 0.6 and report["runs"] == 2
    assert cv2.imread(str(tmp_path / "s.png")) is not None


def test_cli_bench_skybox_json(tmp_path: Path) -> None:
    if not CCSN.is_dir():
        pytest.skip(f"CCSN photos not found at {CCSN}")
    result = runner.invoke(
        app,
        [
            "bench",
            "skybox",
            "--ccsn",
            str(CCSN),
            "--classes",
            "St",
            "--seeds",
            "1",
            "--width",
            "512",
            "--face-size",
            "128",
            "--sheet",
            str(tmp_path / "s.png"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stdout
    answer = json.loads(result.stdout)
    assert {"wrap_seam", "cube_edge", "unique_share", "seconds_per_skybox"} <= set(answer)
    assert answer["source"] == "ccsn" and Path(answer["contact_sheet"]).is_file()


def test_cli_convert_keeps_dots_in_the_output_name(tmp_path: Path) -> None:
    """Regression: ``-o sky_psi0.70.png`` wrote sky_psi0.png / sky_psi0.hdr (``.70`` taken for an extension)."""
    pano = save_rgb(tmp_path / "pano.png", direction_pano(64))
    out = tmp_path / "sky_psi0.70.png"
    result = runner.invoke(app, ["convert", str(pano), "--to", "equirect", "-o", str(out), "--hdr", "--json"])
    assert result.exit_code == 0, result.stdout
    names = [Path(p).name for p in json.loads(result.stdout)["outputs"]]
    assert names == ["sky_psi0.70.png", "sky_psi0.70.hdr", "sky_psi0.70.exr", "sky_psi0.70.json"]
    assert all((tmp_path / n).is_file() for n in names) and not (tmp_path / "sky_psi0.png").exists()
