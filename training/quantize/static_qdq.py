"""int8 static QDQ for the convolutions and the elementwise chain between them, calibrated over random latents.

Works on the non-fused modulated convolution (training/networks/modconv.py): every Conv has a static weight,
so ONNX Runtime can fuse ``DequantizeLinear -> Conv -> QuantizeLinear`` into an integer convolution
(``QLinearConv``). Activation ranges come from MinMax calibration over ``ws`` made by the bundle's own
mapping graph from random ``z`` and random classes, so no data set is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnxruntime as ort
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)

__all__ = ["RandomLatentReader", "quantize_convs_static", "QDQ_OP_TYPES"]

# Conv alone leaves a float round trip (DequantizeLinear ... QuantizeLinear) around every modulation, bias,
# noise and activation; quantizing that chain too keeps activations uint8 from one convolution to the next
# (QLinearMul/QLinearAdd/QLinearLeakyRelu): 0.66x -> 0.52x of fp32 latency at the same PSNR (256x256, 1 thread).
# Clip: ONNX Runtime's quantizer drops a clamp and gives its input the clamp output's range, so the uint8
# saturation clamps and the DequantizeLinear/QuantizeLinear pair a kept Clip leaves behind is gone.
# Transpose/Reshape: the channels-last sub-pixel interleave (subpixel.py) stays uint8.
QDQ_OP_TYPES = ("Conv", "Mul", "Add", "LeakyRelu", "Clip", "Concat", "DepthToSpace", "Transpose", "Reshape")


class RandomLatentReader(CalibrationDataReader):
    """Feeds ``{"ws": [batch, num_ws, w_dim]}`` made by ``mapping`` from seeded random ``z`` and classes.

    Parameters
    ----------
    mapping
        The bundle's mapping graph.
    num_ws, z_dim, c_dim
        Bundle dimensions.
    samples, batch
        How many latents in all, and per calibration run.
    seed
        Seed of the latent and class draws (calibration is reproducible).
    """

    def __init__(
        self,
        mapping: Path,
        *,
        num_ws: int,
        z_dim: int,
        c_dim: int,
        samples: int = 16,
        batch: int = 4,
        seed: int = 0,
    ) -> None:
        session = ort.InferenceSession(str(mapping), providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((samples, z_dim)).astype(np.float32)
        feeds = {"z": z}
        if c_dim:
            c = np.zeros((samples, c_dim), np.float32)
            c[np.arange(samples), rng.integers(0, c_dim, samples)] = 1.0
            feeds["c"] = c
        w = session.run(["w"], feeds)[0]
        ws = np.repeat(w[:, None, :], num_ws, axis=1)
        self._batches: Iterator[np.ndarray] = iter([ws[i : i + batch] for i in range(0, samples, batch)])

    def get_next(self) -> dict[str, np.ndarray] | None:
        chunk = next(self._batches, None)
        return None if chunk is None else {"ws": chunk}


def quantize_convs_static(
    synthesis: Path,
    out: Path,
    reader: CalibrationDataReader,
    *,
    op_types: tuple[str, ...] = QDQ_OP_TYPES,
    reduce_range: bool = True,
    keep_float: tuple[str, ...] = (),
) -> None:
    """Write ``out``: ``synthesis`` with QDQ around its ``op_types`` nodes (int8 weights, uint8 activations).

    Weights are per output channel. ``reduce_range`` (7-bit weights) avoids the int16 saturation of the
    u8s8 dot-product instruction on x86 CPUs without VNNI, as ONNX Runtime recommends. Nodes named in
    ``keep_float`` stay float32.
    """
    quantize_static(
        str(synthesis),
        str(out),
        reader,
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=list(op_types),
        per_channel=True,
        reduce_range=reduce_range,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        calibrate_method=CalibrationMethod.MinMax,
        extra_options={"ActivationSymmetric": False, "WeightSymmetric": True},
        nodes_to_exclude=list(keep_float),
    )
