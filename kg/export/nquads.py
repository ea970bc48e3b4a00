"""N-Quads: every triple with its named graph (curation, provenance, each ontology module)."""

from __future__ import annotations

from pathlib import Path

from kg.export.base import BuildContext, Sink, register
from kg.export.ntriples import sorted_lines

__all__ = ["NQuadsSink"]


@register
class NQuadsSink(Sink):
    name = "nq"
    description = "kg.nq: every named graph as sorted N-Quads"

    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        path = out / "kg.nq"
        text = ctx.dataset.serialize(format="nquads", encoding="utf-8").decode("utf-8")
        path.write_text(sorted_lines(text), encoding="utf-8")
        return [path]
