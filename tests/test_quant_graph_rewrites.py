"""Exact graph rewrites used by the quantized variants: RGB upsampling in phases, transposed Gemm weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from training.quantize.fir_upsample import fir_phase_nodes, fir_upsample_to_phases
from training.quantize.int8_weight import weights_to_int8


def _run_all(model: onnx.ModelProto, path: Path, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    onnx.save(model, str(path))
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, feeds)


def _run(model: onnx.ModelProto, path: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    return _run_all(model, path, feeds)[0]


def _zero_insert_upsample(
    channels: int,
    height: int,
    width: int,
    kernel: int,
    pads: list[int],
    *,
    bias: bool = False,
    pad_after: tuple[int, int] = (1, 1),
) -> onnx.ModelProto:
    """upfirdn2d's x2 upsampling as exported: Reshape, Pad a zero after each pixel, Reshape, depthwise Conv."""
    rng = np.random.default_rng(kernel * 10 + sum(pads))
    pad_values = np.zeros(12, np.int64)
    pad_values[[9, 11]] = pad_after
    initializers = [
        numpy_helper.from_array(np.array([-1, channels, height, 1, width, 1], np.int64), "split"),
        numpy_helper.from_array(pad_values, "pads"),
        numpy_helper.from_array(np.array([-1, channels, 2 * height, 2 * width], np.int64), "merge"),
        # Not separable, different per channel: every tap must land in the right phase.
        numpy_helper.from_array(rng.standard_normal((channels, 1, kernel, kernel)).astype(np.float32), "f"),
    ]
    conv_inputs = ["up", "f"]
    if bias:
        initializers.append(numpy_helper.from_array(rng.standard_normal(channels).astype(np.float32), "b"))
        conv_inputs.append("b")
    graph = helper.make_graph(
        [
            helper.make_node("Reshape", ["x", "split"], ["x6"], name="split"),
            helper.make_node("Pad", ["x6", "pads"], ["p6"], name="insert_zeros", mode="constant"),
            helper.make_node("Reshape", ["p6", "merge"], ["up"], name="merge"),
            helper.make_node(
                "Conv", conv_inputs, ["y"], name="fir", group=channels, pads=pads, kernel_shape=[kernel, kernel]
            ),
        ],
        "fir_up",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", channels, height, width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


@pytest.mark.parametrize(
    ("kernel", "pads", "bias"),
    [
        (4, [2, 2, 1, 1], False),
        (4, [1, 2, 2, 1], True),
        (4, [3, 0, 0, 3], False),
        (3, [1, 1, 1, 1], True),
        (2, [0, 1, 1, 0], False),
    ],
)
def test_fir_upsampling_in_phases_matches_zero_insertion(
    kernel: int, pads: list[int], bias: bool, tmp_path: Path
) -> None:
    model = _zero_insert_upsample(3, 5, 7, kernel, pads, bias=bias)
    rewritten, count = fir_upsample_to_phases(model)
    ops = [n.op_type for n in rewritten.graph.node]
    assert count == 1 and ops == ["Conv", "DepthToSpace"]
    assert fir_phase_nodes(rewritten) == [n.name for n in rewritten.graph.node]
    x = np.random.default_rng(1).standard_normal((3, 3, 5, 7)).astype(np.float32)  # batch 3: dynamic batch
    before, after = _run(model, tmp_path / "a.onnx", {"x": x}), _run(rewritten, tmp_path / "b.onnx", {"x": x})
    assert after.shape == before.shape == (3, 3, 10, 14)
    np.testing.assert_allclose(after, before, atol=1e-5)


def test_fir_rewrite_leaves_other_padding_alone() -> None:
    model = _zero_insert_upsample(3, 5, 7, 4, [2, 2, 1, 1], pad_after=(1, 2))  # not one zero per pixel
    rewritten, count = fir_upsample_to_phases(model)
    assert count == 0 and [n.op_type for n in rewritten.graph.node] == ["Reshape", "Pad", "Reshape", "Conv"]


def test_fir_rewrite_of_the_tiny_generator_is_exact(tiny_bundle_path: Path, tmp_path: Path) -> None:
    from training.quantize.prefold import fold_constants

    source = fold_constants(tiny_bundle_path / "synthesis.onnx")
    rewritten, count = fir_upsample_to_phases(source)
    assert count >= 1 and "Pad" not in {n.op_type for n in rewritten.graph.node}
    ws = np.random.default_rng(2).standard_normal((2, 8, 32)).astype(np.float32)
    before = _run(source, tmp_path / "a.onnx", {"ws": ws})
    after = _run(rewritten, tmp_path / "b.onnx", {"ws": ws})
    assert np.abs(after - before).max() < 1e-5 * np.abs(before).max()


def _gemms(shared_with_matmul: bool) -> onnx.ModelProto:
    rng = np.random.default_rng(4)
    nodes = [
        helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="plain"),
        helper.make_node("Gemm", ["x", "wt"], ["z"], name="transposed", transB=1),
    ]
    outputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ("y", "z")]
    if shared_with_matmul:
        nodes.append(helper.make_node("MatMul", ["x", "w"], ["m"], name="matmul"))
        outputs.append(helper.make_tensor_value_info("m", TensorProto.FLOAT, None))
    graph = helper.make_graph(
        nodes,
        "gemms",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 64])],
        outputs,
        [
            numpy_helper.from_array(rng.standard_normal((64, 32)).astype(np.float32), "w"),
            numpy_helper.from_array(rng.standard_normal((48, 64)).astype(np.float32), "wt"),
            numpy_helper.from_array(rng.standard_normal(32).astype(np.float32), "b"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


@pytest.mark.parametrize("shared_with_matmul", [False, True])
def test_int8_gemm_weights_decode_along_their_first_axis(shared_with_matmul: bool, tmp_path: Path) -> None:
    model = _gemms(shared_with_matmul)
    packed = weights_to_int8(model)
    stored = {t.name: tuple(t.dims) for t in packed.graph.initializer}
    decode_axis = {n.output[0]: n.attribute[0].i for n in packed.graph.node if n.op_type == "DequantizeLinear"}
    trans_b = {
        n.name: next((a.i for a in n.attribute if a.name == "transB"), 0)
        for n in packed.graph.node
        if n.op_type == "Gemm"
    }
    assert decode_axis["wt"] == 0 and stored["wt_int8"] == (48, 64) and trans_b["transposed"] == 1
    if shared_with_matmul:  # a MatMul reads it too: stays [K, N], decoded along its output axis
        assert stored["w_int8"] == (64, 32) and decode_axis["w"] == 1 and trans_b["plain"] == 0
    else:
        assert stored["w_int8"] == (32, 64) and decode_axis["w"] == 0 and trans_b["plain"] == 1
    x = np.random.default_rng(5).standard_normal((3, 64)).astype(np.float32)
    exact = _run_all(model, tmp_path / "f.onnx", {"x": x})
    approx = _run_all(packed, tmp_path / "q.onnx", {"x": x})
    for e, a in zip(exact, approx, strict=True):
        assert a.shape == e.shape and np.abs(a - e).max() < 0.02 * np.abs(e).max()


def test_demodulation_folds_into_the_weight_scales_of_a_batch_one_graph(tiny_bundle_path: Path, tmp_path: Path) -> None:
    from training.quantize import quantize_bundle
    from training.quantize.demod_fold import fold_demodulation

    bundle = quantize_bundle(tiny_bundle_path, tmp_path / "qdq", "int8-qdq")
    folded = onnx.load(str(bundle / "synthesis.onnx"))
    assert [d.dim_value for d in folded.graph.input[0].type.tensor_type.shape.dim][0] == 1
    # Every 3x3 convolution that is not an upsampling reads its weight scales from a Mul by the demodulation.
    scaled = [n for n in folded.graph.node if n.op_type == "DequantizeLinear" and n.name.endswith("_demod_weight")]
    assert scaled and all(n.input[1].endswith("_demod_scale") for n in scaled)
    assert fold_demodulation(folded)[1] == 0  # nothing left to fold: the rewrite is idempotent

    options = ort.SessionOptions()
    options.optimized_model_filepath = str(tmp_path / "optimized.onnx")
    ort.InferenceSession(str(bundle / "synthesis.onnx"), options, providers=["CPUExecutionProvider"])
    optimized = onnx.load(options.optimized_model_filepath, load_external_data=False).graph.node
    demod_scales = {n.output[0] for n in optimized if n.name.endswith("_demod_scale")}
    # ONNX Runtime still fuses them into integer convolutions, now with run-time weight scales.
    assert sum(1 for n in optimized if n.op_type == "QLinearConv" and n.input[4] in demod_scales) == len(scaled)


def test_batch_one_graph_gives_the_same_images_at_any_batch_size(tiny_bundle_path: Path, tmp_path: Path) -> None:
    from skyasset.generator import SkyGenerator
    from training.quantize import quantize_bundle

    gen = SkyGenerator(quantize_bundle(tiny_bundle_path, tmp_path / "qdq", "int8-qdq"))
    together = gen.generate("Cu", [3, 4, 5], batch_size=8)
    one_by_one = np.concatenate([gen.generate("Cu", [s], batch_size=1) for s in (3, 4, 5)])
    assert together.shape[0] == 3
    np.testing.assert_array_equal(together, one_by_one)
