"""Command-line interface; the commands are thin layers over the Python API."""

from __future__ import annotations

import sys

from skyasset.cli.app import app
from skyasset.cli.app import main as _main

__all__ = ["app", "main"]


def main() -> None:
    sys.exit(_main())
