"""The add-on in real Blender (the PyPI ``bpy`` wheel, headless) against the real CLI and the tiny test model.

The add-on is built into an extension zip with Blender's own ``blender_ext.py build``, installed into a
temporary extension repository and enabled, exactly as Blender 4.2+ installs it from disk.

How the modal operator is driven here: Blender refuses INVOKE calls without a window event loop, so
background mode runs ``bpy.ops.skyasset.generate()`` (EXEC), whose ``execute`` polls the same CLI job with the
same ``_step`` method that the window timer calls in the UI; only the TIMER/ESC event dispatch is not run.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

try:
    import bpy
except ImportError:  # the bpy wheel is optional; CI installs it
    pytest.skip("bpy is not importable: pip install bpy==4.2.23 to run the Blender tests", allow_module_level=True)

import addon_utils  # noqa: E402  (ships with bpy)

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from blender_addon import sun  # noqa: E402

pytestmark = pytest.mark.blender

SKYASSET = Path(sys.executable).with_name("skyasset")
REPO_MODULE = "skyasset_test"
EXTENSION = f"bl_ext.{REPO_MODULE}.skyasset"
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)


def _blender_state() -> dict[str, Any]:
    """What an add-on can leave behind: registered types, properties, handlers, enabled add-ons, timers."""
    return {
        "types": sorted(name for name in dir(bpy.types) if "skyasset" in name.lower()),
        "world_property": hasattr(bpy.types.World, "skyasset"),
        "handlers": {
            name: len(getattr(bpy.app.handlers, name))
            for name in dir(bpy.app.handlers)
            if isinstance(getattr(bpy.app.handlers, name), list)
        },
        "addons": sorted(
            key for key in bpy.context.preferences.addons.keys() if "skyasset" in key or key == "blender_addon"
        ),
    }


@pytest.fixture(scope="module")
def clean_state() -> dict[str, Any]:
    """Blender's state before the add-on was enabled (factory settings)."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return _blender_state()


def _extension_builder() -> Path:
    return Path(bpy.utils.system_resource("SCRIPTS")) / "addons_core/bl_pkg/cli/blender_ext.py"


@pytest.fixture(scope="module")
def extension_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ext")
    builder = _extension_builder()
    for command in (
        ["validate", str(REPO_ROOT / "blender_addon")],
        ["build", "--source-dir", str(REPO_ROOT / "blender_addon"), "--output-dir", str(out)],
    ):
        done = subprocess.run([sys.executable, str(builder), *command], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    (archive,) = out.glob("skyasset-*.zip")
    return archive


@pytest.fixture(scope="module")
def addon(
    clean_state: dict[str, Any],
    extension_zip: Path,
    tiny_bundle_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Any]:
    """The add-on installed as an extension and enabled; preferences point at the CLI and the tiny model."""
    if not os.access(SKYASSET, os.X_OK):
        pytest.skip(f"the skyasset console script is not installed beside {sys.executable}")
    repos = bpy.context.preferences.extensions.repos
    repo = repos.new(
        name="skyasset test",
        module=REPO_MODULE,
        custom_directory=str(tmp_path_factory.mktemp("repo")),
        source="USER",
    )
    result = bpy.ops.extensions.package_install_files(
        filepath=str(extension_zip), repo=REPO_MODULE, enable_on_install=True
    )
    assert result == {"FINISHED"} and EXTENSION in bpy.context.preferences.addons
    prefs = bpy.context.preferences.addons[EXTENSION].preferences
    prefs.executable = str(SKYASSET)
    prefs.model = str(tiny_bundle_path)
    prefs.output_dir = str(tmp_path_factory.mktemp("skies"))
    yield sys.modules[EXTENSION]
    if EXTENSION in bpy.context.preferences.addons:
        addon_utils.disable(EXTENSION, default_set=True)
    repos.remove(repo)


def _new_world_with_user_nodes() -> bpy.types.World:
    world = bpy.data.worlds.new("User World")
    bpy.context.scene.world = world
    world.use_nodes = True
    nodes = world.node_tree.nodes
    mine = nodes.new("ShaderNodeValue")
    mine.name = "My Value"
    mine.outputs[0].default_value = 0.42
    nodes["Background"].inputs["Color"].default_value = (0.1, 0.2, 0.3, 1.0)  # the user's old sky colour
    return world


@pytest.fixture(scope="module")
def generated(addon: Any) -> dict[str, Any]:
    """One Generate run: cumulus, seed 3, 512 px, HDR, upscale fast (not the default), with a sun (a clear type:
    stratus is overcast and gets none); the world had nodes of the user's own."""
    world = _new_world_with_user_nodes()
    settings = world.skyasset
    assert settings.upscale == "none"  # the default: fast adds nothing visible to a sky (README)
    settings.upscale = "fast"
    settings.cloud = "cumulus"
    settings.seed = 3
    settings.size = "512"
    settings.hdr = True
    settings.add_sun = True
    settings.strength = 1.5
    result = bpy.ops.skyasset.generate()
    return {"result": result, "world": world}


def _render(tmp_path: Path, name: str, width: int, height: int, panorama: bool, samples: int = 4) -> np.ndarray:
    """Render the scene with Cycles on the CPU and return linear RGB, rows from the top."""
    scene = bpy.context.scene
    camera = bpy.data.objects.get("Test Camera")
    if camera is None:
        camera = bpy.data.objects.new("Test Camera", bpy.data.cameras.new("Test Camera"))
        scene.collection.objects.link(camera)
    scene.camera = camera
    camera.location = (0.0, 0.0, 0.0)
    if panorama:  # an equirect camera looking along +X with +Z up sees the world exactly as the sky image
        camera.data.type = "PANO"
        camera.data.panorama_type = "EQUIRECTANGULAR"
        camera.rotation_euler = (math.pi / 2, 0.0, -math.pi / 2)
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.use_denoising = False
    scene.cycles.pixel_filter_width = 0.01  # one sample position per pixel centre: no blur across pixels
    scene.render.resolution_x, scene.render.resolution_y = width, height
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "OPEN_EXR"  # linear, no view transform
    scene.render.filepath = str(tmp_path / f"{name}.exr")
    bpy.ops.render.render(write_still=True)
    image = bpy.data.images.load(scene.render.filepath)
    pixels = np.empty(width * height * 4, np.float32)
    image.pixels.foreach_get(pixels)
    bpy.data.images.remove(image)
    return pixels.reshape(height, width, 4)[::-1, :, :3]


def _image_pixels(image: bpy.types.Image, width: int, height: int) -> np.ndarray:
    """The sky image averaged down to ``width`` x ``height`` (linear RGB, rows from the top)."""
    rgb = sys.modules[f"{EXTENSION}.sun_light"].image_radiance(image)
    h, w = rgb.shape[:2]
    return rgb.reshape(height, h // height, width, w // width, 3).mean(axis=(1, 3))


# --- registration -------------------------------------------------------------------------------------------


def test_registers_operators_panel_and_world_settings(addon: Any) -> None:
    for name in (
        "SKYASSET_OT_generate",
        "SKYASSET_OT_randomize_seed",
        "SKYASSET_OT_check_cli",
        "SKYASSET_PT_world",
    ):
        assert hasattr(bpy.types, name), name
    assert bpy.types.SKYASSET_PT_world.bl_context == "world"
    assert hasattr(bpy.types.World, "skyasset")
    assert bpy.ops.skyasset.check_cli() == {"FINISHED"}


def test_cloud_menu_comes_from_the_cli(addon: Any) -> None:
    world = bpy.data.worlds.new("Menu World")
    bpy.context.scene.world = world
    world.skyasset.cloud = "cumulonimbus"
    assert world.skyasset.cloud == "cumulonimbus" and world.skyasset.cloud_name == "cumulonimbus"
    with pytest.raises(TypeError):
        world.skyasset.cloud = "cumulo"
    before = world.skyasset.seed
    assert bpy.ops.skyasset.randomize_seed() == {"FINISHED"}
    assert world.skyasset.seed != before


# --- Generate -----------------------------------------------------------------------------------------------


def test_generate_builds_the_node_chain_and_keeps_user_nodes(generated: dict[str, Any]) -> None:
    assert generated["result"] == {"FINISHED"}
    tree = generated["world"].node_tree
    nodes = tree.nodes
    chain = [
        ("Skyasset Coordinates", "Generated", "Skyasset Mapping", "Vector"),
        ("Skyasset Mapping", "Vector", "Skyasset Sky", "Vector"),
        ("Skyasset Sky", "Color", "Skyasset Background", "Color"),
        ("Skyasset Background", "Background", "World Output", "Surface"),
    ]
    links = {(k.from_node.name, k.from_socket.name, k.to_node.name, k.to_socket.name) for k in tree.links}
    assert set(chain) <= links
    assert nodes["Skyasset Coordinates"].bl_idname == "ShaderNodeTexCoord"
    assert nodes["Skyasset Mapping"].bl_idname == "ShaderNodeMapping"
    assert nodes["Skyasset Sky"].bl_idname == "ShaderNodeTexEnvironment"
    assert nodes["Skyasset Background"].inputs["Strength"].default_value == pytest.approx(1.5)
    # The user's nodes survive untouched; only the output's Surface input was taken over.
    assert nodes["My Value"].outputs[0].default_value == pytest.approx(0.42)
    assert tuple(nodes["Background"].inputs["Color"].default_value) == pytest.approx((0.1, 0.2, 0.3, 1.0))
    assert len([n for n in nodes if n.bl_idname == "ShaderNodeOutputWorld"]) == 1


def test_generate_loads_the_hdr_sky(generated: dict[str, Any]) -> None:
    image = generated["world"].node_tree.nodes["Skyasset Sky"].image
    prefs = bpy.context.preferences.addons[EXTENSION].preferences
    path = Path(bpy.path.abspath(image.filepath))
    assert path.parent == Path(prefs.output_dir) and path.name == "cumulus_3_psi070_512_fast.hdr"
    assert path.is_file() and path.with_suffix(".png").is_file()
    assert tuple(image.size) == (512, 256) and image.is_float and image.has_data
    assert "cumulus seed 3" in generated["world"].skyasset.last_result


def test_generate_again_reuses_the_image(generated: dict[str, Any]) -> None:
    count = len(bpy.data.images)
    assert bpy.ops.skyasset.generate() == {"FINISHED"}
    assert len(bpy.data.images) == count
    assert len([n for n in generated["world"].node_tree.nodes if n.name.startswith("Skyasset")]) == 4


def test_render_shows_the_sky(generated: dict[str, Any], tmp_path: Path) -> None:
    world = generated["world"]
    bpy.data.objects["Skyasset Sun"].hide_render = True  # only the world is compared
    width, height = 64, 32
    render = _render(tmp_path, "sky", width, height, panorama=True)
    image = world.node_tree.nodes["Skyasset Sky"].image
    expected = _image_pixels(image, width, height) * world.skyasset.strength
    assert render.mean() > 0.05, "the render is black"
    # Colour by colour, with the sun disc (12000x the sky in a fraction of a pixel: one render pixel averages it,
    # one image sample hits or misses it) clipped out of both.
    ceiling = np.percentile(expected, 99, axis=(0, 1))
    np.testing.assert_allclose(
        np.minimum(render, ceiling).mean(axis=(0, 1)), np.minimum(expected, ceiling).mean(axis=(0, 1)), rtol=0.1
    )
    # Pixel by pixel (log luminance: the HDR sun would dominate a linear correlation).
    log_render, log_expected = np.log1p(render @ LUMA), np.log1p(expected @ LUMA)
    assert np.corrcoef(log_render.ravel(), log_expected.ravel())[0, 1] > 0.9

    # Rotation turns the sky: +90 degrees shows the image's +Y side (u = 0.25) straight ahead (+X).
    world.skyasset.rotation = math.pi / 2
    assert world.node_tree.nodes["Skyasset Mapping"].inputs["Rotation"].default_value[2] == pytest.approx(math.pi / 2)
    turned = np.log1p(_render(tmp_path, "turned", width, height, panorama=True) @ LUMA)
    matches = {
        shift: np.corrcoef(turned.ravel(), np.roll(log_expected, shift, axis=1).ravel())[0, 1]
        for shift in (width // 4, -width // 4)
    }
    assert matches[width // 4] > 0.9 > matches[-width // 4]
    world.skyasset.rotation = 0.0


def test_sun_points_at_the_brightest_sky(generated: dict[str, Any], tmp_path: Path) -> None:
    world = generated["world"]
    sun_object = bpy.data.objects["Skyasset Sun"]
    sun_object.hide_render = True
    image = world.node_tree.nodes["Skyasset Sky"].image
    estimate = sun.estimate_sun(sys.modules[f"{EXTENSION}.sun_light"].image_radiance(image))
    assert sun_object.data.type == "SUN"
    # The light's strength comes from the CLI's answer (the disc it put into the HDR); the add-on's own pixel
    # estimate of the loaded image agrees with it (within 10 %: at 512 px the disc is a fraction of a pixel).
    assert sun_object.data.energy == pytest.approx(estimate.irradiance * world.skyasset.strength, rel=0.1)

    for rotation in (0.0, 1.0):
        world.skyasset.rotation = rotation  # the sun follows the sky
        shines_along = np.array(sun_object.rotation_euler.to_matrix()) @ np.array([0.0, 0.0, -1.0])
        toward_sun = -np.asarray(shines_along, float)
        # Where is the brightest sky in a render of the world? It must be where the light comes from.
        render = _render(tmp_path, f"sun{rotation}", 128, 64, panorama=True, samples=2) @ LUMA
        upper = render[:32]
        row, col = np.unravel_index(int(np.argmax(upper)), upper.shape)
        seen = np.array(sun.direction_from_uv((col + 0.5) / 128, (row + 0.5) / 64))
        angle = math.degrees(math.acos(float(np.clip(seen @ toward_sun, -1.0, 1.0))))
        assert angle < 8.0, f"rotation {rotation}: sun light {toward_sun} vs brightest sky {seen}"
    world.skyasset.rotation = 0.0


def test_the_sun_comes_from_the_cli_not_from_the_pixels(
    generated: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pixel_reading(image: Any) -> None:
        raise AssertionError("the add-on read every pixel on Blender's main thread")

    monkeypatch.setattr(sys.modules[f"{EXTENSION}.sun_light"], "image_radiance", no_pixel_reading)
    assert bpy.ops.skyasset.generate() == {"FINISHED"}
    assert bpy.data.objects["Skyasset Sun"].data.energy > 0


def test_strength_updates_live(generated: dict[str, Any]) -> None:
    world = generated["world"]
    world.skyasset.strength = 2.5
    assert world.node_tree.nodes["Skyasset Background"].inputs["Strength"].default_value == pytest.approx(2.5)
    world.skyasset.strength = 1.5


# --- errors -------------------------------------------------------------------------------------------------


def test_cli_errors_reach_the_report(generated: dict[str, Any], tmp_path: Path) -> None:
    prefs = bpy.context.preferences.addons[EXTENSION].preferences
    model = prefs.model
    prefs.model = str(tmp_path / "no-such-bundle")
    try:
        with pytest.raises(RuntimeError, match="no-such-bundle"):
            bpy.ops.skyasset.generate()
    finally:
        prefs.model = model
    executable = prefs.executable
    prefs.executable = str(tmp_path / "bin" / "skyasset")
    try:
        with pytest.raises(RuntimeError, match="skyasset not found"):
            bpy.ops.skyasset.generate()
    finally:
        prefs.executable = executable
    image = generated["world"].node_tree.nodes["Skyasset Sky"].image
    assert image.name == "cumulus_3_psi070_512_fast.hdr"  # a failed run leaves the last sky in place


def test_fixing_the_path_in_preferences_takes_effect_at_once(addon: Any, tmp_path: Path) -> None:
    # The artist's first run: the panel is drawn while skyasset cannot be found, then the path is set in
    # Preferences. The cached "no cloud types" must not outlive the fix (no Check, no restart).
    prefs = bpy.context.preferences.addons[EXTENSION].preferences
    good = prefs.executable
    previous_world = bpy.context.scene.world
    world = bpy.data.worlds.new("First Run World")
    bpy.context.scene.world = world
    try:
        prefs.executable = str(tmp_path / "nowhere" / "skyasset")
        try:
            assert world.skyasset.cloud == "NONE"  # what the panel's first draw shows
            assert "not found" in (sys.modules[f"{EXTENSION}.cloud_cache"].cloud_types_error() or "")
        finally:
            prefs.executable = good
        assert world.skyasset.cloud != "NONE"
        world.skyasset.size = "512"
        world.skyasset.upscale = "none"
        assert bpy.ops.skyasset.generate() == {"FINISHED"}
    finally:
        bpy.context.scene.world = previous_world


class _RecordingLayout:
    """Stands in for Blender's UILayout, which exists only while a real window draws: records what is drawn."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def row(self, **_kw: Any) -> _RecordingLayout:
        return self

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kw: self.calls.append((name, args, kw))

    def drew(self, kind: str, what: str) -> bool:
        return any(name == kind and (what in args or what == kw.get("text")) for name, args, kw in self.calls)


def test_the_panels_first_draw_does_not_wait_for_the_cli(addon: Any) -> None:
    properties = sys.modules[f"{EXTENSION}.properties"]
    cloud_cache = sys.modules[f"{EXTENSION}.cloud_cache"]
    world = bpy.data.worlds.new("Draw World")
    context = type("DrawContext", (), {"world": world, "preferences": bpy.context.preferences})()
    panel = type("Panel", (), {})()
    cloud_cache.invalidate_cloud_types()

    panel.layout = first = _RecordingLayout()
    started = time.perf_counter()
    bpy.types.SKYASSET_PT_world.draw(panel, context)
    drawn = time.perf_counter() - started
    assert first.drew("label", cloud_cache.LOADING_TEXT) and not first.drew("prop", "cloud")
    assert cloud_cache.cloud_types_loading()
    while not cloud_cache.cloud_types_ready():  # the real CLI answers in its thread
        assert time.perf_counter() - started < 60
        time.sleep(0.02)
    answered = time.perf_counter() - started
    assert drawn < 0.25 and answered > drawn, (drawn, answered)

    panel.layout = second = _RecordingLayout()
    bpy.types.SKYASSET_PT_world.draw(panel, context)
    assert second.drew("prop", "cloud") and not second.drew("label", cloud_cache.LOADING_TEXT)
    names = [item[0] for item in properties.cloud_items(None, context)]
    assert len(names) > 1 and "NONE" not in names


def test_an_answer_for_old_settings_is_dropped(addon: Any, tmp_path: Path) -> None:
    # The path is fixed while the first draw's query still runs: that query's answer must not win.
    properties = sys.modules[f"{EXTENSION}.properties"]
    cloud_cache = sys.modules[f"{EXTENSION}.cloud_cache"]
    prefs = bpy.context.preferences.addons[EXTENSION].preferences
    good = prefs.executable
    cloud_cache.invalidate_cloud_types()
    try:
        prefs.executable = str(tmp_path / "nowhere" / "skyasset")
        properties.request_cloud_types(bpy.context)
        assert "not found" in (cloud_cache.cloud_types_error() or "")
        prefs.executable = good  # invalidates; this request's thread runs the real CLI
        properties.request_cloud_types(bpy.context)
        running = [t for t in threading.enumerate() if t.name == "skyasset-classes"]
        assert running and cloud_cache.cloud_types_loading()
        cloud_cache.invalidate_cloud_types()  # e.g. the model preference changed while it ran
        for thread in running:
            thread.join(60)
        assert not cloud_cache.cloud_types_ready(), "the stale answer was dropped"
        assert len(properties.cloud_items(None, bpy.context)) > 1  # a script still gets the list (waiting)
    finally:
        prefs.executable = good


def test_a_cli_that_cannot_even_start_still_answers_the_panel(addon: Any, tmp_path: Path) -> None:
    # Executable bit set but not a program (Exec format error): not a CliError, yet the panel must not wait forever.
    properties = sys.modules[f"{EXTENSION}.properties"]
    cloud_cache = sys.modules[f"{EXTENSION}.cloud_cache"]
    prefs = bpy.context.preferences.addons[EXTENSION].preferences
    good = prefs.executable
    broken = tmp_path / "skyasset"
    broken.write_bytes(b"\x7fELF\x00garbage")
    broken.chmod(0o755)
    try:
        prefs.executable = str(broken)
        properties.request_cloud_types(bpy.context)
        started = time.monotonic()
        while not cloud_cache.cloud_types_ready():
            assert time.monotonic() - started < 30, "no answer from the background query"
            time.sleep(0.02)
        assert not cloud_cache.cloud_types_loading() and cloud_cache.cloud_types_error()
    finally:
        prefs.executable = good


def test_one_generation_at_a_time_and_cancel(addon: Any, tmp_path: Path) -> None:
    job = addon.cli_bridge.CliJob([sys.executable, "-c", "import time; time.sleep(60)"])
    addon.operators._running.add(job)
    try:
        assert not bpy.ops.skyasset.generate.poll(), "a second Generate while one runs is refused"
        assert bpy.ops.skyasset.cancel_generate.poll()
        assert bpy.ops.skyasset.cancel_generate() == {"FINISHED"}
        assert job.poll() == "cancelled" and job.returncode is not None
    finally:
        addon.operators._running.discard(job)
    assert bpy.ops.skyasset.generate.poll() and not bpy.ops.skyasset.cancel_generate.poll()


def test_a_hung_cli_is_stopped_at_the_timeout(addon: Any, tmp_path: Path) -> None:
    sleeper = tmp_path / "hung skyasset"
    sleeper.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(600)\n")
    sleeper.chmod(0o755)
    prefs = bpy.context.preferences.addons[EXTENSION].preferences
    good = prefs.executable
    prefs.executable = str(sleeper)
    try:
        addon.cloud_cache._cloud_items.append(("stratus", "Stratus", "St"))  # the sleeper cannot list them
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="did not finish within 2 s"):
            bpy.ops.skyasset.generate(timeout=2.0)
        assert time.monotonic() - started < 30
        assert not addon.operators._running
    finally:
        prefs.executable = good


def test_preview_of_the_chosen_seed(generated: dict[str, Any]) -> None:
    preview = sys.modules[f"{EXTENSION}.preview"]
    settings = generated["world"].skyasset
    settings.seed, settings.psi = 11, 0.8
    assert preview.current(settings.cloud, 11, 0.8) is None
    assert bpy.ops.skyasset.preview() == {"FINISHED"}
    shown = preview.current(settings.cloud, 11, 0.8)
    assert shown is not None
    path = preview._preview_folder() / f"{preview.preview_key(settings.cloud, 11, 0.8)}.png"
    image = bpy.data.images.load(str(path))
    try:
        assert tuple(image.size) == (32, 32)  # the tiny model's own flat image
    finally:
        bpy.data.images.remove(image)
    assert preview.current(settings.cloud, 12, 0.8) is None  # another seed is another preview
    settings.seed, settings.psi = 3, 0.7


def test_default_output_folders(generated: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefs = bpy.context.preferences.addons[EXTENSION].preferences
    chosen = prefs.output_dir
    prefs.output_dir = ""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    try:
        # Unsaved file: the system's temporary folder (Blender's own session folder dies with Blender).
        assert bpy.ops.skyasset.generate() == {"FINISHED"}
        image = generated["world"].node_tree.nodes["Skyasset Sky"].image
        temp_file = Path(bpy.path.abspath(image.filepath))
        assert temp_file.parent == tmp_path / "tmp" / "skyasset"
        # ...and packed, so a cleaned temp folder or Save As cannot lose it (the world would turn pink).
        assert image.packed_file is not None
        for sibling in temp_file.parent.iterdir():
            sibling.unlink()
        image.reload()
        assert image.size[0] > 0 and len(image.pixels) > 0 and max(image.pixels[:4000]) > 0
        # Saved file: a skies folder next to it, referenced by path (not packed unless asked).
        bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "scene.blend"))
        assert generated["world"].node_tree.nodes["Skyasset Sky"].image.packed_file is not None  # it kept it
        assert bpy.ops.skyasset.generate() == {"FINISHED"}
        image = bpy.data.worlds["User World"].node_tree.nodes["Skyasset Sky"].image
        assert Path(bpy.path.abspath(image.filepath)).parent == tmp_path / "skies"
        assert image.packed_file is None
        bpy.data.worlds["User World"].skyasset.pack = True
        assert bpy.ops.skyasset.generate() == {"FINISHED"}
        assert bpy.data.worlds["User World"].node_tree.nodes["Skyasset Sky"].image.packed_file is not None
        bpy.data.worlds["User World"].skyasset.pack = False
    finally:
        prefs.output_dir = chosen


# --- unregister ---------------------------------------------------------------------------------------------


def test_disable_leaves_blender_clean(addon: Any, clean_state: dict[str, Any]) -> None:
    assert _blender_state() != clean_state  # enabled: the comparison below can fail
    # A generation still running when the add-on goes away: its process must not outlive it.
    job = addon.cli_bridge.CliJob([sys.executable, "-c", "import time; time.sleep(60)"])
    addon.operators._running.add(job)
    addon_utils.disable(EXTENSION, default_set=True)
    assert _blender_state() == clean_state
    assert not addon.operators._running
    assert job.poll() == "cancelled" and job.returncode is not None

    # The legacy add-on path (Blender 3.6 LTS reads bl_info) registers and unregisters just as cleanly.
    module = addon_utils.enable("blender_addon", default_set=True, handle_error=None)
    assert module is not None and hasattr(bpy.types, "SKYASSET_OT_generate")
    addon_utils.disable("blender_addon", default_set=True)
    assert _blender_state() == clean_state
