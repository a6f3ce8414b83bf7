"""Export a generator to the skyasset model bundle (docs/BUNDLE.md): ONNX graphs, their weights + metadata.

``export_bundle`` traces the mapping network (z, c -> one w), the synthesis network (ws -> image, constant
noise, fp32) and, unless told not to, the canvas graph (one pass over a panorama several views wide:
:mod:`training.canvas`) with the dynamo ONNX exporter, checks ONNX Runtime against PyTorch on random inputs,
computes the per-class mean w through the mapping network, moves the graphs' weights into one shared file
(``weights.bin``, each tensor once: the canvas graph reuses the synthesis weights; :mod:`training.shared_weights`)
and checks that ONNX Runtime then gives bit-identical outputs, and writes the folder atomically (a temporary
sibling folder, renamed at the end). It writes nothing when a check fails.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import math
import os
import shutil
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from skyasset import bundle as bundle_schema
from skyasset.classes import CCSN_CLASSES, CloudClass
from skyasset.errors import SkyassetError
from training.canvas import CanvasSynthesis
from training.networks import Generator
from training.shared_weights import share_weights
from training.truncation import EXPORT_MEAN_SAMPLES, class_mean_w

ExportNoiseMode = Literal["const", "none"]

__all__ = ["SCHEMA_VERSION", "ExportCheck", "ExportNoiseMode", "export_bundle"]

SCHEMA_VERSION = bundle_schema.SCHEMA_VERSION
MAX_RELATIVE_ERROR = 1e-3  # Allowed ORT-vs-PyTorch max abs error, as a fraction of the output's range.
ONNX_SINGLE_FILE_LIMIT = 2**31 - 2**26  # Protobuf's 2 GiB limit, with headroom for the graph itself.
CANVAS_TILES = 6  # views around the canvas graph's loop: 60 degrees each, as the ring's six views


@dataclass(frozen=True)
class ExportCheck:
    """ONNX Runtime vs PyTorch on the same random inputs for one graph."""

    graph: str
    max_abs_error: float
    output_range: float

    @property
    def tolerance(self) -> float:
        return MAX_RELATIVE_ERROR * self.output_range

    @property
    def passed(self) -> bool:
        return math.isfinite(self.max_abs_error) and self.max_abs_error <= self.tolerance


class _MappingGraph(torch.nn.Module):
    """z [N, z_dim], c [N, c_dim] -> w [N, w_dim]; one w per sample, no truncation."""

    def __init__(self, G: Generator) -> None:
        super().__init__()
        self.mapping = G.mapping

    def forward(self, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return self.mapping.map_w(z, c)


class _UnconditionalMappingGraph(_MappingGraph):
    def forward(self, z: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return self.mapping.map_w(z, None)


class _SynthesisGraph(torch.nn.Module):
    """ws [N, num_ws, w_dim] -> img [N, C, R, R], fp32, with the noise buffers baked in ('const') or left out."""

    def __init__(self, G: Generator, noise_mode: ExportNoiseMode = "const") -> None:
        super().__init__()
        self.synthesis = G.synthesis
        self.noise_mode = noise_mode

    def forward(self, ws: torch.Tensor) -> torch.Tensor:
        return self.synthesis(ws, force_fp32=True, noise_mode=self.noise_mode)


def _export_graph(
    module: torch.nn.Module,
    inputs: dict[str, torch.Tensor],
    output_name: str,
    path: Path,
    opset: int,
    dynamic_batch: bool = True,
) -> None:
    """Trace ``module`` with the dynamo exporter; the batch dimension of every input is dynamic unless not
    ``dynamic_batch`` (then every shape is the traced one)."""
    batch = torch.export.Dim("N", min=1, max=4096)
    dynamic_shapes = {name: {0: batch} for name in inputs} if dynamic_batch else None
    n_bytes = sum(p.numel() * p.element_size() for p in module.parameters())
    n_bytes += sum(b.numel() * b.element_size() for b in module.buffers())
    onnx_logger = logging.getLogger("torch.onnx")
    old_level = onnx_logger.level
    onnx_logger.setLevel(logging.ERROR)  # Silence "torchvision is not installed" and similar notices.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                module.eval(),
                tuple(inputs.values()),
                input_names=list(inputs),
                output_names=[output_name],
                dynamic_shapes=dynamic_shapes,
                opset_version=opset,
                dynamo=True,
                external_data=False,
                verbose=False,
            )
    finally:
        onnx_logger.setLevel(old_level)
    if program is None:
        raise RuntimeError("torch.onnx.export returned no program")
    program.save(str(path), external_data=n_bytes >= ONNX_SINGLE_FILE_LIMIT)


def _run_onnx(path: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    """Run an ONNX graph on the CPU with ONNX Runtime and return its only output."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)[0]


def _check_graph(
    graph: str, module: torch.nn.Module, path: Path, inputs: dict[str, torch.Tensor]
) -> tuple[ExportCheck, np.ndarray]:
    """ORT vs PyTorch on ``inputs``; also returns ORT's output (the reference of the shared-weights check)."""
    with torch.no_grad():
        expected = module(*inputs.values()).numpy()
    actual = _run_onnx(path, {name: t.numpy() for name, t in inputs.items()})
    if actual.shape != expected.shape:
        return ExportCheck(graph, math.inf, float(np.ptp(expected))), actual
    error = float(np.abs(actual.astype(np.float64) - expected).max())
    return ExportCheck(graph, error, float(np.ptp(expected))), actual


def _share_weights_checked(folder: Path, graphs: dict[str, tuple[dict[str, torch.Tensor], np.ndarray]]) -> None:
    """Move the graphs' weights into the shared file; ONNX Runtime must then load every graph from its path and
    compute bit-identical outputs on the check inputs."""
    files = [f"{name}.onnx" for name in graphs]
    share_weights(folder, files)
    keep = {*files, bundle_schema.WEIGHTS_NAME}
    for leftover in folder.iterdir():  # the exporter's own external data of a graph over 2 GiB, now moved
        if leftover.name not in keep:
            leftover.unlink()
    for name, (inputs, before) in graphs.items():
        after = _run_onnx(folder / f"{name}.onnx", {k: t.numpy() for k, t in inputs.items()})
        if after.shape != before.shape or not np.array_equal(after, before):
            raise SkyassetError(
                "export_check_failed",
                f"{name}.onnx computes a different image once its weights are in {bundle_schema.WEIGHTS_NAME}; "
                "no bundle was written. Export with shared_weights=False and report the ONNX Runtime version.",
            )


def _provenance(
    provenance: Mapping[str, Any] | None,
    G: Generator,
    opset: int,
    checks: Sequence[ExportCheck],
    mean_samples: int,
    noise_mode: str = "const",
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "dataset": None,
        "kimg": 0,
        "fid": None,
        "fid_samples": None,
        "fid_reference": None,
        "trained_by": "skyasset",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    result.update(provenance or {})
    result["generator_kwargs"] = copy.deepcopy(getattr(G, "init_kwargs", {}))
    result["export"] = {
        "opset": opset,
        "noise_mode": noise_mode,
        "max_abs_error": max(check.max_abs_error for check in checks),
        "checks": {
            check.graph: {"max_abs_error": check.max_abs_error, "output_range": check.output_range} for check in checks
        },
        "mean_samples_per_class": mean_samples,
        "torch": torch.__version__.split("+")[0],
    }
    return result


def _check_classes(classes: Sequence[CloudClass]) -> None:
    """Class codes name files and folders wherever the bundle is used: plain names, none twice."""
    from training.dataset import check_class_code

    for i, cls in enumerate(classes):
        try:
            check_class_code(cls.code, f"classes[{i}]")
        except SkyassetError as exc:
            raise SkyassetError("invalid_argument", exc.message) from None
        if not isinstance(cls.name, str) or not cls.name:
            raise SkyassetError("invalid_argument", f"classes[{i}] ({cls.code}) has no name")
    for field_name in ("code", "name"):
        values = [str(getattr(cls, field_name)).lower() for cls in classes]
        if len(set(values)) != len(values):  # the runtime refuses such a bundle
            raise SkyassetError(
                "invalid_argument", f"class {field_name}s repeat ({', '.join(getattr(c, field_name) for c in classes)})"
            )


def _metadata(
    G: Generator,
    folder: Path,
    model_id: str,
    classes: Sequence[CloudClass],
    mean_w: tuple[np.ndarray, np.ndarray],
    graph_names: Sequence[str],
    shared_weights: bool,
    provenance: dict[str, Any],
    license: str,
) -> dict[str, Any]:
    """The bundle's metadata.json (docs/BUNDLE.md) for the graphs already in ``folder``."""
    class_w_avg, w_avg = mean_w
    return {
        "model_id": model_id,
        "variant": "fp32",
        "resolution": G.img_resolution,
        "z_dim": G.z_dim,
        "w_dim": G.w_dim,
        "c_dim": G.c_dim,
        "num_ws": G.num_ws,
        "classes": [cls.to_json() for cls in classes],
        "w_avg": [float(v) for v in w_avg],
        "class_w_avg": [[float(v) for v in row] for row in class_w_avg],
        "graphs": bundle_schema.graph_entries(folder, list(graph_names)),
        **({"weights": bundle_schema.weights_entry(folder)} if shared_weights else {}),
        "provenance": provenance,
        "license": license,
    }


@dataclass(frozen=True)
class _GraphSpec:
    """One graph to export: its module, the check inputs, its output's name and whether its batch is dynamic."""

    name: str
    module: torch.nn.Module
    inputs: dict[str, torch.Tensor]
    output: str
    dynamic_batch: bool


def _resolve_classes(G: Generator, classes: Sequence[CloudClass] | None) -> Sequence[CloudClass]:
    """The classes given, or the default for ``G.c_dim`` (CCSN's 11 genera, or none); one per label dimension."""
    if classes is None:
        if G.c_dim not in (0, len(CCSN_CLASSES)):
            raise SkyassetError("invalid_argument", f"G has c_dim={G.c_dim}: pass classes= with one entry each")
        classes = CCSN_CLASSES if G.c_dim else ()
    if len(classes) != G.c_dim:
        raise SkyassetError(
            "invalid_argument",
            f"{len(classes)} classes given for a generator with c_dim={G.c_dim}; "
            "pass one class per label dimension, in label order",
        )
    _check_classes(classes)
    return classes


def _check_arguments(
    out_dir: Path,
    model_id: str,
    opset: int,
    mean_samples: int,
    noise_mode: str,
    canvas_tiles: int,
    overwrite: bool,
) -> None:
    if not model_id or not isinstance(model_id, str):
        raise SkyassetError("invalid_argument", "model_id must be a non-empty string, e.g. 'ccsn256-cond-v1'")
    if opset < 17:
        raise SkyassetError("invalid_argument", f"opset {opset} is too old; the dynamo exporter needs >= 17")
    if mean_samples < 1:
        raise SkyassetError("invalid_argument", f"mean_samples must be >= 1, got {mean_samples}")
    if canvas_tiles != 0 and not 2 <= canvas_tiles <= 16:
        raise SkyassetError(
            "invalid_argument", f"canvas_tiles must be 0 (no canvas graph) or 2..16, got {canvas_tiles}"
        )
    if os.path.lexists(out_dir) and not overwrite:  # a link there, even a dangling one, is an existing output
        raise SkyassetError("output_exists", f"{out_dir} already exists; remove it or pass overwrite=True")
    if not out_dir.parent.is_dir():
        raise SkyassetError("invalid_argument", f"parent folder {out_dir.parent} does not exist; create it first")
    if noise_mode not in ("const", "none"):
        raise SkyassetError("invalid_argument", f"noise_mode {noise_mode!r}: use 'const' or 'none'")


def _graph_specs(G: Generator, noise_mode: ExportNoiseMode, canvas_tiles: int, seed: int) -> list[_GraphSpec]:
    """The mapping, synthesis and (unless ``canvas_tiles`` is 0) canvas graphs of ``G``, with seeded check inputs."""
    gen = torch.Generator().manual_seed(seed)
    check_batch = 3  # Differs from the trace batch (2) so the check also proves the batch is dynamic.
    z = torch.randn([check_batch, G.z_dim], generator=gen)
    labels = torch.randint(0, max(G.c_dim, 1), [check_batch], generator=gen)
    c = torch.nn.functional.one_hot(labels, max(G.c_dim, 1)).float()[:, : G.c_dim]
    with torch.no_grad():
        ws = G.mapping(z, c if G.c_dim else None)
    mapping: torch.nn.Module
    if G.c_dim > 0:
        mapping, map_inputs = _MappingGraph(G), {"z": z, "c": c}
    else:
        mapping, map_inputs = _UnconditionalMappingGraph(G), {"z": z}
    specs = [
        _GraphSpec("mapping", mapping.eval(), map_inputs, "w", True),
        _GraphSpec("synthesis", _SynthesisGraph(G, noise_mode).eval(), {"ws": ws}, "img", True),
    ]
    if canvas_tiles:
        with torch.no_grad():
            tile_c = c[:1].expand(canvas_tiles, -1) if G.c_dim else None
            tile_ws = G.mapping(torch.randn([canvas_tiles, G.z_dim], generator=gen), tile_c)
        turns = torch.randint(0, G.synthesis.b4.const.shape[2], [canvas_tiles], generator=gen)
        canvas = CanvasSynthesis(G.synthesis, canvas_tiles, noise_mode, noise_seed=seed).eval()
        specs.append(_GraphSpec("canvas", canvas, {"ws_tiles": tile_ws, "turns": turns}, "img", False))
    return specs


def _export_checked(
    specs: Sequence[_GraphSpec], folder: Path, opset: int, verbose: bool
) -> tuple[list[ExportCheck], dict[str, tuple[dict[str, torch.Tensor], np.ndarray]]]:
    """Export every graph into ``folder`` and check ONNX Runtime against PyTorch; the checks, and per graph its
    check inputs and ONNX Runtime's output (the reference of the shared-weights check)."""
    checks = []
    outputs: dict[str, tuple[dict[str, torch.Tensor], np.ndarray]] = {}
    for spec in specs:
        path = folder / f"{spec.name}.onnx"
        trace_inputs = {k: v[:2] for k, v in spec.inputs.items()} if spec.dynamic_batch else spec.inputs
        _export_graph(spec.module, trace_inputs, spec.output, path, opset, spec.dynamic_batch)
        check, ort_output = _check_graph(spec.name, spec.module, path, spec.inputs)
        outputs[spec.name] = (spec.inputs, ort_output)
        if verbose:
            print(
                f"export check {spec.name}: ORT vs PyTorch max abs error {check.max_abs_error:.3g} "
                f"(tolerance {check.tolerance:.3g} = 1e-3 of output range {check.output_range:.3g})"
            )
        if not check.passed:
            raise SkyassetError(
                "export_check_failed",
                f"ONNX Runtime output of {spec.name}.onnx differs from PyTorch by {check.max_abs_error:.3g} "
                f"(allowed {check.tolerance:.3g}); no bundle was written. Check that the network uses only "
                "exportable ops and constant noise, or try another opset.",
            )
        checks.append(check)
    return checks, outputs


def _finite_class_mean_w(G: Generator, mean_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    class_w_avg, w_avg = class_mean_w(G, mean_samples, seed)
    if not (np.isfinite(class_w_avg).all() and np.isfinite(w_avg).all()):
        raise SkyassetError(
            "export_check_failed",
            "the mapping network produced non-finite w (NaN/Inf): the weights are broken; export an earlier snapshot",
        )
    return class_w_avg, w_avg


def _replace_folder(new: Path, out_dir: Path) -> None:
    """Rename ``new`` to ``out_dir``, replacing what is there (rename moves a link itself, never its target)."""
    if os.path.lexists(out_dir):
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        out_dir.rename(old / out_dir.name)
        new.rename(out_dir)
        shutil.rmtree(old)
    else:
        new.rename(out_dir)


def export_bundle(
    G: Generator,
    out_dir: str | Path,
    *,
    classes: Sequence[CloudClass] | None = None,
    model_id: str,
    provenance: Mapping[str, Any] | None = None,
    license: str,
    opset: int = 18,
    mean_samples: int = EXPORT_MEAN_SAMPLES,
    seed: int = 0,
    noise_mode: ExportNoiseMode = "const",
    canvas_tiles: int = CANVAS_TILES,
    shared_weights: bool = True,
    overwrite: bool = False,
    verbose: bool = True,
) -> Path:
    """Write the model bundle of ``G`` to ``out_dir`` and return its absolute path.

    Parameters
    ----------
    G
        Generator (any device/dtype/mode; it is copied to CPU fp32 eval mode and not modified).
    out_dir
        Bundle folder to create. Its parent must exist.
    classes
        One entry per label dimension, in label order. Default: the 11 CCSN genera when ``G.c_dim == 11``,
        none when ``G.c_dim == 0``.
    model_id, license
        Recorded in the metadata (e.g. ``"ccsn256-cond-v1"``, ``"CC0-1.0"``).
    provenance
        Training facts (``dataset``, ``kimg``, ``fid``, ``fid_samples``, ``fid_reference``, ``trained_by``,
        ``created``); the exporter adds ``generator_kwargs`` and ``export`` (opset, errors).
    opset
        ONNX opset (>= 17; the dynamo exporter needs it).
    mean_samples
        Random z per class for the class mean w (truncation centre).
    seed
        Seed of the check inputs and of the mean-w samples (the export is deterministic).
    noise_mode
        ``const``: the per-pixel noise inputs are the snapshot's fixed noise buffers (as StyleGAN2 renders);
        ``none``: left out, for a model whose noise still shows as speckle (an undertrained one).
    canvas_tiles
        Views across the canvas graph (``--method native``); 0 leaves the graph out (a smaller bundle).
    shared_weights
        Store the graphs' weights once, in ``weights.bin`` beside them (ONNX external data; the canvas graph
        reuses the synthesis weights). False writes self-contained graphs, the layout of older bundles.
    overwrite
        Replace an existing ``out_dir`` (only after the new bundle passed its checks).
    verbose
        Print the ORT-vs-PyTorch errors.

    Raises
    ------
    SkyassetError
        ``invalid_argument`` for bad arguments, ``output_exists`` if ``out_dir`` exists and not
        ``overwrite``, ``export_check_failed`` if ONNX Runtime disagrees with PyTorch by more than 1e-3 of
        the output range (nothing is written then).
    """
    out_dir = Path(out_dir).absolute()
    classes = _resolve_classes(G, classes)
    _check_arguments(out_dir, model_id, opset, mean_samples, noise_mode, canvas_tiles, overwrite)
    G = copy.deepcopy(G).cpu().float().eval().requires_grad_(False)
    specs = _graph_specs(G, noise_mode, canvas_tiles, seed)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; a bundle is an ordinary readable folder.
        checks, outputs = _export_checked(specs, tmp, opset, verbose)
        mean_w = _finite_class_mean_w(G, mean_samples, seed)
        if shared_weights:
            _share_weights_checked(tmp, outputs)
        record = _provenance(provenance, G, opset, checks, mean_samples, noise_mode)
        names = [spec.name for spec in specs]
        metadata = _metadata(G, tmp, model_id, classes, mean_w, names, shared_weights, record, license)
        bundle_schema.write_metadata(tmp, metadata)
        _replace_folder(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
