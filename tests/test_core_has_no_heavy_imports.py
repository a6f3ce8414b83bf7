"""The core package installs and runs without torch or bpy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "skyasset"
FORBIDDEN = {"torch", "bpy", "torchvision", "onnxscript"}


def test_no_core_module_imports_torch_or_bpy() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(CORE)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert not offenders


def test_cli_runs_with_torch_blocked() -> None:
    # None in sys.modules makes `import torch` fail, as on a core-only install.
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['bpy'] = None\n"
        "from skyasset.cli.app import main\n"
        "sys.exit(main(['classes', '--json']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert '"classes"' in result.stdout
