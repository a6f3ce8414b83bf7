"""What a "native 360" generator would give with today's weights: a wide canvas instead of stitched views.

    python benchmarks/bench_native360.py [--snapshot training/snapshots/default.pt] [--seeds 5] [--picture P.png]

The ALIS/InfinityGAN idea is one generator pass over a canvas several views wide whose ends meet. With the
trained weights as they are, the only way to widen the canvas is to widen the learned 4x4 constant the synthesis
starts from: here it is repeated ``tiles + 2`` times across (one spare tile at each end, cropped off, so the zero
padding at the canvas's edges does not reach the kept part and the kept part wraps), and every layer runs on the
wider maps. Styles are the same at every position, because the modulated convolutions take one style per image;
the only thing that can differ between tiles is the per-pixel noise.

Measured per class and seed: the repetition of the canvas (correlation of its grey values, each row's mean
removed, with itself shifted by one tile: 60 degrees with six tiles, the ring's view spacing and the
``period_correlation`` of ``skyasset bench skybox``), without noise and with the model's noise inputs. Needs
torch (the training extra).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from training.snapshot import build_networks, load_snapshot  # noqa: E402


def wide_canvas(G: torch.nn.Module, ws: torch.Tensor, tiles: int, noise: bool, seed: int) -> np.ndarray:
    """``[N, H, tiles * H, 3]`` in [0, 1]: one synthesis pass over a constant ``tiles + 2`` wide, ends cropped.

    With ``noise`` every noise input gets fresh unit noise as wide as its layer (the same for the whole batch,
    as the bundle's constant noise is), scaled by the layer's learned strength.
    """
    first = G.synthesis.b4
    const = first.const
    layers = [m for m in G.synthesis.modules() if hasattr(m, "noise_const")]
    saved = [m.noise_const for m in layers]
    generator = torch.Generator().manual_seed(seed)
    try:
        first.const = torch.nn.Parameter(const.detach().repeat(1, 1, tiles + 2), requires_grad=False)
        for m in layers:
            side = m.noise_const.shape[0]
            m.noise_const = torch.randn([side, side * (tiles + 2)], generator=generator)
        with torch.no_grad():
            img = G.synthesis(ws, noise_mode="const" if noise else "none", force_fp32=True)
    finally:
        first.const = const
        for m, buffer in zip(layers, saved, strict=True):
            m.noise_const = buffer
    side = img.shape[2]
    kept = img[:, :, :, side : side * (tiles + 1)]
    return ((kept.clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).numpy()


def repetition(canvas: np.ndarray, tiles: int) -> float:
    """Correlation of the grey canvas (row means removed) with itself shifted by one tile (wrapping)."""
    grey = canvas @ np.array([0.299, 0.587, 0.114], np.float32)
    grey = grey - grey.mean(axis=1, keepdims=True)
    shifted = np.roll(grey, grey.shape[1] // tiles, axis=1)
    denom = float(np.sqrt((grey**2).sum() * (shifted**2).sum()))
    return float((grey * shifted).sum() / denom) if denom > 1e-12 else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snapshot", type=Path, default=REPO / "training/snapshots/default.pt")
    parser.add_argument("--tiles", type=int, default=6)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--picture", type=Path, help="PNG: canvases of four classes, without and with noise")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    snap = load_snapshot(args.snapshot)
    _, _, G = build_networks(snap, "cpu")
    classes = [c["name"] if isinstance(c, dict) else str(c) for c in snap.meta.get("classes") or []]
    c_dim = int(snap.meta["G_kwargs"]["c_dim"])
    scores: dict[str, list[float]] = {"none": [], "noise": []}
    per_class: dict[str, dict[str, float]] = {}
    rows = []
    for k in range(max(c_dim, 1)):
        c = torch.zeros([args.seeds, c_dim])
        if c_dim:
            c[:, k] = 1
        z = torch.from_numpy(np.random.default_rng(k).standard_normal((args.seeds, G.z_dim)).astype(np.float32))
        ws = G.mapping(z, c)
        found = {}
        for mode in scores:
            canvases = wide_canvas(G, ws, args.tiles, mode == "noise", seed=k)
            values = [repetition(canvas, args.tiles) for canvas in canvases]
            scores[mode] += values
            found[mode] = statistics.median(values)
            if args.picture is not None and k in (0, 2, 4, 7 if c_dim > 7 else 0):
                rows.append(canvases[0])
        per_class[classes[k] if k < len(classes) else str(k)] = found
    report = {
        "snapshot": str(args.snapshot),
        "kimg": snap.kimg,
        "tiles": args.tiles,
        "images": len(scores["none"]),
        "repetition_median": {mode: statistics.median(v) for mode, v in scores.items()},
        "per_class": per_class,
    }
    if args.picture is not None and rows:
        from PIL import Image

        gap = np.ones((4, rows[0].shape[1], 3), np.float32)
        stacked = np.concatenate([part for row in rows for part in (row, gap)][:-1])
        Image.fromarray((stacked * 255 + 0.5).astype(np.uint8)).save(args.picture)
        report["picture"] = str(args.picture)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
