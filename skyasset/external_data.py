"""Which files an ONNX graph reads its weights from: the external-data references of every tensor in it.

ONNX Runtime opens whatever file a tensor's ``external_data`` ``location`` names, relative to the graph's folder
(and treats some special locations as memory addresses). The bundle loader must therefore know every reference
before it hands a graph to ONNX Runtime. The core does not depend on the ``onnx`` package, so this module reads
the protobuf wire format itself, walking only the messages that can hold a ``TensorProto`` and skipping the rest
(weights included) by their length prefix. Field numbers are those of ``onnx/onnx.proto`` (a test compares them
with the installed ``onnx`` package's descriptors).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["ExternalRef", "MalformedGraph", "external_data_refs"]

# Message kinds and, per kind, the length-delimited fields that hold another message worth walking.
_MODEL, _GRAPH, _NODE, _ATTRIBUTE, _TENSOR, _SPARSE, _FUNCTION, _TRAINING = range(8)
_CHILDREN: dict[int, dict[int, int]] = {
    _MODEL: {7: _GRAPH, 20: _TRAINING, 25: _FUNCTION},  # graph, training_info, functions
    _TRAINING: {1: _GRAPH, 2: _GRAPH},  # initialization, algorithm
    _FUNCTION: {7: _NODE},  # node
    _GRAPH: {1: _NODE, 5: _TENSOR, 15: _SPARSE},  # node, initializer, sparse_initializer
    _NODE: {5: _ATTRIBUTE},  # attribute
    _ATTRIBUTE: {5: _TENSOR, 6: _GRAPH, 10: _TENSOR, 11: _GRAPH, 22: _SPARSE, 23: _SPARSE},  # t, g, tensors, ...
    _SPARSE: {1: _TENSOR, 2: _TENSOR},  # values, indices
}
# TensorProto fields read here.
TENSOR_NAME, TENSOR_EXTERNAL_DATA, TENSOR_DATA_LOCATION = 8, 13, 14
EXTERNAL = 1  # TensorProto.DataLocation.EXTERNAL
_MAX_DEPTH = 64  # subgraphs nest (If/Loop bodies); a deeper graph is hostile, not a model


class MalformedGraph(ValueError):
    """The bytes are not a well-formed ONNX protobuf."""


@dataclass(frozen=True)
class ExternalRef:
    """One tensor whose data lives outside the graph file."""

    tensor: str
    location: str | None  # None when the tensor is marked external but names no file
    offset: str | None  # as written in the graph (decimal text), None when absent
    length: str | None


def _varint(data: memoryview, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise MalformedGraph("truncated or overlong varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: memoryview, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """Yield ``(field number, wire type, a, b)`` for the fields of one message: ``a`` is the value of a varint,
    ``a:b`` the bytes of a length-delimited field; fixed-width fields are skipped."""
    pos = start
    while pos < end:
        key, pos = _varint(data, pos, end)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos, end)
            yield number, wire, value, 0
        elif wire == 2:
            size, pos = _varint(data, pos, end)
            if pos + size > end:
                raise MalformedGraph("a field runs past the end of its message")
            yield number, wire, pos, pos + size
            pos += size
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:  # groups (3, 4) are not used by onnx.proto
            raise MalformedGraph(f"unexpected wire type {wire}")
    if pos != end:
        raise MalformedGraph("a fixed-width field runs past the end of its message")


def _text(data: memoryview, start: int, end: int) -> str:
    return bytes(data[start:end]).decode("utf-8", errors="replace")


def _tensor_ref(data: memoryview, start: int, end: int) -> ExternalRef | None:
    name = ""
    location_flag = 0
    entries: dict[str, str] = {}
    for number, wire, a, b in _fields(data, start, end):
        if number == TENSOR_NAME and wire == 2:
            name = _text(data, a, b)
        elif number == TENSOR_DATA_LOCATION and wire == 0:
            location_flag = a
        elif number == TENSOR_EXTERNAL_DATA and wire == 2:
            key = val = ""
            for n, w, c, d in _fields(data, a, b):
                if n == 1 and w == 2:
                    key = _text(data, c, d)
                elif n == 2 and w == 2:
                    val = _text(data, c, d)
            entries[key] = val  # protobuf map semantics aside, ONNX Runtime reads the last entry of a key too
    if location_flag != EXTERNAL and not entries:
        return None
    return ExternalRef(name, entries.get("location"), entries.get("offset"), entries.get("length"))


def external_data_refs(graph: bytes | bytearray | memoryview) -> list[ExternalRef]:
    """Every tensor of the serialized ``ModelProto`` ``graph`` that is marked external or carries
    ``external_data`` entries: initializers, sparse initializers, node attributes, subgraphs and functions.

    Raises
    ------
    MalformedGraph
        When ``graph`` is not a well-formed protobuf.
    """
    data = memoryview(graph)
    found: list[ExternalRef] = []
    stack = [(_MODEL, 0, len(data), 0)]
    while stack:
        kind, start, end, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise MalformedGraph("graphs nested too deeply")
        if kind == _TENSOR:
            ref = _tensor_ref(data, start, end)
            if ref is not None:
                found.append(ref)
            continue
        children = _CHILDREN[kind]
        for number, wire, a, b in _fields(data, start, end):
            if wire == 2 and number in children:
                stack.append((children[number], a, b, depth + 1))
    return found
