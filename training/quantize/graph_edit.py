"""Small ONNX graph edits shared by the quantization passes: find weights, swap an initializer for a decoder."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

__all__ = [
    "consumers",
    "output_axis",
    "float_weights",
    "replace_initializer",
    "opset_of",
    "constant_tensor",
    "node",
    "attributes",
    "only_reader",
    "set_nodes",
]


def consumers(graph: onnx.GraphProto) -> dict[str, list[tuple[onnx.NodeProto, int]]]:
    """For every tensor name, the nodes that read it and at which input position."""
    found: dict[str, list[tuple[onnx.NodeProto, int]]] = defaultdict(list)
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name:
                found[name].append((node, i))
    return found


def output_axis(uses: list[tuple[onnx.NodeProto, int]], rank: int) -> int:
    """The axis of a weight that indexes output channels, judged from its first consumer.

    ``Conv`` weights are ``[O, I, k, k]`` (axis 0), ``ConvTranspose`` ``[I, O, k, k]`` (axis 1), a ``MatMul``
    right operand ``[I, O]`` (last axis), a ``Gemm`` B operand axis 0 when ``transB`` else 1. Anything else
    gets axis 0: per-channel scales along any axis decode exactly, the choice only affects precision.
    """
    for node, position in uses:
        if node.op_type == "Conv" and position == 1:
            return 0
        if node.op_type == "ConvTranspose" and position == 1:
            return 1
        if node.op_type == "MatMul" and position == 1:
            return rank - 1
        if node.op_type == "Gemm" and position == 1:
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            return 0 if trans_b else 1
    return 0


def float_weights(model: onnx.ModelProto, min_elements: int) -> list[onnx.TensorProto]:
    """Float32 initializers of rank >= 2 with at least ``min_elements`` values (the weights worth packing)."""
    return [
        t
        for t in model.graph.initializer
        if t.data_type == onnx.TensorProto.FLOAT and len(t.dims) >= 2 and int(np.prod(t.dims)) >= min_elements
    ]


def replace_initializer(
    model: onnx.ModelProto,
    name: str,
    stored: list[onnx.TensorProto],
    decoder: onnx.NodeProto,
) -> None:
    """Remove initializer ``name``; add ``stored`` initializers and a ``decoder`` node that outputs ``name``.

    The decoder goes first in the node list so the graph stays topologically sorted.
    """
    graph = model.graph
    keep = [t for t in graph.initializer if t.name != name]
    del graph.initializer[:]
    graph.initializer.extend(keep + stored)
    # Graph inputs that merely shadow initializers (older exporters) must go with the initializer.
    inputs = [i for i in graph.input if i.name != name]
    del graph.input[:]
    graph.input.extend(inputs)
    graph.node.insert(0, decoder)


def opset_of(model: onnx.ModelProto) -> int:
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)


def constant_tensor(name: str, array: np.ndarray) -> onnx.TensorProto:
    return numpy_helper.from_array(np.ascontiguousarray(array), name)


def node(op: str, inputs: list[str], outputs: list[str], name: str, **attrs: Any) -> onnx.NodeProto:
    return helper.make_node(op, inputs, outputs, name=name, **attrs)


def attributes(n: onnx.NodeProto) -> dict[str, Any]:
    return {a.name: helper.get_attribute_value(a) for a in n.attribute}


def only_reader(
    name: str, readers: dict[str, list[tuple[onnx.NodeProto, int]]], op: str | None = None
) -> onnx.NodeProto | None:
    """The node reading ``name`` when exactly one does; with ``op``, only if it is that op reading it as input 0."""
    found = readers.get(name, [])
    if len(found) != 1:
        return None
    reader, position = found[0]
    return reader if op is None or (reader.op_type == op and position == 0) else None


def set_nodes(graph: onnx.GraphProto, nodes: list[onnx.NodeProto], added: Sequence[onnx.TensorProto] = ()) -> None:
    """Make ``nodes`` the graph's nodes; keep the initializers they still read, plus ``added``."""
    del graph.node[:]
    graph.node.extend(nodes)
    read = {i for n in graph.node for i in n.input}
    kept = [t for t in graph.initializer if t.name in read] + list(added)
    del graph.initializer[:]
    graph.initializer.extend(kept)
