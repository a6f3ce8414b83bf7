"""One error type for everything a user can get wrong; the CLI turns it into a message and an exit code."""

from __future__ import annotations

__all__ = ["SkyassetError", "EXIT_CODES"]

# Exit codes by error code (docs/CLI_PROTOCOL.md). Unlisted codes exit 1.
EXIT_CODES: dict[str, int] = {
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
    "internal_error": 1,
}


class SkyassetError(Exception):
    """An error with a stable machine-readable ``code`` and a message that names the problem and the fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.code, 1)

    def to_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}
