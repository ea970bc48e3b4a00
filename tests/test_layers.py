"""The build runs one way: lower floors never import the modules that sequence them.

kg/pipeline.py is the only module that sequences stages; kg.curation, kg.ontology, kg.rdf,
kg.property_graph, kg.views and kg.export never import it (nor the CLI), kg.views never imports
kg.export, and the modules' top-level imports form no cycle. Imports are read with `ast`
(function-level imports included for the floor rules), so nothing is executed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KG = Path(__file__).resolve().parents[1] / "kg"
LOWER = (
    "kg.curation", "kg.ontology", "kg.rdf", "kg.property_graph", "kg.views", "kg.export",
)  # fmt: skip


def _module(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {name for name in found if name == "kg" or name.startswith("kg.")}


MODULES = {_module(p): p for p in sorted(KG.rglob("*.py"))}


@pytest.mark.parametrize("name", [m for m in MODULES if m.startswith(LOWER)])
def test_lower_floors_never_import_the_pipeline_or_the_cli(name: str) -> None:
    imported = _imports(MODULES[name], top_level_only=False)
    assert not {i for i in imported if i.startswith(("kg.pipeline", "kg.cli"))}, name
    if name.startswith("kg.views"):
        assert not {i for i in imported if i.startswith("kg.export")}, name


def test_top_level_imports_have_no_cycle() -> None:
    graph = {
        name: {i for i in _imports(path, top_level_only=True) if i in MODULES and i != name}
        for name, path in MODULES.items()
    }
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_sinks_come_from_the_table_not_from_import_side_effects() -> None:
    from kg.export.formats import SINKS, sinks

    assert set(sinks()) == set(SINKS)
    for path in (KG / "export").glob("*.py"):
        assert "@register" not in path.read_text("utf-8"), path
