"""The Unity package's layout: manifest, assembly definitions, .meta files, docs (no Unity or Mono needed)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "unity_package"

_spec = importlib.util.spec_from_file_location("make_meta", REPO / "tests" / "unity_stubs" / "make_meta.py")
assert _spec and _spec.loader
make_meta = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_meta)


def test_manifest() -> None:
    manifest = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"com(\.[a-z0-9][a-z0-9_-]*){2,}", manifest["name"]), "reverse-DNS, lower case"
    assert len(manifest["name"]) <= 214
    assert manifest["displayName"] and manifest["description"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert re.fullmatch(r"20\d\d\.\d", manifest["unity"]) and manifest["unity"] >= "2021.3"
    changelog = (PACKAGE / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{manifest['version']}]" in changelog, "the CHANGELOG has an entry for the package version"
    assert (PACKAGE / "LICENSE.md").is_file()


def test_assembly_definitions() -> None:
    editor = json.loads((PACKAGE / "Editor" / "Skyasset.Editor.asmdef").read_text())
    tests = json.loads((PACKAGE / "Tests" / "Editor" / "Skyasset.Editor.Tests.asmdef").read_text())
    assert editor["name"] == "Skyasset.Editor" and editor["includePlatforms"] == ["Editor"]
    assert tests["name"] == "Skyasset.Editor.Tests" and tests["includePlatforms"] == ["Editor"]
    assert tests["defineConstraints"] == ["UNITY_INCLUDE_TESTS"]
    assert "Skyasset.Editor" in tests["references"] and "nunit.framework.dll" in tests["precompiledReferences"]
    assert tests["autoReferenced"] is False
    # InternalsVisibleTo must name the test assembly exactly
    info = (PACKAGE / "Editor" / "AssemblyInfo.cs").read_text()
    assert f'InternalsVisibleTo("{tests["name"]}")' in info


def test_csharp_lives_only_in_the_assemblies() -> None:
    for source in PACKAGE.rglob("*.cs"):
        rel = source.relative_to(PACKAGE).parts
        assert rel[0] in ("Editor", "Tests"), f"{source} is outside an assembly definition"
    assert not any(PACKAGE.rglob("UnityEngine*.cs")), "the Unity reference stubs must stay out of the package"


def test_every_asset_has_a_meta_file_with_a_unique_guid() -> None:
    """A git-URL package is immutable: Unity ignores any asset that has no .meta file."""
    assets = make_meta.assets()
    assert len(assets) > 20
    guids: dict[str, Path] = {}
    for asset in assets:
        meta = asset.with_name(asset.name + ".meta")
        assert meta.is_file(), f"{meta.relative_to(REPO)} is missing: run python tests/unity_stubs/make_meta.py"
        text = meta.read_text(encoding="utf-8")
        match = re.search(r"^guid: ([0-9a-f]{32})$", text, re.M)
        assert match and text.startswith("fileFormatVersion: 2\n"), meta
        assert match.group(1) not in guids, f"{meta} repeats the guid of {guids.get(match.group(1))}"
        guids[match.group(1)] = meta
        assert ("folderAsset: yes" in text) == asset.is_dir(), meta
    metas = [m for m in PACKAGE.rglob("*.meta") if not make_meta.is_ignored(m)]
    assert len(metas) == len(assets), "orphaned .meta files: run python tests/unity_stubs/make_meta.py"


def test_hidden_folders_carry_no_meta_files() -> None:
    assert not list((PACKAGE / "Documentation~").rglob("*.meta"))


@pytest.mark.parametrize("phrase", ["Add package from disk", "HDRI Sky", "What CI checks", "testables"])
def test_documentation_covers(phrase: str) -> None:
    assert phrase in (PACKAGE / "Documentation~" / "index.md").read_text(encoding="utf-8")
