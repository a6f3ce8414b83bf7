"""Issue 28, items 3, 5 and 7: what `convert` reads. Non-regular files are refused by type before opening (a FIFO
or a device never ends), and odd or damaged images get a named error, never internal_error or a grey sky."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from skyasset.convert import convert
from skyasset.errors import SkyassetError

FACES = ("front", "back", "left", "right", "up", "down")


def _cli(args: list[str], env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """Run ``skyasset ARGS --json`` as a real process; a hang fails the test instead of blocking it."""
    result = subprocess.run(
        [sys.executable, "-m", "skyasset", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def _error(call) -> SkyassetError:  # type: ignore[no-untyped-def]
    with pytest.raises(SkyassetError) as caught:
        call()
    return caught.value


def _save(path: Path, array: np.ndarray) -> Path:
    Image.fromarray(array).save(path)
    return path


@pytest.fixture
def grey() -> np.ndarray:
    return np.full((64, 64, 3), 120, np.uint8)


def test_a_fifo_as_the_input_is_refused_by_type_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "sky.png"
    os.mkfifo(fifo)
    code, answer = _cli(["convert", str(fifo), "-o", str(tmp_path / "out.png")])
    assert code == 2 and answer["error"]["code"] == "invalid_argument"
    assert "FIFO" in answer["error"]["message"] and "not a regular file" in answer["error"]["message"]


@pytest.mark.parametrize("kind", ["faces", "photos"])
def test_a_fifo_among_faces_or_photos_is_refused_by_type(tmp_path: Path, grey: np.ndarray, kind: str) -> None:
    folder = tmp_path / kind
    folder.mkdir()
    names = FACES if kind == "faces" else ("a", "b", "c")
    for name in names[:-1]:
        _save(folder / f"{name}.png", grey)
    os.mkfifo(folder / f"{names[-1]}.png")
    code, answer = _cli(["convert", str(folder), "--input-kind", kind, "-o", str(tmp_path / "out.png")])
    assert code == 2 and answer["error"]["code"] == "invalid_argument"
    assert f"{names[-1]}.png is a FIFO" in answer["error"]["message"]


def test_a_device_is_refused_by_type(tmp_path: Path) -> None:
    link = tmp_path / "zero.exr"  # a device behind an image's name and a link
    link.symlink_to("/dev/zero")
    for source in (Path("/dev/zero"), link):
        error = _error(lambda source=source: convert(source, "equirect", tmp_path / "out.png"))
        assert error.code == "invalid_argument" and "character device" in error.message


def test_a_symlink_loop_as_the_input_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.png").symlink_to(tmp_path / "b.png")
    (tmp_path / "b.png").symlink_to(tmp_path / "a.png")
    code, answer = _cli(["convert", str(tmp_path / "a.png"), "-o", str(tmp_path / "out.png")])
    assert code == 2 and answer["error"]["code"] == "invalid_argument"
    assert "loop of symbolic links" in answer["error"]["message"]


def test_an_unknown_users_home_as_the_input_is_named(tmp_path: Path) -> None:
    error = _error(lambda: convert("~no-such-user-here/sky.png", "equirect", tmp_path / "out.png"))
    assert error.code == "input_not_found" and "'~'" in error.message


def test_a_truncated_jpeg_under_another_name_is_damaged_not_grey(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    jpeg = tmp_path / "whole.jpg"
    Image.fromarray(rng.integers(0, 255, (256, 512, 3), dtype=np.uint8)).save(jpeg, quality=90)
    for name in ("sky.png", "sky.webp"):  # OpenCV decodes by content and fills the missing half with grey
        (tmp_path / name).write_bytes(jpeg.read_bytes()[: jpeg.stat().st_size // 3])
        error = _error(lambda name=name: convert(tmp_path / name, "equirect", tmp_path / "out.png"))
        assert error.code == "io_error" and name in error.message and "damaged" in error.message
    assert not list(tmp_path.glob("out*"))


def test_int32_images_are_refused_by_name(tmp_path: Path) -> None:
    tiff = tmp_path / "deep.tif"
    Image.fromarray(np.full((64, 128), 70000, np.int32), mode="I").save(tiff)
    code, answer = _cli(["convert", str(tiff), "-o", str(tmp_path / "out.png")])
    assert code == 2 and answer["error"]["code"] == "invalid_argument"
    assert "deep.tif" in answer["error"]["message"] and "32-bit integer" in answer["error"]["message"]


@pytest.mark.parametrize(
    ("shape", "kind", "minimum"),
    [
        ((1, 2, 3), "auto", "32x16"),
        ((1, 1, 3), "equirect", "32x16"),
        ((8, 16, 3), "equirect", "32x16"),
        ((3, 4, 3), "cross-h", "8x8"),
        ((2, 12, 3), "horizon", "8x8"),
        ((4, 4, 3), "photo", "8x8"),
    ],
)
def test_images_too_small_for_a_sky_are_refused_with_the_minimum(
    tmp_path: Path, shape: tuple[int, int, int], kind: str, minimum: str
) -> None:
    source = _save(tmp_path / "tiny.png", np.full(shape, 100, np.uint8))
    error = _error(lambda: convert(source, "equirect", tmp_path / "out.png", kind=kind))  # type: ignore[arg-type]
    assert error.code == "invalid_argument" and "too small" in error.message and minimum in error.message


def test_tiny_or_mismatched_faces_are_refused_by_name(tmp_path: Path) -> None:
    for size, folder in ((1, tmp_path / "tiny"), (16, tmp_path / "mixed")):
        folder.mkdir()
        for i, name in enumerate(FACES):
            side = size + (i if folder.name == "mixed" else 0)
            _save(folder / f"{name}.png", np.full((side, side, 3), 100, np.uint8))
    error = _error(lambda: convert(tmp_path / "tiny", "equirect", tmp_path / "a.png"))
    assert error.code == "invalid_argument" and "too small" in error.message
    error = _error(lambda: convert(tmp_path / "mixed", "equirect", tmp_path / "b.png"))
    assert error.code == "invalid_argument" and "same size" in error.message


def test_a_float_tiff_of_nan_is_refused_and_one_with_some_nan_is_repaired(tmp_path: Path) -> None:
    nan = tmp_path / "nan.tif"
    Image.fromarray(np.full((64, 128), np.nan, np.float32), mode="F").save(nan)
    error = _error(lambda: convert(nan, "equirect", tmp_path / "a.png"))
    assert error.code == "invalid_argument" and "no finite pixel value" in error.message
    some = np.full((64, 128), 0.5, np.float32)
    some[3, 4], some[5, 6] = np.nan, np.inf
    Image.fromarray(some, mode="F").save(tmp_path / "some.tif")
    result = convert(tmp_path / "some.tif", "equirect", tmp_path / "b.png")
    written = np.asarray(Image.open(result.files[0]["path"]))
    # NaN became 0 and +infinity the image's largest finite value (0.5), not white
    assert (written[3, 4] == 0).all() and (written[5, 6] == written[0, 0]).all() and written[0, 0, 0] == 128
    assert all(np.isfinite(v) for v in (result.sun or {}).values() if isinstance(v, float))
