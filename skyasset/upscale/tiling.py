"""Run an image-to-image network over overlapping tiles so memory stays flat at any image size.

Tiles are spread evenly and all have the same size. Two ways to join them:

``crop``
    Each output pixel is taken from the tile in whose middle it lies; the overlap only supplies context.
    When half the overlap covers the network's receptive field the result equals running the whole image at
    once, bit for bit up to float rounding: no seam can exist. Right for the small fast network.
``feather``
    Each output tile is weighted by a ramp that falls toward the tile's inner edges and the weighted sum is
    divided by the summed weights, so neighbours cross-fade over the overlap. Right for networks whose
    receptive field is larger than any practical overlap (Real-ESRGAN).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

__all__ = ["TileJoin", "tile_starts", "feather_ramp", "run_tiled"]

TileJoin = Literal["crop", "feather"]
TileFn = Callable[[np.ndarray], np.ndarray]  # [3, h, w] float32 -> [3, s*h, s*w] float32
ProgressFn = Callable[[int, int], None]  # (tiles done, tiles total)


def tile_starts(length: int, tile: int, overlap: int) -> tuple[list[int], int]:
    """Evenly spread tiles over ``[0, length)``: (start offsets, tile size).

    Uses the fewest tiles of at most ``tile`` pixels that overlap by at least ``overlap``, then shrinks the
    tile so they cover the length evenly (less work than fixed tiles whose last one is pushed back).
    """
    if length <= tile:
        return [0], length
    count = -(-(length - overlap) // (tile - overlap))
    size = -(-(length + (count - 1) * overlap) // count)
    starts = [round(i * (length - size) / (count - 1)) for i in range(count)]
    return starts, size


def feather_ramp(size: int, overlap_before: int, overlap_after: int) -> np.ndarray:
    """1-D weight that cross-fades over the middle half of each overlap and is 1 elsewhere.

    The outer quarter of an overlap (the tile edge, where a zero-padded network is least right) gets a
    weight of ~0; the middle half ramps linearly, so two neighbours' weights sum to 1 across the overlap.
    Weights stay strictly positive so every output pixel has a defined value.
    """
    ramp = np.ones(size, dtype=np.float32)
    position = np.arange(size, dtype=np.float32) + 0.5
    if overlap_before > 0:
        ramp = np.minimum(ramp, (position - overlap_before / 4) / (overlap_before / 2))
    if overlap_after > 0:
        ramp = np.minimum(ramp, (size - position - overlap_after / 4) / (overlap_after / 2))
    return np.clip(ramp, 1e-6, 1.0)


def _overlaps(starts: list[int], tile: int) -> list[tuple[int, int]]:
    """(overlap with the previous tile, overlap with the next tile) for each start offset."""
    result = []
    for i, start in enumerate(starts):
        before = starts[i - 1] + tile - start if i > 0 else 0
        after = start + tile - starts[i + 1] if i + 1 < len(starts) else 0
        result.append((before, after))
    return result


def _owned(starts: list[int], tile: int, length: int) -> list[tuple[int, int]]:
    """For ``crop``: the ``[begin, end)`` range each tile writes, split at the middle of each overlap."""
    cuts = [0] + [start + (starts[i - 1] + tile - start) // 2 for i, start in enumerate(starts) if i > 0]
    return list(zip(cuts, cuts[1:] + [length], strict=True))


def run_tiled(
    image: np.ndarray,
    fn: TileFn,
    *,
    scale: int,
    tile: int,
    overlap: int,
    blend: TileJoin = "feather",
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """Apply ``fn`` to overlapping tiles of ``image`` ``[3, H, W]`` and join them into ``[3, s*H, s*W]``.

    Parameters
    ----------
    image
        float32 ``[3, H, W]``.
    fn
        Maps a ``[3, h, w]`` tile to ``[3, scale*h, scale*w]``.
    scale
        Integer upscaling factor of ``fn``.
    tile, overlap
        Tile edge and minimum overlap in input pixels (``0 <= overlap < tile``).
    blend
        ``crop`` or ``feather`` (see the module docstring).
    progress
        Called after each tile with (done, total).
    """
    if not 0 <= overlap < tile:
        raise ValueError(f"overlap {overlap} must be >= 0 and smaller than the tile {tile}")
    _, height, width = image.shape
    (ys, th), (xs, tw) = tile_starts(height, tile, overlap), tile_starts(width, tile, overlap)
    out = np.zeros((3, height * scale, width * scale), dtype=np.float32)
    weight = np.zeros((height * scale, width * scale), dtype=np.float32) if blend == "feather" else None
    y_parts = _overlaps(ys, th) if blend == "feather" else _owned(ys, th, height)
    x_parts = _overlaps(xs, tw) if blend == "feather" else _owned(xs, tw, width)
    total, done = len(ys) * len(xs), 0
    for y, (y0, y1) in zip(ys, y_parts, strict=True):
        for x, (x0, x1) in zip(xs, x_parts, strict=True):
            result = fn(np.ascontiguousarray(image[:, y : y + th, x : x + tw]))
            if weight is None:  # crop: copy the owned part
                out[:, y0 * scale : y1 * scale, x0 * scale : x1 * scale] = result[
                    :, (y0 - y) * scale : (y1 - y) * scale, (x0 - x) * scale : (x1 - x) * scale
                ]
            else:  # feather: here (y0, y1) and (x0, x1) are the overlaps before and after
                w2 = (
                    feather_ramp(th * scale, y0 * scale, y1 * scale)[:, None]
                    * feather_ramp(tw * scale, x0 * scale, x1 * scale)[None, :]
                )
                oy, ox = y * scale, x * scale
                out[:, oy : oy + th * scale, ox : ox + tw * scale] += result * w2
                weight[oy : oy + th * scale, ox : ox + tw * scale] += w2
            done += 1
            if progress is not None:
                progress(done, total)
    if weight is not None:
        out /= weight
    return out
