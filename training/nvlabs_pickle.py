"""Read NVlabs StyleGAN2-ADA / StyleGAN3 ``network-snapshot-*.pkl`` files without running code from them.

An NVlabs pickle embeds the *source code* of its network classes: each module is reduced through
``torch_utils.persistence._reconstruct_persistent_obj(meta)`` with ``meta = {"type": "class", "version": 4,
"module_src": <python source>, "class_name": ..., "state": <the module's __dict__>}``, and ordinary unpickling
``exec``s ``module_src``. ``pickle.load`` on such a file runs whatever the file says. This module never does:
``RestrictedUnpickler.find_class`` hands the unpickler inert replacements for a short list of names and refuses
every other global.

Supported (rebuilt without executing anything from the file):

=========================================================  ====================================================
global in the pickle                                        rebuilt as
=========================================================  ====================================================
``torch_utils.persistence._reconstruct_persistent_obj``     ``ModuleRecord`` (class name, ``__dict__`` state,
                                                            sha256 of ``module_src``; the source is never run)
``torch.nn.modules.*.<Name>`` (e.g. ModuleList)             ``ModuleRecord`` as well (only its __dict__ is read)
``torch._utils._rebuild_tensor_v2`` / ``_rebuild_tensor``   a tensor on a storage from ``_load_from_bytes``
``torch._utils._rebuild_parameter[_with_state]``            the plain tensor (no Parameter, no hooks)
``torch.storage._load_from_bytes``                          ``torch.load(..., weights_only=True)`` of a storage
``torch.<dtype>`` (float32, ...), ``torch.Size``            themselves
``collections.OrderedDict``, ``builtins.set/frozenset``     themselves
``dnnlib.util.EasyDict`` / ``dnnlib.EasyDict``              a plain ``dict`` subclass
``numpy.dtype``, ``numpy.core.multiarray.scalar``           numpy dtypes and scalars (from raw bytes)
``numpy.core.multiarray._reconstruct`` (ndarray only)       numpy arrays (not object arrays)
=========================================================  ====================================================

Refused with ``SkyassetError("unsafe_pickle", ...)`` before anything is called: every other global (``os.system``,
``builtins.eval``, ``subprocess.*``, ``copyreg._reconstructor`` of an unknown class, ...), persistent ids,
``_reconstruct_persistent_obj`` metadata of a type other than ``"class"``, a tensor rebuilt from something that
is not a storage, object-dtype numpy arrays.

What you get: per network (``G``, ``D``, ``G_ema``, ``augment_pipe``) its class name, constructor args/kwargs
(``_init_args``/``_init_kwargs`` from the state, as plain JSON-able data) and a ``state_dict`` with exactly the
names ``torch.nn.Module.state_dict()`` would give (persistent buffers only); other top-level entries of the pickle
(``training_set_kwargs``, ...) as plain data.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from skyasset.errors import SkyassetError

__all__ = [
    "ModuleRecord",
    "NetworkImport",
    "NvlabsPickle",
    "RestrictedUnpickler",
    "load_nvlabs_pickle",
    "restricted_loads",
]


class ModuleRecord:
    """Inert stand-in for a pickled module: only its class name and ``__dict__`` state are kept."""

    # Class-level defaults: a ``torch.nn.modules.*`` surrogate is made by NEWOBJ, which skips ``__init__``.
    class_name = ""
    source_sha256 = ""

    def __init__(self, class_name: str = "", state: dict[str, Any] | None = None, source_sha256: str = "") -> None:
        self.class_name = class_name
        self.state: dict[str, Any] = state if state is not None else {}
        self.source_sha256 = source_sha256

    def __setstate__(self, state: Any) -> None:  # BUILD on a torch.nn.modules.* surrogate
        if not isinstance(state, dict):
            raise SkyassetError("unsafe_pickle", f"module {self.class_name} has a non-dict state")
        self.state = state

    def __repr__(self) -> str:
        return f"ModuleRecord({self.class_name!r}, {len(self.state)} fields)"


class EasyDictRecord(dict):
    """Plain dict standing in for ``dnnlib.EasyDict``."""


def _reconstruct_persistent_obj(meta: Any) -> ModuleRecord:
    if not isinstance(meta, dict) or meta.get("type") != "class":
        kind = meta.get("type") if isinstance(meta, dict) else type(meta).__name__
        raise SkyassetError(
            "unsafe_pickle",
            f"persistent object of type {_short_repr(kind)} is not supported; only "
            "persistent classes (NVlabs networks) are rebuilt",
        )
    class_name = meta.get("class_name")
    if not isinstance(class_name, str):
        raise SkyassetError("unsafe_pickle", "a persistent class has no class name")
    state = meta.get("state")
    if not isinstance(state, dict):
        raise SkyassetError("unsafe_pickle", f"persistent class {class_name[:100]!r} has no dict state")
    src = meta.get("module_src") or ""
    digest = hashlib.sha256(src.encode("utf-8", "replace") if isinstance(src, str) else b"").hexdigest()
    return ModuleRecord(class_name[:200], state, digest)


def _load_from_bytes(data: Any) -> Any:
    if not isinstance(data, (bytes, bytearray)):
        raise SkyassetError("unsafe_pickle", "storage payload is not bytes")
    try:
        storage = torch.load(io.BytesIO(bytes(data)), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure of the safe loader means: refuse
        raise SkyassetError("unsafe_pickle", f"a tensor storage could not be read safely: {exc}") from exc
    if not isinstance(storage, torch.TypedStorage):
        raise SkyassetError("unsafe_pickle", f"storage payload holds a {type(storage).__name__}, not a storage")
    return storage


def _rebuild_tensor_v2(storage: Any, offset: Any, size: Any, stride: Any, *rest: Any) -> torch.Tensor:
    if not isinstance(storage, torch.TypedStorage):
        raise SkyassetError("unsafe_pickle", f"tensor rebuilt from a {type(storage).__name__}, not a storage")
    if not (isinstance(offset, int) and all(isinstance(v, int) for v in (*size, *stride))):
        raise SkyassetError("unsafe_pickle", "tensor offset/size/stride are not integers")
    # torch checks the view against the storage bounds; requires_grad and hooks from the file are dropped.
    return torch._utils._rebuild_tensor(storage, offset, tuple(size), tuple(stride))


def _rebuild_tensor(storage: Any, offset: Any, size: Any, stride: Any) -> torch.Tensor:
    return _rebuild_tensor_v2(storage, offset, size, stride)


def _rebuild_parameter(data: Any, requires_grad: Any = False, hooks: Any = None, state: Any = None) -> Any:
    if not isinstance(data, torch.Tensor):
        raise SkyassetError("unsafe_pickle", "parameter rebuilt from something that is not a tensor")
    return data


def _numpy_scalar(dtype: Any, data: Any = None) -> Any:
    if not isinstance(dtype, np.dtype) or dtype.hasobject or not isinstance(data, (bytes, bytearray)):
        raise SkyassetError("unsafe_pickle", "numpy scalar of an object dtype or without raw bytes")
    return np.frombuffer(bytes(data), dtype=dtype, count=1)[0]


def _numpy_reconstruct(cls: Any, shape: Any, dtype_code: Any) -> np.ndarray:
    if cls is not np.ndarray:
        raise SkyassetError("unsafe_pickle", f"numpy reconstruct of {cls!r} is refused (only ndarray)")
    # The real shape and bytes come with __setstate__ (bounded by the file's size); the shape given here is
    # only a placeholder that numpy writes as (0,), and a forged one could ask for any amount of memory.
    return _SafeArray((0,), dtype=np.uint8)


class _SafeArray(np.ndarray):
    """ndarray whose ``__setstate__`` refuses object dtypes (their items would be arbitrary objects)."""

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) >= 3 and isinstance(state[2], np.dtype) and state[2].hasobject:
            raise SkyassetError("unsafe_pickle", "numpy object arrays are refused")
        super().__setstate__(state)


def _safe_dtype(*args: Any) -> np.dtype:
    if not args or not isinstance(args[0], str):
        raise SkyassetError("unsafe_pickle", "numpy dtype without a type string")
    dt = np.dtype(args[0])
    if dt.hasobject:
        raise SkyassetError("unsafe_pickle", "numpy object dtype is refused")
    return dt


_ALLOWED: dict[tuple[str, str], Any] = {
    ("torch_utils.persistence", "_reconstruct_persistent_obj"): _reconstruct_persistent_obj,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("torch.storage", "_load_from_bytes"): _load_from_bytes,
    ("torch", "Size"): torch.Size,
    ("collections", "OrderedDict"): OrderedDict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("dnnlib.util", "EasyDict"): EasyDictRecord,
    ("dnnlib", "EasyDict"): EasyDictRecord,
    ("numpy", "dtype"): _safe_dtype,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy.core.multiarray", "scalar"): _numpy_scalar,
    ("numpy._core.multiarray", "scalar"): _numpy_scalar,
    ("numpy.core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _numpy_reconstruct,
}

_MODULE_SURROGATES: dict[str, type] = {}


def _module_surrogate(name: str) -> type:
    if name not in _MODULE_SURROGATES:

        def init(self: ModuleRecord, *args: Any, **kwargs: Any) -> None:
            ModuleRecord.__init__(self, name)

        _MODULE_SURROGATES[name] = type(f"{name}Record", (ModuleRecord,), {"__init__": init, "class_name": name})
    return _MODULE_SURROGATES[name]


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that rebuilds only tensors and plain data (see the module docstring)."""

    def find_class(self, module: str, name: str) -> Any:
        key = (module, name)
        if key in _ALLOWED:
            return _ALLOWED[key]
        if module == "torch" and isinstance(getattr(torch, name, None), torch.dtype):
            return getattr(torch, name)
        if module.startswith("torch.nn.modules.") and name.isidentifier() and name[:1].isupper():
            return _module_surrogate(name)
        raise SkyassetError(
            "unsafe_pickle",
            f"the pickle references {module}.{name}, which the restricted "
            "loader refuses (it only rebuilds tensors and plain data, and never runs code from "
            "the file). If this is a trusted NVlabs pickle of another kind, convert it to a "
            "skyasset snapshot where its code is available.",
        )

    def persistent_load(self, pid: Any) -> Any:
        raise SkyassetError("unsafe_pickle", "the pickle uses persistent ids, which the restricted loader refuses")


def restricted_loads(data: bytes) -> Any:
    """Unpickle ``data`` with ``RestrictedUnpickler``; any refusal is a ``SkyassetError('unsafe_pickle')``."""
    try:
        return RestrictedUnpickler(io.BytesIO(data)).load()
    except SkyassetError:
        raise
    except (
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        TypeError,
        ValueError,
        IndexError,
        MemoryError,
        OverflowError,
        RuntimeError,
    ) as exc:
        raise SkyassetError("unsafe_pickle", f"not a readable pickle of tensors and plain data: {exc}") from exc


@dataclass
class NetworkImport:
    """One network from an NVlabs pickle: constructor arguments and a ``state_dict``."""

    class_name: str
    init_args: list[Any]
    init_kwargs: dict[str, Any]
    state_dict: dict[str, torch.Tensor]
    source_sha256: str = ""


@dataclass
class NvlabsPickle:
    """Everything read from an NVlabs pickle: networks by key and the other entries as plain data."""

    path: Path
    networks: dict[str, NetworkImport] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


# Bounds on the plain data taken from a pickle. The pickle memo lets a few hundred bytes describe a list that
# holds itself, or 2^40 paths through lists that share their items; real NVlabs kwargs are a few hundred values
# nested 3 deep.
MAX_PLAIN_NODES = 100_000
MAX_PLAIN_DEPTH = 32
MAX_MODULE_DEPTH = 64  # submodules nest ~6 deep in StyleGAN2-ADA's networks


class _Budget:
    """Counts every value visited (a shared object once per place it appears) against ``MAX_PLAIN_NODES``."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.nodes = 0

    def visit(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_PLAIN_NODES or depth > MAX_PLAIN_DEPTH:
            raise SkyassetError(
                "unsafe_pickle",
                f"{self.where} is larger than {MAX_PLAIN_NODES} values or nested deeper than {MAX_PLAIN_DEPTH} "
                "(a structure that refers to itself, or shares items to expand without end); "
                "NVlabs pickles hold small kwargs",
            )


def _plain(value: Any, budget: _Budget | None = None, depth: int = 0, path: frozenset[int] = frozenset()) -> Any:
    """Convert EasyDicts, OrderedDicts, tuples and numpy scalars to JSON-able plain data (bounded: ``_Budget``)."""
    budget = budget if budget is not None else _Budget("the pickle's plain data")
    budget.visit(depth)
    if isinstance(value, (dict, list, tuple)):
        if id(value) in path:
            raise SkyassetError("unsafe_pickle", f"{budget.where} contains itself; NVlabs pickles never do")
        inner = path | {id(value)}
        if isinstance(value, dict):
            return {_plain_key(k): _plain(v, budget, depth + 1, inner) for k, v in value.items()}
        return [_plain(v, budget, depth + 1, inner) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return _short_repr(value)


def _plain_key(key: Any) -> str:
    return key if isinstance(key, str) else _short_repr(key)


def _short_repr(value: Any) -> str:
    # repr of a container recurses without bound (and forever on one that holds itself)
    if isinstance(value, (str, int, float, bool, np.generic)) or value is None:
        return repr(value)[:200]
    return f"<{type(value).__name__}>"


def _mapping(state: dict[str, Any], key: str, prefix: str) -> dict[Any, Any]:
    value = state.get(key) or {}
    if not isinstance(value, dict):
        raise SkyassetError("unsafe_pickle", f"module {prefix or '(top)'} has a {key} that is not a mapping")
    return value


def _collect_state(
    record: ModuleRecord, prefix: str, out: dict[str, torch.Tensor], parents: frozenset[int] = frozenset()
) -> None:
    if id(record) in parents or len(parents) >= MAX_MODULE_DEPTH:
        raise SkyassetError(
            "unsafe_pickle", f"module {prefix or '(top)'} contains itself or nests over {MAX_MODULE_DEPTH} deep"
        )
    parents = parents | {id(record)}
    state = record.state
    skip = state.get("_non_persistent_buffers_set") or set()
    if not isinstance(skip, (set, frozenset, list, tuple)):
        raise SkyassetError("unsafe_pickle", f"module {prefix or '(top)'} has a malformed buffer list")
    for group in ("_parameters", "_buffers"):
        for name, tensor in _mapping(state, group, prefix).items():
            if not isinstance(name, str):
                raise SkyassetError("unsafe_pickle", f"module {prefix or '(top)'} names a tensor with a non-string")
            if tensor is None or (group == "_buffers" and name in skip):
                continue
            if not isinstance(tensor, torch.Tensor):
                raise SkyassetError("unsafe_pickle", f"{prefix}{name} is a {type(tensor).__name__}, not a tensor")
            out[prefix + name] = tensor.detach().clone()
    for name, child in _mapping(state, "_modules", prefix).items():
        if child is None:
            continue
        if not isinstance(child, ModuleRecord) or not isinstance(name, str):
            raise SkyassetError("unsafe_pickle", f"submodule {prefix}{name} is not a module record")
        _collect_state(child, f"{prefix}{name}.", out, parents)


def network_from_record(record: ModuleRecord) -> NetworkImport:
    """Flatten a ``ModuleRecord`` tree into constructor kwargs and a state dict."""
    state_dict: dict[str, torch.Tensor] = {}
    _collect_state(record, "", state_dict)
    args = record.state.get("_init_args") or []
    kwargs = record.state.get("_init_kwargs") or {}
    if not isinstance(args, (list, tuple)) or not isinstance(kwargs, dict):
        raise SkyassetError("unsafe_pickle", f"{record.class_name}: _init_args/_init_kwargs are not a list and a dict")
    return NetworkImport(
        class_name=record.class_name,
        init_args=_plain(list(args), _Budget(f"{record.class_name} _init_args")),
        init_kwargs=_plain(dict(kwargs), _Budget(f"{record.class_name} _init_kwargs")),
        state_dict=state_dict,
        source_sha256=record.source_sha256,
    )


def load_nvlabs_pickle(path: Path) -> NvlabsPickle:
    """Read an NVlabs ``network-snapshot-*.pkl`` safely.

    Parameters
    ----------
    path
        The pickle. Never executed: see the module docstring for what is rebuilt and what is refused.

    Returns
    -------
    NvlabsPickle
        ``networks`` holds ``G``, ``D``, ``G_ema``, ``augment_pipe`` (those present and not None).
    """
    path = Path(path)
    if not path.exists():
        raise SkyassetError("input_not_found", f"pickle {path} does not exist")
    if not path.is_file():  # a FIFO or device would block the read
        raise SkyassetError("unsafe_pickle", f"{path} is not a regular file; give the path of a .pkl file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SkyassetError("io_error", f"cannot read {path} ({exc.strerror or exc})") from None
    data = restricted_loads(raw)
    if not isinstance(data, dict):
        raise SkyassetError("unsafe_pickle", f"{path} holds a {type(data).__name__}, not the dict NVlabs writes")
    result = NvlabsPickle(path=path)
    for key, value in data.items():
        if isinstance(value, ModuleRecord):
            result.networks[_plain_key(key)] = network_from_record(value)
        else:
            result.extras[_plain_key(key)] = _plain(value, _Budget(f"{path} entry {_plain_key(key)}"))
    if not result.networks:
        raise SkyassetError("unsafe_pickle", f"{path} holds no networks (expected G, D, G_ema)")
    return result
