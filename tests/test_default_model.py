"""The bundled default model: present, valid, documented, and enough for the README's one command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from skyasset.bundle import METADATA_NAME, load_bundle
from skyasset.models import DEFAULT_MODEL_DIR, resolve_model_path

SHIPPED_FILES = ("MODEL_CARD.md", "metrics.json", "samples.png", "skybox.png")


def test_default_model_is_installed_and_valid() -> None:
    assert (DEFAULT_MODEL_DIR / METADATA_NAME).is_file(), f"no default model in {DEFAULT_MODEL_DIR}"
    assert resolve_model_path() == DEFAULT_MODEL_DIR
    bundle = load_bundle(DEFAULT_MODEL_DIR)
    assert len(bundle.classes) == 11
    for name in SHIPPED_FILES:
        assert (DEFAULT_MODEL_DIR / name).is_file(), name


def test_model_card_carries_the_measured_numbers() -> None:
    metrics = json.loads((DEFAULT_MODEL_DIR / "metrics.json").read_text(encoding="utf-8"))
    provenance = json.loads((DEFAULT_MODEL_DIR / METADATA_NAME).read_text(encoding="utf-8"))["provenance"]
    card = (DEFAULT_MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert metrics["num_gen"] >= 5000, "the card's FID is over 5k generated images"
    assert abs(provenance["fid"] - metrics["fid"]) < 1e-2
    assert f"FID {metrics['fid']:.2f}" in card
    assert f"{metrics['cond_acc']:.3f}" in card
    assert "CPU" in card, "the card says how (and on what) the model was trained"
    # The shipped model must not speckle: per-pixel noise is left out when it is strong enough to show.
    assert metrics["noise_mode"] == "none" or metrics["noise_rms"] <= 0.01


def test_readme_command_works_without_torch(tmp_path: Path) -> None:
    # The README's one command, on the bundled model, with torch and bpy unimportable as on a core-only install.
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['bpy'] = None\n"
        "from skyasset.cli.app import main\n"
        "sys.exit(main(['generate', '--cloud', 'cumulus', '--seed', '7', '-o', sys.argv[1], '--json']))\n"
    )
    out = tmp_path / "sky.png"
    result = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(out.resolve()) in json.loads(result.stdout)["outputs"]
    sky = np.asarray(Image.open(out).convert("RGB"), dtype=np.float32) / 255
    assert sky.shape[1] == 2 * sky.shape[0]
    upper = sky[: sky.shape[0] // 2]
    # A sky, not a flat fill or noise: bluish-to-grey, with structure but no pixel-level speckle.
    assert upper.std() > 0.03
    speckle = np.abs(np.diff(upper, axis=1)).mean()
    assert speckle < 0.03, f"mean neighbouring-pixel difference {speckle:.3f}: the sky speckles"
