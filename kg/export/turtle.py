"""Turtle of the merged graph, with the project's prefixes, written by Oxigraph.

Triples are sorted (subject, predicate, object in N-Triples form) before writing, so
the file is byte-stable and each subject's statements form one block.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.export.base import BuildContext, Sink
from kg.namespaces import PREFIXES

__all__ = ["TurtleSink"]


class TurtleSink(Sink):
    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        path = out / "kg.ttl"
        triples = ctx.triples
        prefixes = {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}
        text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes).decode()
        path.write_text(_sorted_prefixes(text), encoding="utf-8")
        return [path]


def _sorted_prefixes(text: str) -> str:
    """Oxigraph writes the @prefix lines in hash order: sort them, so the file is byte-stable.

    The prefix block is the lines before the first statement, one '@prefix' per line.
    """
    lines = text.split("\n")
    head = 0
    while head < len(lines) and lines[head].startswith("@prefix "):
        head += 1
    return "\n".join(sorted(lines[:head]) + lines[head:])
