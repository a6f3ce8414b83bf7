"""What a "native 360" generator would give with today's weights: one wide canvas instead of stitched views.

    python benchmarks/bench_native360.py [--snapshot training/snapshots/default.pt] [--seeds 3] [--picture P.png]

The ALIS/InfinityGAN idea is one generator pass over a canvas several views wide whose ends meet, with styles
that change across it. The trained weights can be run that way without retraining:

- the canvas starts from the learned 4x4 constant repeated ``tiles + 2 * MARGIN`` times across (the spare tiles
  at each end are cropped off, so the zero padding at the canvas's edges does not reach the kept part, which
  closes on itself), and every layer runs on the wider maps;
- ``tiled``: one style everywhere (what a widened generator gives as it is), with or without its noise inputs;
- ``styles``: each tile has its own w for the layout layers (4-8 px, as ``SkyGenerator.ring_views`` draws them)
  and the seed's w for the finer ones; between tile centres the ws blend (smoothstep). The non-fused modulated
  convolution modulates activations, so a style per column is exact: scale each input column by its style,
  convolve with the static weight, demodulate each output column with its own coefficients;
- ``styles+turn``: the same, with the constant of each tile turned (rolled) by 0-3 of its 4 columns, so the
  layout it carries does not come back in step every tile.

Measured per class and seed: repetition (the correlation of the canvas's grey values, each row's mean removed,
with itself shifted by one tile: 60 degrees with six tiles, like ``period_correlation`` in ``skyasset bench
skybox``). Needs torch (the training extra). Nothing of this is in the runtime yet (it needs a wide synthesis
graph in the bundle): it measures whether a ``--method native`` is worth building.
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

from training.networks.layers import bias_act  # noqa: E402
from training.networks.resample import conv2d_resample, upsample2d  # noqa: E402
from training.snapshot import build_networks, load_snapshot  # noqa: E402

MARGIN = 2  # spare tiles at each end: zero padding at the canvas edge darkens what it reaches


def wide_canvas(G: torch.nn.Module, ws: torch.Tensor, tiles: int, noise: bool, seed: int) -> np.ndarray:
    """``[N, H, tiles * H, 3]`` in [0, 1]: one pass over the constant ``tiles + 2 * MARGIN`` wide, ends cropped.

    With ``noise`` every noise input gets fresh unit noise as wide as its layer (the same for the whole batch,
    as the bundle's constant noise is), scaled by the layer's learned strength.
    """
    first = G.synthesis.b4
    const = first.const
    span = tiles + 2 * MARGIN
    layers = [m for m in G.synthesis.modules() if hasattr(m, "noise_const")]
    saved = [m.noise_const for m in layers]
    generator = torch.Generator().manual_seed(seed)
    try:
        first.const = torch.nn.Parameter(const.detach().repeat(1, 1, span), requires_grad=False)
        for m in layers:
            side = m.noise_const.shape[0]
            m.noise_const = torch.randn([side, side * span], generator=generator)
        with torch.no_grad():
            img = G.synthesis(ws, noise_mode="const" if noise else "none", force_fp32=True)
    finally:
        first.const = const
        for m, buffer in zip(layers, saved, strict=True):
            m.noise_const = buffer
    side = img.shape[2]
    kept = img[:, :, :, side * MARGIN : side * (MARGIN + tiles)]
    return ((kept.clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).numpy()


def _column_styles(ws_tiles: torch.Tensor, layer: int, width: int, tiles: int) -> torch.Tensor:
    """``[width, w_dim]``: layer ``layer``'s w at each column of a canvas ``tiles + 2 * MARGIN`` tiles wide.

    Tile t's own w holds at its centre and blends (smoothstep) into its neighbours' towards the tile edges;
    the spare tiles continue the loop (tile -1 is the last tile), so the kept canvas closes on itself.
    """
    u = (torch.arange(width, dtype=torch.float32) + 0.5) / width * (tiles + 2 * MARGIN) - MARGIN - 0.5
    left = torch.floor(u)
    t = u - left
    t = t * t * (3 - 2 * t)
    a = ws_tiles[left.long() % tiles, layer]
    b = ws_tiles[(left.long() + 1) % tiles, layer]
    return a + (b - a) * t[:, None]


def _modulated(layer: torch.nn.Module, x: torch.Tensor, w_in: torch.Tensor, w_out: torch.Tensor) -> torch.Tensor:
    """A SynthesisLayer with styles that vary across the width (no noise): modulate, convolve, demodulate."""
    x = x * layer.affine(w_in).t()[None, :, None, :]
    x = conv2d_resample(x, layer.weight, f=layer.resample_filter, up=layer.up, padding=layer.padding)
    styles = layer.affine(w_out)  # [W_out, I]
    dcoefs = (styles.square() @ layer.weight.square().sum(dim=[2, 3]).t() + 1e-8).rsqrt()  # [W_out, O]
    x = x * dcoefs.t()[None, :, None, :]
    return bias_act(x, layer.bias, act=layer.activation, gain=layer.act_gain, clamp=layer.conv_clamp)


def _to_rgb(torgb: torch.nn.Module, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    x = x * (torgb.affine(w) * torgb.weight_gain).t()[None, :, None, :]
    return bias_act(conv2d_resample(x, torgb.weight), torgb.bias, clamp=torgb.conv_clamp)


def varying_canvas(
    G: torch.nn.Module, ws_tiles: torch.Tensor, tiles: int, const_shifts: list[int] | None = None
) -> np.ndarray:
    """``[H, tiles * H, 3]``: one pass over a canvas whose styles change from tile to tile (ALIS-like).

    Each layer modulates its input activations column by column (the non-fused modulated convolution allows
    this exactly) and demodulates each output column with that column's style; no noise. ``ws_tiles`` is
    ``[tiles, num_ws, w_dim]``. ``const_shifts``: per tile, how far the learned 4x4 constant is turned
    (rolled) across before the tiles are put side by side, so the layout it carries does not recur in step.
    """
    syn = G.synthesis
    span = tiles + 2 * MARGIN
    x = img = None
    index = 0
    with torch.no_grad():
        for res in syn.block_resolutions:
            block = getattr(syn, f"b{res}")
            if x is None:
                const = block.const.detach()
                parts = [
                    torch.roll(const, (const_shifts or [0] * tiles)[(t - MARGIN) % tiles], dims=2) for t in range(span)
                ]
                x = torch.cat(parts, dim=2)[None]
                x = _modulated(block.conv1, x, *(2 * [_column_styles(ws_tiles, index, res * span, tiles)]))
                index += 1
            else:
                w_in = _column_styles(ws_tiles, index, res // 2 * span, tiles)
                w_out = _column_styles(ws_tiles, index, res * span, tiles)
                x = _modulated(block.conv0, x, w_in, w_out)
                index += 1
                x = _modulated(block.conv1, x, *(2 * [_column_styles(ws_tiles, index, res * span, tiles)]))
                index += 1
            y = _to_rgb(block.torgb, x, _column_styles(ws_tiles, index, res * span, tiles))
            img = y if img is None else upsample2d(img, block.resample_filter) + y
    side = img.shape[2]
    kept = img[0, :, :, side * MARGIN : side * (MARGIN + tiles)]
    return ((kept.clamp(-1, 1) + 1) / 2).permute(1, 2, 0).numpy()


def repetition(canvas: np.ndarray, tiles: int) -> float:
    """Correlation of the grey canvas (row means removed) with itself shifted by one tile (wrapping)."""
    grey = canvas @ np.array([0.299, 0.587, 0.114], np.float32)
    grey = grey - grey.mean(axis=1, keepdims=True)
    shifted = np.roll(grey, grey.shape[1] // tiles, axis=1)
    denom = float(np.sqrt((grey**2).sum() * (shifted**2).sum()))
    return float((grey * shifted).sum() / denom) if denom > 1e-12 else 0.0


LAYOUT_WS = 4  # ws of the 4 and 8 px layers: where the clouds are placed (as in SkyGenerator.ring_views)
VARIANTS = ("tiled", "tiled+noise", "styles", "styles+turn")


def canvases_for(G: torch.nn.Module, c: torch.Tensor, rng: np.random.Generator, tiles: int) -> dict[str, np.ndarray]:
    """One canvas per variant for one seed: ``tiles`` latents of class ``c`` (the first is the seed's own)."""
    z = torch.from_numpy(rng.standard_normal((tiles, G.z_dim)).astype(np.float32))
    ws = G.mapping(z, c.expand(tiles, -1))
    layout = ws[:1].repeat(tiles, 1, 1)
    layout[:, :LAYOUT_WS] = ws[:, :LAYOUT_WS]
    turns = [int(t) for t in rng.integers(0, 4, tiles)]
    return {
        "tiled": wide_canvas(G, ws[:1], tiles, False, seed=0)[0],
        "tiled+noise": wide_canvas(G, ws[:1], tiles, True, seed=int(rng.integers(1 << 30)))[0],
        "styles": varying_canvas(G, layout, tiles),
        "styles+turn": varying_canvas(G, layout, tiles, turns),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snapshot", type=Path, default=REPO / "training/snapshots/default.pt")
    parser.add_argument("--tiles", type=int, default=6)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--picture", type=Path, help="PNG: the four variants for three classes")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    snap = load_snapshot(args.snapshot)
    _, _, G = build_networks(snap, "cpu")
    classes = [c["name"] if isinstance(c, dict) else str(c) for c in snap.meta.get("classes") or []]
    c_dim = int(snap.meta["G_kwargs"]["c_dim"])
    scores: dict[str, list[float]] = {v: [] for v in VARIANTS}
    per_class: dict[str, dict[str, float]] = {}
    rows: list[np.ndarray] = []
    for k in range(max(c_dim, 1)):
        c = torch.zeros([1, c_dim])
        if c_dim:
            c[0, k] = 1
        found: dict[str, list[float]] = {v: [] for v in VARIANTS}
        for seed in range(args.seeds):
            canvases = canvases_for(G, c, np.random.default_rng(1000 * k + seed), args.tiles)
            for variant, canvas in canvases.items():
                found[variant].append(repetition(canvas, args.tiles))
            if args.picture is not None and seed == 0 and len(rows) < 12:
                rows += list(canvases.values())
        for variant, values in found.items():
            scores[variant] += values
        per_class[classes[k] if k < len(classes) else str(k)] = {v: statistics.median(x) for v, x in found.items()}
    report = {
        "snapshot": str(args.snapshot),
        "kimg": snap.kimg,
        "tiles": args.tiles,
        "canvases_per_variant": len(scores["tiled"]),
        "repetition_median": {v: statistics.median(x) for v, x in scores.items()},
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
