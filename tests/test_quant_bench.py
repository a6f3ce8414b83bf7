"""`skyasset bench model`: real measurements of real bundles in fresh processes, as a table and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from skyasset.bench.model import bench_models, expand_models, format_table
from skyasset.bench.quality import psnr
from skyasset.cli.bench import bench_app
from skyasset.errors import SkyassetError
from skyasset.session import make_session
from training.quantize import quantize_bundle


@pytest.fixture(scope="module")
def variant_dir(tiny_bundle_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of bundles: the fp32 tiny bundle (copied) and its int8-weight variant."""
    import shutil

    root = tmp_path_factory.mktemp("bench")
    quantize_bundle(tiny_bundle_path, root / "a-int8", "int8-weight")
    shutil.copytree(tiny_bundle_path, root / "b-fp32")
    return root


def test_psnr_known_values() -> None:
    a = np.zeros((2, 4, 4, 3), np.float32)
    assert psnr(a, a) == float("inf")
    assert psnr(a, a + 0.1) == pytest.approx(20.0)


def test_folder_of_bundles_expands_fp32_first(variant_dir: Path, tmp_path: Path) -> None:
    assert [p.name for p in expand_models([variant_dir])] == ["b-fp32", "a-int8"]
    with pytest.raises(SkyassetError) as info:
        expand_models([tmp_path])
    assert info.value.code == "input_not_found"


def test_bench_measures_each_variant_against_fp32(variant_dir: Path) -> None:
    report = bench_models(expand_models([variant_dir]), seeds=range(8), repeats=2)
    fp32, int8 = report["variants"]
    assert report["reference"] == "fp32" and (fp32["name"], int8["name"]) == ("fp32", "int8-weight")
    for v in (fp32, int8):
        files = sum(f.stat().st_size for f in Path(v["path"]).iterdir() if f.suffix in (".onnx", ".bin"))
        assert v["bytes"] == files
        assert 0 < v["latency_s"] < 5 and 0 < v["latency_batch8_s"] < 5 and 0 < v["load_s"] < 30
        assert v["peak_rss_bytes"] > 20 * 2**20
    assert fp32["psnr_db"] is None and fp32["size_ratio"] == 1.0
    assert 30 < int8["psnr_db"] < 200 and 0 < int8["max_abs_error"] < 0.5
    assert int8["size_ratio"] == pytest.approx(fp32["bytes"] / int8["bytes"])
    table = format_table(report)
    assert "int8-weight" in table and "PSNR" in table


def test_peak_memory_is_the_workers_own_not_the_parents(tiny_bundle_path: Path) -> None:
    # Linux carries ru_maxrss across execve: a worker of a 1.5 GB parent used to report 1.5 GB.
    ballast = np.ones(1536 * 2**20, np.uint8)  # touched pages, so they count as resident
    report = bench_models([tiny_bundle_path], seeds=range(8), repeats=1)
    assert ballast[-1] == 1
    assert 20 * 2**20 < report["variants"][0]["peak_rss_bytes"] < 1024 * 2**20


def test_cli_prints_one_json_object_and_writes_the_report(variant_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        bench_app, ["model", str(variant_dir / "a-int8"), "--repeats", "1", "--json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert [v["name"] for v in answer["variants"]] == ["int8-weight"]
    assert {"name", "bytes", "latency_s", "psnr_db"} <= set(answer["variants"][0])
    assert json.loads(out.read_text())["variants"][0]["bytes"] == answer["variants"][0]["bytes"]


def test_cli_errors_answer_in_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(bench_app, ["model", str(tmp_path), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "input_not_found"
    result = CliRunner().invoke(bench_app, ["model", str(tmp_path), "--seeds", "3", "--json"])
    assert result.exit_code == 2


def test_help_names_where_fid_comes_from() -> None:
    # Rich markup once swallowed bracketed words from this help text; the command's name must survive.
    result = CliRunner().invoke(bench_app, ["model", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "skyasset-train fid-delta --json" in result.stdout


def test_thread_setting_from_environment(tiny_bundle_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKYASSET_THREADS", "1")
    assert make_session(tiny_bundle_path / "mapping.onnx").get_session_options().intra_op_num_threads == 1
    for absurd in ("many", "99999999999"):
        monkeypatch.setenv("SKYASSET_THREADS", absurd)
        with pytest.raises(SkyassetError) as info:
            make_session(tiny_bundle_path / "mapping.onnx")
        assert info.value.code == "invalid_argument" and "SKYASSET_THREADS" in info.value.message
