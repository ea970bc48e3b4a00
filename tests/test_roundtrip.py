"""One graph, five readings: the RDF statements (kg.nq), GraphML (networkx), KGX (csv), the
neo4j-admin CSVs (csv) and an embedded engine (Kuzu, loaded from those CSVs) agree on node and
edge counts, on every statement's polarity and evidence quotes, and on the negated Th1/Th2
findings of He et al. 2016."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from property_graph_samples import (
    kuzu_rows,
    read_admin_csv,
)
from rdflib import Dataset, Graph, URIRef

from kg.export.columns import list_item
from kg.namespaces import KGV, RDF, property_graph_id

TH1, TH2 = "CL:0000545", "CL:0000546"


@pytest.fixture(scope="module")
def rdf_statements(exports_projection) -> dict[str, dict[str, Any]]:
    """Statement CURIE -> subject, object, negated and sorted quotes, read from the RDF."""
    ds, _ = exports_projection
    return _statements(ds)


def _statements(ds: Dataset) -> dict[str, dict[str, Any]]:
    g = Graph()  # the union of the named graphs
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    out: dict[str, dict[str, Any]] = {}
    for st in set(g.subjects(RDF.type, KGV.Statement)):
        assert isinstance(st, URIRef)
        quotes = sorted(
            str(q) for ev in g.objects(st, KGV.evidence) for q in g.objects(ev, KGV.quote)
        )
        negated = g.value(st, KGV.negated)
        out[property_graph_id(st)] = {
            "subject": property_graph_id(g.value(st, RDF.subject)),
            "object": property_graph_id(g.value(st, RDF.object)),
            "negated": bool(negated is not None and negated.toPython()),
            "quotes": [list_item(q) for q in quotes],
        }
    return out


@pytest.fixture(scope="module")
def counts(exports_projection) -> tuple[int, int]:
    graph = exports_projection[1]
    return len(graph.nodes), len(graph.edges)


def test_the_th1_th2_findings_are_negated_statements(rdf_statements) -> None:
    for cell in (TH1, TH2):
        found = [s for s in rdf_statements.values() if s["object"] == cell and s["negated"]]
        assert found, f"no negated statement about {cell}"
        assert any("TH1 or TH2" in q for s in found for q in s["quotes"])


def test_projection_has_one_edge_per_statement(exports_projection, rdf_statements) -> None:
    graph = exports_projection[1]
    edges = {e.id: e for e in graph.edges if "statement" in e.properties}
    assert set(edges) == set(rdf_statements)
    for sid, st in rdf_statements.items():
        e = edges[sid]
        assert (e.source, e.target, e.negated) == (st["subject"], st["object"], st["negated"])
        assert sorted(list_item(q) for q in e.properties["quotes"]) == st["quotes"]


def test_graphml_agrees(exports: Path, rdf_statements, counts) -> None:
    g = nx.read_graphml(exports / "graph.graphml", force_multigraph=True)
    assert (g.number_of_nodes(), g.number_of_edges()) == counts
    by_key = {k: d for _, _, k, d in g.edges(keys=True, data=True)}
    for sid, st in rdf_statements.items():
        assert by_key[sid]["negated"] is st["negated"], sid
        assert sorted(by_key[sid]["quotes"].split("|")) == st["quotes"], sid


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_kgx_agrees(exports: Path, rdf_statements, counts) -> None:
    nodes = _tsv(exports / "kgx" / "nodes.tsv")
    edges = {r["id"]: r for r in _tsv(exports / "kgx" / "edges.tsv")}
    assert (len(nodes), len(edges)) == counts
    for sid, st in rdf_statements.items():
        row = edges[sid]
        assert row["negated"] == ("true" if st["negated"] else "false"), sid
        assert sorted(row["supporting_text"].split("|")) == [
            " ".join(q.split()) for q in st["quotes"]
        ], sid


def test_admin_csv_and_kuzu_agree(exports: Path, rdf_statements, counts, exports_kuzu) -> None:
    nodes, rels = read_admin_csv(exports / "neo4j")
    assert (len(nodes), len(rels)) == counts
    by_id = {r["id"]: r for r in rels}
    for sid, st in rdf_statements.items():
        assert by_id[sid]["negated"] is st["negated"], sid
        assert sorted(by_id[sid]["quotes"]) == st["quotes"], sid

    conn = exports_kuzu
    n = kuzu_rows(conn, "MATCH (n:N) RETURN count(n)")[0][0]
    r = kuzu_rows(conn, "MATCH ()-[r:R]->() RETURN count(r)")[0][0]
    assert (n, r) == counts
    negated = kuzu_rows(
        conn, "MATCH (a:N)-[r:R]->(b:N) WHERE r.negated RETURN r.id, a.id, b.id, r.quotes"
    )
    expected = sorted(
        [sid, st["subject"], st["object"], st["quotes"]]
        for sid, st in rdf_statements.items()
        if st["negated"]
    )
    assert sorted([row[0], row[1], row[2], sorted(row[3])] for row in negated) == expected
    assert any(row[2] in (TH1, TH2) for row in negated)


def test_load_cypher_holds_every_row(exports: Path, counts) -> None:
    text = (exports / "neo4j" / "load.cypher").read_text(encoding="utf-8")
    header = text.splitlines()[0]
    assert f"{counts[0]} nodes, {counts[1]} relationships" in header
    rows = sum(1 for line in text.splitlines() if line.startswith("  {id: "))
    assert rows == counts[0] + counts[1]
