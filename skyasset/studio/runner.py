"""One studio job: the CLI's ``generate`` into the job's folder, plus the equirect the 3D viewer shows."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import skyasset
from skyasset.generator import SkyGenerator
from skyasset.studio.jobs import Job

__all__ = ["VIEWER_MAX_WIDTH", "make_runner", "sky_scores", "thumbnail"]

VIEWER_MAX_WIDTH = 4096  # WebGL's guaranteed texture size; larger skies are shown downsampled


def _without_folder(value: Any, folders: tuple[str, ...]) -> Any:
    """``value`` (decoded JSON) with every path inside one of ``folders`` replaced by its name within it."""
    if isinstance(value, dict):
        return {k: _without_folder(v, folders) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_folder(v, folders) for v in value]
    if isinstance(value, str):
        for folder in folders:
            if value.startswith(folder + os.sep):
                return value[len(folder) + 1 :]
    return value


def _strip_server_paths(sidecar: Path, folder: Path) -> None:
    """Rewrite the sidecar with file names instead of the studio's temporary paths: it is downloaded and kept
    beside the images, where a path into a deleted temporary folder would only mislead (and leak the server's)."""
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    tmp = sidecar.with_name(f".{sidecar.name}.tmp")
    tmp.write_text(
        json.dumps(_without_folder(data, (str(folder), str(folder.resolve()))), indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    os.replace(tmp, sidecar)


def make_runner(gen: SkyGenerator) -> Callable[[Job, Callable[[str, float], None]], None]:
    def run(job: Job, report: Callable[[str, float], None]) -> None:
        p = job.params

        def upscaling(done: int, total: int) -> None:
            report("upscaling", 0.1 + 0.8 * done / max(total, 1))

        report("generating", 0.05)
        result = skyasset.generate_sky(
            p.request,  # checked once, when the request came in
            out_dir=job.folder,  # named by the core (skyasset.naming), as the CLI, Blender and Unity name it
            model=gen,
            progress=upscaling,
        )
        report("preparing the viewer", 0.95)
        job.files = [Path(f["path"]) for f in result.files]
        for f, path in zip(result.files, job.files, strict=True):
            if f.get("role") == "sidecar":
                _strip_server_paths(path, job.folder)
        job.file_bytes = [path.stat().st_size for path in job.files]
        job.viewer = _viewer_image(result.files, p.layout, job.folder)
        answer = result.to_json()
        answer["outputs"] = [path.name for path in job.files]  # the page needs names, not server paths
        answer["files"] = [dict(f, path=Path(f["path"]).name) for f in result.files]
        answer["model"] = {k: v for k, v in answer["model"].items() if k != "path"}
        job.result = answer

    return run


def sky_scores(files: list[dict[str, object]], layout: str) -> dict[str, float]:
    """The seam and repetition figures the page shows, measured at 1024 px wide (as `bench skybox` does).

    Measured on the written (lossless) files, not on the viewer's JPEG: JPEG's 8x8 blocks do not wrap, so their
    errors at the two edges would count as a seam in a smooth sky.
    """
    from skyasset.assets.equirect import resize_equirect
    from skyasset.assets.metrics import period_correlation, wrap_seam_score

    image = _written_sky(files, layout)
    small = resize_equirect(image, min(1024, image.shape[1]))
    return {"wrap_seam": round(wrap_seam_score(small), 3), "period_correlation": round(period_correlation(small), 3)}


def thumbnail(image_path: Path, width: int = 320) -> bytes:
    """A small JPEG of the viewer image for the history strip (decoding six full skies would stall the page)."""
    import io

    from PIL import Image

    with Image.open(image_path) as image:
        image = image.convert("RGB")
        image.thumbnail((width, width), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _written_sky(files: list[dict[str, object]], layout: str) -> np.ndarray:
    """The sky as written, in [0, 1]: the equirect (faces and crosses turned back into one), or the flat image."""
    from PIL import Image

    from skyasset.assets.cubemap import faces_to_equirect
    from skyasset.convert import load_input

    pngs = {str(f["role"]): Path(str(f["path"])) for f in files if f.get("format") == "png"}
    if layout in ("flat", "equirect"):
        return np.asarray(Image.open(pngs[layout]).convert("RGB"), np.float32) / 255.0
    if layout == "faces":
        faces = {
            role.split(":", 1)[1]: np.asarray(Image.open(path).convert("RGB"), np.float32) / 255.0
            for role, path in pngs.items()
            if role.startswith("face:")
        }
        return faces_to_equirect(faces, 4 * faces["front"].shape[0])
    image, _ = load_input(pngs[layout], layout)  # type: ignore[arg-type]
    return image


def _viewer_image(files: list[dict[str, object]], layout: str, folder: Path) -> Path:
    """The equirect (or, for ``flat``, the image) the page shows: the written PNG, or a JPEG at most 4096 wide."""
    from PIL import Image

    from skyasset.assets.equirect import resize_equirect

    pngs = {str(f["role"]): Path(str(f["path"])) for f in files if f.get("format") == "png"}
    widths = {str(f["role"]): int(f["width"]) for f in files if f.get("format") == "png"}  # type: ignore[call-overload]
    if layout in ("flat", "equirect") and widths[layout] <= VIEWER_MAX_WIDTH:
        return pngs[layout]  # the written file itself: nothing more to encode before the sky shows
    image = _written_sky(files, layout)
    if layout != "flat" and image.shape[1] > VIEWER_MAX_WIDTH:
        image = resize_equirect(image, VIEWER_MAX_WIDTH)
    path = folder / ".viewer.jpg"
    pixels = (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    Image.fromarray(pixels).save(path, format="JPEG", quality=92)
    return path
