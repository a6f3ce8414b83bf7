"""skyasset-train end to end through the Typer app: prepare, dry run, train, transfer, info, plot, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
from typer.testing import CliRunner  # noqa: E402

from tests._train_helpers import CCSN, one_torch_thread  # noqa: E402, F401
from training.cli import app  # noqa: E402

pytestmark = pytest.mark.skipif(not CCSN.is_dir(), reason="CCSN photos not found at ../shared/datasets/ccsn")
runner = CliRunner()
TRAIN = [
    "--config",
    "tiny",
    "--batch",
    "8",
    "--kimg",
    "0.008",
    "--tick-kimg",
    "0.008",
    "--snap-kimg",
    "0",
    "--metrics",
    "none",
    "--workers",
    "0",
    "--device",
    "cpu",
]


def _ok(args: list[str]) -> str:
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "ccsn32.zip"
    report = json.loads(_ok(["prepare", str(CCSN), str(out), "--resolution", "32", "--max-images", "3", "--json"]))
    assert report["num_images"] == 33 and report["class_counts"]["Cu"] == 3
    assert len(report["duplicates_cross_class"]) == 3
    return out


def test_dry_run_writes_nothing(archive: Path, tmp_path: Path) -> None:
    out = _ok(["train", "--data", str(archive), "--outdir", str(tmp_path / "runs"), *TRAIN, "--dry-run"])
    assert '"config": "tiny"' in out and "ccsn32-tiny-cond-b8" in out
    assert not (tmp_path / "runs").exists()


def test_dry_run_takes_the_cpu_training_options(archive: Path, tmp_path: Path) -> None:
    out = _ok(
        [
            "train",
            "--data",
            str(archive),
            "--outdir",
            str(tmp_path / "runs"),
            *TRAIN,
            "--ada-kimg",
            "100",
            "--pl-weight",
            "0",
            "--d-reg-interval",
            "32",
            "--style-mixing",
            "0.5",
            "--ema-kimg",
            "2",
            "--contiguous",
            "--dry-run",
        ]
    )
    opts = json.loads(out[: out.rindex("}") + 1])
    assert (opts["ada_kimg"], opts["pl_weight"], opts["d_reg_interval"]) == (100, 0, 32)
    assert (opts["style_mixing"], opts["ema_kimg"], opts["channels_last"]) == (0.5, 2, False)
    res = runner.invoke(
        app, ["train", "--data", str(archive), "--outdir", str(tmp_path), "--ada-kimg", "0", "--dry-run"]
    )
    assert res.exit_code == 2 and "ada_kimg must be > 0" in res.output
    res = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(archive),
            "--outdir",
            str(tmp_path),
            "--uncond",
            "--metrics",
            "fid,cond_acc",
            "--dry-run",
        ],
    )
    assert res.exit_code == 2 and "cond_acc need(s) class labels" in res.output


def test_uncond_then_transfer_into_conditional(archive: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    _ok(["train", "--data", str(archive), "--outdir", str(runs), *TRAIN, "--uncond"])
    uncond = runs / "00000-ccsn32-tiny-uncond-b8"
    snap = uncond / "snapshot-0000000008.pt"
    info = json.loads(_ok(["info", str(uncond)]))
    assert info["G_kwargs"]["c_dim"] == 0 and info["kimg"] == 0.008 and info["kind"] == "full"

    out = json.loads(
        _ok(
            [
                "transfer",
                str(snap),
                "--out",
                str(tmp_path / "cond.pt"),
                "--data",
                str(archive),
                "--config",
                "tiny",
                "--json",
            ]
        )
    )
    counts = out["report"]["counts"]
    assert counts["G"]["copied"] > 0 and counts["G"]["fresh"] == 2 and counts["G"]["skipped"] == 1
    assert json.loads(_ok(["info", str(tmp_path / "cond.pt")]))["G_kwargs"]["c_dim"] == 11

    _ok(
        [
            "train",
            "--data",
            str(archive),
            "--outdir",
            str(runs),
            *TRAIN,
            "--transfer-from",
            str(snap),
            "--transfer-parts",
            "G",
        ]
    )
    cond = runs / "00001-ccsn32-tiny-cond-b8-from-G"
    report = json.loads((cond / "transfer_report.json").read_text())
    assert report["parts"] == "G" and "D" not in report["counts"]
    assert "wrote" in _ok(["plot", str(cond)]) and (cond / "plot.png").is_file()


def test_errors_have_codes(archive: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["train", "--data", str(tmp_path / "missing.zip"), "--outdir", str(tmp_path), *TRAIN])
    assert res.exit_code == 2 and "error [input_not_found]" in res.output
    res = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(archive),
            "--outdir",
            str(tmp_path),
            *TRAIN[:-2],
            "--device",
            "cpu",
            "--config",
            "ccsn256",
        ],
    )
    assert res.exit_code == 2 and "prepare the data at 256" in res.output
    res = runner.invoke(
        app, ["train", "--data", str(archive), "--outdir", str(tmp_path), "--metrics", "fidd", "--dry-run"]
    )
    assert res.exit_code == 2 and "unknown metric" in res.output


@pytest.mark.slow
def test_export_and_metrics_of_a_snapshot(archive: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    _ok(["train", "--data", str(archive), "--outdir", str(runs), *TRAIN])
    run = next(runs.iterdir())
    res = json.loads(
        _ok(
            [
                "metrics",
                "--data",
                str(archive),
                "--snapshot",
                str(run),
                "--num-gen",
                "8",
                "--metrics",
                "fid,kid",
                "--device",
                "cpu",
                "--json",
            ]
        )
    )
    assert res["results"]["fid"] > 0 and res["reference_images"] == 33
    out = json.loads(_ok(["export", str(run), "--out", str(tmp_path / "bundle"), "--mean-samples", "64", "--json"]))
    meta = json.loads((Path(out["bundle"]) / "skyasset-bundle.json").read_text())
    assert meta["c_dim"] == 11 and meta["provenance"]["kimg"] == 0.008 and meta["classes"][7]["code"] == "Cu"
    res = json.loads(
        _ok(
            [
                "metrics",
                "--data",
                str(archive),
                "--bundle",
                out["bundle"],
                "--num-gen",
                "8",
                "--metrics",
                "fid",
                "--device",
                "cpu",
                "--json",
            ]
        )
    )
    assert res["results"]["fid"] > 0


def test_prepare_onto_a_folder_is_a_named_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["prepare", str(CCSN), str(tmp_path), "--resolution", "32", "--force"])
    assert res.exit_code == 2 and "error [invalid_argument]" in res.output and "is a folder" in res.output


@pytest.mark.parametrize(
    "tamper",
    [
        lambda g: g.update(img_resolution=1 << 20),  # would allocate without end
        lambda g: g.update(z_dim=10**12),  # a "huge array" by kwargs
        lambda g: g.update(mapping_kwargs={"num_layers": "eight"}),
        lambda g: g.update(no_such_argument=1),
        lambda g: g.update(w_dim=float("nan")),
    ],
)
def test_crafted_snapshot_kwargs_are_snapshot_invalid(tmp_path: Path, tamper) -> None:  # type: ignore[no-untyped-def]
    from training.networks import Discriminator, Generator, get_config
    from training.snapshot import save_snapshot

    cfg = get_config("tiny")
    G_kwargs, D_kwargs = cfg.generator_kwargs(), cfg.discriminator_kwargs()
    G, D = Generator(**G_kwargs), Discriminator(**D_kwargs)
    meta = {"kimg": 0.0, "G_kwargs": dict(G_kwargs), "D_kwargs": D_kwargs, "classes": []}
    tamper(meta["G_kwargs"])
    snap = save_snapshot(tmp_path / "bad.pt", G_ema=G, D=D, meta=meta, kind="compact")
    res = runner.invoke(app, ["export", str(snap), "--out", str(tmp_path / "bundle")])
    assert res.exit_code == 3 and "error [snapshot_invalid]" in res.output, res.output
    assert "Traceback" not in res.output and not (tmp_path / "bundle").exists()
