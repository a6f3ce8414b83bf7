"""FID of model bundles, joined to ``bench model``'s rows from ``skyasset-train fid-delta --json``.

FID needs torch and the Inception network, which the runtime never imports; the training tools measure it and
this joins their answer to the benchmark's rows by bundle folder.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skyasset.errors import SkyassetError
from skyasset.limits import read_json_file

__all__ = ["add_fid", "check_fid_covers", "read_fid_report"]


def read_fid_report(path: Path) -> dict[str, Any]:
    """The JSON object ``skyasset-train fid-delta --json`` printed, read from ``path``."""
    try:
        answer = read_json_file(path, "The FID report")
    except SkyassetError as error:
        if error.code != "input_not_found":
            raise
        raise SkyassetError(
            "input_not_found", f"FID report {path} does not exist: write it with `skyasset-train fid-delta --json`."
        ) from None
    if not isinstance(answer, dict):
        raise SkyassetError("invalid_argument", f"FID report {path} is not a JSON object.")
    return answer


def _fid_rows(fid_report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = fid_report.get("fid")
    if not isinstance(rows, list) or not all(
        isinstance(row, dict) and {"path", "fid", "fid_delta"} <= row.keys() for row in rows
    ):
        raise SkyassetError(
            "invalid_argument",
            "The FID report needs a 'fid' list of {path, fid, fid_delta} rows: write it with "
            "`skyasset-train fid-delta --json`.",
        )
    return {str(Path(row["path"]).resolve()): row for row in rows}


def check_fid_covers(fid_report: dict[str, Any], bundles: Sequence[str | os.PathLike[str]]) -> None:
    """Refuse, before any benchmarking, a FID report that lacks one of ``bundles`` (matched by folder)."""
    rows = _fid_rows(fid_report)
    missing = [str(b) for b in bundles if str(Path(b).resolve()) not in rows]
    if missing:
        raise SkyassetError(
            "invalid_argument",
            f"The FID report does not cover {', '.join(missing)}: run `skyasset-train fid-delta` on the same "
            "bundle folders.",
        )


def add_fid(report: dict[str, Any], fid_report: dict[str, Any]) -> dict[str, Any]:
    """``report`` with each variant's FID and FID difference taken from ``skyasset-train fid-delta --json``."""
    check_fid_covers(fid_report, [v["path"] for v in report["variants"]])
    rows = _fid_rows(fid_report)
    for variant in report["variants"]:
        row = rows[str(Path(variant["path"]).resolve())]
        variant["fid"], variant["fid_delta"] = float(row["fid"]), float(row["fid_delta"])
    return report | {"fid": fid_report}
