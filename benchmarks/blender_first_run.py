"""An artist's first session with the Blender add-on, scripted in real Blender (the ``bpy`` wheel), with numbers.

    python benchmarks/blender_first_run.py [--out DIR] [--size 4096]

With the default model it walks through what used to go wrong and prints one JSON report:

1. ``skyasset`` not found at first, then the path fixed in Preferences: the cloud menu works at once, and the
   panel's first draw returns without waiting for the CLI (``first_draw_s`` vs ``classes_answer_s``).
2. The sky of an unsaved file is packed; after Save As and reopening the .blend it is still there (not pink).
3. Applying the sky with a Sun takes the sun from the CLI's answer: ``apply_s`` is the main-thread time after
   the CLI finished, for a ``--size`` sky.
10. Generate passes ``--upscale fast``; 11. the largest seed of the shared range (2^31 - 1) is accepted.
12. ``skyasset convert --hdr`` of a real HDR panorama keeps its radiance (peak and median in vs out).

Then it renders the world with three spheres in Cycles (``OUT/blender_generated.png``). About two minutes on two
cores (pause other work first). Needs the ``bpy`` wheel and the ``skyasset`` console script beside this Python.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import bpy
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SKYASSET = str(Path(sys.executable).with_name("skyasset"))
REFERENCE_HDR = REPO.parent / "shared/reference/skies"


def _read_radiance(path: Path) -> np.ndarray:
    import cv2

    return cv2.imread(str(path), cv2.IMREAD_ANYDEPTH | cv2.IMREAD_COLOR).astype(np.float32)


def _scene_objects() -> None:
    ground = bpy.data.materials.new("Ground")
    ground.use_nodes = True
    ground.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (0.35, 0.33, 0.3, 1.0)
    bpy.ops.mesh.primitive_plane_add(size=40)
    bpy.context.object.data.materials.append(ground)
    for i, (metallic, roughness) in enumerate(((0.0, 0.5), (1.0, 0.05), (0.0, 0.3))):
        bpy.ops.mesh.primitive_uv_sphere_add(radius=1, location=(2.4 * (i - 1), 0, 1), segments=64, ring_count=32)
        bpy.ops.object.shade_smooth()
        material = bpy.data.materials.new(f"Sphere {i}")
        material.use_nodes = True
        bsdf = material.node_tree.nodes["Principled BSDF"]
        bsdf.inputs["Metallic"].default_value, bsdf.inputs["Roughness"].default_value = metallic, roughness
        bpy.context.object.data.materials.append(material)


def _render(out: Path) -> None:
    scene = bpy.context.scene
    camera = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    scene.collection.objects.link(camera)
    scene.camera = camera
    camera.location, camera.rotation_euler = (0.0, -8.5, 1.6), (math.radians(96), 0.0, 0.0)
    camera.data.lens = 24
    scene.render.engine = "CYCLES"
    scene.cycles.device, scene.cycles.samples, scene.cycles.use_denoising = "CPU", 24, True
    scene.render.resolution_x, scene.render.resolution_y = 640, 360
    scene.view_settings.view_transform = "AgX"
    scene.render.image_settings.file_format = "PNG"
    scene.render.filepath = str(out)
    bpy.ops.render.render(write_still=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="skyasset-blender-")))
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--cloud", default="cumulus")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    import addon_utils  # on sys.path once bpy is imported

    report: dict[str, Any] = {"size": args.size}
    bpy.ops.wm.read_factory_settings(use_empty=True)
    addon_utils.enable("blender_addon", default_set=True, handle_error=None)
    from blender_addon import cloud_cache, operators, properties

    prefs = bpy.context.preferences.addons["blender_addon"].preferences
    prefs.output_dir = str(args.out / "skies")
    scene = bpy.context.scene
    scene.world = bpy.data.worlds.new("World")
    settings = scene.world.skyasset

    # 1. Not found, then fixed: the draw path asks in the background and returns at once.
    prefs.executable = str(args.out / "nowhere" / "skyasset")
    properties.request_cloud_types(bpy.context)
    report["1_not_found_message"] = cloud_cache.cloud_types_error()
    prefs.executable = SKYASSET
    started = time.perf_counter()
    properties.request_cloud_types(bpy.context)  # what the panel's first draw does
    report["1_first_draw_s"] = time.perf_counter() - started
    while not cloud_cache.cloud_types_ready():
        time.sleep(0.01)
    report["1_classes_answer_s"] = time.perf_counter() - started
    settings.cloud = args.cloud
    report["1_cloud_after_fix"] = settings.cloud

    # 10, 11, 3: Generate with upscale, the largest shared seed, HDR and a sun.
    settings.seed, settings.size, settings.upscale = 2**31 - 1, str(args.size), "fast"
    settings.hdr, settings.add_sun, settings.psi = True, True, 0.7
    applied: list[float] = []
    original_apply = operators.apply_sky

    def timed_apply(*a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return original_apply(*a, **kw)
        finally:
            applied.append(time.perf_counter() - t)

    operators.apply_sky = timed_apply
    started = time.perf_counter()
    result = bpy.ops.skyasset.generate()
    report["10_generate_s"] = time.perf_counter() - started
    operators.apply_sky = original_apply
    image = scene.world.node_tree.nodes["Skyasset Sky"].image
    report["10_11_result"] = sorted(result)
    report["10_11_last_result"] = settings.last_result
    report["10_image"] = {"name": image.name, "size": list(image.size)}
    report["3_apply_s"] = applied[0] if applied else None
    sun = bpy.data.objects.get("Skyasset Sun")
    report["3_sun_rotation"] = list(sun.rotation_euler) if sun else None

    # 2. Unsaved file: packed; Save As and reopen keep it.
    report["2_packed_when_unsaved"] = image.packed_file is not None
    blend = args.out / "scene.blend"
    _scene_objects()
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    image = bpy.context.scene.world.node_tree.nodes["Skyasset Sky"].image
    pixels = np.array(image.pixels[:4096], np.float32).reshape(-1, 4)[:, :3]
    pink = bool(np.allclose(pixels, (1.0, 0.0, 1.0), atol=0.01))
    report["2_after_reopen"] = {"packed": image.packed_file is not None, "has_data": image.has_data, "pink": pink}

    # 12. An HDR panorama stays HDR through convert.
    hdr_inputs = sorted(REFERENCE_HDR.glob("*.hdr"))
    if hdr_inputs:
        from blender_addon import cli_bridge

        source = hdr_inputs[0]
        answer = cli_bridge.run_cli(
            [SKYASSET, "convert", str(source), "-o", str(args.out / "hdr" / "sky.png"), "--hdr", "--json"],
            timeout=600,  # equirect in and out: the same projection, so peak and median compare directly
        )
        written = next(Path(f["path"]) for f in answer["files"] if f["path"].endswith(".hdr"))
        before, after = _read_radiance(source), _read_radiance(written)
        report["12_convert_hdr"] = {
            "input": source.name,
            "peak_in": float(before.max()),
            "peak_out": float(after.max()),
            "median_in": float(np.median(before)),
            "median_out": float(np.median(after)),
        }

    _render(args.out / "blender_generated.png")
    report["render"] = str(args.out / "blender_generated.png")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
