"""How the core's modules depend on each other: one way, no cycles, never into training/ (function-local
imports included, since they are the ones that hide a cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "skyasset"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(CORE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the core modules it imports anywhere in its body (``from a import b`` counts ``a.b`` if a module)."""
    files = {_module_name(p): p for p in CORE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in files]
                targets = submodules or [base]
            for target in targets:
                while target and target not in files and not target.startswith("training"):
                    target = target.rpartition(".")[0]
                # A package's own parent is imported implicitly by Python; it is not a dependency.
                if target and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_inside_the_core() -> None:
    assert cycles(import_graph()) == []


def test_the_core_never_imports_training() -> None:
    offenders = {m: sorted(t for t in ts if t.startswith("training")) for m, ts in import_graph().items()}
    assert {m: t for m, t in offenders.items() if t} == {}


def test_assets_and_upscale_do_not_know_about_each_other_or_the_pipeline() -> None:
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith("skyasset.assets"):
            assert not {t for t in targets if t.startswith(("skyasset.upscale", "skyasset.pipeline"))}, name
        if name.startswith("skyasset.upscale"):
            assert not {t for t in targets if t.startswith(("skyasset.assets", "skyasset.pipeline"))}, name


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
