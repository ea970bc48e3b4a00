"""No isolated node in the property graph; `kg validate` warns about every record that would be one.

The project's own graph is read back from exports/graph.graphml with networkx (an independent
parser). The warning is proved on fixtures appended to a project's data/: a publication nobody
cites and an outcome measure no trial names, each warned about at its `id` line, in agreement
with the projection (the node is there, with no edge). The fast tier appends them to the small
sample project (tests/bad_input/miniproject.py); CI also to a copy of the real data/ (`slow`: a
validation of the whole project each).
"""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Literal, URIRef

from kg.namespaces import BIOLINK, DCTERMS, KGV, RDF, RDFS, expand, property_graph_id
from kg.property_graph.projection import project
from kg.rdf.isolation import curated_nodes, isolated_entities
from kg.rdf.model import outcome_iri

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from miniproject import append_items, project_data

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "isolation"
EX = "https://example.org/"
ORPHAN = "il2kg:publication/nobody-cites-this-2099"
#: the projects a record is appended to: the sample project, and (slow) a copy of data/
PROJECTS = [pytest.param("sample"), pytest.param("real", marks=pytest.mark.slow)]


def test_property_graph_of_the_project_has_no_isolated_node(exports: Path) -> None:
    g = nx.read_graphml(exports / "graph.graphml", force_multigraph=True)
    assert g.number_of_nodes() >= 1000 and g.number_of_edges() >= 2000
    assert [n for n in g.nodes if g.degree(n) == 0] == []


def test_every_curated_record_kind_is_a_node_of_the_graph(exports: Path) -> None:
    """The check covers exactly the record kinds the projection makes nodes of."""
    from kg.curation.load import load_curation

    g = nx.read_graphml(exports / "graph.graphml", force_multigraph=True)
    records = curated_nodes(load_curation(ROOT / "data").curation)
    assert {n.kind for n in records.values()} == {"entity", "publication", "outcome measure",
                                                  "trial"}  # fmt: skip
    missing = [n.record for iri, n in records.items() if property_graph_id(iri) not in g.nodes]
    assert missing == []


@pytest.mark.parametrize("kind", PROJECTS)
@pytest.mark.parametrize(
    ("fixture", "target", "record", "iri"),
    [
        ("uncited_publication.yaml", "publications.yaml", ORPHAN, expand(ORPHAN)),
        ("unused_outcome_measure.yaml", "outcome_measures.yaml", "nobody-measures-this",
         outcome_iri("nobody-measures-this")),
    ],
)  # fmt: skip
def test_validate_warns_on_an_unconnected_record_at_its_id_line(
    tmp_path: Path, fixture: str, target: str, record: str, iri: URIRef, kind: str
) -> None:
    from kg.pipeline import assemble

    data = project_data(kind, tmp_path)
    id_line = append_items(data / target, (FIXTURES / fixture).read_text("utf-8"))

    assembled = assemble(data, tmp_path / "ontologies", (), None)
    found = [f for f in assembled.validation.findings if f.check == "isolated-entity"]
    assert [f.focus for f in found] == [record]
    (f,) = found
    assert f.severity == "warning" and f.file.endswith(target) and f.line == id_line
    assert f.field.endswith(".id") and record in f.message
    # the projection agrees: the record is a node, and nothing else of the curation is alone
    graph = project(assembled.built.dataset)
    ends = {e.source for e in graph.edges} | {e.target for e in graph.edges}
    alone = {n.id for n in graph.nodes} - ends
    assert alone == {property_graph_id(iri)}


def test_iri_values_that_are_not_nodes_connect_nothing() -> None:
    """A DOI link or registry address is a property in the property graph, not an edge."""
    ds = Dataset()
    g = ds.graph(URIRef(EX + "g"))
    pub, cited, ev = URIRef(EX + "p1"), URIRef(EX + "p2"), URIRef(EX + "ev")
    for p in (pub, cited):
        g.add((p, RDF.type, KGV.Publication))
        g.add((p, BIOLINK.category, BIOLINK.Publication))
        g.add((p, RDFS.label, Literal("x")))
        g.add((p, RDFS.seeAlso, URIRef("https://doi.org/10.1000/x")))
    g.add((ev, RDF.type, KGV.EvidenceItem))
    g.add((ev, DCTERMS.source, cited))
    assert isolated_entities(ds, {pub, cited}) == [pub]
    graph = project(ds)
    ends = {e.source for e in graph.edges} | {e.target for e in graph.edges}
    assert property_graph_id(pub) not in ends and property_graph_id(cited) in ends
