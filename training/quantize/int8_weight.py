"""int8 weight-only packing: per-output-channel int8 initializers feeding DequantizeLinear (opset >= 13).

The graph still computes in float32: ONNX Runtime keeps the DequantizeLinear in front of each weight (or
folds it at load), so the file is ~4x smaller at about the same speed. Symmetric quantization (zero point 0)
with one scale per output channel keeps the error of each channel proportional to its own range.

ONNX Runtime does not fold a DequantizeLinear of a constant (it keeps it for QDQ fusion), so it decodes the
weight on every run, and its per-axis decode is ~10x slower along the last axis than along the first. A
``Gemm`` B operand ``[K, N]`` has its output channels last; it is stored transposed ``[N, K]`` with the
Gemm's ``transB`` set, so its decode runs along the first axis (0.63 -> ~0.05 ms per 512x256 affine weight).
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from training.quantize.graph_edit import (
    attributes,
    constant_tensor,
    consumers,
    float_weights,
    node,
    opset_of,
    output_axis,
    replace_initializer,
)

__all__ = ["quantize_per_channel", "weights_to_int8"]


def quantize_per_channel(weights: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 quantization with one scale per index of ``axis``.

    Returns
    -------
    q, scale
        ``q`` int8 of the shape of ``weights`` with values in [-127, 127]; ``scale`` float32 ``[C]`` such that
        ``q * scale`` (broadcast along ``axis``) approximates ``weights`` within ``scale / 2``.
    """
    moved = np.moveaxis(weights.astype(np.float32), axis, 0)
    peak = np.abs(moved.reshape(moved.shape[0], -1)).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    shape = [1] * weights.ndim
    shape[axis] = -1
    q = np.clip(np.rint(weights / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def _is_plain_gemm_b(readers: list[tuple[onnx.NodeProto, int]], rank: int) -> bool:
    """Whether every reader is a ``Gemm`` taking this 2-D weight as B without ``transB``."""
    return (
        rank == 2
        and bool(readers)
        and all(n.op_type == "Gemm" and position == 1 and not attributes(n).get("transB", 0) for n, position in readers)
    )


def _set_trans_b(gemm: onnx.NodeProto) -> None:
    kept = [a for a in gemm.attribute if a.name != "transB"]
    del gemm.attribute[:]
    gemm.attribute.extend([*kept, onnx.helper.make_attribute("transB", 1)])


def _forget_shape(graph: onnx.GraphProto, name: str) -> None:
    """Drop the inferred shape of ``name`` (it no longer holds once the tensor is stored transposed)."""
    kept = [v for v in graph.value_info if v.name != name]
    del graph.value_info[:]
    graph.value_info.extend(kept)


def weights_to_int8(model: onnx.ModelProto, *, min_elements: int = 1024) -> onnx.ModelProto:
    """Return a copy of ``model`` whose float32 weights of ``min_elements`` or more values are stored as int8.

    Raises
    ------
    ValueError
        If the model's opset is below 13 (per-axis DequantizeLinear needs it): re-export at opset 18.
    """
    if opset_of(model) < 13:
        raise ValueError(f"per-channel DequantizeLinear needs opset >= 13, the graph has {opset_of(model)}")
    out = onnx.ModelProto()
    out.CopyFrom(model)
    uses = consumers(out.graph)
    for tensor in float_weights(out, min_elements):
        weights = numpy_helper.to_array(tensor)
        readers = uses.get(tensor.name, [])
        axis = output_axis(readers, weights.ndim)
        if _is_plain_gemm_b(readers, weights.ndim):
            weights, axis = weights.T, 0
            for gemm, _ in readers:
                _set_trans_b(gemm)
            _forget_shape(out.graph, tensor.name)
        q, scale = quantize_per_channel(weights, axis)
        stored = [
            constant_tensor(f"{tensor.name}_int8", q),
            constant_tensor(f"{tensor.name}_scale", scale),
            constant_tensor(f"{tensor.name}_zero", np.zeros_like(scale, dtype=np.int8)),
        ]
        decode = node("DequantizeLinear", [t.name for t in stored], [tensor.name], f"{tensor.name}_decode", axis=axis)
        replace_initializer(out, tensor.name, stored, decode)
    return out
