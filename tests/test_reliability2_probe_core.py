"""Issue 28, the hostile probe's core findings: file and folder names that are not UTF-8 (OpenCV crashed on them,
OpenEXR and ONNX Runtime refused them), and a FID report that is a FIFO or nests 100000 deep.

Every case runs the real CLI as a child process with a time limit. Names are bytes (``b"\\xff"``): on POSIX a
file name is any bytes, and Python shows one that is not UTF-8 with surrogate escapes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from skyasset.assets.hdr import read_hdr
from skyasset.session import make_session

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file names that are not UTF-8 exist on POSIX only")


def _cli(cwd: Path, *args: str | bytes, timeout: float = 60) -> tuple[int, dict[str, Any]]:
    """``skyasset ARGS --json`` in ``cwd`` as a real process; a crash, hang or traceback fails the test."""
    result = subprocess.run(
        [sys.executable, "-m", "skyasset", *args, "--json"],
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    stderr = result.stderr.decode(errors="replace")
    assert result.returncode >= 0, f"killed by signal {-result.returncode}: {stderr}"
    assert "Traceback" not in stderr, stderr
    answer = json.loads(result.stdout)
    assert answer.get("error", {}).get("code") != "internal_error", answer
    return result.returncode, answer


def _png(path: Path | bytes) -> None:
    pixels = np.random.default_rng(0).integers(0, 255, (64, 128, 3), dtype=np.uint8)
    with open(path, "wb") as f:
        Image.fromarray(pixels).save(f, format="PNG")


def _names(folder: Path | bytes) -> set[bytes]:
    return set(os.listdir(os.fsencode(folder)))


def test_an_image_named_in_bytes_that_are_not_utf8_converts(tmp_path: Path) -> None:
    _png(os.fsencode(tmp_path) + b"/p\xff.png")
    code, answer = _cli(tmp_path, b"convert", b"p\xff.png", b"-o", b"out/sky.png")
    assert code == 0, answer
    assert {b"sky.png", b"sky.json"} <= _names(tmp_path / "out")


def test_a_missing_image_named_in_bytes_that_are_not_utf8_is_input_not_found(tmp_path: Path) -> None:
    code, answer = _cli(tmp_path, b"convert", b"gone\xff.png", b"-o", b"out/sky.png")
    assert answer["error"]["code"] == "input_not_found" and code != 0


def test_a_photo_folder_named_in_bytes_that_are_not_utf8_converts(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path) + b"/photos\xff"
    os.mkdir(folder)
    _png(folder + b"/a\xff.png")
    code, answer = _cli(tmp_path, b"convert", b"photos\xff", b"-o", b"out/sky.png")
    assert code == 0, answer
    assert b"sky.png" in _names(tmp_path / "out")


def test_hdr_outputs_and_inputs_named_in_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    _png(tmp_path / "p.png")
    code, answer = _cli(tmp_path, b"convert", b"p.png", b"-o", b"out/s\xff.png", b"--hdr")
    assert code == 0, answer
    assert {b"s\xff.png", b"s\xff.hdr", b"s\xff.exr", b"s\xff.json"} <= _names(tmp_path / "out")
    exr = Path(os.fsdecode(os.fsencode(tmp_path) + b"/out/s\xff.exr"))
    assert read_hdr(exr).shape == (64, 128, 3)
    for name in (b"s\xff.exr", b"s\xff.hdr"):  # read back as inputs: the EXR was "damaged or not an EXR"
        code, answer = _cli(tmp_path, b"convert", b"out/" + name, b"-o", b"back/" + name[-3:] + b".png")
        assert code == 0, answer


def test_faces_into_a_folder_named_in_bytes_that_are_not_utf8_and_back(tmp_path: Path) -> None:
    _png(tmp_path / "p.png")
    code, answer = _cli(tmp_path, b"convert", b"p.png", b"--to", b"faces", b"--hdr", b"-o", b"out/d\xe9/sky.png")
    assert code == 0, answer
    assert {b"sky_up.exr", b"sky_up.hdr", b"sky_up.png"} <= _names(os.fsencode(tmp_path) + b"/out/d\xe9")
    code, answer = _cli(tmp_path, b"convert", b"out/d\xe9", b"-o", b"back/sky.png")
    assert code == 0, answer


def test_a_bundle_in_a_folder_named_in_bytes_that_are_not_utf8_loads(tiny_bundle_path: Path, tmp_path: Path) -> None:
    shutil.copytree(tiny_bundle_path, os.fsdecode(os.fsencode(tmp_path) + b"/b\xff"))
    code, answer = _cli(tmp_path, b"model", b"info", b"--model", b"b\xff")
    assert code == 0 and answer["model"]["model_id"], answer
    code, answer = _cli(
        tmp_path, b"generate", b"--model", b"b\xff", b"--cloud", b"Ac", b"--size", b"64", b"--hdr",
        b"--layout", b"faces", b"-o", b"out/d\xe9/sky.png",
    )  # fmt: skip
    assert code == 0, answer
    assert {b"sky_front.exr", b"sky_front.png"} <= _names(os.fsencode(tmp_path) + b"/out/d\xe9")


def test_a_graph_with_external_weights_loads_from_a_folder_not_named_in_utf8(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.eye(4, dtype=np.float32) * 2, "W")
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "W"], ["y"])], "g", [x], [y], [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save_model(
        model, str(tmp_path / "g.onnx"), save_as_external_data=True, location="weights.bin", size_threshold=0
    )
    folder = os.fsencode(tmp_path) + b"/b\xff"
    os.mkdir(folder)
    for name in (b"g.onnx", b"weights.bin"):
        os.rename(os.fsencode(tmp_path) + b"/" + name, folder + b"/" + name)
    session = make_session(Path(os.fsdecode(folder)) / "g.onnx", ["CPUExecutionProvider"])
    assert session.run(None, {"x": np.ones((1, 4), np.float32)})[0].tolist() == [[2.0] * 4]


def test_a_fifo_as_the_fid_report_is_refused_by_type(tiny_bundle_path: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.json")
    code, answer = _cli(tmp_path, "bench", "model", str(tiny_bundle_path), "--fid-report", "f.json", timeout=30)
    assert code == 2 and answer["error"]["code"] == "invalid_argument"
    assert "FIFO" in answer["error"]["message"] and "JSON file" in answer["error"]["message"]


def test_a_fid_report_nested_100000_deep_is_invalid_argument(tiny_bundle_path: Path, tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text("[" * 100_000)
    code, answer = _cli(tmp_path, "bench", "model", str(tiny_bundle_path), "--fid-report", "f.json", timeout=30)
    assert code == 2 and answer["error"]["code"] == "invalid_argument"
    assert "deep" in answer["error"]["message"]
