"""skyasset: local, offline skybox generation by cloud type and seed."""

from __future__ import annotations

from skyasset.classes import CCSN_CLASSES, CloudClass
from skyasset.errors import SkyassetError

__version__ = "0.1.0"

__all__ = ["CCSN_CLASSES", "CloudClass", "SkyassetError", "__version__"]
