"""The Unity package's C#: compiled with Mono's mcs against the reference stubs in tests/unity_stubs/, its
NUnit tests run with Debian's NUnit, and its CLI bridge run under Mono against the real `skyasset` executable.

What this proves and what it does not: see unity_package/Documentation~/index.md ("What CI checks").
Needs `apt-get install -y mono-mcs` (and `nunit-console` for the NUnit run); skips with the reason otherwise.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "unity_package"
STUBS = REPO / "tests" / "unity_stubs"
NUNIT_DLL = Path("/usr/lib/cli/nunit.framework-2.6.3/nunit.framework.dll")
SYSTEM_REFS = ["-r:System.dll", "-r:System.Core.dll"]

MCS = shutil.which("mcs")
MONO = shutil.which("mono")
pytestmark = pytest.mark.skipif(
    MCS is None or MONO is None, reason="Mono's C# compiler is not installed (apt-get install -y mono-mcs)"
)


HDRP_FOLDER = PACKAGE / "Editor" / "Hdrp"  # its own assembly, compiled by Unity only where HDRP is installed


def cs_files(folder: Path, *, skip: Path | None = None) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*.cs") if skip is None or skip not in p.parents)


def mcs(out: Path, sources: list[str], *refs: str, library: bool = True, strict: bool = True) -> None:
    args = [MCS, "-nologo", f"-out:{out}", *(["-target:library"] if library else [])]
    args += ["-warnaserror", "-langversion:6"] if strict else []
    result = subprocess.run([*args, *refs, *sources], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"mcs failed for {out.name}:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stub UnityEngine/UnityEditor/NUnit, then the package's Editor and Tests/Editor assemblies (warnings fail)."""
    out = tmp_path_factory.mktemp("unity_build")
    mcs(out / "UnityEngine.dll", cs_files(STUBS / "UnityEngine"))
    mcs(out / "UnityEditor.dll", cs_files(STUBS / "UnityEditor"), f"-r:{out / 'UnityEngine.dll'}")
    mcs(out / "nunit.framework.dll", cs_files(STUBS / "NUnit"))
    unity = [f"-r:{out / 'UnityEngine.dll'}", f"-r:{out / 'UnityEditor.dll'}"]
    editor = cs_files(PACKAGE / "Editor", skip=HDRP_FOLDER)
    mcs(out / "Skyasset.Editor.dll", editor, *unity, *SYSTEM_REFS)
    # Core RP + HDRP reference, then the HDRP assembly against it and the editor assembly (whose internals it sees).
    mcs(out / "Unity.RenderPipelines.HighDefinition.Runtime.dll", cs_files(STUBS / "Hdrp"), *unity)
    mcs(
        out / "Skyasset.Editor.Hdrp.dll",
        cs_files(HDRP_FOLDER),
        f"-r:{out / 'Skyasset.Editor.dll'}",
        f"-r:{out / 'Unity.RenderPipelines.HighDefinition.Runtime.dll'}",
        *unity,
        *SYSTEM_REFS,
    )
    mcs(
        out / "Skyasset.Editor.Tests.dll",
        cs_files(PACKAGE / "Tests" / "Editor"),
        f"-r:{out / 'Skyasset.Editor.dll'}",
        f"-r:{out / 'nunit.framework.dll'}",
        *unity,
        *SYSTEM_REFS,
    )
    # The harness needs the package's internal types, so it is compiled together with the Editor sources.
    mcs(
        out / "harness.exe",
        [*editor, str(STUBS / "Harness" / "BridgeHarness.cs")],
        *unity,
        *SYSTEM_REFS,
        library=False,
    )
    return out


def test_editor_and_tests_compile_against_the_unity_reference(build: Path) -> None:
    assert (build / "Skyasset.Editor.dll").stat().st_size > 0
    assert (build / "Skyasset.Editor.Tests.dll").stat().st_size > 0
    assert (build / "Skyasset.Editor.Hdrp.dll").stat().st_size > 0


def test_the_hdrp_assembly_compiles_only_where_hdrp_is_installed() -> None:
    main = json.loads((PACKAGE / "Editor" / "Skyasset.Editor.asmdef").read_text())
    hdrp = json.loads((HDRP_FOLDER / "Skyasset.Editor.Hdrp.asmdef").read_text())
    assert hdrp["defineConstraints"] == ["SKYASSET_HDRP"] and hdrp["includePlatforms"] == ["Editor"]
    [version] = hdrp["versionDefines"]
    assert version["name"] == "com.unity.render-pipelines.high-definition" and version["define"] == "SKYASSET_HDRP"
    assert version["expression"] == "12.0.0"
    assert "Skyasset.Editor" in hdrp["references"] and not main["references"]  # the editor never needs HDRP
    assert "Unity.RenderPipelines.HighDefinition.Runtime" in hdrp["references"]
    info = (PACKAGE / "Editor" / "AssemblyInfo.cs").read_text()
    assert 'InternalsVisibleTo("Skyasset.Editor.Hdrp")' in info


def test_compile_check_fails_on_an_api_the_reference_lacks(build: Path, tmp_path: Path) -> None:
    """Guards the check itself: code calling a Unity API that does not exist must not compile."""
    bad = tmp_path / "Bad.cs"
    bad.write_text('class Bad { void F() { UnityEditor.AssetDatabase.ImportAssetz("x"); } }\n')
    result = subprocess.run(
        [
            MCS,
            "-nologo",
            "-target:library",
            f"-out:{tmp_path / 'bad.dll'}",
            f"-r:{build / 'UnityEditor.dll'}",
            f"-r:{build / 'UnityEngine.dll'}",
            str(bad),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "ImportAssetz" in result.stdout + result.stderr


@pytest.mark.skipif(
    shutil.which("nunit-console") is None or not NUNIT_DLL.is_file(),
    reason="Debian's NUnit is not installed (apt-get install -y nunit-console libnunit-cil-dev)",
)
def test_nunit_editor_tests_pass(build: Path, tmp_path: Path) -> None:
    """Tests/Editor run for real (NUnit 2.6 runs the NUnit 3 subset they use; Unity runs them with NUnit 3)."""
    for name in ("UnityEngine.dll", "UnityEditor.dll", "Skyasset.Editor.dll"):
        shutil.copy(build / name, tmp_path / name)
    shutil.copy(NUNIT_DLL, tmp_path / "nunit.framework.dll")
    mcs(
        tmp_path / "Skyasset.Editor.Tests.dll",
        cs_files(PACKAGE / "Tests" / "Editor"),
        f"-r:{tmp_path / 'Skyasset.Editor.dll'}",
        f"-r:{tmp_path / 'nunit.framework.dll'}",
        f"-r:{tmp_path / 'UnityEngine.dll'}",  # types in signatures only: the stubs' bodies never run here
        *SYSTEM_REFS,
    )
    result = subprocess.run(
        ["nunit-console", "-nologo", "-noshadow", f"-xml={tmp_path / 'result.xml'}", "Skyasset.Editor.Tests.dll"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = [line for line in result.stdout.splitlines() if line.startswith("Tests run:")]
    assert summary, result.stdout
    run = int(summary[0].split(",")[0].split(":")[1])
    assert run >= 80 and "Failures: 0" in summary[0] and "Errors: 0" in summary[0], summary[0]


# ---- the bridge under Mono against real processes ------------------------------------------------------------


def harness(build: Path, *args: object, timeout: float = 120) -> dict[str, list[str]]:
    result = subprocess.run(
        [MONO, str(build / "harness.exe"), *[str(a) for a in args]],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    answer: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition("=")
        answer.setdefault(key, []).append(value)
    return answer


@pytest.fixture(scope="module")
def skyasset_exe() -> str:
    exe = Path(sys.executable).with_name("skyasset")
    if not exe.is_file():
        found = shutil.which("skyasset")
        if found is None:
            pytest.skip("the skyasset console script is not installed (pip install -e .)")
        return found
    return str(exe)


def test_arguments_reach_the_child_exactly(build: Path, tmp_path: Path) -> None:
    """Spaces, quotes, backslashes, $, backquotes, empty and non-ASCII arguments survive Process.Start."""
    echo = tmp_path / "echo argv.py"
    echo.write_text(f"#!{sys.executable}\nimport json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    echo.chmod(0o755)
    args = ["a b", 'q"uote', "back\\slash", "two\\\\", "end\\", "$HOME", "`x`", "it's", "", "Ünïcødé 雲", "tab\tx"]
    answer = harness(build, "argv", echo, *args)
    assert answer["exit"] == ["0"]
    assert json.loads(answer["stdout"][0]) == args


def test_version_and_classes(build: Path, skyasset_exe: str, tiny_bundle_path: Path) -> None:
    from skyasset import __version__

    assert harness(build, "version", skyasset_exe)["version"] == [__version__]
    answer = harness(build, "classes", skyasset_exe, tiny_bundle_path)
    assert answer["from_model"] == ["True"]
    assert any(line.startswith("Cu|cumulus|") for line in answer["class"])


@pytest.mark.parametrize(
    ("layout", "hdr", "picks"),
    [
        ("equirect", False, {("CubemapFromEquirect", "_Tex"), ("Panoramic", "_MainTex")}),
        ("cross-h", False, {("CubemapFromCross", "_Tex")}),
        ("faces", True, {("SixSided", f"_{n}Tex") for n in ("Front", "Back", "Left", "Right", "Up", "Down")}),
    ],
)
def test_generate_through_the_bridge(
    build: Path,
    skyasset_exe: str,
    tiny_bundle_path: Path,
    tmp_path: Path,
    layout: str,
    hdr: bool,
    picks: set[tuple[str, str]],
) -> None:
    folder = tmp_path / "My Pröject ☁" / "Assets" / "Skies"
    folder.mkdir(parents=True)
    out = folder / "stratus_8.png"
    answer = harness(
        build, "generate", skyasset_exe, tiny_bundle_path, "St", 8, layout, 256, out, *(["hdr"] if hdr else [])
    )
    assert "error.code" not in answer, answer
    assert answer["cloud"] == ["St"] and answer["cloud_name"] == ["stratus"] and answer["seed"] == ["8"]
    assert answer["layout"] == [layout] and answer["size"] == ["256x128"] and answer["hdr"] == [str(hdr)]
    for line in answer["file"]:
        assert Path(line.split("|")[4]).is_file(), line
    picked = {tuple(line.split("|")[:2]) for line in answer["pick"]}
    assert picked == picks
    for line in answer["pick"]:
        path = Path(line.split("|")[2])
        assert path.is_file() and path.parent == folder
        assert path.suffix == (".exr" if hdr else ".png")


def test_the_top_seed_and_upscaling_reach_the_cli(
    build: Path, skyasset_exe: str, tiny_bundle_path: Path, tmp_path: Path
) -> None:
    # One seed range for both engines (0..2^31-1) and --upscale passed through: the window's sky is the CLI's.
    top = 2**31 - 1
    via_unity = tmp_path / "unity" / "sky.png"
    via_unity.parent.mkdir()
    answer = harness(
        build, "generate", skyasset_exe, tiny_bundle_path, "Cu", top, "equirect", 512, via_unity, "upscale=fast"
    )
    assert "error.code" not in answer, answer
    assert answer["seed"] == [str(top)] and answer["size"] == ["512x256"]
    direct = tmp_path / "cli.png"
    for upscale, name in (("fast", "cli.png"), ("none", "plain.png")):
        subprocess.run(
            [skyasset_exe, "generate", "-c", "Cu", "-s", str(top), "--size", "512", "--upscale", upscale,
             "--model", str(tiny_bundle_path), "-o", str(tmp_path / name), "--json"],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    import numpy as np
    from PIL import Image

    def pixels(path: Path) -> np.ndarray:
        return np.asarray(Image.open(path).convert("RGB"), np.int16)

    assert np.array_equal(pixels(via_unity), pixels(direct))
    assert np.abs(pixels(via_unity) - pixels(tmp_path / "plain.png")).mean() > 0.5  # upscaling changed it
    too_big = harness(
        build, "generate", skyasset_exe, tiny_bundle_path, "Cu", top + 1, "equirect", 512, tmp_path / "x.png"
    )
    assert too_big["error.code"] == ["invalid_argument"] and "2147483647" in too_big["error.message"][0], too_big


def test_cli_errors_reach_csharp_with_code_and_message(
    build: Path, skyasset_exe: str, tiny_bundle_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sky.png"
    ok = harness(build, "generate", skyasset_exe, tiny_bundle_path, "Cu", 1, "equirect", 256, out)
    assert "error.code" not in ok
    exists = harness(build, "generate", skyasset_exe, tiny_bundle_path, "Cu", 1, "equirect", 256, out)
    assert exists["error.code"] == ["output_exists"] and exists["error.exit"] == ["4"]
    unknown = harness(build, "generate", skyasset_exe, tiny_bundle_path, "cumulo", 1, "equirect", 256, out)
    assert unknown["error.code"] == ["unknown_cloud"] and "cumulus" in unknown["error.message"][0]
    broken = harness(build, "generate", skyasset_exe, tmp_path / "no bundle", "Cu", 1, "equirect", 256, out)
    assert broken["error.code"] == ["bundle_not_found"] and broken["error.exit"] == ["3"]


def test_bridge_errors(build: Path, tmp_path: Path) -> None:
    missing = harness(build, "version", tmp_path / "no such" / "skyasset")
    assert missing["error.code"] == ["executable_not_found"]
    assert "Preferences" in missing["error.message"][0]
    # The sleeper outlives the harness's own limit: only a kill makes these calls return in time.
    sleeper = tmp_path / "slow skyasset"
    sleeper.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(600)\n")
    sleeper.chmod(0o755)
    timed_out = harness(build, "timeout", sleeper, "0.5", timeout=120)
    assert timed_out["error.code"] == ["timeout"] and "0.5 s" in timed_out["error.message"][0]
    cancelled = harness(build, "cancel", sleeper, "0.5", timeout=120)
    assert cancelled["error.code"] == ["cancelled"]
    liar = tmp_path / "not skyasset"
    liar.write_text(f"#!{sys.executable}\nimport sys\nsys.stderr.write('boom\\n')\nsys.exit(1)\n")
    liar.chmod(0o755)
    bad = harness(build, "version", liar)
    assert bad["error.code"] == ["bad_response"] and "boom" in bad["error.message"][0]
