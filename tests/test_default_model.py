"""The bundled default model: it loads, generates with no flags and no torch, and its card tells the truth."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from skyasset.bundle import load_bundle
from skyasset.generator import SkyGenerator
from skyasset.models import DEFAULT_MODEL_DIR, resolve_model_path

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO / "training" / "snapshots" / "default.pt"


def test_the_default_model_is_installed_and_valid() -> None:
    assert resolve_model_path(None) == DEFAULT_MODEL_DIR
    bundle = load_bundle(DEFAULT_MODEL_DIR, verify_checksums=True)
    assert bundle.c_dim == 11 and bundle.resolution >= 128
    assert bundle.provenance["fid"] > 0 and bundle.provenance["fid_samples"] == 5000


def test_generate_with_no_flags_and_no_torch(tmp_path: Path) -> None:
    """The README's first command, on a core install: torch and bpy are made unimportable."""
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['bpy'] = None\n"
        "from skyasset.cli.app import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    out = tmp_path / "sky.png"
    result = subprocess.run(
        [sys.executable, "-c", code, "generate", "--cloud", "cumulus", "--seed", "7", "-o", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    answer = json.loads(result.stdout)
    assert answer["model"]["model_id"] == load_bundle(DEFAULT_MODEL_DIR).model_id
    sky = np.asarray(Image.open(out).convert("RGB"), np.float32) / 255.0
    assert sky.shape == (1024, 2048, 3)
    assert 0.15 < sky[:512].mean() < 0.9 and sky[:512].std() > 0.03  # a sky, not black, white or flat


def test_classes_differ_and_samples_are_not_noise() -> None:
    gen = SkyGenerator(None)
    images = {c: gen.generate(c, list(range(8)), psi=1.0) for c in ("Ci", "Cu", "St", "Cb")}
    means = np.stack([im.mean(axis=(0, 1, 2)) for im in images.values()])
    assert np.ptp(means, axis=0).max() > 0.03  # the class changes the picture
    for im in images.values():
        # No salt-and-pepper speckle: the image minus its 3x3 median is small (the shipped noise is off).
        u8 = (im * 255 + 0.5).astype(np.uint8)
        speckle = np.mean([np.abs(x.astype(np.float32) - cv2.medianBlur(x, 3)).mean() / 255 for x in u8])
        assert speckle < 0.02, speckle
        assert np.abs(im[1:] - im[:-1]).mean() > 0.01  # seeds differ


def test_the_model_card_quotes_the_measured_numbers() -> None:
    card = (DEFAULT_MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    metrics = json.loads((DEFAULT_MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))
    assert f"FID {metrics['fid']:.2f}" in card
    assert f"{metrics['cond_acc']:.3f}" in card
    assert "CPU" in card and "interim" in card.lower() or metrics["fid"] <= 70
    for name in ("samples.png", "skybox.png"):
        assert Image.open(DEFAULT_MODEL_DIR / name).size[0] >= 512
    assert re.search(r"\d+(\.\d+)? CPU[- ]hours", card)


def test_the_compact_training_snapshot_is_committed_and_small() -> None:
    assert SNAPSHOT.is_file(), "the shipped model's compact snapshot belongs in training/snapshots/"
    assert SNAPSHOT.stat().st_size <= 25 * 10**6


def test_the_snapshot_reproduces_the_bundle() -> None:
    """G_ema of the committed snapshot, run by PyTorch, gives the bundle's pixels (fine-tuning starts there)."""
    torch = pytest.importorskip("torch")
    from training.snapshot import build_networks, load_snapshot

    snap = load_snapshot(SNAPSHOT)
    _, _, G_ema = build_networks(snap, torch.device("cpu"))
    gen = SkyGenerator(None)
    from skyasset.seeds import z_from_seed

    z = z_from_seed(3, gen.bundle.z_dim)[None]
    w = gen.style(z, "Cu", psi=1.0)
    ws = torch.from_numpy(np.repeat(w[:, None], gen.bundle.num_ws, axis=1))
    noise_mode = gen.bundle.provenance.get("export", {}).get("noise_mode", "const")
    with torch.no_grad():
        img = G_ema.synthesis(ws, noise_mode=noise_mode).float().numpy()
    ours = np.clip(img.transpose(0, 2, 3, 1) * 0.5 + 0.5, 0, 1)
    assert np.abs(ours - gen.synthesize(w)).max() < 0.02
