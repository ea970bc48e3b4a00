"""`kg view`: load the graph, pick the neighbourhood of named entities, write one HTML page.

It runs the pipeline's load -> RDF -> project steps (not the checks or the exports), so a
view is quick and does not touch exports/.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kg.errors import KGError
from kg.project.graph import PropertyGraph
from kg.views.select import View, neighbourhood_view, resolve_entities

__all__ = ["load_projection", "write_neighbourhood"]


def load_projection(data_dir: Path, ontologies_dir: Path) -> PropertyGraph:
    """The property graph of data_dir + ontologies_dir, as `kg build` projects it."""
    from kg.pipeline import assemble
    from kg.project.projection import project

    assembled = assemble(data_dir, ontologies_dir)
    assembled.validation.raise_for_violations()
    return project(assembled.dataset)


def write_neighbourhood(
    data_dir: Path, ontologies_dir: Path, names: Sequence[str], hops: int, path: Path
) -> View:
    """Write the view of everything within `hops` edges of the named entities to path."""
    from kg.export.html import write_view

    if hops < 0:
        raise KGError.at("kg view", None, "--hops", f"must be 0 or more, not {hops}")
    if path.suffix.lower() not in (".html", ".htm"):
        raise KGError.at("kg view", None, "--out", f"{path} must end in .html")
    graph = load_projection(data_dir, ontologies_dir)
    view = neighbourhood_view(graph, resolve_entities(graph, names), hops)
    write_view(view, path)
    return view
