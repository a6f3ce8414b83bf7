"""Staging recovery trusts only its own journals: a planted `.commit.json` moves nothing outside the folder.

Issue 28, item 1: names with `..`, absolute names, names through a symlinked folder, a staging folder that is a
symlink or belongs to someone else all moved (and overwrote) files elsewhere while the run reported success.
Real files, real symlinks, and one real `skyasset generate` process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from skyasset.output_set import STAGING_PREFIX, recover_staging

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX ownership, symlinks and flock")

STAGE = f"{STAGING_PREFIX}planted.skyasset-tmp"


class World:
    """``root/a/out`` is the output folder; everything else under ``root`` is outside it and must not change."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = root / "a" / "out"
        self.out.mkdir(parents=True)
        self.elsewhere = root / "elsewhere"
        self.elsewhere.mkdir()
        (root / "a" / "victim.txt").write_text("precious a")
        (root / "victim.txt").write_text("precious root")
        (self.elsewhere / "secret.txt").write_text("precious secret")

    def outside(self) -> dict[str, str]:
        """Every file outside the output folder (symlinks not followed) with its content."""
        found: dict[str, str] = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            if Path(dirpath) == self.out:
                dirnames[:] = []
                continue
            for name in filenames:
                path = Path(dirpath) / name
                found[str(path.relative_to(self.root))] = "<link>" if path.is_symlink() else path.read_text()
        return found

    def stage(self, names: list[str], files: dict[str, str] | None = None, mode: int = 0o700) -> Path:
        stage = self.out / STAGE
        stage.mkdir(mode=mode)
        os.chmod(stage, mode)
        for name, text in (files or {}).items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            (stage / name).write_text(text)
        (stage / ".commit.json").write_text(json.dumps({"names": names}))
        return stage


def _dotdot(w: World) -> None:
    # stage/../../victim.txt is root/a/victim.txt; out/../../victim.txt is root/victim.txt: one would overwrite
    # the other.
    w.stage(["../../victim.txt"])


def _absolute_beside_a_good_name(w: World) -> None:
    w.stage([str(w.root / "victim.txt"), "sky.png"], {"sky.png": "staged"})


def _through_a_symlinked_folder(w: World) -> None:
    (w.out / "link").symlink_to(w.elsewhere, target_is_directory=True)
    w.stage(["link/secret.txt"], {"link/secret.txt": "evil"})


def _stage_is_a_symlink(w: World) -> None:
    (w.elsewhere / ".commit.json").write_text(json.dumps({"names": ["secret.txt"]}))
    (w.out / STAGE).symlink_to(w.elsewhere, target_is_directory=True)


def _journal_is_a_symlink(w: World) -> None:
    stage = w.stage([], {"sky.png": "staged"})
    (w.root / "evil.json").write_text(json.dumps({"names": ["sky.png"]}))
    (stage / ".commit.json").unlink()
    (stage / ".commit.json").symlink_to(w.root / "evil.json")


def _entry_is_a_symlink(w: World) -> None:
    stage = w.stage(["sky.png"])
    (stage / "sky.png").symlink_to(w.elsewhere / "secret.txt")


def _others_can_write_the_stage(w: World) -> None:
    w.stage(["sky.png"], {"sky.png": "staged"}, mode=0o777)


def _journal_is_a_fifo(w: World) -> None:
    stage = w.stage([], {"sky.png": "staged"})
    (stage / ".commit.json").unlink()
    os.mkfifo(stage / ".commit.json")


def _nul_and_dot_names(w: World) -> None:
    w.stage(["sky.png", ".", "..", "a\0b"], {"sky.png": "staged"})


PLANTS: dict[str, Callable[[World], None]] = {
    "dotdot": _dotdot,
    "absolute": _absolute_beside_a_good_name,
    "symlinked_folder": _through_a_symlinked_folder,
    "stage_symlink": _stage_is_a_symlink,
    "journal_symlink": _journal_is_a_symlink,
    "entry_symlink": _entry_is_a_symlink,
    "group_writable_stage": _others_can_write_the_stage,
    "fifo_journal": _journal_is_a_fifo,
    "nul_and_dot_names": _nul_and_dot_names,
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_a_planted_journal_moves_nothing(plant: str, tmp_path: Path) -> None:
    world = World(tmp_path)
    PLANTS[plant](world)
    before = world.outside()
    recover_staging(world.out)
    assert world.outside() == before, "nothing outside the output folder changed"
    visible = sorted(p.name for p in world.out.iterdir() if not p.name.startswith("."))
    assert visible in ([], ["link"]), f"nothing was moved into the folder either: {visible}"


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="making a stranger's folder needs root")
def test_a_strangers_staging_folder_is_left_alone(tmp_path: Path) -> None:
    world = World(tmp_path)
    stage = world.stage(["sky.png"], {"sky.png": "staged"})
    for path in (stage, stage / "sky.png", stage / ".commit.json"):
        os.chown(path, 65534, 65534)
    recover_staging(world.out)
    assert not (world.out / "sky.png").exists(), "another user's journal is not followed"
    assert (stage / "sky.png").read_text() == "staged", "nor is their folder removed"


def test_our_own_journal_is_still_finished(tmp_path: Path) -> None:
    # The trust checks must not stop the legitimate roll-forward of a commit killed half-way.
    world = World(tmp_path)
    (world.out / "sky.png").write_text("already moved")
    world.stage(["sky.png", "sky.json"], {"sky.json": "staged sidecar"})
    recover_staging(world.out)
    assert (world.out / "sky.json").read_text() == "staged sidecar"
    assert (world.out / "sky.png").read_text() == "already moved"
    assert not (world.out / STAGE).exists()


def test_a_run_beside_planted_journals_succeeds_and_touches_nothing_outside(
    tiny_bundle_path: Path, tmp_path: Path
) -> None:
    """The run skips what it does not trust (a stranger's folder must not be able to stop runs there)."""
    world = World(tmp_path)
    _through_a_symlinked_folder(world)
    (world.out / STAGE).rename(world.out / f"{STAGING_PREFIX}one.skyasset-tmp")
    _dotdot(world)
    (world.out / STAGE).rename(world.out / f"{STAGING_PREFIX}two.skyasset-tmp")
    _others_can_write_the_stage(world)
    before = world.outside()
    proc = subprocess.run(
        [sys.executable, "-m", "skyasset", "generate", "-c", "Cu", "-s", "7", "--model", str(tiny_bundle_path)]
        + ["-o", str(world.out / "sky.png"), "--layout", "equirect", "--size", "256", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [Path(p).name for p in json.loads(proc.stdout)["outputs"]] == ["sky.png", "sky.json"]
    assert world.outside() == before
    assert (world.out / "sky.png").read_bytes()[:4] == b"\x89PNG"
    # Our own (trusted, dead) folders with a bad journal are gone; the stranger-writable one stays.
    assert sorted(p.name for p in world.out.iterdir() if p.name.startswith(".")) == [STAGE]
