"""A cloud layer overhead: the generator's views splatted, rotated, on a flat layer of cloud above the camera.

Views that look at the horizon cover the sky up to 30-45 degrees. Real clouds form a layer at some height: seen
overhead they are large and close, towards the horizon they shrink and crowd. Each direction ``d`` with
elevation ``e`` meets the plane ``y = 1`` at ``(d_x, d_z) / d_y`` (distance on the plane = altitude /
tan(e)), so a texture on that plane is magnified overhead and compressed towards ``min_elevation``, where the
layer fades into the band of views below it.

The plane's texture is made of the views' cloud detail (each view's sky, ground cut off, minus a wide blur of
it), laid as round patches at jittered points of a lattice, each turned by its own angle and cut from its own
part of a view. Earlier layers tiled the views in a 3 x 3 grid: its straight seams and the views' shared "up"
showed overhead as a mosaic with horizontal bands. Overhead a sky has no up, so turning the patches costs
nothing, and round patches with jittered centres leave no line to follow. Overlapping patches are summed with
variance-preserving weights (``sum w_i p_i / sqrt(sum w_i^2)``, after Heitz and Neyret's by-example noise), so
the texture keeps the views' contrast where patches meet instead of fading to a grey double exposure; the
weights are sharpened so that one patch dominates almost everywhere.

Patches are small (``PATCH_UNITS``: 39 degrees across overhead) and cut from anywhere in their view, so the view
straight up holds many, turned every way. With patches 58 degrees across, one patch of a view's parallel
dashes could fill most of it: of 220 default-model skies (20 seeds x 11 types), 58 scored a zenith bias above
the worst of two real skies turned to 24 azimuths (1.30) and 2 a zenith seam above theirs (2.61); with these
30 and 1 (median bias 1.17 -> 1.10, worst 2.38 -> 2.14). The clouds keep their size: ``WINDOW / PATCH_UNITS``,
the view's share per plane unit, is as it was. Cut points near the views' centres only made the same cloud recur
overhead.

Each patch's angle is chosen rather than drawn (:func:`_balance_turns`): of a few random angles, the one whose
turned direction of detail best cancels its neighbours'. With angles drawn at random, a few streaky patches could
still lean the view straight up one way by chance (30 of the 220 skies above the real skies' bias, worst 2.14);
balanced, 3 are (worst 1.49, median 1.10 -> 1.06), for 0.03 s per sky. Four balanced layouts are tried, each
painted small over the view straight up, and the one whose texture runs least one way there is kept
(:func:`overhead_anisotropy`: any direction, not only the view's axes): then 1 of the 220 is above the real
skies (worst 1.34, median 1.04), for about 0.04 s more.

The native panorama lays the plane out to 12 degrees (``plane_elevation``), where its canvas hands over to it. Down
there one pixel of the sky spans a dozen plane pixels along the line of sight, so the plane is averaged over each
pixel's footprint (:func:`_sample_plane`) rather than sampled once, which read as glitter.

Only the layer's cloud detail is used: the dome keeps the band's own light from horizon to zenith, darkened
towards the zenith where the sky is blue (:func:`deepen_zenith`), as a clear sky is.
"""

from __future__ import annotations

import math
import zlib

import cv2
import numpy as np

from skyasset.assets.fill import smooth_columns
from skyasset.assets.horizon import detect_horizon, sky_only
from skyasset.assets.sphere import luminance, smoothstep

__all__ = [
    "LAYER_VIEWS",
    "CAP_BLEND_DEG",
    "cloud_layer",
    "deepen_zenith",
    "fill_cap",
    "overhead_anisotropy",
    "overlay_cloud_layer",
]

Patch = tuple[float, float, float, int, float, float]  # (x, z) on the plane, angle, view, (du, dv) cut point

LAYER_VIEWS = 9  # views that texture the cloud layer of a generated sky
PATCH_UNITS = 0.7  # a patch's diameter on the plane, in layer heights: about 39 degrees seen overhead
PATCH_SPACING = 0.38  # lattice step between patch centres, in layer heights (neighbours overlap)
WINDOW = 0.255  # a patch's round window: radius as a fraction of the view (the clouds' scale: see below)
CUT_REACH = 0.48 - WINDOW  # a patch is cut around a point this far from its view's centre, at most
ENERGY_FLOOR = 0.25
CAP_BLEND_DEG = 30.0  # above the band of views, its top colour turns to one colour for every azimuth over this
CAP_STAGES_DEG = (5.0, 20.0, 60.0)  # azimuth blurs (sigma) of the top colour on the way up
PLANE_ELEVATION_DEG = 20.0  # by default the cloud plane is laid out to this elevation whatever the layer's start
SHARPNESS = 1.0  # exponent on the patch windows (> 1: one patch dominates, with sharper edges between them)


def _view_detail(view: np.ndarray, side: int, detect: bool) -> np.ndarray:
    """``[side, side, 3]``: a view's sky (ground cut off with ``detect``) stretched square, minus a wide blur of it
    (a third of the view), so clouds of every size up to that keep their shape and the mean is zero."""
    vh = view.shape[0]
    if detect:
        hz = detect_horizon(view)
        sky = sky_only(view, hz)[: max(8, int(hz.row * vh * 0.95))]
    else:
        sky = np.clip(view.astype(np.float32), 0.0, 1.0)
    # A 3 x 3 median first: the generator's one-to-two-pixel specks, magnified several times overhead, read as
    # a rash of dark dots; cloud edges survive it.
    sky = cv2.medianBlur(np.ascontiguousarray(sky, np.float32), 3)
    tile = cv2.resize(sky, (side, side), interpolation=cv2.INTER_CUBIC)
    return tile - cv2.GaussianBlur(tile, (0, 0), side / 3.0, borderType=cv2.BORDER_REFLECT)


def _patch_layout(count: int, reach: float, seed: int) -> list[Patch]:
    """Patches covering the plane disc of radius ``reach``: ``(x, z, angle, view, du, dv)`` each, centres on a
    jittered lattice, views taken in turn, each patch cut around its own point ``(du, dv)`` of its view."""
    rng = np.random.default_rng(seed)
    steps = int(math.ceil((reach + PATCH_UNITS / 2) / PATCH_SPACING))
    patches = []
    for i in range(-steps, steps + 1):
        for j in range(-steps, steps + 1):
            x, z = (np.array([i, j], float) + rng.uniform(-0.35, 0.35, 2)) * PATCH_SPACING
            angle, du, dv = rng.uniform(0.0, 2.0 * math.pi), *rng.uniform(-CUT_REACH, CUT_REACH, 2)
            if math.hypot(x, z) - PATCH_UNITS / 2 < reach:
                patches.append((float(x), float(z), float(angle), int(rng.integers(count)), float(du), float(dv)))
    order = rng.permutation(len(patches))  # views in turn over a shuffled order: neighbours rarely share one
    return [(*patches[k][:3], n % count, *patches[k][4:]) for n, k in enumerate(order)]


def _content_seed(stack: np.ndarray) -> int:
    """A seed from the views themselves: the same sky always gets the same layout, another sky another."""
    return zlib.crc32(np.ascontiguousarray(stack[:, ::16, ::16]).tobytes())


def cloud_layer(
    views: np.ndarray,
    dirs: np.ndarray,
    *,
    min_elevation: float | np.ndarray = 20.0,
    full_elevation: float | np.ndarray = 40.0,
    detect: bool = True,
    plane_elevation: float = PLANE_ELEVATION_DEG,
) -> tuple[np.ndarray, np.ndarray]:
    """The cloud detail of views ``[N, H, W, 3]`` (or one view ``[H, W, 3]``) on a cloud plane, sampled at unit
    directions ``dirs [H', W', 3]`` (y up).

    Returns ``(detail [H', W', 3], weight [H', W'])``. The detail averages to zero and carries none of the
    views' overall light (see the module docstring for how the patches are laid). The weight is 0 below
    ``min_elevation`` and rises smoothly to 1 at ``full_elevation`` (either may vary by direction). With
    ``detect`` each view's ground is cut off first (its sky above the detected horizon is stretched to a square);
    otherwise the whole view is used. The plane is laid out down to ``plane_elevation`` (lower where the layer
    starts lower), so the same views give the same patches wherever the layer starts above it.
    """
    stack = np.asarray(views, np.float32)
    stack = stack[None] if stack.ndim == 3 else stack
    side = max(int(stack.shape[2]), 8)
    # the plane's radius seen above plane_elevation: fixed, so where the layer starts does not move its patches
    reach = 1.0 / math.tan(math.radians(min(float(np.min(min_elevation)), plane_elevation)))
    px_per_unit = side * 2.0 * WINDOW / PATCH_UNITS  # a patch's round window spans PATCH_UNITS on the plane
    plane = _plane_texture([_view_detail(v, side, detect) for v in stack], reach, px_per_unit, _content_seed(stack))
    elevation = np.degrees(np.arcsin(np.clip(dirs[..., 1], -1.0, 1.0)))
    span = np.maximum(np.asarray(full_elevation) - min_elevation, 1e-3)
    weight = smoothstep((elevation - min_elevation) / span).astype(np.float32)
    return _sample_plane(plane, dirs, reach, px_per_unit), weight


RADIAL_TAPS = 8  # samples along a pixel's footprint on the plane, where the plane is foreshortened


def _sample_plane(plane: np.ndarray, dirs: np.ndarray, reach: float, px_per_unit: float) -> np.ndarray:
    """The plane texture seen along ``dirs``, averaged over each pixel's footprint along the line of sight.

    Towards the horizon a pixel spans ``1 / sin(e)^2`` times more of the plane along the line of sight than
    overhead (``1 / sin(e)`` across it): at 12 degrees one pixel covers about a dozen plane pixels in depth, and a
    single sample there reads as glittering noise. ``RADIAL_TAPS`` samples spread over that length fix it; across
    the line of sight the footprint stays within a few plane pixels, which the cubic kernel covers."""
    up = np.maximum(dirs[..., 1], 1e-3)
    px = (dirs[..., 0] / up + reach) * px_per_unit - 0.5
    py = (reach - dirs[..., 2] / up) * px_per_unit - 0.5
    elevation = np.arcsin(np.clip(dirs[..., 1], -1.0, 1.0))
    step = np.abs(np.gradient(elevation, axis=0)) if dirs.shape[0] > 1 else np.zeros_like(elevation)
    depth = px_per_unit * step / np.maximum(up, 0.05) ** 2  # the footprint's length along the line of sight
    flat = np.maximum(np.hypot(dirs[..., 0], dirs[..., 2]), 1e-6)
    ux, uy = dirs[..., 0] / flat, -dirs[..., 2] / flat  # away from the viewer, in plane pixels
    taps = RADIAL_TAPS if float(depth.max(initial=0.0)) > 1.0 else 1
    image = np.zeros((*dirs.shape[:2], plane.shape[2]), np.float32)
    for k in range(taps):
        along = ((k + 0.5) / taps - 0.5) * depth
        image += cv2.remap(
            plane,
            (px + along * ux).astype(np.float32),
            (py + along * uy).astype(np.float32),
            cv2.INTER_CUBIC,
            borderMode=cv2.BORDER_CONSTANT,
        )
    return image / taps


def _patch_orientations(details: list[np.ndarray], layout: list[Patch]) -> np.ndarray:
    """Each patch's direction of detail as it is cut from its view, before it is turned: ``(Jxx - Jyy) + 2i Jxy``
    of its windowed gradient structure tensor (0 for detail with no direction; its argument is twice the
    direction; its size how much energy has that direction)."""
    side = details[0].shape[0]
    radius = WINDOW * side
    products = []
    for detail in details:
        grey = detail.mean(axis=2)
        gy, gx = np.gradient(grey)
        products.append((gx * gx - gy * gy, 2.0 * gx * gy))
    half = int(math.ceil(radius))
    offsets = np.arange(-half, half + 1, dtype=np.float32)
    window = smoothstep(1.0 - np.hypot(offsets[None, :], offsets[:, None]) / radius) ** (2.0 * SHARPNESS)
    result = np.zeros(len(layout), np.complex128)
    for n, (_, _, _, index, du, dv) in enumerate(layout):
        cu, cv = int(round((0.5 + du) * side - 0.5)), int(round((0.5 + dv) * side - 0.5))
        y0, x0 = cv - half, cu - half
        ys, xs = slice(max(0, y0), min(side, cv + half + 1)), slice(max(0, x0), min(side, cu + half + 1))
        w = window[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0]
        along, across = products[index]
        result[n] = complex(float((along[ys, xs] * w).sum()), float((across[ys, xs] * w).sum()))
    return result


BALANCE_REACH = 0.5  # plane units (layer heights): the scale over which patch directions are made to cancel
BALANCE_TRIES = 16  # random angles tried per patch


def _balance_turns(details: list[np.ndarray], layout: list[Patch], seed: int) -> list[Patch]:
    """``layout`` with each patch's angle chosen, from a few random ones, so that its direction cancels its
    neighbours'.

    Random angles alone leave a shared direction by chance where a few patches hold strong streaks (a view of
    parallel contrails): of 220 default-model skies, 30 showed more directional bias straight up than two real
    skies turned every way. Here each patch takes, of ``BALANCE_TRIES`` random angles, the one that leaves the
    summed direction of the patches around it (Gaussian weights over ``BALANCE_REACH``) smallest, in two passes.
    Turning a patch by ``angle`` turns its direction by ``-2 angle`` (:func:`_plane_texture` maps plane to view
    by the rotation)."""
    if not layout:
        return layout
    rng = np.random.default_rng(seed + 1)
    own = _patch_orientations(details, layout)
    centres = np.array([(x, z) for x, z, *_ in layout])
    near = np.exp(-((centres[:, None, :] - centres[None, :, :]) ** 2).sum(-1) / (2.0 * BALANCE_REACH**2))
    np.fill_diagonal(near, 0.0)
    angles = np.array([a for _, _, a, *_ in layout])
    placed = np.zeros(len(layout), np.complex128)  # each placed patch's turned direction; 0 until placed
    for _ in range(2):
        for n in range(len(layout)):
            around = (near[n] * placed).sum()
            tries = np.concatenate([[angles[n]], rng.uniform(0.0, 2.0 * math.pi, BALANCE_TRIES - 1)])
            angles[n] = tries[np.argmin(np.abs(around + own[n] * np.exp(-2j * tries)))]
            placed[n] = own[n] * np.exp(-2j * angles[n])
    return [(x, z, float(angles[n]), index, du, dv) for n, (x, z, _, index, du, dv) in enumerate(layout)]


LAYOUT_TRIES = 4  # balanced layouts painted small and judged; the least directional one overhead is kept
JUDGE_PX_PER_UNIT = 64.0  # plane pixels per layer height when layouts are judged (the view up: 128 for 90 degrees)
JUDGE_REACH = 1.0  # the square of the plane judged: the 90 degree view straight up


def overhead_anisotropy(texture: np.ndarray, px_per_unit: float, reach: float = JUDGE_REACH) -> float:
    """How much the plane texture's detail over ``[-reach, reach]^2`` around its centre runs one way: the
    coherence ``|sum(gx^2 - gy^2) + 2i sum(gx gy)| / sum(gx^2 + gy^2)`` of its gradients (0 for no direction,
    1 for parallel lines; any direction counts, not only the view's axes), over the whole square plus half the
    mean of its four quarters', so that two streaky quarters crossing each other do not pass as balanced."""
    grey = np.asarray(texture, np.float32)
    grey = grey.mean(axis=2) if grey.ndim == 3 else grey
    centre, half = grey.shape[0] / 2.0, reach * px_per_unit
    lo, hi = max(0, int(round(centre - half))), min(grey.shape[0], int(round(centre + half)))
    gy, gx = np.gradient(grey[lo:hi, lo:hi])
    along, across, energy = gx * gx - gy * gy, 2.0 * gx * gy, gx * gx + gy * gy

    def coherence(rows: slice, cols: slice) -> float:
        total = float(energy[rows, cols].sum())
        return abs(complex(float(along[rows, cols].sum()), float(across[rows, cols].sum()))) / max(total, 1e-12)

    mid = (hi - lo) // 2
    quarters = [coherence(r, c) for r in (slice(0, mid), slice(mid, None)) for c in (slice(0, mid), slice(mid, None))]
    return coherence(slice(None), slice(None)) + 0.5 * float(np.mean(quarters))


def _plane_texture(details: list[np.ndarray], reach: float, px_per_unit: float, seed: int) -> np.ndarray:
    """The plane square ``[-reach, reach]^2`` covered by the detail patches of :func:`_patch_layout`: of
    ``LAYOUT_TRIES`` balanced layouts, the one whose texture runs least one way overhead.

    Balancing turns cancels each patch's direction against its neighbours', measured on its own window; the
    painted sum can still lean one way (a few strong streaks where patches overlap): 3 of 220 default-model skies
    kept a zenith bias above both real skies'. Judging whole painted layouts, small, catches what the per-patch
    sums miss."""
    layouts = [_balance_turns(details, _patch_layout(len(details), reach, s), s) for s in _layout_seeds(seed)]
    if len(layouts) > 1:
        scale = JUDGE_PX_PER_UNIT / px_per_unit
        small = [cv2.resize(d, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) for d in details]
        scores = [
            overhead_anisotropy(_paint_patches(small, layout, JUDGE_REACH, JUDGE_PX_PER_UNIT), JUDGE_PX_PER_UNIT)
            for layout in layouts
        ]
        layouts = [layouts[int(np.argmin(scores))]]
    return _paint_patches(details, layouts[0], reach, px_per_unit)


def _layout_seeds(seed: int) -> list[int]:
    """The seeds of the layouts tried: the first is ``seed`` itself (a single try is the layout of old)."""
    return [(seed + 7919 * k) % 2**32 for k in range(max(1, LAYOUT_TRIES))]


def _paint_patches(
    details: list[np.ndarray],
    layout: list[Patch],
    reach: float,
    px_per_unit: float,
) -> np.ndarray:
    """The plane square ``[-reach, reach]^2`` with each patch of ``layout`` painted from its view's detail."""
    size = int(math.ceil(2.0 * reach * px_per_unit))
    acc = np.zeros((size, size, 3), np.float32)
    energy = np.zeros((size, size), np.float32)
    side = details[0].shape[0]
    radius_px = PATCH_UNITS / 2.0 * px_per_unit
    for x, z, angle, index, du, dv in layout:
        cx, cy = (x + reach) * px_per_unit - 0.5, (reach - z) * px_per_unit - 0.5
        x0, y0 = max(0, int(cx - radius_px)), max(0, int(cy - radius_px))
        x1, y1 = min(size, int(cx + radius_px) + 2), min(size, int(cy + radius_px) + 2)
        if x1 <= x0 or y1 <= y0:
            continue
        cos_a, sin_a = math.cos(angle), math.sin(angle)
        # plane pixel (px, py) -> view pixel: turned by `angle` about the patch centre, onto the view's own point
        ox, oy = x0 - cx, y0 - cy
        centre_u, centre_v = (0.5 + du) * side - 0.5, (0.5 + dv) * side - 0.5
        matrix = np.array(
            [
                [cos_a, -sin_a, cos_a * ox - sin_a * oy + centre_u],
                [sin_a, cos_a, sin_a * ox + cos_a * oy + centre_v],
            ],
            np.float32,
        )
        sample = cv2.warpAffine(
            details[index],
            matrix,
            (x1 - x0, y1 - y0),
            flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REFLECT,
        )
        gy, gx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        window = smoothstep(1.0 - np.hypot(gx - cx, gy - cy) / radius_px) ** SHARPNESS
        acc[y0:y1, x0:x1] += sample * window[..., None]
        energy[y0:y1, x0:x1] += window * window
    # Variance-preserving sum; where patches thin out (energy < ENERGY_FLOOR) the texture fades instead of a lone
    # patch's edge being raised to full contrast.
    return acc / np.sqrt(np.maximum(energy, ENERGY_FLOOR))[..., None]


MAX_GAIN = 4.0  # how far a faint layer's contrast is raised towards the band's


def overlay_cloud_layer(sky: np.ndarray, layer: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``sky`` with its own detail replaced by the cloud ``layer``'s, by ``weight``; its large-scale light stays.

    The sky's own detail overhead is not cloud: it is where the band of views ends. So above ``full_elevation``
    the sky keeps only its wide blur (1/16 of the width, wrapping around the seam), averaged along each row,
    which holds the gradient from horizon to zenith (pasting the layer whole would turn it upside down: a
    view's mean is the light near the horizon), and the layer's detail takes the place of the sky's. The two
    details cross-fade with weights whose squares sum to one, so the contrast does not dip where they meet. The
    layer's contrast is matched to the clouds of the band below (0-40 degrees), raised by at most ``MAX_GAIN``
    and never lowered, so the dome is not flatter than the horizon.
    """
    h, w = weight.shape
    sigma = max(2.0, w / 16.0)
    pad = int(3 * sigma)
    wide = np.concatenate([sky[:, -pad:], sky, sky[:, :pad]], axis=1)
    low = cv2.GaussianBlur(wide, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT)[:, pad : pad + w]
    own = sky - low
    # The band's light differs by azimuth (a cloud wall here, blue sky there); carried up to the zenith, where
    # meridians meet, it draws a funnel of walls. Overhead the light depends on elevation only.
    low = low + (low.mean(axis=1, keepdims=True) - low) * weight[..., None]
    band = own[int(h * 5 / 9) :]  # rows of 0-40 degrees: the sky covers elevations 90..0 top to bottom
    overhead = layer[weight > 0.99]
    layer_contrast = float(overhead.std()) if overhead.size else 0.0
    gain = float(np.clip(float(band.std()) / max(layer_contrast, 1e-4), 1.0, MAX_GAIN))
    keep, take = np.sqrt(1.0 - weight)[..., None], np.sqrt(weight)[..., None]
    return np.clip(low + own * keep + layer * gain * take, 0.0, 1.0).astype(np.float32)


def deepen_zenith(sky: np.ndarray, *, depth: float = 0.3, start_deg: float = 30.0) -> np.ndarray:
    """``sky`` (upper hemisphere, row 0 = zenith) darkened and saturated towards the zenith where it is blue.

    A clear sky is darker and a deeper blue overhead than near the horizon (the light reaching us overhead
    crossed the least air). The band of views stops at 20-45 degrees and the fill above it repeats the band's top
    colour, so without this the dome is as pale as the horizon. Each pixel above ``start_deg`` is darkened by
    up to ``depth`` at the zenith in proportion to how blue the band is there (blue over red, per column,
    smoothed): grey and white skies (overcast, sunsets) keep their light.
    """
    h = sky.shape[0]
    elevation = 90.0 - (np.arange(h, dtype=np.float32) + 0.5) / h * 90.0
    ramp = smoothstep((elevation - start_deg) / (90.0 - start_deg))[:, None]
    blue = np.clip((sky[..., 2] - sky[..., 0]) / np.maximum(luminance(sky), 0.05) * 1.5, 0.0, 1.0)
    sigma = max(1.0, h / 12)
    pad = min(sky.shape[1], int(3 * sigma) + 1)
    wide = np.concatenate([blue[:, -pad:], blue, blue[:, :pad]], axis=1)  # wrapped: no step at the seam
    blue = cv2.GaussianBlur(wide, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)[:, pad:-pad]
    factor = 1.0 - depth * ramp * blue
    grey = luminance(sky)[..., None]
    deeper = grey + (sky - grey) * (1.0 + 0.5 * (1.0 - factor))[..., None]  # a little more saturated
    return np.clip(deeper * factor[..., None], 0.0, 1.0).astype(np.float32)


def fill_cap(image: np.ndarray, coverage: np.ndarray, *, full: float = 0.35) -> np.ndarray:
    """The upper hemisphere ``[H, W, 3]`` (row 0 = zenith) with the cap above the band of views filled.

    Each column continues the colour of its band's top rows (smoothed over 5 degrees of azimuth), turning over
    ``CAP_BLEND_DEG`` into the mean of those top colours, the same for every azimuth, so nothing converges on
    the zenith in a pinch or a funnel. A fill from the band's overall average instead put a pale grey cap on a
    band whose top is deep blue (the upper rows of a sky photo are its darkest), and in perspective the band's
    upper edge showed as a U-shaped wall. Where ``coverage`` (the views' summed weight) is below ``full`` the
    band fades into the fill.
    """
    h, w = coverage.shape
    alpha = smoothstep(coverage / full)
    solid = alpha >= 0.99
    first = np.where(solid.any(axis=0), solid.argmax(axis=0), h - 1)  # each column's highest solid row
    depth = max(1, h // 45)  # two degrees of rows under it give its top colour
    rows = np.clip(first[None, :] + np.arange(depth)[:, None], 0, h - 1)
    top = image[rows, np.arange(w)[None, :]].mean(axis=0)
    # Ever wider blurs of the top colours, one per stage of the climb: a blend of two rays would show as a star.
    stages = [smooth_columns(top.astype(np.float32), deg / 360.0 * w) for deg in CAP_STAGES_DEG]
    stages.append(np.broadcast_to(top.mean(axis=0), top.shape))
    above = (first[None, :] - np.arange(h)[:, None]) / h * 90.0  # degrees above each column's top row
    position = np.clip(above / CAP_BLEND_DEG, 0.0, 1.0) * (len(stages) - 1)
    lower = np.minimum(position.astype(np.int64), len(stages) - 2)
    t = smoothstep(position - lower)[..., None]
    table = np.stack(stages)  # [stage, W, 3]
    columns = np.arange(w)[None, :]
    fill = table[lower, columns] * (1.0 - t) + table[lower + 1, columns] * t
    return (image * alpha[..., None] + fill * (1.0 - alpha[..., None])).astype(np.float32)
