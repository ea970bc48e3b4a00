"""Full-merge mode's export: `full/kg-full.nq`, the curated graph with whole ontologies.

Writes what the full-merge stage (:func:`kg.ontology.full_merge.merge_full_ontologies`,
run by the pipeline before export) produced: every named graph of the default build
except the modules of the merged ontologies, plus one named graph per whole ontology
(`il2kg:graph/ontology/<name>`, the module's graph name). The project vocabulary and
the mappings graph stay, since no whole ontology replaces them. Lines are handled as
strings and sorted, never held in rdflib, so 1.6 million triples fit in seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Dataset

from kg.namespaces import GRAPH
from kg.rdf.oxigraph import to_oxigraph

if TYPE_CHECKING:
    from kg.ontology.full_merge import FullMerge

__all__ = ["FULL_FILE", "write_full_nquads"]

FULL_FILE = Path("full") / "kg-full.nq"


def write_full_nquads(
    dataset: Dataset, merged: FullMerge, staging: Path
) -> tuple[list[Path], dict[str, int]]:
    """Write full/kg-full.nq under staging; return the written paths and quad counts."""
    replaced = tuple(f"<{GRAPH['ontology/' + name]}> ." for name in merged.files)
    lines: list[str] = []
    curated = ox.serialize(to_oxigraph(dataset), format=ox.RdfFormat.N_QUADS).decode("utf-8")
    for line in curated.split("\n"):  # not splitlines(): a literal may hold U+2028
        if line.strip() and not line.rstrip().endswith(replaced):
            lines.append(line)
    for name, path in sorted(merged.files.items()):
        graph = f" <{GRAPH['ontology/' + name]}> ."
        with path.open(encoding="utf-8") as fh:
            lines.extend(_quad(line, graph) for line in fh if line.strip())
    lines = sorted(set(lines))
    target = staging / FULL_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    counts = {f"full:{k}": v for k, v in merged.counts.items()} | {"full:quads": len(lines)}
    return [target], counts


def _quad(ntriples_line: str, graph: str) -> str:
    """'<s> <p> <o> .' -> '<s> <p> <o> <g> .'"""
    return ntriples_line.rstrip().removesuffix(".").rstrip() + graph
