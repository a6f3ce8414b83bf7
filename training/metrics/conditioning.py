"""Conditioning accuracy: does a class-conditional generator make the cloud type that was asked for?

A linear probe judges it. Inception pool features (the 2048-d FID features) of the real images are standardised
(mean / standard deviation of the training images) and a multinomial logistic regression with an L2 penalty on
the weights is fitted by full-batch L-BFGS in float64 (deterministic; torch only, no scikit-learn). The loss is
class-balanced (each class weighs the same in total), so the probe has no prior towards the big classes: the
generated images are requested in equal numbers per class.

Protocol, all with fixed seeds:

1. Stratified split of the real images, ``HELDOUT_SHARE`` (20 %) of each class held out (seed ``SPLIT_SEED``).
2. The penalty is chosen from ``L2_GRID`` by 3-fold stratified cross-validation on the training part (lowest
   class-balanced log-loss), fitted on the whole training part and scored on the held-out part: overall accuracy,
   class-balanced accuracy and per-class recall (``ConditionClassifier.heldout``).
3. The probe that classifies generated images is refitted with that penalty on **all** real images (so the
   held-out numbers slightly under-estimate the accuracy of the probe actually used).

``conditioning_accuracy(ctx)`` generates ``max(num_gen // c_dim, 2)`` images per class with the seeds
``ctx.seed ..`` (the same images as ``fid_per_class``, which shares them when both run) and returns:

``cond_acc``                         mean over classes of the share of images classified as the requested class
                                     (chance: ``1 / c_dim``, 0.091 for the 11 CCSN classes)
``cond_acc/<code>``                  that share for one class
``cond_classifier_heldout_acc``      the probe's accuracy on held-out real images (all images equally)
``cond_classifier_heldout_bal_acc``  the same averaged per class: the ceiling to compare ``cond_acc`` with

The fitted probe is cached next to the cached real features (``cache_dir()/condclf-<key>.npz``; the key covers
the features' key, the labels and the probe's settings), so later evaluations do not refit.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from skyasset.errors import SkyassetError
from training.dataset import ImageArchive
from training.metrics.stats import cache_dir, dataset_features, features_key

if TYPE_CHECKING:
    from training.metrics import MetricContext

__all__ = [
    "ConditionClassifier",
    "stratified_split",
    "fit_logreg",
    "fit_condition_classifier",
    "condition_classifier",
    "conditioning_accuracy",
]

CLASSIFIER_VERSION = "std-logreg-balanced-lbfgs-v1"
L2_GRID = (1.0, 0.1, 0.01, 0.001)  # strongest first: each fit warm-starts the next
HELDOUT_SHARE = 0.2
SPLIT_SEED = 0
CV_FOLDS = 3


@dataclass
class ConditionClassifier:
    """Standardisation + linear softmax layer over Inception features; ``heldout`` holds its held-out scores."""

    mean: np.ndarray  # [D]
    scale: np.ndarray  # [D]
    weight: np.ndarray  # [D, C]
    bias: np.ndarray  # [C]
    l2: float
    codes: list[str]
    heldout: dict[str, float] = field(default_factory=dict)

    def logits(self, features: np.ndarray) -> np.ndarray:
        return ((np.asarray(features, np.float64) - self.mean) / self.scale) @ self.weight + self.bias

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Class index per row of ``features`` ``[N, D]``."""
        return np.argmax(self.logits(features), axis=1)


def stratified_split(
    labels: np.ndarray, share: float = HELDOUT_SHARE, seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, held_out)``: ``round(share * n_k)`` of each class's ``n_k`` images held out (at least one
    when the class has two or more, none when it has one), chosen by a seeded permutation."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for k in np.unique(labels):
        idx = rng.permutation(np.nonzero(labels == k)[0])
        n_test = 0 if len(idx) < 2 else min(max(int(round(share * len(idx))), 1), len(idx) - 1)
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def _class_weights(y: np.ndarray, num_classes: int) -> np.ndarray:
    counts = np.bincount(y, minlength=num_classes).astype(np.float64)
    w = np.where(counts > 0, 1.0 / np.maximum(counts, 1), 0.0)[y]
    return w / w.sum()


def fit_logreg(
    x: np.ndarray,
    y: np.ndarray,
    num_classes: int,
    l2: float,
    *,
    init: tuple[np.ndarray, np.ndarray] | None = None,
    max_iter: int = 300,
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression on (already standardised) ``x`` ``[N, D]``, labels ``y`` in
    ``0..num_classes-1``: minimises the class-balanced mean cross-entropy ``+ l2 / 2 * |W|^2`` (bias not
    penalised). Returns ``(W [D, C], b [C])``."""
    xt = torch.from_numpy(np.ascontiguousarray(x, np.float64))
    yt = torch.from_numpy(np.asarray(y, np.int64))
    wt = torch.from_numpy(_class_weights(np.asarray(y), num_classes))
    if init is None:
        W = torch.zeros(x.shape[1], num_classes, dtype=torch.float64)
        b = torch.zeros(num_classes, dtype=torch.float64)
    else:
        W, b = (torch.from_numpy(np.array(a, np.float64)) for a in init)
    W.requires_grad_(True)
    b.requires_grad_(True)
    opt = torch.optim.LBFGS(
        [W, b],
        lr=1.0,
        max_iter=max_iter,
        history_size=20,
        tolerance_grad=1e-7,
        tolerance_change=1e-10,
        line_search_fn="strong_wolfe",
    )

    def closure() -> torch.Tensor:
        opt.zero_grad()
        ce = torch.nn.functional.cross_entropy(xt @ W + b, yt, reduction="none")
        loss = (ce * wt).sum() + 0.5 * l2 * (W * W).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return W.detach().numpy().copy(), b.detach().numpy().copy()


def _standardiser(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(0)
    std = x.std(0)
    return mean, np.where(std > 1e-8, std, 1.0)


def _balanced_log_loss(logits: np.ndarray, y: np.ndarray, num_classes: int) -> float:
    z = logits - logits.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    return float(-(logp[np.arange(len(y)), y] * _class_weights(y, num_classes)).sum())


def _select_l2(x: np.ndarray, y: np.ndarray, num_classes: int, grid: tuple[float, ...]) -> float:
    """The penalty of ``grid`` with the lowest mean class-balanced log-loss over stratified folds."""
    if len(grid) == 1:
        return grid[0]
    fold = np.zeros(len(y), np.int64)
    rng = np.random.default_rng(SPLIT_SEED + 1)
    for k in np.unique(y):
        idx = rng.permutation(np.nonzero(y == k)[0])
        fold[idx] = np.arange(len(idx)) % CV_FOLDS
    losses = np.zeros(len(grid))
    for f in range(CV_FOLDS):
        tr, va = fold != f, fold == f
        if not va.any():
            continue
        mean, scale = _standardiser(x[tr])
        xtr, xva = (x[tr] - mean) / scale, (x[va] - mean) / scale
        init = None
        for j, l2 in enumerate(grid):
            init = fit_logreg(xtr, y[tr], num_classes, l2, init=init)
            losses[j] += _balanced_log_loss(xva @ init[0] + init[1], y[va], num_classes)
    return float(grid[int(np.argmin(losses))])


def fit_condition_classifier(
    features: np.ndarray,
    labels: np.ndarray,
    codes: list[str],
    *,
    l2_grid: tuple[float, ...] = L2_GRID,
    heldout_share: float = HELDOUT_SHARE,
    seed: int = SPLIT_SEED,
    verbose: bool = False,
) -> ConditionClassifier:
    """Fit the probe (see the module docstring) on real ``features`` ``[N, D]`` with class indices ``labels``.

    ``heldout`` gets ``acc``, ``bal_acc``, ``acc/<code>`` (recall of that class, NaN when the class has no held-out
    image), ``n_train``, ``n_heldout`` and ``l2``."""
    x = np.asarray(features, np.float64)
    y = np.asarray(labels, np.int64)
    num_classes = len(codes)
    if len(x) != len(y) or num_classes < 2:
        raise SkyassetError(
            "invalid_argument",
            f"the probe needs features and labels of equal length and >= 2 "
            f"classes (got {len(x)} features, {len(y)} labels, {num_classes} classes)",
        )
    train, test = stratified_split(y, heldout_share, seed)
    l2 = _select_l2(x[train], y[train], num_classes, tuple(l2_grid))
    mean, scale = _standardiser(x[train])
    W, b = fit_logreg((x[train] - mean) / scale, y[train], num_classes, l2)
    pred = np.argmax(((x[test] - mean) / scale) @ W + b, axis=1)
    heldout: dict[str, float] = {"acc": float(np.mean(pred == y[test])) if len(test) else float("nan")}
    recalls = []
    for k, code in enumerate(codes):
        mask = y[test] == k
        r = float(np.mean(pred[mask] == k)) if mask.any() else float("nan")
        heldout[f"acc/{code}"] = r
        if mask.any():
            recalls.append(r)
    heldout["bal_acc"] = float(np.mean(recalls)) if recalls else float("nan")
    heldout.update(n_train=float(len(train)), n_heldout=float(len(test)), l2=l2)
    if verbose:
        print(
            f"  condition probe: l2 {l2:g}, held-out accuracy {heldout['acc']:.3f} "
            f"(balanced {heldout['bal_acc']:.3f}, {len(test)} images)",
            flush=True,
        )
    mean, scale = _standardiser(x)  # refit on every real image with the chosen penalty
    W, b = fit_logreg((x - mean) / scale, y, num_classes, l2, init=(W, b))
    return ConditionClassifier(mean, scale, W, b, l2, list(codes), heldout)


def _cache_path(archive: ImageArchive, l2_grid: tuple[float, ...]) -> tuple[str, Path]:
    key_src = json.dumps(
        {
            "features": features_key(archive),
            "labels": archive.labels.tolist(),
            "codes": [c["code"] for c in archive.classes],
            "version": CLASSIFIER_VERSION,
            "l2_grid": list(l2_grid),
            "heldout": HELDOUT_SHARE,
            "seed": SPLIT_SEED,
            "folds": CV_FOLDS,
        }
    )
    key = hashlib.sha256(key_src.encode()).hexdigest()[:32]
    return key_src, cache_dir() / f"condclf-{key}.npz"


def condition_classifier(
    archive: ImageArchive,
    *,
    real_features: Callable[[], np.ndarray] | None = None,
    device: str = "cpu",
    use_cache: bool = True,
    l2_grid: tuple[float, ...] = L2_GRID,
    verbose: bool = False,
) -> ConditionClassifier:
    """The probe for a labelled ``archive``, from the cache or fitted (and cached) on its Inception features.

    ``real_features`` returns the archive's features (default: ``dataset_features``); it is not called on a
    cache hit."""
    if not archive.c_dim:
        raise SkyassetError(
            "invalid_argument",
            f"{archive.path} is read without labels (unconditional); the conditioning probe needs a labelled archive",
        )
    key_src, path = _cache_path(archive, tuple(l2_grid))
    if use_cache and path.is_file():
        with np.load(path, allow_pickle=False) as z:
            return ConditionClassifier(
                z["mean"],
                z["scale"],
                z["weight"],
                z["bias"],
                float(z["l2"]),
                json.loads(str(z["codes"])),
                json.loads(str(z["heldout"])),
            )
    if real_features is None:
        feats = dataset_features(archive, device=device, verbose=verbose)
    else:
        feats = real_features()
    clf = fit_condition_classifier(
        feats, archive.labels, [c["code"] for c in archive.classes], l2_grid=tuple(l2_grid), verbose=verbose
    )
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
        np.savez(
            tmp,
            mean=clf.mean,
            scale=clf.scale,
            weight=clf.weight,
            bias=clf.bias,
            l2=clf.l2,
            codes=json.dumps(clf.codes),
            heldout=json.dumps(clf.heldout),
            key=key_src,
        )
        os.replace(tmp, path)
    return clf


def conditioning_accuracy(ctx: MetricContext) -> dict[str, float]:
    """``cond_acc``, ``cond_acc/<code>``, ``cond_classifier_heldout_acc``, ``cond_classifier_heldout_bal_acc``
    (see the module docstring); raises ``SkyassetError('invalid_argument')`` for an unconditional source or
    archive."""
    c_src, c_data = int(ctx.source.c_dim or 0), int(ctx.archive.c_dim or 0)
    if not c_src or not c_data:
        raise SkyassetError(
            "invalid_argument",
            "cond_acc measures whether a class-conditional generator makes the "
            f"requested class; here the generator has c_dim={c_src} and the archive "
            f"{ctx.archive.path.name} has {c_data} classes. Drop cond_acc from --metrics for an "
            "unconditional model",
        )
    if c_src != c_data:
        raise SkyassetError(
            "invalid_argument",
            f"the generator has {c_src} classes but the archive "
            f"{ctx.archive.path.name} has {c_data}; evaluate against the archive it was trained on",
        )
    clf = condition_classifier(ctx.archive, real_features=ctx.real_features, device=ctx.device, verbose=ctx.verbose)
    shares = {}
    for k, code in enumerate(clf.codes):
        pred = clf.predict(ctx.class_features(k))
        shares[f"cond_acc/{code}"] = float(np.mean(pred == k))
    return {
        "cond_acc": float(np.mean(list(shares.values()))),
        **shares,
        "cond_classifier_heldout_acc": float(clf.heldout["acc"]),
        "cond_classifier_heldout_bal_acc": float(clf.heldout["bal_acc"]),
    }
