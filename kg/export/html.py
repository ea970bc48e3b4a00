"""views/*.html: interactive, self-contained graph views (vis-network), one per topic, and
results.html, the trials' results side by side (forest plot, tables, dosing charts).

Every view is a subgraph of the one projection (ctx.projection), never re-read from RDF: the
curated graph (index.html), the IL-2 -> Treg mechanism, the ontology hierarchy around the
curated terms, and one page per trial with its results table. Each page inlines everything it
needs, so it opens from file:// without a single network request. See docs/views.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.atomic import write_atomic
from kg.export.base import BuildContext, Sink

if TYPE_CHECKING:
    from kg.views.render import PageLayout
    from kg.views.select import View

__all__ = ["HtmlSink", "write_view"]


class HtmlSink(Sink):
    """The `html` format (its row in kg/export/formats.py says what it writes)."""

    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        from kg.views.render import page_layouts
        from kg.views.resultspage import render_results_page
        from kg.views.select import RESULTS_PAGE, all_views
        from kg.views.trialdata import trial_data

        views = all_views(ctx.projection)
        written = [
            write_view(view, out / "views" / f"{view.slug}.html", layout)
            for view, layout in zip(views, page_layouts(views), strict=True)
        ]
        page = render_results_page(trial_data(ctx.projection), views)
        return [*written, write_atomic(out / "views" / RESULTS_PAGE, page)]


def write_view(view: View, path: Path, layout: PageLayout | None = None) -> Path:
    """Render one view to path (via a temporary file renamed into place).

    layout: the view's entry of `kg.views.render.page_layouts` (else computed for this view).
    """
    from kg.views.render import render_page  # Jinja2 and the layout load only when needed

    return write_atomic(path, render_page(view, layout))
