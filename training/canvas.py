"""The synthesis network run once over a canvas several views wide whose two ends meet (``--method native``).

The ALIS/InfinityGAN idea, on the trained weights as they are: the learned 4x4 constant is laid side by side
``tiles + 2 * MARGIN`` times, every layer runs on the wide maps, and the spare tiles at each end are cropped off,
so the zero padding at the canvas's edges never reaches the kept part, which closes on itself (its last column
leads into its first). Two things keep the tiles from being copies of each other:

- **styles per tile.** Tile t has its own ws; between tile centres they blend (smoothstep), so every column
  has its own style. The non-fused modulated convolution modulates activations, which makes a style per
  column exact: scale each input column by its style, convolve with the static weight, demodulate each output
  column with its own coefficients;
- **the constant turned per tile.** The learned constant carries a layout; each tile's copy is turned (its
  columns rolled) by ``turns[t]`` of its columns, so that layout does not recur in step.

With ``noise_mode="const"`` each noise input gets its own fixed noise as wide as the canvas, drawn once from
``noise_seed`` and continued across the seam (the spare tiles hold the kept part's far end), scaled by the
layer's learned strength: the canvas counterpart of a bundle's constant noise, which is one view wide and would
repeat every tile if tiled. Measured on the default model with ``benchmarks/bench_native360.py`` (no noise): the
correlation of the canvas with itself shifted by one tile is -0.04, against 1.00 for the widened generator with
one style.
"""

from __future__ import annotations

import torch

from training.networks.layers import bias_act
from training.networks.modconv import NoiseMode, SynthesisLayer, ToRGBLayer
from training.networks.resample import conv2d_resample, upsample2d
from training.networks.synthesis import SynthesisNetwork

__all__ = ["MARGIN", "CanvasSynthesis"]

MARGIN = 2  # spare tiles at each end: the canvas edge's zero padding darkens what it reaches (about 1.5 tiles)


def _tile_blend(width: int, tiles: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per column of a canvas ``tiles + 2 * MARGIN`` tiles wide: (left tile, right tile, smoothstep weight).

    Tile t's style holds at its centre and blends into its neighbours' towards its edges; the spare tiles
    continue the loop (tile -1 is the last tile), so the kept part closes on itself.
    """
    u = (torch.arange(width, dtype=torch.float64) + 0.5) / width * (tiles + 2 * MARGIN) - MARGIN - 0.5
    left = torch.floor(u)
    t = u - left
    weight = (t * t * (3 - 2 * t)).float()
    left_tile = left.long() % tiles
    return left_tile, (left_tile + 1) % tiles, weight


class CanvasSynthesis(torch.nn.Module):
    """``ws_tiles [tiles, num_ws, w_dim]``, ``turns [tiles]`` (int64) -> ``img [1, C, R, tiles * R]``.

    Shares (does not copy) the layers of ``synthesis``; fp32. The canvas is as tall as one view and ``tiles``
    views wide, its columns 0 and ``tiles * R - 1`` neighbours. ``noise_mode``: ``const`` (fixed canvas-wide
    noise from ``noise_seed``, see the module doc) or ``none``.
    """

    span_tiles: torch.Tensor  # registered buffer

    def __init__(
        self, synthesis: SynthesisNetwork, tiles: int, noise_mode: NoiseMode = "none", noise_seed: int = 0
    ) -> None:
        super().__init__()
        if tiles < 2:
            raise ValueError(f"a canvas needs at least 2 tiles, got {tiles}")
        if noise_mode not in ("const", "none"):
            raise ValueError(f"a canvas has noise 'const' or 'none', not {noise_mode!r}")
        self.synthesis = synthesis
        self.tiles = tiles
        span = tiles + 2 * MARGIN
        generator = torch.Generator().manual_seed(noise_seed)
        self.noise_names: dict[SynthesisLayer, str] = {}
        for index, layer in enumerate(m for m in synthesis.modules() if isinstance(m, SynthesisLayer)):
            if noise_mode == "const" and layer.use_noise:
                side = layer.resolution
                kept = torch.randn([side, side * tiles], generator=generator)
                wide = torch.cat([kept[:, -side * MARGIN :], kept, kept[:, : side * MARGIN]], dim=1)
                self.register_buffer(f"noise{index}", wide, persistent=False)
                self.noise_names[layer] = f"noise{index}"
        for res in synthesis.block_resolutions:  # constant per resolution: which tiles each column blends
            left, right, weight = _tile_blend(res * span, tiles)
            self.register_buffer(f"left{res}", left, persistent=False)
            self.register_buffer(f"right{res}", right, persistent=False)
            self.register_buffer(f"weight{res}", weight, persistent=False)
        self.register_buffer("span_tiles", torch.arange(-MARGIN, tiles + MARGIN) % tiles, persistent=False)

    def _styles(self, ws_tiles: torch.Tensor, index: int, res: int) -> torch.Tensor:
        """``[res * span, w_dim]``: the w of layer ``index`` at each column of the ``res``-pixel canvas."""
        layer = ws_tiles[:, index]
        a = layer.index_select(0, getattr(self, f"left{res}"))
        b = layer.index_select(0, getattr(self, f"right{res}"))
        return a + (b - a) * getattr(self, f"weight{res}")[:, None]

    def _modulated(
        self, layer: SynthesisLayer, x: torch.Tensor, w_in: torch.Tensor, w_out: torch.Tensor
    ) -> torch.Tensor:
        x = x * layer.affine(w_in).t()[None, :, None, :]
        x = conv2d_resample(x, layer.weight, f=layer.resample_filter, up=layer.up, padding=layer.padding)
        styles = layer.affine(w_out)  # [W_out, I]
        dcoefs = (styles.square() @ layer.weight.square().sum(dim=[2, 3]).t() + 1e-8).rsqrt()  # [W_out, O]
        x = x * dcoefs.t()[None, :, None, :]
        if layer in self.noise_names:
            x = x + getattr(self, self.noise_names[layer]) * layer.noise_strength
        return bias_act(x, layer.bias, act=layer.activation, gain=layer.act_gain, clamp=layer.conv_clamp)

    @staticmethod
    def _to_rgb(torgb: ToRGBLayer, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        x = x * (torgb.affine(w) * torgb.weight_gain).t()[None, :, None, :]
        return bias_act(conv2d_resample(x, torgb.weight), torgb.bias, clamp=torgb.conv_clamp)

    def _constant(self, turns: torch.Tensor) -> torch.Tensor:
        """The learned constant laid across the canvas, tile t's copy turned by ``turns[t]`` columns."""
        const = self.synthesis.b4.const
        side = const.shape[2]
        shift = turns.index_select(0, self.span_tiles)  # [span]
        columns = torch.remainder(torch.arange(side)[None, :] - shift[:, None], side)  # roll: out[j] = c[j - s]
        return const.index_select(2, columns.reshape(-1))[None]

    def forward(self, ws_tiles: torch.Tensor, turns: torch.Tensor) -> torch.Tensor:
        syn = self.synthesis
        ws_tiles = ws_tiles.to(torch.float32)
        x: torch.Tensor | None = None
        img: torch.Tensor | None = None
        index = 0
        for res in syn.block_resolutions:
            block = getattr(syn, f"b{res}")
            if x is None:
                x = self._constant(turns)
                w = self._styles(ws_tiles, index, res)
                x = self._modulated(block.conv1, x, w, w)
                index += 1
            else:
                x = self._modulated(
                    block.conv0, x, self._styles(ws_tiles, index, res // 2), self._styles(ws_tiles, index, res)
                )
                index += 1
                w = self._styles(ws_tiles, index, res)
                x = self._modulated(block.conv1, x, w, w)
                index += 1
            y = self._to_rgb(block.torgb, x, self._styles(ws_tiles, index, res))
            img = y if img is None else upsample2d(img, block.resample_filter) + y
        assert img is not None
        side = img.shape[2]
        return img[:, :, :, side * MARGIN : side * (MARGIN + self.tiles)]
