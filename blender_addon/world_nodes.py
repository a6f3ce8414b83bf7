"""The world node tree: Texture Coordinate -> Mapping (Z rotation) -> Environment Texture -> Background ->
World Output. Built once, then only updated; nodes that are not ours are never removed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import bpy

__all__ = ["SkyNodes", "ensure_sky_nodes", "find_sky_nodes", "load_sky_image", "set_rotation", "set_strength"]

# Our nodes are found again by these names (the user may rename labels freely).
COORDS = "Skyasset Coordinates"
MAPPING = "Skyasset Mapping"
TEXTURE = "Skyasset Sky"
BACKGROUND = "Skyasset Background"


@dataclass
class SkyNodes:
    coords: bpy.types.ShaderNodeTexCoord
    mapping: bpy.types.ShaderNodeMapping
    texture: bpy.types.ShaderNodeTexEnvironment
    background: bpy.types.ShaderNodeBackground
    output: bpy.types.ShaderNodeOutputWorld


def _node(nodes: bpy.types.Nodes, name: str, kind: str, location: tuple[float, float]) -> bpy.types.Node:
    node = nodes.get(name)
    if node is None or node.bl_idname != kind:
        node = nodes.new(kind)
        node.name = name
        node.location = location
    node.label = name
    return node


def _world_output(nodes: bpy.types.Nodes) -> bpy.types.ShaderNodeOutputWorld:
    outputs = [n for n in nodes if n.bl_idname == "ShaderNodeOutputWorld"]
    for node in outputs:
        if node.is_active_output:
            return node
    if outputs:
        return outputs[0]
    node = nodes.new("ShaderNodeOutputWorld")
    node.location = (300.0, 300.0)
    return node


def ensure_sky_nodes(world: bpy.types.World) -> SkyNodes:
    """Create our nodes where missing, (re)link the chain and connect it to the active World Output.

    Only the World Output's Surface input is taken over; every other node and link stays as it was.
    """
    world.use_nodes = True
    tree = world.node_tree
    nodes, links = tree.nodes, tree.links
    output = _world_output(nodes)
    x, y = output.location
    coords = _node(nodes, COORDS, "ShaderNodeTexCoord", (x - 1000.0, y))
    mapping = _node(nodes, MAPPING, "ShaderNodeMapping", (x - 800.0, y))
    texture = _node(nodes, TEXTURE, "ShaderNodeTexEnvironment", (x - 550.0, y))
    background = _node(nodes, BACKGROUND, "ShaderNodeBackground", (x - 250.0, y))
    mapping.vector_type = "POINT"
    texture.projection = "EQUIRECTANGULAR"
    links.new(coords.outputs["Generated"], mapping.inputs["Vector"])
    links.new(mapping.outputs["Vector"], texture.inputs["Vector"])
    links.new(texture.outputs["Color"], background.inputs["Color"])
    links.new(background.outputs["Background"], output.inputs["Surface"])
    return SkyNodes(coords, mapping, texture, background, output)


def find_sky_nodes(world: bpy.types.World | None) -> SkyNodes | None:
    """Our nodes in ``world`` if the chain exists, else ``None`` (nothing is created)."""
    if world is None or not world.use_nodes or world.node_tree is None:
        return None
    nodes = world.node_tree.nodes
    found = [nodes.get(name) for name in (COORDS, MAPPING, TEXTURE, BACKGROUND)]
    if any(node is None for node in found):
        return None
    return SkyNodes(*found, _world_output(nodes))  # type: ignore[arg-type]


def set_strength(world: bpy.types.World | None, strength: float) -> None:
    sky = find_sky_nodes(world)
    if sky is not None:
        sky.background.inputs["Strength"].default_value = strength


def set_rotation(world: bpy.types.World | None, rotation: float) -> None:
    sky = find_sky_nodes(world)
    if sky is not None:
        sky.mapping.inputs["Rotation"].default_value[2] = rotation


def load_sky_image(path: Path, *, pack: bool = False) -> bpy.types.Image:
    """Load ``path`` as an image datablock; an image already loaded from that file is reloaded, not
    duplicated (regenerating the same cloud and seed overwrites the same file). ``pack`` stores the pixels in
    the .blend, so the sky survives a cleaned temporary folder, Save As and moving the file."""
    image = bpy.data.images.load(str(path), check_existing=True)
    if image.packed_file is not None:
        image.unpack(method="REMOVE")  # the old packed pixels are stale: the file on disk is the new sky
    image.reload()
    if pack:
        image.pack()
    return image
