"""One error type for everything a user can get wrong; the CLI turns it into a message and an exit code."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["CLI_ERROR_CODES", "EXIT_CODES", "CliErrorCode", "ErrorCode", "SkyassetError", "TrainingErrorCode"]

# What the `skyasset` CLI (and so the Unity/Blender bridge) can answer with.
CliErrorCode = Literal[
    "invalid_argument",
    "unknown_cloud",
    "input_not_found",
    "no_model",
    "bundle_not_found",
    "bundle_invalid",
    "bundle_schema_unsupported",
    "bundle_file_missing",
    "bundle_checksum_mismatch",
    "bundle_inconsistent",
    "output_exists",
    "io_error",
    "missing_dependency",
    "interrupted",
    "internal_error",
]
# Only `skyasset-train` raises these.
TrainingErrorCode = Literal[
    "dataset_invalid",
    "snapshot_invalid",
    "unsafe_pickle",
    "export_check_failed",
    "training_diverged",
]
ErrorCode = Literal[CliErrorCode, TrainingErrorCode]
CLI_ERROR_CODES: tuple[CliErrorCode, ...] = get_args(CliErrorCode)

# Exit codes by error code, the table in docs/CLI_PROTOCOL.md (a test keeps the two equal). 1 means a bug.
EXIT_CODES: dict[ErrorCode, int] = {
    "invalid_argument": 2,
    "unknown_cloud": 2,
    "input_not_found": 2,
    "no_model": 3,
    "bundle_not_found": 3,
    "bundle_invalid": 3,
    "bundle_schema_unsupported": 3,
    "bundle_file_missing": 3,
    "bundle_checksum_mismatch": 3,
    "bundle_inconsistent": 3,
    "output_exists": 4,
    "io_error": 5,
    "missing_dependency": 6,
    "interrupted": 130,
    "internal_error": 1,
    "dataset_invalid": 2,
    "snapshot_invalid": 3,
    "unsafe_pickle": 3,
    "export_check_failed": 7,
    "training_diverged": 8,
}


class SkyassetError(Exception):
    """An error with a stable machine-readable ``code`` and a message that names the problem and the fix."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.code, 1)

    def to_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}
