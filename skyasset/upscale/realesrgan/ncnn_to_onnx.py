"""Translate an ncnn graph read by :mod:`skyasset.upscale.realesrgan.ncnn` into an ONNX model, layer by layer.

Needs the ``onnx`` package (the ``skyasset[best]`` extra) but not PyTorch. The graph takes ``input``
float32 ``[N, 3, H, W]`` in ``[0, 1]`` and returns ``output`` ``[N, 3, s*H, s*W]``; H and W are dynamic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from skyasset.errors import SkyassetError
from skyasset.upscale.realesrgan.ncnn import NcnnModel

if TYPE_CHECKING:
    import onnx

__all__ = ["ncnn_to_onnx", "OPSET"]

OPSET = 17


def ncnn_to_onnx(model: NcnnModel, *, graph_name: str = "upscaler") -> onnx.ModelProto:
    """Build an ONNX model computing the same function as the ncnn graph.

    Parameters
    ----------
    model
        A model from :func:`skyasset.upscale.realesrgan.ncnn.read_ncnn`.
    graph_name
        Name stored in the ONNX graph.

    Returns
    -------
    onnx.ModelProto
        Checked model with float32 initializers (fp16 weights widened exactly).
    """
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        raise SkyassetError(
            "missing_dependency",
            "Building the 'best' upscaler needs the onnx package: pip install 'skyasset[best]' (or: pip install onnx).",
        ) from None

    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    alias: dict[str, str] = {}  # ncnn blob name -> ONNX value name
    graph_input = graph_output = None

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    for layer in model.layers:
        ins = [alias[b] for b in layer.inputs]
        if layer.type == "Input":
            graph_input = layer.outputs[0]
            alias[graph_input] = "input"
            continue
        if layer.type == "Split":
            for out in layer.outputs:
                alias[out] = ins[0]
            continue
        out = layer.name
        alias[layer.outputs[0]] = out
        if layer.type == "Convolution":
            assert layer.weight is not None and layer.bias is not None
            k = layer.weight.shape[-1]
            pad = int(layer.param(4, 0))
            if pad == -233:  # ncnn "same" padding
                pad = k // 2
            stride, dilation = int(layer.param(3, 1)), int(layer.param(2, 1))
            activation = int(layer.param(9, 0))
            conv_out = out if activation == 0 else f"{out}_pre"
            nodes.append(
                helper.make_node(
                    "Conv",
                    [ins[0], const(f"{layer.name}.weight", layer.weight), const(f"{layer.name}.bias", layer.bias)],
                    [conv_out],
                    kernel_shape=[k, k],
                    pads=[pad] * 4,
                    strides=[stride] * 2,
                    dilations=[dilation] * 2,
                    name=layer.name,
                )
            )
            if activation == 1:
                nodes.append(helper.make_node("Relu", [conv_out], [out]))
            elif activation == 2:
                slope = float(layer.param_list(10)[0]) if layer.param_list(10) else 0.0
                nodes.append(helper.make_node("LeakyRelu", [conv_out], [out], alpha=slope))
            elif activation != 0:
                raise SkyassetError("invalid_argument", f"Layer {layer.name}: activation {activation} unsupported.")
        elif layer.type == "Concat":
            nodes.append(helper.make_node("Concat", ins, [out], axis=1, name=layer.name))
        elif layer.type in ("Eltwise", "BinaryOp"):
            op = int(layer.param(0, 1 if layer.type == "Eltwise" else 0))
            if (layer.type == "Eltwise" and op != 1) or (layer.type == "BinaryOp" and op != 0):
                raise SkyassetError("invalid_argument", f"Layer {layer.name}: only additions are supported.")
            coeffs = layer.param_list(1) if layer.type == "Eltwise" else []
            terms = []
            for i, name in enumerate(ins):
                c = float(coeffs[i]) if coeffs else 1.0
                if c == 1.0:
                    terms.append(name)
                else:
                    scaled = f"{layer.name}_scaled{i}"
                    coef = const(f"{layer.name}.coeff{i}", np.array(c, dtype=np.float32))
                    nodes.append(helper.make_node("Mul", [name, coef], [scaled]))
                    terms.append(scaled)
            nodes.append(helper.make_node("Sum", terms, [out], name=layer.name))
        elif layer.type == "Interp":
            if int(layer.param(0, 0)) != 1:
                raise SkyassetError("invalid_argument", f"Layer {layer.name}: only nearest resizing is supported.")
            scales = const(
                f"{layer.name}.scales",
                np.array([1.0, 1.0, layer.param(1, 1.0), layer.param(2, 1.0)], dtype=np.float32),
            )
            nodes.append(helper.make_node("Resize", [ins[0], "", scales], [out], mode="nearest", name=layer.name))
        graph_output = layer.outputs[0]

    if graph_input is None or graph_output is None:
        raise SkyassetError("invalid_argument", "The ncnn graph has no Input layer or no output.")
    nodes.append(helper.make_node("Identity", [alias[graph_output]], ["output"]))
    graph = helper.make_graph(
        nodes,
        graph_name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3, "H_out", "W_out"])],
        initializer=inits,
    )
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx_model.ir_version = 8
    onnx.checker.check_model(onnx_model)
    return onnx_model
