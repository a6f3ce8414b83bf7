"""One weights file shared by a bundle's graphs (docs/BUNDLE.md, "Shared weights file").

The canvas graph runs the synthesis network's layers over a wide canvas, so ``synthesis.onnx`` and
``canvas.onnx`` hold the same weights. :func:`share_weights` moves every initializer (and tensor attribute) of
1 KiB or more out of the graphs into one external-data file, ``weights.bin``, storing each distinct tensor once
(same data type, shape and bytes): each graph's tensors then point at ``(location, offset, length)`` in it, the
ONNX external-data fields, which ONNX Runtime resolves relative to the graph's folder. Tensors of 1 MiB or more
start at a multiple of 64 KiB (ONNX Runtime memory-maps an external initializer whose offset is a multiple of the
allocation granularity: 64 KiB on Windows, 4 KiB elsewhere; its own writer aligns from 1 MiB), the rest at a
multiple of 64 bytes. :func:`inline_weights` undoes it (self-contained graphs, the older layout).

``skyasset-train export`` and ``skyasset-train quantize`` write bundles in the shared layout;
``skyasset-train repack`` (:func:`repack_bundle`) converts an existing bundle either way, metadata included.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import onnx
from onnx import external_data_helper, numpy_helper

from skyasset.bundle import METADATA_NAME, WEIGHTS_NAME, graph_entries, load_bundle, weights_entry, write_metadata
from skyasset.errors import SkyassetError
from training.outputs import check_output_folder, remove_output

__all__ = [
    "Layout",
    "SharedWeights",
    "inline_weights",
    "repack_bundle",
    "share_weights",
    "verify_graphs_load",
]

Layout = Literal["shared", "self-contained"]
MIN_BYTES = 1024  # smaller tensors (scalars, shapes, biases of a few values) stay inside their graph
LARGE_BYTES = 1 << 20  # from this size on a tensor is aligned for memory mapping ...
LARGE_ALIGN = 1 << 16  # ... to 64 KiB (Windows' allocation granularity; a multiple of every page size)
SMALL_ALIGN = 64  # the rest to a cache line / AVX-512 vector


@dataclass(frozen=True)
class SharedWeights:
    """What :func:`share_weights` wrote."""

    path: Path
    references: int  # tensors of all graphs that now point into the file
    tensors: int  # distinct tensors stored in it
    bytes: int  # size of the file, alignment padding included
    referenced_bytes: int  # the data of all references: what self-contained graphs hold between them


def _tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    """Initializers, sparse initializers' parts and tensor attributes of ``graph`` and its subgraphs."""
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield from (sparse.values, sparse.indices)
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            yield from attribute.tensors
            if attribute.HasField("g"):
                yield from _tensors(attribute.g)
            for subgraph in attribute.graphs:
                yield from _tensors(subgraph)


def _model_tensors(model: onnx.ModelProto) -> Iterator[onnx.TensorProto]:
    yield from _tensors(model.graph)
    for function in model.functions:
        for node in function.node:
            for attribute in node.attribute:
                if attribute.HasField("t"):
                    yield attribute.t
                yield from attribute.tensors


_TYPED_FIELDS = ("float_data", "int32_data", "string_data", "int64_data", "double_data", "uint64_data")


def _raw_bytes(tensor: onnx.TensorProto) -> bytes | None:
    """The tensor's data in ONNX's raw (little-endian) encoding; ``None`` for strings, which have none."""
    if tensor.data_type == onnx.TensorProto.STRING:
        return None
    if tensor.HasField("raw_data"):
        return tensor.raw_data
    return numpy_helper.from_array(numpy_helper.to_array(tensor)).raw_data


def _aligned(offset: int, size: int) -> int:
    step = LARGE_ALIGN if size >= LARGE_BYTES else SMALL_ALIGN
    return -(-offset // step) * step


def _save_graph(model: onnx.ModelProto, path: Path) -> None:
    staged = path.with_name(f".{path.name}.tmp")
    staged.write_bytes(model.SerializeToString())  # no external data left to write: the tensors point at it
    os.replace(staged, path)


def share_weights(
    folder: str | os.PathLike[str],
    graph_files: Sequence[str],
    *,
    weights_name: str = WEIGHTS_NAME,
    min_bytes: int = MIN_BYTES,
) -> SharedWeights:
    """Move the tensors of ``min_bytes`` or more of the graphs ``folder/<graph_files>`` into one external-data
    file ``folder/weights_name``, each distinct tensor once, and rewrite the graphs to point at it.

    The graphs may already use external data (it is read first, so re-running on a shared bundle rewrites the
    file in place). Values and graph structure are untouched: ONNX Runtime computes the same outputs.
    """
    folder = Path(folder)
    models = {name: onnx.load(str(folder / name)) for name in graph_files}  # loads any external data too
    stored: dict[tuple[int, tuple[int, ...], str], int] = {}  # (type, dims, sha256) -> index in blobs
    blobs: list[bytes] = []
    uses: list[tuple[onnx.TensorProto, int]] = []
    referenced = 0
    for model in models.values():
        for tensor in _model_tensors(model):
            data = _raw_bytes(tensor)
            if data is None or len(data) < min_bytes:
                continue
            key = (tensor.data_type, tuple(tensor.dims), hashlib.sha256(data).hexdigest())
            index = stored.setdefault(key, len(blobs))
            if index == len(blobs):
                blobs.append(data)
            elif blobs[index] != data:  # the same sha256 for different bytes: never seen, but never trusted
                raise RuntimeError(f"sha256 collision between tensors of {weights_name}")
            uses.append((tensor, index))
            referenced += len(data)
    # Large tensors first: their sizes are multiples of 64 KiB in practice, so aligning them costs no padding.
    order = sorted(range(len(blobs)), key=lambda i: (len(blobs[i]) < LARGE_BYTES, i))
    offsets: dict[int, int] = {}
    target = folder / weights_name
    staged = folder / f".{weights_name}.tmp"
    with open(staged, "wb") as f:
        for i in order:
            start = _aligned(f.tell(), len(blobs[i]))
            f.write(b"\0" * (start - f.tell()))
            offsets[i] = start
            f.write(blobs[i])
        size = f.tell()
    for tensor, index in uses:
        for field in _TYPED_FIELDS:
            tensor.ClearField(field)
        tensor.raw_data = blobs[index]
        external_data_helper.set_external_data(tensor, weights_name, offsets[index], len(blobs[index]))
        tensor.ClearField("raw_data")
    os.replace(staged, target)
    for name, model in models.items():
        _save_graph(model, folder / name)
    return SharedWeights(target, len(uses), len(blobs), size, referenced)


def inline_weights(folder: str | os.PathLike[str], graph_files: Sequence[str]) -> None:
    """Make the graphs ``folder/<graph_files>`` self-contained again (their external data read back in).

    The external-data files are left in place; the caller removes them.
    """
    folder = Path(folder)
    for name in graph_files:
        model = onnx.load(str(folder / name))  # reads the data back and marks each tensor's location DEFAULT
        for tensor in _model_tensors(model):
            if tensor.HasField("data_location") and tensor.data_location == onnx.TensorProto.DEFAULT:
                tensor.ClearField("data_location")  # as an exporter writes it: the field left unset
        _save_graph(model, folder / name)


def verify_graphs_load(folder: Path, graph_files: Sequence[str]) -> None:
    """Open each graph from its path in ONNX Runtime (which reads the external data beside it)."""
    import onnxruntime as ort

    for name in graph_files:
        ort.InferenceSession(str(folder / name), providers=["CPUExecutionProvider"])


def repack_bundle(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    layout: Layout = "shared",
    force: bool = False,
) -> Path:
    """Copy the bundle ``source`` to ``out`` with its graphs' weights in ``layout``; the metadata is rewritten
    with the new files' sizes and sha256s, everything else (model card, images, metrics) is copied as is.

    Raises
    ------
    SkyassetError
        ``invalid_argument`` for an unknown layout or ``out`` equal to ``source``, ``output_exists`` when
        ``out`` exists without ``force``, the ``bundle_*`` codes for a bad source.
    """
    if layout not in ("shared", "self-contained"):
        raise SkyassetError("invalid_argument", f"layout {layout!r}: use shared or self-contained")
    bundle = load_bundle(Path(source))
    target = Path(out).expanduser().absolute()
    if target.resolve() == bundle.path or bundle.path in target.resolve().parents:
        raise SkyassetError("invalid_argument", f"{target} is (inside) the source bundle; repack into another folder")
    check_output_folder(target, force)  # a link there counts as existing; --force replaces the link itself
    if not target.parent.is_dir():
        raise SkyassetError("invalid_argument", f"parent folder {target.parent} does not exist; create it first")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.repack-", dir=target.parent))
    try:
        folder = staging / "bundle"
        shutil.copytree(bundle.path, folder)
        folder.chmod(0o755)
        files = [g.path.name for g in bundle.graphs.values()]
        old_weights = bundle.weights.path.name if bundle.weights else None
        if layout == "shared":
            share_weights(folder, files)
            if old_weights and old_weights != WEIGHTS_NAME:
                (folder / old_weights).unlink()
        else:
            inline_weights(folder, files)
            if old_weights:
                (folder / old_weights).unlink()
        verify_graphs_load(folder, files)
        meta: dict[str, Any] = json.loads((folder / METADATA_NAME).read_text(encoding="utf-8"))
        decode = [name for name, g in bundle.graphs.items() if g.decode_weights_at_load]
        meta["graphs"] = graph_entries(folder, bundle.graphs, decode)
        meta.pop("weights", None)
        if layout == "shared":
            meta["weights"] = weights_entry(folder)
        meta.pop("schema_version", None)
        write_metadata(folder, meta)
        load_bundle(folder)
        remove_output(target)
        folder.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
