"""Metrics without ImageNet networks: SWD of Laplacian-pyramid patches and the judge CNN trained on the data set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from PIL import Image  # noqa: E402

from skyasset.errors import SkyassetError  # noqa: E402
from tests._train_helpers import CCSN, one_torch_thread  # noqa: E402, F401
from training.dataset import ImageArchive, prepare_dataset  # noqa: E402
from training.metrics import MetricContext, compute_metrics  # noqa: E402
from training.metrics.judge import (  # noqa: E402
    DEFAULT_JUDGE,
    archive_images_subset,
    cond_judge_from_images,
    fd_judge_halves,
    load_judge,
    memorisation_pairs,
    pair_grid_size,
    train_judge,
)
from training.metrics.swd import _blur, _up, laplacian_pyramid, pyramid_sizes, swd_from_images, swd_halves  # noqa: E402

CODES = ["Ci", "Cu", "Ns", "St"]
COLOURS = [(200, 60, 60), (60, 200, 60), (60, 60, 200), (200, 200, 60)]


def _smooth_images(n: int, res: int, seed: int = 0) -> np.ndarray:
    """Cloud-like uint8 images: random low-resolution colour fields upsampled (plenty of structure per scale)."""
    rng = np.random.default_rng(seed)
    low = torch.from_numpy(rng.random((n, 3, res // 8, res // 8))).float()
    fine = torch.from_numpy(rng.random((n, 3, res // 2, res // 2))).float()
    up = torch.nn.functional.interpolate
    x = 0.8 * up(low, size=(res, res), mode="bicubic", align_corners=False) + 0.2 * up(fine, size=(res, res))
    return (x.clamp(0, 1) * 255).round().to(torch.uint8).numpy()


def _blurred(images: np.ndarray, times: int) -> np.ndarray:
    x = torch.from_numpy(images).float()
    for _ in range(times):
        x = _blur(x)
    return x.round().clamp(0, 255).to(torch.uint8).numpy()


def test_pyramid_levels_reconstruct_the_image() -> None:
    assert pyramid_sizes(128) == [128, 64, 32, 16] and pyramid_sizes(32) == [32, 16] and pyramid_sizes(8) == [8]
    x = torch.from_numpy(_smooth_images(2, 64)).float()
    bands = laplacian_pyramid(x, 3)
    assert [b.shape[-1] for b in bands] == [64, 32, 16]
    rebuilt = bands[-1]
    for band in reversed(bands[:-1]):
        rebuilt = band + _up(rebuilt)
    assert torch.allclose(rebuilt, x, atol=1e-3)


def test_swd_is_zero_for_a_set_against_itself_and_grows_with_blur_and_noise() -> None:
    real = _smooth_images(24, 64)
    kw = dict(patches_per_image=32, directions=128, repeats=2)
    self_swd = swd_from_images(real, real.copy(), **kw)
    assert set(self_swd) == {"swd", "swd_64", "swd_32", "swd_16"} and max(self_swd.values()) < 1e-6
    blur = [swd_from_images(real, _blurred(real, t), **kw)["swd"] for t in (1, 2, 4)]
    rng = np.random.default_rng(1)
    noise = [
        swd_from_images(real, np.clip(real + rng.normal(0, s, real.shape), 0, 255).astype(np.uint8), **kw)["swd"]
        for s in (4, 12, 36)
    ]
    print(f"SWD x1e3: blur {blur}, noise {noise}")
    assert 0 < blur[0] < blur[1] < blur[2] and 0 < noise[0] < noise[1] < noise[2]
    again = swd_from_images(real, _blurred(real, 1), **kw)["swd"]
    assert again == blur[0]  # seeded
    other = swd_from_images(real, _smooth_images(24, 64, seed=5), **kw)["swd"]
    assert other < blur[2]  # another sample of the same kind of image is closer than a strong blur
    half = swd_from_images(real, _blurred(real[:12], 1), **kw)  # unequal sizes: same descriptor count
    assert np.isfinite(half["swd"])
    up = swd_from_images(real, np.repeat(np.repeat(real, 2, 2), 2, 3), **kw)["swd"]  # a 128 px copy is resized
    assert up < blur[1]


@pytest.fixture(scope="module")
def colour_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four classes of 12 noisy flat-colour 32 px photos each: separable by colour."""
    root = tmp_path_factory.mktemp("judge")
    for k, code in enumerate(CODES):
        (root / "src" / code).mkdir(parents=True)
        for i in range(12):
            rng = np.random.default_rng(100 * k + i)
            img = np.clip(np.array(COLOURS[k]) + rng.normal(0, 40, (32, 32, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(img).save(root / "src" / code / f"{i:02d}.png")
    prepare_dataset(root / "src", root / "colours.zip", resolution=32, image_format="png")
    return root / "colours.zip"


@pytest.fixture(scope="module")
def trained_judge(colour_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("weights") / "judge.pt"
    meta = train_judge(colour_archive, out, epochs=1, input_size=32, batch=16)
    return out, meta


def test_swd_halves_floor_is_finite(colour_archive: Path) -> None:
    floor = swd_halves(ImageArchive(colour_archive), patches_per_image=16, directions=64, repeats=2)
    assert set(floor) == {"swd", "swd_32", "swd_16"}
    assert all(np.isfinite(v) and v > 0 for v in floor.values())


def test_judge_trains_one_epoch_and_loads_back(
    trained_judge: tuple[Path, dict], colour_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path / "cache"))
    path, meta = trained_judge
    assert path.stat().st_size < 5 * 2**20
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert sidecar == meta and [c["code"] for c in meta["classes"]] == CODES
    assert meta["input_size"] == 32 and meta["seed"] == 0 and len(meta["dataset_sha256"]) == 64
    assert meta["n_heldout"] == 8 and meta["n_train"] == 40  # 15 % of 12 per class, rounded: 2
    assert 0 <= meta["heldout_acc"] <= 1 and "heldout_acc/Ns" in meta
    blob = torch.load(path, weights_only=True)
    assert all(v.dtype == torch.float16 for v in blob["state_dict"].values() if v.is_floating_point())
    judge = load_judge(path)
    assert judge is load_judge(path) and judge.meta == meta
    feats, pred = judge.run(archive_images_subset(ImageArchive(colour_archive), np.arange(10)))
    assert feats.shape == (10, 128) and pred.shape == (10,)
    with pytest.raises(SkyassetError, match="train-judge"):
        load_judge(tmp_path / "missing.pt")
    floor = fd_judge_halves(ImageArchive(colour_archive), judge_path=path)
    assert np.isfinite(floor) and floor >= 0


def test_cond_judge_on_its_own_held_out_photos_is_its_held_out_accuracy(
    trained_judge: tuple[Path, dict], colour_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path / "cache"))
    path, meta = trained_judge
    archive = ImageArchive(colour_archive)
    idx = np.array([archive.names.index(n) for n in meta["heldout_names"]])
    images, labels = archive_images_subset(archive, idx), archive.labels[idx]
    direct = cond_judge_from_images(load_judge(path), images, labels)
    assert direct["cond_judge"] == pytest.approx(meta["heldout_acc"])
    assert direct["cond_judge_bal"] == pytest.approx(meta["heldout_bal_acc"])

    class HeldOut:  # a "generator" that returns the held-out photos, seed i -> photo i
        c_dim = len(CODES)

        def __init__(self) -> None:
            self.generated = 0

        def generate(self, seeds: np.ndarray, classes: np.ndarray) -> np.ndarray:
            self.generated += len(seeds)
            assert np.array_equal(classes, labels[seeds])
            return images[seeds]

    class Ctx(MetricContext):
        def gen_classes(self, n: int) -> np.ndarray:
            return labels[:n]

    source = HeldOut()
    ctx = Ctx(source, archive, num_gen=len(idx), judge=path)  # type: ignore[arg-type]
    res = compute_metrics(["cond_judge", "fd_judge", "swd"], ctx)
    assert source.generated == len(idx)  # one sample serves every metric
    assert res["cond_judge"] == pytest.approx(meta["heldout_acc"]) == res["judge_real_acc"]
    assert res["judge_real_bal_acc"] == pytest.approx(meta["heldout_bal_acc"])
    assert res["fd_judge"] >= 0 and np.isfinite(res["swd"])

    class Wrong:
        c_dim = 7

        def generate(self, seeds: np.ndarray, classes: np.ndarray) -> np.ndarray:
            raise AssertionError("not reached")

    with pytest.raises(SkyassetError, match="classes"):
        compute_metrics(["cond_judge"], MetricContext(Wrong(), archive, num_gen=4, judge=path))  # type: ignore[arg-type]


def test_fd_judge_per_class_finds_the_class_that_lost_its_variety(
    trained_judge: tuple[Path, dict], colour_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A "generator" returning the archive's own photos by class scores about 0 and spread 1 in every class; the
    same with one class's photos all one photo keeps the others and shows that class far off, its spread near 0."""
    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path / "cache"))
    path, _ = trained_judge
    archive = ImageArchive(colour_archive)
    images, labels = archive_images_subset(archive, np.arange(len(archive.labels))), np.asarray(archive.labels)

    class Replay:  # seed i -> photo i, the class asked for checked
        c_dim = len(CODES)

        def __init__(self, collapse: int | None) -> None:
            self.images = images.copy()
            if collapse is not None:
                self.images[labels == collapse] = images[np.flatnonzero(labels == collapse)[0]]

        def generate(self, seeds: np.ndarray, classes: np.ndarray) -> np.ndarray:
            assert np.array_equal(classes, labels[seeds])
            return self.images[seeds]

    class Ctx(MetricContext):
        def gen_classes(self, n: int) -> np.ndarray:
            return labels[:n]

    same = compute_metrics(["fd_judge_per_class"], Ctx(Replay(None), archive, num_gen=len(labels), judge=path))  # type: ignore[arg-type]
    assert same["spread_judge"] == pytest.approx(1.0)
    for code in CODES:
        assert abs(same[f"fd_judge/{code}"]) < 1e-3 and same[f"spread_judge/{code}"] == pytest.approx(1.0)
    lost = compute_metrics(["fd_judge_per_class"], Ctx(Replay(2), archive, num_gen=len(labels), judge=path))  # type: ignore[arg-type]
    # the judge's features of a flat-colour class vary little, so distances are small; the others stay at 0
    assert lost["spread_judge/Ns"] < 0.05 and lost["fd_judge/Ns"] > 1e6 * max(same["fd_judge/Ns"], 1e-20)
    assert all(lost[f"fd_judge/{c}"] == pytest.approx(same[f"fd_judge/{c}"], abs=1e-6) for c in ("Ci", "Cu", "St"))


def test_memorisation_grid_of_a_tiny_generator(
    trained_judge: tuple[Path, dict], colour_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from training.metrics import TorchSource
    from training.networks import Generator, get_config

    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path / "cache"))
    torch.manual_seed(0)
    G = Generator(**{**get_config("tiny").generator_kwargs(), "c_dim": len(CODES)})
    png = tmp_path / "pairs" / "memo.png"
    memo = memorisation_pairs(TorchSource(G), ImageArchive(colour_archive), png, judge_path=trained_judge[0])
    with Image.open(png) as im:
        assert im.size == pair_grid_size(64, 32) == (8 * 66 + 9 * 8, 8 * 32 + 9 * 8)
    assert len(memo["pairs"]) == 64 and [p[1] for p in memo["pairs"][:5]] == [0, 1, 2, 3, 0]
    assert 0 <= memo["gen_nn_min"] <= memo["gen_nn_median"] and np.isfinite(memo["real_nn_median"])


@pytest.mark.skipif(not DEFAULT_JUDGE.is_file(), reason=f"no trained judge at {DEFAULT_JUDGE}")
def test_committed_judge_is_small_and_describes_itself() -> None:
    meta = json.loads(DEFAULT_JUDGE.with_suffix(".json").read_text())
    assert DEFAULT_JUDGE.stat().st_size < 5 * 2**20
    judge = load_judge()
    assert judge.meta["dataset_sha256"] == meta["dataset_sha256"] and len(judge.codes) == len(meta["classes"])
    assert 0.2 < meta["heldout_acc"] <= 1 and meta["input_size"] in (64, 128)


@pytest.mark.skipif(not CCSN.is_dir(), reason="CCSN photos not found at ../shared/datasets/ccsn")
def test_swd_tells_cirrus_from_nimbostratus_on_ccsn_photos(tmp_path: Path) -> None:
    src = tmp_path / "two"
    for code in ("Ci", "Ns"):
        (src / code).mkdir(parents=True)
        for f in sorted((CCSN / code).iterdir())[:8]:
            (src / code / f.name).write_bytes(f.read_bytes())
    prepare_dataset(src, tmp_path / "two.zip", resolution=64)
    archive = ImageArchive(tmp_path / "two.zip")
    images = archive_images_subset(archive, np.arange(len(archive)))
    ci, ns = images[archive.labels == 0], images[archive.labels == 1]
    kw = dict(patches_per_image=64, directions=128, repeats=2)
    within = swd_from_images(ci[:4], ci[4:], **kw)["swd"]
    across = swd_from_images(ci[:4], ns[:4], **kw)["swd"]
    print(f"CCSN SWD x1e3: Ci vs Ci {within:.1f}, Ci vs Ns {across:.1f}")
    assert across > 1.5 * within


def test_cli_train_judge_and_halves_floors(
    colour_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import training.metrics as metrics
    from training.cli import main

    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "j" / "judge.pt"
    args = ["train-judge", "--data", str(colour_archive), "--out", str(out), "--epochs", "1", "--input-size", "32"]
    assert main([*args, "--device", "cpu", "--json"]) == 0
    meta = json.loads(capsys.readouterr().out)
    assert out.is_file() and meta["epochs"] == 1 and "heldout_names" not in meta
    assert main([*args, "--device", "cpu"]) != 0  # exists: needs --force
    assert "--force" in capsys.readouterr().err
    monkeypatch.setattr(metrics, "fid_halves", lambda *a, **k: 12.5)  # the Inception floor is tested elsewhere
    halves = ["metrics", "--data", str(colour_archive), "--halves", "--device", "cpu", "--json"]
    assert main([*halves, "--judge", str(out)]) == 0
    floors = json.loads(capsys.readouterr().out)
    assert floors["fid_halves"] == 12.5 and floors["swd_halves"] > 0 and floors["fd_judge_halves"] >= 0
    assert {"swd_32_halves", "swd_16_halves"} <= set(floors)
    assert main([*halves[:-1], "--judge", str(tmp_path / "none.pt")]) == 0
    assert "fd_judge_halves: skipped" in capsys.readouterr().out
