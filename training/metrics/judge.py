"""The judge: a small CNN trained from scratch on the cloud photos only, for metrics with no ImageNet network in them.

Inception features (FID, ``cond_acc``) describe ImageNet objects; a sky photo is mostly texture and colour. The
judge is trained on the data set itself (CCSN: 11 cloud types) and gives

``fd_judge``        Fréchet distance between the judge's 128-d feature layer on every real image and on the
                    generated sample (``fid_from_features``; lower is better; floor: ``fd_judge_halves``)
``cond_judge``      share of generated images that the judge classifies as the requested class (the main sample,
                    classes drawn like the data set's), with ``cond_judge/<code>`` per class and ``cond_judge_bal``
                    (mean over classes)
``judge_real_acc``  the judge's accuracy on its held-out real photos (from its metadata; ``judge_real_bal_acc``
                    per class averaged): the ceiling to read ``cond_judge`` against

Network (``JudgeNet``): five 3x3 conv + BatchNorm + ReLU blocks (24, 48, 96, 192, 256 maps; 2x2 max-pool after
the first four), global average pool, ``Linear(256, 128) + ReLU`` = the feature layer, dropout, ``Linear(128, C)``.
About 0.7 M parameters, 1.4 MB in fp16; ~35 M multiply-adds per 64 px image. Input: RGB in ``[-1, 1]`` at
``input_size`` (64) px, area-downsampled from the archive (``judge_input``).

Training (``train_judge``; ``skyasset-train train-judge``): fixed seed; stratified held-out split (15 % of each
class, ``stratified_split`` of ``conditioning.py``); AdamW, cosine learning rate, label smoothing 0.1; augmentation
per batch: horizontal flip, random crop of 75-100 % of the side resampled to the input size, brightness /
contrast / saturation jitter of +-15 %. No early stopping or selection on the held-out part: it is scored once,
with the weights as saved (fp16). ``judge.pt`` holds ``{"meta": ..., "state_dict": fp16}`` (read with
``torch.load(weights_only=True)``); ``judge.json`` beside it repeats the metadata for people.

Real-image judge features are cached in ``cache_dir()`` (key: the archive's content hash, its image names and the
weights' sha256).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from skyasset.atomic import atomic_output
from skyasset.errors import SkyassetError
from training.dataset import ImageArchive
from training.metrics.conditioning import stratified_split
from training.metrics.fid import fid_from_features
from training.metrics.stats import archive_images, cache_dir, file_sha256

if TYPE_CHECKING:
    from training.metrics import MetricContext
    from training.metrics.sources import ImageSource

__all__ = [
    "DEFAULT_JUDGE",
    "JudgeNet",
    "Judge",
    "judge_input",
    "train_judge",
    "load_judge",
    "judge_real_features",
    "fd_judge",
    "cond_judge",
    "cond_judge_from_images",
    "fd_judge_halves",
    "memorisation_pairs",
    "pair_grid_size",
]

JUDGE_VERSION = "judge-cnn5-gap128-v1"  # bump when the network or the input changes
DEFAULT_JUDGE = Path(__file__).with_name("judge.pt")
TRAIN_HINT = "train it with `skyasset-train train-judge --data ~/skyasset-runs/data/ccsn128.zip --out {path}`"


class JudgeNet(nn.Module):
    """The judge's CNN (see the module docstring). ``features(x)`` is the 128-d layer, ``forward(x)`` the logits."""

    def __init__(self, num_classes: int, widths: tuple[int, ...] = (24, 48, 96, 192, 256), feature_dim: int = 128):
        super().__init__()
        self.widths = tuple(widths)
        self.feature_dim = feature_dim
        layers: list[nn.Module] = []
        cin = 3
        for i, cout in enumerate(widths):
            layers += [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
            if i < len(widths) - 1:
                layers.append(nn.MaxPool2d(2))
            cin = cout
        self.body = nn.Sequential(*layers)
        self.feature = nn.Sequential(nn.Linear(cin, feature_dim), nn.ReLU(inplace=True))
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(feature_dim, num_classes))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.feature(self.body(x).mean(dim=(2, 3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def judge_input(images: np.ndarray | torch.Tensor, size: int) -> torch.Tensor:
    """uint8 RGB ``[N, 3, R, R]`` -> float ``[N, 3, size, size]`` in ``[-1, 1]`` (box filter when ``R`` is a multiple of
    ``size``, else antialiased bilinear)."""
    x = torch.as_tensor(images)
    if x.ndim != 4 or x.shape[1] != 3:
        raise SkyassetError("invalid_argument", f"the judge takes RGB images [N, 3, R, R], got {tuple(x.shape)}")
    x = x.float() / 127.5 - 1
    r = x.shape[-1]
    if r != size:
        if r > size and r % size == 0:
            x = nn.functional.avg_pool2d(x, r // size)
        else:
            x = nn.functional.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    return x


@dataclass
class Judge:
    """A trained ``JudgeNet`` in eval mode with its metadata (``meta``: classes, input size, held-out scores...)."""

    net: JudgeNet
    meta: dict[str, Any]
    sha256: str = ""
    device: str = "cpu"

    @property
    def input_size(self) -> int:
        return int(self.meta["input_size"])

    @property
    def codes(self) -> list[str]:
        return [c["code"] for c in self.meta["classes"]]

    @torch.no_grad()
    def run(self, images: np.ndarray, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
        """``(features [N, 128] float32, predicted class [N])`` of uint8 images ``[N, 3, R, R]``."""
        feats, preds = [], []
        for i in range(0, len(images), batch):
            x = judge_input(images[i : i + batch], self.input_size).to(self.device)
            f = self.net.features(x)
            feats.append(f.float().cpu().numpy())
            preds.append(self.net.head(f).argmax(1).cpu().numpy())
        if not feats:
            return np.zeros((0, int(self.meta.get("feature_dim", 128))), np.float32), np.zeros(0, np.int64)
        return np.concatenate(feats), np.concatenate(preds).astype(np.int64)


def _accuracy(pred: np.ndarray, labels: np.ndarray, codes: list[str], prefix: str) -> dict[str, float]:
    """``<prefix>acc``, ``<prefix>bal_acc`` (mean recall over the classes present) and ``<prefix>acc/<code>``."""
    out: dict[str, float] = {f"{prefix}acc": float(np.mean(pred == labels)) if len(labels) else float("nan")}
    recalls = []
    for k, code in enumerate(codes):
        mask = labels == k
        r = float(np.mean(pred[mask] == k)) if mask.any() else float("nan")
        out[f"{prefix}acc/{code}"] = r
        if mask.any():
            recalls.append(r)
    out[f"{prefix}bal_acc"] = float(np.mean(recalls)) if recalls else float("nan")
    return out


def _augment(x: torch.Tensor, size: int, gen: torch.Generator) -> torch.Tensor:
    """Flip, random 75-100 % crop resampled to ``size``, colour jitter; ``x`` float ``[N, 3, S, S]`` in [-1, 1]."""
    n = x.shape[0]
    u = torch.rand(n, 6, generator=gen)
    scale = 0.75 + 0.25 * u[:, 0]
    flip = torch.where(u[:, 1] < 0.5, -1.0, 1.0)
    tx, ty = (2 * u[:, 2] - 1) * (1 - scale), (2 * u[:, 3] - 1) * (1 - scale)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 2] = scale * flip, tx
    theta[:, 1, 1], theta[:, 1, 2] = scale, ty
    grid = nn.functional.affine_grid(theta, [n, 3, size, size], align_corners=False)
    x = nn.functional.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    j = 1 + 0.3 * (torch.rand(n, 3, generator=gen) - 0.5)  # brightness, contrast, saturation in [0.85, 1.15]
    x = (x + 1) * j[:, 0, None, None, None] - 1
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * j[:, 1, None, None, None] + mean
    gray = x.mean(dim=1, keepdim=True)
    x = (x - gray) * j[:, 2, None, None, None] + gray
    return x.clamp(-1, 1)


@dataclass(frozen=True)
class _Schedule:
    """The judge's optimisation: epochs, batch size, AdamW's peak learning rate and weight decay."""

    epochs: int
    batch: int
    lr: float
    weight_decay: float


def _fit(
    net: JudgeNet,
    x_all: torch.Tensor,
    y_all: torch.Tensor,
    train_idx: np.ndarray,
    schedule: _Schedule,
    gen: torch.Generator,
    *,
    device: str,
    verbose: bool,
    t0: float,
) -> None:
    """Train ``net`` on the augmented ``train_idx`` images: AdamW, linear warm-up then cosine decay per step."""
    epochs, batch = schedule.epochs, schedule.batch
    opt = torch.optim.AdamW(net.parameters(), lr=schedule.lr, weight_decay=schedule.weight_decay)
    steps_per_epoch = max(len(train_idx) // batch, 1)
    total = epochs * steps_per_epoch
    warmup = min(steps_per_epoch, total // 10 + 1)

    def lr_at(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(total - warmup, 1)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    train_t = torch.from_numpy(train_idx)
    input_size = x_all.shape[-1]
    for epoch in range(epochs):
        net.train()
        perm = train_t[torch.randperm(len(train_t), generator=gen)]
        loss_sum = 0.0
        for s in range(steps_per_epoch):
            idx = perm[s * batch : (s + 1) * batch]
            if len(idx) < 2:  # BatchNorm needs two images
                continue
            xb = _augment(x_all[idx], input_size, gen).to(device)
            loss = loss_fn(net(xb), y_all[idx].to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += float(loss.detach())
        if verbose:
            print(f"  epoch {epoch + 1}/{epochs}: loss {loss_sum / steps_per_epoch:.3f} ({time.time() - t0:.0f} s)")


def _saved_state(net: JudgeNet) -> dict[str, torch.Tensor]:
    """``net``'s weights as saved (fp16 on the CPU); ``net`` takes them back in fp32, so it is scored as saved."""
    state = {k: (v.half() if v.is_floating_point() else v).cpu() for k, v in net.state_dict().items()}
    net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return state


def _save_judge(out: Path, meta: dict[str, Any], state: dict[str, torch.Tensor]) -> None:
    """The weights and metadata to ``out``, the metadata alone to ``out.with_suffix('.json')``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    torch.save({"meta": meta, "state_dict": state}, tmp)
    os.replace(tmp, out)
    with atomic_output(out.with_suffix(".json"), force=True) as tmp_json:  # never through a link there
        tmp_json.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def train_judge(
    data: Path,
    out: Path,
    *,
    epochs: int = 18,
    input_size: int = 64,
    batch: int = 64,
    lr: float = 2e-3,
    weight_decay: float = 5e-4,
    heldout_share: float = 0.15,
    seed: int = 0,
    device: str = "cpu",
    max_images: int | None = None,
    verbose: bool = False,
) -> dict[str, Any]:
    """Train the judge on a labelled archive and write ``out`` (+ ``out.with_suffix('.json')``); returns the metadata.

    ``max_images`` keeps a seeded subset (tests)."""
    t0 = time.time()
    data, out = Path(data), Path(out)
    archive = ImageArchive(data, max_size=max_images, seed=seed)
    if archive.c_dim < 2:
        raise SkyassetError(
            "invalid_argument", f"{data} has {archive.c_dim} classes; the judge needs a labelled archive"
        )
    codes = [c["code"] for c in archive.classes]
    labels = archive.labels
    train_idx, test_idx = stratified_split(labels, heldout_share, seed)
    x_all = judge_input(archive_images(archive), input_size)  # [N, 3, S, S] float, 64 px: 49 KB per image
    y_all = torch.from_numpy(labels)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    net = JudgeNet(len(codes)).to(device)
    schedule = _Schedule(epochs, batch, lr, weight_decay)
    _fit(net, x_all, y_all, train_idx, schedule, gen, device=device, verbose=verbose, t0=t0)
    state = _saved_state(net)
    judge = Judge(net.eval(), {"input_size": input_size, "classes": archive.classes}, device=device)
    _, pred = judge.run(archive_images_subset(archive, test_idx))
    scores = _accuracy(pred, labels[test_idx], codes, "heldout_")
    meta: dict[str, Any] = {
        "version": JUDGE_VERSION,
        "classes": [{"code": c["code"], "name": c.get("name", c["code"])} for c in archive.classes],
        "input_size": input_size,
        "widths": list(net.widths),
        "feature_dim": net.feature_dim,
        "seed": seed,
        "epochs": epochs,
        "batch": batch,
        "lr": lr,
        "weight_decay": weight_decay,
        "heldout_share": heldout_share,
        "n_train": len(train_idx),
        "n_heldout": len(test_idx),
        **scores,
        "dataset": data.name,
        "dataset_sha256": file_sha256(data),
        "dataset_images": len(archive),
        "train_seconds": round(time.time() - t0, 1),
        "torch": str(torch.__version__),
        "heldout_names": [archive.names[i] for i in test_idx],
    }
    meta = json.loads(json.dumps(meta))  # plain JSON types: loadable with weights_only=True
    _save_judge(out, meta, state)
    if verbose:
        print(
            f"  held-out accuracy {meta['heldout_acc']:.3f} (balanced {meta['heldout_bal_acc']:.3f}, "
            f"{len(test_idx)} images); {out} {out.stat().st_size / 2**20:.2f} MiB"
        )
    return meta


def archive_images_subset(archive: ImageArchive, indices: np.ndarray) -> np.ndarray:
    """uint8 images ``[len(indices), C, R, R]`` of ``archive``."""
    out = np.empty((len(indices), archive.num_channels, archive.resolution, archive.resolution), np.uint8)
    for j, i in enumerate(indices):
        out[j] = archive[int(i)][0]
    return out


_LOADED: dict[tuple[str, str, float], Judge] = {}


def load_judge(path: Path | None = None, device: str = "cpu") -> Judge:
    """The judge at ``path`` (default: the committed ``training/metrics/judge.pt``), loaded once per process."""
    path = Path(path) if path is not None else DEFAULT_JUDGE
    if not path.is_file():
        raise SkyassetError("input_not_found", f"judge weights {path} not found; {TRAIN_HINT.format(path=path)}")
    key = (str(path.resolve()), device, path.stat().st_mtime)
    if key in _LOADED:
        return _LOADED[key]
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        meta, state = blob["meta"], blob["state_dict"]
        net = JudgeNet(len(meta["classes"]), tuple(meta["widths"]), int(meta["feature_dim"]))
        net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    except (OSError, RuntimeError, KeyError, TypeError, ValueError, pickle.UnpicklingError) as exc:
        raise SkyassetError(
            "input_not_found", f"{path} is not a judge checkpoint ({exc}); {TRAIN_HINT.format(path=path)}"
        ) from exc
    judge = Judge(net.eval().to(device), meta, file_sha256(path), device)
    _LOADED[key] = judge
    return judge


def judge_real_features(
    archive: ImageArchive, judge: Judge, *, images: np.ndarray | None = None, use_cache: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """``(features, predictions)`` of the judge on every image of ``archive``, cached on disk.

    ``images`` (the archive's images, if already read) saves reading them on a cache miss."""
    key_src = json.dumps(
        {"archive": file_sha256(archive.path), "names": archive.names, "judge": judge.sha256, "v": JUDGE_VERSION}
    )
    path = cache_dir() / f"judge-features-{hashlib.sha256(key_src.encode()).hexdigest()[:32]}.npz"
    if use_cache and judge.sha256 and path.is_file():
        with np.load(path) as z:
            return z["features"], z["pred"]
    feats, pred = judge.run(archive_images(archive) if images is None else images)
    if use_cache and judge.sha256:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
        np.savez(tmp, features=feats, pred=pred, key=key_src)
        os.replace(tmp, path)
    return feats, pred


def _ctx_judge(ctx: MetricContext) -> Judge:
    return load_judge(ctx.judge, device=ctx.device)


def _ctx_real(ctx: MetricContext) -> tuple[np.ndarray, np.ndarray]:
    if "judge_real" not in ctx.memo:
        ctx.memo["judge_real"] = judge_real_features(ctx.archive, _ctx_judge(ctx), images=ctx._real_images)
    return ctx.memo["judge_real"]  # type: ignore[no-any-return,unused-ignore]


def _ctx_gen(ctx: MetricContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(classes, features, predictions)`` of the main generated sample."""
    if "judge_gen" not in ctx.memo:
        classes, images = ctx.generated_images()
        ctx.memo["judge_gen"] = (classes, *_ctx_judge(ctx).run(images))
    return ctx.memo["judge_gen"]  # type: ignore[no-any-return,unused-ignore]


def fd_judge(ctx: MetricContext) -> dict[str, float]:
    """``fd_judge``: Fréchet distance of the judge's features, every real image vs the main generated sample."""
    real, _ = _ctx_real(ctx)
    _, gen, _ = _ctx_gen(ctx)
    return {"fd_judge": fid_from_features(real, gen)}


def fd_judge_per_class(ctx: MetricContext) -> dict[str, float]:
    """``fd_judge/<code>``: each class's generated images (the main sample's, by requested class) against the real
    photos of that class, in the judge's features; ``spread_judge`` and ``spread_judge/<code>``: the trace of the
    generated features' covariance over the real ones' (below 1: less varied than the photos; above: more, as
    off-distribution faults make it). Where fd_judge is high, these say which classes hold it and whether
    variety is lost or added. A class with fewer than 2 images of either kind is left out."""
    real, _ = _ctx_real(ctx)
    classes, gen, _ = _ctx_gen(ctx)
    labels = np.asarray(ctx.archive.labels)
    out = {"spread_judge": _spread(gen) / max(_spread(real), 1e-12)}
    for k, code in enumerate(_ctx_judge(ctx).codes):
        g, r = gen[classes == k], real[labels == k]
        if len(g) >= 2 and len(r) >= 2:
            out[f"fd_judge/{code}"] = fid_from_features(r, g)
            out[f"spread_judge/{code}"] = _spread(g) / max(_spread(r), 1e-12)
    return out


def _spread(features: np.ndarray) -> float:
    """The trace of the features' covariance: the sum of each feature's variance."""
    return float(np.var(features, axis=0, ddof=1).sum())


def cond_judge_from_images(judge: Judge, images: np.ndarray, classes: np.ndarray) -> dict[str, float]:
    """``cond_judge`` (share of ``images`` the judge puts in ``classes``), ``cond_judge_bal``, ``cond_judge/<code>``."""
    _, pred = judge.run(images)
    return _cond_scores(judge, pred, np.asarray(classes))


def _cond_scores(judge: Judge, pred: np.ndarray, classes: np.ndarray) -> dict[str, float]:
    s = _accuracy(pred, classes, judge.codes, "")
    return {
        "cond_judge": s["acc"],
        "cond_judge_bal": s["bal_acc"],
        **{f"cond_judge/{c}": s[f"acc/{c}"] for c in judge.codes},
    }


def cond_judge(ctx: MetricContext) -> dict[str, float]:
    """``cond_judge``, ``cond_judge_bal``, ``cond_judge/<code>``, ``judge_real_acc``, ``judge_real_bal_acc``."""
    judge = _ctx_judge(ctx)
    c_src = int(ctx.source.c_dim or 0)
    arch_codes = [c["code"] for c in ctx.archive.classes]
    if not c_src:
        raise SkyassetError(
            "invalid_argument", "cond_judge needs a class-conditional generator; drop it for an unconditional model"
        )
    if c_src != len(judge.codes) or (arch_codes and arch_codes != judge.codes):
        raise SkyassetError(
            "invalid_argument",
            f"the judge knows the classes {judge.codes}, the generator has {c_src} classes and the archive "
            f"{arch_codes}; train a judge on this data set (`skyasset-train train-judge`)",
        )
    classes, _, pred = _ctx_gen(ctx)
    return {
        **_cond_scores(judge, pred, classes),
        "judge_real_acc": float(judge.meta["heldout_acc"]),
        "judge_real_bal_acc": float(judge.meta["heldout_bal_acc"]),
    }


def fd_judge_halves(
    archive: ImageArchive, *, judge_path: Path | None = None, seed: int = 0, device: str = "cpu"
) -> float:
    """``fd_judge`` between two random halves of ``archive`` (same split as ``fid_halves``): its floor."""
    feats, _ = judge_real_features(archive, load_judge(judge_path, device))
    order = np.random.default_rng(seed).permutation(len(feats))
    half = len(feats) // 2
    return fid_from_features(feats[order[:half]], feats[order[half : 2 * half]])


def pair_grid_size(n: int, resolution: int, cols: int = 8, pad: int = 8, gap: int = 2) -> tuple[int, int]:
    """``(width, height)`` of the memorisation grid: ``cols`` pairs (generated | real) per row."""
    cols = max(min(cols, n), 1)
    rows = -(-n // cols)
    return cols * (2 * resolution + gap) + (cols + 1) * pad, rows * resolution + (rows + 1) * pad


def memorisation_pairs(
    source: ImageSource,
    archive: ImageArchive,
    png: Path,
    *,
    judge_path: Path | None = None,
    n: int = 64,
    device: str = "cpu",
    real_images: np.ndarray | None = None,
) -> dict[str, Any]:
    """Nearest training photo (cosine distance of L2-normalised judge features) of ``n`` generated images (seeds
    ``0..n-1``, classes ``0, 1, .., c_dim - 1, 0, ..``), drawn as a PNG grid of pairs (generated | nearest real).

    Returns the median nearest distance of the generated images and, for context, the median distance of each real
    photo to its nearest other real photo (leave-one-out); a generator that copies its training photos scores
    below the real-to-real median. Also ``pairs``: ``[seed, class, nearest real name, distance]`` per image."""
    from PIL import Image

    judge = load_judge(judge_path, device)
    reals = archive_images(archive) if real_images is None else real_images
    real_f, _ = judge_real_features(archive, judge, images=reals)
    seeds = np.arange(n)
    classes = seeds % int(source.c_dim) if source.c_dim else np.zeros(n, np.int64)
    fake = source.generate(seeds, classes)
    fake_f, _ = judge.run(fake)

    def unit(f: np.ndarray) -> np.ndarray:
        return f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-12)

    ru, fu = unit(real_f.astype(np.float64)), unit(fake_f.astype(np.float64))
    d_fake = 1 - fu @ ru.T  # [n, N]
    nearest = d_fake.argmin(1)
    d_gen = d_fake[np.arange(n), nearest]
    d_real = 1 - ru @ ru.T
    np.fill_diagonal(d_real, np.inf)
    real_nn = d_real.min(1)

    res = fake.shape[-1]
    width, height = pair_grid_size(n, res)
    cols = max(min(8, n), 1)
    canvas = Image.new("RGB", (width, height), (40, 40, 40))
    for i in range(n):
        r, c = divmod(i, cols)
        x0, y0 = 8 + c * (2 * res + 2 + 8), 8 + r * (res + 8)
        canvas.paste(Image.fromarray(fake[i].transpose(1, 2, 0)), (x0, y0))
        real = Image.fromarray(reals[nearest[i]].transpose(1, 2, 0))
        if real.size != (res, res):
            real = real.resize((res, res), Image.Resampling.LANCZOS)
        canvas.paste(real, (x0 + res + 2, y0))
    png = Path(png)
    with atomic_output(png, force=True) as tmp:  # a link at ``png`` is replaced itself, never written through
        canvas.save(tmp)
    return {
        "png": str(png),
        "gen_nn_median": float(np.median(d_gen)),
        "real_nn_median": float(np.median(real_nn)),
        "gen_nn_min": float(d_gen.min()),
        "pairs": [
            [int(s), int(k), archive.names[int(j)], float(d)]
            for s, k, j, d in zip(seeds, classes, nearest, d_gen, strict=True)
        ],
    }
