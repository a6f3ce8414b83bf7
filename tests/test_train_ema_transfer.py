"""G_ema after a transfer: a generator transferred from a trained model keeps its full EMA half-life from the
first step (the ramp-up, meant for a randomly initialised G, would make G_ema follow G step by step), and a
resumed run remembers that."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from tests._train_helpers import one_torch_thread, tiny_run_options, write_photo  # noqa: E402, F401


def _tiny_options(tmp_path: Path) -> dict[str, object]:
    from training.dataset import prepare_dataset

    source = tmp_path / "photos"
    for n in range(6):
        write_photo(source / ("Cu" if n % 2 else "St") / f"{n}.png", seed=n)
    data = tmp_path / "tiny.zip"
    prepare_dataset(source, data, resolution=32)
    return tiny_run_options(data, tmp_path / "runs")


def _moved(ema_rampup: bool) -> float:
    """How far one EMA update moves G_ema towards a G that differs from it, 1000 images into a run."""
    from training.loop import _Nets, _update_ema
    from training.networks import Generator
    from training.options import TrainingOptions

    torch.manual_seed(0)
    G = Generator(z_dim=8, c_dim=0, w_dim=8, img_resolution=16, img_channels=3)
    G_ema = copy.deepcopy(G)
    with torch.no_grad():
        for p in G.parameters():
            p.add_(1.0)
    nets = _Nets(G, torch.nn.Identity(), G_ema, {}, {}, ema_rampup=ema_rampup)
    opts = TrainingOptions(data="unused.zip", outdir="unused", batch=4, ema_kimg=10.0)
    before = [p.detach().clone() for p in G_ema.parameters()]
    _update_ema(opts, nets, cur_nimg=1000)
    return max(float((p.detach() - b).abs().max()) for p, b in zip(G_ema.parameters(), before, strict=True))


def test_without_ramp_up_g_ema_keeps_its_half_life() -> None:
    # half-life 10 kimg at batch 4: a step moves G_ema by 1 - 0.5 ** (4 / 10000) of the gap, 0.03%; the ramp-up
    # caps the half-life at 5% of 1000 images (50), a 5% move
    assert _moved(ema_rampup=False) == pytest.approx(1.0 - 0.5 ** (4 / 10000), rel=2e-2)
    assert _moved(ema_rampup=True) == pytest.approx(1.0 - 0.5 ** (4 / 50), rel=2e-2)


def test_a_transferred_generator_runs_without_ramp_up_and_resumes_so(tmp_path: Path) -> None:
    from training.loop import run_training
    from training.options import TrainingOptions
    from training.snapshot import load_snapshot

    base = _tiny_options(tmp_path)
    scratch = run_training(TrainingOptions(**base))  # type: ignore[arg-type]
    scratch_snap = scratch.snapshots[-1]
    assert load_snapshot(scratch_snap).meta["ema_rampup"] is True  # a random G ramps up

    moved = run_training(TrainingOptions(**{**base, "transfer_from": str(scratch_snap)}))  # type: ignore[arg-type]
    assert load_snapshot(moved.snapshots[-1]).meta["ema_rampup"] is False
    assert "no EMA ramp-up" in (moved.run_dir / "log.txt").read_text()
    resumed = run_training(TrainingOptions(**{**base, "kimg": 0.012, "resume": str(moved.run_dir)}))  # type: ignore[arg-type]
    assert load_snapshot(resumed.snapshots[-1]).meta["ema_rampup"] is False

    d_only = run_training(
        TrainingOptions(**{**base, "transfer_from": str(scratch_snap), "transfer_parts": "D"})  # type: ignore[arg-type]
    )
    assert load_snapshot(d_only.snapshots[-1]).meta["ema_rampup"] is True  # G starts random: ramp up
