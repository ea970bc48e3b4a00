"""N-Triples of the merged graph (all named graphs unioned), one triple per line, sorted."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from kg.export.base import BuildContext, Sink, register

__all__ = ["NTriplesSink", "merged_graph", "sorted_lines"]


def merged_graph(ds: Dataset) -> Graph:
    """The union of every named graph, as one plain Graph (duplicates collapse)."""
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def sorted_lines(text: str) -> str:
    """Sort line-based RDF output (N-Triples, N-Quads) for byte-stable files."""
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + "\n"


@register
class NTriplesSink(Sink):
    name = "nt"
    description = "kg.nt: the merged graph as sorted N-Triples"

    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        path = out / "kg.nt"
        text = merged_graph(ctx.dataset).serialize(format="nt", encoding="utf-8").decode("utf-8")
        path.write_text(sorted_lines(text), encoding="utf-8")
        return [path]
