"""Quantized variants of the tiny bundle: valid bundles, transparent loading, bounded error, the right ops."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from skyasset.bench.quality import psnr
from skyasset.bundle import load_bundle, sha256_of
from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator
from training.quantize import QUANT_VARIANTS, quantize_bundle
from training.quantize.baselines import rtn_weight_only
from training.quantize.int8_weight import quantize_per_channel

SEEDS = [0, 1, 2, 3]
# Measured on the tiny random bundle (fp16 72 dB, int8-weight 44, rtn 47, dynamic 36, qdq 31), with margin.
MIN_PSNR_DB = {"fp16": 55.0, "int8-weight": 35.0, "int8-rtn": 35.0, "int8-dynamic": 26.0, "int8-qdq": 24.0}


def _run(graph: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    return ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"]).run(None, feeds)[0]


@pytest.fixture(scope="module")
def variants(tiny_bundle_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("variants")
    return {v: quantize_bundle(tiny_bundle_path, root / v, v) for v in QUANT_VARIANTS}


@pytest.fixture(scope="module")
def reference(tiny_bundle_path: Path) -> np.ndarray:
    return SkyGenerator(tiny_bundle_path, providers=["CPUExecutionProvider"]).generate("Cu", SEEDS)


@pytest.mark.parametrize("variant", QUANT_VARIANTS)
def test_variant_is_a_valid_bundle_with_fresh_checksums(variants: dict[str, Path], variant: str) -> None:
    bundle = load_bundle(variants[variant])
    assert bundle.variant == variant
    meta = json.loads((variants[variant] / "skyasset-bundle.json").read_text())
    for name, graph in bundle.graphs.items():
        assert meta["graphs"][name]["sha256"] == sha256_of(graph.path)
        assert meta["graphs"][name]["bytes"] == graph.path.stat().st_size
    # Float32 compute from int8 weights: the runtime is told to decode them once, at load.
    # The canvas graph keeps int8 weights behind DequantizeLinear in every int8 variant.
    decoded = {"int8-weight": {"mapping", "synthesis"}, "int8-qdq": {"mapping"}}.get(variant, set())
    decoded |= set() if variant == "fp16" else {"canvas"}
    assert {n for n, g in bundle.graphs.items() if g.decode_weights_at_load} == decoded
    quant = meta["provenance"]["quantization"]
    assert quant["variant"] == variant and set(quant["methods"]) == {"mapping", "synthesis", "canvas"}
    assert quant["source_sha256"]["synthesis"] != bundle.graphs["synthesis"].sha256


@pytest.mark.parametrize("variant", QUANT_VARIANTS)
def test_variant_loads_transparently_and_stays_close_to_fp32(
    variants: dict[str, Path], reference: np.ndarray, variant: str
) -> None:
    gen = SkyGenerator(variants[variant], providers=["CPUExecutionProvider"])
    for graph in (gen._mapping, gen._synthesis):
        assert all(i.type == "tensor(float)" for i in graph.get_inputs() + graph.get_outputs())
    images = gen.generate("Cu", SEEDS)
    assert images.dtype == np.float32 and images.shape == reference.shape
    assert psnr(images, reference) >= MIN_PSNR_DB[variant]
    assert psnr(images, reference) < 200  # it really is a different graph, not a copy


CANVAS_MIN_PSNR_DB = {"fp16": 55.0}  # weights only, float32 compute: int8 weights as int8-weight's 35 dB


@pytest.mark.parametrize("variant", QUANT_VARIANTS)
def test_variant_canvas_stays_close_to_fp32(tiny_bundle_path: Path, variants: dict[str, Path], variant: str) -> None:
    fp32 = SkyGenerator(tiny_bundle_path, providers=["CPUExecutionProvider"]).canvas("Cu", 3)
    canvas = SkyGenerator(variants[variant], providers=["CPUExecutionProvider"]).canvas("Cu", 3)
    assert canvas.shape == fp32.shape
    assert CANVAS_MIN_PSNR_DB.get(variant, 35.0) <= psnr(canvas, fp32) < 200


def test_fp16_and_int8_weight_store_every_large_weight_compactly(variants: dict[str, Path]) -> None:
    for variant, dtype in (("fp16", onnx.TensorProto.FLOAT16), ("int8-weight", onnx.TensorProto.INT8)):
        model = onnx.load(str(variants[variant] / "synthesis.onnx"))
        big = [t for t in model.graph.initializer if len(t.dims) >= 2 and np.prod(t.dims) >= 1024]
        assert big and all(t.data_type == dtype for t in big), variant


def test_int8_weight_decoders_fold_at_load(variants: dict[str, Path], tmp_path: Path) -> None:
    from skyasset.session import make_session

    graph = variants["int8-weight"] / "synthesis.onnx"
    session = make_session(graph, ["CPUExecutionProvider"], decode_weights_at_load=True)
    folded = session.get_session_options()
    assert folded.get_session_config_entry("session.disable_quant_qdq") == "1"
    # With those options ONNX Runtime folds every weight decoder into a float32 constant; by default, none.
    for options, decoders_left, name in ((folded, False, "folded"), (ort.SessionOptions(), True, "default")):
        options.optimized_model_filepath = str(tmp_path / f"{name}.onnx")
        ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        saved = onnx.load(options.optimized_model_filepath, load_external_data=False).graph.node
        assert any(n.op_type == "DequantizeLinear" for n in saved) == decoders_left


def test_int8_weight_graph_is_much_smaller_than_fp32(tiny_bundle_path: Path, variants: dict[str, Path]) -> None:
    # The tiny net has small layers, so fixed overhead weighs more than at 256x256 (3.9x there).
    fp32 = _graph_bytes(load_bundle(tiny_bundle_path).graphs["synthesis"].path)
    assert fp32 / _graph_bytes(load_bundle(variants["int8-weight"]).graphs["synthesis"].path) > 1.4


def _graph_bytes(graph: Path) -> int:
    """A graph's file plus the data it reads from the bundle's shared weights file (its self-contained size)."""
    from skyasset.external_data import external_data_refs

    return graph.stat().st_size + sum(int(r.length or 0) for r in external_data_refs(graph.read_bytes()))


def test_qdq_convolutions_fuse_into_integer_kernels(variants: dict[str, Path], tmp_path: Path) -> None:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.optimized_model_filepath = str(tmp_path / "optimized.onnx")
    ort.InferenceSession(str(variants["int8-qdq"] / "synthesis.onnx"), options, providers=["CPUExecutionProvider"])
    # The optimized graph may point at the variant's weights.bin, which is not beside it: read only its nodes.
    ops = {n.op_type for n in onnx.load(str(tmp_path / "optimized.onnx"), load_external_data=False).graph.node}
    assert "QLinearConv" in ops
    # The sub-pixel phases interleave channels-last (no uint8 DepthToSpace between layout Transposes), and
    # the clamps fold into the quantization range instead of leaving a float DequantizeLinear/QuantizeLinear.
    # The only DepthToSpace left is the RGB skip path's, kept float32 behind a float Conv.
    optimized = onnx.load(str(tmp_path / "optimized.onnx"), load_external_data=False).graph.node
    float_convs = {n.output[0] for n in optimized if n.op_type == "Conv"}
    shuffles = [n for n in optimized if n.op_type == "DepthToSpace"]
    assert shuffles and all(n.input[0] in float_convs and "_fir_phases" in n.name for n in shuffles)
    assert "Clip" not in ops
    source = onnx.load(str(variants["int8-qdq"] / "synthesis.onnx")).graph.node
    assert "Clip" not in {n.op_type for n in source}
    assert all("_fir_phases" in n.name for n in source if n.op_type == "DepthToSpace")
    assert not any(n.op_type == "Pad" for n in source)  # the zero-insertion upsampling is gone


def test_per_channel_quantization_error_is_half_a_step() -> None:
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((8, 4, 3, 3)).astype(np.float32) * np.arange(1, 9)[:, None, None, None]
    for axis in (0, 1):
        q, scale = quantize_per_channel(weights, axis)
        shape = [1, 1, 1, 1]
        shape[axis] = -1
        assert q.dtype == np.int8 and scale.shape == (weights.shape[axis],)
        assert np.all(np.abs(q.astype(np.float32) * scale.reshape(shape) - weights) <= scale.reshape(shape) / 2 + 1e-7)
        assert np.abs(q).max() == 127


def test_rtn_without_neural_compressor_falls_back_and_says_so(
    tiny_bundle_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SKYASSET_INC_PYTHON", raising=False)
    label = rtn_weight_only(tiny_bundle_path / "mapping.onnx", tmp_path / "m.onnx")
    if "in-process" not in label:
        assert "neural-compressor absent" in label
    ops = {n.op_type for n in onnx.load(str(tmp_path / "m.onnx")).graph.node}
    assert "MatMul" not in ops or "MatMulNBits" in ops


# Where .ci/run builds neural-compressor's own virtualenv (it pins numpy<2, so it cannot share the dev one).
INC_VENV_PYTHON = Path(__file__).resolve().parents[1] / ".cache" / "neural-compressor-venv" / "bin" / "python"


def _inc_python() -> str | None:
    """The interpreter meant to run neural-compressor: $SKYASSET_INC_PYTHON, else the venv .ci/run builds."""
    import os

    named = os.environ.get("SKYASSET_INC_PYTHON")
    if named:
        return named
    return str(INC_VENV_PYTHON) if INC_VENV_PYTHON.exists() else None


@pytest.mark.skipif(
    _inc_python() is None,
    reason=f"neural-compressor's own virtualenv is absent: .ci/run builds it at {INC_VENV_PYTHON.parents[1]} "
    "(or name one with $SKYASSET_INC_PYTHON); it pins numpy<2, so it is not in the train extra. Without it "
    "int8-rtn uses ONNX Runtime's port of the same RTN, tested above",
)
def test_rtn_through_the_real_neural_compressor(
    tiny_bundle_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    python = _inc_python()
    assert python is not None
    # A virtualenv that is there but broken fails here rather than skipping: in CI this test must run.
    done = subprocess.run(
        [python, "-c", "import onnx_neural_compressor.quantization.algorithm_entry"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{python} cannot import onnx_neural_compressor: {done.stderr[-2000:]}"
    monkeypatch.setenv("SKYASSET_INC_PYTHON", python)
    source = tiny_bundle_path / "mapping.onnx"
    label = rtn_weight_only(source, tmp_path / "m.onnx")
    assert label.startswith("onnx_neural_compressor RTN") and "8-bit, group 32" in label
    feeds = {"z": np.random.default_rng(0).standard_normal((2, load_bundle(tiny_bundle_path).z_dim), np.float32)}
    session = ort.InferenceSession(str(source), providers=["CPUExecutionProvider"])
    feeds |= {i.name: np.eye(i.shape[1], dtype=np.float32)[:2] for i in session.get_inputs() if i.name == "c"}
    before, after = session.run(None, feeds)[0], _run(tmp_path / "m.onnx", feeds)
    assert after.shape == before.shape and np.abs(after - before).max() <= 0.05 * np.abs(before).max()


def test_rtn_with_a_broken_neural_compressor_interpreter_fails_clearly(
    tiny_bundle_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util
    import sys

    if importlib.util.find_spec("onnx_neural_compressor") is not None:
        pytest.skip("neural-compressor is importable here, so the interpreter variable is not consulted")
    monkeypatch.setenv("SKYASSET_INC_PYTHON", sys.executable)
    with pytest.raises(SkyassetError) as info:
        quantize_bundle(tiny_bundle_path, tmp_path / "rtn", "int8-rtn")
    assert info.value.code == "internal_error" and "neural-compressor RTN failed" in info.value.message
    assert not (tmp_path / "rtn").exists() and list(tmp_path.iterdir()) == []


def test_bad_requests_raise_coded_errors(tiny_bundle_path: Path, variants: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(SkyassetError) as info:
        quantize_bundle(tiny_bundle_path, tmp_path / "x", "int4")  # type: ignore[arg-type]
    assert info.value.code == "invalid_argument" and "int8-weight" in info.value.message
    with pytest.raises(SkyassetError) as info:
        quantize_bundle(variants["fp16"], tmp_path / "y", "int8-weight")
    assert info.value.code == "invalid_argument" and "fp32" in info.value.message
    with pytest.raises(SkyassetError) as info:
        quantize_bundle(tiny_bundle_path, variants["fp16"], "fp16")
    assert info.value.code == "output_exists"
    with pytest.raises(SkyassetError) as info:
        quantize_bundle(tmp_path / "nothing", tmp_path / "z", "fp16")
    assert info.value.code == "bundle_not_found"


@pytest.mark.parametrize("channels_last", [False, True])
def test_subpixel_rewrite_matches_the_transposed_convolution(
    tiny_bundle_path: Path, tmp_path: Path, channels_last: bool
) -> None:
    from training.quantize.prefold import fold_constants
    from training.quantize.subpixel import convtranspose_to_subpixel

    source = tiny_bundle_path / "synthesis.onnx"
    rewritten, count = convtranspose_to_subpixel(fold_constants(source), channels_last_shuffle=channels_last)
    assert count >= 1
    ops = [n.op_type for n in rewritten.graph.node]
    assert ops.count("DepthToSpace") == (0 if channels_last else count)
    onnx.save(rewritten, str(tmp_path / "sub.onnx"))
    ws = np.random.default_rng(3).standard_normal((2, 8, 32)).astype(np.float32)
    before = _run(source, {"ws": ws})
    after = _run(tmp_path / "sub.onnx", {"ws": ws})
    assert after.shape == before.shape
    assert np.abs(after - before).max() < 1e-4 * np.abs(before).max()


@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize(
    ("pads", "output_padding"), [([0, 0, 0, 0], [0, 0]), ([1, 1, 1, 1], [0, 0]), ([1, 0, 1, 2], [1, 1])]
)
def test_subpixel_rewrite_handles_pads_output_padding_and_bias(
    pads: list[int], output_padding: list[int], channels_last: bool, tmp_path: Path
) -> None:
    from onnx import TensorProto, helper, numpy_helper

    from training.quantize.subpixel import convtranspose_to_subpixel

    rng = np.random.default_rng(5)
    w = rng.standard_normal((4, 6, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node(
                "ConvTranspose",
                ["x", "w", "b"],
                ["y"],
                name="up",
                strides=[2, 2],
                pads=pads,
                output_padding=output_padding,
            )
        ],
        "ct",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4, 5, 7])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    rewritten, count = convtranspose_to_subpixel(model, channels_last_shuffle=channels_last)
    ops = [n.op_type for n in rewritten.graph.node]
    assert count == 1 and "ConvTranspose" not in ops
    assert ("DepthToSpace" in ops) != channels_last
    x = rng.standard_normal((3, 4, 5, 7)).astype(np.float32)  # batch 3: the Reshapes keep a dynamic batch
    runs = []
    for m in (model, rewritten):
        onnx.save(m, str(tmp_path / "m.onnx"))
        runs.append(_run(tmp_path / "m.onnx", {"x": x}))
    assert runs[0].shape == runs[1].shape
    np.testing.assert_allclose(runs[1], runs[0], atol=1e-5)


def test_train_cli_quantize_writes_the_chosen_variants(tiny_bundle_path: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from training.cli import app
    from training.quantize import cli as quantize_cli

    assert quantize_cli.QUANT_VARIANTS == QUANT_VARIANTS
    result = CliRunner().invoke(
        app, ["quantize", str(tiny_bundle_path), "--out", str(tmp_path), "-v", "fp16", "-v", "int8-weight", "--json"]
    )
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout.strip().splitlines()[-1])["variants"]
    assert [w["variant"] for w in written] == ["fp16", "int8-weight"]
    assert load_bundle(tmp_path / "int8-weight").variant == "int8-weight"
    again = ["quantize", str(tiny_bundle_path), "--out", str(tmp_path), "-v", "fp16", "--json"]
    result = CliRunner().invoke(app, again)
    assert result.exit_code == 4 and json.loads(result.stdout)["error"]["code"] == "output_exists"


def test_static_qdq_folds_clamps_into_the_quantized_range(tmp_path: Path) -> None:
    from onnx import TensorProto, helper, numpy_helper
    from onnxruntime.quantization import CalibrationDataReader

    from training.quantize.static_qdq import quantize_convs_static

    rng = np.random.default_rng(7)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w1"], ["a"], name="c1", pads=[1, 1, 1, 1]),
            helper.make_node("Clip", ["a", "lo", "hi"], ["b"], name="clamp"),
            helper.make_node("Conv", ["b", "w2"], ["y"], name="c2", pads=[1, 1, 1, 1]),
        ],
        "clamped",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [
            numpy_helper.from_array(rng.standard_normal((8, 4, 3, 3)).astype(np.float32), "w1"),
            numpy_helper.from_array(rng.standard_normal((4, 8, 3, 3)).astype(np.float32), "w2"),
            numpy_helper.from_array(np.array(-2.0, np.float32), "lo"),
            numpy_helper.from_array(np.array(2.0, np.float32), "hi"),
        ],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(tmp_path / "f.onnx"))

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.feeds = iter([{"x": rng.standard_normal((1, 4, 8, 8)).astype(np.float32)} for _ in range(4)])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.feeds, None)

    quantize_convs_static(tmp_path / "f.onnx", tmp_path / "q.onnx", Reader())
    assert "Clip" not in [n.op_type for n in onnx.load(str(tmp_path / "q.onnx")).graph.node]
    options = ort.SessionOptions()
    options.optimized_model_filepath = str(tmp_path / "opt.onnx")
    session = ort.InferenceSession(str(tmp_path / "q.onnx"), options, providers=["CPUExecutionProvider"])
    ops = [n.op_type for n in onnx.load(str(tmp_path / "opt.onnx")).graph.node]
    # uint8 from one QLinearConv to the next: only the graph output is dequantized.
    assert ops.count("QLinearConv") == 2 and ops.count("DequantizeLinear") == 1
    x = rng.standard_normal((1, 4, 8, 8)).astype(np.float32)
    assert np.all(np.isfinite(session.run(None, {"x": x})[0]))
