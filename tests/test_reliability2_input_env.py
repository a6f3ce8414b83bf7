"""Issue 28, item 5: environment settings and bundles that users get wrong get a named error (never
internal_error): SKYASSET_THREADS in other digits, SKYASSET_MODEL with '~nouser' or past the name limit, a bundle
whose mapping needs a class input its metadata does not give, metadata nested without end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from skyasset.bundle import MAX_METADATA_DEPTH, load_bundle
from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator


def _generate(tmp_path: Path, env: dict[str, str], model: Path | None = None) -> tuple[int, dict[str, Any]]:
    """`skyasset generate --json` as a real process with ``env`` added."""
    args = ["generate", "--layout", "flat", "--seed", "1", "-c", "Cu", "-o", str(tmp_path / "g.png"), "--json"]
    result = subprocess.run(
        [sys.executable, "-m", "skyasset", *args, *(["--model", str(model)] if model else [])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("threads", ["\u00b3", "\u0663", "1" * 5000, "2048"])
def test_skyasset_threads_takes_ascii_digits_up_to_the_bound(
    tmp_path: Path, tiny_bundle_path: Path, threads: str
) -> None:
    code, answer = _generate(tmp_path, {"SKYASSET_THREADS": threads}, tiny_bundle_path)
    assert code == 2 and answer["error"]["code"] == "invalid_argument"
    assert "SKYASSET_THREADS" in answer["error"]["message"] and len(answer["error"]["message"]) < 300


@pytest.mark.parametrize("model", ["~no-such-user-here/bundle", "b" * 5000, "/tmp/" + "c" * 300])
def test_a_skyasset_model_path_that_cannot_be_looked_up_is_named(tmp_path: Path, model: str) -> None:
    code, answer = _generate(tmp_path, {"SKYASSET_MODEL": model})
    assert code == 3 and answer["error"]["code"] == "bundle_not_found"
    assert len(answer["error"]["message"]) < 1000


def _edit_metadata(bundle: Path, **changes: Any) -> None:
    path = bundle / "skyasset-bundle.json"
    meta = json.loads(path.read_text(encoding="utf-8")) | changes
    path.write_text(json.dumps(meta), encoding="utf-8")


def test_a_bundle_with_c_dim_0_whose_mapping_needs_c_is_inconsistent(tiny_bundle_copy: Path) -> None:
    _edit_metadata(tiny_bundle_copy, c_dim=0, classes=[], class_w_avg=[])
    with pytest.raises(SkyassetError) as caught:
        SkyGenerator(tiny_bundle_copy)
    assert caught.value.code == "bundle_inconsistent" and "needs input(s) c" in caught.value.message


@pytest.mark.parametrize("depth", [100_000, MAX_METADATA_DEPTH + 5])
def test_metadata_nested_without_end_is_invalid(tiny_bundle_copy: Path, depth: int) -> None:
    path = tiny_bundle_copy / "skyasset-bundle.json"
    text = path.read_text(encoding="utf-8").rstrip().removesuffix("}")
    path.write_text(text + ', "provenance": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    with pytest.raises(SkyassetError) as caught:
        load_bundle(tiny_bundle_copy)
    assert caught.value.code == "bundle_invalid" and "nest" in caught.value.message


def test_oversized_metadata_or_numbers_past_pythons_digit_limit_are_invalid(tiny_bundle_copy: Path) -> None:
    path = tiny_bundle_copy / "skyasset-bundle.json"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.rstrip().removesuffix("}") + ', "x": ' + "9" * 5000 + "}", encoding="utf-8")
    with pytest.raises(SkyassetError) as caught:
        load_bundle(tiny_bundle_copy)
    assert caught.value.code == "bundle_invalid"
    path.write_text(original + " " * (17 << 20), encoding="utf-8")
    with pytest.raises(SkyassetError) as caught:
        load_bundle(tiny_bundle_copy)
    assert caught.value.code == "bundle_invalid" and "bytes" in caught.value.message


def test_a_fifo_in_place_of_the_metadata_is_refused_by_type(tiny_bundle_copy: Path) -> None:
    (tiny_bundle_copy / "skyasset-bundle.json").unlink()
    os.mkfifo(tiny_bundle_copy / "skyasset-bundle.json")
    with pytest.raises(SkyassetError) as caught:
        load_bundle(tiny_bundle_copy)
    assert caught.value.code == "bundle_invalid" and "not a regular file" in caught.value.message
