"""Student network, least-squares start, distillation loop and ONNX export of the fast upscaler."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

torch = pytest.importorskip("torch")

from training.upscaler.convert_teacher import export_onnx  # noqa: E402
from training.upscaler.distill import DistillConfig, distill  # noqa: E402
from training.upscaler.linear_fit import fit_linear  # noqa: E402
from training.upscaler.student import FastUpscaler  # noqa: E402


def _pairs(n: int = 12, crop: int = 24, seed: int = 0) -> dict[str, np.ndarray]:
    """Smooth random LR crops; 'teacher' = a fixed sharpening of bicubic, 'hr' = bicubic (both uint8)."""
    rng = np.random.default_rng(seed)
    lr = 0.2 + 0.6 * rng.random((n, 3, crop // 2, crop // 2), dtype=np.float32)
    lr = torch.nn.functional.interpolate(torch.from_numpy(lr), size=(crop, crop), mode="bilinear")
    with torch.no_grad():
        bicubic = FastUpscaler(width=0)(lr).clamp(0, 1)
        blur = torch.nn.functional.avg_pool2d(bicubic, 3, 1, 1, count_include_pad=False)
        sharp = (bicubic + 1.5 * (bicubic - blur)).clamp(0, 1)

    def u8(t: torch.Tensor) -> np.ndarray:
        return (t.permute(0, 2, 3, 1).numpy() * 255 + 0.5).astype(np.uint8)

    return {"lr": u8(lr), "teacher": u8(sharp), "hr": u8(bicubic), "has_teacher": np.ones(n, np.float32)}


def test_student_starts_as_exact_bicubic() -> None:
    x = torch.rand(2, 3, 11, 14)
    want = torch.nn.functional.interpolate(x, scale_factor=4.0, mode="bicubic", align_corners=False)
    for width in (0, 8):
        np.testing.assert_allclose(FastUpscaler(width, 1)(x).detach().numpy(), want.numpy(), atol=1e-5)


def test_linear_fit_recovers_a_linear_target() -> None:
    """With the photo term only, the target is bicubic itself: the fit must reproduce it."""
    pairs = _pairs()
    pairs_gt_only = {**pairs, "teacher": pairs["hr"]}
    weight, bias = fit_linear(pairs_gt_only, gt_weight=1.0, margin=2)
    net = FastUpscaler(width=0)
    with torch.no_grad():
        net.skip.weight.copy_(torch.from_numpy(weight))
        net.skip.bias.copy_(torch.from_numpy(bias))
    x = torch.from_numpy(pairs["lr"].astype(np.float32) / 255).permute(0, 3, 1, 2)
    out = net(x).detach().numpy()[..., 8:-8, 8:-8]
    ref = pairs["hr"].astype(np.float32).transpose(0, 3, 1, 2)[..., 8:-8, 8:-8] / 255
    assert np.abs(out - ref).max() < 2.5 / 255  # uint8 rounding of the target is all that is left


def test_distill_starts_from_the_least_squares_fit_and_trains(tmp_path: Path) -> None:
    pairs = _pairs(seed=1)
    x = torch.from_numpy(pairs["lr"].astype(np.float32) / 255).permute(0, 3, 1, 2)
    teacher = torch.from_numpy(pairs["teacher"].astype(np.float32) / 255).permute(0, 3, 1, 2)
    cfg = DistillConfig(seconds=0.0, margin=2, gt_weight=0.0, width=8, depth=1)
    fitted = distill(pairs, cfg)
    with torch.no_grad():
        bicubic = (FastUpscaler(8, 1)(x) - teacher).abs().mean()
        start = (fitted(x) - teacher).abs().mean()
    assert start < 0.5 * bicubic  # the teacher here is linear, so the fit nearly reaches it
    cfg = DistillConfig(seconds=2.0, batch=4, patch=16, margin=2, width=8, depth=1, linear_init=False)
    distill(pairs, cfg, log=tmp_path / "log.json")
    log = __import__("json").loads((tmp_path / "log.json").read_text())
    assert log["steps"] > 0 and log["config"]["width"] == 8


def test_student_onnx_export_matches_torch(tmp_path: Path) -> None:
    torch.manual_seed(0)
    net = FastUpscaler(width=8, depth=1)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.01 * torch.randn_like(p))
    net.eval()
    export_onnx(net, tmp_path / "s.onnx")
    x = np.random.default_rng(0).random((1, 3, 19, 23), dtype=np.float32)
    got = ort.InferenceSession(str(tmp_path / "s.onnx"), providers=["CPUExecutionProvider"]).run(
        ["output"], {"input": x}
    )[0]
    with torch.no_grad():
        want = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_distill_command_writes_a_working_linear_student(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from training.upscaler.commands import upscaler_app

    pairs = _pairs(seed=2)
    (tmp_path / "pairs").mkdir()
    np.savez(tmp_path / "pairs" / "part00000.npz", **{k: pairs[k] for k in ("lr", "teacher", "hr")})
    out = tmp_path / "model" / "fast.onnx"
    args = ["distill", "--pairs", str(tmp_path / "pairs"), "--out", str(out), "--width", "0", "--seconds", "0"]
    result = CliRunner().invoke(upscaler_app, [*args, "--photos", "0"])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.stat().st_size < 100_000
    x = pairs["lr"][:2].astype(np.float32).transpose(0, 3, 1, 2) / 255
    y = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(["output"], {"input": x})[0]
    assert y.shape == (2, 3, 96, 96)

    empty = CliRunner().invoke(upscaler_app, ["distill", "--pairs", str(tmp_path), "--photos", "0"])
    assert empty.exit_code == 2 and "upscaler pairs" in empty.output
