"""The 2025 baseline's two methods, reproduced so the benchmark table shows why they did not help.

- ``ort_dynamic``: ONNX Runtime ``quantize_dynamic`` with its defaults (every supported op type, int8
  weights). It only touches weights that are graph initializers feeding MatMul/Conv/Gather...; with the fused
  modulated convolution no Conv weight is one, which is why the baseline went from 120 MB only to 117 MB.
- ``rtn_weight_only``: neural-compressor round-to-nearest weight-only quantization (8-bit, group 32). It
  rewrites ``MatMul`` nodes only (into ``MatMulNBits``); convolution weights, 90+% of a StyleGAN2 synthesis
  network, stay float32.

neural-compressor for ONNX (PyPI ``onnx-neural-compressor`` 1.0) pins ``numpy<2``, so it cannot share an
environment with skyasset's numpy 2. It runs in-process when importable, else in the interpreter named by
``$SKYASSET_INC_PYTHON`` (a separate virtual environment with ``onnx-neural-compressor`` installed). Without
either, the same RTN algorithm runs through its port inside ONNX Runtime
(``onnxruntime.quantization.matmul_nbits_quantizer``, default round-to-nearest config), and the result
says so in its ``method``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import onnx
from onnxruntime.quantization import QuantType, quantize_dynamic

__all__ = ["ort_dynamic", "rtn_weight_only", "RTN_BITS", "RTN_GROUP"]

RTN_BITS = 8
RTN_GROUP = 32

_INC_SCRIPT = f"""
import sys, onnx
from onnx_neural_compressor.quantization import algorithm_entry, config
model = algorithm_entry.rtn_quantize_entry(
    sys.argv[1], config.RTNConfig(weight_bits={RTN_BITS}, weight_group_size={RTN_GROUP}, weight_sym=True)
)
onnx.save_model(model, sys.argv[2])
"""


def ort_dynamic(src: Path, out: Path) -> str:
    """ONNX Runtime ``quantize_dynamic`` with default op types and int8 weights; returns the method label."""
    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8)
    return "onnxruntime.quantize_dynamic(weight_type=QInt8)"


def rtn_weight_only(src: Path, out: Path) -> str:
    """neural-compressor RTN weight-only (``MatMul`` only); returns the method label actually used.

    Raises
    ------
    RuntimeError
        If the neural-compressor subprocess fails (its stderr is included).
    """
    if importlib.util.find_spec("onnx_neural_compressor") is not None:
        _run_inc(sys.executable, src, out)
        return f"onnx_neural_compressor RTN (in-process, {RTN_BITS}-bit, group {RTN_GROUP})"
    inc_python = os.environ.get("SKYASSET_INC_PYTHON")
    if inc_python:
        _run_inc(inc_python, src, out)
        return f"onnx_neural_compressor RTN ({inc_python}, {RTN_BITS}-bit, group {RTN_GROUP})"
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    config = DefaultWeightOnlyQuantConfig(block_size=RTN_GROUP, is_symmetric=True, bits=RTN_BITS)
    quantizer = MatMulNBitsQuantizer(onnx.load(str(src)), algo_config=config)
    quantizer.process()
    quantizer.model.save_model_to_file(str(out), use_external_data_format=False)
    return f"onnxruntime MatMulNBitsQuantizer RTN ({RTN_BITS}-bit, group {RTN_GROUP}; neural-compressor absent)"


def _run_inc(python: str, src: Path, out: Path) -> None:
    done = subprocess.run([python, "-c", _INC_SCRIPT, str(src), str(out)], capture_output=True, text=True, check=False)
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"neural-compressor RTN failed ({python}): {done.stderr.strip()[-2000:]}")
