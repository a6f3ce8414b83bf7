"""One cache variable for everything skyasset caches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from skyasset.cache import cache_dir
from skyasset.upscale.realesrgan.teacher import teacher_onnx_path


def test_one_variable_moves_every_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SKYASSET_CACHE", str(tmp_path / "cache"))
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"w")
    assert cache_dir() == tmp_path / "cache"
    assert tmp_path / "cache" in teacher_onnx_path(weights).parents
    pytest.importorskip("torch")  # the metrics cache belongs to the train extra
    from training.metrics import cache_dir as metrics_cache_dir

    assert metrics_cache_dir() == tmp_path / "cache" / "metrics"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG default is Linux's")
def test_default_is_the_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SKYASSET_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "skyasset"
