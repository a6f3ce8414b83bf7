"""Per-world settings (``World.skyasset``), with the Cloud menu read from :mod:`.cloud_cache`."""

from __future__ import annotations

from pathlib import Path

import bpy
from bpy.props import (
    BoolProperty,
    EnumProperty,
    FloatProperty,
    FloatVectorProperty,
    IntProperty,
    StringProperty,
)

from . import cli_bridge, cloud_cache, preferences, sun_light, world_nodes

__all__ = ["SkyassetWorldSettings", "cloud_items", "refresh_cloud_types", "request_cloud_types"]

SIZES = (512, 1024, 2048, 4096, 8192)

# Blender keeps only pointers to enum item strings: these lists must stay referenced here.
_no_items: dict[str, list[tuple[str, str, str]]] = {}  # one list per reason


def _cli_and_model(context: bpy.types.Context) -> tuple[str | None, Path | None]:
    """The CLI the preferences point at (None if not found) and the model they name."""
    prefs = preferences.get_preferences(context)
    return preferences.resolve_executable(prefs), preferences.model_path(prefs)


def request_cloud_types(context: bpy.types.Context) -> None:
    """Start asking the CLI for its cloud types in the background, unless they are known or being asked for.

    Returns at once; the Properties editor is redrawn when the answer arrives. For the panel's first draw.
    """
    if cloud_cache.cloud_types_ready() or cloud_cache.cloud_types_loading():
        return
    executable, model = _cli_and_model(context)
    if executable is None:
        cloud_cache.store_cli_missing()
        return
    cloud_cache.start_request(executable, model)


def refresh_cloud_types(context: bpy.types.Context) -> None:
    """Ask the CLI for its cloud types now (about a second) and cache them for the Cloud menu."""
    cloud_cache.invalidate_cloud_types()
    executable, model = _cli_and_model(context)
    if executable is None:
        cloud_cache.store_cli_missing()
        return
    cloud_cache.query_now(executable, model)


def cloud_items(_self: object, context: bpy.types.Context | None) -> list[tuple[str, str, str]]:
    """Enum items for the Cloud menu, from the CLI on first use, then cached.

    Scripts and operators that read the menu before the list is known wait for it (a background request
    under way is waited for, not repeated); the panel draws a loading line instead (see ``request_cloud_types``).
    """
    if not cloud_cache.cloud_types_ready() and context is not None:
        cloud_cache.wait_for_request(cli_bridge.QUERY_TIMEOUT)
        if not cloud_cache.cloud_types_ready():
            refresh_cloud_types(context)
    items = cloud_cache.cached_items()
    if items:
        return items
    reason = cloud_cache.cloud_types_error() or ""
    return _no_items.setdefault(reason, [("NONE", "(no cloud types)", reason)])


def _get_cloud(self: SkyassetWorldSettings) -> int:
    names = [item[0] for item in cloud_items(self, bpy.context)]
    return names.index(self.cloud_name) if self.cloud_name in names else 0


def _set_cloud(self: SkyassetWorldSettings, index: int) -> None:
    items = cloud_items(self, bpy.context)
    if 0 <= index < len(items) and items[index][0] != "NONE":
        self.cloud_name = items[index][0]


def _update_strength(self: SkyassetWorldSettings, _context: bpy.types.Context) -> None:
    world_nodes.set_strength(self.id_data, self.strength)


def _update_rotation(self: SkyassetWorldSettings, _context: bpy.types.Context) -> None:
    world_nodes.set_rotation(self.id_data, self.rotation)
    sun_light.follow_rotation(self.sun_object, tuple(self.sun_direction), self.rotation)


class SkyassetWorldSettings(bpy.types.PropertyGroup):
    cloud: EnumProperty(  # type: ignore[valid-type]
        name="Cloud Type",
        description="Cloud genus to generate",
        items=cloud_items,
        get=_get_cloud,
        set=_set_cloud,
    )
    cloud_name: StringProperty(name="Cloud Name", default="cumulus", options={"HIDDEN"})  # type: ignore[valid-type]
    seed: IntProperty(  # type: ignore[valid-type]
        name="Seed", description="Same seed, same sky", default=7, min=0, max=2**31 - 1
    )
    psi: FloatProperty(  # type: ignore[valid-type]
        name="Variety",
        description="Truncation psi: 1 = full variety, 0 = the cloud type's average sky",
        default=0.7,
        min=0.0,
        max=1.0,
        subtype="FACTOR",
    )
    size: EnumProperty(  # type: ignore[valid-type]
        name="Size",
        description="Panorama width in pixels (height is half)",
        items=[(str(s), f"{s} x {s // 2}", "") for s in SIZES],
        default="2048",
    )
    upscale: EnumProperty(  # type: ignore[valid-type]
        name="Upscale",
        description="How a large sky gets its detail from the generator's small views",
        items=[
            ("none", "None", "Interpolate the views (fastest, softest)"),
            ("fast", "Fast", "Bundled 4x network: about as fast, barely different from None on a sky"),
            ("best", "Best", "Real-ESRGAN x4plus: sharpest, minutes on a CPU (needs skyasset[best])"),
        ],
        default="none",  # fast adds no visible detail to a sky (README: "What each upscale mode buys")
    )
    pack: BoolProperty(  # type: ignore[valid-type]
        name="Pack into .blend",
        description="Store the sky image inside the .blend file (always done while the file is unsaved, "
        "because its skies live in a temporary folder until then)",
        default=False,
    )
    hdr: BoolProperty(  # type: ignore[valid-type]
        name="HDR", description="Also write an HDR sky and light the scene with it", default=True
    )
    strength: FloatProperty(  # type: ignore[valid-type]
        name="Strength",
        description="Background strength of the sky",
        default=1.0,
        min=0.0,
        soft_max=10.0,
        update=_update_strength,
    )
    rotation: FloatProperty(  # type: ignore[valid-type]
        name="Rotation",
        description="Turn the sky about the vertical axis",
        default=0.0,
        subtype="ANGLE",
        update=_update_rotation,
    )
    add_sun: BoolProperty(  # type: ignore[valid-type]
        name="Sun",
        description="Add or update a Sun light aimed at the brightest region of the sky",
        default=False,
    )
    sun_direction: FloatVectorProperty(  # type: ignore[valid-type]
        name="Sun Direction",
        description="Where the sun is in the unrotated sky image",
        size=3,
        default=(0.0, 0.0, 1.0),
        options={"HIDDEN"},
    )
    sun_object: StringProperty(name="Sun Object", options={"HIDDEN"})  # type: ignore[valid-type]
    last_result: StringProperty(name="Last Sky", options={"HIDDEN"})  # type: ignore[valid-type]
