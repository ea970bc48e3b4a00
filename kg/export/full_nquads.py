"""Full-merge mode: the curated graph with whole source ontologies instead of modules.

`kg build --ontology-mode full` writes `full/kg-full.nq`: every named graph of the default
build except the ontology modules, plus one named graph per whole ontology converted by
:func:`kg.ontology.full_merge.full_merge_ntriples`. Lines are written as strings and sorted,
never held in rdflib, so 1.6 million triples fit in seconds and a few hundred MiB.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kg.export.base import BuildContext
from kg.namespaces import GRAPH

__all__ = ["FULL_FILE", "write_full_merge"]

FULL_FILE = Path("full") / "kg-full.nq"
_MODULE_GRAPH = str(GRAPH["ontology/"])


def write_full_merge(
    ctx: BuildContext, config: Path, staging: Path, only: list[str] | None = None
) -> tuple[list[Path], dict[str, int]]:
    """Write full/kg-full.nq under staging; return the written paths and triple counts."""
    from kg.ontology.full_merge import full_merge_ntriples

    work = staging / ".full-ontologies"
    counts = full_merge_ntriples(config, work, only)
    lines: list[str] = []
    curated = ctx.dataset.serialize(format="nquads", encoding="utf-8").decode("utf-8")
    for line in curated.splitlines():
        if line.strip() and f"<{_MODULE_GRAPH}" not in line:
            lines.append(line)
    for path in sorted(work.glob("*.nt")):
        graph = f" <{GRAPH['ontology/' + path.stem]}> ."
        with path.open(encoding="utf-8") as fh:
            lines.extend(_quad(line, graph) for line in fh if line.strip())
    shutil.rmtree(work)
    lines = sorted(set(lines))
    target = staging / FULL_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    counts = {f"full:{k}": v for k, v in counts.items()} | {"full:quads": len(lines)}
    return [target], counts


def _quad(ntriples_line: str, graph: str) -> str:
    """'<s> <p> <o> .' -> '<s> <p> <o> <g> .'"""
    return ntriples_line.rstrip().removesuffix(".").rstrip() + graph
