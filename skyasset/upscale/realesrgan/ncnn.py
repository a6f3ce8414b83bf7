"""Read an ncnn model (``.param`` text graph + ``.bin`` weights) into plain numpy arrays.

Only what the Real-ESRGAN ncnn files use is understood: ``Input``, ``Convolution`` (with an optional fused
leaky ReLU), ``Split``, ``Concat``, ``Eltwise`` (weighted sum), ``BinaryOp`` (add) and ``Interp`` (nearest).
Any other layer type is refused with a clear error rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skyasset.errors import SkyassetError

__all__ = ["NcnnLayer", "NcnnModel", "read_ncnn"]

_MAGIC = 7767517
_TAG_FP16 = 0x01306B47
_TAG_FP32 = 0x00000000
SUPPORTED_LAYERS = ("Input", "Convolution", "Split", "Concat", "Eltwise", "BinaryOp", "Interp")


@dataclass
class NcnnLayer:
    """One layer of the graph: type, name, input and output blob names, params, and its weights."""

    type: str
    name: str
    inputs: list[str]
    outputs: list[str]
    params: dict[int, list[float]]
    weight: np.ndarray | None = None  # Convolution: float32 [out, in, kh, kw]
    bias: np.ndarray | None = None  # Convolution: float32 [out]

    def param(self, key: int, default: float) -> float:
        values = self.params.get(key)
        return values[0] if values else default

    def param_list(self, key: int) -> list[float]:
        return self.params.get(key, [])


@dataclass
class NcnnModel:
    """The layers of one ncnn model in file order (a topological order)."""

    layers: list[NcnnLayer] = field(default_factory=list)

    @property
    def convolutions(self) -> list[NcnnLayer]:
        return [layer for layer in self.layers if layer.type == "Convolution"]


def _parse_value(text: str) -> float:
    return float(text) if any(ch in text for ch in ".eE") else int(text)


def _parse_params(tokens: list[str]) -> dict[int, list[float]]:
    """Parse ``k=v`` tokens; negative keys ``-23300-k`` hold arrays written as ``count,v1,v2,...``."""
    params: dict[int, list[float]] = {}
    for token in tokens:
        key_text, _, value_text = token.partition("=")
        key = int(key_text)
        if key <= -23300:
            values = value_text.split(",")
            params[-23300 - key] = [_parse_value(v) for v in values[1:]]
        else:
            params[key] = [_parse_value(value_text)]
    return params


def _parse_graph(param_path: Path) -> list[NcnnLayer]:
    lines = [line.split() for line in param_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(lines) < 2 or lines[0] != [str(_MAGIC)]:
        raise SkyassetError(
            "invalid_argument",
            f"{param_path} is not an ncnn text .param file (first line must be {_MAGIC}).",
        )
    layer_count = int(lines[1][0])
    layers: list[NcnnLayer] = []
    for tokens in lines[2:]:
        kind, name, n_in, n_out = tokens[0], tokens[1], int(tokens[2]), int(tokens[3])
        if kind not in SUPPORTED_LAYERS:
            raise SkyassetError(
                "invalid_argument",
                f"{param_path}: layer {name} has type {kind}, which this reader does not support "
                f"(supported: {', '.join(SUPPORTED_LAYERS)}).",
            )
        ins = tokens[4 : 4 + n_in]
        outs = tokens[4 + n_in : 4 + n_in + n_out]
        layers.append(NcnnLayer(kind, name, ins, outs, _parse_params(tokens[4 + n_in + n_out :])))
    if len(layers) != layer_count:
        raise SkyassetError("invalid_argument", f"{param_path} declares {layer_count} layers but holds {len(layers)}.")
    return layers


def _read_weights(data: memoryview, offset: int, count: int, name: str) -> tuple[np.ndarray, int]:
    """Read one tagged weight blob (ncnn ``ModelBin::load(w, 0)``): fp16 or raw fp32."""
    tag = int(np.frombuffer(data, dtype="<u4", count=1, offset=offset)[0])
    offset += 4
    if tag == _TAG_FP16:
        values = np.frombuffer(data, dtype="<f2", count=count, offset=offset).astype(np.float32)
        offset += (count * 2 + 3) // 4 * 4
    elif tag == _TAG_FP32:
        values = np.frombuffer(data, dtype="<f4", count=count, offset=offset).copy()
        offset += count * 4
    else:
        raise SkyassetError(
            "invalid_argument",
            f"Weights of layer {name} use storage tag {tag:#010x}; only fp16 and fp32 ncnn weights are read.",
        )
    return values, offset


def read_ncnn(param_path: str | Path, bin_path: str | Path) -> NcnnModel:
    """Read an ncnn model.

    Parameters
    ----------
    param_path, bin_path
        The text graph and the weight file of one model.

    Returns
    -------
    NcnnModel
        Layers in file order; every ``Convolution`` carries ``weight`` ``[out, in, kh, kw]`` and ``bias``
        as float32 (fp16 weights are widened exactly).

    Raises
    ------
    SkyassetError
        ``input_not_found`` if a file is missing, ``invalid_argument`` if a file is not a supported ncnn
        model or the weight file is truncated.
    """
    param_path, bin_path = Path(param_path), Path(bin_path)
    for path in (param_path, bin_path):
        if not path.is_file():
            raise SkyassetError("input_not_found", f"ncnn model file {path} does not exist.")
    layers = _parse_graph(param_path)
    data = memoryview(bin_path.read_bytes())
    offset = 0
    try:
        for layer in layers:
            if layer.type != "Convolution":
                continue
            out_ch = int(layer.param(0, 0))
            kernel = int(layer.param(1, 1))
            size = int(layer.param(6, 0))
            in_ch = size // (out_ch * kernel * kernel)
            weight, offset = _read_weights(data, offset, size, layer.name)
            layer.weight = weight.reshape(out_ch, in_ch, kernel, kernel)
            if int(layer.param(5, 0)):
                layer.bias = np.frombuffer(data, dtype="<f4", count=out_ch, offset=offset).copy()
                offset += out_ch * 4
            else:
                layer.bias = np.zeros(out_ch, dtype=np.float32)
    except ValueError:
        raise SkyassetError(
            "invalid_argument", f"{bin_path} is truncated: it ends before all weights of {param_path} are read."
        ) from None
    if offset != len(data):
        raise SkyassetError(
            "invalid_argument",
            f"{bin_path} has {len(data) - offset} bytes left after the weights of {param_path}: "
            "the two files do not belong together.",
        )
    return NcnnModel(layers)
