"""`skyasset-train ship`: a snapshot becomes a measured bundle, model card, samples, skybox and compact snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from PIL import Image  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from tests._train_helpers import CCSN, one_torch_thread  # noqa: E402, F401
from training.cli import app  # noqa: E402
from training.dataset import ImageArchive, prepare_dataset  # noqa: E402
from training.networks import Discriminator, Generator, get_config  # noqa: E402
from training.snapshot import load_snapshot, save_snapshot  # noqa: E402

pytestmark = [
    pytest.mark.ccsn,
    pytest.mark.slow,
    pytest.mark.skipif(not CCSN.is_dir(), reason="CCSN photos not found at ../shared/datasets/ccsn"),
]
runner = CliRunner()


@pytest.fixture(scope="module")
def archive_and_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("ship")
    data = root / "ccsn32.zip"
    prepare_dataset(CCSN, data, resolution=32, max_images=6)
    cfg = get_config("tiny")
    torch.manual_seed(0)
    G, D = Generator(**cfg.generator_kwargs()), Discriminator(**cfg.discriminator_kwargs())
    with torch.no_grad():
        G.synthesis.b32.conv1.noise_strength.fill_(2.0)  # loud noise: auto must leave it out
    classes = ImageArchive(data, use_labels=True).classes
    snap = save_snapshot(
        root / "snapshot-0000000100.pt",
        G_ema=G,
        D=D,
        kind="full",
        G=G,
        meta={
            "kimg": 0.1,
            "G_kwargs": cfg.generator_kwargs(),
            "D_kwargs": cfg.discriminator_kwargs(),
            "classes": classes,
            "config": "tiny",
        },
    )
    return data, snap


def test_ship_writes_the_whole_measured_folder(archive_and_snapshot: tuple[Path, Path], tmp_path: Path) -> None:
    data, snap = archive_and_snapshot
    (tmp_path / "failures.md").write_text("- Random weights: noise, not skies.\n")
    (tmp_path / "summary.md").write_text("**Test model.** Never shipped.\n")
    out, compact = tmp_path / "default", tmp_path / "default-snapshot.pt"
    res = runner.invoke(
        app,
        [
            "ship",
            str(snap),
            "--data",
            str(data),
            "--out",
            str(out),
            "--snapshot-out",
            str(compact),
            "--num-gen",
            "22",
            "--failures-md",
            str(tmp_path / "failures.md"),
            "--summary-md",
            str(tmp_path / "summary.md"),
            "--machine-hours",
            "1.5",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    answer = json.loads(res.stdout)
    metrics = json.loads((out / "metrics.json").read_text())
    assert answer["metrics"] == metrics and metrics["noise_mode"] == "none" and metrics["noise_rms"] > 0.01
    assert np.isfinite(metrics["fid"]) and 0 <= metrics["cond_acc"] <= 1 and "fid/Cu" in metrics
    bundle = json.loads((out / "skyasset-bundle.json").read_text())
    assert bundle["provenance"]["fid"] == round(metrics["fid"], 3) and bundle["provenance"]["fid_samples"] == 22
    assert bundle["provenance"]["export"]["noise_mode"] == "none"
    card = (out / "MODEL_CARD.md").read_text()
    assert f"FID {metrics['fid']:.2f}" in card and "Random weights: noise" in card and "| Cu |" in card
    assert card.index("**Test model.**") < card.index("## Data and licence")
    assert (out / "canvas.onnx").is_file() and "canvas graph of `--method native`" in card
    for key in ("swd", "swd_floor", "fd_judge", "fd_judge_floor", "cond_judge", "judge_real_acc"):
        assert np.isfinite(metrics[key]), key  # the metrics with no ImageNet network, with their floors
    assert metrics["swd"] > 0 and metrics["fd_judge"] > 0 and 0 <= metrics["cond_judge"] <= 1
    assert metrics["discriminator"] == "stylegan2" and metrics["fid_gameable"] is False and "gameable" not in card
    assert f"**SWD {metrics['swd']:.1f}** (x1e3; floor {metrics['swd_floor']:.1f}" in card
    assert f"**cond_judge {metrics['cond_judge']:.3f}**" in card and "1.5 machine-hours" in card
    # The same three measures as `skyasset generate` draws by default: truncated, so not the psi-1 numbers.
    assert metrics["runtime_psi"] == 0.7 and "**At psi 0.7**" in card
    for key in ("swd", "fd_judge"):
        assert np.isfinite(metrics[f"{key}@psi"]) and metrics[f"{key}@psi"] != metrics[key], key
    assert 0 <= metrics["cond_judge@psi"] <= 1
    assert f"fd_judge {metrics['fd_judge@psi']:.2f}, cond_judge {metrics['cond_judge@psi']:.3f}" in card
    memo = Image.open(out / "memorisation.png")  # 64 pairs, at half size
    assert memo.size[0] < 1100 and memo.size[1] > 100 and "memorisation.png" in card
    assert Image.open(out / "samples.png").size == (28 + 8 * 32, 11 * 32)
    assert Image.open(out / "skybox.png").size == (2048, 1024)
    snapshot = load_snapshot(compact)
    assert snapshot.kind == "compact" and snapshot.G is None and snapshot.kimg == pytest.approx(0.1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["default", "default-snapshot.pt", "failures.md", "summary.md"]

    res = runner.invoke(
        app,
        ["ship", str(snap), "--data", str(data), "--out", str(out), "--snapshot-out", str(compact), "--num-gen", "22"],
    )
    assert res.exit_code != 0 and "output_exists" in res.output  # nothing replaced without --force


def test_ship_refuses_an_archive_of_another_resolution(archive_and_snapshot: tuple[Path, Path], tmp_path: Path) -> None:
    _, snap = archive_and_snapshot
    other = tmp_path / "ccsn64.zip"
    prepare_dataset(CCSN, other, resolution=64, max_images=2)
    res = runner.invoke(
        app,
        [
            "ship",
            str(snap),
            "--data",
            str(other),
            "--out",
            str(tmp_path / "b"),
            "--snapshot-out",
            str(tmp_path / "s.pt"),
        ],
    )
    assert res.exit_code != 0 and "pass the archive the model was trained on" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ccsn64.zip"]  # no half-written folder


def test_sigterm_leaves_no_staging_folder(archive_and_snapshot: tuple[Path, Path], tmp_path: Path) -> None:
    """An engine or a shell stopping `ship` with SIGTERM gets `interrupted` (130) and nothing half-made beside --out."""
    import os
    import signal
    import subprocess
    import sys
    import time

    data, snap = archive_and_snapshot
    out = tmp_path / "models" / "default"
    out.parent.mkdir()
    cmd = [sys.executable, "-m", "training.cli", "ship", str(snap), "--data", str(data), "--out", str(out)]
    cmd += ["--snapshot-out", str(tmp_path / "s.pt"), "--num-gen", "22"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.time() + 300
    while not list(out.parent.glob(".default.ship-*/bundle/metrics.json")) and not list(
        out.parent.glob(".default.ship-*/bundle/*.onnx")
    ):
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, "ship never started its staging folder"
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "error [interrupted]" in err and "Traceback" not in err
    assert list(out.parent.iterdir()) == []  # no bundle, no staging folder
    assert not (tmp_path / "s.pt").exists()
