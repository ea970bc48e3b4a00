"""The sink table: every export format by name, what it writes, and where its class lives.

The one list of formats (as kgx's SINK_MAP): `kg build --format` takes its choices and help
from it, and :func:`sinks` imports a sink's module only when it is used, so a
build of one format does not pay for the imports of the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.export.base import Sink

__all__ = ["SINKS", "SinkEntry", "intervals_helper", "sinks"]


@dataclass(frozen=True)
class SinkEntry:
    """One row of the table: format name, what it writes, module and class of its sink.

    in_worker: `kg build` (with --jobs 2, where fork is available) writes this sink in its
    forked worker process while the main process validates and writes the others. The
    worker takes the property-graph sinks, so the projection is computed once, there; the
    main process keeps validation and the RDF sinks. The two halves take about the same
    time on today's data (measured with benchmarks/bench_build.py).
    intervals: the sink computes confidence intervals (kg.views.intervals, statsmodels), so
    `kg build` imports statsmodels in a helper process from its start (see
    :func:`intervals_helper`).
    """

    name: str
    description: str
    module: str
    cls: str
    in_worker: bool = False
    intervals: bool = False

    def load(self) -> type[Sink]:
        """The sink class (imports its module)."""
        sink: type[Sink] = getattr(import_module(self.module), self.cls)
        return sink


SINKS: dict[str, SinkEntry] = {
    e.name: e
    for e in (
        SinkEntry("coverage", "curation-report.md + .html: per trial and publication, what is "
                  "filled; isolated and unverified", "kg.export.coverage", "CoverageSink"),
        SinkEntry("graphml", "graph.graphml: the property graph as typed GraphML",
                  "kg.export.graphml", "GraphMLSink", in_worker=True),
        SinkEntry("html", "views/*.html: interactive offline views (curated, mechanism, "
                  "ontology, trials, results across trials)", "kg.export.html", "HtmlSink",
                  in_worker=True, intervals=True),
        SinkEntry("jsonld", "kg.jsonld: every named graph as JSON-LD with a prefix context",
                  "kg.export.jsonld", "JsonLdSink"),
        SinkEntry("kgx", "kgx/nodes.tsv + kgx/edges.tsv: Biolink KGX TSV",
                  "kg.export.kgx", "KgxSink", in_worker=True),
        SinkEntry("neo4j", "neo4j/: admin-import CSVs, schema.cypher, load.cypher and a README",
                  "kg.export.neo4j_bundle", "Neo4jSink", in_worker=True),
        SinkEntry("nq", "kg.nq: every named graph as sorted N-Quads",
                  "kg.export.nquads", "NQuadsSink"),
        SinkEntry("nt", "kg.nt: the merged graph as sorted N-Triples",
                  "kg.export.ntriples", "NTriplesSink"),
        SinkEntry("tables", "tables/*.csv: results, adverse events, trials, arms and doses, "
                  "statements as rows", "kg.export.tables", "TablesSink",
                  in_worker=True, intervals=True),
        SinkEntry("ttl", "kg.ttl: the merged graph as Turtle", "kg.export.turtle", "TurtleSink"),
    )
}  # fmt: skip


def sinks() -> dict[str, type[Sink]]:
    """Every sink of the table by name, its module imported."""
    return {name: entry.load() for name, entry in sorted(SINKS.items())}


def intervals_helper(names: Sequence[str] | None, jobs: int) -> AbstractContextManager[None]:
    """Within: statsmodels is imported in a helper process (kg.views.intervals), if it helps.

    It helps when jobs is 2 and any named sink (None or empty: all) computes intervals: the
    import (about 0.6 s) then runs on the second core while the build loads and builds RDF.
    Otherwise nothing is started, and intervals are computed where they are needed.
    """
    chosen = set(names) if names else set(SINKS)  # as kg.pipeline.build: none means all
    if jobs == 2 and any(SINKS[n].intervals for n in chosen if n in SINKS):
        from kg.views.intervals import computed_in_background

        return computed_in_background()
    return nullcontext()
