"""One seed range everywhere: a seed shown by Unity, Blender or the CLI can be typed into the others."""

from __future__ import annotations

import json
import re
from pathlib import Path

from skyasset.seeds import MAX_SEED

ROOT = Path(__file__).resolve().parents[1]


def test_every_engine_and_the_protocol_use_the_same_seed_range() -> None:
    assert MAX_SEED == 2**31 - 1
    blender = (ROOT / "blender_addon" / "properties.py").read_text(encoding="utf-8")
    assert re.search(r'name="Seed".*max=2\*\*31 - 1', blender)
    assert "random.randrange(2**31)" in (ROOT / "blender_addon" / "operators.py").read_text(encoding="utf-8")
    unity = (ROOT / "unity_package" / "Editor" / "Window" / "Seeds.cs").read_text(encoding="utf-8")
    assert "public const long Max = int.MaxValue;" in unity
    schema = json.loads((ROOT / "unity_package" / "Documentation~" / "protocol.schema.json").read_text())
    maxima = [
        node["maximum"]
        for node in _walk(schema)
        if isinstance(node, dict) and "maximum" in node and node.get("type") == "integer"
    ]
    assert MAX_SEED in maxima and 2**32 - 1 not in maxima
    assert "0 .. 2147483647" in (ROOT / "docs" / "CLI_PROTOCOL.md").read_text(encoding="utf-8")


def _walk(node: object):  # type: ignore[no-untyped-def]
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
