"""`skyasset classes`: the cloud types the model knows."""

from __future__ import annotations

from typing import Any

from skyasset.bundle import load_bundle
from skyasset.classes import CCSN_CLASSES
from skyasset.cli.options import JsonOpt, ModelOpt
from skyasset.cli.output import respond
from skyasset.errors import SkyassetError
from skyasset.models import resolve_model_path


def list_classes(model: ModelOpt = None, json_mode: JsonOpt = False) -> None:
    """List the cloud types: the installed model's, or the 11 CCSN genera when no model is installed."""

    def work() -> dict[str, Any]:
        try:
            bundle = load_bundle(resolve_model_path(model), verify_checksums=False)
        except SkyassetError as error:
            if error.code != "no_model":
                raise
            return {"classes": [c.to_json() for c in CCSN_CLASSES], "source": "builtin"}
        return {"classes": [c.to_json() for c in bundle.classes], "source": "model"}

    def human(answer: dict[str, Any]) -> str:
        rows = [f"{c['code']:<3} {c['name']:<14} {c['description']}" for c in answer["classes"]]
        return "\n".join(rows)

    respond(json_mode, work, human)
