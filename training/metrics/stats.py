"""Inception features of a dataset archive, cached on disk under a hash of everything that produced them.

Cache folder: ``$SKYASSET_CACHE/metrics`` if set, else ``$XDG_CACHE_HOME/skyasset/metrics``, else
``~/.cache/skyasset/metrics`` (never relative to the working directory). One ``.npz`` per key; the key is the
sha256 of: the archive's content hash, the chosen image names, the detector's sha1 and the preprocessing
version. Delete the folder to drop the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from skyasset.cache import cache_dir as skyasset_cache_dir
from training.dataset import ImageArchive
from training.metrics.inception import DETECTOR_SHA1, inception_features

__all__ = ["archive_images", "cache_dir", "dataset_features", "features_key", "file_sha256"]

PREPROCESS_VERSION = "nv_bilinear_float-299-tf_range-v1"


def cache_dir() -> Path:
    """The metrics cache folder: ``metrics/`` in skyasset's cache (``$SKYASSET_CACHE``, see skyasset.cache)."""
    return skyasset_cache_dir() / "metrics"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def features_key(archive: ImageArchive) -> str:
    """The JSON text whose sha256 names the cached features of ``archive`` (other caches derive from it)."""
    return json.dumps(
        {
            "archive": file_sha256(archive.path),
            "names": archive.names,
            "detector": DETECTOR_SHA1,
            "preprocess": PREPROCESS_VERSION,
        }
    )


def archive_images(archive: ImageArchive) -> np.ndarray:
    """Every image of ``archive`` as one uint8 array ``[N, C, R, R]``, in its order (2523 at 128 px: 124 MB)."""
    out = np.empty((len(archive), archive.num_channels, archive.resolution, archive.resolution), np.uint8)
    for i in range(len(archive)):
        out[i] = archive[i][0]
    return out


def dataset_features(
    archive: ImageArchive, *, device: str = "cpu", batch: int = 32, use_cache: bool = True, verbose: bool = False
) -> np.ndarray:
    """Inception features ``[len(archive), 2048]`` of every image of ``archive``, in its order."""
    key_src = features_key(archive)
    key = hashlib.sha256(key_src.encode()).hexdigest()[:32]
    path = cache_dir() / f"features-{key}.npz"
    if use_cache and path.is_file():
        return np.load(path)["features"]
    feats = []
    for start in range(0, len(archive), batch):
        imgs = np.stack([archive[i][0] for i in range(start, min(start + batch, len(archive)))])
        feats.append(inception_features(imgs, device=device, batch=batch))
        if verbose:
            print(f"  features {min(start + batch, len(archive))}/{len(archive)}", flush=True)
    features = np.concatenate(feats, 0)
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
        np.savez(tmp, features=features, key=key_src)
        os.replace(tmp, path)
    return features
