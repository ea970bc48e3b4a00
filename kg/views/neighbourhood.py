"""`kg view`: the neighbourhood of named entities in the property graph, as one HTML page.

It takes the projected graph (kg.pipeline.view_neighbourhood runs load -> RDF -> validate ->
project, not the exports), so a view does not touch exports/, and this module imports
neither the pipeline nor the exporters.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kg.atomic import write_atomic
from kg.errors import KGError
from kg.property_graph.graph import PropertyGraph
from kg.views.select import View, neighbourhood_view, resolve_entities

__all__ = ["check_request", "write_neighbourhood"]


def check_request(hops: int, path: Path) -> None:
    """KGError for a request no graph can satisfy (checked before the graph is built)."""
    if hops < 0:
        raise KGError.at("kg view", None, "--hops", f"must be 0 or more, not {hops}")
    if path.suffix.lower() not in (".html", ".htm"):
        raise KGError.at("kg view", None, "--out", f"{path} must end in .html")


def write_neighbourhood(graph: PropertyGraph, names: Sequence[str], hops: int, path: Path) -> View:
    """Write the view of everything within `hops` edges of the named entities to path."""
    from kg.views.render import render  # pyvis and the layout load only when pages are made

    check_request(hops, path)
    view = neighbourhood_view(graph, resolve_entities(graph, names), hops)
    write_atomic(path, render(view))
    return view
