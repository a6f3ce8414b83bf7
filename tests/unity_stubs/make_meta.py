"""Write the Unity .meta files the package needs (git-URL packages are immutable: Unity ignores assets
without one). GUIDs derive from the path, so running this again changes nothing. Usage:

    python tests/unity_stubs/make_meta.py            # add missing .meta files, delete orphaned ones
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "unity_package"

_TAIL = "  externalObjects: {}\n  userData: \n  assetBundleName: \n  assetBundleVariant: \n"
IMPORTERS = {
    ".cs": "MonoImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  defaultReferences: []\n"
    "  executionOrder: 0\n  icon: {instanceID: 0}\n  userData: \n  assetBundleName: \n  assetBundleVariant: \n",
    ".asmdef": "AssemblyDefinitionImporter:\n" + _TAIL,
    ".md": "TextScriptImporter:\n" + _TAIL,
    ".json": "TextScriptImporter:\n" + _TAIL,
}


def is_ignored(path: Path) -> bool:
    """Unity skips names starting with '.' and folders ending with '~' (and everything inside them)."""
    parts = path.relative_to(PACKAGE).parts
    return any(p.startswith(".") or p.endswith("~") for p in parts)


def assets(package: Path = PACKAGE) -> list[Path]:
    """Every file and folder Unity imports from the package (.meta files excluded)."""
    return sorted(p for p in package.rglob("*") if not is_ignored(p) and p.suffix != ".meta")


def guid(path: Path) -> str:
    return hashlib.md5(f"skyasset/unity_package/{path.relative_to(PACKAGE).as_posix()}".encode()).hexdigest()


def meta_text(path: Path) -> str:
    head = f"fileFormatVersion: 2\nguid: {guid(path)}\n"
    if path.is_dir():
        return head + "folderAsset: yes\nDefaultImporter:\n" + _TAIL
    if path.name == "package.json":
        return head + "PackageManifestImporter:\n" + _TAIL
    return head + IMPORTERS.get(path.suffix, "DefaultImporter:\n" + _TAIL)


def main() -> int:
    wanted = {p.with_name(p.name + ".meta") for p in assets()}
    for meta in wanted:
        if not meta.exists():
            meta.write_text(meta_text(meta.with_suffix("")), encoding="utf-8")
            print(f"wrote {meta.relative_to(PACKAGE)}")
    for meta in PACKAGE.rglob("*.meta"):
        if not is_ignored(meta) and meta not in wanted:
            meta.unlink()
            print(f"removed {meta.relative_to(PACKAGE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
