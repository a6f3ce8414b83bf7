"""Metrics behind a registry: ``fid``, ``kid``, ``fid_per_class``, ``cond_acc``, ``swd``, ``fd_judge``, ``cond_judge``.

``compute_metrics(["fid"], MetricContext(source, archive, num_gen=5000))`` generates ``num_gen`` images (class
labels drawn from the data set's own label distribution, seeds ``0..num_gen-1``) once
(``MetricContext.generated_images``; every metric of that sample reads the same uint8 images), extracts Inception
features and compares them with the (cached) features of the whole archive. ``cond_acc`` (``conditioning.py``)
checks that a conditional generator makes the requested class, judged by a linear probe fitted on the real
features.

Two families have no ImageNet network in them:

- ``swd`` (``swd.py``): sliced Wasserstein distance of 7x7 patches of a Laplacian pyramid (ProGAN), per level
  ``swd_128 .. swd_16`` and their mean, x1e3; against every image of the archive.
- ``fd_judge`` / ``cond_judge`` (``judge.py``): a small CNN trained from scratch on the data set
  (``skyasset-train train-judge``; weights ``training/metrics/judge.pt``); Fréchet distance of its 128-d features,
  and the share of generated images it puts in the requested class (beside ``judge_real_acc``, its held-out
  accuracy on real photos). ``judge.memorisation_pairs`` draws generated images next to their nearest training
  photo in those features.

Floors (two random halves of the data set): ``fid_halves``, ``swd.swd_halves``, ``judge.fd_judge_halves``.
Add a metric with ``@register_metric``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skyasset.errors import SkyassetError
from training.dataset import ImageArchive
from training.metrics.fid import fid_from_features
from training.metrics.inception import inception_features
from training.metrics.kid import kid_from_features
from training.metrics.sources import BundleSource, ImageSource, TorchSource
from training.metrics.stats import archive_images, cache_dir, dataset_features

__all__ = [
    "MetricContext",
    "METRICS",
    "register_metric",
    "compute_metrics",
    "fid_halves",
    "cache_dir",
    "BundleSource",
    "TorchSource",
]


@dataclass
class MetricContext:
    """Inputs shared by the metrics; features are computed once and reused by every metric."""

    source: ImageSource
    archive: ImageArchive
    num_gen: int = 5000
    device: str = "cpu"
    seed: int = 0
    verbose: bool = False
    # Per-class metrics (fid_per_class, cond_acc) take the main sample's images of each class instead of
    # generating num_gen // c_dim more per class: half the Inception work, class sizes as in the data set.
    share_generated: bool = False
    # Weights of the judge network (fd_judge, cond_judge); None = the committed training/metrics/judge.pt.
    judge: Path | None = None
    # Anything a metric module wants to compute once per evaluation (e.g. the judge's features), by key.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _real: np.ndarray | None = field(default=None, repr=False)
    _real_images: np.ndarray | None = field(default=None, repr=False)
    _gen: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _gen_images: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _gen_for: dict[bytes, np.ndarray] = field(default_factory=dict, repr=False)

    def real_features(self) -> np.ndarray:
        if self._real is None:
            self._real = dataset_features(self.archive, device=self.device, verbose=self.verbose)
        return self._real

    def real_images(self) -> np.ndarray:
        """Every image of the archive, uint8 ``[N, 3, R, R]`` in its order (read once, kept)."""
        if self._real_images is None:
            self._real_images = archive_images(self.archive)
        return self._real_images

    def generated_images(self) -> tuple[np.ndarray, np.ndarray]:
        """The main sample: ``(classes [num_gen], uint8 images [num_gen, 3, R, R])``, generated once and kept.

        Classes are drawn like the data set's (:meth:`gen_classes`), seeds ``seed, seed + 1, ..``. Every metric of
        the main sample (Inception features for fid/kid, SWD, the judge's features) reads these same images."""
        if self._gen_images is None:
            cls = self.gen_classes(self.num_gen)
            self._gen_images = (cls, self._generate(cls))
        return self._gen_images

    def _generate(self, cls: np.ndarray) -> np.ndarray:
        seeds = np.arange(self.seed, self.seed + len(cls))
        out = []
        for i in range(0, len(cls), 64):
            out.append(self.source.generate(seeds[i : i + 64], cls[i : i + 64]))
            if self.verbose:
                print(f"  generated {min(i + 64, len(cls))}/{len(cls)}", flush=True)
        return np.concatenate(out, 0)

    def gen_classes(self, n: int) -> np.ndarray:
        if not self.source.c_dim:
            return np.zeros(n, np.int64)
        return np.random.default_rng(self.seed).choice(self.archive.labels, n, replace=True)

    def generated_features(self, classes: np.ndarray | None = None) -> np.ndarray:
        """Features of generated images; ``classes`` None = the main sample (:meth:`generated_images`).

        Seeds are ``seed, seed + 1, ..`` in both cases; features for explicit ``classes`` are kept, so metrics
        asking for the same images (``fid_per_class`` and ``cond_acc``) generate them once."""
        if classes is None and self._gen is not None:
            return self._gen[1]
        if classes is not None:
            classes = np.asarray(classes, np.int64)
            memo = self._gen_for.get(classes.tobytes())
            if memo is not None:
                return memo
        if classes is None:
            cls, imgs = self.generated_images()
        else:
            cls, imgs = classes, self._generate(classes)
        feats = []
        for i in range(0, len(cls), 64):
            feats.append(inception_features(imgs[i : i + 64], device=self.device))
            if self.verbose:
                print(f"  Inception features {min(i + 64, len(cls))}/{len(cls)}", flush=True)
        out = np.concatenate(feats, 0)
        if classes is None:
            self._gen = (cls, out)
        else:
            self._gen_for[classes.tobytes()] = out
        return out

    def shared_class_counts(self) -> np.ndarray:
        """Images per class in the main sample (what ``share_generated`` gives each per-class metric)."""
        self.generated_features()
        assert self._gen is not None
        return np.bincount(self._gen[0], minlength=self.archive.c_dim)

    def class_features(self, k: int) -> np.ndarray:
        """Features of generated images of class ``k`` for the per-class metrics.

        ``num_gen // c_dim`` images of their own (seeds ``seed ..``), or with ``share_generated`` the images of
        the main sample (:meth:`generated_features`) that were drawn with class ``k``.
        """
        if self.share_generated:
            self.generated_features()
            assert self._gen is not None
            classes, feats = self._gen
            if int((classes == k).sum()) >= 2:  # a class the draw (nearly) missed gets images of its own
                return feats[classes == k]
        per = max(self.num_gen // max(self.archive.c_dim, 1), 2)
        return self.generated_features(np.full(per, k, np.int64))


MetricFn = Callable[[MetricContext], dict[str, float]]
METRICS: dict[str, MetricFn] = {}


def register_metric(name: str) -> Callable[[MetricFn], MetricFn]:
    def deco(fn: MetricFn) -> MetricFn:
        METRICS[name] = fn
        return fn

    return deco


@register_metric("fid")
def _fid(ctx: MetricContext) -> dict[str, float]:
    return {"fid": fid_from_features(ctx.real_features(), ctx.generated_features())}


@register_metric("kid")
def _kid(ctx: MetricContext) -> dict[str, float]:
    return {"kid": kid_from_features(ctx.real_features(), ctx.generated_features())}


@register_metric("fid_per_class")
def _fid_per_class(ctx: MetricContext) -> dict[str, float]:
    from training.metrics.per_class import fid_per_class

    return fid_per_class(ctx)


@register_metric("cond_acc")
def _cond_acc(ctx: MetricContext) -> dict[str, float]:
    from training.metrics.conditioning import conditioning_accuracy

    return conditioning_accuracy(ctx)


@register_metric("swd")
def _swd(ctx: MetricContext) -> dict[str, float]:
    from training.metrics.swd import swd_metric

    return swd_metric(ctx)


@register_metric("fd_judge")
def _fd_judge(ctx: MetricContext) -> dict[str, float]:
    from training.metrics.judge import fd_judge

    return fd_judge(ctx)


@register_metric("fd_judge_per_class")
def _fd_judge_per_class(ctx: MetricContext) -> dict[str, float]:
    from training.metrics.judge import fd_judge_per_class

    return fd_judge_per_class(ctx)


@register_metric("cond_judge")
def _cond_judge(ctx: MetricContext) -> dict[str, float]:
    from training.metrics.judge import cond_judge

    return cond_judge(ctx)


def compute_metrics(names: list[str], ctx: MetricContext) -> dict[str, float]:
    """Run the named metrics; unknown names raise ``SkyassetError('invalid_argument')``."""
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise SkyassetError("invalid_argument", f"unknown metric(s) {unknown}; choose from {sorted(METRICS)}")
    results: dict[str, float] = {}
    for name in names:
        results.update(METRICS[name](ctx))
    return results


def fid_halves(archive: ImageArchive, *, seed: int = 0, device: str = "cpu", verbose: bool = False) -> float:
    """FID between two random halves of a data set: the floor a perfect generator of this size would reach."""
    feats = dataset_features(archive, device=device, verbose=verbose)
    order = np.random.default_rng(seed).permutation(len(feats))
    half = len(feats) // 2
    return fid_from_features(feats[order[:half]], feats[order[half : 2 * half]])
