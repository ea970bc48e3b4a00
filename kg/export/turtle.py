"""Turtle of the merged graph, with the project's prefixes."""

from __future__ import annotations

from pathlib import Path

from kg.export.base import BuildContext, Sink, register
from kg.export.ntriples import merged_graph
from kg.namespaces import PREFIXES

__all__ = ["TurtleSink"]


@register
class TurtleSink(Sink):
    name = "ttl"
    description = "kg.ttl: the merged graph as Turtle"

    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        graph = merged_graph(ctx.dataset)
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True, replace=True)
        path = out / "kg.ttl"
        path.write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
        return [path]
