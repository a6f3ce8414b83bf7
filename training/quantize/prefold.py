"""Fold constant subgraphs into initializers before quantizing.

The exported synthesis graph computes some tensors from weights at run time: the demodulation's sum of squared
weights (``Pow -> ReduceSum``) and the flipped, transposed weights of the upsampling ``ConvTranspose``. In the
fp32 graph ONNX Runtime folds these at load. Once a weight is stored as int8 behind ``DequantizeLinear`` it no
longer can (ONNX Runtime keeps DequantizeLinear unfolded so it can fuse QDQ groups), and the graph would redo
that work on every run. Folding first, on the float graph, turns each into a plain initializer of its own,
which the packing passes then compress like any other weight.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import onnx
from onnxruntime.quantization.shape_inference import quant_pre_process

__all__ = ["fold_constants"]


def fold_constants(src: Path) -> onnx.ModelProto:
    """``src`` after ONNX Runtime's basic (hardware-independent) optimisations and ONNX shape inference.

    Basic-level rewrites (constant folding, redundant-node removal) use standard ONNX ops only, so the
    result runs anywhere the source did.
    """
    with tempfile.TemporaryDirectory(prefix="skyasset-fold-") as tmp:
        # A graph whose weights live in a shared external file (weights.bin beside it) is made self-contained
        # first: ONNX Runtime's optimizer writes its result into a folder where that file is not.
        source, out = Path(tmp) / "source.onnx", Path(tmp) / "folded.onnx"
        onnx.save_model(onnx.load(str(src)), str(source))
        quant_pre_process(str(source), str(out), skip_symbolic_shape=True)
        return onnx.load(str(out))
