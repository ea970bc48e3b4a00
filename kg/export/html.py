"""views/*.html: interactive, self-contained graph views (vis-network via pyvis), one per topic.

Every view is a subgraph of the one projection (ctx.projection), never re-read from RDF: the
curated graph (index.html), the IL-2 -> Treg mechanism, the ontology hierarchy around the
curated terms, and one page per trial. Each page inlines everything it needs, so it opens
from file:// without a single network request. See docs/views.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.atomic import write_atomic
from kg.export.base import BuildContext, Sink

if TYPE_CHECKING:
    from kg.views.select import View

__all__ = ["HtmlSink", "write_view"]


class HtmlSink(Sink):
    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        from kg.views.select import all_views

        return [write_view(view, out / "views" / f"{view.slug}.html")
                for view in all_views(ctx.projection)]  # fmt: skip


def write_view(view: View, path: Path) -> Path:
    """Render one view to path (via a temporary file renamed into place)."""
    from kg.views.render import render  # pyvis and the layout load only when pages are made

    return write_atomic(path, render(view))
