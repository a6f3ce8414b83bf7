"""PNG plot of a run: losses, augment p and FID against kimg, drawn with Pillow (no matplotlib needed)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from PIL import Image, ImageDraw

__all__ = ["plot_run"]

_COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75)]


def _read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _panel(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], title: str, series: dict[str, list[tuple[float, float]]]
) -> None:
    x0, y0, x1, y1 = box
    draw.rectangle(box, outline=(0, 0, 0))
    draw.text((x0 + 4, y0 - 14), title, fill=(0, 0, 0))
    pts = [p for s in series.values() for p in s if math.isfinite(p[1])]
    if not pts:
        draw.text((x0 + 10, y0 + 10), "no data yet", fill=(120, 120, 120))
        return
    xmin, xmax = min(p[0] for p in pts), max(p[0] for p in pts)
    ymin, ymax = min(p[1] for p in pts), max(p[1] for p in pts)
    if xmax == xmin:
        xmax = xmin + 1
    if ymax == ymin:
        ymax = ymin + 1
    pad = 30

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (
            x0 + pad + (x - xmin) / (xmax - xmin) * (x1 - x0 - 2 * pad),
            y1 - pad - (y - ymin) / (ymax - ymin) * (y1 - y0 - 2 * pad),
        )

    draw.text((x0 + 2, y1 - pad + 2), f"{ymin:.3g}", fill=(0, 0, 0))
    draw.text((x0 + 2, y0 + 4), f"{ymax:.3g}", fill=(0, 0, 0))
    draw.text((x0 + pad, y1 - 14), f"kimg {xmin:.3g}", fill=(0, 0, 0))
    draw.text((x1 - 80, y1 - 14), f"{xmax:.3g}", fill=(0, 0, 0))
    for i, (name, s) in enumerate(series.items()):
        colour = _COLOURS[i % len(_COLOURS)]
        xy = [to_px(x, y) for x, y in s if math.isfinite(y)]
        if len(xy) > 1:
            draw.line(xy, fill=colour, width=2)
        for px, py in xy:
            draw.ellipse((px - 2, py - 2, px + 2, py + 2), fill=colour)
        draw.text((x1 - 120, y0 + 6 + 12 * i), name, fill=colour)


def plot_run(run_dir: Path, out: Path | None = None) -> Path:
    """Draw ``stats.jsonl`` / ``metrics.jsonl`` of ``run_dir`` into ``plot.png`` (or ``out``)."""
    run_dir = Path(run_dir)
    stats = _read_jsonl(run_dir / "stats.jsonl")
    metrics = _read_jsonl(run_dir / "metrics.jsonl")
    losses: dict[str, list[tuple[float, float]]] = {}
    for rec in stats:
        for k, v in rec.items():
            if k.startswith("loss/") and isinstance(v, (int, float)):
                losses.setdefault(k[5:], []).append((rec["kimg"], float(v)))
    aug = {"augment p": [(r["kimg"], float(r.get("augment_p", 0.0))) for r in stats]}
    fid: dict[str, list[tuple[float, float]]] = {}
    for rec in metrics:
        for k, v in rec.get("results", {}).items():
            if k in ("fid", "kid"):
                fid.setdefault(k, []).append((rec["kimg"], float(v)))
    img = Image.new("RGB", (900, 660), "white")
    draw = ImageDraw.Draw(img)
    draw.text((10, 4), f"run {run_dir.name}", fill=(0, 0, 0))
    _panel(draw, (10, 36, 890, 276), "losses", losses)
    _panel(draw, (10, 300, 445, 650), "augment p", aug)
    _panel(draw, (455, 300, 890, 650), "FID / KID", fid)
    out = Path(out) if out is not None else run_dir / "plot.png"
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp.png")
    img.save(tmp)
    os.replace(tmp, out)
    return out
