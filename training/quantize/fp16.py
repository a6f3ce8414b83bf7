"""fp16 weight storage: every large float32 weight is stored as float16 and cast back to float32 on load.

Compute stays float32 (x86 ONNX Runtime has few fp16 kernels, so an fp16-compute graph would be slower on
the CPU); the file is half the size and the graph keeps float32 inputs and outputs.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from training.quantize.graph_edit import constant_tensor, float_weights, node, replace_initializer

__all__ = ["weights_to_fp16"]


def weights_to_fp16(model: onnx.ModelProto, *, min_elements: int = 1024) -> onnx.ModelProto:
    """Return a copy of ``model`` with float32 weights of ``min_elements`` or more values stored as fp16.

    Values beyond the fp16 range (|x| > 65504) are clipped to it; StyleGAN weights are N(0, 1) draws scaled
    at run time, so none come close.
    """
    out = onnx.ModelProto()
    out.CopyFrom(model)
    for tensor in float_weights(out, min_elements):
        weights = numpy_helper.to_array(tensor)
        half = np.clip(weights, -65504, 65504).astype(np.float16)
        stored = constant_tensor(f"{tensor.name}_fp16", half)
        cast = node("Cast", [stored.name], [tensor.name], f"{tensor.name}_decode", to=onnx.TensorProto.FLOAT)
        replace_initializer(out, tensor.name, [stored], cast)
    return out
