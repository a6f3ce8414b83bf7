"""Every JSON shape the Unity package reads, from the real CLI, checked against the package's own schema.

The schema (unity_package/Documentation~/protocol.schema.json) is the one description that the C# parser
(Editor/Bridge/ResponseParser.cs) and the CLI must both honour: these tests run the real `skyasset` entry
point (``skyasset.cli.app.main``) with the tiny test bundle and validate each answer, success and every error
code, and check that the C# reads only keys the schema requires and that its test samples are valid answers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from skyasset.cli.app import main
from skyasset.errors import CLI_ERROR_CODES, EXIT_CODES

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is needed to check the protocol schema (dev extra)")

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "unity_package"
SCHEMA_PATH = PACKAGE / "Documentation~" / "protocol.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
PARSER_CS = (PACKAGE / "Editor" / "Bridge" / "ResponseParser.cs").read_text(encoding="utf-8")
PLAN_CS = (PACKAGE / "Editor" / "Import" / "LayoutPlan.cs").read_text(encoding="utf-8")
SAMPLES_CS = (PACKAGE / "Tests" / "Editor" / "Samples.cs").read_text(encoding="utf-8")

# A folder name with a space and non-ASCII characters, as Unity projects often have.
AWKWARD = "Pröject dir ☁"


def validate(answer: dict[str, Any], definition: str) -> None:
    schema = {**SCHEMA, "$ref": f"#/$defs/{definition}"}
    schema.pop("oneOf")
    jsonschema.Draft202012Validator(schema).validate(answer)
    jsonschema.Draft202012Validator(SCHEMA).validate(answer)  # and it is exactly one of the protocol's shapes


def _reject_constant(name: str) -> None:
    raise AssertionError(f"{name} is not JSON: the C# parser (and RFC 8259) rejects it")


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, dict[str, Any]]:
    """Run the real CLI entry point; stdout must be exactly one line holding one strict JSON object."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1, f"expected one JSON line on stdout, got {out!r}"
    answer = json.loads(lines[0], parse_constant=_reject_constant)
    assert isinstance(answer, dict)
    return code, answer


def expect_error(capsys: pytest.CaptureFixture[str], code: str, *args: object) -> str:
    rc, answer = run(capsys, *args)
    validate(answer, "error_answer")
    assert answer["error"]["code"] == code, answer
    assert rc == EXIT_CODES[code] == SCHEMA["x-exit-codes"][code]
    return answer["error"]["message"]


@pytest.fixture
def no_default_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Make "no model installed" true even if a default model ships with the package."""
    monkeypatch.setattr("skyasset.models.DEFAULT_MODEL_DIR", tmp_path / "no-default-model")


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / AWKWARD / "Assets" / "Skies"
    folder.mkdir(parents=True)
    return folder


# ---- the schema itself -------------------------------------------------------------------------------------


def test_schema_is_valid_and_lists_exactly_the_cli_error_codes() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["x-exit-codes"] == {code: EXIT_CODES[code] for code in CLI_ERROR_CODES}
    codes = SCHEMA["$defs"]["error_answer"]["properties"]["error"]["properties"]["code"]["enum"]
    assert sorted(codes) == sorted(CLI_ERROR_CODES)


def _required_somewhere(key: str) -> list[dict[str, Any]]:
    """The schema objects that require ``key``, with the property schema for it."""
    found = []
    for definition in SCHEMA["$defs"].values():
        stack = [definition]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if key in node.get("required", []):
                    found.append(node.get("properties", {}).get(key, node.get("additionalProperties", {})))
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return found


def test_every_key_the_csharp_parser_reads_is_required_by_the_schema() -> None:
    reads = re.findall(r"\b(Require\w+|Nullable\w+)\(\w+, \"(\w+)\"\)", PARSER_CS)
    assert len(reads) >= 20, "the regex no longer finds the parser's reads"
    for accessor, key in reads:
        schemas = _required_somewhere(key)
        assert schemas, f"ResponseParser.cs reads '{key}' but the schema requires it nowhere"
        if accessor.startswith("Nullable"):
            assert any("null" in json.dumps(s) for s in schemas), f"'{key}' is read as nullable, schema says never null"


def test_csharp_test_samples_are_valid_protocol_answers() -> None:
    constants = re.findall(r"public const string (\w+) =\s*((?:\"(?:[^\"\\]|\\.)*\"\s*\+?\s*)+);", SAMPLES_CS)
    assert len(constants) >= 8
    for name, literal in constants:
        parts = re.findall(r"\"((?:[^\"\\]|\\.)*)\"", literal)
        text = "".join(json.loads(f'"{p}"') for p in parts)  # C# and JSON share these escapes
        answer = json.loads(text, parse_constant=_reject_constant)
        jsonschema.Draft202012Validator(SCHEMA).validate(answer)
        if name.startswith("Error"):
            assert "error" in answer, name


# ---- success shapes ------------------------------------------------------------------------------------------


def test_classes_builtin(capsys: pytest.CaptureFixture[str], no_default_model: None) -> None:
    rc, answer = run(capsys, "classes", "--json")
    assert rc == 0
    validate(answer, "classes_answer")
    assert answer["source"] == "builtin" and len(answer["classes"]) == 11


def test_classes_from_model(capsys: pytest.CaptureFixture[str], tiny_bundle_path: Path) -> None:
    rc, answer = run(capsys, "classes", "--model", tiny_bundle_path, "--json")
    assert rc == 0
    validate(answer, "classes_answer")
    assert answer["source"] == "model"
    assert {c["code"] for c in answer["classes"]} >= {"Cu", "St"}


def test_model_info(capsys: pytest.CaptureFixture[str], tiny_bundle_path: Path) -> None:
    rc, answer = run(capsys, "model", "info", "--model", tiny_bundle_path, "--json")
    assert rc == 0
    validate(answer, "model_info_answer")


def _layout_plans() -> dict[str, set[str]]:
    """CLI layout -> the file roles LayoutPlan.cs imports for it, read from the C# source."""
    plans: dict[str, set[str]] = {}
    for cli_layout, body in re.findall(r"new LayoutPlan\(\"([\w-]+)\",(.*?)\}\);", PLAN_CS, re.S):
        plans.setdefault(cli_layout, set()).update(re.findall(r"\{ \"([\w:-]+)\", \"_\w+\" \}", body))
    return plans


def test_layout_plans_are_found_in_the_csharp() -> None:
    assert _layout_plans() == {
        "equirect": {"equirect"},
        "cross-h": {"cross-h"},
        "faces": {f"face:{n}" for n in ("front", "back", "left", "right", "up", "down")},
    }


@pytest.mark.parametrize(("layout", "hdr"), [("equirect", False), ("cross-h", False), ("faces", True), ("flat", False)])
def test_generate(
    capsys: pytest.CaptureFixture[str], tiny_bundle_path: Path, out_dir: Path, layout: str, hdr: bool
) -> None:
    out = out_dir / "cumulus_7.png"
    rc, answer = run(
        capsys,
        "generate",
        "--cloud",
        "cumulus",
        "--seed",
        2147483647,
        "--psi",
        "0.7",
        "--layout",
        layout,
        "--size",
        256,
        *(["--hdr"] if hdr else []),
        "--model",
        tiny_bundle_path,
        "-o",
        out,
        "--json",
    )
    assert rc == 0, answer
    validate(answer, "generate_answer")
    assert answer["cloud"] == "Cu" and answer["cloud_name"] == "cumulus" and answer["seed"] == 2147483647
    assert answer["layout"] == layout and answer["hdr"] is hdr
    assert answer["model"]["model_id"] and answer["timings"]["total_s"] > 0
    # outputs: every file written, absolute, existing, the main one first, non-ASCII path kept verbatim
    outputs = [Path(p) for p in answer["outputs"]]
    assert all(p.is_absolute() and p.is_file() for p in outputs)
    assert all(AWKWARD in str(p) for p in outputs)
    assert [f["path"] for f in answer["files"]] == answer["outputs"], "files describes every output, in order"
    for entry in answer["files"]:
        if entry["role"] == "sidecar":
            assert entry["width"] is None and entry["format"] == "json"
        else:
            assert entry["width"] > 0 and entry["height"] > 0
    # what LayoutPlan.cs imports for this layout is there, in PNG and (with --hdr) in EXR
    roles = _layout_plans().get(layout, {"flat"})
    formats = {"png", "exr", "hdr"} if hdr else {"png"}
    for role in roles:
        assert {f["format"] for f in answer["files"] if f["role"] == role} == formats, role
    if layout == "equirect":
        assert answer["size"] == [256, 128]
        eq = next(f for f in answer["files"] if f["role"] == "equirect")
        assert (eq["width"], eq["height"]) == (256, 128)


def test_convert(capsys: pytest.CaptureFixture[str], tiny_bundle_path: Path, out_dir: Path) -> None:
    source = out_dir / "pano.png"
    rc, _ = run(
        capsys, "generate", "-c", "St", "-s", 1, "--size", 256, "--model", tiny_bundle_path, "-o", source, "--json"
    )
    assert rc == 0
    rc, answer = run(capsys, "convert", source, "--to", "cross-h", "-o", out_dir / "cross.png", "--json")
    assert rc == 0, answer
    validate(answer, "convert_answer")
    assert answer["input"] == str(source)


# ---- every error code the bridge can meet ---------------------------------------------------------------------


def test_no_model(capsys: pytest.CaptureFixture[str], no_default_model: None, out_dir: Path) -> None:
    message = expect_error(capsys, "no_model", "generate", "--cloud", "Cu", "-o", out_dir / "a.png", "--json")
    assert "--model" in message


def test_unknown_cloud(capsys: pytest.CaptureFixture[str], tiny_bundle_path: Path, out_dir: Path) -> None:
    message = expect_error(
        capsys,
        "unknown_cloud",
        "generate",
        "--cloud",
        "cumulo",
        "--model",
        tiny_bundle_path,
        "-o",
        out_dir / "a.png",
        "--json",
    )
    assert "cumulus" in message, "the message lists the valid cloud types"


@pytest.mark.parametrize(
    "bad",
    [
        ["--seed", "-3"],
        ["--seed", "4294967296"],
        ["--size", "100"],
        ["--layout", "sphere"],
        ["--bogus"],
        ["--psi", "abc"],
    ],
)
def test_invalid_argument(
    capsys: pytest.CaptureFixture[str], tiny_bundle_path: Path, out_dir: Path, bad: list[str]
) -> None:
    expect_error(
        capsys,
        "invalid_argument",
        "generate",
        "--cloud",
        "Cu",
        *bad,
        "--model",
        tiny_bundle_path,
        "-o",
        out_dir / "a.png",
        "--json",
    )
    assert not (out_dir / "a.png").exists()


def test_input_not_found(capsys: pytest.CaptureFixture[str], out_dir: Path) -> None:
    expect_error(
        capsys,
        "input_not_found",
        "convert",
        out_dir / "missing.png",
        "--to",
        "equirect",
        "-o",
        out_dir / "b.png",
        "--json",
    )


def test_output_exists_then_force(capsys: pytest.CaptureFixture[str], tiny_bundle_path: Path, out_dir: Path) -> None:
    args = ["generate", "-c", "Cu", "-s", 7, "--size", 256, "--model", tiny_bundle_path, "-o", out_dir / "a.png"]
    assert run(capsys, *args, "--json")[0] == 0
    message = expect_error(capsys, "output_exists", *args, "--json")
    assert "--force" in message
    assert run(capsys, *args, "--force", "--json")[0] == 0


def test_io_error(capsys: pytest.CaptureFixture[str], tiny_bundle_path: Path, out_dir: Path) -> None:
    blocker = out_dir / "not-a-folder"
    blocker.write_text("x")
    expect_error(
        capsys,
        "io_error",
        "generate",
        "-c",
        "Cu",
        "--size",
        256,
        "--model",
        tiny_bundle_path,
        "-o",
        blocker / "a.png",
        "--json",
    )


def _damage(bundle: Path, how: str) -> None:
    meta_path = bundle / "skyasset-bundle.json"
    meta = json.loads(meta_path.read_text())
    if how == "bundle_invalid":
        meta_path.write_text("{ not json")
        return
    if how == "bundle_schema_unsupported":
        meta["schema_version"] = 999
    elif how == "bundle_file_missing":
        (bundle / "synthesis.onnx").unlink()
    elif how == "bundle_checksum_mismatch":
        data = (bundle / "mapping.onnx").read_bytes()
        (bundle / "mapping.onnx").write_bytes(data[: len(data) // 2])
    elif how == "bundle_inconsistent":
        meta["classes"] = meta["classes"][:-1]
    meta_path.write_text(json.dumps(meta))


@pytest.mark.parametrize(
    "code",
    [
        "bundle_invalid",
        "bundle_schema_unsupported",
        "bundle_file_missing",
        "bundle_checksum_mismatch",
        "bundle_inconsistent",
    ],
)
def test_broken_bundle(capsys: pytest.CaptureFixture[str], tiny_bundle_copy: Path, out_dir: Path, code: str) -> None:
    _damage(tiny_bundle_copy, code)
    expect_error(
        capsys,
        code,
        "generate",
        "-c",
        "Cu",
        "--size",
        256,
        "--model",
        tiny_bundle_copy,
        "-o",
        out_dir / "a.png",
        "--json",
    )


def test_bundle_not_found(capsys: pytest.CaptureFixture[str], tmp_path: Path, out_dir: Path) -> None:
    expect_error(
        capsys,
        "bundle_not_found",
        "generate",
        "-c",
        "Cu",
        "--model",
        tmp_path / "nope",
        "-o",
        out_dir / "a.png",
        "--json",
    )


def test_internal_error_keeps_the_protocol(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tiny_bundle_path: Path, out_dir: Path
) -> None:
    """A bug inside generate still answers with one JSON error (code internal_error, exit 1), not a traceback."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("skyasset.cli.generate.generate", broken)
    message = expect_error(
        capsys, "internal_error", "generate", "-c", "Cu", "--model", tiny_bundle_path, "-o", out_dir / "a.png", "--json"
    )
    assert "simulated bug" in message
