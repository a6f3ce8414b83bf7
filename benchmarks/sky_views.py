"""The sky as a person in the scene sees it: views straight up, at 45 degrees and at the horizon of generated
skies beside real sky panoramas viewed the same way, as one labelled sheet (docs/images/sky_views.png).

    python benchmarks/sky_views.py --out docs/images/sky_views.png [--reference FOLDER] [--sky Cu:7 --sky Ci:3]
    python benchmarks/sky_views.py --native docs/images/skybox_native.png [--sky cumulus:7]

Generated skies use the bundled default model with the product's defaults (``skyasset generate``); real
panoramas (.hdr/.exr/.png/.jpg equirects in ``--reference``) are shown as the sky measures see them (HDR scaled
so the sky's 99th-percentile luminance is white). Each row ends with the equirect itself. ``--native`` writes
the first sky's one-pass canvas above the equirect it becomes (docs/images/skybox_native.png).
"""

from __future__ import annotations

import argparse
import inspect
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from skyasset import generate
from skyasset.assets.perspective import perspective_view
from skyasset.assets.sky_measures import score_sky
from skyasset.bench.reference_skies import REFERENCE_SUFFIXES, read_sky
from skyasset.bench.sheets import label_image, quantise_png
from skyasset.native_paths import imread

VIEWS = ((90.0, "up"), (45.0, "45 deg"), (5.0, "horizon"))


def _label(cell: np.ndarray, text: str) -> np.ndarray:
    return label_image((np.clip(cell, 0, 1) * 255 + 0.5).astype(np.uint8), text)


def sheet_row(equirect: np.ndarray, name: str, size: int) -> np.ndarray:
    """One labelled row: the views of :data:`VIEWS`, then the equirect (two views wide)."""
    scores = score_sky(equirect)
    cells = [_label(perspective_view(equirect, el, size=size), f"{name}  {label}") for el, label in VIEWS]
    flat = cv2.resize(equirect, (2 * size, size), interpolation=cv2.INTER_AREA)
    summary = f"seam {scores['zenith_seam']:.2f}  bias {scores['zenith_bias']:.2f}"
    cells.append(_label(flat, summary))
    return np.pad(np.concatenate(cells, axis=1), ((2, 2), (0, 0), (0, 0)), constant_values=255)


def generated_sky(cloud: str, seed: int, folder: Path) -> np.ndarray:
    result = generate(cloud, seed, folder / f"{cloud}_{seed}.png", size=2048)
    return imread(result.outputs[0], cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255.0


def native_picture(cloud: str, seed: int, folder: Path, width: int = 1024) -> np.ndarray:
    """uint8: the generator's canvas for ``cloud``/``seed`` (as ``skyasset generate`` draws it) above its skybox."""
    from skyasset.generator import SkyGenerator
    from skyasset.sources import sky_source

    psi = inspect.signature(generate).parameters["psi"].default  # the canvas `skyasset generate` draws
    source = sky_source(SkyGenerator(), "native", cloud, seed, psi=psi)
    canvas = source.views[0]
    canvas = cv2.resize(canvas, (width, round(canvas.shape[0] * width / canvas.shape[1])), interpolation=cv2.INTER_AREA)
    sky = cv2.resize(generated_sky(cloud, seed, folder), (width, width // 2), interpolation=cv2.INTER_AREA)
    gap = np.ones((4, width, 3), np.float32)
    return (np.clip(np.concatenate([canvas, gap, sky], axis=0), 0, 1) * 255 + 0.5).astype(np.uint8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="Sheet PNG to write.")
    parser.add_argument("--native", type=Path, help="PNG of the first sky's canvas above its skybox.")
    parser.add_argument("--sky", action="append", help="CLOUD:SEED of a generated sky (repeatable).")
    parser.add_argument("--reference", type=Path, help="Folder of real equirect panoramas to show beside them.")
    parser.add_argument("--size", type=int, default=256, help="Pixels per view.")
    args = parser.parse_args(argv)
    if args.out is None and args.native is None:
        parser.error("give --out, --native or both")
    skies = args.sky or ["cumulus:7", "cirrus:3", "stratus:3"]
    if args.native is not None:
        cloud, _, seed = skies[0].partition(":")
        with tempfile.TemporaryDirectory() as tmp:
            Image.fromarray(native_picture(cloud, int(seed or 0), Path(tmp))).save(args.native)
        quantise_png(args.native)
        print(args.native)
    if args.out is None:
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in skies:
            cloud, _, seed = spec.partition(":")
            rows.append(sheet_row(generated_sky(cloud, int(seed or 0), Path(tmp)), f"{cloud} {seed}", args.size))
    if args.reference is not None:
        for path in sorted(args.reference.iterdir()):
            if path.suffix.lower() in REFERENCE_SUFFIXES:
                rows.append(sheet_row(read_sky(path)[0], "real " + path.stem.split("_")[0], args.size))
    Image.fromarray(np.concatenate(rows, axis=0)).save(args.out)
    quantise_png(args.out)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
