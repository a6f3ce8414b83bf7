"""The studio page in a real headless Chromium: generate, see the sky in 3D, download the CLI's file or the whole
set as one zip, light objects with the sky, and find the sky again after the studio restarts.

``SKYASSET_SCREENSHOTS=DIR`` keeps the screenshots (studio.png, studio_lit_preview.png); ``SKYASSET_STUDIO_MODEL``
runs the page with another model (e.g. skyasset/models/default, for the docs' pictures)."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import skyasset
from tests._browser import CHROMIUM, CHROMIUM_ARGS, canvas_pixels, generate_on_page, playwright_or_skip
from tests._studio_server import get_json, request, studio

sync_api = playwright_or_skip()


@pytest.fixture(scope="module")
def model(tiny_bundle_path: Path) -> Path:
    return Path(os.environ.get("SKYASSET_STUDIO_MODEL", tiny_bundle_path))


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("library")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    tab = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(url + "/")
    tab.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return tab, errors


@pytest.fixture(scope="module")
def page(model: Path, library: Path, browser: Any) -> Iterator[tuple[str, Any]]:
    with studio(model, library=library) as url:
        tab, errors = open_page(browser, url)
        yield url, tab
        assert not errors, errors
        tab.close()


def screenshots(tmp_path: Path) -> Path:
    shots = Path(os.environ.get("SKYASSET_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def test_generate_shows_the_sky_in_3d_and_downloads_the_cli_file(
    page: tuple[str, Any], model: Path, tmp_path: Path
) -> None:
    _, tab = page
    # Every text the progress line shows, to check that the very first job never says it waits for another.
    tab.evaluate(
        """() => { window.progressTexts = [];
        new MutationObserver(() => window.progressTexts.push(document.getElementById('progress-text').textContent))
          .observe(document.getElementById('progress-text'), {childList: true, characterData: true, subtree: true});
        }"""
    )
    tab.select_option("#cloud", "Cu")
    tab.fill("#seed", "7")
    tab.select_option("#size", "2048")
    tab.click("#generate")
    tab.wait_for_selector("body[data-shown-job]", timeout=120_000)
    progress = tab.evaluate("window.progressTexts")
    assert progress and not any("waiting" in text for text in progress), progress

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

    tab.screenshot(path=str(screenshots(tmp_path) / "studio.png"))

    with tab.expect_download() as info:
        tab.click("#downloads a >> nth=0")
    download = info.value
    saved = tmp_path / "download" / download.suggested_filename
    (tmp_path / "cli").mkdir()
    download.save_as(saved)
    cli = skyasset.generate("cumulus", 7, tmp_path / "cli" / saved.name, psi=0.7, size=2048, model=str(model))
    assert saved.read_bytes() == cli.outputs[0].read_bytes()

    # The status is a sentence; the numbers are one click away.
    tab.wait_for_function("!document.getElementById('status').textContent.startsWith('Measuring')")
    status = tab.inner_text("#status")
    assert status.endswith(".") and any(w in status for w in ("Seamless", "seam")), status
    assert not tab.is_visible("#figures")
    tab.click("#status")
    figures = tab.inner_text("#figures")
    assert "click to sky" in figures and "wrap seam" in figures
    assert tab.locator("#history .sky").count() >= 1


def test_a_bad_seed_shows_the_error_and_keeps_the_page(page: tuple[str, Any]) -> None:
    _, tab = page
    tab.evaluate("document.getElementById('seed').removeAttribute('min')")
    tab.fill("#seed", "-5")
    tab.click("#generate")
    tab.wait_for_selector("#error:not([hidden])", timeout=30_000)
    assert "0..2147483647" in tab.inner_text("#error")
    assert tab.is_enabled("#generate")


def test_one_zip_holds_exactly_the_files_of_the_set(page: tuple[str, Any], tmp_path: Path) -> None:
    url, tab = page
    tab.check("#hdr")
    try:
        job_id = generate_on_page(tab, layout="faces", size="1024")
    finally:
        tab.uncheck("#hdr")
    status, job = get_json(f"{url}/api/jobs/{job_id}")
    assert status == 200 and len(job["files"]) == 6 * 3 + 1  # six faces as PNG, HDR and EXR, and the sidecar
    with tab.expect_download() as info:
        tab.click("#download-zip")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.suffix == ".zip"
    with zipfile.ZipFile(saved) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted(f["name"] for f in job["files"])
        for f in job["files"]:
            assert archive.read(f["name"]) == request(url + f["url"])[1], f["name"]
    assert tab.locator("#downloads a").count() == len(job["files"])  # and each file on its own


def test_the_lit_preview_shows_objects_lit_by_the_sky(page: tuple[str, Any], tmp_path: Path) -> None:
    _, tab = page
    generate_on_page(tab, layout="equirect", size="2048", cloud="Cu")
    tab.uncheck("#grid")
    tab.evaluate("window.scrollTo(0, 0)")
    tab.wait_for_timeout(300)
    plain = canvas_pixels(tab)
    tab.check("#lit")
    tab.wait_for_timeout(800)  # the sky's PMREM is made on the first lit frame
    lit = canvas_pixels(tab)
    h, w = lit.shape[:2]
    centre = np.s_[h // 3 : h, w // 4 : 3 * w // 4]  # the sphere, the cube and the plane stand here
    assert np.abs(lit[centre] - plain[centre]).mean() > 0.03, "no objects in front of the sky"
    assert lit[centre].std() > 0.02 and 0.03 < lit[centre].mean() < 0.97, "the objects are blank or unlit"
    shot = screenshots(tmp_path) / "studio_lit_preview.png"
    tab.locator("#stage").screenshot(path=str(shot))

    # Exposure brightens the preview (not the files); rotation turns the sky behind the objects.
    tab.fill("#exposure", "1")
    tab.dispatch_event("#exposure", "input")
    tab.wait_for_timeout(300)
    brighter = canvas_pixels(tab)
    assert brighter.mean() > lit.mean() + 0.02
    tab.fill("#exposure", "0")
    tab.fill("#rotation", "90")
    tab.dispatch_event("#rotation", "input")
    tab.wait_for_timeout(300)
    assert np.abs(canvas_pixels(tab) - lit).mean() > 0.005
    tab.fill("#rotation", "0")
    tab.uncheck("#lit")
    tab.dispatch_event("#rotation", "input")


def test_two_skies_side_by_side(page: tuple[str, Any]) -> None:
    _, tab = page
    tab.locator("#history .sky >> nth=1").locator("button.compare").click()
    tab.wait_for_selector("body[data-compared-job]", timeout=30_000)
    assert tab.is_visible("#viewer-b canvas")
    left = tab.locator("#viewer").bounding_box()
    right = tab.locator("#viewer-b").bounding_box()
    assert right["x"] >= left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 2  # beside, not below
    tab.uncheck("#compare")


def test_skies_survive_a_restart_and_can_be_deleted(
    page: tuple[str, Any], model: Path, library: Path, browser: Any
) -> None:
    url, tab = page
    status, before = get_json(f"{url}/api/jobs")
    done = [j for j in before["jobs"] if j["state"] == "done"]
    assert status == 200 and len(done) >= 2
    tab.reload()
    tab.wait_for_selector("body[data-shown-job]", timeout=30_000)
    assert canvas_pixels(tab).std() > 0.02, "the viewer is black after a reload"

    # A second studio on the same library: the same skies with their settings, the newest shown at once.
    with studio(model, library=library) as again:
        status, after = get_json(f"{again}/api/jobs")
        assert status == 200
        assert [(j["id"], j["params"], j["files"]) for j in after["jobs"]] == [
            (j["id"], j["params"], j["files"]) for j in done
        ]
        fresh, errors = open_page(browser, again)
        try:
            fresh.wait_for_selector("body[data-shown-job]", timeout=30_000)
            assert fresh.evaluate("document.body.dataset.shownJob") == done[0]["id"]
            pixels = canvas_pixels(fresh)
            assert pixels.std() > 0.02 and pixels.mean() > 0.05, "the viewer is black at start"
            assert fresh.locator("#history .sky").count() == len(done)
            for f in after["jobs"][0]["files"]:
                assert request(again + f["url"])[0] == 200

            # Delete the newest: asked first; refusing keeps it, accepting removes it and its folder.
            newest = done[0]["id"]
            fresh.once("dialog", lambda dialog: dialog.dismiss())
            fresh.locator(f"#history .sky[data-job='{newest}'] button.delete").click()
            fresh.wait_for_timeout(300)
            assert (library / newest).is_dir()
            fresh.once("dialog", lambda dialog: dialog.accept())
            fresh.locator(f"#history .sky[data-job='{newest}'] button.delete").click()
            fresh.wait_for_selector(f"#history .sky[data-job='{newest}']", state="detached", timeout=10_000)
            assert not (library / newest).exists()
            fresh.wait_for_function(  # the next newest takes the deleted sky's place in the viewer
                "(id) => document.body.dataset.shownJob === id", arg=done[1]["id"], timeout=10_000
            )
            status, body = request(f"{again}/api/jobs/{newest}")
            assert status == 404 and json.loads(body)["error"]["code"] == "input_not_found"
            assert not errors, errors
        finally:
            fresh.close()
