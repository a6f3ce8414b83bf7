"""Ship a snapshot as a model bundle with everything a user needs to judge it: ``skyasset-train ship``.

One command turns a snapshot into the folder that ``skyasset/models/default/`` holds:

``skyasset-bundle.json``, ``*.onnx``, ``weights.bin``       the bundle (docs/BUNDLE.md), FID in its provenance
``samples.png``                                             seeds 0-7 of every class, psi 1, made by the bundle
``skybox.png``                                              a 2048x1024 skybox (cumulus, seed 7, default method)
``metrics.json``                                            swd, fd_judge, cond_judge (with their floors), FID,
                                                            per-class FID, conditioning accuracy, noise; swd,
                                                            fd_judge, cond_judge again at the runtime's psi
``memorisation.png``                                        64 samples beside their nearest training photo
``MODEL_CARD.md``                                           data, licence, config, training, numbers, failure modes

and writes the compact training snapshot (G_ema + D in fp16) for fine-tuning and for continuing the run. The
metrics are measured on the exported bundle through the runtime, i.e. on exactly what users run. The folder is
built under a temporary name beside ``out`` and renamed into place, so it appears whole or not at all.
"""

from __future__ import annotations

import inspect
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from skyasset.errors import SkyassetError
from training.outputs import check_output_file, check_output_folder, remove_output

if TYPE_CHECKING:
    import torch

    from training.dataset import ImageArchive
    from training.export import ExportNoiseMode
    from training.networks import Generator
    from training.snapshot import Snapshot

__all__ = ["NOISE_RMS_LIMIT", "SNAPSHOT_LIMIT_BYTES", "ShipReport", "ship_model"]

NOISE_RMS_LIMIT = 0.01  # above this the per-pixel noise shows as speckle: export without it
SNAPSHOT_LIMIT_BYTES = 25 * 10**6
SKYBOX_CLOUD, SKYBOX_SEED = "cumulus", 7
RUNTIME_METRICS = ("swd", "fd_judge", "cond_judge")  # measured again at the runtime's default psi


def runtime_psi() -> float:
    """The truncation ``skyasset generate`` applies unless told otherwise: what users see first."""
    from skyasset.settings import sky_request

    return float(inspect.signature(sky_request).parameters["psi"].default)


@dataclass
class ShipReport:
    bundle: Path
    snapshot: Path
    metrics: dict[str, Any]
    seconds: float


def ship_model(
    snapshot: Path,
    data: Path,
    out: Path,
    snapshot_out: Path,
    *,
    num_gen: int = 5000,
    noise: str = "auto",
    model_id: str | None = None,
    training_summary: str = "",
    failure_modes: str = "",
    summary: str = "",
    machine_hours: float | None = None,
    force: bool = False,
    verbose: bool = True,
) -> ShipReport:
    """Export ``snapshot``, measure the bundle against ``data``, and write the shippable folder ``out``.

    Parameters
    ----------
    snapshot
        Snapshot file or run directory (its newest snapshot).
    data
        The training archive: the FID reference (all its images) and the conditioning probe's data.
    out, snapshot_out
        Bundle folder to create, and where the compact snapshot goes (at most 25 MB).
    num_gen
        Generated images (labels drawn like the data set's) for FID; per-class FID and conditioning accuracy
        use each class's share of the same images.
    noise
        ``auto`` (``none`` when ``noise_rms`` exceeds ``NOISE_RMS_LIMIT``), ``const`` or ``none``.
    training_summary, failure_modes, summary
        Markdown for the model card (how it was trained; what goes wrong; a paragraph under the title, e.g.
        what an interim model is for), written by a person.
    machine_hours
        Machine-hours of the model's whole training lineage, for the card (None = not stated).
    """
    start = time.time()
    out, snapshot_out = Path(out), Path(snapshot_out)
    _check_outputs(out, snapshot_out, noise, force)
    snap_path, snap, D, G_ema, archive = _load_matching(Path(snapshot), data)
    rms, noise_mode = _noise_mode(G_ema, noise)
    log = print if verbose else (lambda *_: None)
    log(f"{snap_path.name}: {snap.kimg:.3f} kimg, noise rms {rms:.4f} -> export with noise {noise_mode}")

    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.ship-", dir=out.parent))
    try:
        compact = _save_compact(staging / snapshot_out.name, G_ema, D, snap.meta)  # its size limit before the metrics
        bundle = staging / "bundle"
        _export(G_ema, bundle, snap, snap_path, Path(data).name, model_id, noise_mode, verbose)
        results, gen_counts = _measure(bundle, archive, num_gen, verbose)
        metrics = {
            "kimg": snap.kimg,
            "snapshot": snap_path.name,
            **_sample_sizes(archive, Path(data).name, num_gen, gen_counts),
            "noise_rms": rms,
            "noise_mode": noise_mode,
            "noise_choice": noise,
            # FID can fall without better pictures once a discriminator has judged Inception features.
            "fid_gameable": _saw_inception(snap.meta["D_kwargs"]),
            "discriminator": snap.meta["D_kwargs"].get("kind", "stylegan2"),
            "machine_hours": machine_hours,
            **results,
        }
        metrics.update(_measure_at_runtime_psi(bundle, archive, num_gen, verbose))
        metrics.update(_write_memorisation(bundle, staging, archive))
        _record_fid(bundle, results["fid"], num_gen, metrics["reference"])
        (bundle / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
        _write_samples(bundle)
        _write_skybox(bundle, staging)
        _write_model_card(bundle, metrics, training_summary, failure_modes, summary)
        remove_output(out)
        bundle.rename(out)
        compact.replace(snapshot_out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"wrote {out} and {snapshot_out}: FID {results['fid']:.2f}, cond_acc {results['cond_acc']:.3f}")
    return ShipReport(
        bundle=out.resolve(), snapshot=snapshot_out.resolve(), metrics=metrics, seconds=time.time() - start
    )


def _check_outputs(out: Path, snapshot_out: Path, noise: str, force: bool) -> None:
    if noise not in ("auto", "const", "none"):
        raise SkyassetError("invalid_argument", f"noise {noise!r}: use auto, const or none")
    check_output_folder(out, force)  # a link at either name counts as existing; --force replaces the link
    check_output_file(snapshot_out, force, option="--snapshot-out")
    if not out.parent.is_dir() or not snapshot_out.parent.is_dir():
        raise SkyassetError("invalid_argument", f"create the parent folders of {out} and {snapshot_out} first")


def _noise_mode(G_ema: Generator, noise: str) -> tuple[float, ExportNoiseMode]:
    """The RMS of ``G_ema``'s per-pixel noise, and the checked ``noise`` choice with ``auto`` resolved by it."""
    from training.progress import noise_rms

    rms = noise_rms(G_ema)
    if noise == "auto":
        return rms, "none" if rms > NOISE_RMS_LIMIT else "const"
    return rms, "none" if noise == "none" else "const"


def _load_matching(snapshot: Path, data: Path) -> tuple[Path, Snapshot, torch.nn.Module, Generator, ImageArchive]:
    """The snapshot's path, the snapshot, its D and G_ema on the CPU, and the archive, which must match G_ema."""
    import torch

    from training.dataset import ImageArchive
    from training.options import find_latest_snapshot
    from training.snapshot import build_networks, load_snapshot

    snap_path = find_latest_snapshot(snapshot)
    snap = load_snapshot(snap_path)
    _, D, G_ema = build_networks(snap, torch.device("cpu"))
    archive = ImageArchive(Path(data), use_labels=True)
    if G_ema.c_dim != archive.c_dim or G_ema.img_resolution != archive.resolution:
        raise SkyassetError(
            "invalid_argument",
            f"{snap_path.name} makes {G_ema.img_resolution} px images of "
            f"{G_ema.c_dim} classes but {data} holds {archive.resolution} px images of "
            f"{archive.c_dim} classes; pass the archive the model was trained on",
        )
    return snap_path, snap, D, G_ema, archive


def _export(
    G_ema: Generator,
    bundle: Path,
    snap: Snapshot,
    snap_path: Path,
    dataset: str,
    model_id: str | None,
    noise_mode: ExportNoiseMode,
    verbose: bool,
) -> None:
    from skyasset.classes import CloudClass
    from training.export import export_bundle

    classes = [CloudClass(c["code"], c["name"], c.get("description", "")) for c in snap.meta["classes"]]
    export_bundle(
        G_ema,
        bundle,
        classes=classes,
        model_id=model_id or f"{snap.meta.get('config', 'model')}-cond-{int(snap.kimg)}kimg",
        license="CC0-1.0",
        noise_mode=noise_mode,
        provenance={
            "dataset": dataset,
            "kimg": snap.kimg,
            "snapshot": snap_path.name,
            "config": snap.meta.get("config"),
        },
        verbose=verbose,
    )


def _measure(bundle: Path, archive: ImageArchive, num_gen: int, verbose: bool) -> tuple[dict[str, Any], np.ndarray]:
    """The bundle's metrics with their floors, and how many generated images each class got."""
    from training.metrics import BundleSource, MetricContext, compute_metrics

    # One sample of num_gen images serves every metric: on a CPU each image's Inception pass costs ~0.3 s.
    ctx = MetricContext(BundleSource(bundle), archive, num_gen=num_gen, verbose=verbose, share_generated=True)
    results = compute_metrics(["fid", "fid_per_class", "cond_acc", "swd", "fd_judge", "cond_judge"], ctx)
    results.update(_floors(archive))
    return results, ctx.shared_class_counts()


def _measure_at_runtime_psi(bundle: Path, archive: ImageArchive, num_gen: int, verbose: bool) -> dict[str, Any]:
    """swd, fd_judge and cond_judge of the same seeds and classes truncated as ``skyasset generate`` draws them
    (``swd@psi``, ...; the main numbers stay at psi 1, the protocol every logged run used)."""
    from training.metrics import BundleSource, MetricContext, compute_metrics

    psi = runtime_psi()
    ctx = MetricContext(BundleSource(bundle, psi=psi), archive, num_gen=num_gen, verbose=verbose)
    results = compute_metrics(list(RUNTIME_METRICS), ctx)
    return {"runtime_psi": psi, **{f"{k}@psi": v for k, v in results.items() if k.split("/")[0] in RUNTIME_METRICS}}


def _sample_sizes(archive: ImageArchive, data_name: str, num_gen: int, gen_counts: np.ndarray) -> dict[str, Any]:
    """How many images the metrics compared: generated, real, and per class of each."""
    counts = np.bincount(archive.labels, minlength=archive.c_dim)
    return {
        "num_gen": num_gen,
        "reference": f"all {len(archive)} images of {data_name} at {archive.resolution} px",
        "real_images": len(archive),
        "real_per_class": [int(counts.min()), int(counts.max())],
        "gen_per_class": [int(gen_counts.min()), int(gen_counts.max())],
    }


def _write_model_card(
    bundle: Path, metrics: dict[str, Any], training_summary: str, failure_modes: str, summary: str
) -> None:
    meta = json.loads((bundle / "skyasset-bundle.json").read_text())
    card = model_card(meta, metrics, training_summary, failure_modes, summary=summary)
    (bundle / "MODEL_CARD.md").write_text(card, encoding="utf-8")


def compact_parts(D: torch.nn.Module, meta: dict[str, Any]) -> tuple[torch.nn.Module, dict[str, Any]]:
    """The discriminator a compact snapshot keeps, and the meta that describes it.

    Of a ``--disc both`` pair only the residual (StyleGAN2) D: the projected D's patch heads and fixed channel
    mixings would add 7.4 MB to every ship of a 128 px model, and they train again in minutes. Continue from such
    a snapshot with ``--transfer-from ... --transfer-parts G+D --disc both`` (the pair's residual D is this one, the
    projected D starts fresh; G_ema keeps its full half-life).
    """
    import torch

    from training.networks import disc_kind

    if disc_kind(meta["D_kwargs"]) != "both":
        return D, meta
    residual = D.residual
    assert isinstance(residual, torch.nn.Module)
    return residual, {**meta, "D_kwargs": dict(meta["D_kwargs"]["residual"]), "trained_with_disc": "both"}


def _save_compact(path: Path, G_ema: Generator, D: torch.nn.Module, meta: dict[str, Any]) -> Path:
    """The compact snapshot (G_ema + D in fp16, :func:`compact_parts`) at ``path``; refused over
    ``SNAPSHOT_LIMIT_BYTES``."""
    from training.snapshot import save_snapshot

    D, meta = compact_parts(D, meta)
    compact = save_snapshot(path, G_ema=G_ema, D=D, meta=meta, kind="compact")
    if compact.stat().st_size > SNAPSHOT_LIMIT_BYTES:
        raise SkyassetError(
            "invalid_argument",
            f"the compact snapshot is {compact.stat().st_size / 1e6:.1f} "
            "MB, over the 25 MB a repository copy may take; ship a smaller config",
        )
    return compact


def _record_fid(bundle: Path, fid: float, num_gen: int, reference: str) -> None:
    from skyasset.bundle import METADATA_NAME, write_metadata

    meta = json.loads((bundle / METADATA_NAME).read_text(encoding="utf-8"))
    meta.pop("schema_version", None)
    meta["provenance"].update(fid=round(fid, 3), fid_samples=num_gen, fid_reference=reference)
    write_metadata(bundle, meta)


def _saw_inception(D_kwargs: dict[str, Any]) -> bool:
    from training.networks import is_dual, is_projected

    if is_dual(D_kwargs):
        return _saw_inception(D_kwargs.get("projected", {}))
    return is_projected(D_kwargs) and D_kwargs.get("feature_weights", "inception") == "inception"


def _floors(archive: Any) -> dict[str, float]:
    """What two halves of the data set score against each other on the metrics with no ImageNet network."""
    from training.metrics.judge import fd_judge_halves
    from training.metrics.swd import swd_halves

    return {"swd_floor": swd_halves(archive)["swd"], "fd_judge_floor": fd_judge_halves(archive)}


def _write_memorisation(bundle: Path, staging: Path, archive: Any) -> dict[str, float]:
    """64 samples beside their nearest training photo (judge features), at half size to keep the bundle light;
    the median nearest distances, as metrics."""
    from PIL import Image

    from training.metrics import BundleSource
    from training.metrics.judge import memorisation_pairs

    full = staging / "memorisation-full.png"
    memo = memorisation_pairs(BundleSource(bundle), archive, full)
    with Image.open(full) as im:
        half = im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS)
        half.save(bundle / "memorisation.png", optimize=True)  # lossless; every ship stays in every clone
    return {
        "memorisation_gen_nn_median": memo["gen_nn_median"],
        "memorisation_real_nn_median": memo["real_nn_median"],
    }


def _write_samples(bundle: Path, columns: int = 8) -> None:
    from skyasset.generator import SkyGenerator
    from training.progress import image_grid

    gen = SkyGenerator(bundle)
    rows = [gen.generate(c.code, list(range(columns)), psi=1.0) for c in gen.bundle.classes]
    images = (np.concatenate(rows) * 255 + 0.5).astype(np.uint8).transpose(0, 3, 1, 2)
    image_grid(images, len(rows), [c.code for c in gen.bundle.classes]).save(bundle / "samples.png", optimize=True)


def _noise_reason(metrics: dict[str, Any]) -> str:
    """Why the bundle renders with or without its noise, for the card."""
    if metrics.get("noise_choice", "auto") == "auto":
        return f"chosen automatically: above {NOISE_RMS_LIMIT} the noise is left out as likely speckle"
    return (
        f"chosen with `--noise {metrics['noise_choice']}` after looking at the samples both ways; the automatic "
        f"rule leaves noise above {NOISE_RMS_LIMIT} out as likely speckle"
    )


def _write_skybox(bundle: Path, staging: Path) -> None:
    import skyasset

    work = staging / "skybox"
    work.mkdir()
    skyasset.generate(SKYBOX_CLOUD, SKYBOX_SEED, work / "skybox.png", model=str(bundle), size=2048)
    shutil.copy(work / "skybox.png", bundle / "skybox.png")  # as users get it, with its metadata


def model_card(
    meta: dict[str, Any], metrics: dict[str, Any], training_summary: str, failure_modes: str, *, summary: str = ""
) -> str:
    """``MODEL_CARD.md``: the measured numbers from ``metrics`` and the bundle, the prose from a person."""
    codes = [c["code"] for c in meta["classes"]]
    prov = meta["provenance"]
    per_class = "\n".join(
        f"| {c} | {metrics.get(f'fid/{c}', float('nan')):.1f} | {metrics.get(f'cond_acc/{c}', float('nan')):.2f} |"
        for c in codes
    )
    canvas = (
        ",\nwith the canvas graph of `--method native` (a sky all the way round in one pass)"
        if "canvas" in meta.get("graphs", {})
        else ""
    )
    intro = f"\n{summary.strip()}\n" if summary.strip() else ""
    return f"""# Model card: {meta["model_id"]}

A class-conditional StyleGAN2-ADA generator of {meta["resolution"]}x{meta["resolution"]} sky photographs, one of
{len(codes)} cloud types ({", ".join(codes)}), exported to ONNX ({meta["variant"]}){canvas}.
{intro}
## Data and licence
CCSN (Cirrus Cumulus Stratus Nimbus) ground-based cloud database: 2543 web photographs in 11 genus folders
(Zhang, Liu, Zhang, Song 2018, CloudNet, GRL 45, 8665-8672; Harvard Dataverse doi:10.7910/DVN/CADDPD, CC0 1.0).
Trained on {metrics["real_images"]} of them (byte-identical duplicates removed), centre-cropped squares.
Weights: {meta["license"]}.

## Training
{training_summary.strip() or "(not given)"}

Generator: {json.dumps(prov.get("generator_kwargs", {}))}. Snapshot {metrics["snapshot"]}, {metrics["kimg"]:.1f} kimg,
discriminator `{metrics.get("discriminator", "stylegan2")}`{_hours(metrics)}.
Exported with the per-pixel noise `{metrics["noise_mode"]}` (noise rms {metrics["noise_rms"]:.4f};
{_noise_reason(metrics)}).

## Quality (measured on this bundle through the runtime)
{_independent_metrics(metrics, len(codes))}- **FID {metrics["fid"]:.2f}**{_gameable(metrics)}:
  {metrics["num_gen"]} generated images (labels drawn like the data set's, seeds 0..{metrics["num_gen"] - 1},
  psi 1) vs {metrics["reference"]}. For scale: two random halves of CCSN score 18.6 against each other at 256 px.
- **Conditioning accuracy {metrics["cond_acc"]:.3f}** (chance {1 / len(codes):.3f}): the share of generated images
  that a linear probe on Inception features, fitted on the real photos, assigns to the requested class. The
  probe itself gets {metrics.get("cond_classifier_heldout_bal_acc", float("nan")):.3f} on held-out real photos
  (class-balanced): the ceiling to read this number against.

| class | FID (own class) | conditioning accuracy |
|---|---|---|
{per_class}

Per-class FID and conditioning accuracy use the images of that class among the {metrics["num_gen"]} above (labels
drawn like the data set's: {metrics["gen_per_class"][0]}-{metrics["gen_per_class"][1]} per class), FID against the
class's {metrics["real_per_class"][0]}-{metrics["real_per_class"][1]} real photos: biased upward by the small
samples, comparable between models only at equal sizes.

![samples: seeds 0-7 per class](samples.png)

**Memorisation**: `memorisation.png` shows 64 samples (seeds 0-63, classes in turn), each beside the training
photo nearest to it in judge features. Median nearest distance (cosine) {_fmt(metrics, "memorisation_gen_nn_median")}
for the samples against {_fmt(metrics, "memorisation_real_nn_median")} between a real photo and its nearest other real
photo: a generator that copied its photos would sit well below the latter.

![a skybox from this model (the default method): cumulus, seed 7](skybox.png)

## Known failure modes
{failure_modes.strip() or "(not given)"}
"""


def _fmt(metrics: dict[str, Any], key: str, digits: int = 3) -> str:
    value = metrics.get(key)
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "(not measured)"


def _hours(metrics: dict[str, Any]) -> str:
    hours = metrics.get("machine_hours")
    return f", {hours:.1f} machine-hours of training in its lineage" if isinstance(hours, (int, float)) else ""


def _gameable(metrics: dict[str, Any]) -> str:
    if not metrics.get("fid_gameable"):
        return ""
    return (
        " (gameable: this model's discriminator judged Inception features, so FID can fall without better pictures;"
        " read the metrics above)"
    )


def _independent_metrics(metrics: dict[str, Any], classes: int) -> str:
    """The card's lines for the metrics that hold no ImageNet network, or nothing for an older metrics.json."""
    if "swd" not in metrics:
        return ""
    levels = " / ".join(_fmt(metrics, f"swd_{px}", 1) for px in (128, 64, 32, 16))
    swd, floor = _fmt(metrics, "swd", 1), _fmt(metrics, "swd_floor", 1)
    return f"""- **SWD {swd}** (x1e3; floor {floor}, two halves of the data set): sliced Wasserstein distance of
  7x7 patches of a Laplacian pyramid at 128/64/32/16 px (per level {levels}).
- **fd_judge {_fmt(metrics, "fd_judge", 2)}** (floor {_fmt(metrics, "fd_judge_floor", 2)}): Frechet distance in the
  features of a small CNN trained from scratch on CCSN only (no ImageNet).
- **cond_judge {_fmt(metrics, "cond_judge")}** (chance {1 / classes:.3f}): the share of generated images that judge
  assigns to the requested class; it gets {_fmt(metrics, "judge_real_acc")} right on held-out real photos.
{_runtime_psi_line(metrics)}"""


def _runtime_psi_line(metrics: dict[str, Any]) -> str:
    """The three numbers again as users get the images by default, or nothing for an older metrics.json."""
    if "swd@psi" not in metrics:
        return ""
    return (
        f"- **At psi {metrics['runtime_psi']:g}**, the truncation `skyasset generate` applies by default (the numbers"
        f" above are at psi 1: full variety): SWD {_fmt(metrics, 'swd@psi', 1)}, fd_judge"
        f" {_fmt(metrics, 'fd_judge@psi', 2)}, cond_judge {_fmt(metrics, 'cond_judge@psi')}; same seeds and classes.\n"
    )
