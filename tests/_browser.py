"""What the studio's browser tests share: the Chromium they drive and the page steps they repeat."""

from __future__ import annotations

import base64
import io
import shutil
from typing import Any

import numpy as np
import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# WebGL without a GPU: Chromium's software rasteriser.
CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"]


def playwright_or_skip() -> Any:
    """Playwright's sync API, or skip the calling test module (at import) when Chromium or playwright is missing."""
    if CHROMIUM is None:
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium; .ci/run does)", allow_module_level=True
        )
    return pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")


def generate_on_page(tab: Any, seed: str = "3", **choices: str) -> str:
    """Choose ``seed`` and ``choices`` (select id -> value), press Generate, wait for the new sky; its job id."""
    before = tab.evaluate("document.body.dataset.shownJob || ''")
    tab.fill("#seed", seed)
    for select, value in choices.items():
        tab.select_option(f"#{select}", value)
    tab.click("#generate")
    tab.wait_for_function(
        "(before) => (document.body.dataset.shownJob || '') !== before"
        " && !document.getElementById('generate').disabled",
        arg=before,
        timeout=120_000,
    )
    return str(tab.evaluate("document.body.dataset.shownJob"))


def canvas_pixels(tab: Any) -> np.ndarray:
    """The viewer's canvas as float RGB in [0, 1], once the frames asked for so far have been drawn."""
    tab.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    data_url = tab.evaluate("document.querySelector('#viewer canvas').toDataURL('image/png')")
    png = base64.b64decode(data_url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), np.float32) / 255.0
