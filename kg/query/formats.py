"""`kg query --format`: the table of output formats, SPARQL 1.1 results or RDF.

Its own small module so the CLI builds its help text without importing the query engine's
dependencies (kg.query.sparql imports the prefix map, curies and rdflib).
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat

__all__ = ["FORMATS", "OutputFormat"]


@dataclass(frozen=True)
class OutputFormat:
    """One way to write an answer: a results format (SELECT/ASK) or an RDF format (graphs)."""

    name: str
    description: str
    results: QueryResultsFormat | None = None
    graph: RdfFormat | None = None


#: `kg query --format` choices; the CLI help is built from this table.
FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat(
            "table",
            "a boxed table on a terminal; in a pipe or file the same as plain",
        ),
        OutputFormat(
            "plain",
            "the table's cells as tab-separated lines: IRIs as CURIEs, literals as their "
            "bare text, untruncated",
        ),
        OutputFormat("csv", "SPARQL 1.1 CSV results", results=QueryResultsFormat.CSV),
        OutputFormat(
            "tsv",
            'SPARQL 1.1 TSV results (?var header, <IRI> and quoted "literal" terms)',
            results=QueryResultsFormat.TSV,
        ),
        OutputFormat("json", "SPARQL 1.1 JSON results", results=QueryResultsFormat.JSON),
        OutputFormat("xml", "SPARQL 1.1 XML results", results=QueryResultsFormat.XML),
        OutputFormat("ttl", "Turtle (CONSTRUCT, DESCRIBE)", graph=RdfFormat.TURTLE),
        OutputFormat("nt", "N-Triples (CONSTRUCT, DESCRIBE)", graph=RdfFormat.N_TRIPLES),
    )
}
