"""The Skyasset panel in Properties > World."""

from __future__ import annotations

import bpy

from . import cloud_cache, operators, preview, properties

__all__ = ["SKYASSET_PT_world", "CLASSES"]


class SKYASSET_PT_world(bpy.types.Panel):
    bl_label = "Skyasset Sky"
    bl_idname = "SKYASSET_PT_world"
    bl_space_type = "PROPERTIES"
    bl_region_type = "WINDOW"
    bl_context = "world"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.world is not None

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        settings = context.world.skyasset

        ready = cloud_cache.cloud_types_ready()  # reading the menu before the list is known would wait for the CLI
        if ready:
            layout.prop(settings, "cloud")
        else:
            properties.request_cloud_types(context)
            if cloud_cache.cloud_types_loading():
                layout.label(text=cloud_cache.LOADING_TEXT, icon="TIME")
        error = cloud_cache.cloud_types_error()
        if error:
            layout.label(text=error, icon="ERROR")
        row = layout.row(align=True)
        row.prop(settings, "seed")
        row.operator("skyasset.randomize_seed", text="", icon="FILE_REFRESH")
        layout.prop(settings, "psi")
        shown = preview.current(settings.cloud, settings.seed, settings.psi) if ready else None
        if shown is not None:
            layout.template_icon(icon_value=shown.icon_id, scale=6.0)
        layout.operator("skyasset.preview", icon="HIDE_OFF")
        layout.prop(settings, "size")
        layout.prop(settings, "upscale")
        layout.prop(settings, "hdr")
        layout.prop(settings, "pack")
        if operators.is_generating():
            layout.operator("skyasset.cancel_generate", icon="CANCEL")
        else:
            layout.operator("skyasset.generate", icon="WORLD")
        if settings.last_result:
            layout.label(text=settings.last_result, icon="IMAGE_DATA")

        layout.separator()
        layout.prop(settings, "strength")
        layout.prop(settings, "rotation")
        layout.prop(settings, "add_sun")


CLASSES = (SKYASSET_PT_world,)
