"""Hostile-input probe of `skyasset`, `skyasset studio` and `skyasset-train` (issue 28, "Done when").

Every case runs the real tools: a child process (`skyasset ...`, `skyasset-train ...`) or real HTTP against a
real `skyasset studio` process, with a time limit (past it: ``hang``) and a memory guard on the child's process
group (past it: ``memory``), in a fresh temporary folder. Around each case the probe records every file of that
folder outside the places the case names as its output (the named output folder ``a/out``, and the tool's own
HOME, TMPDIR and cache), including sentinels that ``..`` names and planted symlinks would hit (``a/victim.txt``,
``a/sky.png``, ``victim.txt``, ``elsewhere/secret.txt``, ...), and compares: any change is ``wrote_outside``.

Outcome classes:

- ``ok``: it succeeded (exit 0, or HTTP 2xx) where that is right;
- ``named_error``: a non-zero exit with a known error code other than internal_error (or Click's usage error),
  or a JSON error object from the studio;
- failures: ``internal_error``, ``traceback`` (the word Traceback on stderr), ``hang``, ``wrote_outside``,
  ``cross_origin_job`` (a job started by a request that is not from the studio's page), and four more this
  probe adds: ``memory`` (the process group passed the memory guard), ``crashed`` (killed by a signal, e.g. a
  segmentation fault), ``bad_answer`` (a ``--json`` answer that
  is not one ASCII JSON object, an exit code that does not match its error code, a studio error that is not the
  JSON error shape), ``unexpected`` (success where a refusal was due, a refusal of valid input, or a check
  after the case failed, e.g. a server path in a download).

Usage (after `.ci/run`'s installs, from the repository root)::

    python benchmarks/probe_hostile.py [--only cli|studio|train] [--jobs N] [--keep] [--list]

It prints one line per case and a table of counts per tool and class, and exits 1 if any case is in a failure
class. ``--keep`` keeps the temporary folders of failing cases (their paths are printed) to reproduce them.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import http.client
import json
import os
import pickle
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from skyasset.errors import EXIT_CODES  # noqa: E402

# tests/conftest.py's fixture: the committed tiny random-weight bundle (tests/data/make_tiny_bundle.py makes it).
TINY = REPO / "tests" / "data" / "tiny_bundle"
DEFAULT_BUNDLE = REPO / "skyasset" / "models" / "default"
BIN = Path(sys.executable).parent
FAILURES = (
    "internal_error",
    "traceback",
    "hang",
    "wrote_outside",
    "cross_origin_job",
    "memory",
    "crashed",
    "bad_answer",
    "unexpected",
)
CLASSES = ("ok", "named_error", *FAILURES)
CLI_TIMEOUT = 90.0
TRAIN_TIMEOUT = 240.0
MEMORY_LIMIT = 3 << 30  # bytes of RSS of a case's process group; the issue saw 3.5 GB for a 3.5 MB EXR
STUDIO_GROWTH_LIMIT = 1536 << 20  # RSS the studio may gain over one case

_print_lock = threading.Lock()


# --- sandboxes ---------------------------------------------------------------------------------------------------


class Sandbox:
    """A fresh folder per case. ``a/out`` is the named output folder; the sentinels around it must not change."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = root / "a" / "out"
        self.inp = root / "in"
        self.cwd = root / "cwd"
        for folder in (self.out, self.inp, self.cwd, root / "elsewhere", root / "home", root / "tmp", root / "cache"):
            folder.mkdir(parents=True, exist_ok=True)
        for rel, text in {
            "a/victim.txt": "precious a",
            "a/sky.png": "not a png: a sentinel beside the output folder",
            "a/sky.json": "{}",
            "victim.txt": "precious root",
            "sky.png": "sentinel at the root",
            "elsewhere/secret.txt": "precious secret",
            "elsewhere/sky.png": "sentinel elsewhere",
            "elsewhere/sky.json": "{}",
        }.items():
            (root / rel).write_text(text)
        self.allowed: list[Path] = [self.out, root / "home", root / "tmp", root / "cache"]
        self.env: dict[str, Any] = {
            "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(root / "home"),
            "TMPDIR": str(root / "tmp"),
            "SKYASSET_CACHE": str(root / "cache"),
            "XDG_CACHE_HOME": str(root / "cache"),
            "TORCH_HOME": str(root / "cache" / "torch"),
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "SKYASSET_THREADS": "1",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "COLUMNS": "120",
        }
        self.user: int | None = None
        self.immutable: list[Path] = []

    def allow(self, *paths: Path) -> None:
        self.allowed.extend(paths)

    def read_only(self, path: Path) -> None:
        """Make a folder unwritable. Root ignores file modes, so as root it is made immutable (chattr +i)."""
        if os.geteuid() == 0 and shutil.which("chattr"):
            subprocess.run(["chattr", "+i", str(path)], check=True)
            self.immutable.append(path)
        else:
            os.chmod(path, 0o555)

    def release(self) -> None:
        for path in self.immutable:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        self.immutable.clear()


def snapshot(root: Path, allowed: list[Path]) -> dict[str, tuple[object, ...]]:
    """Every entry under ``root`` outside ``allowed``: type, mode, owner and content (symlinks not followed)."""
    skip = {os.path.abspath(p) for p in allowed}
    found: dict[str, tuple[object, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in skip]
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if path in skip:
                continue
            st = os.lstat(path)
            kind = stat.S_IFMT(st.st_mode)
            entry: tuple[object, ...] = (kind, stat.S_IMODE(st.st_mode), st.st_uid)
            if stat.S_ISLNK(st.st_mode):
                entry += (os.readlink(path),)
            elif stat.S_ISREG(st.st_mode):
                entry += (st.st_size, st.st_mtime_ns, st.st_ino)
                if st.st_size <= 1 << 20:
                    with open(path, "rb") as f:
                        entry += (hashlib.sha256(f.read()).hexdigest(),)
            found[os.path.relpath(path, root)] = entry
    return found


def diff(before: dict[str, tuple[object, ...]], after: dict[str, tuple[object, ...]]) -> list[str]:
    changes = [f"new {k}" for k in after.keys() - before.keys()]
    changes += [f"gone {k}" for k in before.keys() - after.keys()]
    changes += [f"changed {k}" for k in before.keys() & after.keys() if before[k] != after[k]]
    return sorted(changes)


def remove_tree(path: Path) -> None:
    def fix(func: Callable[..., Any], p: str, _: object) -> None:
        try:
            os.chmod(os.path.dirname(p), 0o755)
            func(p)
        except OSError:
            pass

    shutil.rmtree(path, onerror=fix)


# --- child processes ---------------------------------------------------------------------------------------------


@dataclass
class ProcResult:
    rc: int | None
    stdout: bytes
    stderr: bytes
    hung: bool = False
    memory: bool = False
    peak_rss: int = 0
    wall: float = 0.0


def _group_members(pgid: int) -> list[tuple[int, int]]:
    """(pid, rss bytes) of the processes in process group ``pgid`` (our own child's group)."""
    members = []
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        fields = raw[raw.rfind(b")") + 2 :].split()
        if int(fields[2]) == pgid and int(fields[3]) == pgid:  # pgrp and session: both ours (start_new_session)
            members.append((int(entry), int(fields[21]) * page))
    return members


def run_proc(
    argv: list[Any], env: dict[str, Any], cwd: Path, timeout: float, logs: Path, user: int | None = None
) -> ProcResult:
    """Run ``argv`` in its own session; kill its group past ``timeout`` or past the memory guard."""
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / "stdout", logs / "stderr"
    extra: dict[str, Any] = {"user": user, "group": user, "extra_groups": []} if user is not None else {}
    start = time.monotonic()
    hung = memory = False
    peak = 0
    with open(out_path, "wb") as fo, open(err_path, "wb") as fe:
        proc = subprocess.Popen(
            [os.fsencode(str(a)) if not isinstance(a, bytes) else a for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=fo,
            stderr=fe,
            env={os.fsencode(k): os.fsencode(v) if not isinstance(v, bytes) else v for k, v in env.items()},
            cwd=cwd,
            start_new_session=True,
            **extra,
        )
        last_poll = 0.0
        while True:
            try:
                proc.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if now - last_poll > 0.4:
                last_poll = now
                rss = sum(r for _, r in _group_members(proc.pid))
                peak = max(peak, rss)
                if rss > MEMORY_LIMIT:
                    memory = True
            if memory or now - start > timeout:
                hung = not memory
                os.killpg(proc.pid, signal.SIGKILL)  # the leader is not reaped yet: the group is still ours
                proc.wait()
                break
    for pid, _ in _group_members(proc.pid):  # e.g. a data loader worker left behind: ours, by its group
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return ProcResult(
        None if hung or memory else proc.returncode,
        out_path.read_bytes(),
        err_path.read_bytes(),
        hung=hung,
        memory=memory,
        peak_rss=peak,
        wall=time.monotonic() - start,
    )


# --- cases and their outcomes ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    tool: str
    name: str
    cls: str
    detail: str
    wall: float
    repro: str = ""
    kept: str = ""


Setup = Callable[[Sandbox], list[Any]]
Check = Callable[[Sandbox, ProcResult], str | None]


@dataclass
class Case:
    tool: str  # cli | studio | train
    name: str
    setup: Setup
    expect: str = "any"  # ok | error | any
    prog: str = "skyasset"
    json: bool = True  # a `skyasset ... --json` answer: exactly one JSON object on stdout
    timeout: float = CLI_TIMEOUT
    check: Check | None = None


CASES: list[Case] = []


def case(tool: str, name: str, expect: str = "any", **kw: Any) -> Callable[[Setup], Setup]:
    def deco(fn: Setup) -> Setup:
        CASES.append(Case(tool, name, fn, expect, **kw))
        return fn

    return deco


def add(tool: str, name: str, setup: Setup, expect: str = "any", **kw: Any) -> None:
    CASES.append(Case(tool, name, setup, expect, **kw))


_CODE_LINE = re.compile(rb"error \[([a-z_]+)\]")


def _parse_answer(c: Case, res: ProcResult) -> tuple[str, str]:
    """(class, detail) from a finished child's exit code and output; hang/memory/outside are decided before."""
    err_tail = res.stderr.decode(errors="replace").strip().splitlines()
    tail = err_tail[-1][:160] if err_tail else ""
    if c.json:
        text = res.stdout.decode("utf-8", errors="replace").strip()
        try:
            if not res.stdout.isascii() or "\n" in text:
                raise ValueError("not one ASCII line")
            answer = json.loads(text)
            if not isinstance(answer, dict):
                raise ValueError("not an object")
        except ValueError as why:
            if res.rc == 2 and b"Usage:" in res.stderr:
                return "named_error", f"usage error: {tail}"
            return "bad_answer", f"rc={res.rc}, stdout is {why}: {text[:160]!r} stderr: {tail}"
        if "error" in answer:
            code = str(answer["error"].get("code"))
            message = str(answer["error"].get("message", ""))[:200]
            if code == "internal_error":
                return "internal_error", message
            if code not in EXIT_CODES or EXIT_CODES[code] != res.rc:  # type: ignore[index]
                return "bad_answer", f"code {code} with exit {res.rc}: {message}"
            return "named_error", f"{code}: {message}"
        if res.rc == 0:
            return "ok", ""
        return "bad_answer", f"rc={res.rc} without an error object"
    if res.rc == 0:
        return "ok", ""
    found = _CODE_LINE.search(res.stderr)
    if found:
        code = found.group(1).decode()
        if code == "internal_error":
            return "internal_error", tail
        if code not in EXIT_CODES or EXIT_CODES[code] != res.rc:  # type: ignore[index]
            return "bad_answer", f"code {code} with exit {res.rc}: {tail}"
        return "named_error", f"{code}: {tail}"
    if res.rc == 2 and (b"Usage:" in res.stderr or b"Invalid value" in res.stderr):
        return "named_error", f"usage error: {tail}"
    if res.rc is not None and res.rc > 0 and res.stderr.startswith(b"error: "):
        return "named_error", tail
    return "bad_answer", f"rc={res.rc} without a named error: {tail}"


def _repro(argv: list[Any], env: dict[str, Any], sb: Sandbox) -> str:
    changed = {k: v for k, v in env.items() if k.startswith("SKYASSET_") and k not in ("SKYASSET_CACHE",)}
    changed = {k: v for k, v in changed.items() if not (k == "SKYASSET_THREADS" and v == "1")}
    shown = " ".join(f"{k}={_shell(v)}" for k, v in changed.items())
    cmd = " ".join(_shell(a) for a in argv)
    return (f"{shown} " if shown else "") + cmd


def _shell(value: Any) -> str:
    raw = value if isinstance(value, bytes) else os.fsencode(str(value))
    if re.fullmatch(rb"[A-Za-z0-9_./:=,+@%-]+", raw):
        return raw.decode()
    if raw.isascii() and b"'" not in raw and b"\n" not in raw:
        return f"'{raw.decode()}'"
    return "$'" + "".join(chr(b) if 32 <= b < 127 and b not in b"'\\" else f"\\x{b:02x}" for b in raw) + "'"


def run_case(c: Case, base: Path, index: int, keep: bool) -> Outcome:
    root = Path(tempfile.mkdtemp(prefix=f"{index:03d}-", dir=base / "cases"))
    sb = Sandbox(root)
    try:
        argv = c.setup(sb)
        prog = str(BIN / c.prog) if (BIN / c.prog).exists() else shutil.which(c.prog) or c.prog
        full = [prog, *argv]
        before = snapshot(root, sb.allowed)
        res = run_proc(full, sb.env, sb.cwd, c.timeout, base / "logs" / f"{index:03d}", sb.user)
        changes = diff(before, snapshot(root, sb.allowed))
        if res.hung and c.tool == "studio" and b'"url"' in res.stdout:
            cls, detail = "unexpected", "the studio started where a refusal was due"
        elif res.hung:
            cls, detail = "hang", f"no answer in {c.timeout:.0f} s"
        elif res.memory:
            cls, detail = "memory", f"process group passed {MEMORY_LIMIT >> 20} MiB RSS"
        elif changes:
            cls, detail = "wrote_outside", "; ".join(changes[:6])
        elif res.rc is not None and res.rc < 0:
            cls, detail = "crashed", f"killed by signal {-res.rc} ({signal.Signals(-res.rc).name})"
        elif b"Traceback" in res.stderr or b"Traceback" in res.stdout:
            lines = res.stderr.decode(errors="replace").strip().splitlines()
            cls, detail = "traceback", " | ".join(lines[-3:])[:300]
        else:
            cls, detail = _parse_answer(c, res)
            if cls == "ok" and c.expect == "error":
                cls, detail = "unexpected", "succeeded where a refusal was due"
            elif cls == "named_error" and c.expect == "ok":
                cls, detail = "unexpected", f"refused valid input: {detail}"
            if cls in ("ok", "named_error") and c.check is not None:
                problem = c.check(sb, res)
                if problem:
                    cls, detail = "unexpected", problem
        detail += f" [{res.wall:.1f} s, peak {res.peak_rss >> 20} MiB]"
        outcome = Outcome(c.tool, c.name, cls, detail, res.wall, repro=f"(cd {root}/cwd && {_repro(full, sb.env, sb)})")
    except Exception as exc:  # a bug of the probe itself: reported, never counted as the tool's
        outcome = Outcome(c.tool, c.name, "probe_error", f"{type(exc).__name__}: {exc}", 0.0)
    sb.release()
    outcome.detail = outcome.detail.replace("\n", "\\n")
    if keep and outcome.cls in (*FAILURES, "probe_error"):
        outcome.kept = str(root)
    else:
        remove_tree(root)
    return outcome


# --- file makers -------------------------------------------------------------------------------------------------


def put(path: Path, data: str | bytes) -> None:
    """Write ``data``; returns None, so that ``put(...) or argv`` reads as "make this, then run that"."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)


def png(path: Path, w: int = 64, h: int = 32, seed: int = 0, mode: str = "RGB") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    if mode == "I;16":
        Image.fromarray(rng.integers(0, 65535, (h, w), dtype=np.uint16)).save(path)
    else:
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(path)
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(path: Path, side: int = 30000) -> Path:
    """A 100-byte PNG whose header claims side x side pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )
    return path


def ztxt_png(path: Path, w: int = 64, h: int = 32) -> Path:
    """A valid PNG with a small zTXt chunk that inflates to 64 MiB."""
    png(path, w, h)
    raw = path.read_bytes()
    at = raw.index(b"IDAT") - 4
    path.write_bytes(raw[:at] + _chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * (64 << 20), 9)) + raw[at:])
    return path


def jpeg_claiming(path: Path, w: int = 16000, h: int = 8000) -> Path:
    """A real JPEG's first 2 KB with its SOF0 size rewritten: a header that promises far more than it holds."""
    buf = path.with_suffix(".tmp.jpg")
    png(buf.with_suffix(".png"), 256, 128)
    Image.open(buf.with_suffix(".png")).save(buf, "JPEG")
    raw = bytearray(buf.read_bytes())
    at = raw.index(b"\xff\xc0")
    raw[at + 5 : at + 9] = struct.pack(">HH", h, w)
    path.write_bytes(bytes(raw[:2048]))
    buf.unlink()
    buf.with_suffix(".png").unlink()
    return path


def write_exr(path: Path, channels: dict[str, np.ndarray]) -> Path | None:
    try:
        import OpenEXR
    except ImportError:
        return None
    header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    with OpenEXR.File(header, channels) as exr:
        exr.write(str(path))
    return path


def copy_bundle(sb: Sandbox, source: Path = TINY, name: str = "bundle") -> Path:
    target = sb.inp / name
    shutil.copytree(source, target)
    return target


def edit_meta(bundle: Path, fn: Callable[[dict[str, Any]], Any]) -> None:
    path = bundle / "skyasset-bundle.json"
    meta = json.loads(path.read_text())
    fn(meta)
    path.write_text(json.dumps(meta))


def looping_link(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(path.name, path)  # points at itself
    return path


def plain_pickle(obj: object) -> bytes:
    return pickle.dumps(obj, protocol=2)


class _RunsCode:
    """Unpickling this would run a shell command: the payload that must never execute."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def code_pickle(marker: Path) -> bytes:
    return pickle.dumps({"G_ema": _RunsCode(marker), "meta": "{}"}, protocol=2)


def exponential_pickle(depth: int = 40) -> bytes:
    level: list[object] = []
    for _ in range(depth):
        level = [level, level]
    return pickle.dumps({"G": None, "extra": level}, protocol=2)


def zip_of(path: Path, members: dict[str, bytes], meta: object = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if meta is not None:
            zf.writestr("dataset.json", meta if isinstance(meta, bytes) else json.dumps(meta))
    return path


def png_bytes(w: int = 32, h: int = 32, seed: int = 0) -> bytes:
    import io

    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def photo_folder(root: Path, classes: tuple[str, ...] = ("Cu", "St"), n: int = 3) -> Path:
    for ci, c in enumerate(classes):
        for i in range(n):
            png(root / c / f"{i}.png", 48, 40, seed=ci * 100 + i)
    return root


# --- CLI cases ---------------------------------------------------------------------------------------------------


def gen(sb: Sandbox, *extra: Any, out: Any = None, model: Any = TINY) -> list[Any]:
    base = ["generate", "--model", model, "--cloud", "Cu", "--seed", "1", "--size", "128", "--json"]
    return [*base, "-o", out if out is not None else sb.out / "sky.png", *extra]


def conv(sb: Sandbox, inp: Any, *extra: Any) -> list[Any]:
    return ["convert", inp, "-o", sb.out / "sky.png", "--json", *extra]


def info(bundle: Any) -> list[Any]:
    return ["model", "info", "--model", bundle, "--json"]


def _no_file_named(*rels: str) -> Check:
    def check(sb: Sandbox, _: ProcResult) -> str | None:
        present = [r for r in rels if os.path.lexists(sb.root / r)]
        return f"exists: {present}" if present else None

    return check


def _answer_is_finite(sb: Sandbox, res: ProcResult) -> str | None:
    if res.rc != 0:
        return None
    for path in sb.out.glob("*.png"):
        with Image.open(path) as im:
            if np.asarray(im).std() < 0.5:
                return f"{path.name} is one flat colour (a header promised more than the file held)"
    return None


def cli_cases() -> None:
    t = "cli"
    # valid input: must succeed
    add(t, "generate tiny equirect", lambda sb: gen(sb), "ok")
    add(t, "generate faces + hdr", lambda sb: gen(sb, "--layout", "faces", "--hdr"), "ok")
    add(t, "generate flat", lambda sb: gen(sb, "--layout", "flat"), "ok")
    add(t, "generate default model (native)", lambda sb: gen(sb, "--size", "256", model=DEFAULT_BUNDLE), "ok")
    # bad arguments
    for flag, value in [
        ("--seed", "-1"),
        ("--seed", "2147483648"),
        ("--seed", "99999999999999999999999999"),
        ("--psi", "nan"),
        ("--psi", "inf"),
        ("--psi", "-1e308"),
        ("--size", "0"),
        ("--size", "17"),
        ("--size", "-128"),
        ("--size", "1000000000"),
        ("--mix", "Cu:nan"),
        ("--mix", "Cu"),
        ("--mix", ":0.3"),
        ("--mix", "St:0.3,Cu:inf"),
        ("--cloud", "../../x"),
        ("--cloud", "Cu\nSt"),
        ("--cloud", b"C\xffu"),
        ("--cloud", ""),
        ("--layout", "../faces"),
        ("--method", "native;rm"),
        ("--upscale", "fastest"),
    ]:
        shown = value.decode(errors="backslashreplace") if isinstance(value, bytes) else value
        expect = "any" if (flag, value) == ("--mix", "Cu") else "error"  # a weight-less mix has a default weight
        add(t, f"generate {flag} {shown!r}", lambda sb, f=flag, v=value: gen(sb, f, v), expect)

    # odd output paths
    add(t, "-o is an existing directory", lambda sb: (sb.out / "d.png").mkdir() or gen(sb, out=sb.out / "d.png"))
    add(t, "-o name with a newline", lambda sb: gen(sb, out=sb.out / "sky\nnew.png"))
    add(t, "-o non-UTF-8 name", lambda sb: gen(sb, out=os.fsencode(sb.out) + b"/sk\xffy.png"))
    add(t, "-o 300-char name", lambda sb: gen(sb, out=sb.out / ("s" * 300 + ".png")), "error")
    add(t, "-o path of 5000 chars", lambda sb: gen(sb, out=sb.out / "/".join(["d" * 200] * 25) / "s.png"), "error")
    add(
        t,
        "-o parent is a file",
        lambda sb: put(sb.out / "f", "x") or gen(sb, out=sb.out / "f" / "sky.png"),
        "error",
    )
    add(t, "-o parent is a symlink loop", lambda sb: gen(sb, out=looping_link(sb.out / "loop") / "sky.png"), "error")

    def dangling_parent(sb: Sandbox) -> list[Any]:
        # The path the user typed goes through their own link: its target is the folder they named (noted, allowed).
        os.symlink(sb.root / "elsewhere" / "nothere", sb.out / "dang")
        sb.allow(sb.root / "elsewhere" / "nothere")
        return gen(sb, out=sb.out / "dang" / "sky.png")

    add(t, "-o parent is a dangling symlink (user's own link)", dangling_parent)

    def link_to_secret(sb: Sandbox) -> list[Any]:
        os.symlink(sb.root / "elsewhere" / "secret.txt", sb.out / "sky.png")
        return gen(sb, "--force")

    add(t, "--force over a symlink to a file elsewhere", link_to_secret)

    def dangling_output(sb: Sandbox) -> list[Any]:
        os.symlink(sb.root / "elsewhere" / "created.png", sb.out / "sky.png")
        return gen(sb, "--force")

    add(t, "--force over a dangling symlink", dangling_output, check=_no_file_named("elsewhere/created.png"))

    def dangling_no_force(sb: Sandbox) -> list[Any]:
        os.symlink(sb.root / "elsewhere" / "created.png", sb.out / "sky.png")
        return gen(sb)

    add(t, "dangling symlink at output, no --force", dangling_no_force, "error")

    def sidecar_link(sb: Sandbox) -> list[Any]:
        os.symlink(sb.root / "a" / "sky.json", sb.out / "sky.json")
        return gen(sb, "--force")

    add(t, "--force, sidecar name links outside", sidecar_link)

    def face_link(sb: Sandbox) -> list[Any]:
        os.symlink(sb.root / "victim.txt", sb.out / "sky_up.png")
        return gen(sb, "--force", "--layout", "faces", "--hdr")

    add(t, "--force, a face name links outside", face_link)

    def fifo_output(sb: Sandbox) -> list[Any]:
        os.mkfifo(sb.out / "sky.png")
        return gen(sb, "--force")

    add(t, "--force over a FIFO at the output name", fifo_output)
    add(t, "FIFO at the output name, no --force", lambda sb: os.mkfifo(sb.out / "sky.png") or gen(sb), "error")

    def read_only(sb: Sandbox) -> list[Any]:
        sb.read_only(sb.out)
        return gen(sb)

    add(t, "read-only output folder", read_only, "error")

    def read_only_existing(sb: Sandbox) -> list[Any]:
        put(sb.out / "sky.png", "old")
        sb.read_only(sb.out)
        return gen(sb, "--force")

    add(t, "read-only folder, --force over an old file", read_only_existing, "error")
    add(t, "-o under /proc (cannot create)", lambda sb: gen(sb, out="/proc/self/fdinfo/sky.png"), "error")

    # planted staging folders (.commit.json) in the output folder: a real run must move nothing from/to outside
    stage_name = ".skyasset-stage-planted.skyasset-tmp"

    def plant(names: object, files: dict[str, str] | None = None, mode: int = 0o700) -> Setup:
        def setup(sb: Sandbox) -> list[Any]:
            stage = sb.out / stage_name
            stage.mkdir(mode=mode)
            os.chmod(stage, mode)
            for name, text in (files or {}).items():
                (stage / name).parent.mkdir(parents=True, exist_ok=True)
                (stage / name).write_text(text)
            journal = names if isinstance(names, bytes) else json.dumps({"names": names}).encode()
            (stage / ".commit.json").write_bytes(journal)
            return gen(sb, "--force")

        return setup

    add(t, "journal: ../../victim.txt", plant(["../../victim.txt"]), "ok")
    add(t, "journal: ../sky.png with a staged sky.png", plant(["../sky.png", "sky.png"], {"sky.png": "evil"}), "ok")

    def absolute(sb: Sandbox) -> list[Any]:
        return plant([str(sb.root / "victim.txt"), "sky.png"], {"sky.png": "staged"})(sb)

    add(t, "journal: absolute name", absolute, "ok")

    def through_link(sb: Sandbox) -> list[Any]:
        os.symlink(sb.root / "elsewhere", sb.out / "link", target_is_directory=True)
        return plant(["link/secret.txt", "link/sky.png"], {"link/secret.txt": "evil", "link/sky.png": "e"})(sb)

    add(t, "journal: names through a symlinked folder", through_link, "ok")

    def stage_is_link(sb: Sandbox) -> list[Any]:
        put(sb.root / "elsewhere" / ".commit.json", json.dumps({"names": ["secret.txt", "sky.png"]}))
        os.symlink(sb.root / "elsewhere", sb.out / stage_name, target_is_directory=True)
        return gen(sb, "--force")

    add(t, "staging folder is a symlink elsewhere", stage_is_link, "ok")

    def journal_link(sb: Sandbox) -> list[Any]:
        args = plant([], {"sky.png": "staged"})(sb)
        put(sb.root / "evil.json", json.dumps({"names": ["../../victim.txt"]}))
        (sb.out / stage_name / ".commit.json").unlink()
        os.symlink(sb.root / "evil.json", sb.out / stage_name / ".commit.json")
        return args

    add(t, "journal is a symlink", journal_link, "ok")

    def entry_link(sb: Sandbox) -> list[Any]:
        args = plant(["sky.json"])(sb)
        os.symlink(sb.root / "elsewhere" / "secret.txt", sb.out / stage_name / "sky.json")
        return args

    add(t, "journal entry is a symlink to a secret", entry_link, "ok")
    add(t, "group-writable staging folder", plant(["sky.png"], {"sky.png": "staged"}, 0o777), "ok")

    def fifo_journal(sb: Sandbox) -> list[Any]:
        args = plant([], {"sky.png": "staged"})(sb)
        (sb.out / stage_name / ".commit.json").unlink()
        os.mkfifo(sb.out / stage_name / ".commit.json")
        return args

    add(t, "journal is a FIFO", fifo_journal, "ok")
    add(t, "journal: '.', '..', NUL names", plant(["sky.png", ".", "..", "a\0b", ""], {"sky.png": "s"}), "ok")
    add(t, "journal: 12 MB of names", plant(["x" * 200] * 60000), "ok")
    add(t, "journal: nested 100k deep", plant(b'{"names": ' + b"[" * 100_000), "ok")
    add(t, "journal: not UTF-8", plant(b'{"names": ["\xff\xfe"]}'), "ok")
    add(t, "journal: names not a list", plant(b'{"names": {"../victim.txt": 1}}'), "ok")
    add(t, "journal: our own journal/stage names", plant([".commit.json", stage_name, ".skyasset-lock"]), "ok")

    def stranger_stage(sb: Sandbox) -> list[Any]:
        args = plant(["sky.png"], {"sky.png": "staged"})(sb)
        if os.geteuid() == 0:
            for p in (sb.out / stage_name, sb.out / stage_name / "sky.png", sb.out / stage_name / ".commit.json"):
                os.chown(p, 65534, 65534)  # nobody
        return args

    add(t, "another user's staging folder", stranger_stage, "ok")

    def hardlink_entry(sb: Sandbox) -> list[Any]:
        args = plant(["sky.json"])(sb)
        os.link(sb.root / "elsewhere" / "secret.txt", sb.out / stage_name / "sky.json")
        return args

    add(t, "journal entry hard-linked to a secret", hardlink_entry, "ok")

    # environment variables
    for var, value in [
        ("SKYASSET_THREADS", "abc"),
        ("SKYASSET_THREADS", "-1"),
        ("SKYASSET_THREADS", "\u0663"),
        ("SKYASSET_THREADS", "99999"),
        ("SKYASSET_THREADS", "1e3"),
        ("SKYASSET_THREADS", b"\xff"),
        ("SKYASSET_MAX_PIXELS", "abc"),
        ("SKYASSET_MAX_PIXELS", "-5"),
        ("SKYASSET_MAX_PIXELS", "0"),
        ("SKYASSET_MAX_PIXELS", "10"),
        ("SKYASSET_MAX_PIXELS", "9" * 40),
        ("SKYASSET_MAX_PIXELS", "1e9"),
        ("SKYASSET_PROVIDERS", "BogusExecutionProvider"),
        ("SKYASSET_PROVIDERS", ",,,"),
    ]:
        shown = value.decode(errors="backslashreplace") if isinstance(value, bytes) else value

        def env_case(sb: Sandbox, var: str = var, value: Any = value) -> list[Any]:
            sb.env[var] = value
            return gen(sb)

        # a 40-digit pixel limit is a (huge) valid number; an empty provider list means the default
        expect = "any" if value in ("9" * 40, ",,,") else "error"
        add(t, f"{var}={shown!r}", env_case, expect)

    for label, value_fn in [
        ("~nouser/x", lambda sb: "~nouser/x"),
        ("5000 chars", lambda sb: "m" * 5000),
        ("/dev/zero", lambda sb: "/dev/zero"),
        ("a FIFO", lambda sb: os.mkfifo(sb.inp / "f") or sb.inp / "f"),
        ("a plain file", lambda sb: put(sb.inp / "f", "x") or sb.inp / "f"),
        ("a symlink loop", lambda sb: looping_link(sb.inp / "loop")),
        ("non-UTF-8 path", lambda sb: os.fsencode(sb.inp) + b"/\xff\xfe"),
        ("relative ../../../etc", lambda sb: "../../../etc"),
    ]:

        def model_env(sb: Sandbox, value_fn: Callable[[Sandbox], Any] = value_fn) -> list[Any]:
            sb.env["SKYASSET_MODEL"] = value_fn(sb)
            args = gen(sb)
            i = args.index("--model")
            return args[:i] + args[i + 2 :]

        add(t, f"SKYASSET_MODEL {label}", model_env, "error")

    # convert: odd inputs
    add(t, "convert valid equirect", lambda sb: conv(sb, png(sb.inp / "pano.png", 128, 64)), "ok")
    add(t, "convert valid 16-bit equirect", lambda sb: conv(sb, png(sb.inp / "p.png", 128, 64, mode="I;16")), "ok")
    add(
        t,
        "convert valid photo, faces",
        lambda sb: conv(sb, png(sb.inp / "ph.png", 96, 64), "--input-kind", "photo", "--to", "faces", "--size", "256"),
        "ok",
    )
    add(t, "convert FIFO input", lambda sb: os.mkfifo(sb.inp / "in.png") or conv(sb, sb.inp / "in.png"), "error")
    add(
        t,
        "convert FIFO as --input-kind photo",
        lambda sb: os.mkfifo(sb.inp / "in.jpg") or conv(sb, sb.inp / "in.jpg", "--input-kind", "photo"),
        "error",
    )
    add(t, "convert /dev/zero", lambda sb: conv(sb, "/dev/zero"), "error")
    add(t, "convert /dev/urandom as photo", lambda sb: conv(sb, "/dev/urandom", "--input-kind", "photo"), "error")
    add(
        t,
        "convert symlink to /dev/zero named .png",
        lambda sb: os.symlink("/dev/zero", sb.inp / "z.png") or conv(sb, sb.inp / "z.png"),
        "error",
    )
    add(t, "convert symlink loop", lambda sb: conv(sb, looping_link(sb.inp / "loop.png")), "error")
    add(
        t,
        "convert dangling symlink",
        lambda sb: os.symlink(sb.inp / "nope.png", sb.inp / "d.png") or conv(sb, sb.inp / "d.png"),
        "error",
    )
    add(t, "convert missing file", lambda sb: conv(sb, sb.inp / "nope.png"), "error")
    add(t, "convert empty folder", lambda sb: conv(sb, sb.inp), "error")

    def photos_with_fifo(sb: Sandbox) -> list[Any]:
        for i in range(3):
            png(sb.inp / "ph" / f"{i}.png", 64, 48, i)
        os.mkfifo(sb.inp / "ph" / "3.png")
        return conv(sb, sb.inp / "ph", "--input-kind", "photos", "--method", "ring")

    add(t, "convert photo folder with a FIFO", photos_with_fifo, "error")

    def faces_with_loop(sb: Sandbox) -> list[Any]:
        for f in ("front", "back", "left", "right", "up"):
            png(sb.inp / "faces" / f"sky_{f}.png", 32, 32)
        looping_link(sb.inp / "faces" / "sky_down.png")
        return conv(sb, sb.inp / "faces", "--input-kind", "faces")

    add(t, "convert faces folder with a looping face", faces_with_loop, "error")
    add(
        t,
        "convert folder as --input-kind equirect",
        lambda sb: png(sb.inp / "x" / "a.png") and conv(sb, sb.inp / "x", "--input-kind", "equirect"),
        "error",
    )
    add(
        t,
        "convert zero-byte .png",
        lambda sb: put(sb.inp / "e.png", b"") or conv(sb, sb.inp / "e.png"),
        "error",
    )
    add(
        t,
        "convert text named .png",
        lambda sb: put(sb.inp / "t.png", "hello") or conv(sb, sb.inp / "t.png"),
        "error",
    )

    def truncated(sb: Sandbox) -> list[Any]:
        p = png(sb.inp / "tr.png", 256, 128)
        p.write_bytes(p.read_bytes()[:400])
        return conv(sb, p)

    add(t, "convert truncated PNG", truncated, "error")
    add(t, "convert PNG bomb header 30000^2", lambda sb: conv(sb, bomb_png(sb.inp / "b.png")), "error")
    add(t, "convert PNG with a 64 MiB zTXt", lambda sb: conv(sb, ztxt_png(sb.inp / "z.png", 128, 64)))
    add(
        t,
        "convert JPEG header 16000x8000, 2 KB",
        lambda sb: conv(sb, jpeg_claiming(sb.inp / "j.jpg")),
        "error",
        check=_answer_is_finite,
    )
    add(
        t,
        "convert 1x1 equirect",
        lambda sb: conv(sb, png(sb.inp / "one.png", 1, 1), "--input-kind", "equirect"),
        "error",
    )
    add(t, "convert 2x1 auto", lambda sb: conv(sb, png(sb.inp / "two.png", 2, 1)), "error")

    def int32_tiff(sb: Sandbox) -> list[Any]:
        Image.fromarray(np.full((64, 128), 70000, np.int32), mode="I").save(sb.inp / "deep.tif")
        return conv(sb, sb.inp / "deep.tif")

    add(t, "convert int32 TIFF", int32_tiff, "error")

    def nan_tiff(sb: Sandbox) -> list[Any]:
        Image.fromarray(np.full((64, 128), np.nan, np.float32), mode="F").save(sb.inp / "nan.tif")
        return conv(sb, sb.inp / "nan.tif", "--hdr")

    add(t, "convert all-NaN float TIFF", nan_tiff, "error")

    def exr_case(builder: Callable[[Path], dict[str, np.ndarray]], name: str) -> Setup:
        def setup(sb: Sandbox) -> list[Any]:
            path = write_exr(sb.inp / f"{name}.exr", builder(sb.inp))
            if path is None:  # no OpenEXR module: a damaged .exr instead, still hostile
                path = sb.inp / f"{name}.exr"
                path.write_bytes(b"v/1\x01" + b"\0" * 64)
            return conv(sb, path, "--hdr")

        return setup

    def many_channels(_: Path) -> dict[str, np.ndarray]:
        ch = {n: np.ones((64, 128), np.float16) for n in "RGB"}
        return ch | {f"aov{i}": np.zeros((64, 128), np.float32) for i in range(100)}

    add(t, "convert EXR of 103 channels", exr_case(many_channels, "many"), "error")
    add(
        t, "convert all-NaN EXR", exr_case(lambda _: {"RGB": np.full((64, 128, 3), np.nan, np.float32)}, "nan"), "error"
    )
    add(
        t,
        "convert EXR with +inf and NaN",
        exr_case(
            lambda _: {
                "RGB": np.where(np.eye(64, 128)[..., None] > 0, np.inf, 0.5).astype(np.float32) * np.ones(3, np.float32)
            },
            "inf",
        ),
        "ok",
    )
    add(t, "convert EXR without R,G,B", exr_case(lambda _: {"Y": np.ones((64, 128), np.float32)}, "y"), "error")

    def radiance_bomb(sb: Sandbox) -> list[Any]:
        p = sb.inp / "big.hdr"
        p.write_bytes(b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2000000 +X 4000000\n" + b"\x02\x02\x00\x10" * 8)
        return conv(sb, p)

    add(t, "convert Radiance header 4e6 x 2e6", radiance_bomb, "error")

    def sparse_huge(sb: Sandbox) -> list[Any]:
        p = png(sb.inp / "huge.png", 128, 64)
        with open(p, "r+b") as f:
            f.truncate(8 << 30)  # a sparse 8 GiB file, a valid image at its start
        return conv(sb, p)

    add(t, "convert sparse 8 GiB file (PNG head)", sparse_huge)
    add(t, "convert input name with a newline", lambda sb: conv(sb, png(sb.inp / "pa\nno.png", 128, 64)), "ok")
    add(
        t,
        "convert non-UTF-8 input name",
        lambda sb: (
            png(Path(os.fsdecode(os.fsencode(sb.inp) + b"/p\xffn.png")), 128, 64)
            and conv(sb, os.fsencode(sb.inp) + b"/p\xffn.png")
        ),
        "ok",
    )
    add(t, "convert --size -1", lambda sb: conv(sb, png(sb.inp / "p.png", 128, 64), "--size", "-1"), "error")
    add(t, "convert --size 10^9", lambda sb: conv(sb, png(sb.inp / "p.png", 128, 64), "--size", "1000000000"), "error")
    add(t, "convert --bit-depth 7", lambda sb: conv(sb, png(sb.inp / "p.png", 128, 64), "--bit-depth", "7"), "error")
    add(
        t,
        "convert cross-h of wrong aspect",
        lambda sb: conv(sb, png(sb.inp / "c.png", 100, 77), "--input-kind", "cross-h"),
        "error",
    )
    add(
        t,
        "convert -o same file as input",
        lambda sb: ["convert", png(sb.out / "sky.png", 128, 64), "-o", sb.out / "sky.png", "--json", "--force"],
    )

    # names that are not UTF-8 (legal on Linux) reaching every reader and writer
    def odd(sb: Sandbox, *parts: bytes) -> bytes:
        return os.fsencode(sb.inp) + b"/" + b"/".join(parts)

    def odd_path(sb: Sandbox, *parts: bytes) -> Path:
        return Path(os.fsdecode(odd(sb, *parts)))

    add(
        t,
        "convert -o non-UTF-8 name",
        lambda sb: ["convert", png(sb.inp / "p.png", 128, 64), "-o", os.fsencode(sb.out) + b"/s\xffy.png", "--json"],
        "ok",
    )
    add(
        t,
        "convert --hdr -o non-UTF-8 name",
        lambda sb: [
            "convert",
            png(sb.inp / "p.png", 128, 64),
            "-o",
            os.fsencode(sb.out) + b"/s\xffy.png",
            "--hdr",
            "--json",
        ],
        "ok",
    )
    add(
        t,
        "generate --hdr faces -o non-UTF-8 folder",
        lambda sb: gen(sb, "--hdr", "--layout", "faces", out=os.fsencode(sb.out) + b"/d\xe9/sky.png"),
        "ok",
    )
    add(
        t,
        "convert photo in a non-UTF-8 folder",
        lambda sb: (
            png(odd_path(sb, b"d\xff", b"p.png"), 96, 64)
            and conv(sb, odd(sb, b"d\xff", b"p.png"), "--input-kind", "photo")
        ),
        "ok",
    )
    add(
        t,
        "convert photos folder with a non-UTF-8 photo",
        lambda sb: (
            [png(sb.inp / "ph" / f"{i}.png", 64, 48, i) for i in range(3)]
            and png(odd_path(sb, b"ph", b"\xfe.png"), 64, 48, 9)
            and conv(sb, sb.inp / "ph", "--input-kind", "photos", "--method", "ring")
        ),
        "ok",
    )
    add(
        t,
        "convert faces in a non-UTF-8 folder",
        lambda sb: (
            [
                png(odd_path(sb, b"f\xff", f"sky_{f}.png".encode()), 32, 32, i)
                for i, f in enumerate(("front", "back", "left", "right", "up", "down"))
            ]
            and conv(sb, odd(sb, b"f\xff"), "--input-kind", "faces")
        ),
        "ok",
    )

    def odd_hdr(sb: Sandbox) -> list[Any]:
        plain = sb.inp / "h.exr"
        if write_exr(plain, {"RGB": np.full((64, 128, 3), 0.5, np.float32)}) is None:
            png(plain.with_suffix(".png"), 128, 64)
            os.rename(plain.with_suffix(".png"), odd(sb, b"h\xff.png"))
            return conv(sb, odd(sb, b"h\xff.png"))
        os.rename(plain, odd(sb, b"h\xff.exr"))  # OpenEXR itself takes only str paths
        return conv(sb, odd(sb, b"h\xff.exr"), "--hdr")

    add(t, "convert EXR with a non-UTF-8 name", odd_hdr, "ok")

    def odd_bundle(sb: Sandbox) -> list[Any]:
        shutil.copytree(TINY, odd_path(sb, b"b\xff"))
        return info(odd(sb, b"b\xff"))

    add(t, "model info, bundle in a non-UTF-8 folder", odd_bundle, "ok")

    def odd_bundle_generate(sb: Sandbox) -> list[Any]:
        shutil.copytree(TINY, odd_path(sb, b"b\xff"))
        return gen(sb, model=odd(sb, b"b\xff"))

    add(t, "generate, bundle in a non-UTF-8 folder", odd_bundle_generate, "ok")
    add(
        t,
        "bench model -o non-UTF-8 name",
        lambda sb: [
            "bench",
            "model",
            TINY,
            "--seeds",
            "8",
            "--repeats",
            "1",
            "-o",
            os.fsencode(sb.out) + b"/r\xff.json",
            "--json",
        ],
        "ok",
    )
    add(t, "convert non-UTF-8 name that does not exist", lambda sb: conv(sb, odd(sb, b"gone\xff.png")), "error")

    # classes / model info / bench
    add(t, "classes --model missing", lambda sb: ["classes", "--model", sb.inp / "none", "--json"], "error")
    add(
        t,
        "classes --model a FIFO",
        lambda sb: os.mkfifo(sb.inp / "f") or ["classes", "--model", sb.inp / "f", "--json"],
        "error",
    )
    add(t, "classes --model /dev/zero", lambda sb: ["classes", "--model", "/dev/zero", "--json"], "error")
    add(t, "model info tiny", lambda sb: info(TINY), "ok")

    def tampered(mutate: Callable[[Path, Sandbox], Any], source: Path = TINY) -> Setup:
        def setup(sb: Sandbox) -> list[Any]:
            bundle = copy_bundle(sb, source)
            mutate(bundle, sb)
            return info(bundle)

        return setup

    def truncate(name: str, keep: int = 1000) -> Callable[[Path, Sandbox], Any]:
        return lambda b, _: (b / name).write_bytes((b / name).read_bytes()[:keep])

    bundle_cases: list[tuple[str, Callable[[Path, Sandbox], Any], Path]] = [
        ("truncated synthesis.onnx", truncate("synthesis.onnx"), TINY),
        ("wrong sha256", lambda b, _: edit_meta(b, lambda m: m["graphs"]["mapping"].update(sha256="0" * 64)), TINY),
        ("metadata not JSON", lambda b, _: (b / "skyasset-bundle.json").write_text("{nope"), TINY),
        ("metadata 60 MB", lambda b, _: edit_meta(b, lambda m: m.update(pad="x" * 60_000_000)), TINY),
        ("metadata nested 100k deep", lambda b, _: (b / "skyasset-bundle.json").write_bytes(b'{"a":' * 100_000), TINY),
        (
            "metadata a FIFO",
            lambda b, _: (b / "skyasset-bundle.json").unlink() or os.mkfifo(b / "skyasset-bundle.json"),
            TINY,
        ),
        ("c_dim 0", lambda b, _: edit_meta(b, lambda m: m.update(c_dim=0)), TINY),
        ("c_dim -1", lambda b, _: edit_meta(b, lambda m: m.update(c_dim=-1)), TINY),
        ("class code ../../x", lambda b, _: edit_meta(b, lambda m: m["classes"][0].update(code="../../x")), TINY),
        ("no classes", lambda b, _: edit_meta(b, lambda m: m.update(classes=[])), TINY),
        (
            "graph file ../../elsewhere",
            lambda b, s: edit_meta(b, lambda m: m["graphs"]["mapping"].update(file="../../elsewhere/secret.txt")),
            TINY,
        ),
        (
            "graph file absolute /dev/zero",
            lambda b, _: edit_meta(b, lambda m: m["graphs"]["mapping"].update(file="/dev/zero")),
            TINY,
        ),
        (
            "graph is a symlink to /dev/zero",
            lambda b, _: (b / "mapping.onnx").unlink() or os.symlink("/dev/zero", b / "mapping.onnx"),
            TINY,
        ),
        ("graph is a FIFO", lambda b, _: (b / "synthesis.onnx").unlink() or os.mkfifo(b / "synthesis.onnx"), TINY),
        ("graph missing", lambda b, _: (b / "synthesis.onnx").unlink(), TINY),
        ("resolution 10^9", lambda b, _: edit_meta(b, lambda m: m.update(resolution=10**9)), TINY),
        ("w_avg NaN", lambda b, _: edit_meta(b, lambda m: m.update(w_avg=[float("nan")] * len(m["w_avg"]))), TINY),
        ("schema_version 99", lambda b, _: edit_meta(b, lambda m: m.update(schema_version=99)), TINY),
        ("default: truncated canvas.onnx", truncate("canvas.onnx", 4096), DEFAULT_BUNDLE),
        (
            "default: wrong synthesis sha256",
            lambda b, _: edit_meta(b, lambda m: m["graphs"]["synthesis"].update(sha256="f" * 64)),
            DEFAULT_BUNDLE,
        ),
        ("default: 1 byte flipped in mapping", lambda b, _: _flip(b / "mapping.onnx"), DEFAULT_BUNDLE),
    ]
    for label, mutate, source in bundle_cases:
        # a class code is never a path in the CLI: accepting it is fine, writing through it is not (the snapshot)
        add(t, f"model info, bundle {label}", tampered(mutate, source), "any" if "../../x" in label else "error")

    def generate_dotdot_class(sb: Sandbox) -> list[Any]:
        bundle = copy_bundle(sb)
        edit_meta(bundle, lambda m: m["classes"][0].update(code="../../x"))
        args = gen(sb, model=bundle)
        args[args.index("Cu")] = "../../x"
        return args

    add(t, "generate with a bundle class ../../x", generate_dotdot_class)
    add(t, "bench model --seeds 0", lambda sb: ["bench", "model", TINY, "--seeds", "0", "--json"], "error")
    add(t, "bench model --repeats -1", lambda sb: ["bench", "model", TINY, "--repeats", "-1", "--json"], "error")
    add(t, "bench model --threads -5", lambda sb: ["bench", "model", TINY, "--threads", "-5", "--json"], "error")
    add(t, "bench model missing bundle", lambda sb: ["bench", "model", sb.inp / "none", "--json"], "error")
    add(
        t,
        "bench model tiny (valid)",
        lambda sb: ["bench", "model", TINY, "--seeds", "8", "--repeats", "1", "--json", "-o", sb.out / "r.json"],
        "ok",
    )
    add(
        t,
        "bench model --fid-report FIFO",
        lambda sb: (
            os.mkfifo(sb.inp / "fid.json") or ["bench", "model", TINY, "--fid-report", sb.inp / "fid.json", "--json"]
        ),
        "error",
    )
    add(
        t,
        "bench model --fid-report nested deep",
        lambda sb: (
            put(sb.inp / "fid.json", "[" * 100_000)
            or ["bench", "model", TINY, "--fid-report", sb.inp / "fid.json", "--json"]
        ),
        "error",
    )
    add(
        t,
        "bench model -o into a file's folder",
        lambda sb: (
            put(sb.out / "f", "x")
            or ["bench", "model", TINY, "--seeds", "8", "--repeats", "1", "-o", sb.out / "f" / "r.json", "--json"]
        ),
        "error",
    )
    add(t, "bench skybox --seeds 0", lambda sb: ["bench", "skybox", "-m", TINY, "--seeds", "0", "--json"], "error")
    add(t, "bench skybox --width 0", lambda sb: ["bench", "skybox", "-m", TINY, "--width", "0", "--json"], "error")
    add(
        t,
        "bench skybox --classes ../x",
        lambda sb: ["bench", "skybox", "-m", TINY, "--classes", "../x", "--json"],
        "error",
    )
    add(
        t,
        "bench skybox --ccsn a FIFO",
        lambda sb: os.mkfifo(sb.inp / "c") or ["bench", "skybox", "--ccsn", sb.inp / "c", "--json"],
        "error",
    )
    add(
        t,
        "bench skybox tiny (valid)",
        lambda sb: [
            "bench",
            "skybox",
            "-m",
            TINY,
            "--classes",
            "Cu",
            "--seeds",
            "1",
            "--width",
            "128",
            "--face-size",
            "32",
            "-o",
            sb.out / "r.json",
            "--json",
        ],
        "ok",
    )
    add(
        t,
        "bench skybox --sheet a dangling link",
        lambda sb: (
            os.symlink(sb.root / "elsewhere" / "sheet.png", sb.out / "s.png")
            or [
                "bench",
                "skybox",
                "-m",
                TINY,
                "--classes",
                "Cu",
                "--seeds",
                "1",
                "--width",
                "128",
                "--face-size",
                "32",
                "--sheet",
                sb.out / "s.png",
                "--force",
                "--json",
            ]
        ),
        check=_no_file_named("elsewhere/sheet.png"),
    )
    add(t, "unknown command", lambda sb: ["frobnicate", "--json"], "error")
    add(t, "generate -o missing its value", lambda sb: ["generate", "--json", "-o"], "error")


def _flip(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


# --- skyasset studio flags (processes) ---------------------------------------------------------------------------


def studio_flag_cases() -> None:
    t = "studio"
    base = ["studio", "--no-open", "--json", "--model", TINY]
    add(t, "studio --port 70000", lambda sb: [*base, "--port", "70000"], "error", timeout=60)
    add(t, "studio --port -1", lambda sb: [*base, "--port", "-1"], "error", timeout=60)
    add(
        t,
        "studio --host 0.0.0.0 without --allow-remote",
        lambda sb: [*base, "--host", "0.0.0.0", "--port", "0"],
        "error",
        timeout=60,
    )
    add(
        t,
        "studio --host evil.example",
        lambda sb: [*base, "--host", "evil.example", "--port", "0"],
        "error",
        timeout=60,
    )
    add(
        t,
        "studio --model missing",
        lambda sb: ["studio", "--no-open", "--json", "--port", "0", "--model", sb.inp / "x"],
        "error",
        timeout=60,
    )
    add(
        t,
        "studio --model a FIFO",
        lambda sb: os.mkfifo(sb.inp / "f") or ["studio", "--no-open", "--json", "--port", "0", "--model", sb.inp / "f"],
        "error",
        timeout=60,
    )

    def port_in_use(sb: Sandbox) -> list[Any]:
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        _HELD.append(holder)
        return [*base, "--port", str(holder.getsockname()[1])]

    add(t, "studio --port already in use", port_in_use, "error", timeout=60)


_HELD: list[socket.socket] = []


# --- skyasset-train cases ----------------------------------------------------------------------------------------


@dataclass
class TrainFixtures:
    archive: Path
    snapshot: Path
    run_dir: Path
    bad: dict[str, Path] = field(default_factory=dict)


_FIXTURE_SCRIPT = r"""
import json, math, sys
from pathlib import Path
import torch
good, out = Path(sys.argv[1]), Path(sys.argv[2])
def tampered(name, fn):
    data = torch.load(good, map_location="cpu", weights_only=True)
    fn(data)
    torch.save(data, out / f"{name}.pt")
def meta(update):
    def fn(d):
        m = json.loads(d["meta"]); update(m); d["meta"] = json.dumps(m)
    return fn
tampered("int_tensors", lambda d: d.update(G_ema={k: v.to(torch.int64) for k, v in d["G_ema"].items()}))
tampered("kimg_nan", meta(lambda m: m.update(kimg=math.nan)))
dotdot = [{"code": "../../x", "name": "a"}, {"code": "B", "name": "b"}]
tampered("class_dotdot", meta(lambda m: m.update(classes=dotdot)))
tampered("classes_no_code", meta(lambda m: m.update(classes=[{"name": "a"}, {"name": "b"}])))
tampered("meta_deep", lambda d: d.update(meta="[" * 100000))
tampered("huge_kwargs", meta(lambda m: m["G_kwargs"].update(img_resolution=2**20)))
tampered("missing_G", lambda d: d.pop("G_ema", None))
"""


def build_train_fixtures(base: Path) -> TrainFixtures:
    """A tiny archive and snapshot made with the public tools (prepare, a 1-step train), then damaged copies."""
    fx = base / "fixtures"
    fx.mkdir(parents=True, exist_ok=True)
    photo_folder(fx / "src", n=4)
    env = {**Sandbox(base / "fixture-sandbox").env}
    train = str(BIN / "skyasset-train")
    steps = [
        [train, "prepare", fx / "src", fx / "a.zip", "--resolution", "32"],
        [train, "train", "--data", fx / "a.zip", "--outdir", fx / "runs", *TINY_TRAIN],
    ]
    for argv in steps:
        res = run_proc(argv, env, fx, TRAIN_TIMEOUT, base / "logs" / "fixtures")
        if res.rc != 0:
            raise SystemExit(f"fixture step failed: {argv}\n{res.stderr.decode(errors='replace')[-2000:]}")
    run_dir = next((fx / "runs").iterdir())
    snap = sorted(run_dir.glob("snapshot-*.pt"))[-1]
    (fx / "bad").mkdir(exist_ok=True)
    res = run_proc(
        [sys.executable, "-c", _FIXTURE_SCRIPT, snap, fx / "bad"], env, REPO, TRAIN_TIMEOUT, base / "logs" / "fx2"
    )
    if res.rc != 0:
        raise SystemExit(f"damaged snapshots: {res.stderr.decode(errors='replace')[-2000:]}")
    return TrainFixtures(fx / "a.zip", snap, run_dir, {p.stem: p for p in (fx / "bad").glob("*.pt")})


TINY_TRAIN = ["--config", "tiny", "--batch", "8", "--kimg", "0.008", "--tick-kimg", "0.008", "--snap-kimg", "0"]
TINY_TRAIN += ["--metrics", "none", "--workers", "0", "--device", "cpu"]


def train_cases(fx_ref: list[TrainFixtures]) -> None:
    t = "train"

    def T(name: str, setup: Setup, expect: str = "any", **kw: Any) -> None:
        add(t, name, setup, expect, prog="skyasset-train", json=False, timeout=TRAIN_TIMEOUT, **kw)

    def fx() -> TrainFixtures:
        return fx_ref[0]

    def prep(sb: Sandbox, src: Any, *extra: Any) -> list[Any]:
        return ["prepare", src, sb.out / "a.zip", "--resolution", "32", *extra]

    # prepare
    T("prepare valid folder", lambda sb: prep(sb, photo_folder(sb.inp / "src")), "ok")
    T(
        "prepare folder with a FIFO image",
        lambda sb: (
            photo_folder(sb.inp / "src") and os.mkfifo(sb.inp / "src" / "Cu" / "f.png") or prep(sb, sb.inp / "src")
        ),
    )
    T(
        "prepare folder with a /dev/zero link",
        lambda sb: (
            photo_folder(sb.inp / "src")
            and os.symlink("/dev/zero", sb.inp / "src" / "Cu" / "z.png")
            or prep(sb, sb.inp / "src")
        ),
    )
    T(
        "prepare folder with a symlink loop",
        lambda sb: (
            photo_folder(sb.inp / "src") and looping_link(sb.inp / "src" / "Cu" / "l.png") and prep(sb, sb.inp / "src")
        ),
    )
    T(
        "prepare folder with a dangling link",
        lambda sb: (
            photo_folder(sb.inp / "src")
            and os.symlink(sb.inp / "gone.png", sb.inp / "src" / "Cu" / "d.png")
            or prep(sb, sb.inp / "src")
        ),
    )
    T(
        "prepare class folder linking outside",
        lambda sb: (
            photo_folder(sb.inp / "src")
            and os.symlink(sb.root / "elsewhere", sb.inp / "src" / "Ci")
            or prep(sb, sb.inp / "src")
        ),
    )
    T(
        "prepare decompression-bomb PNG",
        lambda sb: (
            photo_folder(sb.inp / "src") and bomb_png(sb.inp / "src" / "Cu" / "b.png") and prep(sb, sb.inp / "src")
        ),
        "error",
    )
    T(
        "prepare PNG with a 64 MiB zTXt",
        lambda sb: (
            photo_folder(sb.inp / "src") and ztxt_png(sb.inp / "src" / "Cu" / "z.png") and prep(sb, sb.inp / "src")
        ),
    )
    T(
        "prepare JPEG claiming 16000x8000",
        lambda sb: (
            photo_folder(sb.inp / "src") and jpeg_claiming(sb.inp / "src" / "Cu" / "j.jpg") and prep(sb, sb.inp / "src")
        ),
    )

    def labelled(labels: object, classes: object = None, raw: bytes | None = None) -> Setup:
        def setup(sb: Sandbox) -> list[Any]:
            src = sb.inp / "src"
            png(src / "a.png", 48, 40)
            png(src / "b.png", 48, 40, 1)
            meta: dict[str, Any] = {"labels": labels}
            if classes is not None:
                meta["classes"] = classes
            (src / "dataset.json").write_bytes(raw if raw is not None else json.dumps(meta).encode())
            return prep(sb, src)

        return setup

    T("prepare label ../victim.txt", labelled([["a.png", 0], ["../../victim.txt", 0]]), "error")
    T("prepare label absolute path", labelled([["a.png", 0], ["/etc/passwd", 0]]), "error")
    T("prepare label 10^8", labelled([["a.png", 10**8]]), "error")
    T("prepare label -1", labelled([["a.png", -1]]), "error")
    T("prepare label NaN", labelled(None, raw=b'{"labels": [["a.png", NaN]]}'), "error")
    T("prepare dataset.json nested deep", labelled(None, raw=b"[" * 100_000), "error")
    T(
        "prepare dataset.json 200 MB of spaces",
        labelled(None, raw=b'{"labels": null, "pad": "' + b" " * (200 << 20) + b'"}'),
    )
    T("prepare class code ../../x", labelled([["a.png", 0]], [{"code": "../../x", "name": "a"}]), "error")
    T(
        "prepare dataset.json a FIFO",
        lambda sb: (
            png(sb.inp / "src" / "a.png") and os.mkfifo(sb.inp / "src" / "dataset.json") or prep(sb, sb.inp / "src")
        ),
    )
    T("prepare --labels /dev/zero", lambda sb: prep(sb, photo_folder(sb.inp / "src"), "--labels", "/dev/zero"), "error")
    T(
        "prepare class folder named with a newline",
        lambda sb: photo_folder(sb.inp / "src", ("Cu", "St\nx")) and prep(sb, sb.inp / "src"),
    )
    T(
        "prepare class folder non-UTF-8",
        lambda sb: (
            photo_folder(Path(os.fsdecode(os.fsencode(sb.inp) + b"/src")), ("Cu", os.fsdecode(b"S\xfft")))
            and prep(sb, sb.inp / "src")
        ),
    )
    T(
        "prepare out is a directory",
        lambda sb: ["prepare", photo_folder(sb.inp / "src"), sb.out, "--resolution", "32"],
        "error",
    )
    T(
        "prepare out under a file",
        lambda sb: put(sb.out / "f", "x") or ["prepare", photo_folder(sb.inp / "src"), sb.out / "f" / "a.zip"],
        "error",
    )
    T(
        "prepare out a symlink to a secret, --force",
        lambda sb: (
            os.symlink(sb.root / "elsewhere" / "secret.txt", sb.out / "a.zip")
            or prep(sb, photo_folder(sb.inp / "src"), "--force")
        ),
    )
    T("prepare --resolution 0", lambda sb: prep(sb, photo_folder(sb.inp / "src"), "--resolution", "0"), "error")
    T("prepare --resolution 48", lambda sb: prep(sb, photo_folder(sb.inp / "src"), "--resolution", "48"), "error")
    T(
        "prepare --resolution 2^20",
        lambda sb: prep(sb, photo_folder(sb.inp / "src"), "--resolution", str(2**20)),
        "error",
    )
    T("prepare --max-images -1", lambda sb: prep(sb, photo_folder(sb.inp / "src"), "--max-images", "-1"), "error")
    T("prepare --quality 1000", lambda sb: prep(sb, photo_folder(sb.inp / "src"), "--quality", "1000"), "error")
    T("prepare --crop bogus", lambda sb: prep(sb, photo_folder(sb.inp / "src"), "--crop", "bogus"), "error")
    T("prepare --format gif", lambda sb: prep(sb, photo_folder(sb.inp / "src"), "--format", "gif"), "error")
    T("prepare source /dev/zero", lambda sb: prep(sb, "/dev/zero"), "error")
    T("prepare empty source", lambda sb: prep(sb, sb.inp), "error")

    # train
    def train(sb: Sandbox, data: Any, *extra: Any, dry: bool = True) -> list[Any]:
        argv = ["train", "--data", data, "--outdir", sb.out / "runs", *TINY_TRAIN, *extra]
        return [*argv, "--dry-run"] if dry else argv

    T("train tiny 1 step (valid)", lambda sb: train(sb, fx().archive, dry=False), "ok")
    for flag, value in [
        ("--kimg", "nan"),
        ("--lr", "nan"),
        ("--batch", "0"),
        ("--kimg", "-1"),
        ("--gamma", "inf"),
        ("--config", "../../x"),
        ("--desc", "../../escape"),
    ]:
        T(
            f"train {flag} {value}",
            lambda sb, f=flag, v=value: train(sb, fx().archive, f, v, dry=False),
            "error" if flag != "--desc" else "any",
        )
    T(
        "train --data a bomb zip",
        lambda sb: train(
            sb,
            zip_of(sb.inp / "b.zip", {"A/0.png": (bomb_png(sb.inp / "b.png").read_bytes()), "A/1.png": png_bytes()}),
            dry=False,
        ),
        "error",
    )
    T(
        "train --data a text file",
        lambda sb: put(sb.inp / "t.zip", "hello") or train(sb, sb.inp / "t.zip", dry=False),
        "error",
    )
    T("train --data a FIFO", lambda sb: os.mkfifo(sb.inp / "f.zip") or train(sb, sb.inp / "f.zip", dry=False), "error")
    T(
        "train --data zip with ../ member labels",
        lambda sb: train(
            sb,
            zip_of(
                sb.inp / "z.zip",
                {"A/0.png": png_bytes(), "A/1.png": png_bytes(seed=1)},
                {"labels": [["../../victim.txt", 0], ["A/0.png", 0]]},
            ),
            dry=False,
        ),
        "error",
    )
    T(
        "train --outdir under a file",
        lambda sb: (
            put(sb.out / "f", "x") or ["train", "--data", fx().archive, "--outdir", sb.out / "f" / "runs", *TINY_TRAIN]
        ),
        "error",
    )
    T(
        "train --resume truncated snapshot",
        lambda sb: (
            put(sb.inp / "s.pt", fx().snapshot.read_bytes()[:5000])
            or train(sb, fx().archive, "--resume", sb.inp / "s.pt", dry=False)
        ),
        "error",
    )
    T(
        "train --resume kimg NaN",
        lambda sb: train(sb, fx().archive, "--resume", fx().bad["kimg_nan"], dry=False),
        "error",
    )
    T(
        "train --resume an empty run dir",
        lambda sb: (sb.inp / "run").mkdir() or train(sb, fx().archive, "--resume", sb.inp / "run", dry=False),
        "error",
    )
    T(
        "train --transfer-from code pickle",
        lambda sb: (
            put(sb.inp / "x.pkl", code_pickle(sb.root / "PWNED"))
            or train(sb, fx().archive, "--transfer-from", sb.inp / "x.pkl", dry=False)
        ),
        "error",
    )
    T(
        "train --transfer-from exponential pickle",
        lambda sb: (
            put(sb.inp / "e.pkl", exponential_pickle())
            or train(sb, fx().archive, "--transfer-from", sb.inp / "e.pkl", dry=False)
        ),
        "error",
    )

    # metrics
    def met(sb: Sandbox, *extra: Any) -> list[Any]:
        return ["metrics", "--data", fx().archive, "--device", "cpu", *extra]

    T(
        "metrics swd of the snapshot (valid)",
        lambda sb: met(sb, "--snapshot", fx().snapshot, "--metrics", "swd", "--num-gen", "8"),
        "ok",
    )
    T("metrics --num-gen 0", lambda sb: met(sb, "--snapshot", fx().snapshot, "--num-gen", "0"), "error")
    T("metrics --metrics bogus", lambda sb: met(sb, "--snapshot", fx().snapshot, "--metrics", "bogus"), "error")
    T(
        "metrics int-tensor snapshot",
        lambda sb: met(sb, "--snapshot", fx().bad["int_tensors"], "--metrics", "swd", "--num-gen", "8"),
        "error",
    )
    T(
        "metrics --bundle tampered",
        lambda sb: (
            copy_bundle(sb)
            and truncate_file(sb.inp / "bundle" / "synthesis.onnx")
            or met(sb, "--bundle", sb.inp / "bundle", "--metrics", "swd", "--num-gen", "8")
        ),
        "error",
    )
    T(
        "metrics --data inflating dataset.json",
        lambda sb: [
            "metrics",
            "--data",
            inflating_zip(sb.inp / "big.zip"),
            "--halves",
            "--device",
            "cpu",
            "--metrics",
            "swd",
        ],
        "error",
    )
    T(
        "metrics --memorisation-png into /proc",
        lambda sb: met(
            sb,
            "--snapshot",
            fx().snapshot,
            "--metrics",
            "swd",
            "--num-gen",
            "8",
            "--memorisation-png",
            "/proc/self/fdinfo/m.png",
        ),
    )

    # export / info / grid / import-nvlabs
    T(
        "export valid (no canvas)",
        lambda sb: ["export", fx().snapshot, "--out", sb.out / "b", "--mean-samples", "16", "--canvas-tiles", "0"],
        "ok",
    )
    T(
        "export class code ../../x",
        lambda sb: [
            "export",
            fx().bad["class_dotdot"],
            "--out",
            sb.out / "b",
            "--mean-samples",
            "16",
            "--canvas-tiles",
            "0",
        ],
        "error",
    )
    T("export classes without code", lambda sb: ["export", fx().bad["classes_no_code"], "--out", sb.out / "b"], "error")
    T(
        "export --canvas-tiles 17",
        lambda sb: ["export", fx().snapshot, "--out", sb.out / "b", "--canvas-tiles", "17"],
        "error",
    )
    T(
        "export --mean-samples 0",
        lambda sb: ["export", fx().snapshot, "--out", sb.out / "b", "--mean-samples", "0"],
        "error",
    )
    T(
        "export --out an existing file",
        lambda sb: put(sb.out / "b", "x") or ["export", fx().snapshot, "--out", sb.out / "b"],
        "error",
    )
    T(
        "export --model-id ../../x",
        lambda sb: [
            "export",
            fx().snapshot,
            "--out",
            sb.out / "b",
            "--model-id",
            "../../x",
            "--mean-samples",
            "16",
            "--canvas-tiles",
            "0",
        ],
    )
    T("export --fid nan", lambda sb: ["export", fx().snapshot, "--out", sb.out / "b", "--fid", "nan"], "error")
    T("export huge img_resolution", lambda sb: ["export", fx().bad["huge_kwargs"], "--out", sb.out / "b"], "error")
    T("info valid run dir", lambda sb: ["info", fx().run_dir], "ok")
    T(
        "info random bytes",
        lambda sb: put(sb.inp / "r.pt", os.urandom(4096)) or ["info", sb.inp / "r.pt"],
        "error",
    )
    T("info zero-byte file", lambda sb: put(sb.inp / "z.pt", b"") or ["info", sb.inp / "z.pt"], "error")
    T("info a FIFO", lambda sb: os.mkfifo(sb.inp / "f.pt") or ["info", sb.inp / "f.pt"], "error")
    T("info /dev/zero", lambda sb: ["info", "/dev/zero"], "error")
    T(
        "info a pickle that runs code",
        lambda sb: put(sb.inp / "x.pt", code_pickle(sb.root / "PWNED")) or ["info", sb.inp / "x.pt"],
        "error",
    )
    T("info meta nested 100k deep", lambda sb: ["info", fx().bad["meta_deep"]], "error")
    T("info snapshot without G_ema", lambda sb: ["info", fx().bad["missing_G"]], "error")
    T("grid --columns 0", lambda sb: ["grid", fx().snapshot, "--out", sb.out / "g.png", "--columns", "0"], "error")
    T("grid classes without code", lambda sb: ["grid", fx().bad["classes_no_code"], "--out", sb.out / "g.png"], "error")
    T("grid int-tensor snapshot", lambda sb: ["grid", fx().bad["int_tensors"], "--out", sb.out / "g.png"], "error")
    T(
        "grid --out a directory",
        lambda sb: ["grid", fx().snapshot, "--out", sb.out, "--columns", "1", "--size", "8"],
        "error",
    )
    T(
        "grid --out a symlink to a secret",
        lambda sb: (
            os.symlink(sb.root / "elsewhere" / "secret.txt", sb.out / "g.png")
            or ["grid", fx().snapshot, "--out", sb.out / "g.png", "--columns", "1", "--size", "8"]
        ),
    )
    T(
        "import-nvlabs exponential pickle",
        lambda sb: (
            put(sb.inp / "e.pkl", exponential_pickle()) or ["import-nvlabs", sb.inp / "e.pkl", "--out", sb.out / "s.pt"]
        ),
        "error",
    )
    T(
        "import-nvlabs self-referencing list",
        lambda sb: put(sb.inp / "s.pkl", _self_list()) or ["import-nvlabs", sb.inp / "s.pkl", "--out", sb.out / "s.pt"],
        "error",
    )
    T(
        "import-nvlabs code pickle",
        lambda sb: (
            put(sb.inp / "x.pkl", code_pickle(sb.root / "PWNED"))
            or ["import-nvlabs", sb.inp / "x.pkl", "--out", sb.out / "s.pt"]
        ),
        "error",
    )
    T(
        "import-nvlabs truncated pickle",
        lambda sb: (
            put(sb.inp / "t.pkl", exponential_pickle()[:50])
            or ["import-nvlabs", sb.inp / "t.pkl", "--out", sb.out / "s.pt"]
        ),
        "error",
    )
    T(
        "import-nvlabs a FIFO",
        lambda sb: os.mkfifo(sb.inp / "f.pkl") or ["import-nvlabs", sb.inp / "f.pkl", "--out", sb.out / "s.pt"],
        "error",
    )


def truncate_file(path: Path, keep: int = 1000) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def _self_list() -> bytes:
    looped: list[object] = []
    looped.append(looped)
    return pickle.dumps({"extra": looped}, protocol=2)


def inflating_zip(path: Path) -> Path:
    """A zip of 4 images whose dataset.json inflates to 1 GiB (about 1 MB on disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for i in range(4):
            zf.writestr(f"A/{i}.png", png_bytes(seed=i))
        with zf.open("dataset.json", "w") as f:
            f.write(b'{"labels": null, "pad": "')
            chunk = b" " * (1 << 20)
            for _ in range(1024):
                f.write(chunk)
            f.write(b'"}')
    return path


# --- the studio over real HTTP -----------------------------------------------------------------------------------


class Studio:
    """A real `skyasset studio` process on a free port, in its own sandbox (its TMPDIR holds the work folder)."""

    def __init__(self, base: Path, prepare: Callable[[Sandbox], Path] | None = None) -> None:
        self.sb = Sandbox(Path(tempfile.mkdtemp(prefix="studio-", dir=base / "cases")))
        model = prepare(self.sb) if prepare is not None else TINY
        argv = [str(BIN / "skyasset"), "studio", "--model", str(model), "--port", "0", "--no-open", "--json"]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.sb.env,
            cwd=self.sb.cwd,
            start_new_session=True,
        )
        self.stderr: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        line = self._readline(90)
        if not line:
            self.proc.kill()
            raise RuntimeError(f"studio did not start: {''.join(self.stderr)[-2000:]}")
        self.url = json.loads(line)["url"].rstrip("/")
        self.port = int(self.url.rsplit(":", 1)[1])
        self.host = f"127.0.0.1:{self.port}"
        status, _, page = self.request("GET", "/")
        found = re.search(rb'<meta name="skyasset-token" content="([^"]+)">', page)
        if status != 200 or not found:
            raise RuntimeError("the studio page carries no token")
        self.token = found.group(1).decode()

    def _readline(self, timeout: float) -> str:
        got: list[str] = []
        reader = threading.Thread(target=lambda: got.append(self.proc.stdout.readline().decode()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        return got[0] if got else ""

    def _drain(self) -> None:
        for raw in self.proc.stderr:  # type: ignore[union-attr]
            self.stderr.append(raw.decode(errors="replace"))

    def rss(self) -> int:
        return sum(r for _, r in _group_members(self.proc.pid))

    def raw(self, data: bytes, timeout: float = 30.0, pause_after: float = 0.0) -> tuple[int, dict[str, str], bytes]:
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            if pause_after:
                time.sleep(pause_after)
            resp = http.client.HTTPResponse(s)
            try:
                resp.begin()
                body = resp.read()
            except (ConnectionResetError, http.client.RemoteDisconnected):
                return 0, {}, b""  # closed without an answer
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str | None] | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, dict[str, str], bytes]:
        hdrs: dict[str, str | None] = {"Host": self.host, "Connection": "close"}
        if body is not None:
            hdrs |= {"Content-Type": "application/json", "X-Skyasset-Token": getattr(self, "token", None)}
            hdrs["Content-Length"] = str(len(body))
        hdrs |= headers or {}
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items() if v is not None)
        return self.raw(head.encode("latin-1") + b"\r\n" + (body or b""), timeout)

    def job_ids(self) -> set[str]:
        status, _, body = self.request("GET", "/api/jobs")
        return {j["id"] for j in json.loads(body)["jobs"]} if status == 200 else set()

    def wait_job(self, job_id: str, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, _, body = self.request("GET", f"/api/jobs/{job_id}?wait=2")
            job = json.loads(body)
            if job.get("state") in ("done", "error"):
                return job
        raise TimeoutError(job_id)

    def stop(self, timeout: float = 30) -> tuple[int | None, float]:
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            rc = None
        return rc, time.monotonic() - start


def _is_error_shape(body: bytes) -> bool:
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    return isinstance(answer, dict) and isinstance(answer.get("error"), dict) and "code" in answer["error"]


StudioCheck = Callable[["Studio"], tuple[str, str]]


def _refused(
    st: Studio,
    answer: tuple[int, dict[str, str], bytes],
    statuses: tuple[int, ...] = (400, 403, 404, 405, 413, 415, 429),
) -> tuple[str, str]:
    status, _, body = answer
    if status == 0:
        return "named_error", "connection closed without an answer"
    if status >= 500:
        return ("internal_error" if b"internal_error" in body else "bad_answer"), f"HTTP {status}: {body[:200]!r}"
    if 200 <= status < 300:
        return "unexpected", f"HTTP {status} accepted: {body[:160]!r}"
    if status == 400 and body.startswith(b"Invalid HTTP request"):
        return "named_error", "HTTP 400 from the HTTP parser (plain text: the request is not valid HTTP/1.1)"
    if not _is_error_shape(body):
        return "bad_answer", f"HTTP {status}, not the JSON error shape: {body[:160]!r}"
    code = json.loads(body)["error"]["code"]
    if code == "internal_error":
        return "internal_error", body[:200].decode(errors="replace")
    if status not in statuses:
        return "bad_answer", f"HTTP {status} ({code})"
    return "named_error", f"HTTP {status} {code}"


VALID = {"cloud": "Cu", "seed": 3, "size": 128, "layout": "equirect"}


def studio_http_cases(st: Studio, state: dict[str, Any]) -> list[tuple[str, bool, StudioCheck]]:
    """(name, cross_origin, check): the check returns (class, detail); cross-origin ones must start no job."""
    body = json.dumps(VALID).encode()
    cases: list[tuple[str, bool, StudioCheck]] = []

    def ok_get(path: str) -> StudioCheck:
        def check(st: Studio) -> tuple[str, str]:
            status, _, data = st.request("GET", path)
            return ("ok", f"HTTP 200, {len(data)} bytes") if status == 200 else ("unexpected", f"HTTP {status}")

        return check

    cases.append(("GET / (page with token)", False, ok_get("/")))
    cases.append(("GET /api/info", False, ok_get("/api/info")))

    def valid_job(st: Studio) -> tuple[str, str]:
        status, _, data = st.request("POST", "/api/generate", body)
        if status != 202:
            return "unexpected", f"valid job refused: HTTP {status} {data[:200]!r}"
        job = st.wait_job(json.loads(data)["job"]["id"])
        state["job"] = job
        if job["state"] != "done":
            return "unexpected", f"valid job ended {job['state']}: {job.get('error')}"
        return "ok", f"job {job['id']} done, {len(job['files'])} files"

    cases.append(("POST valid job (same origin, token)", False, valid_job))

    def downloads(st: Studio) -> tuple[str, str]:
        job = state.get("job")
        if not job or job.get("state") != "done":
            return "unexpected", "no finished job to download from"
        work = next(Path(st.sb.env["TMPDIR"]).glob("skyasset-studio-*"), None)
        for f in job["files"]:
            status, headers, data = st.request("GET", f["url"])
            if status != 200:
                return "unexpected", f"{f['url']}: HTTP {status}"
            leaked = [m for m in (str(work), st.sb.env["TMPDIR"]) if m and m.encode() in data + str(headers).encode()]
            if leaked:
                return "unexpected", f"{f['name']} holds the server path {leaked[0]}"
        for extra in ("viewer", "thumbnail", "scores"):
            status, _, _ = st.request("GET", f"/api/jobs/{job['id']}/{extra}")
            if status != 200:
                return "unexpected", f"{extra}: HTTP {status}"
        return "ok", f"{len(job['files'])} downloads, viewer, thumbnail, scores; no server path inside"

    cases.append(("downloads hold no server path", False, downloads))

    def post(headers: dict[str, str | None], data: bytes = body) -> StudioCheck:
        return lambda st: _refused(st, st.request("POST", "/api/generate", data, headers))

    host = st.host
    xorigin = [
        ("text/plain, no token", {"Content-Type": "text/plain", "X-Skyasset-Token": None}),
        ("text/plain with token", {"Content-Type": "text/plain"}),
        (
            "text/plain;charset=utf-8 + Origin evil",
            {"Content-Type": "text/plain;charset=utf-8", "Origin": "http://evil.example"},
        ),
        ("form-urlencoded", {"Content-Type": "application/x-www-form-urlencoded", "X-Skyasset-Token": None}),
        ("multipart/form-data", {"Content-Type": "multipart/form-data; boundary=x", "X-Skyasset-Token": None}),
        ("no Content-Type", {"Content-Type": None}),
        ("Origin: null", {"Origin": "null"}),
        ("Origin: http://evil.example", {"Origin": "http://evil.example"}),
        ("Origin: evil, no token", {"Origin": "http://evil.example", "X-Skyasset-Token": None}),
        ("Origin: studio host on https", {"Origin": f"https://{host}"}),
        ("Origin: studio host + .evil suffix", {"Origin": f"http://{host}.evil.example"}),
        ("Origin: localhost (other name)", {"Origin": f"http://localhost:{st.port}"}),
        ("Origin: two values", {"Origin": f"http://{host}, http://evil.example"}),
        ("Sec-Fetch-Site: cross-site", {"Sec-Fetch-Site": "cross-site"}),
        ("Sec-Fetch-Site: same-site", {"Sec-Fetch-Site": "same-site"}),
        ("missing token", {"X-Skyasset-Token": None}),
        ("wrong token", {"X-Skyasset-Token": "0" * 32}),
        ("token as a prefix", {"X-Skyasset-Token": st.token[:-1]}),
        (
            "token upper-cased",
            {"X-Skyasset-Token": st.token.upper() if st.token.upper() != st.token else st.token + "X"},
        ),
        ("token padded with spaces", {"X-Skyasset-Token": f" {st.token}x "}),
        ("application/json-seq type", {"Content-Type": "application/json-seq"}),
        ("Host evil.example", {"Host": "evil.example"}),
        ("Host 127.0.0.1.nip.io (rebinding)", {"Host": f"127.0.0.1.nip.io:{st.port}"}),
        ("Host evil with matching Origin", {"Host": "evil.example", "Origin": "http://evil.example"}),
    ]
    for label, headers in xorigin:
        cases.append((f"POST {label}", True, post(headers)))

    def bad_host_get(st: Studio) -> tuple[str, str]:
        return _refused(st, st.request("GET", "/api/info", headers={"Host": "evil.example"}))

    cases.append(("GET with Host evil.example (JSON 400)", True, bad_host_get))

    def no_host(st: Studio) -> tuple[str, str]:
        status, _, data = st.raw(b"GET /api/info HTTP/1.0\r\n\r\n")
        if status == 200:
            return "unexpected", "answered a request without a Host"
        return _refused(st, (status, {}, data))

    cases.append(("GET HTTP/1.0 without Host", True, no_host))

    def absolute_uri(st: Studio) -> tuple[str, str]:
        return _refused(
            st,
            st.raw(b"GET http://evil.example/api/info HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"),
        )

    cases.append(("GET absolute-URI to evil.example", True, absolute_uri))

    def put(st: Studio) -> tuple[str, str]:
        return _refused(st, st.request("PUT", "/api/generate", body))

    cases.append(("PUT /api/generate", True, put))
    cases.append(("DELETE /api/jobs", True, lambda st: _refused(st, st.request("DELETE", "/api/jobs", b"{}"))))

    # bodies
    def body_case(data: bytes, headers: dict[str, str | None] | None = None) -> StudioCheck:
        return lambda st: _refused(st, st.request("POST", "/api/generate", data, headers))

    for label, data in [
        ("bad JSON", b"{"),
        ("15000 [", b"[" * 15000),
        ("100k { nesting", b'{"a":' * 100_000),
        ("lone surrogate in cloud", b'{"cloud": "\\ud800", "seed": 1}'),
        ("lone surrogate key", b'{"\\udfff": 1, "seed": 1}'),
        ("not UTF-8", b'{"cloud": "\xff", "seed": 1}'),
        ("UTF-16 JSON", json.dumps(VALID).encode("utf-16")),
        ("JSON array", b"[1, 2]"),
        ("JSON null", b"null"),
        ("empty body", b""),
        ("unknown key", b'{"seed": 1, "outdir": "../../x"}'),
        ("seed 2^64", b'{"seed": 18446744073709551616}'),
        ("seed 10^5000", b'{"seed": 1' + b"0" * 5000 + b"}"),
        ("seed -1", b'{"seed": -1}'),
        ("seed true", b'{"seed": true}'),
        ("seed 1.5", b'{"seed": 1.5}'),
        ("psi NaN", b'{"seed": 1, "psi": NaN}'),
        ("psi Infinity", b'{"seed": 1, "psi": Infinity}'),
        ("psi 1e999", b'{"seed": 1, "psi": 1e999}'),
        ("size 16384", b'{"seed": 1, "size": 16384}'),
        ("size 0", b'{"seed": 1, "size": 0}'),
        ("size 65", b'{"seed": 1, "size": 65}'),
        ("cloud ../../x", b'{"seed": 1, "cloud": "../../x"}'),
        ("cloud with NUL", b'{"seed": 1, "cloud": "Cu\\u0000"}'),
        ("mix Cu:nan", b'{"seed": 1, "cloud": "Cu", "mix": "St:nan"}'),
        ("layout ../x", b'{"seed": 1, "layout": "../x"}'),
        ("upscale best?", b'{"seed": 1, "upscale": "bestest"}'),
        ("duplicate keys", b'{"seed": 1, "seed": -5}'),
    ]:
        cases.append((f"POST body: {label}", False, body_case(data)))

    def oversize_declared(st: Studio) -> tuple[str, str]:
        head = (
            f"POST /api/generate HTTP/1.1\r\nHost: {st.host}\r\nContent-Type: application/json\r\n"
            f"X-Skyasset-Token: {st.token}\r\nContent-Length: {10 << 30}\r\n\r\n"
        ).encode()
        return _refused(st, st.raw(head + b"{" * 4096, timeout=15))

    cases.append(("POST Content-Length 10 GiB, 4 KB sent", False, oversize_declared))

    def oversize_sent(st: Studio) -> tuple[str, str]:
        data = b'{"seed": 1, "pad": "' + b"x" * (4 << 20) + b'"}'
        return _refused(st, st.request("POST", "/api/generate", data, timeout=30))

    cases.append(("POST 4 MiB body", False, oversize_sent))

    def chunked(total: int) -> StudioCheck:
        def check(st: Studio) -> tuple[str, str]:
            head = (
                f"POST /api/generate HTTP/1.1\r\nHost: {st.host}\r\nContent-Type: application/json\r\n"
                f"X-Skyasset-Token: {st.token}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            ).encode()
            if total <= 64:
                data = json.dumps({"seed": 1, "cloud": "Cu", "size": 64}).encode()
                chunks = b"".join(f"{1:x}\r\n".encode() + data[i : i + 1] + b"\r\n" for i in range(len(data)))
                return _ok_job(st, st.raw(head + chunks + b"0\r\n\r\n"))
            piece = b"[" * 8192
            stream = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") * (total // len(piece)) + b"0\r\n\r\n"
            return _refused(st, st.raw(head + stream, timeout=30))

        return check

    cases.append(("POST chunked 8 MiB", False, chunked(8 << 20)))
    cases.append(("POST chunked valid, 1-byte chunks", False, chunked(1)))
    cases.append(("POST Content-Length -1", False, body_case(b"{}", {"Content-Length": "-1"})))
    cases.append(("POST Content-Length abc", False, body_case(b"{}", {"Content-Length": "abc"})))
    cases.append(("POST Content-Length and chunked", False, body_case(b"{}", {"Transfer-Encoding": "chunked"})))

    def half_body(st: Studio) -> tuple[str, str]:
        head = (
            f"POST /api/generate HTTP/1.1\r\nHost: {st.host}\r\nContent-Type: application/json\r\n"
            f'X-Skyasset-Token: {st.token}\r\nContent-Length: 100\r\n\r\n{{"seed"'
        ).encode()
        start = time.monotonic()
        status, _, data = st.raw(head, timeout=30)
        waited = time.monotonic() - start
        if status == 0 and waited < 25:
            return "named_error", f"closed after {waited:.1f} s"
        if waited >= 25:
            return "hang", f"half-sent body held {waited:.0f} s"
        return _refused(st, (status, {}, data))

    cases.append(("POST half-sent body (timeout)", False, half_body))

    def half_headers(st: Studio) -> tuple[str, str]:
        socks = []
        for _ in range(60):
            s = socket.create_connection(("127.0.0.1", st.port), timeout=30)
            s.sendall(f"GET /api/info HTTP/1.1\r\nHost: {st.host}\r\nX-Slow: ".encode())
            socks.append(s)
        start = time.monotonic()
        status, _, _ = st.request("GET", "/api/info", timeout=20)
        served = time.monotonic() - start
        time.sleep(8)
        still_open = 0
        for s in socks:
            s.settimeout(0.5)
            try:
                got = s.recv(1024)
                still_open += 0 if got == b"" or got.startswith(b"HTTP/") else 1
            except TimeoutError:
                still_open += 1
            except OSError:
                pass
            s.close()
        if status != 200 or served > 5:
            return "hang", f"a normal request took {served:.1f} s (HTTP {status}) behind 60 half-sent headers"
        if still_open:
            return "hang", f"{still_open} of 60 half-sent requests still open after 8 s"
        return "ok", f"served in {served:.2f} s; all 60 half-sent requests closed"

    cases.append(("60 half-sent headers (slowloris)", False, half_headers))

    # paths
    for path in [
        "/files/../../etc/passwd",
        "/../../../../etc/passwd",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%252f..%252fetc%252fpasswd",
        "/static/....//....//etc/passwd",
        "/static/app.js%00.png",
        "/api/jobs/../../etc/passwd",
        "/api/jobs/0123456789abcdef/files/..%2f..%2f..%2fetc%2fpasswd",
        "/api/jobs/0123456789abcdef/files/-1",
        "/api/jobs/0123456789abcdef/files/99999999999999999999999",
        "/api/jobs/%2e%2e%2f%2e%2e%2fetc/files/0",
        "/api/jobs/JOB/files/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/api/jobs/JOB/files/-1",
        "/api/jobs/JOB/files/9999",
        "/api/jobs/JOB/files/0%2f..%2f..%2fx",
        "/api/jobs/JOB/viewer/..%2f..%2fetc%2fpasswd",
        "/api/jobs/nothex/viewer",
        "/%2fetc%2fpasswd",
        "/api/jobs/JOB?wait=nan",
        "/api/jobs/JOB?wait=1e999",
        "/api/jobs/JOB?wait=-5",
    ]:

        def traverse(st: Studio, path: str = path) -> tuple[str, str]:
            job = state.get("job") or {"id": "0123456789abcdef"}
            status, headers, data = st.request("GET", path.replace("JOB", job["id"]))
            if b"root:" in data:
                return "unexpected", f"HTTP {status} served /etc/passwd"
            if status == 200 and "?wait=" in path:
                return "ok", "HTTP 200 (wait clamped)"
            return _refused(st, (status, headers, data))

        cases.append((f"GET {path}", False, traverse))

    def long_polls(st: Studio) -> tuple[str, str]:
        status, _, data = st.request(
            "POST", "/api/generate", json.dumps({**VALID, "size": 4096, "layout": "faces", "hdr": True}).encode()
        )
        if status != 202:
            return "unexpected", f"a big job was refused: HTTP {status}"
        job_id = json.loads(data)["job"]["id"]
        state["big"] = job_id
        socks = []
        for _ in range(100):
            s = socket.create_connection(("127.0.0.1", st.port), timeout=10)
            s.sendall(f"GET /api/jobs/{job_id}?wait=5 HTTP/1.1\r\nHost: {st.host}\r\n\r\n".encode())
            socks.append(s)
        time.sleep(0.3)
        for s in socks:
            s.close()
        done = state.get("job") or {}
        start = time.monotonic()
        status, _, _ = st.request("GET", f"/api/jobs/{done.get('id', job_id)}/scores", timeout=60)
        took = time.monotonic() - start
        if took > 5:
            return "hang", f"a scores call took {took:.1f} s after 100 abandoned long-polls"
        return "ok", f"scores answered in {took:.2f} s (HTTP {status}) after 100 abandoned long-polls"

    cases.append(("100 abandoned long-polls", False, long_polls))

    def flood(st: Studio) -> tuple[str, str]:
        heavy = json.dumps({**VALID, "size": 8192, "layout": "faces", "hdr": True, "upscale": "fast"}).encode()
        statuses: Counter[int] = Counter()
        rss0 = st.rss()
        start = time.monotonic()
        for i in range(200):
            status, _, data = st.request("POST", "/api/generate", heavy.replace(b'"seed": 3', f'"seed": {i}'.encode()))
            statuses[status] += 1
            if status not in (202, 429):
                return _refused(st, (status, {}, data))
        took = time.monotonic() - start
        state["flooded"] = statuses[202]
        grown = st.rss() - rss0
        if statuses[202] > 9 + 2:
            return "unexpected", f"{statuses[202]} of 200 heavy jobs accepted (queue unbounded?)"
        if statuses[429] == 0:
            return "unexpected", "no 429 in 200 heavy jobs"
        if grown > STUDIO_GROWTH_LIMIT:
            return "memory", f"studio RSS grew {grown >> 20} MiB"
        return "named_error", f"{dict(statuses)} in {took:.1f} s, RSS +{grown >> 20} MiB"

    cases.append(("queue flood: 200 heavy jobs", False, flood))
    return cases


def _ok_job(st: Studio, answer: tuple[int, dict[str, str], bytes]) -> tuple[str, str]:
    status, _, data = answer
    if status == 202:
        return "ok", "accepted"
    if status in (413, 400, 411):
        return _refused(st, answer)
    return "unexpected", f"HTTP {status}: {data[:160]!r}"


def dotdot_bundle(sb: Sandbox) -> Path:
    """A copy of the tiny bundle whose first class code is ``../../x`` (the issue: the studio wrote outside)."""
    bundle = copy_bundle(sb)
    edit_meta(bundle, lambda m: m["classes"][0].update(code="../../x"))
    return bundle


def dotdot_cases(st: Studio, state: dict[str, Any]) -> list[tuple[str, bool, StudioCheck]]:
    def job(params: dict[str, Any]) -> StudioCheck:
        def check(st: Studio) -> tuple[str, str]:
            status, _, data = st.request("POST", "/api/generate", json.dumps(params).encode())
            if status != 202:
                return _refused(st, (status, {}, data))
            done = st.wait_job(json.loads(data)["job"]["id"])
            if done["state"] != "done":
                return ("internal_error" if "internal_error" in json.dumps(done) else "named_error"), str(
                    done.get("error")
                )[:200]
            names = [f["name"] for f in done["files"]]
            if any("/" in n or ".." in n for n in names):
                return "unexpected", f"file names {names}"
            return "ok", f"files {names}"

        return check

    return [
        ("bundle class ../../x: cloud '../../x'", False, job({"cloud": "../../x", "seed": 1, "size": 128})),
        ("bundle class ../../x: by its name", False, job({"cloud": "altocumulus", "seed": 2, "size": 128})),
        ("bundle class ../../x: as --mix", False, job({"cloud": "St", "mix": "../../x:0.5", "seed": 3, "size": 128})),
        (
            "bundle class ../../x: faces + hdr",
            False,
            job({"cloud": "../../x", "seed": 4, "size": 128, "layout": "faces", "hdr": True}),
        ),
    ]


def run_studio(
    base: Path,
    keep: bool,
    emit: Callable[[Outcome], None],
    prepare: Callable[[Sandbox], Path] | None = None,
    cases: Callable[[Studio, dict[str, Any]], list[tuple[str, bool, StudioCheck]]] = studio_http_cases,
    label: str = "",
) -> None:
    start = time.monotonic()
    try:
        st = Studio(base, prepare)
    except Exception as exc:
        emit(Outcome("studio", f"start the studio{label}", "probe_error", f"{type(exc).__name__}: {exc}", 0.0))
        return
    sb = st.sb
    # Only the studio's own work folder may change: not the rest of its TMPDIR, where ../ names would land.
    sb.allowed = [sb.root / "home", sb.root / "cache", *Path(sb.env["TMPDIR"]).glob("skyasset-studio-*")]
    emit(Outcome("studio", f"start with --no-open --port 0{label}", "ok", st.url, time.monotonic() - start))
    state: dict[str, Any] = {}
    failed = False
    for name, cross_origin, check in cases(st, state):
        before = snapshot(sb.root, sb.allowed)
        ids_before = st.job_ids()
        err_before = len(st.stderr)
        rss_before = st.rss()
        t0 = time.monotonic()
        try:
            cls, detail = check(st)
        except TimeoutError as exc:
            cls, detail = "hang", f"no answer: {exc}"
        except Exception as exc:
            cls, detail = "probe_error", f"{type(exc).__name__}: {exc}"
        wall = time.monotonic() - t0
        new_jobs = st.job_ids() - ids_before
        changes = diff(before, snapshot(sb.root, sb.allowed))
        err = "".join(st.stderr[err_before:])
        if st.proc.poll() is not None:
            cls, detail = "bad_answer", f"the studio exited ({st.proc.returncode}) during this case: {err[-300:]}"
        elif changes:
            cls, detail = "wrote_outside", "; ".join(changes[:6])
        elif cross_origin and new_jobs:
            cls, detail = "cross_origin_job", f"started job(s) {sorted(new_jobs)}; {detail}"
        elif "Traceback" in err:
            cls, detail = "traceback", " | ".join(err.strip().splitlines()[-3:])[:300]
        elif cls not in ("memory",) and st.rss() - rss_before > STUDIO_GROWTH_LIMIT:
            cls, detail = "memory", f"studio RSS grew {(st.rss() - rss_before) >> 20} MiB; {detail}"
        elif cls == "named_error" and new_jobs and not name.startswith("queue flood"):
            cls, detail = "unexpected", f"refused but started job(s) {sorted(new_jobs)}"
        failed |= cls in FAILURES
        emit(Outcome("studio", name, cls, f"{detail} [{wall:.1f} s]", wall, repro=f"studio at {st.url}: {name}"))
    # shutdown (with a full queue after the flood): queued jobs cancelled, the process ends soon, work folder gone
    before = snapshot(sb.root, [sb.root / "home", sb.root / "cache", *Path(sb.env["TMPDIR"]).glob("skyasset-studio-*")])
    rc, took = st.stop()
    err = "".join(st.stderr)
    left = list(Path(sb.env["TMPDIR"]).glob("skyasset-studio-*"))
    changes = diff(before, snapshot(sb.root, sb.allowed))
    if rc is None:
        cls, detail = "hang", f"still running {took:.0f} s after SIGTERM with {state.get('flooded', 0)} jobs queued"
    elif "Traceback" in err:
        cls, detail = "traceback", " | ".join(err.strip().splitlines()[-3:])[:300]
    elif changes:
        cls, detail = "wrote_outside", "; ".join(changes[:6])
    elif rc != 0 or took > 15 or left:
        cls, detail = "unexpected", f"rc {rc} after {took:.1f} s, work folders left: {left}"
    else:
        queued = f" with {state['flooded']} jobs accepted by the flood" if "flooded" in state else ""
        cls, detail = "ok", f"exit 0 in {took:.1f} s{queued}; work folder removed"
    failed |= cls in FAILURES
    emit(Outcome("studio", f"SIGTERM{label or ' with a full queue'}", cls, detail, took))
    if keep and failed:
        emit(Outcome("studio", "(kept)", "note", str(sb.root), 0.0))
    else:
        remove_tree(sb.root)


# --- main --------------------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=("cli", "studio", "train"), help="run one tool's cases")
    ap.add_argument("--jobs", type=int, default=1, help="cases run at once (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep the folders of failing cases")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("-k", dest="match", help="only cases whose name contains this text")
    args = ap.parse_args()
    if not (TINY / "skyasset-bundle.json").is_file():
        print(f"{TINY} is missing: run `python tests/data/make_tiny_bundle.py` (tests/conftest.py)", file=sys.stderr)
        return 2

    fixtures: list[TrainFixtures] = []
    cli_cases()
    studio_flag_cases()
    train_cases(fixtures)
    selected = [c for c in CASES if args.only in (None, c.tool) and (not args.match or args.match in c.name)]
    run_http = args.only in (None, "studio") and not args.match
    if args.list:
        for c in selected:
            print(f"{c.tool:6} {c.name}")
        print(f"{len(selected)} process cases" + (" + the studio's HTTP cases" if run_http else ""))
        return 0

    base = Path(tempfile.mkdtemp(prefix="skyasset-probe-"))
    (base / "cases").mkdir()
    for folder in (base, base / "cases"):  # traversable, for the cases that run as nobody
        os.chmod(folder, 0o711)
    started = time.monotonic()
    outcomes: list[Outcome] = []

    def emit(o: Outcome) -> None:
        with _print_lock:
            outcomes.append(o)
            flag = "FAIL " if o.cls in FAILURES or o.cls == "probe_error" else "     "
            print(f"{flag}{o.tool:6} {o.cls:16} {o.name}: {o.detail}", flush=True)
            if o.kept:
                print(f"      kept: {o.kept}", flush=True)

    if any(c.tool == "train" for c in selected):
        t0 = time.monotonic()
        fixtures.append(build_train_fixtures(base))
        print(
            f"train fixtures (prepare + 1-step train + damaged snapshots) in {time.monotonic() - t0:.0f} s", flush=True
        )

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_case, c, base, i, args.keep) for i, c in enumerate(selected)]
        if run_http:
            futures.append(pool.submit(run_studio, base, args.keep, emit))
            futures.append(
                pool.submit(run_studio, base, args.keep, emit, dotdot_bundle, dotdot_cases, " (bundle class ../../x)")
            )
        for fut in concurrent.futures.as_completed(futures):
            result = fut.result()
            if isinstance(result, Outcome):
                emit(result)
    for held in _HELD:
        held.close()

    counted = [o for o in outcomes if o.cls != "note"]
    tools = sorted({o.tool for o in counted})
    table: dict[str, Counter[str]] = {tool: Counter(o.cls for o in counted if o.tool == tool) for tool in tools}
    shown = [c for c in (*CLASSES, "probe_error") if any(table[t][c] for t in tools)] or ["ok"]
    width = max(len(c) for c in shown) + 2
    print("\n" + "tool".ljust(8) + "".join(c.rjust(width) for c in shown) + "total".rjust(8))
    for tool in tools:
        row = table[tool]
        print(tool.ljust(8) + "".join(str(row[c]).rjust(width) for c in shown) + str(sum(row.values())).rjust(8))
    total: Counter[str] = sum(table.values(), Counter())
    print("all".ljust(8) + "".join(str(total[c]).rjust(width) for c in shown) + str(sum(total.values())).rjust(8))
    bad = [o for o in counted if o.cls in FAILURES or o.cls == "probe_error"]
    elapsed = time.monotonic() - started
    print(f"\n{len(counted)} cases in {elapsed:.0f} s; {len(bad)} in a failure class")
    for o in bad:
        print(f"  [{o.cls}] {o.tool}: {o.name}\n      {o.detail}\n      repro: {o.repro}")
    if args.keep and bad:
        print(f"kept: {base}")
    else:
        remove_tree(base)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
