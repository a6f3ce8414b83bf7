"""Rewrite zero-insertion upsampling + depthwise FIR ``Conv`` as a phase ``Conv`` + ``DepthToSpace``.

StyleGAN2's skip path upsamples the RGB image by 2 with ``upfirdn2d``, which exports as
``Reshape [N, C, H, 1, W, 1] -> Pad (a zero after every pixel) -> Reshape [N, C, 2H, 2W] -> Conv`` with a
4x4 depthwise filter. Three quarters of the multiply-adds hit inserted zeros, the 6-D ``Pad`` is slow, and a
3-channel integer convolution on the full 2H x 2W grid is the worst case for ONNX Runtime's QLinearConv
(3.5 ms at 256x256, more than a 64-channel 1x1 convolution).

Each output pixel belongs to one of four parity phases, and each phase reads only the original pixels: one
depthwise ``Conv`` on the H x W input with four output channels per input channel (one per phase, 2x2 taps
each for the 4x4 filter, placed in a common 3x3 window) computes all of them, and ``DepthToSpace`` (CRD)
interleaves them. Same multiply-adds on real pixels only, the same result up to float rounding.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from training.quantize.graph_edit import attributes, constant_tensor, consumers, node, only_reader, set_nodes

__all__ = ["fir_upsample_to_phases", "fir_phase_nodes"]

_MARK = "_fir_phases"


def fir_phase_nodes(model: onnx.ModelProto) -> list[str]:
    """Names of the nodes :func:`fir_upsample_to_phases` wrote (the int8 pass keeps them float32)."""
    return [n.name for n in model.graph.node if _MARK in n.name]


def _phase_taps(kernel: int, pad_begin: int) -> list[list[tuple[int, int]]]:
    """Per output parity r: the (filter tap, input offset) pairs that land on original pixels.

    Output ``2p + r`` reads upsampled index ``2p + r - pad_begin + t``, an original pixel (``p + offset``)
    only when that index is even.
    """
    return [[(t, (r - pad_begin + t) // 2) for t in range(kernel) if (r - pad_begin + t) % 2 == 0] for r in (0, 1)]


def _is_zero_insert(reshape_in: np.ndarray, pads: np.ndarray) -> bool:
    expected_pads = np.zeros(12, np.int64)
    expected_pads[[9, 11]] = 1  # one zero after every pixel along the two inserted unit axes
    return (
        reshape_in.shape == (6,)
        and reshape_in[3] == 1
        and reshape_in[5] == 1
        and pads.shape == (12,)
        and bool(np.all(pads == expected_pads))
    )


def fir_upsample_to_phases(model: onnx.ModelProto) -> tuple[onnx.ModelProto, int]:
    """Return a copy of ``model`` with every zero-insertion x2 upsampling + depthwise Conv rewritten, and how many."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    readers = consumers(graph)
    replaced: dict[int, list[onnx.NodeProto]] = {}  # index of the first Reshape -> its replacement
    dropped: set[int] = set()
    added: list[onnx.TensorProto] = []
    index = {id(n): i for i, n in enumerate(graph.node)}
    for n in graph.node:
        match = _match(n, weights, readers)
        if match is None:
            continue
        pad, reshape_back, conv = match
        filt = weights[conv.input[1]]  # [C, 1, kh, kw]
        channels, (kh, kw) = filt.shape[0], filt.shape[2:]
        conv_pads = list(attributes(conv)["pads"])
        rows, cols = _phase_taps(kh, conv_pads[0]), _phase_taps(kw, conv_pads[1])
        row_offsets = [d for phase in rows for _, d in phase]
        col_offsets = [d for phase in cols for _, d in phase]
        lo_y, hi_y, lo_x, hi_x = min(row_offsets), max(row_offsets), min(col_offsets), max(col_offsets)
        if lo_y > 0 or hi_y < 0 or lo_x > 0 or hi_x < 0:
            continue  # would need negative Conv pads
        phase_filter = np.zeros((channels * 4, 1, hi_y - lo_y + 1, hi_x - lo_x + 1), filt.dtype)
        for ry in (0, 1):
            for rx in (0, 1):
                for ty, dy in rows[ry]:
                    for tx, dx in cols[rx]:
                        phase_filter[ry * 2 + rx :: 4, 0, dy - lo_y, dx - lo_x] = filt[:, 0, ty, tx]
        base = f"{conv.name or conv.output[0]}{_MARK}"
        added.append(constant_tensor(f"{base}_w", phase_filter))
        inputs = [n.input[0], f"{base}_w"]
        if len(conv.input) > 2 and conv.input[2]:
            added.append(constant_tensor(f"{base}_b", np.repeat(weights[conv.input[2]], 4)))
            inputs.append(f"{base}_b")
        replaced[index[id(n)]] = [
            node(
                "Conv",
                inputs,
                [f"{base}_y"],
                f"{base}_conv",
                group=channels,
                kernel_shape=list(phase_filter.shape[2:]),
                pads=[-lo_y, -lo_x, hi_y, hi_x],
            ),
            # Output channel 4c + 2ry + rx is phase (ry, rx) of channel c: the CRD order.
            node("DepthToSpace", [f"{base}_y"], [conv.output[0]], f"{base}_d2s", blocksize=2, mode="CRD"),
        ]
        dropped |= {index[id(pad)], index[id(reshape_back)], index[id(conv)]}
    new_nodes: list[onnx.NodeProto] = []
    for i, n in enumerate(graph.node):
        if i in replaced:
            new_nodes += replaced[i]
        elif i not in dropped:
            new_nodes.append(n)
    set_nodes(graph, new_nodes, added)
    return out, len(replaced)


def _match(
    reshape: onnx.NodeProto,
    weights: dict[str, np.ndarray],
    readers: dict[str, list[tuple[onnx.NodeProto, int]]],
) -> tuple[onnx.NodeProto, onnx.NodeProto, onnx.NodeProto] | None:
    """(Pad, Reshape, Conv) following ``reshape`` when the four form a x2 FIR upsampling, else None."""
    if reshape.op_type != "Reshape" or reshape.input[1] not in weights:
        return None
    pad = only_reader(reshape.output[0], readers, "Pad")
    if pad is None or len(pad.input) < 2 or pad.input[1] not in weights:
        return None
    if len(pad.input) > 2 and pad.input[2] and not (pad.input[2] in weights and not weights[pad.input[2]].any()):
        return None
    if attributes(pad).get("mode", b"constant") not in (b"constant", "constant") or len(pad.input) > 3:
        return None
    if not _is_zero_insert(weights[reshape.input[1]], weights[pad.input[1]]):
        return None
    reshape_back = only_reader(pad.output[0], readers, "Reshape")
    if reshape_back is None or reshape_back.input[1] not in weights or weights[reshape_back.input[1]].shape != (4,):
        return None
    conv = only_reader(reshape_back.output[0], readers, "Conv")
    if conv is None or conv.input[1] not in weights:
        return None
    filt, a = weights[conv.input[1]], attributes(conv)
    pads = list(a.get("pads", [0, 0, 0, 0]))
    shape_in, shape_back = weights[reshape.input[1]], weights[reshape_back.input[1]]
    depthwise = filt.ndim == 4 and filt.shape[1] == 1 and a.get("group", 1) == filt.shape[0] == shape_in[1]
    same_size = pads[0] + pads[2] == filt.shape[2] - 1 and pads[1] + pads[3] == filt.shape[3] - 1
    if not (
        depthwise
        and same_size
        and list(a.get("strides", [1, 1])) == [1, 1]
        and list(a.get("dilations", [1, 1])) == [1, 1]
        and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
        and shape_back[1] == shape_in[1]
        and shape_back[2] == 2 * shape_in[2]
        and shape_back[3] == 2 * shape_in[4]
    ):
        return None
    return pad, reshape_back, conv
