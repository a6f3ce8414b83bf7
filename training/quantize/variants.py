"""Make a quantized variant of an fp32 model bundle (docs/QUANTIZATION.md).

Each variant is a complete bundle folder: the graphs rewritten by one method, their weights in one shared file
(``weights.bin``, each tensor once, as ``skyasset-train export`` writes them; ``shared_weights=False`` keeps
each graph self-contained), metadata copied from the source with ``variant`` set, fresh sha256s and sizes, and
``provenance.quantization`` saying how it was made. Every variant keeps float32 graph inputs and outputs, so
``SkyGenerator`` loads it like the fp32 bundle. The source may be in either layout.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args

import onnx
import onnxruntime as ort

from skyasset.bundle import METADATA_NAME, Bundle, graph_entries, load_bundle, weights_entry, write_metadata
from skyasset.errors import SkyassetError
from training.quantize.baselines import ort_dynamic, rtn_weight_only
from training.quantize.demod_fold import fold_demodulation
from training.quantize.fir_upsample import fir_phase_nodes, fir_upsample_to_phases
from training.quantize.fp16 import weights_to_fp16
from training.quantize.int8_weight import weights_to_int8
from training.quantize.prefold import fold_constants
from training.quantize.static_qdq import QDQ_OP_TYPES, RandomLatentReader, quantize_convs_static
from training.quantize.subpixel import convtranspose_to_subpixel
from training.shared_weights import share_weights, verify_graphs_load

__all__ = ["QuantVariant", "QUANT_VARIANTS", "quantize_bundle"]

QuantVariant = Literal["fp16", "int8-weight", "int8-qdq", "int8-dynamic", "int8-rtn"]
QUANT_VARIANTS: tuple[QuantVariant, ...] = get_args(QuantVariant)

Pass = Callable[[Path, Path], str]  # (source graph, output graph) -> method label


def _model_pass(transform: Callable[[onnx.ModelProto], onnx.ModelProto], label: str) -> Pass:
    def run(src: Path, out: Path) -> str:
        onnx.save_model(transform(onnx.load(str(src))), str(out))
        return label

    return run


def _prepared_for_integer(src: Path) -> onnx.ModelProto:
    """Constant subgraphs folded, both kinds of x2 upsampling rewritten as phase convolutions (float32, same output).

    Stride-2 ConvTranspose becomes sub-pixel Conv interleaved channels-last; zero-insertion + FIR Conv (the
    RGB skip path) becomes a depthwise phase Conv + DepthToSpace. Only the integer graph gains: in a float32
    graph the sub-pixel form is ~8% slower than ONNX Runtime's ConvTranspose on ccsn256-small.
    """
    subpixel = convtranspose_to_subpixel(fold_constants(src), channels_last_shuffle=True)[0]
    return fir_upsample_to_phases(subpixel)[0]


def _folded_pass(transform: Callable[[onnx.ModelProto], onnx.ModelProto], label: str) -> Pass:
    def run(src: Path, out: Path) -> str:
        onnx.save_model(transform(fold_constants(src)), str(out))
        return f"folded; {label}"

    return run


_FP16 = _folded_pass(weights_to_fp16, "fp16 weight storage (Cast to float32)")
_INT8_WEIGHT = _folded_pass(weights_to_int8, "int8 per-output-channel weights -> DequantizeLinear")
_PACK_INT8 = _model_pass(weights_to_int8, "int8 per-output-channel weights -> DequantizeLinear")
# Graphs that compute in float32 from int8 weights: the bundle tells the runtime to decode them at load.
_DECODE_AT_LOAD = (_INT8_WEIGHT, _PACK_INT8)


def _qdq_pass(bundle: Bundle, samples: int, seed: int) -> Pass:
    def run(src: Path, out: Path) -> str:
        reader = RandomLatentReader(
            bundle.graphs["mapping"].path,
            num_ws=bundle.num_ws,
            z_dim=bundle.z_dim,
            c_dim=bundle.c_dim,
            samples=samples,
            seed=seed,
        )
        prepared = out.with_name(out.stem + ".prepared.onnx")
        staged = out.with_name(out.stem + ".qdq.onnx")
        try:
            model = _prepared_for_integer(src)
            onnx.save_model(model, str(prepared))
            # The RGB skip path's phase Conv has 3 channels: 20x faster in float32 than as QLinearConv.
            quantize_convs_static(prepared, staged, reader, keep_float=tuple(fir_phase_nodes(model)))
            folded, demodulations = fold_demodulation(onnx.load(str(staged)))
            onnx.save_model(folded, str(staged))
            # The remaining float weights (affine layers, noise, filters) are packed to int8 as well.
            _PACK_INT8(staged, out)
        finally:
            prepared.unlink(missing_ok=True)
            staged.unlink(missing_ok=True)
        return (
            "folded + sub-pixel upsampling (channels-last interleave) + RGB upsampling in phases (kept float32); "
            f"int8 static QDQ on {'/'.join(QDQ_OP_TYPES)} (uint8 activations, "
            f"7-bit int8 weights per channel, MinMax over {samples} random z, seed {seed}); "
            f"demodulation folded into the weight scales of {demodulations} Conv(s) (batch-1 graph); "
            "int8 weight packing of the rest"
        )

    return run


def _passes(variant: QuantVariant, bundle: Bundle, samples: int, seed: int) -> dict[str, Pass]:
    graphs = _graph_passes(variant, bundle, samples, seed)
    if "canvas" in bundle.graphs:  # one wide pass with static shapes: weights stored smaller, computed in float
        graphs["canvas"] = _FP16 if variant == "fp16" else _INT8_WEIGHT
    return graphs


def _graph_passes(variant: QuantVariant, bundle: Bundle, samples: int, seed: int) -> dict[str, Pass]:
    if variant == "fp16":
        return {"mapping": _FP16, "synthesis": _FP16}
    if variant == "int8-weight":
        return {"mapping": _INT8_WEIGHT, "synthesis": _INT8_WEIGHT}
    if variant == "int8-qdq":
        return {"mapping": _PACK_INT8, "synthesis": _qdq_pass(bundle, samples, seed)}
    if variant == "int8-dynamic":
        return {"mapping": ort_dynamic, "synthesis": ort_dynamic}
    return {"mapping": rtn_weight_only, "synthesis": rtn_weight_only}


def quantize_bundle(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    variant: QuantVariant,
    *,
    calibration_samples: int = 16,
    seed: int = 0,
    shared_weights: bool = True,
    force: bool = False,
) -> Path:
    """Write the ``variant`` of the fp32 bundle ``source`` as a new bundle folder ``out``.

    Parameters
    ----------
    source
        An fp32 bundle folder (``skyasset-train export`` output).
    out
        The new bundle folder; it is built under a temporary name and renamed when complete.
    variant
        One of :data:`QUANT_VARIANTS`.
    calibration_samples, seed
        Random latents for the ``int8-qdq`` activation ranges.
    shared_weights
        Store the variant's weights once in ``weights.bin`` (the canvas and synthesis graphs share most of
        them); False leaves each graph self-contained.
    force
        Replace ``out`` if it exists.

    Returns
    -------
    Path
        ``out``, a bundle that :func:`skyasset.bundle.load_bundle` validates.

    Raises
    ------
    SkyassetError
        ``invalid_argument`` for an unknown variant or a source that is not fp32, ``output_exists`` when
        ``out`` exists without ``force``, the ``bundle_*`` codes for a bad source, ``internal_error`` when a
        quantizer fails or its graph does not load in ONNX Runtime.
    """
    _check_request(variant, calibration_samples)
    bundle = _fp32_source(source)
    target = Path(out).expanduser().resolve()
    if target.exists() and not force:
        raise SkyassetError("output_exists", f"{target} already exists. Choose another folder or pass --force.")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        passes = _passes(variant, bundle, calibration_samples, seed)
        methods = _run_passes(passes, bundle, staging, variant)
        decode_at_load = {name for name, run in passes.items() if run in _DECODE_AT_LOAD}
        if shared_weights:
            files = [f"{name}.onnx" for name in passes]
            share_weights(staging, files)
            verify_graphs_load(staging, files)
        _write_metadata(bundle, staging, variant, methods, decode_at_load, calibration_samples, seed, shared_weights)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    load_bundle(target)
    return target


def _check_request(variant: str, calibration_samples: int) -> None:
    if variant not in QUANT_VARIANTS:
        raise SkyassetError(
            "invalid_argument", f"Unknown variant '{variant}'. Choose one of: {', '.join(QUANT_VARIANTS)}."
        )
    if calibration_samples < 1:
        raise SkyassetError("invalid_argument", f"calibration_samples must be >= 1, got {calibration_samples}.")


def _fp32_source(source: str | os.PathLike[str]) -> Bundle:
    """The validated bundle at ``source``, which must be an fp32 one: quantizing twice compounds the error."""
    bundle = load_bundle(os.fspath(source))
    if bundle.variant != "fp32":
        raise SkyassetError(
            "invalid_argument",
            f"{bundle.path} is a '{bundle.variant}' bundle; quantize from the fp32 export instead.",
        )
    return bundle


def _run_passes(passes: dict[str, Pass], bundle: Bundle, staging: Path, variant: str) -> dict[str, str]:
    """Rewrite each of the bundle's graphs into ``staging`` and check ONNX Runtime loads it; the method labels."""
    methods = {}
    for name, run in passes.items():
        graph_out = staging / f"{name}.onnx"
        try:
            methods[name] = run(bundle.graphs[name].path, graph_out)
            ort.InferenceSession(str(graph_out), providers=["CPUExecutionProvider"])
        except Exception as exc:  # quantizers raise assorted types; name the step that failed
            raise SkyassetError("internal_error", f"{variant} quantization of the {name} graph failed: {exc}") from exc
    return methods


def _write_metadata(
    bundle: Bundle,
    folder: Path,
    variant: str,
    methods: dict[str, str],
    decode_at_load: set[str],
    samples: int,
    seed: int,
    shared_weights: bool,
) -> None:
    meta: dict[str, Any] = json.loads((bundle.path / METADATA_NAME).read_text(encoding="utf-8"))
    meta["variant"] = variant
    meta["graphs"] = graph_entries(folder, methods, decode_at_load)
    meta.pop("weights", None)
    if shared_weights:
        meta["weights"] = weights_entry(folder)
    provenance = meta.get("provenance")
    if not isinstance(provenance, dict):
        provenance = {}
    provenance["quantization"] = {
        "variant": variant,
        "methods": methods,
        "source_sha256": {name: g.sha256 for name, g in bundle.graphs.items()},
        "source_weights_sha256": bundle.weights.sha256 if bundle.weights else None,
        "source_bytes": bundle.total_bytes,
        "calibration": {"samples": samples, "seed": seed} if variant == "int8-qdq" else None,
        "onnxruntime": ort.__version__,
    }
    meta["provenance"] = provenance
    meta.pop("schema_version", None)
    write_metadata(folder, meta)
