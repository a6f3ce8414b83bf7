"""A skybox is one unit: interrupted, killed, raced or sabotaged, the folder holds the old set or the new one.

Real processes, real signals: ``skyasset generate --layout faces --hdr`` (19 files) on the tiny bundle.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

import skyasset
from skyasset.assets import skybox as skybox_module
from skyasset.assets.skybox import skybox_targets
from skyasset.errors import SkyassetError
from skyasset.output_set import STAGING_PREFIX, recover_staging

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and flock")

FACES_HDR = ["--layout", "faces", "--hdr", "--size", "1024"]


def _cli(tiny: Path, out: Path, seed: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "skyasset",
        "generate",
        "-c",
        "Cu",
        "-s",
        str(seed),
        "-o",
        str(out),
        "--model",
        str(tiny),
        "--json",
        *FACES_HDR,
        *extra,
    ]


def _visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _seed_of_set(folder: Path) -> int:
    """The seed the whole set was made with; fails if its files disagree (a mixed set)."""
    sidecar = json.loads((folder / "sky.json").read_text(encoding="utf-8"))
    seeds = {int(sidecar["skyasset"]["seed"])}
    for entry in sidecar["files"]:
        path = Path(entry["path"])
        assert path.parent == folder.resolve(), "the sidecar names the files where they are"
        assert path.is_file(), path
        if path.suffix == ".png":
            seeds.add(int(Image.open(path).text["skyasset:seed"]))
    assert len(seeds) == 1, f"mixed set: seeds {seeds}"
    return seeds.pop()


@pytest.fixture
def expected_names(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in skybox_targets(tmp_path / "sky.png", "faces", hdr=True))


def test_targets_are_the_files_written(tiny_bundle_path: Path, tmp_path: Path, expected_names: list[str]) -> None:
    result = skyasset.generate(
        "Cu", 1, tmp_path / "sky.png", model=str(tiny_bundle_path), layout="faces", hdr=True, size=512
    )
    assert sorted(p.name for p in result.outputs) == expected_names == _visible(tmp_path)
    assert _hidden(tmp_path) == []
    assert len(expected_names) == 19


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT", "SIGTERM"])
def test_interrupted_at_random_points_leaves_old_or_new_set(
    how: str, tiny_bundle_path: Path, tmp_path: Path, expected_names: list[str]
) -> None:
    out = tmp_path / "sky.png"
    subprocess.run(_cli(tiny_bundle_path, out, 1), check=True, capture_output=True)
    started = time.monotonic()
    subprocess.run(_cli(tiny_bundle_path, out, 2, "--force"), check=True, capture_output=True)
    duration = time.monotonic() - started
    previous = 2
    rng = random.Random(how)
    for attempt in range(6):
        proc = subprocess.Popen(
            _cli(tiny_bundle_path, out, 10 + attempt, "--force"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(rng.uniform(0.2, 1.1) * duration)
        proc.send_signal(getattr(signal, how))
        stdout, stderr = proc.communicate(timeout=60)
        if how == "SIGKILL":
            # Nothing runs at a SIGKILL: a hidden staging folder may stay until the next write there, and a
            # kill during the moves leaves a journal from which that write finishes them first.
            assert all(name.startswith(STAGING_PREFIX) for name in _hidden(tmp_path))
            if not any((tmp_path / name / ".commit.json").exists() for name in _hidden(tmp_path)):
                _seed_of_set(tmp_path)  # no commit under way: whole as it is
            recover_staging(tmp_path)
        assert _visible(tmp_path) == expected_names, "a set is whole, never partly replaced"
        assert _seed_of_set(tmp_path) in (previous, 10 + attempt)
        previous = _seed_of_set(tmp_path)
        if how != "SIGKILL" and proc.returncode > 0:  # < 0: the signal came during start-up, before the CLI
            assert proc.returncode == 130, stdout + stderr
            assert json.loads(stdout)["error"]["code"] == "interrupted"
        assert _hidden(tmp_path) == [], "no temporary files are left"


def test_killed_during_the_moves_is_finished_by_the_next_writer(
    tiny_bundle_path: Path, tmp_path: Path, expected_names: list[str]
) -> None:
    # A commit cut off half-way (journal written, some files moved): recovery rolls it forward.
    out = tmp_path / "sky.png"
    skyasset.generate("Cu", 1, out, model=str(tiny_bundle_path), layout="faces", hdr=True, size=512)
    staging = tmp_path / "new"
    skyasset.generate("Cu", 2, staging / "sky.png", model=str(tiny_bundle_path), layout="faces", hdr=True, size=512)
    sidecar = json.loads((staging / "sky.json").read_text())
    for entry in sidecar["files"]:
        entry["path"] = str(tmp_path.resolve() / Path(entry["path"]).name)
    (staging / "sky.json").write_text(json.dumps(sidecar))
    stage = tmp_path / f"{STAGING_PREFIX}dead.skyasset-tmp"
    staging.rename(stage)
    (stage / ".commit.json").write_text(json.dumps({"names": expected_names}))
    for name in expected_names[:7]:
        os.replace(stage / name, tmp_path / name)
    recover_staging(tmp_path)
    assert _visible(tmp_path) == expected_names and _hidden(tmp_path) == []
    assert _seed_of_set(tmp_path) == 2


def test_concurrent_writers_never_mix(tiny_bundle_path: Path, tmp_path: Path, expected_names: list[str]) -> None:
    out = tmp_path / "sky.png"
    procs = [
        subprocess.Popen(_cli(tiny_bundle_path, out, seed, "--force"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for seed in range(4)
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    assert _visible(tmp_path) == expected_names and _hidden(tmp_path) == []
    assert _seed_of_set(tmp_path) in range(4)

    other = tmp_path / "other"
    procs = [
        subprocess.Popen(
            _cli(tiny_bundle_path, other / "sky.png", seed), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for seed in range(4)
    ]
    answers = [(p.wait(timeout=120), p.communicate()[0]) for p in procs]
    winners = [rc for rc, _ in answers if rc == 0]
    assert len(winners) == 1, answers
    for rc, stdout in answers:
        if rc:
            assert rc == 4 and json.loads(stdout)["error"]["code"] == "output_exists"
    assert _visible(other) == expected_names and _hidden(other) == []
    _seed_of_set(other)


def test_a_planted_symlink_is_never_followed(tiny_bundle_path: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "sky.png").symlink_to(victim)
    with pytest.raises(SkyassetError) as caught:
        skyasset.generate("Cu", 1, folder / "sky.png", model=str(tiny_bundle_path), size=256)
    assert caught.value.code == "output_exists" and "symbolic link" in caught.value.message
    skyasset.generate("Cu", 1, folder / "sky.png", model=str(tiny_bundle_path), size=256, force=True)
    assert victim.read_text() == "precious"
    assert not (folder / "sky.png").is_symlink()
    # Flat output, a single file, too.
    (folder / "flat.png").symlink_to(victim)
    skyasset.generate("Cu", 1, folder / "flat.png", model=str(tiny_bundle_path), layout="flat", force=True)
    assert victim.read_text() == "precious" and not (folder / "flat.png").is_symlink()


def test_temporary_names_are_unpredictable(tiny_bundle_path: Path, tmp_path: Path, monkeypatch) -> None:
    seen: list[str] = []
    real_write = skybox_module.write_image

    def spy(path: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(str(path))
        return real_write(path, *args, **kwargs)

    monkeypatch.setattr(skybox_module, "write_image", spy)
    for _ in range(2):
        skyasset.generate("Cu", 1, tmp_path / "sky.png", model=str(tiny_bundle_path), size=256, force=True)
    assert len(seen) == 2 and seen[0] != seen[1], "each run stages in a fresh, randomly named folder"
    assert str(os.getpid()) not in Path(seen[0]).parent.name


def test_disk_full_half_way_leaves_the_old_set(
    tiny_bundle_path: Path, tmp_path: Path, monkeypatch, expected_names: list[str]
) -> None:
    out = tmp_path / "sky.png"
    skyasset.generate("Cu", 1, out, model=str(tiny_bundle_path), layout="faces", hdr=True, size=512)
    before = {name: (tmp_path / name).read_bytes() for name in expected_names}
    calls = {"n": 0}
    real_exr = skybox_module.write_exr

    def full_disk(path: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_exr(path, *args, **kwargs)

    monkeypatch.setattr(skybox_module, "write_exr", full_disk)
    with pytest.raises(SkyassetError) as caught:
        skyasset.generate("Cu", 2, out, model=str(tiny_bundle_path), layout="faces", hdr=True, size=512, force=True)
    assert caught.value.code == "io_error" and "No space left" in caught.value.message
    assert {name: (tmp_path / name).read_bytes() for name in expected_names} == before
    assert _hidden(tmp_path) == []


def test_existing_outputs_are_found_before_any_work(tiny_bundle_path: Path, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "sky_up.exr").write_bytes(b"old")

    def no_generation(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the sky was generated before the outputs were checked")

    monkeypatch.setattr("skyasset.generator.SkyGenerator.ring_views", no_generation)
    monkeypatch.setattr("skyasset.generator.SkyGenerator.canvas", no_generation)
    monkeypatch.setattr("skyasset.generator.SkyGenerator.generate", no_generation)
    with pytest.raises(SkyassetError) as caught:
        skyasset.generate(
            "Cu", 1, tmp_path / "sky.png", model=str(tiny_bundle_path), layout="faces", hdr=True, upscale="fast"
        )
    assert caught.value.code == "output_exists" and "sky_up.exr" in caught.value.message


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["-o", "/dev/null", "--force", "--layout", "flat"], "io_error"),
        (["-o", "", "--layout", "flat"], "invalid_argument"),
        (["-o", "{tmp}/a.png", "--mix", "nosuch:0"], "unknown_cloud"),
        (["-o", "{tmp}/a.png", "--psi", "7"], "invalid_argument"),
    ],
)
def test_edge_arguments_get_named_errors(tiny_bundle_path: Path, tmp_path: Path, args: list[str], code: str) -> None:
    from typer.testing import CliRunner

    from skyasset.cli.app import app

    argv = ["generate", "-c", "Cu", "--model", str(tiny_bundle_path), "--json"]
    argv += [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code != 0 and json.loads(result.stdout)["error"]["code"] == code
    assert list(tmp_path.iterdir()) == []


def test_an_option_missing_its_value_keeps_the_json_answer(capsys: pytest.CaptureFixture[str]) -> None:
    from skyasset.cli.app import main

    assert main(["generate", "-o", "sky.png", "--cloud", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "invalid_argument" and "--cloud" in error["message"]
