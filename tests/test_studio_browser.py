"""The studio page in a real headless Chromium: generate, see the sky in 3D, download the CLI's file."""

from __future__ import annotations

import base64
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import skyasset
from tests._studio_server import studio

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")

# WebGL without a GPU: Chromium's software rasteriser.
CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"]


@pytest.fixture(scope="module")
def page(tiny_bundle_path: Path) -> Iterator[tuple[str, Any]]:
    with studio(tiny_bundle_path) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
            errors: list[str] = []
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.goto(url + "/")
            tab.wait_for_selector("body[data-ready='1']", timeout=30_000)
            yield url, tab
            assert not errors, errors
        finally:
            browser.close()


def canvas_pixels(tab: Any) -> np.ndarray:
    data_url = tab.evaluate("document.querySelector('#viewer canvas').toDataURL('image/png')")
    png = base64.b64decode(data_url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), np.float32) / 255.0


def test_generate_shows_the_sky_in_3d_and_downloads_the_cli_file(
    page: tuple[str, Any], tiny_bundle_path: Path, tmp_path: Path
) -> None:
    _, tab = page
    tab.select_option("#cloud", "Cu")
    tab.fill("#seed", "7")
    tab.select_option("#size", "2048")
    tab.click("#generate")
    tab.wait_for_selector("body[data-shown-job]", timeout=120_000)

    pixels = canvas_pixels(tab)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 300
    assert pixels.std() > 0.02, "the viewer canvas is blank"
    assert 0.05 < pixels.mean() < 0.95

    # Dragging turns the camera: the picture changes.
    box = tab.locator("#viewer").bounding_box()
    tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.mouse.down()
    tab.mouse.move(box["x"] + box["width"] / 2 + 300, box["y"] + box["height"] / 2, steps=5)
    tab.mouse.up()
    tab.wait_for_timeout(200)
    turned = canvas_pixels(tab)
    assert np.abs(turned - pixels).mean() > 0.005, "dragging did not turn the view"

    # The grid overlay draws lines over the sky.
    tab.check("#grid")
    tab.wait_for_timeout(200)
    assert np.abs(canvas_pixels(tab) - turned).mean() > 0.001

    shots = Path(os.environ.get("SKYASSET_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(shots / "studio.png"))

    with tab.expect_download() as info:
        tab.click("#downloads a >> nth=0")
    download = info.value
    saved = tmp_path / "download" / download.suggested_filename
    (tmp_path / "cli").mkdir()
    download.save_as(saved)
    cli = skyasset.generate(
        "cumulus", 7, tmp_path / "cli" / saved.name, psi=0.7, size=2048, model=str(tiny_bundle_path)
    )
    assert saved.read_bytes() == cli.outputs[0].read_bytes()

    figures = tab.inner_text("#figures")
    assert "click to sky" in figures and "wrap seam" in figures
    assert tab.locator("#history button").count() >= 1


def test_a_bad_seed_shows_the_error_and_keeps_the_page(page: tuple[str, Any]) -> None:
    _, tab = page
    tab.evaluate("document.getElementById('seed').removeAttribute('min')")
    tab.fill("#seed", "-5")
    tab.click("#generate")
    tab.wait_for_selector("#error:not([hidden])", timeout=30_000)
    assert "0..2147483647" in tab.inner_text("#error")
    assert tab.is_enabled("#generate")
