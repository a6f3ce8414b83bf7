"""skyasset: local, offline skybox generation by cloud type and seed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skyasset.classes import CCSN_CLASSES, CloudClass
from skyasset.errors import SkyassetError

if TYPE_CHECKING:
    from skyasset.api import GenerateResult, generate, generate_sky
    from skyasset.generator import SkyGenerator
    from skyasset.settings import SkyRequest, sky_request

__version__ = "0.1.0"

__all__ = [
    "CCSN_CLASSES",
    "CloudClass",
    "GenerateResult",
    "SkyGenerator",
    "SkyRequest",
    "SkyassetError",
    "generate",
    "generate_sky",
    "sky_request",
    "__version__",
]

_LAZY = {
    "generate": "skyasset.api",
    "generate_sky": "skyasset.api",
    "GenerateResult": "skyasset.api",
    "SkyGenerator": "skyasset.generator",
    "SkyRequest": "skyasset.settings",
    "sky_request": "skyasset.settings",
}


def __getattr__(name: str) -> Any:
    # ONNX Runtime loads only when generation is asked for, so `import skyasset` stays cheap.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'skyasset' has no attribute {name!r}")
