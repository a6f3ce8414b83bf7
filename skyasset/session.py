"""ONNX Runtime session factory: execution-provider choice and session options in one place."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import onnxruntime as ort

from skyasset.errors import SkyassetError
from skyasset.native_paths import ascii_link, encodes

__all__ = ["available_providers", "default_providers", "make_session"]

# Preference order when the caller does not choose: accelerators first, the CPU always last.
_PREFERRED = (
    "CUDAExecutionProvider",
    "DmlExecutionProvider",
    "CoreMLExecutionProvider",
    "CPUExecutionProvider",
)


def available_providers() -> list[str]:
    return list(ort.get_available_providers())


def default_providers() -> list[str]:
    """Accelerated providers that are installed, then the CPU.

    ``SKYASSET_PROVIDERS`` (comma-separated) overrides the choice, e.g. ``CPUExecutionProvider`` to keep a
    GPU free.
    """
    override = os.environ.get("SKYASSET_PROVIDERS")
    if override:
        return [p.strip() for p in override.split(",") if p.strip()]
    installed = set(available_providers())
    return [p for p in _PREFERRED if p in installed] or ["CPUExecutionProvider"]


MAX_THREADS = 1024  # more is a typo, and ONNX Runtime fails on it with an opaque error


def _threads(requested: int | None) -> int:
    if requested is not None:
        return requested
    text = os.environ.get("SKYASSET_THREADS", "0").strip() or "0"
    # ASCII digits only: str.isdigit() also passes '³' (which int() refuses) and '٣' (which it reads as 3), and
    # a 5000-digit value is past int()'s own limit.
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or int(text) > MAX_THREADS:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise SkyassetError(
            "invalid_argument",
            f"SKYASSET_THREADS must be a whole number of threads in ASCII digits, 0 (automatic) to {MAX_THREADS}, "
            f"got {shown!r}.",
        )
    return int(text)


def make_session(
    graph: Path,
    providers: Sequence[str] | None = None,
    *,
    intra_op_threads: int | None = None,
    decode_weights_at_load: bool = False,
    fix: str = "Re-export the bundle.",
) -> ort.InferenceSession:
    """Open one ONNX graph.

    Parameters
    ----------
    graph
        Path of the ``.onnx`` file.
    providers
        Execution providers in order of preference; ``None`` picks :func:`default_providers`.
    intra_op_threads
        0 lets ONNX Runtime use one thread per physical core; ``None`` reads ``$SKYASSET_THREADS`` (else 0).
    decode_weights_at_load
        The graph keeps int8 weights behind ``DequantizeLinear`` but computes in float32 (the bundle says so
        per graph). ONNX Runtime never constant-folds a ``DequantizeLinear`` while its QDQ fusion is on, so
        such a graph would decode every weight on every run and lose the pre-packed (NCHWc) float kernels:
        1.26x fp32's latency instead of 1.0x (ccsn256-small, docs/QUANTIZATION.md). Turning the QDQ
        transforms off for it lets the decoders fold into float32 constants at load.
    fix
        What the error message tells the user to do when the graph does not load.
    """
    chosen = list(providers) if providers is not None else default_providers()
    unknown = [p for p in chosen if p not in available_providers()]
    if unknown:
        raise SkyassetError(
            "invalid_argument",
            f"Execution provider(s) {', '.join(unknown)} are not installed. "
            f"Available: {', '.join(available_providers())}.",
        )
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = _threads(intra_op_threads)
    # Idle worker threads sleep instead of spin-waiting: on a 2-core machine shared with an editor (or other
    # jobs) spinning steals the cores the other thread needs; measured 1.65 s -> 1.28 s (fp32 256x256) and
    # 1.82 s -> 1.42 s (int8-qdq) per image under load (docs/QUANTIZATION.md).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if decode_weights_at_load:
        options.add_session_config_entry("session.disable_quant_qdq", "1")
    options.log_severity_level = 3
    if not encodes(graph.name):
        raise SkyassetError(
            "bundle_invalid", f"The graph file name {graph.name!r} is not valid UTF-8; name it in ASCII. {fix}"
        )
    try:
        # ONNX Runtime takes only a UTF-8 name: a folder named otherwise is opened through an ASCII link.
        with ascii_link(graph.parent) as folder:
            return ort.InferenceSession(str(folder / graph.name), sess_options=options, providers=chosen)
    except Exception as exc:  # ORT raises its own exception types for corrupt graphs
        raise SkyassetError(
            "bundle_invalid",
            f"ONNX Runtime cannot load {graph}: {exc}. {fix}",
        ) from None
