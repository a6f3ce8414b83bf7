"""FID of each variant and its difference from fp32's, on the same seeds and classes.

The shipped-default rule: a quantized variant may replace fp32 only if its FID is within 1.0 of
fp32's on a trained model. Random-weight FIDs are meaningless; the report carries the model's ``kimg`` so
nobody mistakes one for the other. ``skyasset-train fid-delta`` runs it; ``skyasset bench model --fid-report``
joins its JSON to the speed table, so the skyasset core never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["fid_of_bundles", "SHIP_THRESHOLD"]

SHIP_THRESHOLD = 1.0  # a variant may be the shipped default if |FID - FID(fp32)| <= this on a trained model


def fid_of_bundles(
    bundles: Sequence[Path],
    archive: Path,
    *,
    samples: int = 2000,
    seed: int = 0,
    device: str = "cpu",
) -> dict[str, Any]:
    """FID against ``archive`` for every bundle; ``fid_delta`` against the first fp32 bundle (else the first).

    Every bundle draws the same ``samples`` seeds with classes in the archive's label proportions, so the
    differences come from the graphs alone.
    """
    from skyasset.bundle import load_bundle
    from training.dataset import ImageArchive
    from training.metrics.fid import fid_from_features
    from training.metrics.inception import inception_features
    from training.metrics.sources import BundleSource
    from training.metrics.stats import dataset_features

    data = ImageArchive(archive)
    real = dataset_features(data, device=device)
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**31, samples)
    labels = data.labels if len(data.labels) else np.zeros(len(data), np.int64)
    classes = rng.choice(labels, samples)
    rows: list[dict[str, Any]] = []
    for path in bundles:
        bundle = load_bundle(path)
        images = BundleSource(path).generate(seeds, classes if bundle.c_dim else np.zeros(samples, np.int64))
        rows.append(
            {
                "name": bundle.variant,
                "path": str(bundle.path),
                "kimg": bundle.provenance.get("kimg"),
                "fid": float(fid_from_features(inception_features(images, device=device), real)),
            }
        )
    ref = next((r for r in rows if r["name"] == "fp32"), rows[0])
    for r in rows:
        r["fid_delta"] = r["fid"] - ref["fid"]
        r["within_ship_threshold"] = bool(abs(r["fid_delta"]) <= SHIP_THRESHOLD)
    return {"fid": rows, "samples": samples, "archive": str(archive), "reference": ref["name"]}
