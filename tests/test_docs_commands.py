"""The docs work as written: every fenced shell command of README.md, the Blender add-on's README and the Unity
package's docs is sorted into safe-to-run (run here, as written, in a fresh working directory that holds what a
clone holds for it: rc 0 and the files it promises) or skipped with the reason (installs, servers, training,
placeholders, Blender/Unity GUIs); and the docs hold none of the slips issue 29 found."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests._doc_commands import DocCommand, classify, commands

REPO = Path(__file__).resolve().parents[1]
UNITY_DOCS = ["unity_package/README.md", "unity_package/Documentation~/index.md"]
DOCS = ["README.md", "blender_addon/README.md", *UNITY_DOCS]
# What the runnable commands read from the clone; the rest of it is the installed package they run.
CLONE_PATHS = ["blender_addon"]
COMMAND_TIMEOUT_S = 180


def _all_commands() -> list[DocCommand]:
    return [c for doc in DOCS for c in commands(doc, (REPO / doc).read_text(encoding="utf-8"))]


ALL_COMMANDS = _all_commands()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A fresh working directory with the clone's files the commands use (the repository itself is not touched)."""
    work = tmp_path / "clone"
    work.mkdir()
    for name in CLONE_PATHS:
        shutil.copytree(REPO / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    return work


def _environment(tmp_path: Path) -> dict[str, str]:
    """The reader's shell after the README's setup: this interpreter's venv first on PATH, a scratch home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKYASSET_")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["HOME"] = str(tmp_path / "home")
    Path(env["HOME"]).mkdir(exist_ok=True)
    return env


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S
    )


def _check_outputs(command: str, done: subprocess.CompletedProcess[str], cwd: Path) -> None:
    """Beyond rc 0: the files or the answer the command promises."""
    argv = shlex.split(command)
    if argv[:2] == ["skyasset", "generate"] and "--out-dir" in argv:
        folder = cwd / argv[argv.index("--out-dir") + 1]
        assert list(folder.glob("*.png")), f"{command}: no sky in {folder.name}/"
    elif argv[:2] == ["skyasset", "generate"]:
        out = cwd / argv[argv.index("-o" if "-o" in argv else "--out") + 1]
        assert out.is_file() and out.stat().st_size > 0, f"{command}: no {out.name}"
    elif "extension build" in command or "blender_ext.py" in command:
        assert len(list((cwd / "dist").glob("skyasset-*.zip"))) == 1, f"{command}: no add-on zip in dist/"
    elif command == "command -v skyasset":
        assert Path(done.stdout.strip()).parent == Path(sys.executable).parent, done.stdout
    elif argv[:2] == ["skyasset", "classes"]:
        assert "cumulus" in done.stdout


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=[c.test_id for c in ALL_COMMANDS])
def test_doc_command_runs_as_written(command: DocCommand, clone: Path, tmp_path: Path) -> None:
    verdict = classify(command.text)
    assert verdict is not None, (
        f"{command.doc} line {command.line}: `{command.text}` is not sorted: add it to the run or skip rules "
        "in tests/_doc_commands.py"
    )
    if not verdict.run:
        pytest.skip(f"{command.text!r}: {verdict.reason}")
    env = _environment(tmp_path)
    # The runnable commands before it on the same line come first (`mkdir -p dist && ...build...`).
    for earlier in command.chain[: command.index]:
        earlier_verdict = classify(earlier)
        if earlier_verdict is not None and earlier_verdict.run:
            done = _run(earlier, clone, env)
            assert done.returncode == 0, f"`{earlier}` failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    done = _run(command.text, clone, env)
    assert done.returncode == 0, (
        f"`{command.text}` failed (rc {done.returncode}):\n{done.stdout[-2000:]}\n" + (done.stderr[-3000:])
    )
    _check_outputs(command.text, done, clone)


def test_the_quick_starts_have_commands_to_run() -> None:
    """Guards the extraction: each doc's blocks are found, and the key commands are among the ones run."""
    for doc in DOCS:
        assert any(c.doc == doc for c in ALL_COMMANDS), f"no fenced shell command found in {doc}"
    run = [c.text for c in ALL_COMMANDS if (v := classify(c.text)) is not None and v.run]
    assert any(t.startswith("skyasset generate") for t in run)
    assert "mkdir -p dist" in run  # the add-on build's output folder is made before the build


def test_the_blender_build_needs_its_output_folder(clone: Path, tmp_path: Path) -> None:
    """Why the docs say `mkdir -p dist` first: Blender's extension builder does not create the folder."""
    pytest.importorskip("bpy")
    build = next(c.text for c in ALL_COMMANDS if c.doc == "blender_addon/README.md" and "blender_ext.py" in c.text)
    done = _run(build, clone, _environment(tmp_path))
    assert done.returncode != 0 and not (clone / "dist").exists()


STALE = {
    "a placeholder repository owner": re.compile(r"<owner>"),
    "the nonexistent hdr extra": re.compile(r"skyasset\[hdr\]"),
    "pip install skyasset from an index (it is installed from the clone)": re.compile(
        r"pip install (?:-\S+ )*[\"']?skyasset(?=[\s\"'`\[)]|$)", re.M
    ),
    "the stale no-model advice (a trained default model ships)": re.compile(r"No trained sky model"),
}


@pytest.mark.parametrize("doc", [*DOCS, "unity_package/package.json"])
def test_docs_hold_no_stale_advice(doc: str) -> None:
    text = (REPO / doc).read_text(encoding="utf-8")
    found = {what: m.group(0) for what, pattern in STALE.items() if (m := pattern.search(text))}
    assert not found, f"{doc}: {found}"


def test_the_stale_patterns_catch_the_old_slips() -> None:
    """Guards the patterns themselves, on the sentences issue 29 found."""
    old = [
        "https://github.com/<owner>/skyasset.git?path=/unity_package",
        'pip install "skyasset[hdr]"',
        "~/skyasset-venv/bin/pip install skyasset            # Windows",
        "Needs the skyasset command-line tool (pip install skyasset).",
        "pip install 'skyasset[best]'",
        'answers "No trained sky model is installed"',
    ]
    for sentence in old:
        assert any(p.search(sentence) for p in STALE.values()), sentence
    for fine in ("pip install -e .", "pip install /path/to/skyasset", 'pip install -e ".[best]"'):
        assert not any(p.search(fine) for p in STALE.values()), fine


def test_the_unity_readme_states_the_windows_default_upscale() -> None:
    window = (REPO / "unity_package/Editor/Window/SkyassetWindow.cs").read_text(encoding="utf-8")
    labels_match = re.search(r"k_UpscaleLabels = \{([^}]*)\}", window)
    default_match = re.search(r"int m_Upscale(?: = (\d+))?;", window)  # no initializer: 0
    assert labels_match and default_match, "the window's upscale labels or default moved: update this test"
    labels = re.findall(r'"([^"]*)"', labels_match.group(1))
    default = labels[int(default_match.group(1) or 0)]
    readme = (REPO / "unity_package/README.md").read_text(encoding="utf-8")
    assert f"| Upscale | **{default}** (default) |" in readme
