"""N-Triples of the merged graph (all named graphs unioned), one triple per line, sorted."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from kg.export.base import BuildContext, Sink

__all__ = ["NTriplesSink", "merged_graph", "sorted_lines"]


def merged_graph(ds: Dataset) -> Graph:
    """The union of every named graph, as one plain rdflib Graph (duplicates collapse)."""
    g = Graph()
    g.addN((s, p, o, g) for s, p, o, _ in ds.quads((None, None, None, None)))
    return g


def sorted_lines(text: str) -> str:
    """Sort line-based RDF output (N-Triples, N-Quads) for byte-stable files.

    Lines are split at '\\n' only: a literal may hold U+2028, NEL or a form feed, which
    str.splitlines() would also break at, cutting a statement in two.
    """
    lines = sorted({line for line in text.split("\n") if line.strip()})
    return "\n".join(lines) + "\n"


class NTriplesSink(Sink):
    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        path = out / "kg.nt"
        data = ox.serialize(ctx.triples, format=ox.RdfFormat.N_TRIPLES)
        path.write_text(sorted_lines(data.decode("utf-8")), encoding="utf-8")
        return [path]
