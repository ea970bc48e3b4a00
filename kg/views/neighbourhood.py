"""`kg view`: load the graph, pick the neighbourhood of named entities, write one HTML page.

It runs the pipeline's load -> RDF -> validate -> project steps (not the exports), so a
view does not touch exports/.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kg.errors import KGError
from kg.views.select import View, neighbourhood_view, resolve_entities

__all__ = ["write_neighbourhood"]


def write_neighbourhood(
    data_dir: Path, ontologies_dir: Path, names: Sequence[str], hops: int, path: Path
) -> View:
    """Write the view of everything within `hops` edges of the named entities to path."""
    from kg.export.html import write_view

    if hops < 0:
        raise KGError.at("kg view", None, "--hops", f"must be 0 or more, not {hops}")
    if path.suffix.lower() not in (".html", ".htm"):
        raise KGError.at("kg view", None, "--out", f"{path} must end in .html")
    from kg.pipeline import project_sources

    graph = project_sources(data_dir, ontologies_dir)
    view = neighbourhood_view(graph, resolve_entities(graph, names), hops)
    write_view(view, path)
    return view
