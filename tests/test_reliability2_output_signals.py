"""The commit answers the truth: a SIGTERM at any point leaves the old set with `interrupted`, or the new set
with success; never one with the other's answer, never a staging folder left, never a death after the answer.

Issue 28, item 4. Real processes and real signals. To hit the short windows every time, the child (a real
`skyasset` CLI run) slows one step down and says on stderr when it is there; nothing else is changed.
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngImageFile

import skyasset
from skyasset.assets.skybox import skybox_targets

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

OLD_SEED, NEW_SEED = 1, 2
SET_ARGS = ["--layout", "faces", "--hdr", "--size", "512"]

# argv: point, pause seconds, then the skyasset arguments. Writes "@<point>" to stderr when it pauses there.
CHILD = r"""
import os, shutil, sys, time

point, pause = sys.argv[1], float(sys.argv[2])
sys.argv = ["skyasset", *sys.argv[3:]]


def mark(text):
    os.write(2, f"@{text}\n".encode())


import skyasset.assets.skybox as skybox
import skyasset.output_set as output_set

if point == "writing":  # while the staged files are written, before the commit
    real_radiance = skybox.write_radiance

    def slow_radiance(*args, **kwargs):
        mark(point)
        time.sleep(pause)
        return real_radiance(*args, **kwargs)

    skybox.write_radiance = slow_radiance
elif point == "moves":  # at the moves themselves, the journal written
    real_publish = output_set._publish

    def slow_publish(*args, **kwargs):
        mark(point)
        time.sleep(pause)
        return real_publish(*args, **kwargs)

    output_set._publish = slow_publish
elif point == "cleanup":  # the set published, its staging folder not yet removed
    real_rmtree = shutil.rmtree

    def slow_rmtree(path, *args, **kwargs):
        if os.path.basename(str(path)).startswith(output_set.STAGING_PREFIX) and output_set.SET_PUBLISHED.is_set():
            mark(point)
            time.sleep(pause)
        return real_rmtree(path, *args, **kwargs)

    shutil.rmtree = slow_rmtree

from skyasset.cli import main

try:
    main()
except SystemExit:
    if point == "answered":  # the answer printed, the process not yet gone
        mark(point)
        time.sleep(pause)
    raise
"""


def _seed_of_set(folder: Path) -> int:
    """The seed the whole visible set was made with; fails on a mixed set."""
    sidecar = json.loads((folder / "sky.json").read_text(encoding="utf-8"))
    seeds = {int(sidecar["skyasset"]["seed"])}
    for entry in sidecar["files"]:
        path = folder / Path(entry["path"]).name
        if path.suffix == ".png":
            with Image.open(path) as image:
                assert isinstance(image, PngImageFile)
                seeds.add(int(image.text["skyasset:seed"]))
    assert len(seeds) == 1, f"mixed set: seeds {seeds}"
    return seeds.pop()


@pytest.fixture
def old_set(tiny_bundle_path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out" / "sky.png"
    skyasset.generate("Cu", OLD_SEED, out, model=str(tiny_bundle_path), layout="faces", hdr=True, size=512)
    return out


def _start(script: Path, point: str, pause: float, out: Path, bundle: Path) -> subprocess.Popen[str]:
    argv = ["generate", "-c", "Cu", "-s", str(NEW_SEED), "-o", str(out), "--model", str(bundle), "--json"]
    return subprocess.Popen(
        [sys.executable, str(script), point, str(pause), *argv, *SET_ARGS, "--force"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_mark(proc: subprocess.Popen[str], point: str, lines: list[str]) -> None:
    found: queue.Queue[bool] = queue.Queue()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if line.strip() == f"@{point}":
                found.put(True)
        found.put(False)

    threading.Thread(target=read, daemon=True).start()
    assert found.get(timeout=120), f"the child never reached {point}: {''.join(lines)}"


def _check_answer_matches_set(rc: int, stdout: str, out: Path) -> str:
    """Old set + `interrupted`, or new set + success; no staging folder. Returns which."""
    folder = out.parent
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == [], "no staging folder is left"
    assert sorted(p.name for p in folder.iterdir()) == sorted(t.name for t in skybox_targets(out, "faces", hdr=True))
    seed = _seed_of_set(folder)
    if rc == 0:
        assert seed == NEW_SEED, "success answered, but the new set is not in place"
        assert json.loads(stdout)["seed"] == NEW_SEED
        return "success"
    assert rc == 130, f"exit {rc}: {stdout}"
    assert json.loads(stdout)["error"]["code"] == "interrupted"
    assert seed == OLD_SEED, "`interrupted` answered, but the new set was published"
    return "interrupted"


@pytest.mark.parametrize(
    ("point", "expected"),
    [("writing", "interrupted"), ("moves", "success"), ("cleanup", "success"), ("answered", "success")],
)
def test_sigterm_at_each_step_of_the_commit(
    point: str, expected: str, old_set: Path, tiny_bundle_path: Path, tmp_path: Path
) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = _start(script, point, 1.0, old_set, tiny_bundle_path)
    lines: list[str] = []
    _wait_for_mark(proc, point, lines)
    proc.send_signal(signal.SIGTERM)
    stdout, _ = proc.communicate(timeout=120)
    assert stdout.count("\n") == 1, f"exactly one answer: {stdout!r}"
    assert _check_answer_matches_set(proc.returncode, stdout, old_set) == expected, "".join(lines)


def test_sigterm_at_spread_delays_never_mismatches(old_set: Path, tiny_bundle_path: Path, tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    started = time.monotonic()
    first = _start(script, "none", 0, old_set, tiny_bundle_path)
    assert first.wait(timeout=120) == 0
    duration = time.monotonic() - started
    seen = []
    for fraction in (0.6, 0.8, 1.0):
        skyasset.generate(  # the old set back, for the next try
            "Cu", OLD_SEED, old_set, model=str(tiny_bundle_path), layout="faces", hdr=True, size=512, force=True
        )
        proc = _start(script, "none", 0, old_set, tiny_bundle_path)
        time.sleep(fraction * duration)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=120)
        if proc.returncode == -signal.SIGTERM and not stdout:
            seen.append("before the CLI started")  # Python itself was still starting: nothing written
            assert _seed_of_set(old_set.parent) == OLD_SEED
            continue
        seen.append(_check_answer_matches_set(proc.returncode, stdout, old_set))
    assert seen, seen
