"""FIR resampling in plain PyTorch: ``upfirdn2d`` and the resampling convolutions built on it.

Same semantics as the CUDA ops of NVlabs stylegan2-ada-pytorch (upsample by zero insertion, pad, convolve with
a 2-D FIR filter, downsample by dropping samples), written with ordinary PyTorch ops so the code runs on any
device and exports to ONNX. Padding is ``[x0, x1, y0, y1]``; negative padding crops.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

__all__ = ["setup_filter", "upfirdn2d", "upsample2d", "downsample2d", "conv2d_resample"]


def setup_filter(taps: Sequence[float], normalize: bool = True) -> torch.Tensor:
    """Return the 2-D FIR filter for ``taps`` (outer product of a 1-D kernel), normalised to sum 1.

    Parameters
    ----------
    taps
        1-D filter taps, e.g. ``[1, 3, 3, 1]``.
    normalize
        Divide by the sum so a constant image keeps its value.

    Returns
    -------
    torch.Tensor
        ``[len(taps), len(taps)]`` float32 filter.
    """
    f = torch.as_tensor(taps, dtype=torch.float32)
    if f.ndim == 1:
        f = torch.outer(f, f)
    if normalize:
        f = f / f.sum()
    return f


def upfirdn2d(
    x: torch.Tensor,
    f: torch.Tensor,
    up: int = 1,
    down: int = 1,
    padding: Sequence[int] = (0, 0, 0, 0),
    gain: float = 1.0,
) -> torch.Tensor:
    """Upsample, pad, FIR-filter and downsample a batch of images ``x`` ``[N, C, H, W]``.

    The filter is applied as a true convolution (flipped), and multiplied by ``gain``.
    """
    channels, in_h, in_w = x.shape[1], x.shape[2], x.shape[3]
    px0, px1, py0, py1 = padding
    if up > 1:
        x = x.reshape(-1, channels, in_h, 1, in_w, 1)
        x = F.pad(x, [0, up - 1, 0, 0, 0, up - 1])
        x = x.reshape(-1, channels, in_h * up, in_w * up)
    x = F.pad(x, [max(px0, 0), max(px1, 0), max(py0, 0), max(py1, 0)])
    x = x[:, :, max(-py0, 0) : x.shape[2] - max(-py1, 0), max(-px0, 0) : x.shape[3] - max(-px1, 0)]
    kernel = (f * gain).to(x.dtype).flip([0, 1])
    kernel = kernel[None, None].repeat(channels, 1, 1, 1)
    x = F.conv2d(x, kernel, groups=channels)
    if down > 1:
        x = x[:, :, ::down, ::down]
    return x


def upsample2d(x: torch.Tensor, f: torch.Tensor, up: int = 2) -> torch.Tensor:
    """Upsample ``x`` by ``up`` with the FIR filter ``f`` (output ``[N, C, H*up, W*up]``)."""
    fw = f.shape[-1]
    p0, p1 = (fw + up - 1) // 2, (fw - up) // 2
    return upfirdn2d(x, f, up=up, padding=(p0, p1, p0, p1), gain=up * up)


def downsample2d(x: torch.Tensor, f: torch.Tensor, down: int = 2) -> torch.Tensor:
    """Downsample ``x`` by ``down`` after low-pass filtering with ``f`` (output ``[N, C, H/down, W/down]``)."""
    fw = f.shape[-1]
    p0, p1 = (fw - down + 1) // 2, (fw - down) // 2
    return upfirdn2d(x, f, down=down, padding=(p0, p1, p0, p1))


def conv2d_resample(
    x: torch.Tensor,
    w: torch.Tensor,
    f: torch.Tensor | None = None,
    up: int = 1,
    down: int = 1,
    padding: int = 0,
) -> torch.Tensor:
    """2-D convolution (cross-correlation, as ``torch.nn.functional.conv2d``) with optional FIR resampling.

    ``up=2`` is a stride-2 transposed convolution followed by the FIR filter; ``down=2`` filters first and
    then convolves with stride 2. Either way the output is ``[N, O, H*up/down, W*up/down]`` for an odd
    kernel with ``padding = kernel // 2``.
    """
    if up > 1 and down > 1:
        raise ValueError("conv2d_resample: up and down at once is not supported")
    kh, kw = w.shape[2], w.shape[3]
    fw = 0 if f is None else f.shape[-1]
    if up > 1:
        assert f is not None
        if kw == 1 and kh == 1:
            return upsample2d(F.conv2d(x, w), f, up=up)
        p0 = padding + (fw + up - 1) // 2 - (kw - 1)
        p1 = padding + (fw - up) // 2 - (kw - up)
        pt = max(min(-p0, -p1), 0)
        x = F.conv_transpose2d(x, w.transpose(0, 1), stride=up, padding=pt)
        return upfirdn2d(x, f, padding=(p0 + pt, p1 + pt, p0 + pt, p1 + pt), gain=up * up)
    if down > 1:
        assert f is not None
        p0 = padding + (fw - down + 1) // 2
        p1 = padding + (fw - down) // 2
        if kw == 1 and kh == 1:
            return F.conv2d(upfirdn2d(x, f, down=down, padding=(p0, p1, p0, p1)), w)
        x = upfirdn2d(x, f, padding=(p0, p1, p0, p1))
        return F.conv2d(x, w, stride=down)
    return F.conv2d(x, w, padding=padding)
