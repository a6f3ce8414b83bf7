"""The training loop on real CCSN photos (tiny config): finite losses, run directory, resume, torchrun."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tests._train_helpers import CCSN, one_torch_thread  # noqa: E402, F401
from training.dataset import prepare_dataset  # noqa: E402
from training.loop import run_training  # noqa: E402
from training.options import TrainingOptions  # noqa: E402
from training.snapshot import load_snapshot  # noqa: E402

pytestmark = pytest.mark.skipif(not CCSN.is_dir(), reason="CCSN photos not found at ../shared/datasets/ccsn")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ccsn32(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data") / "ccsn32.zip"
    prepare_dataset(CCSN, out, resolution=32, max_images=24)  # 264 real photos, 11 classes
    return out


def _opts(data: Path, outdir: Path, **kw: object) -> TrainingOptions:
    base = dict(
        data=str(data),
        outdir=str(outdir),
        config="tiny",
        batch=8,
        kimg=0.032,
        tick_kimg=0.016,
        snap_kimg=0,
        metrics=[],
        workers=0,
        aug="ada",
        augment_p=0.2,
        ada_kimg=2,
        device="cpu",
    )
    base.update(kw)
    return TrainingOptions(**base)  # type: ignore[arg-type]


def _stats(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "stats.jsonl").read_text().splitlines()]


def test_train_then_resume_continues_kimg(ccsn32: Path, tmp_path: Path) -> None:
    first = run_training(_opts(ccsn32, tmp_path))
    run = first.run_dir
    assert run.name == "00000-ccsn32-tiny-cond-b8"
    opts = json.loads((run / "training_options.json").read_text())
    assert opts["config"] == "tiny" and opts["batch"] == 8
    stats = _stats(run)
    assert [s["kimg"] for s in stats] == [0.016, 0.032]
    for s in stats:
        for key in ("loss/G", "loss/D", "augment_p", "images_per_s", "eta_s"):
            assert math.isfinite(s[key]), key
    assert "loss/r1" in stats[0] and "loss/pl" in stats[0]  # lazy regularisers ran at step 0
    assert (run / "plot.png").stat().st_size > 1000 and (run / "log.txt").is_file()
    snap_path = run / "snapshot-0000000032.pt"
    snap = load_snapshot(snap_path)
    assert snap.kimg == pytest.approx(0.032) and snap.meta["G_kwargs"]["c_dim"] == 11
    assert snap.meta["augment_p"] == pytest.approx(stats[-1]["augment_p"])

    second = run_training(_opts(ccsn32, tmp_path, kimg=0.048, resume=str(run)))
    assert second.run_dir.name.startswith("00001-") and second.kimg == pytest.approx(0.048)
    resumed = _stats(second.run_dir)
    assert [s["kimg"] for s in resumed] == [0.048]  # the counter continued from 0.032
    assert load_snapshot(second.run_dir / "snapshot-0000000048.pt").kimg == pytest.approx(0.048)


def test_run_shows_reals_and_fakes_grids(ccsn32: Path, tmp_path: Path) -> None:
    from PIL import Image

    run = run_training(_opts(ccsn32, tmp_path, pl_weight=0.0, channels_last=True)).run_dir
    reals, fakes = Image.open(run / "reals.png"), Image.open(run / "fakes-000000.png")
    assert reals.size == fakes.size == (28 + 8 * 32, 11 * 32)  # a label column, 8 images, one row per class
    assert len(set(np.asarray(fakes.convert("L")).ravel().tolist())) > 20  # drawn images, not a blank canvas
    record = json.loads((run / "snapshots.jsonl").read_text().splitlines()[-1])
    assert record["grid"] == "fakes-000000.png" and 0 <= record["noise_rms"] < 0.5
    assert "loss/pl" not in _stats(run)[0]  # --pl-weight 0 skips the path-length phase


def test_noise_none_trains_without_noise_inputs(ccsn32: Path, tmp_path: Path) -> None:
    first = run_training(_opts(ccsn32, tmp_path, augment_p=0.0, aug="none"))
    snap = load_snapshot(first.run_dir / "snapshot-0000000032.pt")
    assert snap.G is not None and any(float(v) != 0 for k, v in snap.G.items() if k.endswith("noise_strength"))
    second = run_training(_opts(ccsn32, tmp_path, kimg=0.064, resume=str(first.run_dir), noise="none", snap_kimg=0.032))
    resumed = load_snapshot(second.run_dir / "snapshot-0000000064.pt")
    for state in (resumed.G, resumed.G_ema):
        strengths = [float(v) for k, v in state.items() if k.endswith("noise_strength")]
        assert strengths and all(s == 0.0 for s in strengths)  # zeroed at the start and never trained
    record = json.loads((second.run_dir / "snapshots.jsonl").read_text().splitlines()[-1])
    assert record["noise_rms"] == 0.0


def test_noise_low_keeps_noise_only_at_coarse_layers(
    ccsn32: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import training.loop

    monkeypatch.setattr(training.loop, "LOW_NOISE_MAX_RES", 16)  # the tiny config tops out at 32 px
    result = run_training(_opts(ccsn32, tmp_path, augment_p=0.0, aug="none", noise="low", snap_kimg=0.032))
    snap = load_snapshot(result.run_dir / "snapshot-0000000032.pt")
    for state in (snap.G, snap.G_ema):
        strengths = {k: float(v) for k, v in state.items() if k.endswith("noise_strength")}
        fine = [v for k, v in strengths.items() if int(k.split(".")[1][1:]) > 16]
        coarse = [v for k, v in strengths.items() if int(k.split(".")[1][1:]) <= 16]
        assert fine and all(v == 0.0 for v in fine), "no noise where it would speckle"
        assert coarse and any(v != 0.0 for v in coarse), "coarse noise trains"


def test_torchrun_two_gloo_processes_two_steps(ccsn32: Path, tmp_path: Path) -> None:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        "29517",
        "-m",
        "training.cli",
        "train",
        "--data",
        str(ccsn32),
        "--outdir",
        str(tmp_path),
        "--config",
        "tiny",
        "--batch",
        "8",
        "--kimg",
        "0.016",
        "--tick-kimg",
        "0.016",
        "--snap-kimg",
        "0",
        "--metrics",
        "none",
        "--workers",
        "0",
        "--device",
        "cpu",
        "--augment-p",
        "0.2",
    ]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    runs = list(tmp_path.glob("0*-*"))
    assert len(runs) == 1  # only rank 0 made a run directory
    stats = _stats(runs[0])
    assert [s["kimg"] for s in stats] == [0.016]  # 2 steps of 8 images (4 per process)
    assert math.isfinite(stats[0]["loss/G"]) and math.isfinite(stats[0]["loss/r1"])
    assert "on 2 x cpu" in (runs[0] / "log.txt").read_text()
