"""Bundle validation: every broken bundle fails with its own code and a message that names the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skyasset.bundle import METADATA_NAME, load_bundle, sha256_of
from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator


def _edit_metadata(bundle: Path, change: Any) -> None:
    path = bundle / METADATA_NAME
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))


def _code_of(path: Path) -> str:
    with pytest.raises(SkyassetError) as caught:
        SkyGenerator(path)
    assert caught.value.message  # every error explains itself
    return caught.value.code


def test_tiny_bundle_loads_and_describes_itself(tiny_bundle_path: Path) -> None:
    bundle = load_bundle(tiny_bundle_path)
    assert bundle.c_dim == len(bundle.classes) == 11
    assert bundle.class_w_avg.shape == (bundle.c_dim, bundle.w_dim)
    summary = bundle.summary()
    assert summary["bytes"] == sum(p.stat().st_size for p in tiny_bundle_path.glob("*.onnx"))
    assert {c["code"] for c in summary["classes"]} >= {"Cu", "St", "Ci"}


def test_missing_folder(tmp_path: Path) -> None:
    assert _code_of(tmp_path / "nope") == "bundle_not_found"


def test_folder_without_metadata(tmp_path: Path) -> None:
    assert _code_of(tmp_path) == "bundle_not_found"


def test_metadata_not_json(tiny_bundle_copy: Path) -> None:
    (tiny_bundle_copy / METADATA_NAME).write_text("{ not json")
    assert _code_of(tiny_bundle_copy) == "bundle_invalid"


@pytest.mark.parametrize("key", ["schema_version", "resolution", "classes", "w_avg", "graphs", "variant"])
def test_missing_key(tiny_bundle_copy: Path, key: str) -> None:
    _edit_metadata(tiny_bundle_copy, lambda m: m.pop(key))
    assert _code_of(tiny_bundle_copy) == "bundle_invalid"


def test_unknown_schema_version(tiny_bundle_copy: Path) -> None:
    _edit_metadata(tiny_bundle_copy, lambda m: m.update(schema_version=99))
    with pytest.raises(SkyassetError) as caught:
        load_bundle(tiny_bundle_copy)
    assert caught.value.code == "bundle_schema_unsupported"
    assert "99" in caught.value.message


def test_missing_graph_file(tiny_bundle_copy: Path) -> None:
    (tiny_bundle_copy / "synthesis.onnx").unlink()
    assert _code_of(tiny_bundle_copy) == "bundle_file_missing"


def test_truncated_graph(tiny_bundle_copy: Path) -> None:
    graph = tiny_bundle_copy / "mapping.onnx"
    graph.write_bytes(graph.read_bytes()[:-100])
    assert _code_of(tiny_bundle_copy) == "bundle_checksum_mismatch"


def test_class_count_disagrees_with_c_dim(tiny_bundle_copy: Path) -> None:
    _edit_metadata(tiny_bundle_copy, lambda m: m["classes"].pop())
    assert _code_of(tiny_bundle_copy) == "bundle_inconsistent"


def test_w_avg_wrong_length(tiny_bundle_copy: Path) -> None:
    _edit_metadata(tiny_bundle_copy, lambda m: m["w_avg"].append(0.0))
    assert _code_of(tiny_bundle_copy) == "bundle_inconsistent"


def test_duplicate_class_codes(tiny_bundle_copy: Path) -> None:
    def dup(meta: dict[str, Any]) -> None:
        meta["classes"][1]["code"] = meta["classes"][0]["code"]

    _edit_metadata(tiny_bundle_copy, dup)
    assert _code_of(tiny_bundle_copy) == "bundle_inconsistent"


def test_metadata_disagrees_with_graph_shapes(tiny_bundle_copy: Path) -> None:
    _edit_metadata(tiny_bundle_copy, lambda m: m.update(resolution=m["resolution"] * 2))
    assert _code_of(tiny_bundle_copy) == "bundle_inconsistent"


def test_unknown_variant(tiny_bundle_copy: Path) -> None:
    _edit_metadata(tiny_bundle_copy, lambda m: m.update(variant="int3"))
    assert _code_of(tiny_bundle_copy) == "bundle_invalid"


def test_decode_weights_at_load_must_be_a_boolean(tiny_bundle_copy: Path) -> None:
    _edit_metadata(tiny_bundle_copy, lambda m: m["graphs"]["synthesis"].update(decode_weights_at_load="yes"))
    assert _code_of(tiny_bundle_copy) == "bundle_invalid"
    _edit_metadata(tiny_bundle_copy, lambda m: m["graphs"]["synthesis"].update(decode_weights_at_load=True))
    assert load_bundle(tiny_bundle_copy).graphs["synthesis"].decode_weights_at_load
    assert not load_bundle(tiny_bundle_copy).graphs["mapping"].decode_weights_at_load


def test_no_model_installed_names_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("skyasset.models.DEFAULT_MODEL_DIR", tmp_path / "no-default-model")
    with pytest.raises(SkyassetError) as caught:
        SkyGenerator()
    assert caught.value.code == "no_model"
    assert "--model" in caught.value.message and "SKYASSET_MODEL" in caught.value.message


@pytest.mark.parametrize("name", ["../mapping.onnx", "/etc/passwd", "sub/mapping.onnx", ""])
def test_graph_files_must_live_inside_the_bundle(tiny_bundle_copy: Path, name: str) -> None:
    _edit_metadata(tiny_bundle_copy, lambda m: m["graphs"]["mapping"].update(file=name))
    assert _code_of(tiny_bundle_copy) == "bundle_invalid"


def test_graph_file_may_not_be_a_symlink(tiny_bundle_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.onnx"
    (tiny_bundle_copy / "mapping.onnx").rename(outside)
    (tiny_bundle_copy / "mapping.onnx").symlink_to(outside)
    assert _code_of(tiny_bundle_copy) == "bundle_invalid"


def test_nan_class_means_are_refused(tiny_bundle_copy: Path) -> None:
    _edit_metadata(tiny_bundle_copy, lambda m: m["class_w_avg"][3].__setitem__(0, float("nan")))
    assert _code_of(tiny_bundle_copy) == "bundle_invalid"


def test_recorded_size_is_compared_before_hashing(tiny_bundle_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open(tiny_bundle_copy / "synthesis.onnx", "ab") as f:
        f.write(b"\0" * 1000)

    real_hash = sha256_of

    def hash_unless_wrong_size(path: Path, *args: Any, **kwargs: Any) -> str:
        assert path.name != "synthesis.onnx", "hashed a file whose size already shows it is wrong"
        return real_hash(path, *args, **kwargs)

    monkeypatch.setattr("skyasset.bundle.sha256_of", hash_unless_wrong_size)
    assert _code_of(tiny_bundle_copy) == "bundle_checksum_mismatch"


def test_symlink_loop_is_not_found(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert _code_of(tmp_path / "a") == "bundle_not_found"


def test_model_info_makes_the_same_checks_as_generate(tiny_bundle_copy: Path) -> None:
    from typer.testing import CliRunner

    from skyasset.cli.app import app

    _edit_metadata(tiny_bundle_copy, lambda m: m.update(resolution=64))
    result = CliRunner().invoke(app, ["model", "info", "--model", str(tiny_bundle_copy), "--json"])
    assert result.exit_code == 3 and json.loads(result.stdout)["error"]["code"] == "bundle_inconsistent"


def test_non_finite_pixels_are_a_damaged_bundle(tiny_bundle_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generator = SkyGenerator(tiny_bundle_path)
    real_run = generator._synthesis.run

    class NanSession:
        def run(self, *args: Any, **kwargs: Any) -> list[Any]:
            out = real_run(*args, **kwargs)
            out[0][:] = float("nan")
            return out

    monkeypatch.setattr(generator, "_synthesis", NanSession())
    with pytest.raises(SkyassetError) as caught:
        generator.check()
    assert caught.value.code == "bundle_invalid"
