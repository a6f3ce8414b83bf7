"""Fold StyleGAN2's weight demodulation into the int8 convolutions' weight scales (batch-1 graphs).

The non-fused modulated convolution multiplies each convolution's output by a per-sample, per-output-channel
factor ``d = 1 / sqrt(sum (w * style)^2)``. In the QDQ graph that is a ``QLinearMul`` over the whole feature
map (3.6 ms at 256x256x64, as much as a third of the 3x3 convolution before it), and the convolution's
output is rounded to uint8 once before it and once after.

A convolution's output channel ``o`` is ``sum(x * w[o])``, so scaling it by ``d[o]`` equals scaling the
weight's per-channel quantization scale by ``d[o]``; ONNX Runtime's ``QLinearConv`` reads the weight scales
at run time, so the scales may be computed in the graph (``scale * d``) while the int8 weights stay
pre-packed. The demodulated result is then quantized once, with the range calibrated for it.

``d`` is per sample and one ``Conv`` has one set of weight scales, so the rewritten graph takes one sample
per run: its ``ws`` input and ``img`` output get a static batch of 1, and the runtime
(:meth:`skyasset.generator.SkyGenerator.synthesize`) feeds a batch one sample at a time.

Only convolutions whose output goes straight into the demodulation are folded: in the upsampling layers a
blur filter sits between the two, and its calibrated ranges would no longer hold.
"""

from __future__ import annotations

import numpy as np
import onnx

from training.quantize.graph_edit import constant_tensor, consumers, node, only_reader, set_nodes

__all__ = ["fold_demodulation"]


def _producers(graph: onnx.GraphProto) -> dict[str, onnx.NodeProto]:
    return {o: n for n in graph.node for o in n.output}


def _match(
    mul: onnx.NodeProto,
    made_by: dict[str, onnx.NodeProto],
    readers: dict[str, list[tuple[onnx.NodeProto, int]]],
    constants: set[str],
) -> tuple[onnx.NodeProto, onnx.NodeProto, str, onnx.NodeProto, list[onnx.NodeProto]] | None:
    """For ``Mul(DQ(Q(Conv(x, DQ(w_int8)))), DQ(Q(d)))`` -> Q: (Conv, weight DQ, float d, output Q, removed)."""
    if mul.op_type != "Mul" or len(mul.input) != 2:
        return None
    for conv_side, factor_side in ((0, 1), (1, 0)):
        dq_y, dq_d = made_by.get(mul.input[conv_side]), made_by.get(mul.input[factor_side])
        if dq_y is None or dq_d is None or dq_y.op_type != "DequantizeLinear" or dq_d.op_type != "DequantizeLinear":
            continue
        q_y, q_d = made_by.get(dq_y.input[0]), made_by.get(dq_d.input[0])
        if q_y is None or q_d is None or q_y.op_type != "QuantizeLinear" or q_d.op_type != "QuantizeLinear":
            continue
        conv = made_by.get(q_y.input[0])
        if conv is None or conv.op_type != "Conv" or (len(conv.input) > 2 and conv.input[2]):
            continue
        dq_w = made_by.get(conv.input[1])
        if dq_w is None or dq_w.op_type != "DequantizeLinear" or dq_w.input[0] not in constants:
            continue
        axis = next((a.i for a in dq_w.attribute if a.name == "axis"), 1)
        q_out = only_reader(mul.output[0], readers)
        single_use = all(only_reader(n.output[0], readers) is not None for n in (conv, q_y, dq_y, dq_w))
        if axis != 0 or q_out is None or q_out.op_type != "QuantizeLinear" or not single_use:
            continue
        return conv, dq_w, q_d.input[0], q_out, [q_y, dq_y, mul]
    return None


def fold_demodulation(model: onnx.ModelProto) -> tuple[onnx.ModelProto, int]:
    """Return a batch-1 copy of QDQ ``model`` with each foldable demodulation moved into its Conv's weight scales.

    Returns the model unchanged (count 0) when nothing matches.
    """
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    made_by, readers = _producers(graph), consumers(graph)
    constants = {t.name for t in graph.initializer}
    flat = "demod_fold_flat_shape"
    removed: set[int] = set()
    added: list[onnx.NodeProto] = []
    for mul in list(graph.node):
        match = _match(mul, made_by, readers, constants)
        if match is None:
            continue
        conv, dq_w, factor, q_out, gone = match
        base = f"{conv.name or conv.output[0]}_demod"
        added += [
            node("Reshape", [factor, flat], [f"{base}_d"], f"{base}_flatten"),  # [1, O, 1, 1] -> [O]
            node("Mul", [dq_w.input[1], f"{base}_d"], [f"{base}_scale"], f"{base}_scale"),
            node(
                "DequantizeLinear",
                [dq_w.input[0], f"{base}_scale", *dq_w.input[2:]],
                [f"{base}_w"],
                f"{base}_weight",
                axis=0,
            ),
        ]
        conv.input[1] = f"{base}_w"
        q_out.input[0] = conv.output[0]
        removed |= {id(n) for n in [*gone, dq_w]}
    count = len(added) // 3
    if not count:
        return out, 0
    graph.initializer.append(constant_tensor(flat, np.array([-1], np.int64)))
    kept = [n for n in graph.node if id(n) not in removed]
    set_nodes(graph, _live(_topological(kept + added, graph), graph))
    for value in (*graph.input, *graph.output):
        batch = value.type.tensor_type.shape.dim[0]
        batch.ClearField("dim_param")
        batch.dim_value = 1
    del graph.value_info[:]  # shapes of rewired tensors changed; ONNX Runtime re-infers them
    return out, count


def _topological(nodes: list[onnx.NodeProto], graph: onnx.GraphProto) -> list[onnx.NodeProto]:
    ready = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    ordered: list[onnx.NodeProto] = []
    pending = nodes
    while pending:
        waiting = []
        for n in pending:
            if all(i in ready for i in n.input):
                ordered.append(n)
                ready.update(n.output)
            else:
                waiting.append(n)
        if len(waiting) == len(pending):
            raise ValueError(f"graph has a cycle or a missing input at {waiting[0].name}")
        pending = waiting
    return ordered


def _live(nodes: list[onnx.NodeProto], graph: onnx.GraphProto) -> list[onnx.NodeProto]:
    """``nodes`` without those whose outputs nobody reads (the demodulation factor's own Q/DQ), repeatedly."""
    outputs = {o.name for o in graph.output}
    while True:
        read = {i for n in nodes for i in n.input} | outputs
        live = [n for n in nodes if any(o in read for o in n.output)]
        if len(live) == len(nodes):
            return live
        nodes = live
