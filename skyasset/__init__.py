"""skyasset: local, offline skybox generation by cloud type and seed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skyasset.classes import CCSN_CLASSES, CloudClass
from skyasset.errors import SkyassetError

if TYPE_CHECKING:
    from skyasset.api import GenerateResult, generate
    from skyasset.generator import SkyGenerator

__version__ = "0.1.0"

__all__ = ["CCSN_CLASSES", "CloudClass", "GenerateResult", "SkyGenerator", "SkyassetError", "generate", "__version__"]

_LAZY = {"generate": "skyasset.api", "GenerateResult": "skyasset.api", "SkyGenerator": "skyasset.generator"}


def __getattr__(name: str) -> Any:
    # ONNX Runtime loads only when generation is asked for, so `import skyasset` stays cheap.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'skyasset' has no attribute {name!r}")
