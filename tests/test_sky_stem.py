"""One name for a sky: the core decides the file stem from the settings, and every front end writes it.

The front ends are run for real: the CLI (`generate --out-dir`), the studio's runner, the Blender add-on in real
bpy (its Generate operator) and the Unity package's C# bridge under Mono (tests/unity_stubs/Harness). The Blender
and Unity parts skip, with the reason, where bpy or Mono is not installed.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from skyasset.cli.app import main
from skyasset.generator import SkyGenerator
from skyasset.naming import cloud_name_part, sky_stem
from skyasset.studio.jobs import Job
from skyasset.studio.params import GenerateParams
from skyasset.studio.runner import make_runner

REPO = Path(__file__).resolve().parents[1]
SKYASSET = Path(sys.executable).with_name("skyasset")
# One sky, asked for by code everywhere: the stem carries the model's name for it.
CLOUD, SEED, PSI, SIZE, UPSCALE = "Cu", 7, 0.7, 512, "fast"
STEM = "cumulus_7_psi070_512_fast"


@pytest.fixture(scope="module")
def gen(tiny_bundle_path: Path) -> SkyGenerator:
    return SkyGenerator(tiny_bundle_path)


def run_cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    return code, json.loads(capsys.readouterr().out)


# --- the core ------------------------------------------------------------------------------------------------


def test_the_stem_carries_every_setting_that_changes_the_sky(gen: SkyGenerator) -> None:
    assert sky_stem(CLOUD, SEED, PSI, SIZE, upscale=UPSCALE, gen=gen) == STEM
    assert sky_stem("cumulus", SEED, PSI, SIZE, upscale=UPSCALE, gen=gen) == STEM  # code and name: one sky
    assert sky_stem(CLOUD, SEED, PSI, 2048, gen=gen) == "cumulus_7_psi070_2048"
    assert sky_stem("St", 2147483647, 1.0, 256, mix="Cu:0.3", layout="faces", gen=gen) == (
        "stratus_2147483647_psi100_mix-cumulus030_256_faces"
    )
    assert sky_stem(CLOUD, SEED, -0.5, SIZE, gen=gen) == "cumulus_7_psi-50_512"
    # The model's default method is left out (the tiny model has a canvas graph: native); another is named.
    assert gen.has_canvas
    assert sky_stem(CLOUD, SEED, PSI, SIZE, method="native", gen=gen) == "cumulus_7_psi070_512"
    assert sky_stem(CLOUD, SEED, PSI, SIZE, method="ring", gen=gen) == "cumulus_7_psi070_512_ring"
    # flat writes the model's own image (4x when upscaled), whatever --size says; no method applies.
    assert sky_stem(CLOUD, SEED, PSI, 4096, layout="flat", method="ring", upscale="fast", gen=gen) == (
        f"cumulus_7_psi070_{gen.resolution * 4}_flat_fast"
    )
    names = {
        sky_stem(CLOUD, SEED, PSI, SIZE, gen=gen),
        sky_stem(CLOUD, SEED + 1, PSI, SIZE, gen=gen),
        sky_stem(CLOUD, SEED, 0.5, SIZE, gen=gen),
        sky_stem(CLOUD, SEED, PSI, 1024, gen=gen),
        sky_stem(CLOUD, SEED, PSI, SIZE, upscale="best", gen=gen),
        sky_stem(CLOUD, SEED, PSI, SIZE, layout="cross-h", gen=gen),
        sky_stem(CLOUD, SEED, PSI, SIZE, mix="St:0.5", gen=gen),
        sky_stem("St", SEED, PSI, SIZE, gen=gen),
    }
    assert len(names) == 8  # another setting, another name: a new sky never overwrites the last one


def test_the_stem_is_a_plain_file_name(gen: SkyGenerator) -> None:
    stem = sky_stem("St", 2147483647, 2.0, 16384, mix="Cb:1", layout="cross-v", method="ring", upscale="best", gen=gen)
    assert stem.isascii() and "." not in stem and "/" not in stem and len(stem) < 100, stem


def test_a_class_name_that_is_a_path_never_becomes_one(tiny_bundle_path: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(tiny_bundle_path, bundle)
    meta = json.loads((bundle / "skyasset-bundle.json").read_text())
    meta["classes"][7]["name"] = "../../cumulus"
    meta["classes"][8]["name"] = "Ns\\..\\x"
    (bundle / "skyasset-bundle.json").write_text(json.dumps(meta))
    hostile = SkyGenerator(bundle)
    assert hostile.classes[7].code == "Cu"
    assert cloud_name_part("Cu", hostile) == "class7" and cloud_name_part("../../cumulus", hostile) == "class7"
    assert sky_stem("Cu", 1, 0.7, 256, mix="Ns:0.3", gen=hostile) == "class7_1_psi070_mix-class8030_256"
    # Without the model the text is taken as typed, if it is a plain name.
    assert cloud_name_part("../../x") == "sky" and cloud_name_part("Cirro Cumulus") == "cirro-cumulus"
    assert cloud_name_part(None) == "sky"


# --- the CLI -------------------------------------------------------------------------------------------------


def test_cli_out_dir_names_the_files_with_the_stem(
    capsys: pytest.CaptureFixture[str], tiny_bundle_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "new folder"
    code, answer = run_cli(
        capsys, "generate", "-c", CLOUD, "-s", SEED, "--size", SIZE, "--upscale", UPSCALE, "--hdr",
        "--model", tiny_bundle_path, "--out-dir", folder, "--json",
    )  # fmt: skip
    assert code == 0, answer
    assert answer["stem"] == STEM
    assert sorted(Path(p).name for p in answer["outputs"]) == sorted(
        f"{STEM}.{ext}" for ext in ("png", "hdr", "exr", "json")
    )
    assert all(Path(p).parent == folder and Path(p).is_file() for p in answer["outputs"])
    # With --out the files are named after it, and the answer still names the sky.
    code, named = run_cli(
        capsys, "generate", "-c", "cumulus", "-s", SEED, "--size", SIZE, "--upscale", UPSCALE,
        "--model", tiny_bundle_path, "--out", tmp_path / "mine.png", "--json",
    )  # fmt: skip
    assert code == 0 and named["stem"] == STEM and Path(named["outputs"][0]).name == "mine.png"


@pytest.mark.parametrize(
    ("where", "says"),
    [
        (["--out", "a.png", "--out-dir", "skies"], "not both"),
        ([], "--out-dir FOLDER"),
        (["--out-dir", ""], "--out-dir skies"),
        (["--out-dir", "a file"], "give a folder"),
    ],
)
def test_cli_destination_errors_name_the_fix(
    capsys: pytest.CaptureFixture[str],
    tiny_bundle_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: list[str],
    says: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a file").write_text("not a folder")
    code, answer = run_cli(capsys, "generate", "-c", CLOUD, "-s", 1, "--model", tiny_bundle_path, *where, "--json")
    assert code == 2 and answer["error"]["code"] == "invalid_argument", answer
    assert says in answer["error"]["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file"]  # nothing written


# --- every front end, the same settings, the same stem ----------------------------------------------------------


def test_the_studio_names_its_files_with_the_stem(gen: SkyGenerator, tmp_path: Path) -> None:
    params = GenerateParams(cloud=CLOUD, seed=SEED, psi=PSI, size=SIZE, upscale=UPSCALE)
    job = Job(id="stem", params=params, folder=tmp_path)
    make_runner(gen)(job, lambda stage, fraction: None)
    assert {path.stem for path in job.files} == {STEM}
    assert job.result is not None and job.result["stem"] == STEM


def test_blender_names_its_sky_with_the_stem(tiny_bundle_path: Path, tmp_path: Path) -> None:
    """The add-on's Generate operator in real bpy, against the real CLI: the image it loads is <stem>.png."""
    bpy = pytest.importorskip("bpy", reason="bpy is not importable: pip install bpy==4.2.23")
    import addon_utils  # ships with bpy

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    addon_utils.enable("blender_addon", default_set=True, handle_error=None)  # the legacy add-on path
    try:
        prefs = bpy.context.preferences.addons["blender_addon"].preferences
        prefs.executable = str(SKYASSET)
        prefs.model = str(tiny_bundle_path)
        prefs.output_dir = str(tmp_path / "skies")
        world = bpy.data.worlds.new("Stem test")
        bpy.context.scene.world = world
        settings = world.skyasset
        settings.cloud, settings.seed, settings.psi = "cumulus", SEED, PSI
        settings.size, settings.upscale, settings.hdr = str(SIZE), UPSCALE, False
        assert bpy.ops.skyasset.generate() == {"FINISHED"}
        loaded = Path(bpy.path.abspath(world.node_tree.nodes["Skyasset Sky"].image.filepath))
        assert loaded == tmp_path / "skies" / f"{STEM}.png" and loaded.is_file()
    finally:
        addon_utils.disable("blender_addon", default_set=True)


def test_unity_names_its_sky_with_the_stem(tiny_bundle_path: Path, tmp_path: Path) -> None:
    """The Unity package's own bridge (SkyassetCli with OutputFolder, as the window sends it) under Mono."""
    if shutil.which("mcs") is None or shutil.which("mono") is None:
        pytest.skip("Mono's C# compiler is not installed (apt-get install -y mono-mcs)")
    from test_unity_csharp import PACKAGE, STUBS, SYSTEM_REFS, cs_files, harness, mcs

    build = tmp_path / "build"
    build.mkdir()
    mcs(build / "UnityEngine.dll", cs_files(STUBS / "UnityEngine"))
    mcs(build / "UnityEditor.dll", cs_files(STUBS / "UnityEditor"), f"-r:{build / 'UnityEngine.dll'}")
    editor = cs_files(PACKAGE / "Editor", skip=PACKAGE / "Editor" / "Hdrp")
    unity = [f"-r:{build / 'UnityEngine.dll'}", f"-r:{build / 'UnityEditor.dll'}"]
    mcs(build / "harness.exe", [*editor, str(STUBS / "Harness" / "BridgeHarness.cs")], *unity, *SYSTEM_REFS,
        library=False)  # fmt: skip
    folder = tmp_path / "My Pröject" / "Assets" / "Skies"
    folder.mkdir(parents=True)
    answer = harness(
        build, "generate", SKYASSET, tiny_bundle_path, CLOUD, SEED, "equirect", SIZE, folder, "folder",
        f"upscale={UPSCALE}",
    )  # fmt: skip
    assert "error.code" not in answer, answer
    assert answer["stem"] == [STEM]
    written = {Path(line.split("|")[4]) for line in answer["file"]}
    assert written == {folder / f"{STEM}.png", folder / f"{STEM}.json"}
    assert all(path.is_file() for path in written)
    # ...and the window sends the folder, never a name of its own making.
    window = (PACKAGE / "Editor" / "Window" / "SkyassetWindow.cs").read_text(encoding="utf-8")
    assert "OutputFolder = " in window and "OutputPath" not in window


def test_the_look_is_in_the_name_when_it_changes_the_files(gen: SkyGenerator) -> None:
    """Exposure and rotation change every pixel of a panorama, so they change its name; flat images ignore them."""
    assert sky_stem(CLOUD, SEED, PSI, 2048, exposure=1.0, gen=gen) == "cumulus_7_psi070_2048_ev1"
    assert sky_stem(CLOUD, SEED, PSI, 2048, exposure=-0.5, rotate=-90, gen=gen) == "cumulus_7_psi070_2048_ev-0p5_rot270"
    assert sky_stem(CLOUD, SEED, PSI, 2048, rotate=270, gen=gen) == sky_stem(
        CLOUD, SEED, PSI, 2048, rotate=-90, gen=gen
    )
    assert sky_stem(CLOUD, SEED, PSI, 2048, rotate=360, gen=gen) == "cumulus_7_psi070_2048"
    flat = sky_stem(CLOUD, SEED, PSI, 2048, layout="flat", gen=gen)
    assert sky_stem(CLOUD, SEED, PSI, 2048, layout="flat", exposure=2, rotate=45, gen=gen) == flat
