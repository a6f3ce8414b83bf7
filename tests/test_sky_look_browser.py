"""The studio's exposure and rotation sliders in a real headless Chromium: a sky made with them looks in the
viewer (and so in its files) exactly as the preview looked before it was made, and is not graded twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests._browser import CHROMIUM, CHROMIUM_ARGS, canvas_pixels, generate_on_page, playwright_or_skip
from tests._studio_server import get_json, studio

sync_api = playwright_or_skip()


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


def test_a_sky_made_with_the_sliders_looks_as_their_preview(tab: tuple[str, Any]) -> None:
    url, page = tab
    set_look(page, 0, 0)
    generate_on_page(page, "5")
    plain = canvas_pixels(page)
    set_look(page, 1, 90)
    preview = canvas_pixels(page)  # the plain sky, brightened and turned by the viewer
    job_id = generate_on_page(page, "5")  # the same sky, made with the look in its files
    made = canvas_pixels(page)
    status, job = get_json(f"{url}/api/jobs/{job_id}")
    assert status == 200
    assert (job["result"]["exposure_stops"], job["result"]["rotation_deg"]) == (1.0, 90.0)
    assert np.abs(preview - plain).mean() > 0.05, "the sliders change the preview"
    # The files were turned and exposed as the viewer did it: shown without a second grade, they look the same
    # (a wrong turning direction or a double exposure differs as much as the preview differs from the plain sky).
    assert np.abs(made - preview).mean() < 0.01, np.abs(made - preview).mean()
    set_look(page, 1, 270)  # the made sky turned half round: what a viewer turning the other way would show
    assert np.abs(canvas_pixels(page) - preview).mean() > 0.02
