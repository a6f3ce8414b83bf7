"""Equirect <-> cube faces, and the single-image cube layouts (crosses, dice, horizon strip).

Face names and orientation are Unity's ``Skybox/6 Sided`` material: ``_FrontTex`` = +Z, ``_BackTex`` = -Z,
``_LeftTex`` = +X, ``_RightTex`` = -X, ``_UpTex`` = +Y, ``_DownTex`` = -Y (the shader's own property labels).
Unity's "left" texture is the one you see on your *right* when looking at the front face; the names come from
the shader, not from the viewer. Side faces are seen upright from inside; the up and down faces are oriented as
in the cube net (the up face's bottom edge touches the front face's top edge, the down face's top edge touches
the front face's bottom edge).

Cross layouts are the ones Unity's cubemap importer detects (Texture Shape = Cube, Mapping = Auto)::

    cross-h (4x3)        cross-v (3x4)        horizon (6x1, py360convert "horizon")
        +Y                   +Y               +Z +X -Z -X +Y -Y
    -X  +Z  +X  -Z       -X  +Z  +X
        -Y                   -Y
                             -Z (rotated 180 degrees)

``dice`` is py360convert's name for the cross-h arrangement; it is written under its own role for tools
that expect that name. Sampling uses pixel centres (texel ``i`` of ``N`` sits at ``(i + 0.5) / N``), like the
GPUs that display the cube, so neighbouring texels across a face edge are one texel apart, as inside a face.
py360convert samples the edges themselves (``linspace(-0.5, 0.5)``), which repeats every edge texel on both
faces and stretches each face by ``N / (N - 1)``; hence the samplers here (built on ``cv2.remap``, cached).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import cv2
import numpy as np

from skyasset.assets.sphere import directions_to_equirect_pixels, equirect_directions
from skyasset.errors import SkyassetError

__all__ = [
    "FACE_NAMES",
    "CubeLayout",
    "face_directions",
    "equirect_to_faces",
    "faces_to_equirect",
    "pack_faces",
    "unpack_faces",
    "remap_wrap",
]

FaceName = Literal["front", "back", "left", "right", "up", "down"]
CubeLayout = Literal["cross-h", "cross-v", "dice", "horizon"]
FACE_NAMES: tuple[FaceName, ...] = ("front", "back", "left", "right", "up", "down")

# (column, row, quarter turns counter-clockwise applied when packing) of each face in each layout.
_CROSS_H: dict[str, tuple[int, int, int]] = {
    "up": (1, 0, 0),
    "right": (0, 1, 0),
    "front": (1, 1, 0),
    "left": (2, 1, 0),
    "back": (3, 1, 0),
    "down": (1, 2, 0),
}
# cross-v is cross-h with the back face moved from the right end of the middle row to below the down face.
_CROSS_V = {name: place for name, place in _CROSS_H.items() if name != "back"} | {"back": (1, 3, 2)}
_HORIZON: dict[str, tuple[int, int, int]] = {
    name: (column, 0, 0) for column, name in enumerate(("front", "left", "back", "right", "up", "down"))
}
_PLACES: dict[str, tuple[tuple[int, int], dict[str, tuple[int, int, int]]]] = {
    "cross-h": ((4, 3), _CROSS_H),
    "dice": ((4, 3), _CROSS_H),  # py360convert's name for the same arrangement
    "cross-v": ((3, 4), _CROSS_V),
    "horizon": ((6, 1), _HORIZON),
}


def face_directions(name: str, size: int) -> np.ndarray:
    """Unnormalised direction ``[size, size, 3]`` of every texel centre of face ``name``."""
    t = (np.arange(size, dtype=np.float32) + 0.5) / size * 2.0 - 1.0
    a, b = np.meshgrid(t, t)  # a: left -> right, b: top -> bottom
    one = np.ones_like(a)
    xyz = {
        "front": (a, -b, one),
        "left": (one, -b, -a),
        "back": (-a, -b, -one),
        "right": (-one, -b, a),
        "up": (a, one, b),
        "down": (a, -one, -b),
    }[name]
    return np.stack(xyz, axis=-1)


def _pad_equirect(img: np.ndarray) -> np.ndarray:
    """One texel of padding: columns wrap around, the row beyond a pole is the pole row turned by 180 deg."""
    w = img.shape[1]
    padded = np.empty((img.shape[0] + 2, w + 2, *img.shape[2:]), img.dtype)
    padded[1:-1, 1:-1] = img
    padded[0, 1:-1] = np.roll(img[0], w // 2, axis=0)
    padded[-1, 1:-1] = np.roll(img[-1], w // 2, axis=0)
    padded[:, 0] = padded[:, -2]
    padded[:, -1] = padded[:, 1]
    return padded


def remap_wrap(equirect: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """Bilinear sample of an equirect at pixel coordinates, wrapping across the +-180 degree seam."""
    w = equirect.shape[1]
    mx = np.mod(map_x + 0.5, w) - 0.5 + 1.0
    my = map_y + 1.0
    return cv2.remap(_pad_equirect(equirect), mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


@lru_cache(maxsize=8)
def _face_maps(size: int, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-point remap tables for the six faces stacked vertically (``6 * size`` rows)."""
    dirs = np.concatenate([face_directions(n, size) for n in FACE_NAMES], axis=0)
    px, py = directions_to_equirect_pixels(dirs, height, width)
    mx = np.mod(px + 0.5, width) - 0.5 + 1.0
    return cv2.convertMaps(mx, py + 1.0, cv2.CV_16SC2)


def _as_remappable(img: np.ndarray) -> np.ndarray:
    if img.dtype not in (np.uint8, np.uint16, np.float32):
        img = img.astype(np.float32)
    return np.ascontiguousarray(img)


def equirect_to_faces(equirect: np.ndarray, face_size: int) -> dict[str, np.ndarray]:
    """Six cube faces (Unity names, see module doc) sampled bilinearly from an equirect ``[H, W, C]``."""
    if equirect.ndim != 3 or equirect.shape[1] != 2 * equirect.shape[0]:
        raise SkyassetError(
            "invalid_argument", f"An equirect must be [H, 2H, C], got shape {equirect.shape}; resize it to 2:1."
        )
    if face_size < 1:
        raise SkyassetError("invalid_argument", f"Face size must be positive, got {face_size}.")
    h, w = equirect.shape[:2]
    m1, m2 = _face_maps(face_size, h, w)
    stacked = cv2.remap(
        _pad_equirect(_as_remappable(equirect)), m1, m2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    if stacked.ndim == 2:
        stacked = stacked[..., None]
    return {n: stacked[i * face_size : (i + 1) * face_size] for i, n in enumerate(FACE_NAMES)}


@lru_cache(maxsize=8)
def _equirect_maps(face_size: int, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Remap tables from an atlas of the six faces (each padded by one texel) to an equirect."""
    d = equirect_directions(height, width).astype(np.float64)
    ax = np.abs(d)
    major = np.argmax(ax, axis=-1)
    x, y, z = d[..., 0], d[..., 1], d[..., 2]
    # Face index in FACE_NAMES and (a, b) in [-1, 1] inverted from face_directions.
    conds = [
        (major == 2) & (z > 0),
        (major == 2) & (z <= 0),
        (major == 0) & (x > 0),
        (major == 0) & (x <= 0),
        (major == 1) & (y > 0),
        (major == 1) & (y <= 0),
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        a_list = [x / z, x / z, -z / x, -z / x, x / y, -x / y]
        b_list = [-y / z, y / z, -y / x, y / x, z / y, z / y]
    face = np.select(conds, range(6))
    a = np.select(conds, a_list)
    b = np.select(conds, b_list)
    n = face_size
    col = (a + 1.0) / 2.0 * n - 0.5 + 1.0
    row = (b + 1.0) / 2.0 * n - 0.5 + 1.0 + face * (n + 2)
    return cv2.convertMaps(col.astype(np.float32), row.astype(np.float32), cv2.CV_16SC2)


def faces_to_equirect(faces: dict[str, np.ndarray], width: int) -> np.ndarray:
    """Equirect ``[width // 2, width, C]`` from the six faces (the inverse of :func:`equirect_to_faces`)."""
    missing = [n for n in FACE_NAMES if n not in faces]
    if missing:
        raise SkyassetError("invalid_argument", f"Cube faces missing: {', '.join(missing)}.")
    n = faces["front"].shape[0]
    for name in FACE_NAMES:
        if faces[name].shape[:2] != (n, n):
            raise SkyassetError(
                "invalid_argument",
                f"Cube face '{name}' is {faces[name].shape[1]}x{faces[name].shape[0]}; all faces must be "
                f"square and the same size ({n}x{n}).",
            )
    atlas = np.concatenate(
        [cv2.copyMakeBorder(_as_remappable(faces[k]), 1, 1, 1, 1, cv2.BORDER_REPLICATE) for k in FACE_NAMES],
        axis=0,
    )
    m1, m2 = _equirect_maps(n, width // 2, width)
    out = cv2.remap(atlas, m1, m2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out if out.ndim == 3 else out[..., None]


def pack_faces(faces: dict[str, np.ndarray], layout: CubeLayout) -> np.ndarray:
    """Arrange six faces in one image in ``layout`` (unused cells are black)."""
    (cols, rows), places = _PLACES[layout]
    n = faces["front"].shape[0]
    sample = faces["front"]
    out = np.zeros((rows * n, cols * n, *sample.shape[2:]), sample.dtype)
    for name, (c, r, turns) in places.items():
        out[r * n : (r + 1) * n, c * n : (c + 1) * n] = np.rot90(faces[name], turns)
    return out


def unpack_faces(image: np.ndarray, layout: CubeLayout) -> dict[str, np.ndarray]:
    """The six faces of a single-image cube ``layout`` (the inverse of :func:`pack_faces`)."""
    (cols, rows), places = _PLACES[layout]
    h, w = image.shape[:2]
    n = w // cols
    if n * cols != w or n * rows != h:
        raise SkyassetError(
            "invalid_argument",
            f"A {layout} cubemap must be {cols}:{rows} with whole faces, got {w}x{h}.",
        )
    return {
        name: np.ascontiguousarray(np.rot90(image[r * n : (r + 1) * n, c * n : (c + 1) * n], -turns))
        for name, (c, r, turns) in places.items()
    }
