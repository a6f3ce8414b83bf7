"""Load and validate a model bundle (docs/BUNDLE.md)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from skyasset.classes import CloudClass
from skyasset.errors import SkyassetError
from skyasset.external_data import ExternalRef, MalformedGraph, external_data_refs
from skyasset.limits import json_depth

__all__ = [
    "Bundle",
    "DataFile",
    "GraphFile",
    "load_bundle",
    "sha256_of",
    "graph_entries",
    "weights_entry",
    "write_metadata",
    "METADATA_NAME",
    "SCHEMA_VERSION",
    "SUPPORTED_SCHEMAS",
    "VARIANTS",
    "WEIGHTS_NAME",
]

METADATA_NAME = "skyasset-bundle.json"
SCHEMA_VERSION = 1  # what the exporters write
SUPPORTED_SCHEMAS = (1,)
VARIANTS = ("fp32", "fp16", "int8-weight", "int8-qdq", "int8-dynamic", "int8-rtn")
GRAPH_NAMES = ("mapping", "synthesis")
OPTIONAL_GRAPH_NAMES = ("canvas",)  # the wide synthesis pass behind `--method native`; older bundles lack it
WEIGHTS_NAME = "weights.bin"  # the graphs' shared external-data file, where a bundle has one (docs/BUNDLE.md)
# A file the graphs read their weights from: a plain name, no folders, no drive letters or streams (``C:x``,
# ``x:stream`` on Windows), no hidden files, no ONNX Runtime markers such as ``*/_ORT_MEM_ADDR_/*``.
_DATA_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# Bounds on the metadata before and after parsing: a real one is ~150 KB (11 classes x 512 mean styles) and
# nests 4 deep; JSON nested 100k deep exhausts the parser's recursion instead of being a model.
MAX_METADATA_BYTES = 16 << 20
MAX_METADATA_DEPTH = 32
MAX_DIM = 1 << 16  # z_dim, w_dim, c_dim, num_ws and resolution: each far above any StyleGAN's


@dataclass(frozen=True)
class GraphFile:
    """One ONNX graph of the bundle."""

    name: str
    path: Path
    sha256: str
    bytes: int
    # Weights stored behind DequantizeLinear in a graph that computes in float32 (no quantized activations):
    # the runtime lets ONNX Runtime decode them once at load instead of on every run.
    decode_weights_at_load: bool = False


@dataclass(frozen=True)
class DataFile:
    """The weights file that the bundle's graphs share (ONNX external data)."""

    path: Path
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Bundle:
    """A validated model bundle: metadata plus the paths of its graphs."""

    path: Path
    schema_version: int
    model_id: str
    variant: str
    resolution: int
    z_dim: int
    w_dim: int
    c_dim: int
    num_ws: int
    classes: tuple[CloudClass, ...]
    w_avg: np.ndarray
    class_w_avg: np.ndarray
    graphs: dict[str, GraphFile]
    provenance: dict[str, Any] = field(default_factory=dict)
    license: str = ""
    weights: DataFile | None = None  # None: every graph holds its own weights (the layout before the shared file)

    @property
    def total_bytes(self) -> int:
        """Bytes of the graphs and of the shared weights file: what running the model reads."""
        return sum(g.bytes for g in self.graphs.values()) + (self.weights.bytes if self.weights else 0)

    def summary(self) -> dict[str, Any]:
        """JSON-ready description, the shape of `skyasset model info --json`."""
        return {
            "path": str(self.path),
            "model_id": self.model_id,
            "variant": self.variant,
            "resolution": self.resolution,
            "z_dim": self.z_dim,
            "w_dim": self.w_dim,
            "c_dim": self.c_dim,
            "num_ws": self.num_ws,
            "classes": [c.to_json() for c in self.classes],
            "provenance": self.provenance,
            "license": self.license,
            "bytes": self.total_bytes,
        }


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def graph_entries(folder: Path, names: Iterable[str], decode_at_load: Iterable[str] = ()) -> dict[str, Any]:
    """The ``graphs`` table of the metadata for ``<name>.onnx`` files in ``folder``: file, SHA-256, size."""
    decode = set(decode_at_load)
    return {
        name: {
            "file": f"{name}.onnx",
            "sha256": sha256_of(folder / f"{name}.onnx"),
            "bytes": (folder / f"{name}.onnx").stat().st_size,
        }
        | ({"decode_weights_at_load": True} if name in decode else {})
        for name in names
    }


def weights_entry(folder: Path, name: str = WEIGHTS_NAME) -> dict[str, Any]:
    """The ``weights`` entry of the metadata for the shared weights file ``name`` in ``folder``."""
    return {"file": name, "sha256": sha256_of(folder / name), "bytes": (folder / name).stat().st_size}


def write_metadata(folder: Path, meta: dict[str, Any]) -> Path:
    """Write ``skyasset-bundle.json`` into ``folder``: the one writer every exporter uses.

    Stamps the current ``schema_version`` and refuses NaN/infinity (``load_bundle`` would reject them).
    """
    path = folder / METADATA_NAME
    text = json.dumps({"schema_version": SCHEMA_VERSION, **meta}, indent=1, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


# What each kind of damage is called in its message, and what to do about it.
_Damage = Literal["bundle_invalid", "bundle_inconsistent"]
_BUNDLE_DAMAGE: dict[_Damage, tuple[str, str]] = {
    "bundle_invalid": (
        "invalid",
        "Re-export it with `skyasset-train export` or reinstall the package to restore the default model.",
    ),
    "bundle_inconsistent": (
        "inconsistent",
        "The metadata does not match the graphs; re-export the bundle from its snapshot.",
    ),
}


def _damaged(code: _Damage, path: Path, what: str) -> SkyassetError:
    state, remedy = _BUNDLE_DAMAGE[code]
    return SkyassetError(code, f"Model bundle {path} is {state}: {what}. {remedy}")


def _invalid(path: Path, what: str) -> SkyassetError:
    return _damaged("bundle_invalid", path, what)


def _inconsistent(path: Path, what: str) -> SkyassetError:
    return _damaged("bundle_inconsistent", path, what)


def _require(meta: dict[str, Any], key: str, kind: type | tuple[type, ...], path: Path) -> Any:
    if key not in meta:
        raise _invalid(path, f"metadata key '{key}' is missing")
    value = meta[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _invalid(path, f"metadata key '{key}' has type {type(value).__name__}")
    return value


def _stat(path: Path, what: str) -> os.stat_result | None:
    """``os.stat(path)``, None when it does not exist; other failures (a name too long, a loop of links, no
    permission) are ``bundle_not_found`` with their reason."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        shown = str(path) if len(str(path)) <= 300 else str(path)[:300] + "..."
        raise SkyassetError(
            "bundle_not_found",
            f"{what} {shown} cannot be opened ({exc.strerror or exc}). Check --model or SKYASSET_MODEL.",
        ) from None


def _read_metadata(path: Path) -> dict[str, Any]:
    if _stat(path, "Model bundle") is None:
        raise SkyassetError("bundle_not_found", f"Model bundle {path} does not exist. Check the --model path.")
    meta_path = path / METADATA_NAME
    info = _stat(meta_path, "The bundle metadata")
    if info is None:
        raise SkyassetError(
            "bundle_not_found",
            f"{path} is not a model bundle: it has no {METADATA_NAME}. Point --model at the bundle folder.",
        )
    if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block the read forever
        raise _invalid(path, f"{METADATA_NAME} is not a regular file")
    if info.st_size > MAX_METADATA_BYTES:
        raise _invalid(path, f"{METADATA_NAME} is {info.st_size} bytes, over the {MAX_METADATA_BYTES} a bundle's is")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SkyassetError("bundle_not_found", f"{meta_path} cannot be read ({exc.strerror or exc}).") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, and ints past Python's digit limit
        raise _invalid(path, f"{METADATA_NAME} is not valid JSON ({exc})") from None
    except RecursionError:
        raise _invalid(path, f"{METADATA_NAME} nests deeper than JSON metadata ever does") from None
    if not isinstance(meta, dict):
        raise _invalid(path, f"{METADATA_NAME} must hold a JSON object")
    if json_depth(meta, MAX_METADATA_DEPTH) > MAX_METADATA_DEPTH:
        raise _invalid(path, f"{METADATA_NAME} nests lists or objects more than {MAX_METADATA_DEPTH} deep")
    return meta


def _read_classes(raw: list[Any], path: Path) -> tuple[CloudClass, ...]:
    classes = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("code", "name")):
            raise _invalid(path, f"classes[{i}] needs string 'code' and 'name'")
        classes.append(CloudClass(entry["code"], entry["name"], str(entry.get("description", ""))))
    codes = [c.code.lower() for c in classes]
    names = [c.name.lower() for c in classes]
    if len(set(codes)) != len(codes) or len(set(names)) != len(names):
        raise _inconsistent(path, "class codes or names repeat")
    return tuple(classes)


def _graph_path(bundle: Path, name: str, graph: str) -> Path:
    """A graph file named in the metadata: a plain file inside the bundle folder, nothing else."""
    candidate = Path(name)
    if not name or len(name) > 255 or candidate.is_absolute() or ".." in candidate.parts or candidate.name != name:
        raise _invalid(bundle, f"graphs.{graph}.file must be a file name inside the bundle, got {name!r}")
    file = bundle / name
    if file.is_symlink():
        raise _invalid(bundle, f"graphs.{graph}.file {name!r} is a symbolic link; copy the file itself")
    return file


def _read_graphs(raw: dict[str, Any], path: Path, verify: bool) -> dict[str, GraphFile]:
    graphs = {}
    for name in GRAPH_NAMES + tuple(n for n in OPTIONAL_GRAPH_NAMES if n in raw):
        entry = raw.get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise _invalid(path, f"graphs.{name}.file is missing")
        if not isinstance(entry.get("sha256"), str):
            raise _invalid(path, f"graphs.{name}.sha256 is missing")
        file = _graph_path(path, entry["file"], name)
        if file.exists() and not file.is_file():  # a folder, FIFO or device: reading it fails or never ends
            raise _invalid(path, f"graphs.{name}.file {entry['file']!r} is not a regular file")
        if not file.is_file():
            raise SkyassetError(
                "bundle_file_missing",
                f"Model bundle {path} is missing {entry['file']} ({name} graph). Copy the whole bundle folder "
                "or re-export it.",
            )
        recorded_bytes = entry.get("bytes")
        if recorded_bytes is not None and (not isinstance(recorded_bytes, int) or isinstance(recorded_bytes, bool)):
            raise _invalid(path, f"graphs.{name}.bytes must be a whole number")
        if recorded_bytes is not None and file.stat().st_size != recorded_bytes:  # before hashing a huge file
            raise SkyassetError(
                "bundle_checksum_mismatch",
                f"{file} is {file.stat().st_size} bytes but {METADATA_NAME} records {recorded_bytes}: the file is "
                "truncated or was replaced. Copy the bundle again or re-export it.",
            )
        if verify and sha256_of(file) != entry["sha256"].lower():
            raise SkyassetError(
                "bundle_checksum_mismatch",
                f"{file} does not match the sha256 recorded in {METADATA_NAME}: the file is truncated or was "
                "replaced. Copy the bundle again or re-export it.",
            )
        decode_at_load = entry.get("decode_weights_at_load", False)
        if not isinstance(decode_at_load, bool):
            raise _invalid(path, f"graphs.{name}.decode_weights_at_load must be true or false")
        graphs[name] = GraphFile(name, file, entry["sha256"].lower(), file.stat().st_size, decode_at_load)
    return graphs


def _reexport(path: Path) -> str:
    return f"Copy the whole bundle folder {path} again or re-export it with `skyasset-train export`."


def _read_weights(raw: Any, path: Path, verify: bool) -> DataFile | None:
    """The optional ``weights`` entry: the external-data file the graphs share, checked like a graph file."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("file"), str):
        raise _invalid(path, "weights.file is missing")
    name = raw["file"]
    if not _DATA_FILE_NAME.fullmatch(name) or name == METADATA_NAME or name.endswith(".onnx"):
        raise _invalid(
            path, f"weights.file must be a plain file name inside the bundle (e.g. {WEIGHTS_NAME}), got {name!r}"
        )
    recorded_bytes, recorded_sha = raw.get("bytes"), raw.get("sha256")
    if not isinstance(recorded_bytes, int) or isinstance(recorded_bytes, bool) or recorded_bytes < 0:
        raise _invalid(path, "weights.bytes must be a whole number")
    if not isinstance(recorded_sha, str):
        raise _invalid(path, "weights.sha256 is missing")
    file = path / name
    if file.is_symlink():
        raise _invalid(path, f"the weights file {name!r} is a symbolic link; copy the file itself")
    if file.exists() and not file.is_file():
        raise _invalid(path, f"the weights file {name!r} is not a regular file")
    if not file.is_file():
        raise SkyassetError(
            "bundle_file_missing",
            f"Model bundle {path} is missing {name}, the weights file its graphs read. {_reexport(path)}",
        )
    size = file.stat().st_size
    if size != recorded_bytes:
        raise SkyassetError(
            "bundle_checksum_mismatch",
            f"{file} (the bundle's weights) is {size} bytes but {METADATA_NAME} records {recorded_bytes}: the file "
            f"is truncated or was replaced. {_reexport(path)}",
        )
    if verify and sha256_of(file) != recorded_sha.lower():
        raise SkyassetError(
            "bundle_checksum_mismatch",
            f"{file} (the bundle's weights) does not match the sha256 recorded in {METADATA_NAME}: the file is "
            f"damaged or was replaced. {_reexport(path)}",
        )
    return DataFile(file, recorded_sha.lower(), size)


def _whole(text: str | None, default: int | None) -> int | None:
    if text is None:
        return default
    return int(text) if text.isascii() and text.isdigit() else -1


def _check_ref(ref: ExternalRef, graph: GraphFile, weights: DataFile | None, path: Path) -> None:
    """One external-data reference of ``graph``: it must name the listed weights file and lie inside it."""
    where = f"graph {graph.path.name} (tensor {ref.tensor!r})"
    location = ref.location
    if location is None or not _DATA_FILE_NAME.fullmatch(location):
        raise _invalid(
            path,
            f"{where} reads its data from {location!r}; a bundle's graphs may only read a plain file name inside "
            "the bundle folder (no folders, '..', absolute paths or links)",
        )
    if weights is None or location != weights.path.name:
        listed = f"lists only {weights.path.name!r}" if weights else "lists no weights file"
        raise _invalid(
            path,
            f"{where} reads its data from {location!r}, but {METADATA_NAME} {listed}, so nothing vouches for "
            "that file's content",
        )
    offset, length = _whole(ref.offset, 0), _whole(ref.length, None)
    if offset is None or offset < 0 or (length is not None and (length < 0 or offset + length > weights.bytes)):
        raise _invalid(
            path,
            f"{where} reads bytes {ref.offset}+{ref.length} of {location}, which has {weights.bytes} bytes",
        )


def _check_external_data(graphs: dict[str, GraphFile], weights: DataFile | None, path: Path) -> None:
    """Every tensor a graph keeps outside its file must point into the bundle's listed, hashed weights file.

    ONNX Runtime opens whatever file a graph names, relative to the graph's folder: this is the line that keeps a
    bundle from reading files outside itself.
    """
    for graph in graphs.values():
        try:
            refs = external_data_refs(graph.path.read_bytes())
        except MalformedGraph as exc:
            raise _invalid(path, f"{graph.path.name} is not a valid ONNX graph ({exc})") from None
        except OSError as exc:
            raise SkyassetError(
                "bundle_not_found", f"{graph.path} cannot be read ({exc.strerror or exc}). {_reexport(path)}"
            ) from None
        for ref in refs:
            _check_ref(ref, graph, weights, path)


def load_bundle(path: str | Path, *, verify_checksums: bool = True) -> Bundle:
    """Read and validate a bundle folder.

    Parameters
    ----------
    path
        The bundle folder (holding ``skyasset-bundle.json``).
    verify_checksums
        Hash every graph and the shared weights file and compare with the recorded sha256 (a few ms per MB).
        Sizes and the graphs' external-data references are checked either way.

    Raises
    ------
    SkyassetError
        With one of the ``bundle_*`` codes of docs/BUNDLE.md.
    """
    try:
        path = Path(path).expanduser().resolve(strict=False)
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a name too long, ~nouser, a NUL
        shown = str(path) if len(str(path)) <= 300 else str(path)[:300] + "..."
        raise SkyassetError(
            "bundle_not_found",
            f"Model bundle path {shown} cannot be opened ({exc}). Check --model or SKYASSET_MODEL.",
        ) from None
    meta = _read_metadata(path)
    schema = _require(meta, "schema_version", int, path)
    if schema not in SUPPORTED_SCHEMAS:
        raise SkyassetError(
            "bundle_schema_unsupported",
            f"Model bundle {path} has schema version {schema}; this skyasset reads "
            f"{', '.join(map(str, SUPPORTED_SCHEMAS))}. Upgrade skyasset or re-export the bundle.",
        )
    dims = {k: _require(meta, k, int, path) for k in ("resolution", "z_dim", "w_dim", "c_dim", "num_ws")}
    if any(not 0 <= v <= MAX_DIM for v in dims.values()) or dims["resolution"] < 4 or dims["num_ws"] < 1:
        raise _invalid(path, f"dimensions out of range: {dims}")
    variant = _require(meta, "variant", str, path)
    if variant not in VARIANTS:
        raise _invalid(path, f"unknown variant '{variant}' (known: {', '.join(VARIANTS)})")
    classes = _read_classes(_require(meta, "classes", list, path), path)
    try:
        w_avg = np.asarray(_require(meta, "w_avg", list, path), dtype=np.float32)
        class_w_avg = np.asarray(_require(meta, "class_w_avg", list, path), dtype=np.float32)
    except (ValueError, TypeError):
        raise _invalid(path, "w_avg / class_w_avg must be numeric arrays") from None
    if not (np.isfinite(w_avg).all() and np.isfinite(class_w_avg).all()):
        raise _invalid(path, "w_avg / class_w_avg hold NaN or infinity")
    if len(classes) != dims["c_dim"]:
        raise _inconsistent(path, f"{len(classes)} classes listed but c_dim is {dims['c_dim']}")
    if w_avg.shape != (dims["w_dim"],):
        raise _inconsistent(path, f"w_avg has shape {w_avg.shape}, expected ({dims['w_dim']},)")
    if class_w_avg.shape != (dims["c_dim"], dims["w_dim"]) and not (dims["c_dim"] == 0 and class_w_avg.size == 0):
        raise _inconsistent(
            path, f"class_w_avg has shape {class_w_avg.shape}, expected ({dims['c_dim']}, {dims['w_dim']})"
        )
    graphs = _read_graphs(_require(meta, "graphs", dict, path), path, verify_checksums)
    weights = _read_weights(meta.get("weights"), path, verify_checksums)
    _check_external_data(graphs, weights, path)
    provenance = meta.get("provenance", {})
    return Bundle(
        path=path,
        schema_version=schema,
        model_id=str(meta.get("model_id", path.name)),
        variant=variant,
        classes=classes,
        w_avg=w_avg,
        class_w_avg=class_w_avg.reshape(dims["c_dim"], dims["w_dim"]),
        graphs=graphs,
        provenance=provenance if isinstance(provenance, dict) else {},
        license=str(meta.get("license", "")),
        weights=weights,
        **dims,
    )
