"""``write_skybox``: an equirect sky to engine-ready files in one layout, plus HDR twins and a JSON sidecar."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from skyasset.assets.cubemap import FACE_NAMES, CubeLayout, equirect_to_faces, pack_faces
from skyasset.assets.hdr import expand_to_hdr, hdr_white_point, sky_median, write_exr, write_radiance
from skyasset.assets.look import expose_display
from skyasset.assets.png import write_image
from skyasset.assets.sphere import srgb_to_linear
from skyasset.atomic import atomic_output, check_writable, output_path
from skyasset.choices import check_choice
from skyasset.errors import SkyassetError
from skyasset.output_set import staged_outputs

__all__ = ["SkyboxLayout", "SKYBOX_LAYOUTS", "OutputFile", "write_skybox", "layout_paths"]

SkyboxLayout = Literal["equirect", "faces", CubeLayout]
SKYBOX_LAYOUTS: tuple[SkyboxLayout, ...] = get_args(SkyboxLayout)


@dataclass(frozen=True)
class OutputFile:
    """One written file as the ``--json`` answer describes it (docs/CLI_PROTOCOL.md, ``files``).

    ``role`` is ``equirect``, ``face:<name>``, ``cross-h``, ``cross-v``, ``dice``, ``horizon`` or ``sidecar``;
    ``format`` is ``png``, ``hdr``, ``exr`` or ``json``. A sidecar has no width/height (``None``).
    """

    path: Path
    role: str
    format: str
    width: int | None
    height: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(output_path(self.path)),
            "role": self.role,
            "format": self.format,
            "width": self.width,
            "height": self.height,
        }


# Extensions that say the caller expects another file format; any other dot belongs to the stem.
_OTHER_EXTENSIONS = {
    ".jpg",
    ".jpeg",
    ".hdr",
    ".exr",
    ".tif",
    ".tiff",
    ".webp",
    ".bmp",
    ".gif",
    ".tga",
    ".dds",
    ".ktx",
    ".json",
}


def _base(out: Path) -> Path:
    """``out`` names the main file; all file names derive from its stem, which may itself contain dots.

    ``sky_psi0.70.png`` and ``sky_psi0.70`` both give the stem ``sky_psi0.70`` (``Path.with_suffix`` would
    take ``.70`` for an extension and drop it); a folder gives ``<folder>/sky``.
    """
    out = output_path(out)
    if out.is_dir() and not out.is_symlink():
        return out / "sky"
    name = out.name
    if name.lower().endswith(".png"):
        name = name[: -len(".png")]
    elif out.suffix.lower() in _OTHER_EXTENSIONS:
        raise SkyassetError(
            "invalid_argument",
            f"Name the skybox output *.png (or give a folder), not '{out.name}': the other formats are written "
            "next to it (--hdr adds .hdr and .exr).",
        )
    if not name:
        raise SkyassetError("invalid_argument", f"The skybox output '{out.name}' has no file name before .png.")
    return out.with_name(name)


def _with_ext(path: Path, ext: str) -> Path:
    """``path`` (a ``.png`` we named) with ``ext`` in place of ``.png``, keeping any dots in the stem."""
    name = path.name[: -len(".png")] if path.name.lower().endswith(".png") else path.name
    return path.with_name(name + ext)


def layout_paths(out: Path, layout: SkyboxLayout) -> list[tuple[Path, str]]:
    """``(png path, role)`` of every image ``layout`` writes for output name ``out`` (no HDR, no sidecar)."""
    base = _base(out)
    if layout == "faces":
        return [(base.with_name(f"{base.name}_{n}.png"), f"face:{n}") for n in FACE_NAMES]
    return [(_with_ext(base, ".png"), check_choice("layout", layout, SKYBOX_LAYOUTS))]


def _images(equirect: np.ndarray, layout: SkyboxLayout, face_size: int) -> list[np.ndarray]:
    if layout == "equirect":
        return [equirect]
    faces = equirect_to_faces(equirect, face_size)
    if layout == "faces":
        return [faces[n] for n in FACE_NAMES]
    return [pack_faces(faces, layout)]


def write_skybox(
    equirect: np.ndarray,
    layout: SkyboxLayout,
    out: Path,
    *,
    hdr: bool = False,
    bit_depth: Literal[8, 16] = 8,
    face_size: int | None = None,
    force: bool = False,
    metadata: dict[str, Any] | None = None,
    radiance: np.ndarray | None = None,
    radiance_metadata: dict[str, Any] | None = None,
    sun: dict[str, Any] | None = None,
    exposure_stops: float = 0.0,
) -> list[OutputFile]:
    """Write ``equirect`` ``[H, 2H, 3]`` (float [0, 1]) in ``layout``; return what was written, in order.

    Parameters
    ----------
    equirect
        Display-referred sRGB panorama (see :mod:`skyasset.assets.sphere` for its orientation).
    layout
        ``equirect``; ``faces`` (six files ``<stem>_front.png`` ... named and oriented for Unity's
        Skybox/6 Sided); ``cross-h`` / ``cross-v`` (Unity cubemap importer); ``dice``; ``horizon``.
    out
        Main output file ``<stem>.png`` or a folder (stem ``sky``); all names derive from the stem.
    hdr
        Also write each image as Radiance ``.hdr`` and OpenEXR ``.exr`` holding the HDR expansion
        (:func:`skyasset.assets.hdr.expand_to_hdr`) that can light a scene.
    bit_depth
        PNG bits per channel, 8 or 16.
    face_size
        Cube face edge in pixels; default: a quarter of the equirect width.
    force
        Overwrite existing files; otherwise any existing target fails with ``output_exists`` before
        anything is written.
    metadata
        Cloud, seed, psi, model id, method, ...: stored in the PNG text chunks, EXR header and sidecar.
    radiance
        Linear radiance ``[H, 2H, 3]`` for the HDR files (an HDR input's own, or an expansion with its sun
        disc: :func:`skyasset.pipeline.write_sky`); default: the HDR expansion of ``equirect``, without a sun.
    radiance_metadata
        What ``radiance`` is, for the HDR files' metadata (default: ``hdr_units`` "the input's linear
        radiance").
    sun
        The sky's one sun (:func:`skyasset.assets.sun_place.report`), recorded in the sidecar for the engines.
    exposure_stops
        Scale the light of every file by ``2 ** exposure_stops`` (:mod:`skyasset.assets.look`): the PNGs as the
        studio's preview shows them, the HDR radiance exactly, recorded in the ``.hdr`` as ``EXPOSURE=``.
    """
    eq = np.asarray(equirect)
    if eq.ndim != 3 or eq.shape[2] != 3 or eq.shape[1] != 2 * eq.shape[0]:
        raise SkyassetError("invalid_argument", f"The panorama must be [H, 2H, 3], got shape {eq.shape}.")
    size = face_size if face_size is not None else eq.shape[1] // 4
    if size < 8:
        raise SkyassetError("invalid_argument", f"Face size must be at least 8 pixels, got {size}.")
    targets = skybox_targets(out, layout, hdr=hdr)
    for target in targets:
        check_writable(target, force)
    with staged_outputs(targets, force=force) as stage:
        written = _write_files(
            eq,
            layout,
            stage / f"{_base(out).name}.png",
            size,
            hdr=hdr,
            bit_depth=bit_depth,
            metadata=metadata,
            final_folder=targets[0].parent,
            radiance=radiance,
            radiance_metadata=radiance_metadata,
            sun=sun,
            exposure_stops=exposure_stops,
        )
        staged = {stage / t.name for t in targets}
        unexpected = {f.path for f in written} - staged
        if unexpected:
            raise SkyassetError("internal_error", f"unplanned outputs {sorted(map(str, unexpected))}")
    folder = targets[0].parent
    return [OutputFile(folder / f.path.name, f.role, f.format, f.width, f.height) for f in written]


def skybox_targets(out: Path, layout: SkyboxLayout, *, hdr: bool = False) -> list[Path]:
    """Every file :func:`write_skybox` writes for these arguments, the sidecar last: check them before work."""
    pngs = [p for p, _ in layout_paths(out, layout)]
    targets = pngs + ([_with_ext(p, s) for p in pngs for s in (".hdr", ".exr")] if hdr else [])
    return targets + [pngs[0].with_name(_base(out).name + ".json")]


def _write_files(
    eq: np.ndarray,
    layout: SkyboxLayout,
    out: Path,
    size: int,
    *,
    hdr: bool,
    bit_depth: Literal[8, 16],
    metadata: dict[str, Any] | None,
    final_folder: Path,
    radiance: np.ndarray | None = None,
    radiance_metadata: dict[str, Any] | None = None,
    sun: dict[str, Any] | None = None,
    exposure_stops: float = 0.0,
) -> list[OutputFile]:
    """Write the files into ``out``'s (private, empty) folder; the sidecar names them as in ``final_folder``."""
    pngs = layout_paths(out, layout)
    sidecar = pngs[0][0].with_name(_base(out).name + ".json")
    force = True  # a fresh private folder: nothing to overwrite
    meta = dict(metadata or {})
    meta.update(layout=layout, width=int(eq.shape[1]), height=int(eq.shape[0]))
    if layout != "equirect":
        meta["face_size"] = size
    if eq.dtype != np.uint8:
        eq = np.clip(eq.astype(np.float32), 0.0, 1.0)
    written: list[OutputFile] = []
    shown = eq
    if exposure_stops != 0.0:
        shown = expose_display(eq.astype(np.float32) / 255.0 if eq.dtype == np.uint8 else eq, exposure_stops)
    for (path, role), image in zip(pngs, _images(shown, layout, size), strict=True):
        write_image(path, image, metadata=meta | {"role": role}, force=force, bit_depth=bit_depth)
        written.append(OutputFile(path, role, "png", image.shape[1], image.shape[0]))
    if hdr:
        src = eq.astype(np.float32) / 255.0 if eq.dtype == np.uint8 else eq
        if radiance is None:
            hdr_meta = meta | {"hdr_units": "relative linear radiance"}
            radiance = expand_to_hdr(src)
        else:
            if radiance.shape != eq.shape:
                raise SkyassetError("invalid_argument", f"radiance {radiance.shape} must match the panorama {eq.shape}")
            hdr_meta = meta | (radiance_metadata or {"hdr_units": "the input's linear radiance"})
            radiance = radiance.astype(np.float32)
        if hdr_meta["hdr_units"] == "relative linear radiance":  # an expansion of the display image
            hdr_meta["hdr_white"] = round(hdr_white_point(sky_median(srgb_to_linear(src))), 4)
        factor = float(2.0**exposure_stops)
        if factor != 1.0:
            radiance = radiance * np.float32(factor)
        for (path, role), image in zip(pngs, _images(radiance, layout, size), strict=True):
            h, w = image.shape[:2]
            write_radiance(_with_ext(path, ".hdr"), image, force=force, exposure=factor)
            written.append(OutputFile(_with_ext(path, ".hdr"), role, "hdr", w, h))
            write_exr(_with_ext(path, ".exr"), image, metadata=hdr_meta | {"role": role}, force=force)
            written.append(OutputFile(_with_ext(path, ".exr"), role, "exr", w, h))
        meta = hdr_meta
    final = [OutputFile(final_folder / f.path.name, f.role, f.format, f.width, f.height) for f in written]
    document = {"skyasset": meta, "files": [f.to_json() for f in final]} | ({"sun": sun} if sun else {})
    with atomic_output(sidecar, force=force) as tmp:
        tmp.write_text(json.dumps(document, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    written.append(OutputFile(sidecar, "sidecar", "json", None, None))
    return written
