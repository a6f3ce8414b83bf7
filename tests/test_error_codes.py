"""Every error code raised anywhere is typed, has an exit code, and is in the protocol document's tables."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

from skyasset.errors import CLI_ERROR_CODES, EXIT_CODES, ErrorCode, TrainingErrorCode

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = ROOT / "docs" / "CLI_PROTOCOL.md"
SCHEMA = ROOT / "unity_package" / "Documentation~" / "protocol.schema.json"
RAISED = re.compile(r"SkyassetError\(\s*\"([a-z_]+)\"")
TABLE_ROW = re.compile(r"^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \| (\d+) \|", re.MULTILINE)


def _documented() -> dict[str, int]:
    table: dict[str, int] = {}
    for codes, exit_code in TABLE_ROW.findall(PROTOCOL.read_text(encoding="utf-8")):
        for code in re.findall(r"`([a-z_]+)`", codes):
            assert code not in table, f"{code} is listed twice in {PROTOCOL.name}"
            table[code] = int(exit_code)
    return table


def _raised_in_source() -> set[str]:
    found: set[str] = set()
    for package in ("skyasset", "training"):
        for path in (ROOT / package).rglob("*.py"):
            found |= set(RAISED.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_literal_and_the_exit_table_name_the_same_codes() -> None:
    assert set(get_args(ErrorCode)) == set(EXIT_CODES)
    assert not set(CLI_ERROR_CODES) & set(get_args(TrainingErrorCode))


def test_protocol_document_lists_every_code_with_its_exit_code() -> None:
    assert _documented() == dict(EXIT_CODES)


def test_every_code_raised_in_the_source_is_known() -> None:
    raised = _raised_in_source()
    assert len(raised) >= 10, "the pattern no longer finds the raise sites"
    assert raised <= set(EXIT_CODES), f"raised but not in EXIT_CODES: {sorted(raised - set(EXIT_CODES))}"


def test_only_bugs_exit_one() -> None:
    assert [code for code, exit_code in EXIT_CODES.items() if exit_code == 1] == ["internal_error"]


def test_unity_schema_lists_exactly_the_cli_codes() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["x-exit-codes"] == {code: EXIT_CODES[code] for code in CLI_ERROR_CODES}
