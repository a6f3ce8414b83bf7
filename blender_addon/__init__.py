"""Skyasset for Blender: generate a cloud sky with the skyasset CLI and use it as the world background.

This file only registers. Blender 4.2+ reads blender_manifest.toml (extension); older Blender reads bl_info
(legacy add-on, kept working down to 3.6 LTS). Submodules are imported in register() so that the modules
that need no Blender (cli_bridge, sun, paths) can be imported and tested without bpy.
"""

from __future__ import annotations

bl_info = {
    "name": "Skyasset Sky Generator",
    "author": "skyasset developers",
    "version": (0, 1, 0),
    "blender": (3, 6, 0),
    "location": "Properties > World > Skyasset Sky",
    "description": "Generate a cloud sky for the World from a cloud type and a seed",
    "category": "Lighting",
}


def _classes() -> tuple[type, ...]:
    from . import operators, panels, preferences, properties

    return (
        preferences.SkyassetPreferences,
        properties.SkyassetWorldSettings,
        *operators.CLASSES,
        *panels.CLASSES,
    )


def register() -> None:
    import bpy

    from . import properties

    for cls in _classes():
        bpy.utils.register_class(cls)
    bpy.types.World.skyasset = bpy.props.PointerProperty(type=properties.SkyassetWorldSettings)


def unregister() -> None:
    import bpy

    from . import cloud_cache, operators, preview

    operators.cancel_running_jobs()
    cloud_cache.stop_requests()
    preview.clear()
    del bpy.types.World.skyasset
    for cls in reversed(_classes()):
        bpy.utils.unregister_class(cls)
