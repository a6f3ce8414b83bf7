"""Add-on preferences: where the CLI is, where skies go, which model to use."""

from __future__ import annotations

from pathlib import Path

import bpy
from bpy.props import StringProperty

from . import cli_bridge, cloud_cache

__all__ = ["SkyassetPreferences", "get_preferences", "resolve_executable", "model_path"]

# The add-on's top package: "blender_addon" as a legacy add-on, "bl_ext.<repo>.skyasset" as an extension.
ADDON_PACKAGE = __package__ or "skyasset"


def _cli_changed(_self: bpy.types.AddonPreferences, _context: bpy.types.Context) -> None:
    cloud_cache.invalidate_cloud_types()


class SkyassetPreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_PACKAGE

    executable: StringProperty(  # type: ignore[valid-type]
        name="skyasset Executable",
        description="Path to the skyasset program; empty = find `skyasset` on PATH",
        subtype="FILE_PATH",
        update=_cli_changed,
    )
    output_dir: StringProperty(  # type: ignore[valid-type]
        name="Output Folder",
        description="Where generated skies are written; empty = a 'skies' folder next to the .blend file "
        "(a temporary folder while the file is unsaved)",
        subtype="DIR_PATH",
    )
    model: StringProperty(  # type: ignore[valid-type]
        name="Model Bundle",
        description="Model bundle folder; empty = the CLI's default ($SKYASSET_MODEL or its packaged model)",
        subtype="DIR_PATH",
        update=_cli_changed,
    )

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        found = cli_bridge.find_executable(bpy.path.abspath(self.executable))
        layout.prop(self, "executable")
        layout.label(
            text=f"Using: {found}" if found else "skyasset not found: install it or set the path",
            icon="CHECKMARK" if found else "ERROR",
        )
        layout.prop(self, "output_dir")
        layout.prop(self, "model")
        layout.operator("skyasset.check_cli", icon="FILE_REFRESH")


def get_preferences(context: bpy.types.Context) -> SkyassetPreferences:
    return context.preferences.addons[ADDON_PACKAGE].preferences


def resolve_executable(prefs: SkyassetPreferences) -> str | None:
    return cli_bridge.find_executable(bpy.path.abspath(prefs.executable))


def model_path(prefs: SkyassetPreferences) -> Path | None:
    return Path(bpy.path.abspath(prefs.model)) if prefs.model.strip() else None
