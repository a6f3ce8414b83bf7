"""Translate an ncnn graph read by :mod:`skyasset.upscale.realesrgan.ncnn` into an ONNX model, layer by layer.

Needs the ``onnx`` package (the ``skyasset[best]`` extra) but not PyTorch. The graph takes ``input``
float32 ``[N, 3, H, W]`` in ``[0, 1]`` and returns ``output`` ``[N, 3, s*H, s*W]``; H and W are dynamic.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from skyasset.errors import SkyassetError
from skyasset.upscale.realesrgan.ncnn import NcnnLayer, NcnnModel

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
    onnx = _import_onnx()
    builder = _GraphBuilder(onnx)
    for layer in model.layers:
        builder.add(layer)
    onnx_model = builder.finish(graph_name)
    onnx.checker.check_model(onnx_model)
    return onnx_model


def _import_onnx() -> ModuleType:
    try:
        import onnx
    except ImportError:
        raise SkyassetError(
            "missing_dependency",
            "Building the 'best' upscaler needs the onnx package: pip install 'skyasset[best]' (or: pip install onnx).",
        ) from None
    return onnx


class _GraphBuilder:
    """The ONNX nodes and initializers of an ncnn graph, added one ncnn layer at a time in the file's order."""

    def __init__(self, onnx_module: ModuleType) -> None:
        self.onnx = onnx_module
        self.helper = onnx_module.helper
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.alias: dict[str, str] = {}  # ncnn blob name -> ONNX value name
        self.graph_input: str | None = None
        self.graph_output: str | None = None

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], outputs: list[str], **attributes: Any) -> None:
        self.nodes.append(self.helper.make_node(op, inputs, outputs, **attributes))

    def add(self, layer: NcnnLayer) -> None:
        ins = [self.alias[b] for b in layer.inputs]
        if layer.type == "Input":
            self.graph_input = layer.outputs[0]
            self.alias[self.graph_input] = "input"
            return
        if layer.type == "Split":
            for out in layer.outputs:
                self.alias[out] = ins[0]
            return
        out = layer.name
        self.alias[layer.outputs[0]] = out
        if layer.type == "Convolution":
            self._convolution(layer, ins, out)
        elif layer.type == "Concat":
            self.node("Concat", ins, [out], axis=1, name=layer.name)
        elif layer.type in ("Eltwise", "BinaryOp"):
            self._sum(layer, ins, out)
        elif layer.type == "Interp":
            self._resize(layer, ins, out)
        self.graph_output = layer.outputs[0]

    def _convolution(self, layer: NcnnLayer, ins: list[str], out: str) -> None:
        assert layer.weight is not None and layer.bias is not None
        k = layer.weight.shape[-1]
        pad = int(layer.param(4, 0))
        if pad == -233:  # ncnn "same" padding
            pad = k // 2
        stride, dilation = int(layer.param(3, 1)), int(layer.param(2, 1))
        activation = int(layer.param(9, 0))
        conv_out = out if activation == 0 else f"{out}_pre"
        weight = self.const(f"{layer.name}.weight", layer.weight)
        bias = self.const(f"{layer.name}.bias", layer.bias)
        self.node(
            "Conv",
            [ins[0], weight, bias],
            [conv_out],
            kernel_shape=[k, k],
            pads=[pad] * 4,
            strides=[stride] * 2,
            dilations=[dilation] * 2,
            name=layer.name,
        )
        if activation == 1:
            self.node("Relu", [conv_out], [out])
        elif activation == 2:
            slope = float(layer.param_list(10)[0]) if layer.param_list(10) else 0.0
            self.node("LeakyRelu", [conv_out], [out], alpha=slope)
        elif activation != 0:
            raise SkyassetError("invalid_argument", f"Layer {layer.name}: activation {activation} unsupported.")

    def _sum(self, layer: NcnnLayer, ins: list[str], out: str) -> None:
        """An ncnn addition (Eltwise with optional coefficients, or BinaryOp add) as Mul + Sum."""
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
                coef = self.const(f"{layer.name}.coeff{i}", np.array(c, dtype=np.float32))
                self.node("Mul", [name, coef], [scaled])
                terms.append(scaled)
        self.node("Sum", terms, [out], name=layer.name)

    def _resize(self, layer: NcnnLayer, ins: list[str], out: str) -> None:
        if int(layer.param(0, 0)) != 1:
            raise SkyassetError("invalid_argument", f"Layer {layer.name}: only nearest resizing is supported.")
        scales = self.const(
            f"{layer.name}.scales",
            np.array([1.0, 1.0, layer.param(1, 1.0), layer.param(2, 1.0)], dtype=np.float32),
        )
        self.node("Resize", [ins[0], "", scales], [out], mode="nearest", name=layer.name)

    def finish(self, graph_name: str) -> onnx.ModelProto:
        if self.graph_input is None or self.graph_output is None:
            raise SkyassetError("invalid_argument", "The ncnn graph has no Input layer or no output.")
        helper, tensor = self.helper, self.onnx.TensorProto
        self.node("Identity", [self.alias[self.graph_output]], ["output"])
        graph = helper.make_graph(
            self.nodes,
            graph_name,
            [helper.make_tensor_value_info("input", tensor.FLOAT, ["N", 3, "H", "W"])],
            [helper.make_tensor_value_info("output", tensor.FLOAT, ["N", 3, "H_out", "W_out"])],
            initializer=self.inits,
        )
        onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        onnx_model.ir_version = 8
        return onnx_model
