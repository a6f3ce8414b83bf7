"""Re-render docs/images/blender_world.png: a CCSN cumulus photo made into a sky by ``skyasset convert``,
applied by the Blender add-on (world nodes + sun), three spheres on a plane, Cycles on the CPU.

    python docs/images/blender_world_render.py [PHOTO] [OUT.png]

Needs the ``bpy`` wheel, the ``skyasset`` console script beside this Python and the CCSN photos in
../shared/datasets/ccsn. About a minute on two cores.
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

import bpy

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
PHOTO = REPO.parent / "shared/datasets/ccsn/Cu/Cu-N002.jpg"
SKYASSET = str(Path(sys.executable).with_name("skyasset"))


def _material(name: str, colour: tuple[float, float, float], metallic: float, roughness: float):
    material = bpy.data.materials.new(name)
    material.use_nodes = True
    bsdf = material.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*colour, 1.0)
    bsdf.inputs["Metallic"].default_value = metallic
    bsdf.inputs["Roughness"].default_value = roughness
    return material


def main(photo: Path, out: Path) -> None:
    import addon_utils  # on sys.path only once bpy is imported

    bpy.ops.wm.read_factory_settings(use_empty=True)
    addon_utils.enable("blender_addon", default_set=True, handle_error=None)
    from blender_addon import cli_bridge, operators

    sky = Path(tempfile.mkdtemp()) / "sky.png"
    answer = cli_bridge.run_cli(
        [SKYASSET, "convert", str(photo), "-o", str(sky), "--size", "2048", "--hdr", "--json"], timeout=300
    )
    scene = bpy.context.scene
    scene.world = bpy.data.worlds.new("World")
    settings = scene.world.skyasset
    settings.hdr, settings.add_sun, settings.rotation = True, True, math.radians(30)
    operators.apply_sky(scene, scene.world, answer)

    bpy.ops.mesh.primitive_plane_add(size=40)
    bpy.context.object.data.materials.append(_material("Ground", (0.35, 0.33, 0.3), 0.0, 0.5))
    spheres = [((0.8, 0.8, 0.8), 0.0, 0.5), ((0.9, 0.9, 0.9), 1.0, 0.05), ((0.8, 0.25, 0.1), 0.0, 0.3)]
    for i, (colour, metallic, roughness) in enumerate(spheres):
        bpy.ops.mesh.primitive_uv_sphere_add(radius=1, location=(2.4 * (i - 1), 0, 1), segments=64, ring_count=32)
        bpy.ops.object.shade_smooth()
        bpy.context.object.data.materials.append(_material(f"Sphere {i}", colour, metallic, roughness))

    camera = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    scene.collection.objects.link(camera)
    scene.camera = camera
    camera.location = (0.0, -8.5, 1.6)
    camera.rotation_euler = (math.radians(96), 0.0, 0.0)
    camera.data.lens = 24
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = 24
    scene.cycles.use_denoising = True
    scene.render.resolution_x, scene.render.resolution_y = 640, 360
    scene.view_settings.view_transform = "AgX"
    scene.render.image_settings.file_format = "PNG"
    scene.render.filepath = str(out)
    bpy.ops.render.render(write_still=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(
        Path(args[0]) if args else PHOTO,
        Path(args[1]) if len(args) > 1 else Path(__file__).with_name("blender_world.png"),
    )
