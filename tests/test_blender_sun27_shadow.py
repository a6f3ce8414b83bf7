"""Issue 27: a generated clear sky lights a cube on a plane in real Blender, and the shadow falls away from the sun.

The world is the CLI's HDR at its default strength (1); the add-on's own functions aim and size the Sun light
from the sidecar (``sun.from_report``, ``sun_light.place_sun``), as Generate does. A 64 px Cycles render from
straight above compares the plane on the side towards the sun with the side away from it.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import skyasset  # noqa: E402
from blender_addon import sun, sun_light  # noqa: E402

LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)
PIXELS = 64
HALF_WIDTH = 4.0  # the camera sees the plane from -4 to 4 in x and y


def _scene_with_sky(hdr: Path, report: dict[str, Any]) -> bpy.types.Scene:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    world = bpy.data.worlds.new("Sky")
    scene.world = world
    world.use_nodes = True
    nodes, links = world.node_tree.nodes, world.node_tree.links
    texture = nodes.new("ShaderNodeTexEnvironment")
    texture.image = bpy.data.images.load(str(hdr))
    links.new(texture.outputs["Color"], nodes["Background"].inputs["Color"])
    nodes["Background"].inputs["Strength"].default_value = 1.0  # the add-on's default strength

    bpy.ops.mesh.primitive_plane_add(size=20.0)
    bpy.ops.mesh.primitive_cube_add(size=2.0, location=(0.0, 0.0, 1.0))
    camera = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    camera.data.type = "ORTHO"
    camera.data.ortho_scale = 2.0 * HALF_WIDTH
    camera.location = (0.0, 0.0, 10.0)  # looking down -Z; image right is +X, image up is +Y
    scene.collection.objects.link(camera)
    scene.camera = camera

    estimate = sun.from_report(report)
    sun_light.place_sun(scene, estimate.direction, strength=estimate.irradiance * 1.0, angle=estimate.angle)
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = 64  # at 16 a 3x3 patch of the plane varied by 20%: as much as the test's margin
    scene.cycles.use_denoising = False
    scene.render.resolution_x = scene.render.resolution_y = PIXELS
    scene.render.image_settings.file_format = "OPEN_EXR"
    return scene


def _render(scene: bpy.types.Scene, path: Path) -> np.ndarray:
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)
    image = bpy.data.images.load(str(path))
    pixels = np.empty(PIXELS * PIXELS * 4, np.float32)
    image.pixels.foreach_get(pixels)
    return pixels.reshape(PIXELS, PIXELS, 4)[..., :3] @ LUMA  # rows from the bottom: row index is +Y


def _plane_at(luma: np.ndarray, x: float, y: float) -> float:
    """Mean luminance of a 3x3 patch of the plane around world point (x, y)."""
    col = int((x + HALF_WIDTH) / (2 * HALF_WIDTH) * PIXELS)
    row = int((y + HALF_WIDTH) / (2 * HALF_WIDTH) * PIXELS)
    return float(luma[row - 1 : row + 2, col - 1 : col + 2].mean())


@pytest.mark.parametrize(("cloud", "sun_option"), [("cumulus", "40,30"), ("cirrus", "auto")])
def test_the_cube_shadow_falls_away_from_the_sun(tmp_path: Path, cloud: str, sun_option: str) -> None:
    result = skyasset.generate(cloud, 1, tmp_path / "sky.png", size=512, hdr=True, sun=sun_option)
    report = json.loads((tmp_path / "sky.json").read_text())["sun"]
    assert report == result.sun and report["present"], f"{cloud} with --sun {sun_option} should have a sun"
    scene = _scene_with_sky(tmp_path / "sky.hdr", report)
    luma = _render(scene, tmp_path / "render.exr")

    toward = np.array(sun.from_report(report).direction[:2])
    toward /= np.linalg.norm(toward)
    elevation = math.radians(report["elevation_deg"])
    # Halfway along the shadow of a cube 2 high, from its side; a low sun's long shadow is sampled inside the view.
    reach = min(1.0 + 0.5 * 2.0 / math.tan(elevation), HALF_WIDTH - 0.75)
    lit = _plane_at(luma, *(toward * reach))
    shaded = _plane_at(luma, *(-toward * reach))
    # Direct light on the plane scales with sin(elevation): a low sun's shadow is real but shallower.
    depth = 0.8 if report["elevation_deg"] >= 15.0 else 0.9
    assert shaded < depth * lit, f"no shadow away from the sun: lit {lit:.3f}, away {shaded:.3f}"
    # Sideways (perpendicular to the sun) the plane is lit as on the sun's side: the shadow is not a blur.
    side = np.array([-toward[1], toward[0]]) * reach
    assert 0.5 * (_plane_at(luma, *side) + _plane_at(luma, *-side)) > 0.9 * lit
