"""Output errors a user causes get a named error, and the answer is valid UTF-8 whatever the output name.

Issue 28, item 5 (output side: names past the file system's limit, a symlink loop as output folder, OpenEXR and
OS errors on a full disk were `internal_error`) and item 7 (a non-UTF-8 output name put invalid UTF-8 in the
JSON answer). Real files, a real tmpfs where this user may mount one, real file-size limits, real processes.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from skyasset.cli.app import app

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX names, mounts and rlimits")

LONG = "a" * 300  # past the 255-byte name limit of every common file system


def _answer(bundle: Path, *args: str) -> tuple[int, dict[str, Any]]:
    argv = ["generate", "-c", "Cu", "-s", "7", "--model", str(bundle), "--json", *args]
    result = CliRunner().invoke(app, argv)
    return result.exit_code, json.loads(result.stdout)


def _loop(tmp_path: Path) -> Path:
    (tmp_path / "loop_b").symlink_to(tmp_path / "loop_a")
    (tmp_path / "loop_a").symlink_to(tmp_path / "loop_b")
    return tmp_path / "loop_a"


@pytest.mark.parametrize(
    "out",
    [
        f"{LONG}.png",  # the file name itself
        f"{LONG}/sky.png",  # a folder name, the folder's parent existing
        f"x/y/{LONG}/sky.png",  # a folder name under folders still to be made
        "/".join(["b" * 250] * 20) + "/sky.png",  # every name fits, the whole path does not
        "c" * 250 + ".png",  # fits, but the faces' names derived from it (c..c_front.png) do not
    ],
    ids=["file", "folder", "deep_folder", "whole_path", "derived_names"],
)
def test_names_past_the_limit_are_invalid_arguments(tiny_bundle_path: Path, tmp_path: Path, out: str) -> None:
    rc, answer = _answer(tiny_bundle_path, "-o", str(tmp_path / out), "--layout", "faces")
    assert rc == 2 and answer["error"]["code"] == "invalid_argument", answer
    assert "too long" in answer["error"]["message"] and "shorter" in answer["error"]["message"]
    assert list(tmp_path.iterdir()) == []


def test_a_name_that_just_fits_is_written(tiny_bundle_path: Path, tmp_path: Path) -> None:
    # Temporary names are longer than the target's; they must not push a name that fits past the limit.
    out = tmp_path / ("d" * 250 + ".png")
    rc, answer = _answer(tiny_bundle_path, "-o", str(out), "--layout", "equirect", "--size", "256", "--hdr")
    assert rc == 0, answer
    assert out.is_file() and out.with_suffix(".exr").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_long_name_for_convert_is_an_invalid_argument(tmp_path: Path) -> None:
    source = tmp_path / "pano.png"
    Image.fromarray(np.full((128, 256, 3), 120, np.uint8)).save(source)
    result = CliRunner().invoke(app, ["convert", str(source), "-o", str(tmp_path / f"{LONG}.png"), "--json"])
    answer = json.loads(result.stdout)
    assert result.exit_code == 2 and answer["error"]["code"] == "invalid_argument", answer


@pytest.mark.parametrize("below", ["sky.png", "sub/sky.png"])
def test_a_symlink_loop_as_the_output_folder_is_an_invalid_argument(
    tiny_bundle_path: Path, tmp_path: Path, below: str
) -> None:
    rc, answer = _answer(tiny_bundle_path, "-o", str(_loop(tmp_path) / below))
    assert rc == 2 and answer["error"]["code"] == "invalid_argument", answer
    assert "loop of symbolic links" in answer["error"]["message"]


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 600 KiB file system: room for part of a 19-file skybox, not for all of it."""
    mount = tmp_path / "small"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("size", ["1024", "2048"])  # 1024: the disk fills in an EXR; 2048: already in a PNG
def test_a_full_disk_is_an_io_error(tiny_bundle_path: Path, small_tmpfs: Path, size: str) -> None:
    rc, answer = _answer(
        tiny_bundle_path, "-o", str(small_tmpfs / "sky.png"), "--layout", "faces", "--hdr", "--size", size
    )
    assert rc == 5 and answer["error"]["code"] == "io_error", answer
    assert "No space left on device" in answer["error"]["message"] and "free some space" in answer["error"]["message"]
    assert list(small_tmpfs.iterdir()) == [], "nothing is left behind, staging included"


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))  # Python ignores SIGXFSZ: writes fail with EFBIG


def test_openexr_failing_to_write_is_an_io_error(tmp_path: Path) -> None:
    # OpenEXR's binding reports the OS failure as a RuntimeError carrying only its message.
    code = (
        "import numpy as np\n"
        "from skyasset.assets.hdr import write_exr\n"
        "from skyasset.errors import SkyassetError\n"
        "try:\n"
        f"    write_exr({str(tmp_path / 'x.exr')!r}, np.random.default_rng(0).random((256, 512, 3), np.float32))\n"
        "except SkyassetError as error:\n"
        "    print(error.code, error.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=_limit_file_size, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("io_error Cannot write") and "File too large" in done.stdout, done.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_file_size_limit_during_generate_is_an_io_error(tiny_bundle_path: Path, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "skyasset", "generate", "-c", "Cu", "-s", "7", "--model", str(tiny_bundle_path)]
    argv += ["-o", str(tmp_path / "sky.png"), "--layout", "faces", "--hdr", "--size", "2048", "--json"]
    done = subprocess.run(argv, capture_output=True, text=True, preexec_fn=_limit_file_size, timeout=120)
    answer = json.loads(done.stdout)
    assert done.returncode == 5 and answer["error"]["code"] == "io_error", answer
    assert list(tmp_path.iterdir()) == []


def _run_bytes(bundle: Path, out: bytes, locale: str) -> subprocess.CompletedProcess[bytes]:
    argv = [os.fsencode(sys.executable), b"-m", b"skyasset", b"generate", b"-c", b"Cu", b"-s", b"7"]
    argv += [b"--model", os.fsencode(bundle), b"-o", out, b"--size", b"256", b"--json"]
    env = {**os.environ, "LC_ALL": locale, "PYTHONUTF8": "0"}
    return subprocess.run(argv, capture_output=True, timeout=120, env=env)


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_a_non_utf8_output_name_gives_a_valid_utf8_answer(tiny_bundle_path: Path, tmp_path: Path, locale: str) -> None:
    folder = os.fsencode(tmp_path) + b"/bad\xff\xfename"
    done = _run_bytes(tiny_bundle_path, folder + b"/sky.png", locale)
    assert done.returncode == 0, done.stdout + done.stderr
    text = done.stdout.decode("utf-8")  # strict: raises on the invalid UTF-8 of the old answer
    answer = json.loads(text)
    assert answer["outputs"][0].endswith("/bad\\xff\\xfename/sky.png"), "each undecodable byte shown as \\xNN"
    assert os.path.isfile(folder + b"/sky.png"), "the files are where the name said"
    # An error answer naming that path is valid UTF-8 too.
    again = _run_bytes(tiny_bundle_path, folder + b"/sky.png", locale)
    error = json.loads(again.stdout.decode("utf-8"))["error"]
    assert again.returncode == 4 and error["code"] == "output_exists" and "bad\\xff\\xfename" in error["message"]
