"""N-Quads: every triple with its named graph (curation, provenance, each ontology module)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.export.base import BuildContext, Sink
from kg.export.ntriples import sorted_lines

__all__ = ["NQuadsSink"]


class NQuadsSink(Sink):
    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        path = out / "kg.nq"
        data = ox.serialize(ctx.quads, format=ox.RdfFormat.N_QUADS)
        path.write_text(sorted_lines(data.decode("utf-8")), encoding="utf-8")
        return [path]
