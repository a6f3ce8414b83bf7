"""One weights file shared by a bundle's graphs: export, repack, same outputs, and the loader's refusals."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import external_data_helper, numpy_helper  # noqa: E402

from skyasset.bundle import METADATA_NAME, WEIGHTS_NAME, load_bundle, sha256_of  # noqa: E402
from skyasset.cli.app import main as skyasset_main  # noqa: E402
from skyasset.errors import SkyassetError  # noqa: E402
from skyasset.external_data import external_data_refs  # noqa: E402
from tests._train_helpers import one_torch_thread  # noqa: E402, F401
from training.export import export_bundle  # noqa: E402
from training.networks import Generator, get_config  # noqa: E402
from training.shared_weights import MIN_BYTES, repack_bundle  # noqa: E402

GRAPHS = ("mapping.onnx", "synthesis.onnx", "canvas.onnx")


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny generator exported in the shared layout, and the same graphs made self-contained."""
    root = tmp_path_factory.mktemp("shared")
    torch.manual_seed(2026)
    G = Generator(**get_config("tiny").generator_kwargs())
    shared = export_bundle(G, root / "shared", model_id="tiny-shared", license="CC0-1.0", mean_samples=64)
    own = repack_bundle(shared, root / "own", layout="self-contained")
    return {"shared": shared, "own": own}


@pytest.fixture
def shared_copy(bundles: dict[str, Path], tmp_path: Path) -> Path:
    """A private copy of the shared-layout bundle that a test may damage."""
    return Path(shutil.copytree(bundles["shared"], tmp_path / "bundle"))


def meta_of(bundle: Path) -> dict[str, Any]:
    return json.loads((bundle / METADATA_NAME).read_text(encoding="utf-8"))


def error_of(bundle: Path, **kwargs: Any) -> SkyassetError:
    with pytest.raises(SkyassetError) as caught:
        load_bundle(bundle, **kwargs)
    return caught.value


def big_tensors(model: onnx.ModelProto) -> list[onnx.TensorProto]:
    return [t for t in model.graph.initializer if numpy_helper.to_array(t).nbytes >= MIN_BYTES]


def test_export_stores_each_tensor_once(bundles: dict[str, Path]) -> None:
    shared, own = bundles["shared"], bundles["own"]
    assert sorted(p.name for p in shared.iterdir()) == sorted([*GRAPHS, METADATA_NAME, WEIGHTS_NAME])
    assert sorted(p.name for p in own.iterdir()) == sorted([*GRAPHS, METADATA_NAME])
    meta = meta_of(shared)
    weights = shared / WEIGHTS_NAME
    assert meta["weights"] == {"file": WEIGHTS_NAME, "sha256": sha256_of(weights), "bytes": weights.stat().st_size}
    assert "weights" not in meta_of(own)
    # Every large tensor of every graph points into weights.bin; the distinct ones are stored once each.
    distinct: dict[tuple[int, tuple[int, ...], bytes], None] = {}
    references = 0
    for name in GRAPHS:
        model = onnx.load(str(shared / name), load_external_data=False)
        for tensor in model.graph.initializer:
            if not external_data_helper.uses_external_data(tensor):
                assert len(tensor.raw_data) < MIN_BYTES, tensor.name
                continue
            info = external_data_helper.ExternalDataInfo(tensor)
            assert info.location == WEIGHTS_NAME and info.offset % 64 == 0
            references += 1
        for tensor in big_tensors(onnx.load(str(shared / name))):
            distinct[(tensor.data_type, tuple(tensor.dims), numpy_helper.to_array(tensor).tobytes())] = None
    assert references > len(distinct)  # the canvas graph reuses the synthesis weights
    stored = sum(len(key[2]) for key in distinct)
    assert stored <= weights.stat().st_size < stored + 64 * len(distinct)
    own_graphs = sum((own / name).stat().st_size for name in GRAPHS)
    shared_total = sum((shared / name).stat().st_size for name in GRAPHS) + weights.stat().st_size
    assert weights.stat().st_size < own_graphs and shared_total < own_graphs
    assert load_bundle(shared).total_bytes == shared_total
    # ONNX Runtime loads each graph from its path, the weights file beside it, and computes what the
    # self-contained graph computes, bit for bit.
    ws = np.random.default_rng(0).standard_normal((2, 8, 32)).astype(np.float32)
    runs = [
        ort.InferenceSession(str(b / "synthesis.onnx"), providers=["CPUExecutionProvider"]).run(None, {"ws": ws})[0]
        for b in (shared, own)
    ]
    assert np.array_equal(*runs)


def _generate(bundle: Path, out: Path) -> dict[str, Any]:
    stdout = io.StringIO()
    args = ["generate", "-c", "cumulus", "-s", "7", "--size", "256", "--hdr", "-o", str(out), "--model", str(bundle)]
    with contextlib.redirect_stdout(stdout):
        assert skyasset_main([*args, "--json"]) == 0, stdout.getvalue()
    return json.loads(stdout.getvalue())


def test_generate_writes_identical_files_from_either_layout(bundles: dict[str, Path], tmp_path: Path) -> None:
    written = {}
    for layout, bundle in bundles.items():
        (tmp_path / layout).mkdir()
        _generate(bundle, tmp_path / layout / "sky.png")
        written[layout] = {
            p.name: p.read_bytes().replace(str(p.parent).encode(), b"OUT").replace(str(bundle).encode(), b"MODEL")
            for p in sorted((tmp_path / layout).iterdir())  # the sidecar JSON names the output and model paths
        }
    assert {".png", ".hdr", ".exr"} <= {Path(n).suffix for n in written["shared"]}
    assert written["shared"] == written["own"]


def test_repack_of_an_old_bundle_round_trips(tiny_bundle_path: Path, tmp_path: Path) -> None:
    """The committed tiny bundle is self-contained (the older layout): repacked it computes the same, and
    repacked back its graphs are the original bytes."""
    shared = repack_bundle(tiny_bundle_path, tmp_path / "shared")
    assert load_bundle(shared).weights is not None
    assert load_bundle(shared).total_bytes < load_bundle(tiny_bundle_path).total_bytes
    from skyasset.generator import SkyGenerator

    images = [SkyGenerator(b).generate("St", [3, 4], psi=1.0) for b in (tiny_bundle_path, shared)]
    assert np.array_equal(*images)
    back = repack_bundle(shared, tmp_path / "back", layout="self-contained")
    for name in GRAPHS:
        assert (back / name).read_bytes() == (tiny_bundle_path / name).read_bytes()
    assert not (back / WEIGHTS_NAME).exists() and "weights" not in meta_of(back)
    with pytest.raises(SkyassetError) as caught:
        repack_bundle(shared, tmp_path / "back")
    assert caught.value.code == "output_exists"


def test_missing_weights_file_is_refused(shared_copy: Path) -> None:
    (shared_copy / WEIGHTS_NAME).unlink()
    error = error_of(shared_copy)
    assert error.code == "bundle_file_missing"
    assert WEIGHTS_NAME in error.message and "re-export" in error.message


def test_tampered_weights_file_is_refused(shared_copy: Path) -> None:
    weights = shared_copy / WEIGHTS_NAME
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, same size
    weights.write_bytes(bytes(data))
    error = error_of(shared_copy)
    assert error.code == "bundle_checksum_mismatch" and WEIGHTS_NAME in error.message and "re-export" in error.message
    weights.write_bytes(bytes(data[:-4]))
    assert error_of(shared_copy, verify_checksums=False).code == "bundle_checksum_mismatch"  # the size, unhashed


def test_weights_file_may_not_be_a_symlink(shared_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.bin"
    (shared_copy / WEIGHTS_NAME).rename(outside)
    (shared_copy / WEIGHTS_NAME).symlink_to(outside)
    assert error_of(shared_copy).code == "bundle_invalid"


@pytest.mark.parametrize("name", ["../weights.bin", "/etc/passwd", "sub/weights.bin", "", ".hidden", 7])
def test_weights_entry_must_name_a_plain_file(shared_copy: Path, name: Any) -> None:
    meta = meta_of(shared_copy)
    meta["weights"]["file"] = name
    (shared_copy / METADATA_NAME).write_text(json.dumps(meta))
    assert error_of(shared_copy).code == "bundle_invalid"


def _point_graph_at(bundle: Path, graph: str, location: str, offset: int | None = None) -> None:
    """Rewrite one external tensor of ``graph`` to read ``location`` (and re-record the graph's sha256, so only
    the location rule can refuse it)."""
    path = bundle / graph
    model = onnx.load(str(path), load_external_data=False)
    tensor = next(t for t in model.graph.initializer if external_data_helper.uses_external_data(t))
    for entry in tensor.external_data:
        if entry.key == "location":
            entry.value = location
        if entry.key == "offset" and offset is not None:
            entry.value = str(offset)
    path.write_bytes(model.SerializeToString())
    meta = meta_of(bundle)
    name = graph.removesuffix(".onnx")
    meta["graphs"][name].update(sha256=sha256_of(path), bytes=path.stat().st_size)
    (bundle / METADATA_NAME).write_text(json.dumps(meta))


@pytest.mark.parametrize(
    "location",
    [
        "../weights.bin",
        "../../etc/passwd",
        "/etc/passwd",
        "sub/weights.bin",
        "..\\weights.bin",
        "C:weights.bin",
        "weights.bin:stream",
        "*/_ORT_MEM_ADDR_/*",
        "",
    ],
)
def test_external_data_may_not_leave_the_bundle(shared_copy: Path, location: str) -> None:
    _point_graph_at(shared_copy, "synthesis.onnx", location)
    for verify in (True, False):
        error = error_of(shared_copy, verify_checksums=verify)
        assert error.code == "bundle_invalid" and "synthesis.onnx" in error.message


def test_external_data_must_be_the_listed_file(shared_copy: Path) -> None:
    shutil.copy(shared_copy / WEIGHTS_NAME, shared_copy / "other.bin")  # present, but nothing vouches for it
    _point_graph_at(shared_copy, "canvas.onnx", "other.bin")
    error = error_of(shared_copy)
    assert error.code == "bundle_invalid" and "other.bin" in error.message


def test_external_data_must_lie_inside_the_file(shared_copy: Path) -> None:
    _point_graph_at(shared_copy, "mapping.onnx", WEIGHTS_NAME, offset=(shared_copy / WEIGHTS_NAME).stat().st_size)
    assert error_of(shared_copy).code == "bundle_invalid"


def test_unlisted_weights_file_is_refused(shared_copy: Path) -> None:
    """A bundle whose graphs read external data must list that file (size, sha256) in its metadata."""
    meta = meta_of(shared_copy)
    del meta["weights"]
    (shared_copy / METADATA_NAME).write_text(json.dumps(meta))
    error = error_of(shared_copy)
    assert error.code == "bundle_invalid" and WEIGHTS_NAME in error.message


def test_external_references_in_attributes_and_subgraphs_are_found() -> None:
    """The loader's own protobuf reader sees tensors in Constant nodes and in If branches too."""
    from onnx import TensorProto, helper

    def external(name: str, location: str) -> onnx.TensorProto:
        tensor = numpy_helper.from_array(np.zeros(4, np.float32), name)
        external_data_helper.set_external_data(tensor, location, 0, 16)
        tensor.ClearField("raw_data")
        return tensor

    branch = helper.make_graph(
        [helper.make_node("Constant", [], ["y"], value=external("in_branch", "../b.bin"))],
        "branch",
        [],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
    )
    graph = helper.make_graph(
        [
            helper.make_node("Constant", [], ["a"], value=external("in_attribute", "a.bin")),
            helper.make_node("If", ["cond"], ["y"], then_branch=branch, else_branch=branch),
        ],
        "g",
        [helper.make_tensor_value_info("cond", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
        initializer=[external("init", "c.bin")],
    )
    refs = external_data_refs(helper.make_model(graph).SerializeToString())
    assert sorted((r.tensor, r.location, r.offset, r.length) for r in refs) == [
        ("in_attribute", "a.bin", "0", "16"),
        ("in_branch", "../b.bin", "0", "16"),
        ("in_branch", "../b.bin", "0", "16"),
        ("init", "c.bin", "0", "16"),
    ]


def test_reader_field_numbers_match_onnx_proto() -> None:
    import skyasset.external_data as ed

    def number(message: Any, field: str) -> int:
        return message.DESCRIPTOR.fields_by_name[field].number

    assert {v: k for k, v in ed._CHILDREN[ed._MODEL].items()} == {
        ed._GRAPH: number(onnx.ModelProto, "graph"),
        ed._TRAINING: number(onnx.ModelProto, "training_info"),
        ed._FUNCTION: number(onnx.ModelProto, "functions"),
    }
    expected = {
        ed._GRAPH: {"node": ed._NODE, "initializer": ed._TENSOR, "sparse_initializer": ed._SPARSE},
        ed._NODE: {"attribute": ed._ATTRIBUTE},
        ed._FUNCTION: {"node": ed._NODE},
        ed._TRAINING: {"initialization": ed._GRAPH, "algorithm": ed._GRAPH},
        ed._SPARSE: {"values": ed._TENSOR, "indices": ed._TENSOR},
        ed._ATTRIBUTE: {
            "t": ed._TENSOR,
            "g": ed._GRAPH,
            "tensors": ed._TENSOR,
            "graphs": ed._GRAPH,
            "sparse_tensor": ed._SPARSE,
            "sparse_tensors": ed._SPARSE,
        },
    }
    protos = {
        ed._GRAPH: onnx.GraphProto,
        ed._NODE: onnx.NodeProto,
        ed._FUNCTION: onnx.FunctionProto,
        ed._TRAINING: onnx.TrainingInfoProto,
        ed._SPARSE: onnx.SparseTensorProto,
        ed._ATTRIBUTE: onnx.AttributeProto,
    }
    for kind, fields in expected.items():
        assert ed._CHILDREN[kind] == {number(protos[kind], f): child for f, child in fields.items()}, kind
    assert (ed.TENSOR_NAME, ed.TENSOR_EXTERNAL_DATA, ed.TENSOR_DATA_LOCATION) == tuple(
        number(onnx.TensorProto, f) for f in ("name", "external_data", "data_location")
    )
    assert onnx.TensorProto.EXTERNAL == ed.EXTERNAL


def test_fp16_variant_of_a_shared_bundle_shares_too(bundles: dict[str, Path], tmp_path: Path) -> None:
    from training.quantize.variants import quantize_bundle

    from_shared = quantize_bundle(bundles["shared"], tmp_path / "a", "fp16")
    from_own = quantize_bundle(bundles["own"], tmp_path / "b", "fp16", shared_weights=False)
    variant = load_bundle(from_shared)
    assert variant.weights is not None and variant.variant == "fp16"
    assert variant.total_bytes < load_bundle(from_own).total_bytes
    from skyasset.generator import SkyGenerator

    images = [SkyGenerator(b).generate("Ci", [1], psi=1.0) for b in (from_shared, from_own)]
    assert np.array_equal(*images)


def test_repack_command(tiny_bundle_path: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from training.cli import app

    result = CliRunner().invoke(app, ["repack", str(tiny_bundle_path), "--out", str(tmp_path / "r"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["layout"] == "shared" and report["model_bytes_after"] < report["model_bytes_before"]
    result = CliRunner().invoke(app, ["repack", str(tiny_bundle_path), "--out", str(tmp_path / "r")])
    assert result.exit_code == 4 and "already exists" in result.output
    digest = hashlib.sha256((tmp_path / "r" / WEIGHTS_NAME).read_bytes()).hexdigest()
    assert meta_of(tmp_path / "r")["weights"]["sha256"] == digest
