"""training.export: real dynamo export, real ONNX Runtime, metadata per docs/BUNDLE.md, refusal on mismatch."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")

import training.export as export_module  # noqa: E402
from skyasset.classes import CCSN_CLASSES  # noqa: E402
from skyasset.errors import SkyassetError  # noqa: E402
from training.export import export_bundle  # noqa: E402
from training.networks import Generator, get_config  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
COMMITTED = DATA / "tiny_bundle"


def load_make_tiny_bundle():
    spec = importlib.util.spec_from_file_location("make_tiny_bundle", DATA / "make_tiny_bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny bundle made again by tests/data/make_tiny_bundle.py, into a temporary folder."""
    out = tmp_path_factory.mktemp("regen") / "tiny_bundle"
    return load_make_tiny_bundle().make_tiny_bundle(out, overwrite=False)


def read_meta(bundle: Path) -> dict:
    return json.loads((bundle / "skyasset-bundle.json").read_text(encoding="utf-8"))


def shape_of(value):
    """The 'shape' of a JSON value: types and list lengths, not the numbers."""
    if isinstance(value, dict):
        return {k: shape_of(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape_of(v) for v in value]
    return type(value).__name__


def io_signature(path: Path) -> tuple[list, list]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    sig = [
        [(a.name, a.type, [d if isinstance(d, int) else "N" for d in a.shape]) for a in args]
        for args in (session.get_inputs(), session.get_outputs())
    ]
    return sig[0], sig[1]


def run_bundle(bundle: Path, z: np.ndarray, c: np.ndarray | None) -> np.ndarray:
    meta = read_meta(bundle)
    mapping = ort.InferenceSession(str(bundle / "mapping.onnx"), providers=["CPUExecutionProvider"])
    synthesis = ort.InferenceSession(str(bundle / "synthesis.onnx"), providers=["CPUExecutionProvider"])
    feeds = {"z": z} if c is None else {"z": z, "c": c}
    w = mapping.run(["w"], feeds)[0]
    ws = np.repeat(w[:, None, :], meta["num_ws"], axis=1)
    return synthesis.run(["img"], {"ws": ws})[0]


def test_regenerated_bundle_metadata_follows_bundle_md(regenerated: Path) -> None:
    meta = read_meta(regenerated)
    assert sorted(p.name for p in regenerated.iterdir()) == [
        "canvas.onnx",
        "mapping.onnx",
        "skyasset-bundle.json",
        "synthesis.onnx",
    ]
    assert meta["schema_version"] == 1 and meta["variant"] == "fp32" and meta["license"] == "CC0-1.0"
    assert (meta["resolution"], meta["z_dim"], meta["w_dim"], meta["c_dim"], meta["num_ws"]) == (32, 32, 32, 11, 8)
    assert meta["classes"] == [c.to_json() for c in CCSN_CLASSES]
    assert len(meta["w_avg"]) == 32
    assert len(meta["class_w_avg"]) == 11 and all(len(row) == 32 for row in meta["class_w_avg"])
    np.testing.assert_allclose(np.mean(meta["class_w_avg"], axis=0), meta["w_avg"], atol=1e-6)
    for name, entry in meta["graphs"].items():
        path = regenerated / entry["file"]
        assert entry["file"] == f"{name}.onnx"
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    prov = meta["provenance"]
    assert prov["export"]["opset"] == 18
    assert 0 <= prov["export"]["max_abs_error"] < 1e-3
    assert prov["generator_kwargs"]["img_resolution"] == 32
    assert {"dataset", "kimg", "fid", "fid_samples", "fid_reference", "trained_by", "created"} <= set(prov)
    json.dumps(meta, allow_nan=False)  # strict JSON: no NaN/Infinity


def test_graph_inputs_outputs_and_dynamic_batch(regenerated: Path) -> None:
    assert io_signature(regenerated / "mapping.onnx") == (
        [("z", "tensor(float)", ["N", 32]), ("c", "tensor(float)", ["N", 11])],
        [("w", "tensor(float)", ["N", 32])],
    )
    assert io_signature(regenerated / "synthesis.onnx") == (
        [("ws", "tensor(float)", ["N", 8, 32])],
        [("img", "tensor(float)", ["N", 3, 32, 32])],
    )
    # The canvas graph: six tiles, every shape static.
    assert io_signature(regenerated / "canvas.onnx") == (
        [("ws_tiles", "tensor(float)", [6, 8, 32]), ("turns", "tensor(int64)", [6])],
        [("img", "tensor(float)", [1, 3, 32, 192])],
    )
    # The graphs carry no external data: one file each.
    rng = np.random.default_rng(5)
    for n in (1, 5):
        z = rng.standard_normal((n, 32)).astype(np.float32)
        c = np.eye(11, dtype=np.float32)[rng.integers(0, 11, n)]
        assert run_bundle(regenerated, z, c).shape == (n, 3, 32, 32)


def test_bundle_reproduces_pytorch_generator(regenerated: Path) -> None:
    """ORT(mapping) -> broadcast -> ORT(synthesis) equals G(z, c, noise_mode='const') of the same weights."""
    mk = load_make_tiny_bundle()
    torch.manual_seed(mk.SEED)
    G = Generator(**get_config("tiny").generator_kwargs()).eval()
    rng = np.random.default_rng(11)
    z = rng.standard_normal((4, 32)).astype(np.float32)
    c = np.eye(11, dtype=np.float32)[[0, 3, 7, 10]]
    with torch.no_grad():
        expected = G(torch.from_numpy(z), torch.from_numpy(c), noise_mode="const").numpy()
    actual = run_bundle(regenerated, z, c)
    assert np.abs(actual - expected).max() < 1e-4
    # psi = 0 toward the class mean of class 3 is the image of class_w_avg[3].
    meta = read_meta(regenerated)
    synthesis = ort.InferenceSession(str(regenerated / "synthesis.onnx"), providers=["CPUExecutionProvider"])
    mean_ws = np.repeat(np.asarray(meta["class_w_avg"][3], np.float32)[None, None], meta["num_ws"], axis=1)
    with torch.no_grad():
        ref = G.synthesis(torch.from_numpy(mean_ws), noise_mode="const").numpy()
    assert np.abs(synthesis.run(["img"], {"ws": mean_ws})[0] - ref).max() < 1e-4


def test_committed_tiny_bundle_is_reproducible(regenerated: Path) -> None:
    committed, fresh = read_meta(COMMITTED), read_meta(regenerated)
    assert shape_of(committed) == shape_of(fresh)
    for key in ("schema_version", "model_id", "resolution", "z_dim", "w_dim", "c_dim", "num_ws", "classes"):
        assert committed[key] == fresh[key], key
    np.testing.assert_allclose(committed["w_avg"], fresh["w_avg"], atol=1e-5)
    np.testing.assert_allclose(committed["class_w_avg"], fresh["class_w_avg"], atol=1e-5)
    for entry in committed["graphs"].values():  # the committed files are intact
        data = (COMMITTED / entry["file"]).read_bytes()
        assert len(data) == entry["bytes"] and hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert sum(p.stat().st_size for p in COMMITTED.iterdir()) < 1_200_000
    rng = np.random.default_rng(3)
    z = rng.standard_normal((2, 32)).astype(np.float32)
    c = np.eye(11, dtype=np.float32)[[1, 9]]
    np.testing.assert_allclose(run_bundle(COMMITTED, z, c), run_bundle(regenerated, z, c), atol=1e-4)


def test_unconditional_export(tmp_path: Path) -> None:
    torch.manual_seed(0)
    G = Generator(
        8, 0, 8, 32, 3, mapping_kwargs=dict(num_layers=1), synthesis_kwargs=dict(channel_base=64, channel_max=4)
    )
    out = export_bundle(G, tmp_path / "uncond", model_id="u", license="CC0-1.0", mean_samples=64, verbose=False)
    meta = read_meta(out)
    assert meta["c_dim"] == 0 and meta["classes"] == [] and meta["class_w_avg"] == []
    assert io_signature(out / "mapping.onnx")[0] == [("z", "tensor(float)", ["N", 8])]
    with torch.no_grad():
        expected = G.mapping.map_w(torch.zeros(1, 8) + 0.5, None).numpy()
    mapping = ort.InferenceSession(str(out / "mapping.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(mapping.run(None, {"z": np.full((1, 8), 0.5, np.float32)})[0], expected, atol=1e-5)


def test_export_refuses_when_onnx_runtime_disagrees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A corrupted ORT result (here: +0.05 on every output) must stop the export and leave nothing behind."""
    real_run = export_module._run_onnx

    def corrupted(path, feeds):
        return real_run(path, feeds) + np.float32(0.05)

    monkeypatch.setattr(export_module, "_run_onnx", corrupted)
    torch.manual_seed(0)
    G = Generator(**get_config("tiny").generator_kwargs())
    with pytest.raises(SkyassetError, match="differs from PyTorch") as err:
        export_bundle(G, tmp_path / "bad", model_id="bad", license="CC0-1.0", mean_samples=8, verbose=False)
    assert err.value.code == "export_check_failed"
    assert list(tmp_path.iterdir()) == []  # no bundle, no temporary folder


def test_argument_errors(tmp_path: Path) -> None:
    torch.manual_seed(0)
    G = Generator(**get_config("tiny").generator_kwargs())
    with pytest.raises(SkyassetError, match="c_dim=11") as err:
        export_bundle(G, tmp_path / "b", classes=CCSN_CLASSES[:3], model_id="x", license="CC0-1.0")
    assert err.value.code == "invalid_argument"
    (tmp_path / "exists").mkdir()
    with pytest.raises(SkyassetError, match="already exists") as err:
        export_bundle(G, tmp_path / "exists", model_id="x", license="CC0-1.0")
    assert err.value.code == "output_exists"
    with pytest.raises(SkyassetError, match="opset"):
        export_bundle(G, tmp_path / "b", model_id="x", license="CC0-1.0", opset=10)
    with pytest.raises(SkyassetError, match="does not exist"):
        export_bundle(G, tmp_path / "missing" / "b", model_id="x", license="CC0-1.0")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists"]


def test_noise_none_leaves_the_per_pixel_noise_out(tmp_path: Path) -> None:
    torch.manual_seed(1)
    G = Generator(**get_config("tiny").generator_kwargs()).eval()
    with torch.no_grad():
        for name, p in G.named_parameters():
            if name.endswith("noise_strength"):
                p.fill_(0.5)  # loud noise, so const and none differ clearly
    with torch.no_grad():
        ws = G.mapping(torch.randn([2, G.z_dim]), torch.eye(G.c_dim)[:2])
    outputs = {}
    for mode in ("const", "none"):
        bundle = export_bundle(
            G,
            tmp_path / mode,
            model_id=f"tiny-{mode}",
            license="CC0-1.0",
            mean_samples=16,
            noise_mode=mode,
            verbose=False,
        )
        assert read_meta(bundle)["provenance"]["export"]["noise_mode"] == mode
        session = ort.InferenceSession(str(bundle / "synthesis.onnx"), providers=["CPUExecutionProvider"])
        outputs[mode] = session.run(None, {"ws": ws.numpy()})[0]
        with torch.no_grad():
            expected = G.synthesis(ws, noise_mode=mode).numpy()
        np.testing.assert_allclose(outputs[mode], expected, atol=1e-4)
    assert np.abs(outputs["const"] - outputs["none"]).mean() > 1e-3
    with pytest.raises(SkyassetError, match="noise_mode"):
        export_bundle(G, tmp_path / "bad", model_id="x", license="CC0-1.0", noise_mode="random", verbose=False)


def test_metric_sources_truncate_as_the_runtime_does(regenerated: Path) -> None:
    """`skyasset-train metrics --psi` on a snapshot measures the images its bundle makes at that psi."""
    from training.metrics import BundleSource, TorchSource

    mk = load_make_tiny_bundle()
    torch.manual_seed(mk.SEED)
    G = Generator(**get_config("tiny").generator_kwargs()).eval()
    seeds, classes = np.arange(6), np.array([0, 3, 3, 7, 10, 3])

    def torch_images(psi: float) -> np.ndarray:
        return TorchSource(G, psi=psi, mean_samples=mk.MEAN_SAMPLES, mean_seed=mk.SEED).generate(seeds, classes)

    for psi in (0.7, 0.0, 1.0):
        from_bundle = BundleSource(regenerated, psi=psi).generate(seeds, classes).astype(int)
        assert np.abs(torch_images(psi).astype(int) - from_bundle).max() <= 1, psi
    untruncated, truncated, centre = torch_images(1.0), torch_images(0.7), torch_images(0.0)
    assert np.array_equal(untruncated, TorchSource(G).generate(seeds, classes))
    assert not np.array_equal(truncated, untruncated)
    # psi 0 is each class's mean image, whatever the seed: the three class-3 samples are one image.
    assert np.array_equal(centre[1], centre[2]) and np.array_equal(centre[1], centre[5])
    assert not np.array_equal(centre[0], centre[1])
    # Truncation moves each image toward its class's mean image.
    moved = np.abs(truncated.astype(int) - centre).mean()
    assert moved < np.abs(untruncated.astype(int) - centre).mean()
