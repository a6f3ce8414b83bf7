"""The CLI and its --json bridge protocol (docs/CLI_PROTOCOL.md), through CliRunner and the real entry point."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from skyasset import __version__
from skyasset.classes import CCSN_CLASSES
from skyasset.cli.app import app, main

runner = CliRunner()


def run_json(args: list[str]) -> tuple[int, dict[str, Any]]:
    """Through the real entry point, which also answers usage errors (e.g. a bad --layout) in JSON."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*args, "--json"])
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1, f"expected exactly one JSON line, got: {out.getvalue()!r}"
    return code, json.loads(lines[0])


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout


def test_classes_without_a_model_lists_the_ccsn_genera() -> None:
    code, answer = run_json(["classes"])
    assert code == 0
    assert answer["source"] in {"builtin", "model"}
    if answer["source"] == "builtin":
        assert [c["code"] for c in answer["classes"]] == [c.code for c in CCSN_CLASSES]
    assert all(set(c) == {"code", "name", "description"} for c in answer["classes"])


def test_classes_from_a_model(tiny_bundle_path: Path) -> None:
    code, answer = run_json(["classes", "--model", str(tiny_bundle_path)])
    assert code == 0 and answer["source"] == "model" and len(answer["classes"]) == 11


def test_model_info(tiny_bundle_path: Path) -> None:
    code, answer = run_json(["model", "info", "--model", str(tiny_bundle_path)])
    assert code == 0
    model = answer["model"]
    assert model["c_dim"] == 11 and model["variant"] == "fp32" and model["bytes"] > 0
    human = runner.invoke(app, ["model", "info", "--model", str(tiny_bundle_path)])
    assert human.exit_code == 0 and "resolution" in human.stdout


def test_generate_flat_json_shape(tiny_bundle_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "sky é dir" / "sky.png"  # spaces and non-ASCII survive
    code, answer = run_json(
        [
            "generate",
            "-c",
            "cumulus",
            "-s",
            "7",
            "--psi",
            "0.5",
            "--mix",
            "stratus:0.3",
            "--layout",
            "flat",
            "--model",
            str(tiny_bundle_path),
            "-o",
            str(out),
        ]
    )
    assert code == 0, answer
    assert answer["outputs"] == [str(out)]
    assert answer["cloud"] == "Cu" and answer["cloud_name"] == "cumulus"
    assert answer["seed"] == 7 and answer["psi"] == 0.5
    assert answer["mix"] == [{"cloud": "stratus", "weight": 0.3}]
    assert answer["files"][0]["role"] == "flat" and answer["files"][0]["format"] == "png"
    assert set(answer["timings"]) >= {"load_s", "generate_s", "write_s", "total_s"}
    assert answer["model"]["variant"] == "fp32"
    with Image.open(out) as image:
        assert image.size == (answer["size"][0], answer["size"][1])
        assert image.text["skyasset:seed"] == "7" and image.text["skyasset:cloud"] == "Cu"
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_generate_is_reproducible(tiny_bundle_path: Path, tmp_path: Path) -> None:
    for name in ("a.png", "b.png"):
        code, _ = run_json(
            [
                "generate",
                "-c",
                "Ci",
                "-s",
                "3",
                "--layout",
                "flat",
                "--model",
                str(tiny_bundle_path),
                "-o",
                str(tmp_path / name),
            ]
        )
        assert code == 0
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_random_seed_is_reported(tiny_bundle_path: Path, tmp_path: Path) -> None:
    code, answer = run_json(
        ["generate", "-c", "Ci", "--layout", "flat", "--model", str(tiny_bundle_path), "-o", str(tmp_path / "r.png")]
    )
    assert code == 0 and 0 <= answer["seed"] < 2**31


@pytest.mark.parametrize(
    ("args", "error_code", "exit_code"),
    [
        (
            ["generate", "-c", "cumulo", "-o", "{tmp}/x.png", "--layout", "flat", "--model", "{model}"],
            "unknown_cloud",
            2,
        ),
        (
            ["generate", "-c", "Cu", "--psi", "9", "-o", "{tmp}/x.png", "--layout", "flat", "--model", "{model}"],
            "invalid_argument",
            2,
        ),
        (
            ["generate", "-c", "Cu", "--layout", "sphere", "-o", "{tmp}/x.png", "--model", "{model}"],
            "invalid_argument",
            2,
        ),
        (
            ["generate", "-c", "Cu", "--mix", "stratus:2", "-o", "{tmp}/x.png", "--model", "{model}"],
            "invalid_argument",
            2,
        ),
        (["generate", "-c", "Cu", "-o", "{tmp}/x.png", "--layout", "flat"], "no_model", 3),
        (["generate", "-c", "Cu", "-o", "{tmp}/x.png", "--model", "{tmp}/missing"], "bundle_not_found", 3),
        (["model", "info", "--model", "{tmp}"], "bundle_not_found", 3),
        (
            ["generate", "-c", "Cu", "-o", "{tmp}/exists.png", "--layout", "flat", "--model", "{model}"],
            "output_exists",
            4,
        ),
        (
            ["generate", "-c", "Cu", "-o", "{tmp}/exists.png/x.png", "--layout", "flat", "--model", "{model}"],
            "io_error",
            5,
        ),
    ],
)
def test_error_codes(
    args: list[str],
    error_code: str,
    exit_code: int,
    tiny_bundle_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from skyasset import models

    monkeypatch.setattr(models, "DEFAULT_MODEL_DIR", tmp_path / "no-default-model")
    (tmp_path / "exists.png").write_bytes(b"keep me")
    filled = [a.format(tmp=tmp_path, model=tiny_bundle_path) for a in args]
    code, answer = run_json(filled)
    assert code == exit_code
    assert answer["error"]["code"] == error_code and answer["error"]["message"]
    assert (tmp_path / "exists.png").read_bytes() == b"keep me"


def test_broken_bundle_error_reaches_the_bridge(tiny_bundle_copy: Path, tmp_path: Path) -> None:
    (tiny_bundle_copy / "mapping.onnx").write_bytes(b"truncated")
    code, answer = run_json(["generate", "-c", "Cu", "-o", str(tmp_path / "x.png"), "--model", str(tiny_bundle_copy)])
    assert code == 3 and answer["error"]["code"] == "bundle_checksum_mismatch"


def test_internal_errors_still_answer_in_json(
    tiny_bundle_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skyasset.cli.generate as command

    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(command, "generate", explode)
    code, answer = run_json(["generate", "-c", "Cu", "-o", str(tmp_path / "x.png")])
    assert code == 1 and answer["error"]["code"] == "internal_error" and "boom" in answer["error"]["message"]


def test_usage_errors_in_json_mode_through_the_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--seed", "abc", "--json"]) == 2
    answer = json.loads(capsys.readouterr().out)
    assert answer["error"]["code"] == "invalid_argument"


def test_human_errors_go_to_stderr(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skyasset",
            "generate",
            "-c",
            "Cu",
            "-o",
            str(tmp_path / "x.png"),
            "--model",
            str(tmp_path / "missing"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    assert result.stdout == "" and "error:" in result.stderr
