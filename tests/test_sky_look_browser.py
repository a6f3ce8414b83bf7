"""The studio's exposure and rotation sliders in a real headless Chromium: a sky made with them looks in the
viewer (and so in its files) exactly as the preview looked before it was made, and is not graded twice."""

from __future__ import annotations

import base64
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests._studio_server import get_json, studio

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")

CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"]


@pytest.fixture(scope="module")
def tab(tiny_bundle_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    with studio(tiny_bundle_path, library=tmp_path_factory.mktemp("library")) as url:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(url + "/")
                page.wait_for_selector("body[data-ready='1']", timeout=30_000)
                yield url, page
                assert not errors, errors
            finally:
                browser.close()


def set_look(page: Any, stops: float, degrees: float) -> None:
    page.evaluate(
        """([stops, degrees]) => {
            for (const [id, value] of [["exposure", stops], ["rotation", degrees]]) {
                const slider = document.getElementById(id);
                slider.value = String(value);
                slider.dispatchEvent(new Event("input"));
            }
        }""",
        [stops, degrees],
    )


def generate(page: Any) -> str:
    before = page.evaluate("document.body.dataset.shownJob || ''")
    page.fill("#seed", "5")
    page.click("#generate")
    page.wait_for_function(
        "(before) => (document.body.dataset.shownJob || '') !== before"
        " && !document.getElementById('generate').disabled",
        arg=before,
        timeout=120_000,
    )
    return str(page.evaluate("document.body.dataset.shownJob"))


def frame(page: Any) -> np.ndarray:
    """The viewer's canvas once the frames asked for have been drawn."""
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    data_url = page.evaluate("document.querySelector('#viewer canvas').toDataURL('image/png')")
    png = base64.b64decode(data_url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), np.float32) / 255.0


def test_a_sky_made_with_the_sliders_looks_as_their_preview(tab: tuple[str, Any]) -> None:
    url, page = tab
    set_look(page, 0, 0)
    generate(page)
    plain = frame(page)
    set_look(page, 1, 90)
    preview = frame(page)  # the plain sky, brightened and turned by the viewer
    job_id = generate(page)  # the same sky, made with the look in its files
    made = frame(page)
    status, job = get_json(f"{url}/api/jobs/{job_id}")
    assert status == 200
    assert (job["result"]["exposure_stops"], job["result"]["rotation_deg"]) == (1.0, 90.0)
    assert np.abs(preview - plain).mean() > 0.05, "the sliders change the preview"
    # The files were turned and exposed as the viewer did it: shown without a second grade, they look the same
    # (a wrong turning direction or a double exposure differs as much as the preview differs from the plain sky).
    assert np.abs(made - preview).mean() < 0.01, np.abs(made - preview).mean()
    set_look(page, 1, 270)  # the made sky turned half round: what a viewer turning the other way would show
    assert np.abs(frame(page) - preview).mean() > 0.02
