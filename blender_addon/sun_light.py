"""The optional Sun light, aimed at the sky's brightest region."""

from __future__ import annotations

import bpy
import numpy as np

from . import sun

__all__ = ["image_radiance", "place_sun", "remove_sun", "world_direction", "follow_rotation"]

SUN_NAME = "Skyasset Sun"


def image_radiance(image: bpy.types.Image) -> np.ndarray:
    """The image as linear RGB, rows from the top (Blender stores pixels bottom-up)."""
    width, height = image.size
    channels = image.channels
    pixels = np.empty(width * height * channels, dtype=np.float32)
    image.pixels.foreach_get(pixels)
    rgb = pixels.reshape(height, width, channels)[::-1, :, :3]
    return rgb if image.is_float else sun.srgb_to_linear(rgb)


def place_sun(
    scene: bpy.types.Scene,
    direction: tuple[float, float, float],
    strength: float,
    angle: float,
    name: str = SUN_NAME,
) -> bpy.types.Object:
    """Add or update the Sun object ``name`` in ``scene`` so it shines from ``direction``."""
    obj = bpy.data.objects.get(name)
    if obj is None or obj.type != "LIGHT" or obj.data.type != "SUN":
        light = bpy.data.lights.new(name, type="SUN")
        obj = bpy.data.objects.new(name, light)
    if scene.collection.all_objects.get(obj.name) is None:
        scene.collection.objects.link(obj)
    obj.rotation_mode = "XYZ"
    obj.rotation_euler = sun.sun_rotation_euler(direction)
    obj.data.energy = strength
    obj.data.angle = max(angle, 0.00918)  # Blender's default, the real sun's 0.526 degrees
    return obj


def remove_sun(name: str = SUN_NAME) -> None:
    """Delete the Sun object ``name`` (and its light data) if it exists: a sky without a sun lights nothing."""
    obj = bpy.data.objects.get(name) if name else None
    if obj is not None and obj.type == "LIGHT":
        light = obj.data
        bpy.data.objects.remove(obj)
        if light.users == 0:
            bpy.data.lights.remove(light)


def world_direction(image_direction: tuple[float, float, float], rotation: float) -> tuple[float, float, float]:
    """Where a point of the sky image appears once the Mapping node turns the sky by ``rotation``.

    The Mapping node rotates the lookup vector, so the visible sky turns the opposite way.
    """
    return sun.rotate_z(image_direction, -rotation)


def follow_rotation(name: str, image_direction: tuple[float, float, float], rotation: float) -> None:
    """Re-aim the Sun object ``name`` (if it still exists) after the sky was turned."""
    obj = bpy.data.objects.get(name) if name else None
    if obj is not None and obj.type == "LIGHT":
        obj.rotation_euler = sun.sun_rotation_euler(world_direction(image_direction, rotation))
