"""Shared fixtures: the committed tiny test bundle, the CCSN photos, and a clean environment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TINY_BUNDLE = REPO_ROOT / "tests" / "data" / "tiny_bundle"
CCSN_DIR = REPO_ROOT.parent / "shared" / "datasets" / "ccsn"


@pytest.fixture(autouse=True)
def _no_model_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their model explicitly; a developer's SKYASSET_MODEL must not leak in."""
    monkeypatch.delenv("SKYASSET_MODEL", raising=False)
    monkeypatch.delenv("SKYASSET_PROVIDERS", raising=False)


@pytest.fixture(scope="session")
def tiny_bundle_path() -> Path:
    """The committed tiny random-weight bundle (tests/data/make_tiny_bundle.py made it). Read-only."""
    if not (TINY_BUNDLE / "skyasset-bundle.json").is_file():
        pytest.fail(f"{TINY_BUNDLE} is missing: run `python tests/data/make_tiny_bundle.py`")
    return TINY_BUNDLE


@pytest.fixture
def tiny_bundle_copy(tiny_bundle_path: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny bundle that a test may damage."""
    target = tmp_path / "bundle"
    shutil.copytree(tiny_bundle_path, target)
    return target


@pytest.fixture(scope="session")
def ccsn_dir() -> Path:
    """The real CCSN photos; tests that need them skip when ../shared is not beside the repo."""
    if not CCSN_DIR.is_dir():
        pytest.skip(f"CCSN photos not found at {CCSN_DIR} (they live in ../shared/datasets/ccsn)")
    return CCSN_DIR
