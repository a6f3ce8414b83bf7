"""Seam and redundancy measures of a skybox, used by the tests and by ``skyasset bench skybox``.

All scores compare a step across a seam with the typical step between neighbouring pixels away from it, so
1.0 means the seam is as visible as any other pixel boundary (invisible); 2.0 means twice as strong.
"""

from __future__ import annotations

import cv2
import numpy as np

from skyasset.assets.cubemap import equirect_to_faces

__all__ = [
    "wrap_seam_score",
    "cube_edge_score",
    "unique_pixel_share",
    "period_correlation",
    "repeat_correlation",
    "ring_edge",
    "ring_excess",
    "sky_detail_share",
]


def _as_float(img: np.ndarray) -> np.ndarray:
    arr = np.asarray(img)
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0
    return arr.astype(np.float32)


def wrap_seam_score(equirect: np.ndarray, *, window: int = 8) -> float:
    """Mean |difference| across the +-180 degree seam / mean |difference| between neighbouring interior columns.

    The interior pairs are the ``window`` column pairs on each side of the seam (not crossing it), so the score
    says how much the seam stands out from its own surroundings; the cube edges are scored the same way.
    """
    e = _as_float(equirect)
    seam = float(np.abs(e[:, 0] - e[:, -1]).mean())
    k = max(1, min(window, e.shape[1] // 4))
    inner = np.concatenate([np.diff(e[:, : k + 1], axis=1), np.diff(e[:, -k - 1 :], axis=1)], axis=1)
    return seam / max(float(np.abs(inner).mean()), 1e-8)


# The 12 cube edges as (face a, side of a, face b, side of b, reversed): the texel line along `side` of face a
# touches the one along `side` of face b; `reversed` when they run in opposite directions. Sides: t(op),
# b(ottom), l(eft), r(ight); lines run left->right for t/b and top->bottom for l/r (face orientation: cubemap.py).
_AROUND = ("front", "left", "back", "right")  # the side faces, each one's right edge touching the next one's left
_EDGES: tuple[tuple[str, str, str, str, bool], ...] = (
    *((face, "r", after, "l", False) for face, after in zip(_AROUND, _AROUND[1:] + _AROUND[:1], strict=True)),
    # The up face's bottom, right, top and left sides touch the top of the side faces, in _AROUND's order ...
    *(
        ("up", side, face, "t", rev)
        for side, face, rev in zip("brtl", _AROUND, (False, True, True, False), strict=True)
    ),
    # ... and the down face's top, right, bottom and left sides touch their bottom.
    *(
        ("down", side, face, "b", rev)
        for side, face, rev in zip("trbl", _AROUND, (False, False, True, True), strict=True)
    ),
)


def _line(face: np.ndarray, side: str, depth: int = 0) -> np.ndarray:
    if side == "t":
        return face[depth]
    if side == "b":
        return face[-1 - depth]
    if side == "l":
        return face[:, depth]
    return face[:, -1 - depth]


def cube_edge_score(faces: dict[str, np.ndarray] | np.ndarray, face_size: int = 256) -> float:
    """Mean |difference| across all 12 cube edges / mean |difference| between the next inner texel lines.

    ``faces`` is a dict of the six faces (Unity names) or an equirect, which is cut into ``face_size`` faces.
    """
    if not isinstance(faces, dict):
        faces = equirect_to_faces(_as_float(faces), face_size)
    f = {k: _as_float(v) for k, v in faces.items()}
    across, inner = [], []
    for a, sa, b, sb, rev in _EDGES:
        la, lb = _line(f[a], sa), _line(f[b], sb)
        if rev:
            lb = lb[::-1]
        across.append(np.abs(la - lb).mean())
        inner.append(np.abs(_line(f[a], sa, 0) - _line(f[a], sa, 1)).mean())
        inner.append(np.abs(_line(f[b], sb, 0) - _line(f[b], sb, 1)).mean())
    return float(np.mean(across) / max(float(np.mean(inner)), 1e-8))


def unique_pixel_share(equirect: np.ndarray, *, columns: int = 512, tolerance: float = 2.0 / 255.0) -> float:
    """Share of panorama columns that are not a copy (or mirror copy) of another column.

    The equirect is reduced to ``columns`` columns (area average). Scanning left to right, a column counts as a
    copy when some earlier unique column at least 2 % of the width away matches it within ``tolerance`` at
    *every* row (max |difference|). Mirroring half the image gives 0.5; distinct columns give 1.0.
    """
    e = _as_float(equirect)
    h, w = e.shape[:2]
    cols = min(columns, w)
    small = cv2.resize(e, (cols, max(8, h * cols // w)), interpolation=cv2.INTER_AREA)
    vecs = small.transpose(1, 0, 2).reshape(cols, -1)
    gap = max(2, cols // 50)
    unique: list[int] = []
    for x in range(cols):
        if unique:
            idx = np.asarray(unique)
            far = np.minimum(np.abs(idx - x), cols - np.abs(idx - x)) >= gap
            if far.any():
                d = np.abs(vecs[idx[far]] - vecs[x]).max(axis=1)
                if (d <= tolerance).any():
                    continue
        unique.append(x)
    return len(unique) / cols


def _grey(e: np.ndarray) -> np.ndarray:
    return e @ np.array([0.299, 0.587, 0.114], np.float32) if e.ndim == 3 else e


def period_correlation(
    equirect: np.ndarray, *, shift_degrees: float = 60.0, band: tuple[float, float] = (0.0, 40.0)
) -> float:
    """Correlation of the sky band with itself turned by ``shift_degrees``: how much the panorama repeats.

    The band (elevations ``band`` in degrees, grey) has each row's mean removed, so a vertical gradient, the
    same in every direction of any sky, does not count as repetition. A ring of six near-copy views scores
    close to 1 at 60 degrees; real sky panoramas score about -0.05..0.25.
    """
    e = _grey(_as_float(equirect))
    h, w = e.shape[:2]
    lo, hi = band
    top = int(round((90.0 - hi) / 180.0 * h))
    bottom = int(round((90.0 - lo) / 180.0 * h))
    strip = e[top:bottom]
    strip = strip - strip.mean(axis=1, keepdims=True)
    shifted = np.roll(strip, int(round(shift_degrees / 360.0 * w)), axis=1)
    denom = float(np.sqrt((strip**2).sum() * (shifted**2).sum()))
    return float((strip * shifted).sum() / denom) if denom > 1e-12 else 0.0


PEAK_DEG = 5.0  # a repeat is a peak of the band's correlation over this many degrees either side


def repeat_correlation(
    equirect: np.ndarray,
    *,
    band: tuple[float, float] = (0.0, 40.0),
    detail_deg: float = 4.0,
    min_shift_deg: float = 45.0,
) -> tuple[float, float]:
    """The sky band's clouds drawn again elsewhere round it: ``(correlation, turn in degrees)`` of the band's detail
    with itself turned by the turn, between ``min_shift_deg`` and ``360 - min_shift_deg``, where it is largest.

    Only the detail counts (the band, grey, minus a Gaussian blur of ``detail_deg``, minus each row's mean, which
    layers level all round share with every turn): the light's large-scale layout (a dark cloud mass on one side,
    a bright one across) correlates with itself at half a turn in every sky, real ones included, and hid the
    clouds that do come round again. Only peaks count, and every turn is tried (one FFT along the
    longitude), so a copy that is not exactly 60, 120 or 180 degrees away is found too.
    """
    e = _grey(_as_float(equirect))
    h, w = e.shape[:2]
    lo, hi = band
    strip = e[int(round((90.0 - hi) / 180.0 * h)) : int(round((90.0 - lo) / 180.0 * h))].astype(np.float32)
    sigma = max(0.5, detail_deg / 360.0 * w)
    pad = min(w, int(4 * sigma) + 1)
    wide = np.concatenate([strip[:, -pad:], strip, strip[:, :pad]], axis=1)
    detail = (wide - cv2.GaussianBlur(wide, (0, 0), sigma, borderType=cv2.BORDER_REFLECT))[:, pad : pad + w]
    detail = detail - detail.mean(axis=1, keepdims=True)  # what every azimuth shares (level layers) is no repeat
    spectrum = np.fft.rfft(detail.astype(np.float64), axis=1)
    auto = np.fft.irfft((spectrum * spectrum.conj()).sum(axis=0), n=w)
    if auto[0] <= 1e-12:
        return 0.0, 0.0
    turns = np.arange(w) / w * 360.0
    # Only peaks count: long bands of stratus correlate with themselves over tens of degrees, falling off
    # smoothly, which is not a copy.
    reach = max(1, int(round(PEAK_DEG / 360.0 * w)))
    around = np.max([np.roll(auto, k) for k in range(-reach, reach + 1) if k], axis=0)
    allowed = (turns >= min_shift_deg) & (turns <= 360.0 - min_shift_deg) & (auto >= around)
    if not allowed.any():
        return 0.0, 0.0
    best = int(np.flatnonzero(allowed)[np.argmax(auto[allowed])])
    return float(auto[best] / auto[0]), float(turns[best])


RING_BAND_DEG = (12.0, 70.0)  # elevations searched for a ring: above the horizon's haze, below the zenith


def _one_degree_grid(equirect: np.ndarray) -> np.ndarray:
    """The sky's grey at one pixel per degree, ``[180, 360]``, row 0 at the zenith."""
    return cv2.resize(_grey(_as_float(equirect)).astype(np.float32), (360, 180), interpolation=cv2.INTER_AREA)


def _ring_score(grid: np.ndarray, band: tuple[float, float], smooth_deg: float) -> float:
    upper = grid[:90]  # elevation 90 .. 0
    detail = upper - cv2.GaussianBlur(upper, (0, 0), sigmaX=0.1, sigmaY=smooth_deg, borderType=cv2.BORDER_REFLECT)
    across = np.abs(np.diff(detail, axis=0).mean(axis=1))  # between rows k and k + 1: elevation 89 - k
    elevation = 89.0 - np.arange(len(across))
    inside = (elevation >= band[0]) & (elevation <= band[1])
    return float(across[inside].max() * 255.0) if inside.any() else 0.0


def ring_edge(equirect: np.ndarray, *, band: tuple[float, float] = RING_BAND_DEG, smooth_deg: float = 6.0) -> float:
    """The strongest edge that runs all round the sky at one elevation, in 1/255 of luminance per degree.

    Seen at 45 degrees, an edge at one elevation everywhere (a band of cloud whose tops end at the same height all
    round, under a different dome) is a ring or funnel around the viewer. The sky, at one pixel per degree, minus
    a blur of ``smooth_deg`` along the elevation (the sky's slow change from horizon to zenith is no edge), is
    differentiated along the elevation; at each elevation the gradient is averaged round the sky, where edges of
    single clouds cancel and a ring adds up; the largest average over ``band`` is the score.

    The average of 360 columns does not cancel single clouds fully: a busy sky scores several units with no ring
    at all (:func:`ring_excess` divides that part out).
    """
    return _ring_score(_one_degree_grid(equirect), band, smooth_deg)


RING_SECTORS = 12  # the null's sectors round the sky (30 degrees each)
RING_SHIFT_DEG = 8  # each sector moved up or down by at most this much
RING_NULL_DRAWS = 6


def ring_excess(equirect: np.ndarray, *, band: tuple[float, float] = RING_BAND_DEG, smooth_deg: float = 6.0) -> float:
    """:func:`ring_edge` over what the same clouds score without a ring: about 1 for no ring, more for a ring.

    ``ring_edge`` of a generated sky mostly reads how busy its clouds are: the average round the sky of a texture
    with few independent clouds across it is far from zero at some elevation, and the largest of 58 elevations
    is taken. The null keeps every cloud and breaks every ring: the sky cut into ``RING_SECTORS`` sectors, each
    moved up or down by a random whole number of degrees up to ``RING_SHIFT_DEG`` (a ring at one elevation is
    spread over 17 degrees). The score is ``ring_edge`` over the null's mean over ``RING_NULL_DRAWS`` fixed draws.
    """
    grid = _one_degree_grid(equirect)
    rng = np.random.default_rng(0)
    width = grid.shape[1] // RING_SECTORS
    nulls = []
    for _ in range(RING_NULL_DRAWS):
        moved = grid.copy()
        for k, shift in enumerate(rng.integers(-RING_SHIFT_DEG, RING_SHIFT_DEG + 1, RING_SECTORS)):
            block = slice(k * width, (k + 1) * width)
            moved[:, block] = np.roll(grid[:, block], int(shift), axis=0)
        nulls.append(_ring_score(moved, band, smooth_deg))
    return _ring_score(grid, band, smooth_deg) / max(float(np.mean(nulls)), 1e-6)


def sky_detail_share(
    equirect: np.ndarray, *, min_elevation: float = 45.0, tile_degrees: float = 10.0, threshold: float = 0.01
) -> float:
    """Share of the sky above ``min_elevation`` that holds detail (not a flat fill).

    The cap is cut into tiles of about ``tile_degrees`` (in solid angle: tiles widen towards the zenith) and a
    tile counts as detailed when the standard deviation of its grey values, after removing the tile's mean
    vertical gradient, exceeds ``threshold`` (in [0, 1] units, ~2.5 grey levels of 255). Area-weighted by
    cos(elevation).
    """
    e = _grey(_as_float(equirect))
    h, w = e.shape[:2]
    rows = int(round((90.0 - min_elevation) / 180.0 * h))
    tile = max(2, int(round(tile_degrees / 180.0 * h)))
    detail = total = 0.0
    for y0 in range(0, rows, tile):
        y1 = min(rows, y0 + tile)
        elevation = 90.0 - (y0 + y1) / 2.0 / h * 180.0
        weight = max(float(np.cos(np.radians(elevation))), 1e-3)
        # Tiles near the zenith span more longitude for the same solid angle.
        width = min(w, max(tile, int(round(tile / weight))))
        for x0 in range(0, w - width + 1, width):
            block = e[y0:y1, x0 : x0 + width]
            block = block - block.mean(axis=1, keepdims=True)
            area = weight * (y1 - y0) * width
            total += area
            if float(block.std()) > threshold:
                detail += area
    return detail / total if total else 0.0
