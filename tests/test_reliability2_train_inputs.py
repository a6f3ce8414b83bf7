"""Issue 28 (Reliability II), the training tools: every hostile input gets a named error, bounded, no traceback.

The CLI cases run ``skyasset-train``'s entry point in a real child process (one process per test, several
invocations each, so the cost of importing torch is paid once) and read its real stderr.
"""

from __future__ import annotations

import io
import json
import math
import pickle
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from skyasset.errors import SkyassetError
from training.dataset import MAX_CLASSES, ImageArchive, prepare_dataset, read_archive_meta

ROOT = Path(__file__).resolve().parents[1]
CliAnswers = dict[str, tuple[Path, list[tuple[object, str]]]]  # per topic: its folder and (exit code, stderr)s

# Runs each argv list through training.cli.main in this one process; an escaped exception prints a traceback.
_RUNNER = """
import json, sys, traceback
from training.cli import main
for i, args in enumerate(json.loads(sys.argv[1])):
    sys.stderr.write(f"@@case {i}\\n"); sys.stderr.flush()
    try:
        rc = main(args)
    except BaseException:
        traceback.print_exc(); rc = "escaped"
    sys.stderr.write(f"@@rc {rc}\\n"); sys.stderr.flush()
"""


def _run_cli(cases: list[list[str]], timeout: float = 120) -> list[tuple[object, str]]:
    """``[(exit code, stderr)]`` of each ``skyasset-train`` invocation, run in one child process."""
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "HOME": str(Path.home())},
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    results = []
    for chunk in proc.stderr.split("@@case ")[1:]:
        body, _, rc = chunk.rpartition("@@rc ")
        results.append((int(rc.strip()) if rc.strip().lstrip("-").isdigit() else rc.strip(), body))
    assert len(results) == len(cases), proc.stderr[-3000:]
    return results


def _assert_refused(result: tuple[object, str], code: str, *words: str) -> None:
    rc, err = result
    assert f"error [{code}]" in err, err
    assert rc == SkyassetError(code, "").exit_code, err  # type: ignore[arg-type]
    for word in words:
        assert word in err, err


def _png(size: int = 32, seed: int = 0) -> bytes:
    buf = io.BytesIO()
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bomb_png(side: int = 30000) -> bytes:
    """A 100-byte PNG whose header claims ``side`` x ``side`` pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )


def _ztxt_png(size: int = 32) -> bytes:
    """A valid PNG with a 9 KB zTXt chunk that inflates to 8 MiB (PIL: "Decompressed Data Too Large")."""
    raw = _png(size)
    at = raw.index(b"IDAT") - 4
    return raw[:at] + _chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * (8 << 20))) + raw[at:]


def _zip(path: Path, members: dict[str, bytes], meta: object = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if meta is not None:
            zf.writestr("dataset.json", meta if isinstance(meta, bytes) else json.dumps(meta))
    return path


def _members(n: int = 4) -> dict[str, bytes]:
    return {f"A/{i}.png": _png(32, i) for i in range(n)}


def _labelled(n: int = 4) -> dict[str, object]:
    return {
        "labels": [[f"A/{i}.png", i % 2] for i in range(n)],
        "classes": [{"code": "A", "name": "a"}, {"code": "B", "name": "b"}],
    }


def _source(root: Path, files: dict[str, bytes], meta: object = None) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    if meta is not None:
        (root / "dataset.json").write_text(json.dumps(meta))
    return root


def _refused(code: str, fn, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SkyassetError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value.message


# --- item 1: nothing outside the folder asked for -------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["../outside.png", "/ABS/outside.png", "a/../../outside.png", "./a.png", "a\\..\\x.png"]
)
def test_prepare_refuses_labels_that_leave_the_source_folder(tmp_path: Path, bad: str) -> None:
    (tmp_path / "outside.png").write_bytes(_png(16, 9))
    bad = bad.replace("/ABS", str(tmp_path))
    src = _source(tmp_path / "src", {"a.png": _png(16)}, {"labels": [["a.png", 0], [bad, 0]]})
    message = _refused("dataset_invalid", prepare_dataset, src, tmp_path / "out.zip", resolution=16)
    assert repr(bad)[1:-1] in message and "leaves the source folder" in message
    assert not (tmp_path / "out.zip").exists()


@pytest.mark.parametrize("code", ["../../x", "a/b", "..", ".hidden", "C:x", "x\0y", "", " Cu", "Cu.", 7, None])
def test_class_codes_are_plain_names_in_prepare_archives_and_export(tmp_path: Path, code: object) -> None:
    src = _source(tmp_path / "src", {"a.png": _png(16)}, {"labels": [["a.png", 0]], "classes": [code]})
    _refused("dataset_invalid", prepare_dataset, src, tmp_path / "out.zip", resolution=16)
    entry = {"code": code, "name": "a"}
    archive = _zip(tmp_path / "a.zip", _members(), {**_labelled(), "classes": [entry, {"code": "B", "name": "b"}]})
    _refused("dataset_invalid", ImageArchive, archive)


def test_export_refuses_a_class_code_that_is_a_path(tmp_path: Path, cli: CliAnswers) -> None:
    pytest.importorskip("torch")
    from skyasset.classes import CloudClass
    from training.export import export_bundle
    from training.networks import Generator, get_config

    kwargs = {**get_config("tiny").generator_kwargs(), "c_dim": 2}
    G = Generator(**kwargs)
    classes = [CloudClass("../../x", "a", ""), CloudClass("B", "b", "")]
    message = _refused("invalid_argument", export_bundle, G, tmp_path / "b", classes=classes, model_id="m", license="x")
    assert "'../../x'" in message and not (tmp_path / "b").exists() and not (tmp_path.parent / "x").exists()
    # the CLI on a snapshot carrying that code: a named error, no traceback, no bundle
    root, results = cli["export"]
    for result in results:
        _assert_refused(result, "snapshot_invalid", "'../../x'")
    assert not (root / "b").exists() and not (root.parent / "x").exists()


def _export_cases(root: Path) -> list[list[str]]:
    classes = [{"code": "../../x", "name": "a"}, {"code": "B", "name": "b"}]
    snap = _snapshot(root, "s", {"classes": classes})
    return [["export", str(snap), "--out", str(root / "b")], ["grid", str(snap), "--out", str(root / "g.png")]]


# --- item 3: bounds before work --------------------------------------------------------------------------------


def test_label_values_are_bounded_before_anything_is_allocated(tmp_path: Path) -> None:
    src = _source(tmp_path / "src", {"a.png": _png(16)}, {"labels": [["a.png", 10**8]]})
    archive = _zip(tmp_path / "a.zip", _members(), {"labels": [["A/0.png", 10**8]]})
    tracemalloc.start()
    t = time.perf_counter()
    try:
        message = _refused("dataset_invalid", prepare_dataset, src, tmp_path / "out.zip", resolution=16)
        assert "100000000" in message and f"0 to {MAX_CLASSES - 1}" in message
        _refused("dataset_invalid", ImageArchive, archive)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20 and time.perf_counter() - t < 5  # was: a table of 10^8 classes, killed at 21.5 GB
    ok = _source(tmp_path / "ok", {"a.png": _png(16)}, {"labels": [["a.png", MAX_CLASSES - 1]]})
    assert prepare_dataset(ok, tmp_path / "ok.zip", resolution=16).num_images == 1


def test_a_dataset_json_that_inflates_past_the_limit_is_refused_unread(tmp_path: Path) -> None:
    from training.dataset import MAX_META_BYTES

    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in _members().items():
            zf.writestr(name, data)
        with zf.open("dataset.json", "w") as f:
            f.write(b'{"labels": null, "pad": "')
            for _ in range(MAX_META_BYTES // (1 << 20) + 1):
                f.write(b" " * (1 << 20))
            f.write(b'"}')
    assert path.stat().st_size < 2 << 20
    tracemalloc.start()
    try:
        message = _refused("dataset_invalid", read_archive_meta, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "inflates to" in message and peak < 8 << 20  # was: 1.5 GB read and parsed


def _nested_shared_lists(depth: int) -> bytes:
    level: list[object] = []
    for _ in range(depth):
        level = [level, level]  # 2^depth paths through 2 * depth objects: the pickle memo keeps it tiny
    return pickle.dumps({"G": None, "extra": level}, protocol=2)


def test_nvlabs_pickle_plain_data_is_bounded_in_size_and_depth(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from training.nvlabs_pickle import load_nvlabs_pickle

    path = tmp_path / "exp.pkl"
    path.write_bytes(_nested_shared_lists(40))
    assert path.stat().st_size < 400
    t = time.perf_counter()
    assert "larger than" in _refused("unsafe_pickle", load_nvlabs_pickle, path)
    assert time.perf_counter() - t < 2  # was: > 60 s expanding 2^40 list items
    deep: list[object] = []
    for _ in range(200):
        deep = [deep]
    path.write_bytes(pickle.dumps({"extra": deep}, protocol=2))
    assert "nested deeper" in _refused("unsafe_pickle", load_nvlabs_pickle, path)


def _self_referencing() -> dict[str, object]:
    torch = pytest.importorskip("torch")
    looped_list: list[object] = []
    looped_list.append(looped_list)
    looped_dict: dict[str, object] = {}
    looped_dict["me"] = looped_dict
    module = torch.nn.ModuleList()
    module._modules["me"] = module  # a module that is its own submodule
    return {"list": {"extra": looped_list}, "dict": {"training_set_kwargs": looped_dict}, "module": {"G": module}}


@pytest.mark.parametrize("kind", ["list", "dict", "module"])
def test_self_referencing_pickles_are_refused(tmp_path: Path, kind: str) -> None:
    from training.nvlabs_pickle import load_nvlabs_pickle

    path = tmp_path / f"{kind}.pkl"
    path.write_bytes(pickle.dumps(_self_referencing()[kind], protocol=4))
    assert "itself" in _refused("unsafe_pickle", load_nvlabs_pickle, path)


def _pickle_cases(root: Path) -> list[list[str]]:
    cases = []
    for kind, data in [
        ("exp", _nested_shared_lists(40)),
        *((k, pickle.dumps(v)) for k, v in _self_referencing().items()),
    ]:
        (root / f"{kind}.pkl").write_bytes(data)
        cases.append(["import-nvlabs", str(root / f"{kind}.pkl"), "--out", str(root / f"{kind}.pt")])
    cases.append(["transfer", str(root / "module.pkl"), "--out", str(root / "t.pt"), "--c-dim", "0"])
    return cases


def test_self_referencing_and_expanding_pickles_through_the_cli(cli: CliAnswers) -> None:
    root, results = cli["pickles"]
    assert len(results) == 5
    for result in results:
        _assert_refused(result, "unsafe_pickle")
    assert not list(root.glob("*.pt"))


# --- item 6: no tracebacks ------------------------------------------------------------------------------------


def _hostile_images(root: Path) -> tuple[list[Path], list[Path]]:
    """Source folders and archives, each with one hostile image."""
    bomb = _source(root / "bomb", {"Cu/a.png": _png(16), "Cu/b.png": _bomb_png()})
    ztxt = _source(root / "ztxt", {"Cu/a.png": _png(16), "Cu/z.png": _ztxt_png()})
    archives = [
        _zip(root / "b1.zip", {"A/0.png": _bomb_png(), "A/1.png": _png()}),
        _zip(root / "b2.zip", {"A/0.png": _png(), "A/1.png": _bomb_png(9000)}),
        _zip(root / "z.zip", {"A/0.png": _png(), "A/1.png": _ztxt_png()}),
    ]
    return [bomb, ztxt], archives


def _image_cases(root: Path) -> list[list[str]]:
    sources, archives = _hostile_images(root)
    cases = [["prepare", str(src), str(root / "o.zip")] for src in sources]
    cases += [["metrics", "--data", str(p), "--halves", "--device", "cpu"] for p in archives]
    train = ["--outdir", str(root / "runs"), "--config", "tiny", "--workers", "0", "--device", "cpu"]
    return [*cases, ["train", "--data", str(archives[0]), *train]]


def test_hostile_images_are_dataset_invalid_in_prepare_train_and_metrics(tmp_path: Path, cli: CliAnswers) -> None:
    sources, archives = _hostile_images(tmp_path)
    for src in sources:
        message = _refused("dataset_invalid", prepare_dataset, src, tmp_path / "o.zip", resolution=16)
        assert "remove or replace it" in message
    for path in archives:
        archive = None
        with pytest.raises(SkyassetError) as info:
            archive = ImageArchive(path)
            for i in range(len(archive)):
                archive[i]
        assert info.value.code == "dataset_invalid"
    root, results = cli["images"]
    assert len(results) == 6
    for result in results:
        _assert_refused(result, "dataset_invalid")
    assert not (root / "o.zip").exists() and not (root / "runs").exists()


def _crc_damaged(path: Path) -> Path:
    _zip(path, {"A/0.png": _png(32, 0), "A/1.png": _png(32, 1)})
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("A/0.png")
    raw = bytearray(path.read_bytes())
    raw[info.header_offset + 30 + len(info.filename) + 40] ^= 0xFF
    path.write_bytes(bytes(raw))
    return path


MALFORMED: dict[str, tuple[dict[str, bytes], object]] = {
    "labels not a list": (_members(), {"labels": "abc"}),
    "label entry too short": (_members(), {"labels": [["A/0.png"]]}),
    "label negative": (_members(), {"labels": [["A/0.png", -3]]}),
    "label a float": (_members(), {"labels": [["A/0.png", 0.5]]}),
    "label true": (_members(), {"labels": [["A/0.png", True]]}),
    "labelled member missing": (_members(), {"labels": [["A/nope.png", 0], ["A/0.png", 1]]}),
    "labelled member ../": (_members(), {"labels": [["../x.png", 0]]}),
    "json nested 100k deep": (_members(), b"[" * 100_000),
    "json not UTF-8": (_members(), b"\xff\xfe{"),
    "json not an object": (_members(), [1]),
    "classes without code": (_members(), {**_labelled(), "classes": [{"name": "a"}, {"name": "b"}]}),
    "classes of numbers": (_members(), {**_labelled(), "classes": [1, 2]}),
    "classes not a list": (_members(), {**_labelled(), "classes": "AB"}),
    "first member corrupt": ({"A/0.png": b"garbage", "A/1.png": _png()}, None),
    "first member too large": ({"A/0.png": _bomb_png(8192), "A/1.png": _png()}, None),
    "no images": ({"readme.txt": b"x"}, None),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_archives_are_dataset_invalid(tmp_path: Path, case: str) -> None:
    members, meta = MALFORMED[case]
    _refused("dataset_invalid", ImageArchive, _zip(tmp_path / "a.zip", members, meta))


def test_damaged_members_are_dataset_invalid_also_from_dataloader_workers(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    assert "Bad CRC" in _refused("dataset_invalid", ImageArchive, _crc_damaged(tmp_path / "crc.zip"))
    later = _zip(tmp_path / "later.zip", {"A/0.png": _png(32), "A/1.png": _png(32)[:70], "A/2.png": _png(64)})
    archive = ImageArchive(later)
    for i in (1, 2):
        _refused("dataset_invalid", archive.__getitem__, i)
    # a worker's exception comes back re-raised by torch: still our named error, its message without the traceback
    loader = torch.utils.data.DataLoader(archive, batch_size=3, num_workers=1)
    with pytest.raises(SkyassetError) as info:
        next(iter(loader))
    assert info.value.code == "dataset_invalid" and "Traceback" not in info.value.message
    assert "later.zip: member A/1.png cannot be read" in info.value.message


BAD_OPTIONS = [("--kimg", "nan"), ("--lr", "nan"), ("--lr", "-1"), ("--d-lr", "inf"), ("--gamma", "nan")]
BAD_OPTIONS += [("--tick-kimg", "inf"), ("--snap-kimg", "nan"), ("--max-minutes", "nan"), ("--ema-kimg", "nan")]
BAD_OPTIONS += [("--seed", "-1"), ("--workers", "-1"), ("--max-size", "0"), ("--metrics-num-gen", "0")]
BAD_OPTIONS += [("--kimg", "1e300"), ("--batch", "100000000")]


def _option_cases(root: Path) -> list[list[str]]:
    archive = _zip(root / "a.zip", _members(), _labelled())
    (root / "afile").write_text("x")
    base = ["train", "--data", str(archive), "--outdir", str(root / "runs"), "--config", "tiny", "--dry-run"]
    cases = [[*base, flag, value] for flag, value in BAD_OPTIONS]
    cases.append(["metrics", "--data", str(archive), "--bundle", str(root), "--num-gen", "0"])
    cases.append(["metrics", "--data", str(archive), "--bundle", str(root), "--psi", "nan"])
    cases.append(["ship", str(root / "s.pt"), "--data", str(archive), "--out", str(root / "b"),
                  "--snapshot-out", str(root / "c.pt"), "--num-gen", "-5"])  # fmt: skip
    cases.append(["transfer", str(root / "s.pt"), "--out", str(root / "t.pt"), "--c-dim", "-1"])
    run = ["--config", "tiny", "--kimg", "0.004", "--metrics", "none", "--workers", "0", "--device", "cpu"]
    return [*cases, ["train", "--data", str(archive), "--outdir", str(root / "afile" / "runs"), *run]]


def test_train_and_metrics_options_must_be_finite_and_in_range(cli: CliAnswers) -> None:
    root, results = cli["options"]
    for (flag, _), result in zip(BAD_OPTIONS, results, strict=False):
        _assert_refused(result, "invalid_argument", flag)
    for result in results[len(BAD_OPTIONS) : -1]:
        _assert_refused(result, "invalid_argument", "--")
    _assert_refused(results[-1], "io_error", "afile")
    assert not (root / "runs").exists()


def _snapshot(tmp_path: Path, name: str, meta_update: dict[str, object], tamper=None) -> Path:  # type: ignore[no-untyped-def]
    torch = pytest.importorskip("torch")
    from training.networks import Discriminator, Generator, get_config
    from training.snapshot import save_snapshot

    cfg = get_config("tiny")
    G_kwargs = {**cfg.generator_kwargs(), "c_dim": 2}
    D_kwargs = {**cfg.discriminator_kwargs(), "c_dim": 2}
    torch.manual_seed(0)
    meta = {"kimg": 1.0, "G_kwargs": G_kwargs, "D_kwargs": D_kwargs, "classes": _labelled()["classes"]}
    meta.update(meta_update)
    path = save_snapshot(
        tmp_path / f"{name}.pt", G_ema=Generator(**G_kwargs), D=Discriminator(**D_kwargs), meta=meta, kind="compact"
    )
    if tamper is not None:  # a dict shaped like the real one, rewritten the way a hand-made file would be
        data = torch.load(path, weights_only=True)
        tamper(data)
        torch.save(data, path)
    return path


SNAPSHOT_DEFECTS = {
    "int tensors": ({}, lambda d: d.update(G_ema={k: v.to(__import__("torch").int64) for k, v in d["G_ema"].items()})),
    "ints for tensors": ({}, lambda d: d.update(G_ema={k: 1 for k in d["G_ema"]})),
    "state a list": ({}, lambda d: d.update(D=[1, 2])),
    "classes without code": ({"classes": [{"name": "a"}, {"name": "b"}]}, None),
    "classes as strings": ({"classes": ["A", "B"]}, None),
    "kimg NaN": ({"kimg": math.nan}, None),
    "kimg infinite": ({"kimg": math.inf}, None),
    "kimg a string": ({"kimg": "ten"}, None),
    "meta nested 100k deep": ({}, lambda d: d.update(meta="[" * 100_000)),
    "meta a list": ({}, lambda d: d.update(meta="[1]")),
    "kind unknown": ({}, lambda d: d.update(kind="weird")),
}


@pytest.mark.parametrize("case", list(SNAPSHOT_DEFECTS))
def test_snapshots_with_bad_fields_are_snapshot_invalid(tmp_path: Path, case: str) -> None:
    pytest.importorskip("torch")
    from training.snapshot import build_networks, load_snapshot

    path = _snapshot(tmp_path, "s", *SNAPSHOT_DEFECTS[case])
    with pytest.raises(SkyassetError) as info:
        build_networks(load_snapshot(path))
    assert info.value.code == "snapshot_invalid", info.value.message


def _snapshot_cases(root: Path) -> list[list[str]]:
    picked = ["int tensors", "ints for tensors", "classes without code", "kimg NaN", "meta nested 100k deep"]
    paths = {case: _snapshot(root, f"s{i}", *SNAPSHOT_DEFECTS[case]) for i, case in enumerate(picked)}
    archive = _zip(root / "a.zip", _members(), _labelled())
    cases = [["export", str(path), "--out", str(root / "bundle")] for path in paths.values()]
    cases += [["grid", str(paths["classes without code"]), "--out", str(root / "g.png")]]
    cases += [["info", str(paths["kimg NaN"])]]
    cases += [["metrics", "--data", str(archive), "--snapshot", str(paths["int tensors"]), "--num-gen", "2"]]
    run = ["--outdir", str(root / "runs"), "--config", "tiny", "--metrics", "none", "--workers", "0"]
    return [*cases, ["train", "--data", str(archive), *run, "--resume", str(paths["kimg NaN"])]]


def test_snapshots_with_bad_fields_through_the_cli(cli: CliAnswers) -> None:
    root, results = cli["snapshots"]
    assert len(results) == 9
    for result in results:
        _assert_refused(result, "snapshot_invalid")
    assert not (root / "bundle").exists() and not (root / "g.png").exists() and not (root / "runs").exists()


CLI_TOPICS = {
    "export": _export_cases,
    "pickles": _pickle_cases,
    "images": _image_cases,
    "options": _option_cases,
    "snapshots": _snapshot_cases,
}


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> CliAnswers:
    """Every CLI case of this module, run once in one child process (torch is imported once, not per test)."""
    pytest.importorskip("torch")
    built = {topic: (root := tmp_path_factory.mktemp(topic), make(root)) for topic, make in CLI_TOPICS.items()}
    results = iter(_run_cli([case for _, cases in built.values() for case in cases], timeout=300))
    return {topic: (root, [next(results) for _ in cases]) for topic, (root, cases) in built.items()}


def test_the_error_net_names_os_errors_and_bugs_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from training.cli_errors import handle_errors

    @handle_errors
    def disk_full() -> None:
        raise OSError(28, "No space left on device", "/data/out.zip")

    @handle_errors
    def bug() -> None:
        raise KeyError("code")

    for fn, code, exit_code, words in [
        (disk_full, "io_error", 5, ["/data/out.zip", "No space left on device"]),
        (bug, "internal_error", 1, ["KeyError", "test_reliability2_train_inputs.py:", "a bug"]),
    ]:
        with pytest.raises(typer.Exit) as info:
            fn()
        err = capsys.readouterr().err
        assert info.value.exit_code == exit_code and err.startswith(f"error [{code}]: ")
        assert all(word in err for word in words) and "Traceback" not in err


# --- item 7 ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("max_images", [-1, 0])
def test_max_images_must_keep_at_least_one_image(tmp_path: Path, max_images: int) -> None:
    src = _source(tmp_path / "src", {"Cu/a.png": _png(16), "St/b.png": _png(16, 1)})
    message = _refused(
        "invalid_argument", prepare_dataset, src, tmp_path / "o.zip", resolution=16, max_images=max_images
    )
    assert f"--max-images {max_images}" in message and not (tmp_path / "o.zip").exists()
    assert prepare_dataset(src, tmp_path / "o.zip", resolution=16, max_images=1).num_images == 2
