"""int8 weight-only packing: per-output-channel int8 initializers feeding DequantizeLinear (opset >= 13).

The graph still computes in float32: ONNX Runtime keeps the DequantizeLinear in front of each weight (or
folds it at load), so the file is ~4x smaller at about the same speed. Symmetric quantization (zero point 0)
with one scale per output channel keeps the error of each channel proportional to its own range.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from training.quantize.graph_edit import (
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
        axis = output_axis(uses.get(tensor.name, []), weights.ndim)
        q, scale = quantize_per_channel(weights, axis)
        stored = [
            constant_tensor(f"{tensor.name}_int8", q),
            constant_tensor(f"{tensor.name}_scale", scale),
            constant_tensor(f"{tensor.name}_zero", np.zeros_like(scale, dtype=np.int8)),
        ]
        decode = node(
            "DequantizeLinear", [t.name for t in stored], [tensor.name], f"{tensor.name}_decode", axis=axis
        )
        replace_initializer(out, tensor.name, stored, decode)
    return out
