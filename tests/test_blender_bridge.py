"""The add-on's Blender-free modules: argv, the JSON answer, file picking, paths, the real CLI.

These need no bpy: they import ``blender_addon.cli_bridge`` / ``paths`` directly (the add-on's __init__ only
imports bpy inside register()).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from blender_addon import cli_bridge, paths  # noqa: E402
from blender_addon.cli_bridge import CliError, CliJob, GenerateRequest  # noqa: E402

SKYASSET = str(Path(sys.executable).with_name("skyasset"))


@pytest.fixture(scope="module")
def skyasset_exe() -> str:
    if not os.access(SKYASSET, os.X_OK):
        pytest.skip(f"the skyasset console script is not installed beside {sys.executable}")
    return SKYASSET


# --- argv -------------------------------------------------------------------------------------------------


def test_generate_args_carry_every_setting(tmp_path: Path) -> None:
    request = GenerateRequest(
        cloud="cumulus",
        seed=2147483647,
        out=tmp_path / "my skies" / "sky é.png",
        psi=0.55,
        size=1024,
        hdr=True,
        upscale="fast",
        method="mirror",
        model=tmp_path / "bundle",
    )
    args = cli_bridge.build_generate_args("/opt/sky/bin/skyasset", request)
    assert args[:2] == ["/opt/sky/bin/skyasset", "generate"]
    assert args[-1] == "--json"
    pairs = dict(zip(args[2::1], args[3::1], strict=False))
    assert pairs["--cloud"] == "cumulus" and pairs["--seed"] == "2147483647" and pairs["--psi"] == "0.55"
    assert pairs["--layout"] == "equirect" and pairs["--size"] == "1024" and pairs["--method"] == "mirror"
    assert pairs["--out"] == str(tmp_path / "my skies" / "sky é.png")  # one argv item: no shell quoting
    assert pairs["--model"] == str(tmp_path / "bundle") and pairs["--upscale"] == "fast"
    assert "--hdr" in args and "--force" in args


def test_generate_args_leave_defaults_to_the_cli(tmp_path: Path) -> None:
    args = cli_bridge.build_generate_args("skyasset", GenerateRequest("St", 0, tmp_path / "a.png", force=False))
    assert "--model" not in args and "--method" not in args and "--hdr" not in args and "--force" not in args
    assert "--upscale" not in args


def test_unknown_upscale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CliError) as caught:
        cli_bridge.build_generate_args("skyasset", GenerateRequest("Cu", 1, tmp_path / "a.png", upscale="magic"))
    assert caught.value.code == "invalid_argument" and "fast" in caught.value.message


def test_upscaled_sky_through_the_real_cli(skyasset_exe: str, tiny_bundle_path: Path, tmp_path: Path) -> None:
    request = GenerateRequest("Cu", 7, None, size=512, upscale="fast", model=tiny_bundle_path, out_dir=tmp_path)
    job = CliJob(cli_bridge.build_generate_args(skyasset_exe, request))
    assert job.wait(timeout=120) == "done"
    answer = job.result()
    assert answer["upscale"] == "fast" and answer["stem"] == "cumulus_7_psi070_512_fast"  # the class's name
    assert (tmp_path / "cumulus_7_psi070_512_fast.png").is_file()


@pytest.mark.parametrize("seed", [-1, 2**31])
def test_seed_out_of_range_is_refused(seed: int, tmp_path: Path) -> None:
    with pytest.raises(CliError) as caught:
        cli_bridge.build_generate_args("skyasset", GenerateRequest("Cu", seed, tmp_path / "a.png"))
    assert caught.value.code == "invalid_argument" and "2147483647" in caught.value.message


def test_classes_and_model_info_args(tmp_path: Path) -> None:
    assert cli_bridge.build_classes_args("sk") == ["sk", "classes", "--json"]
    assert cli_bridge.build_model_info_args("sk", tmp_path) == [
        "sk",
        "model",
        "info",
        "--model",
        str(tmp_path),
        "--json",
    ]


# --- the JSON answer --------------------------------------------------------------------------------------


def test_parse_answer_success_takes_the_json_line() -> None:
    stdout = 'a warning someone printed\n{"outputs": ["/x.png"], "files": []}\n\n'
    assert cli_bridge.parse_answer(stdout, 0) == {"outputs": ["/x.png"], "files": []}


def test_parse_answer_error_object_keeps_code_and_message() -> None:
    stdout = json.dumps({"error": {"code": "unknown_cloud", "message": "Unknown cloud type 'cumulo'."}})
    with pytest.raises(CliError) as caught:
        cli_bridge.parse_answer(stdout, 2)
    assert caught.value.code == "unknown_cloud" and caught.value.message == "Unknown cloud type 'cumulo'."


def test_parse_answer_without_json_names_the_fix() -> None:
    with pytest.raises(CliError) as caught:
        cli_bridge.parse_answer("", 1, "Traceback ...\nImportError: no module named skyasset\n")
    assert caught.value.code == "cli_failed"
    assert "ImportError" in caught.value.message and "preferences" in caught.value.message


def test_parse_answer_nonzero_exit_without_error_object() -> None:
    with pytest.raises(CliError) as caught:
        cli_bridge.parse_answer('{"outputs": []}', 1)
    assert caught.value.code == "cli_failed"


def _file(path: str, role: str, fmt: str) -> dict[str, Any]:
    return {"path": path, "role": role, "format": fmt, "width": 8, "height": 4}


def test_pick_sky_file_by_role_and_format() -> None:
    answer = {
        "files": [
            _file("/s.png", "equirect", "png"),
            _file("/s.hdr", "equirect", "hdr"),
            _file("/s.exr", "equirect", "exr"),
            _file("/s.json", "sidecar", "json"),
        ]
    }
    assert cli_bridge.pick_sky_file(answer, prefer_hdr=True) == Path("/s.hdr")
    assert cli_bridge.pick_sky_file(answer, prefer_hdr=False) == Path("/s.png")
    flat = {"files": [_file("/f.png", "flat", "png")]}
    assert cli_bridge.pick_sky_file(flat, prefer_hdr=True) == Path("/f.png")


def test_pick_sky_file_refuses_cube_faces() -> None:
    faces = {"files": [_file(f"/s_{f}.png", f"face:{f}", "png") for f in ("front", "back")]}
    with pytest.raises(CliError) as caught:
        cli_bridge.pick_sky_file(faces, prefer_hdr=False)
    assert caught.value.code == "no_sky_file" and "face:front" in caught.value.message


# --- finding the executable -------------------------------------------------------------------------------


def test_find_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "bin" / "skyasset"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\necho '{}'\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    home = tmp_path / "home"
    assert cli_bridge.find_executable("", home=home) is None
    assert cli_bridge.find_executable(str(exe), home=home) == str(exe.resolve())
    assert cli_bridge.find_executable(str(tmp_path / "missing"), home=home) is None
    monkeypatch.setenv("PATH", str(exe.parent))
    assert cli_bridge.find_executable("", home=home) == str(exe)
    assert cli_bridge.find_executable("  ", home=home) == str(exe)
    # Not on PATH, but where pipx / pip --user put it.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    user_exe = home / ".local" / "bin" / "skyasset"
    user_exe.parent.mkdir(parents=True)
    user_exe.write_text(exe.read_text())
    user_exe.chmod(0o755)
    assert cli_bridge.find_executable("", home=home) == str(user_exe)


# --- output paths -----------------------------------------------------------------------------------------


def test_output_folder_rules(tmp_path: Path) -> None:
    assert paths.output_folder(str(tmp_path / "mine"), "/p/scene.blend", "/tmp/b") == tmp_path / "mine"
    assert paths.output_folder("", "/p/scene.blend", "/tmp/b") == Path("/p/skies")
    assert paths.output_folder("", "", "/tmp/b") == Path("/tmp/b/skyasset")


def test_an_output_folder_lets_the_cli_name_the_files(tmp_path: Path) -> None:
    request = GenerateRequest("cumulus", 7, None, out_dir=tmp_path / "my skies")
    args = cli_bridge.build_generate_args("skyasset", request)
    assert args[args.index("--out-dir") + 1] == str(tmp_path / "my skies") and "--out" not in args


@pytest.mark.parametrize("out", [None, Path("sky.png")])
def test_a_request_names_exactly_one_destination(out: Path | None, tmp_path: Path) -> None:
    request = GenerateRequest("cumulus", 7, out, out_dir=tmp_path if out is not None else None)
    with pytest.raises(CliError) as caught:
        cli_bridge.build_generate_args("skyasset", request)
    assert caught.value.code == "invalid_argument" and "out_dir" in caught.value.message


# --- the real CLI -----------------------------------------------------------------------------------------


def test_query_classes_from_the_tiny_model(skyasset_exe: str, tiny_bundle_path: Path) -> None:
    types = cli_bridge.query_classes(skyasset_exe, tiny_bundle_path)
    assert len(types) == 11
    assert ("Cu", "cumulus") in [(t.code, t.name) for t in types]


def test_job_generates_an_equirect_sky_with_hdr(skyasset_exe: str, tiny_bundle_path: Path, tmp_path: Path) -> None:
    request = GenerateRequest("cumulus", 7, None, size=256, hdr=True, model=tiny_bundle_path, out_dir=tmp_path)
    job = CliJob(cli_bridge.build_generate_args(skyasset_exe, request))
    assert job.poll() in {"running", "done"}
    assert job.wait(timeout=120) == "done"
    answer = job.result()
    assert answer["cloud"] == "Cu" and answer["seed"] == 7 and answer["layout"] == "equirect"
    hdr_file = cli_bridge.pick_sky_file(answer, prefer_hdr=True)
    png_file = cli_bridge.pick_sky_file(answer, prefer_hdr=False)
    assert answer["stem"] == "cumulus_7_psi070_256"
    assert hdr_file.suffix in {".hdr", ".exr"} and hdr_file.is_file() and hdr_file.stem == answer["stem"]
    assert png_file == tmp_path / "cumulus_7_psi070_256.png" and png_file.is_file()


def test_job_reports_the_cli_error_code(skyasset_exe: str, tmp_path: Path) -> None:
    request = GenerateRequest("cumulus", 7, tmp_path / "sky.png", size=256, model=tmp_path / "no-bundle")
    job = CliJob(cli_bridge.build_generate_args(skyasset_exe, request))
    assert job.wait(timeout=120) == "failed"
    with pytest.raises(CliError) as caught:
        job.result()
    assert caught.value.code == "bundle_not_found" and "no-bundle" in caught.value.message
    assert job.returncode == 3


def test_job_cancel_stops_the_process() -> None:
    job = CliJob([sys.executable, "-c", "import time; time.sleep(60)"])
    assert job.poll() == "running"
    job.cancel(grace=5)
    assert job.poll() == "cancelled" and job.returncode is not None and job.elapsed < 10
    with pytest.raises(CliError) as caught:
        job.result()
    assert caught.value.code == "cancelled"


def test_job_with_a_missing_program(tmp_path: Path) -> None:
    with pytest.raises(CliError) as caught:
        CliJob([str(tmp_path / "nope"), "classes", "--json"])
    assert caught.value.code == "cli_not_found"


def test_job_survives_a_chatty_stderr() -> None:
    # More than a pipe buffer of progress text on stderr must not stall the child.
    code = "import sys; sys.stderr.write('x' * 300000); print('{\"ok\": true}')"
    job = CliJob([sys.executable, "-c", code])
    assert job.wait(timeout=30) == "done" and job.result() == {"ok": True}


def test_blender_python_variables_do_not_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONHOME", "/nonexistent/blender/python")
    code = "import json, os; print(json.dumps({'home': os.environ.get('PYTHONHOME')}))"
    job = CliJob([sys.executable, "-c", code])
    assert job.wait(timeout=30) == "done" and job.result() == {"home": None}
    broken = subprocess.run([sys.executable, "-c", "pass"], check=False, capture_output=True)
    assert broken.returncode != 0  # what the variable would do to the CLI


# --- packaging --------------------------------------------------------------------------------------------


def test_manifest_and_bl_info_agree() -> None:
    import tomllib

    import blender_addon  # importable without bpy: __init__ imports bpy only inside register()

    manifest = tomllib.loads((REPO_ROOT / "blender_addon" / "blender_manifest.toml").read_text("utf-8"))
    assert manifest["id"] == "skyasset" and manifest["type"] == "add-on"
    assert manifest["version"] == ".".join(map(str, blender_addon.bl_info["version"]))
    assert manifest["name"] == blender_addon.bl_info["name"]
    assert manifest["blender_version_min"] == "4.2.0" and blender_addon.bl_info["blender"] == (3, 6, 0)


def test_pure_modules_do_not_import_bpy_or_skyasset() -> None:
    import ast

    for name in ("cli_bridge", "sun", "paths"):
        tree = ast.parse((REPO_ROOT / "blender_addon" / f"{name}.py").read_text("utf-8"))
        imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not imported & {"bpy", "skyasset", "mathutils"}, name
    for path in (REPO_ROOT / "blender_addon").glob("*.py"):
        assert "import skyasset" not in path.read_text("utf-8") and "from skyasset" not in path.read_text("utf-8")


def test_the_add_on_modules_import_each_other_without_a_cycle() -> None:
    import ast

    from tests.test_import_structure import cycles

    folder = REPO_ROOT / "blender_addon"
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        relative = [n for n in ast.walk(ast.parse(path.read_text("utf-8"))) if isinstance(n, ast.ImportFrom)]
        targets = {f"{n.module}" for n in relative if n.level == 1 and n.module}  # from .x import y
        targets |= {a.name for n in relative if n.level == 1 and not n.module for a in n.names}  # from . import x
        graph[path.stem] = targets - {"__init__"}
    assert cycles(graph) == []
    # The graph sees imports inside functions too: the old one, preferences -> properties, made a cycle.
    assert cycles({**graph, "preferences": graph["preferences"] | {"properties"}}) != []
