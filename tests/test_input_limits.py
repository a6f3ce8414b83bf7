"""Hostile inputs: forged headers, damaged files and absurd sizes get a named error, never a huge allocation."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from skyasset.assets.hdr import write_exr, write_radiance
from skyasset.convert import convert
from skyasset.errors import SkyassetError
from skyasset.limits import DEFAULT_MAX_PIXELS, image_size


def _png_claiming(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims ``width`` x ``height``: what a decompression bomb looks like."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


def _code(call) -> SkyassetError:  # type: ignore[no-untyped-def]
    with pytest.raises(SkyassetError) as caught:
        call()
    return caught.value


def test_a_forged_huge_png_is_refused_from_its_header(tmp_path: Path) -> None:
    bomb = _png_claiming(tmp_path / "bomb.png", 30000, 30000)
    assert bomb.stat().st_size < 2000
    assert image_size(bomb) == (30000, 30000)
    error = _code(lambda: convert(bomb, "equirect", tmp_path / "out.png"))
    assert error.code == "invalid_argument" and "SKYASSET_MAX_PIXELS" in error.message
    assert not list((tmp_path).glob("out*"))


def test_the_bound_can_be_raised_or_lowered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = tmp_path / "photo.png"
    Image.fromarray(np.full((128, 256, 3), 120, np.uint8)).save(photo)
    monkeypatch.setenv("SKYASSET_MAX_PIXELS", "10000")
    assert _code(lambda: convert(photo, "equirect", tmp_path / "a.png", size=64)).code == "invalid_argument"
    monkeypatch.setenv("SKYASSET_MAX_PIXELS", "many")
    error = _code(lambda: convert(photo, "equirect", tmp_path / "a.png", size=64))
    assert error.code == "invalid_argument" and "SKYASSET_MAX_PIXELS" in error.message
    monkeypatch.delenv("SKYASSET_MAX_PIXELS")
    convert(photo, "equirect", tmp_path / "a.png", size=256)


def test_an_absurd_output_size_fails_before_work(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    Image.fromarray(np.full((64, 64, 3), 120, np.uint8)).save(photo)
    error = _code(lambda: convert(photo, "equirect", tmp_path / "a.png", size=100000))
    assert error.code == "invalid_argument" and "--size" in error.message
    assert 16384 * 8192 == DEFAULT_MAX_PIXELS


def test_a_panorama_upscaled_past_the_bound_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pano = tmp_path / "pano.png"
    Image.fromarray(np.full((256, 512, 3), 120, np.uint8)).save(pano)
    monkeypatch.setenv("SKYASSET_MAX_PIXELS", str(1024 * 512))
    error = _code(lambda: convert(pano, "equirect", tmp_path / "a.png", upscale="fast"))
    assert error.code == "invalid_argument" and "2048x1024" in error.message


def test_a_truncated_jpeg_is_damaged_not_grey(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)).save(photo, quality=90)
    photo.write_bytes(photo.read_bytes()[: photo.stat().st_size // 2])
    error = _code(lambda: convert(photo, "equirect", tmp_path / "a.png", size=256))
    assert error.code == "io_error" and "damaged" in error.message


@pytest.mark.parametrize("suffix", [".exr", ".hdr", ".png"])
def test_damaged_files_are_io_errors(tmp_path: Path, suffix: str) -> None:
    good = tmp_path / f"good{suffix}"
    pixels = np.full((64, 128, 3), 0.5, np.float32)
    if suffix == ".exr":
        write_exr(good, pixels)
    elif suffix == ".hdr":
        write_radiance(good, pixels)
    else:
        Image.fromarray((pixels * 255).astype(np.uint8)).save(good)
    for name, data in [("garbage", b"not an image at all" * 10), ("cut", good.read_bytes()[:40])]:
        bad = tmp_path / f"{name}{suffix}"
        bad.write_bytes(data)
        out = tmp_path / f"{name}-out.png"
        error = _code(lambda bad=bad, out=out: convert(bad, "equirect", out, size=256))
        assert error.code == "io_error", (name, error.code, error.message)
    assert not list(tmp_path.glob("*-out*"))
