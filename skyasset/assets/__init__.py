"""Skybox assets: panoramas from views, cubemap layouts, HDR, file output and seam metrics."""

from __future__ import annotations

from skyasset.assets.cubemap import (
    FACE_NAMES,
    CubeLayout,
    equirect_to_faces,
    faces_to_equirect,
    pack_faces,
    unpack_faces,
)
from skyasset.assets.hdr import expand_to_hdr, read_hdr
from skyasset.assets.metrics import cube_edge_score, unique_pixel_share, wrap_seam_score
from skyasset.assets.panorama import PANORAMA_METHODS, RING_VIEWS, PanoramaMethod, assemble_panorama
from skyasset.assets.png import read_png_text, write_image
from skyasset.assets.skybox import SKYBOX_LAYOUTS, OutputFile, SkyboxLayout, write_skybox

__all__ = [
    "RING_VIEWS",
    "PANORAMA_METHODS",
    "PanoramaMethod",
    "assemble_panorama",
    "SKYBOX_LAYOUTS",
    "SkyboxLayout",
    "OutputFile",
    "write_skybox",
    "write_image",
    "read_png_text",
    "FACE_NAMES",
    "CubeLayout",
    "equirect_to_faces",
    "faces_to_equirect",
    "pack_faces",
    "unpack_faces",
    "expand_to_hdr",
    "read_hdr",
    "wrap_seam_score",
    "cube_edge_score",
    "unique_pixel_share",
]
