"""Regenerate ``tests/data/tiny_bundle``: the committed test fixture made by the real exporter.

A randomly initialised generator of the ``tiny`` config (32x32, 11 CCSN classes). Its images are noise-like
colour blobs: it exists to test the runtime, never to make skies. Run from the repository root::

    python tests/data/make_tiny_bundle.py [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from training.export import export_bundle  # noqa: E402
from training.networks import Generator, get_config  # noqa: E402

TINY_BUNDLE = Path(__file__).resolve().parent / "tiny_bundle"
SEED = 2026
MEAN_SAMPLES = 2048
MODEL_ID = "tiny-random-test"


def make_tiny_bundle(out_dir: Path = TINY_BUNDLE, overwrite: bool = True) -> Path:
    """Export the tiny random generator to ``out_dir`` (deterministic weights, check inputs and mean w)."""
    torch.manual_seed(SEED)
    G = Generator(**get_config("tiny").generator_kwargs())
    return export_bundle(
        G,
        out_dir,
        model_id=MODEL_ID,
        license="CC0-1.0",
        mean_samples=MEAN_SAMPLES,
        seed=SEED,
        # The committed fixture keeps the self-contained layout (no weights.bin): the tests' bundle of the older
        # layout, which must keep loading. tests/test_shared_weights.py exports the shared layout itself.
        shared_weights=False,
        overwrite=overwrite,
        verbose=False,
        provenance={
            "dataset": None,
            "kimg": 0,
            "trained_by": "tests/data/make_tiny_bundle.py: random init, tiny config; a test fixture, not a model",
            "created": "2026-11-24",
        },
    )


if __name__ == "__main__":
    out = make_tiny_bundle(Path(sys.argv[1]) if len(sys.argv) > 1 else TINY_BUNDLE)
    print(f"wrote {out}")
