"""Cube faces and layouts: Unity face naming/orientation pinned, round trips within a stated tolerance."""

from __future__ import annotations

import numpy as np
import py360convert
import pytest

from skyasset.assets.cubemap import (
    FACE_NAMES,
    equirect_to_faces,
    face_directions,
    faces_to_equirect,
    pack_faces,
    unpack_faces,
)
from skyasset.assets.sphere import equirect_directions
from skyasset.errors import SkyassetError

# Unity Skybox/6 Sided property labels: _FrontTex "Front [+Z]", _BackTex "Back [-Z]", _LeftTex "Left [+X]",
# _RightTex "Right [-X]", _UpTex "Up [+Y]", _DownTex "Down [-Y]".
UNITY_AXES = {
    "front": (0, 0, 1),
    "back": (0, 0, -1),
    "left": (1, 0, 0),
    "right": (-1, 0, 0),
    "up": (0, 1, 0),
    "down": (0, -1, 0),
}


def direction_image(h: int = 256) -> np.ndarray:
    """An equirect whose colour is its own direction mapped to [0, 1]: any misplaced texel is visible."""
    return (equirect_directions(h, 2 * h) * 0.5 + 0.5).astype(np.float32)


def test_face_centres_look_along_unity_axes() -> None:
    faces = equirect_to_faces(direction_image(), 64)
    for name, axis in UNITY_AXES.items():
        centre = faces[name][31:33, 31:33].mean(axis=(0, 1)) * 2 - 1
        assert np.allclose(centre, axis, atol=0.03), (name, centre)


def test_face_orientation_right_and_up_in_the_image() -> None:
    """Side faces are upright and not mirrored; up/down touch the front face as in the cube net."""
    faces = equirect_to_faces(direction_image(), 64)
    d = {k: v * 2 - 1 for k, v in faces.items()}
    # front: image right = +X, image up = +Y
    assert d["front"][32, -1, 0] > 0.6 and d["front"][0, 32, 1] > 0.6
    # left (+X) is seen when turning right from front: its left edge touches front's right edge (z > 0)
    assert d["left"][32, 0, 2] > 0.6 and d["left"][32, -1, 2] < -0.6
    # right (-X): its right edge touches front (z > 0)
    assert d["right"][32, -1, 2] > 0.6
    # up: bottom row touches the front face (z > 0), right = +X
    assert d["up"][-1, 32, 2] > 0.6 and d["up"][32, -1, 0] > 0.6
    # down: top row touches the front face (z > 0), right = +X
    assert d["down"][0, 32, 2] > 0.6 and d["down"][32, -1, 0] > 0.6


def test_faces_match_py360convert_orientation() -> None:
    """Same faces as py360convert (F R B L U D = front left back right up down here) up to its edge stretch."""
    img = direction_image(128)
    ours = equirect_to_faces(img, 64)
    theirs = py360convert.e2c(img, 64, cube_format="dict")
    mapping = {"F": "front", "R": "left", "B": "back", "L": "right", "U": "up", "D": "down"}
    for key, name in mapping.items():
        assert np.abs(theirs[key] - ours[name]).mean() < 0.01, name


def test_face_directions_are_pixel_centred() -> None:
    d = face_directions("front", 4)
    assert np.allclose(d[0, 0], [-0.75, 0.75, 1.0]) and np.allclose(d[-1, -1], [0.75, -0.75, 1.0])


@pytest.mark.parametrize("layout", ["cross-h", "cross-v", "dice", "horizon"])
def test_pack_unpack_round_trip_is_exact(layout: str) -> None:
    rng = np.random.default_rng(0)
    faces = {n: rng.random((16, 16, 3)).astype(np.float32) for n in FACE_NAMES}
    packed = pack_faces(faces, layout)  # type: ignore[arg-type]
    back = unpack_faces(packed, layout)  # type: ignore[arg-type]
    for n in FACE_NAMES:
        assert np.array_equal(back[n], faces[n]), n


def test_cross_positions_follow_unity_importer() -> None:
    faces = {n: np.full((4, 4, 1), i, np.float32) for i, n in enumerate(FACE_NAMES)}
    cross_h = pack_faces(faces, "cross-h")[::4, ::4, 0]
    # row 0: _ +Y _ _ / row 1: -X +Z +X -Z / row 2: _ -Y _ _
    idx = {n: i for i, n in enumerate(FACE_NAMES)}
    assert cross_h[1].tolist() == [idx["right"], idx["front"], idx["left"], idx["back"]]
    assert cross_h[0, 1] == idx["up"] and cross_h[2, 1] == idx["down"]
    cross_v = pack_faces(faces, "cross-v")[::4, ::4, 0]
    assert cross_v[:, 1].tolist() == [idx["up"], idx["front"], idx["down"], idx["back"]]
    assert cross_v[1].tolist() == [idx["right"], idx["front"], idx["left"]]


def test_vertical_cross_back_face_is_rotated_to_touch_down() -> None:
    faces = equirect_to_faces(direction_image(), 32)
    cross = pack_faces(faces, "cross-v")
    # In the column up-front-down-back, the back face's top row continues the down face's bottom row (z < 0).
    back_top = cross[96, 32:64] * 2 - 1
    down_bottom = cross[95, 32:64] * 2 - 1
    assert np.abs(back_top - down_bottom).mean() < 0.1


# Tolerance: equirect -> six faces (quarter width) -> equirect at the same size, smooth content:
# mean abs error < 0.5 % and max < 3 % of the range (bilinear twice; texel centres agree exactly).
@pytest.mark.parametrize("layout", ["faces", "cross-h", "cross-v", "dice", "horizon"])
def test_equirect_cube_equirect_round_trip(layout: str) -> None:
    img = direction_image(256)
    faces = equirect_to_faces(img, 128)
    if layout != "faces":
        faces = unpack_faces(pack_faces(faces, layout), layout)  # type: ignore[arg-type]
    back = faces_to_equirect(faces, 512)
    err = np.abs(back - img)
    assert err.mean() < 0.005 and err.max() < 0.03, (err.mean(), err.max())


def test_round_trip_of_a_real_sky() -> None:
    """Detail survives within 45 degrees of the horizon (near the poles an equirect holds more texels than the
    cube can): blocky noise round-trips with the error of two bilinear resamplings, no shifted texels."""
    rng = np.random.default_rng(1)
    img = np.kron(rng.random((64, 128, 3)), np.ones((4, 4, 1))).astype(np.float32)
    back = faces_to_equirect(equirect_to_faces(img, 192), 512)
    band = slice(64, 192)
    err = np.abs(back[band] - img[band]).mean()
    shifted = np.abs(np.roll(back, 1, axis=1)[band] - img[band]).mean()
    assert err < 0.05 and err < 0.5 * shifted, (err, shifted)


def test_bad_shapes_raise_skyasset_errors() -> None:
    with pytest.raises(SkyassetError) as err:
        equirect_to_faces(np.zeros((10, 30, 3), np.float32), 8)
    assert err.value.code == "invalid_argument"
    with pytest.raises(SkyassetError):
        unpack_faces(np.zeros((30, 41, 3), np.float32), "cross-h")
    with pytest.raises(SkyassetError):
        faces_to_equirect({"front": np.zeros((4, 4, 3))}, 16)
