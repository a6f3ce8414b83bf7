"""sRGB decoding and encoding, computed in place, give exactly the values of the IEC 61966-2-1 formulas."""

from __future__ import annotations

import numpy as np

from skyasset.assets.sphere import linear_to_srgb, srgb_to_linear


def _values() -> np.ndarray:
    rng = np.random.default_rng(7)
    edges = np.float32([0.0, 0.0031308, 0.04045, 0.5, 1.0])
    return np.concatenate([rng.random(29995, dtype=np.float32), edges]).reshape(-1, 5, 3)  # 30000 values


def test_decoding_is_the_formula_bit_for_bit() -> None:
    x = _values()
    formula = np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4).astype(np.float32)
    np.testing.assert_array_equal(srgb_to_linear(x), formula)


def test_encoding_is_the_formula_bit_for_bit_and_clips() -> None:
    x = np.concatenate([_values().ravel(), np.float32([-0.5, 1.5])])
    clipped = np.clip(x, 0.0, 1.0)
    formula = np.where(clipped <= 0.0031308, clipped * 12.92, 1.055 * clipped ** (1 / 2.4) - 0.055)
    np.testing.assert_array_equal(linear_to_srgb(x), formula.astype(np.float32))


def test_the_input_is_left_alone_and_shapes_are_kept() -> None:
    x = _values()
    before = x.copy()
    assert srgb_to_linear(x).shape == x.shape and linear_to_srgb(x).shape == x.shape
    np.testing.assert_array_equal(x, before)
    assert srgb_to_linear(np.float32(0.5)).shape == () and srgb_to_linear(np.zeros((0, 3))).shape == (0, 3)
    assert srgb_to_linear(x[:, ::2]).dtype == np.float32  # a strided view
