"""Rewrite stride-2 ``ConvTranspose`` as ``Conv`` + ``DepthToSpace`` (sub-pixel convolution).

StyleGAN2 upsamples with a stride-2 3x3 transposed convolution. ONNX Runtime's CPU ConvTranspose is a GEMM
followed by col2im, about twice as slow per multiply-add as its Conv, and it has no integer (QDQ) form, so
in the 256x256 generator its 6 nodes took ~40% of the run time and stayed float32 in the int8 graph.

Each output pixel of a stride-2 transposed convolution belongs to one of four phases (row parity, column
parity), and each phase is an ordinary convolution of the input with a sub-kernel of the 3x3 weight (2x2,
2x1, 1x2 and 1x1: 9 taps in all, the same multiply-adds). Four Convs compute the phases, Concat and
DepthToSpace interleave them, and a Slice applies the transposed convolution's padding. The result equals the original
up to float rounding, and its Conv quantizes like any other.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from training.quantize.graph_edit import attributes, constant_tensor, node, set_nodes

__all__ = ["convtranspose_to_subpixel"]

# For output parity r and sub-kernel tap t (reading input m - 1 + t), the 3x3 kernel index, or None (zero).
_TAP = {(0, 0): 2, (0, 1): 0, (1, 0): None, (1, 1): 1}


def _rewritable(n: onnx.NodeProto, weights: dict[str, np.ndarray]) -> bool:
    a = attributes(n)
    w = weights.get(n.input[1]) if len(n.input) > 1 else None
    return (
        n.op_type == "ConvTranspose"
        and w is not None
        and w.ndim == 4
        and w.shape[2:] == (3, 3)
        and list(a.get("strides", [1, 1])) == [2, 2]
        and list(a.get("dilations", [1, 1])) == [1, 1]
        and a.get("group", 1) == 1
        and "output_shape" not in a
        and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
        and (len(n.input) < 3 or not n.input[2] or n.input[2] in weights)
    )


def _phase_weight(w: np.ndarray, ry: int, rx: int) -> np.ndarray:
    """The conv weight ``[O, I, kh, kw]`` of output phase (``ry``, ``rx``) of ``[I, O, 3, 3]`` weight ``w``.

    Taps that never reach the phase are dropped, so the four phases together do exactly the multiply-adds
    of the transposed convolution (9 per input pixel and channel pair).
    """
    rows = [tap for t in (0, 1) if (tap := _TAP[(ry, t)]) is not None]
    cols = [tap for t in (0, 1) if (tap := _TAP[(rx, t)]) is not None]
    return np.ascontiguousarray(w[:, :, rows][:, :, :, cols].transpose(1, 0, 2, 3))


def _static_hw(model: onnx.ModelProto) -> dict[str, tuple[int, int]]:
    """Spatial size of every 4-D tensor whose height and width are static (after shape inference)."""
    inferred = onnx.shape_inference.infer_shapes(model)
    sizes = {}
    for v in [*inferred.graph.value_info, *inferred.graph.input]:
        dims = v.type.tensor_type.shape.dim
        if len(dims) == 4 and all(d.HasField("dim_value") for d in dims[2:]):
            sizes[v.name] = (dims[2].dim_value, dims[3].dim_value)
    return sizes


def _channels_last_shuffle(
    base: str, phases: str, out: str, channels: int, hw: tuple[int, int]
) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    """DepthToSpace (DCR, block 2) of ``phases`` ``[N, 4C, H, W]`` spelled as channels-last moves.

    ``[N, H, W, 4C] -> [N, H, W, 2, 2C] -> [N, H, 2, W, 2C] -> [N, 2H, 2W, C]``: the middle Transpose moves
    whole ``2C``-element rows. In an integer graph ONNX Runtime runs QLinearConv and QLinearConcat
    channels-last, so the first and last Transposes cancel against its layout Transposes and only the row
    move is left, instead of a transpose to NCHW, a byte-wise uint8 DepthToSpace and a transpose back.
    """
    h, w = hw
    shapes = {
        "split": np.array([0, h, w, 2, 2 * channels], np.int64),
        "merge": np.array([0, 2 * h, 2 * w, channels], np.int64),
    }
    tensors = [constant_tensor(f"{base}_{k}_shape", v) for k, v in shapes.items()]
    nodes = [
        node("Transpose", [phases], [f"{base}_nhwc"], f"{base}_to_nhwc", perm=[0, 2, 3, 1]),
        node("Reshape", [f"{base}_nhwc", f"{base}_split_shape"], [f"{base}_rows"], f"{base}_split"),
        node("Transpose", [f"{base}_rows"], [f"{base}_moved"], f"{base}_interleave", perm=[0, 1, 3, 2, 4]),
        node("Reshape", [f"{base}_moved", f"{base}_merge_shape"], [f"{base}_full_nhwc"], f"{base}_merge"),
        node("Transpose", [f"{base}_full_nhwc"], [out], f"{base}_to_nchw", perm=[0, 3, 1, 2]),
    ]
    return nodes, tensors


def convtranspose_to_subpixel(
    model: onnx.ModelProto, *, channels_last_shuffle: bool = False
) -> tuple[onnx.ModelProto, int]:
    """Return a copy of ``model`` with every eligible ConvTranspose rewritten, and how many were.

    ``channels_last_shuffle`` interleaves the phases with Reshape/Transpose (:func:`_channels_last_shuffle`)
    instead of DepthToSpace where the input's height and width are static: faster once the graph is
    quantized (ONNX Runtime runs it channels-last), slower in a float graph.
    """
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    sizes = _static_hw(out) if channels_last_shuffle else {}
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    new_nodes: list[onnx.NodeProto] = []
    added: list[onnx.TensorProto] = []
    count = 0
    for n in graph.node:
        if not _rewritable(n, weights):
            new_nodes.append(n)
            continue
        count += 1
        a = attributes(n)
        pads = list(a.get("pads", [0, 0, 0, 0]))
        extra = list(a.get("output_padding", [0, 0]))
        base = f"{n.name or n.output[0]}_subpixel"
        w = weights[n.input[1]]
        bias = weights[n.input[2]] if len(n.input) > 2 and n.input[2] else None
        phases = []
        for ry in (0, 1):
            for rx in (0, 1):
                name = f"{base}_{ry}{rx}"
                added.append(constant_tensor(f"{name}_w", _phase_weight(w, ry, rx)))
                inputs = [n.input[0], f"{name}_w"]
                if bias is not None:
                    added.append(constant_tensor(f"{name}_b", bias))
                    inputs.append(f"{name}_b")
                # Parity 0 reads taps (m - 1, m): kernel 2, pads (1, 1); parity 1 reads m only: kernel 1, pads (0, 1).
                kernel = [2 - ry, 2 - rx]
                conv_pads = [1 - ry, 1 - rx, 1, 1]
                new_nodes.append(
                    node("Conv", inputs, [f"{name}_y"], f"{name}_conv", kernel_shape=kernel, pads=conv_pads)
                )
                phases.append(f"{name}_y")
        # Phases cover 2 (H + 1) rows; the transposed conv has 2 H + 1 before its pads, then
        # 2 H + 1 - pad_begin - pad_end + output_padding.
        ends = [-(1 + pads[2] - extra[0]), -(1 + pads[3] - extra[1])]
        ends = [e if e < 0 else np.iinfo(np.int64).max for e in ends]
        added += [
            constant_tensor(f"{base}_starts", np.array(pads[:2], np.int64)),
            constant_tensor(f"{base}_ends", np.array(ends, np.int64)),
            constant_tensor(f"{base}_axes", np.array([2, 3], np.int64)),
        ]
        new_nodes.append(node("Concat", phases, [f"{base}_phases"], f"{base}_concat", axis=1))
        if n.input[0] in sizes:
            height, width = sizes[n.input[0]]
            # Each phase has H + 1 rows and W + 1 columns (see the crop below); w is [I, O, 3, 3].
            shuffle, shapes = _channels_last_shuffle(
                base, f"{base}_phases", f"{base}_full", w.shape[1], (height + 1, width + 1)
            )
            new_nodes += shuffle
            added += shapes
        else:
            new_nodes.append(
                node("DepthToSpace", [f"{base}_phases"], [f"{base}_full"], f"{base}_d2s", blocksize=2, mode="DCR")
            )
        new_nodes.append(
            node(
                "Slice",
                [f"{base}_full", f"{base}_starts", f"{base}_ends", f"{base}_axes"],
                [n.output[0]],
                f"{base}_crop",
            )
        )
    set_nodes(graph, new_nodes, added)
    return out, count
