"""Odd identifiers and keys, fixed by kind (issue 11 §2, cases 1 and 3).

- A SICI-style DOI (`/`, `:`, `<`, `>`, `;`, parentheses): the doi.org IRI percent-encodes
  what an IRI may not hold, the DOI text is kept as written, every export is written and
  parses, and the property-graph id is a KGX CURIE that decodes back to the IRI.
- Qualifier keys with spaces, colons and underscores that would give one property name
  (`assay:method`, `assay_method`, `assay method`): distinct property names in every
  property-graph export, no duplicate Neo4j CSV column, no value lost in load.cypher.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Dataset, Literal, URIRef

from kg.curation.schema import Curation, Evidence, Publication, Statement
from kg.export.cypher import read_statements
from kg.namespaces import (
    DCTERMS,
    expand,
    iri_of_property_graph_id,
    iri_safe,
    property_graph_id,
)
from kg.pipeline import build
from kg.property_graph.projection import qualifier_name

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from miniproject import sample_curation, write_project

SICI = "10.1002/(SICI)1097-0258(19980815/30)17:15/16<1661::AID-SIM968>3.0.CO;2-2"
SICI_IRI = (
    "https://doi.org/10.1002/(SICI)1097-0258(19980815/30)17:15/16%3C1661::AID-SIM968%3E3.0.CO;2-2"
)
KEYS = {"assay:method": "flow cytometry", "assay_method": "ELISA", "assay method": "qPCR",
        "time point (weeks)": "12"}  # fmt: skip
#: what KGX (kgx.prefix_manager.PrefixManager.is_curie) accepts as a CURIE
KGX_CURIE = r"^[^ <()>:]*:[^/ :]+$"


def _odd_curation() -> Curation:
    base = sample_curation()
    by_doi = Publication(id=f"DOI:{SICI}", title="A statistics paper with a SICI DOI", year=1998)
    with_doi = Publication(id="il2kg:publication/sici", title="Same DOI, own id", year=1998,
                           doi=SICI)  # fmt: skip
    statement = base.statements[0]
    odd = Statement(
        id="odd-keys",
        subject=statement.subject,
        predicate="RO:0002212",
        object=statement.object,
        qualifiers=KEYS,
        evidence=(Evidence(source=by_doi.id, eco="ECO:0000304", quote="a quote", locator="p. 2"),),
    )
    return base.model_copy(
        update={
            "publications": (*base.publications, by_doi, with_doi),
            "statements": (*base.statements, odd),
        }
    )


@pytest.fixture(scope="module")
def odd_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("odd")
    write_project(root, _odd_curation())
    build(root / "data", root / "ontologies", root / "exports")
    return root / "exports"


def test_sici_doi_iri_is_percent_encoded_and_the_text_kept(odd_build: Path) -> None:
    assert str(expand(f"DOI:{SICI}")) == SICI_IRI
    quads = list(ox.parse(path=odd_build / "kg.nq", format=ox.RdfFormat.N_QUADS))
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    assert SICI_IRI in subjects
    identifiers = {
        q.object.value for q in quads if q.predicate == ox.NamedNode(str(DCTERMS.identifier))
    }
    assert f"DOI:{SICI}" in identifiers  # the DOI text as written


def test_every_rdf_export_parses(odd_build: Path) -> None:
    n = len(list(ox.parse(path=odd_build / "kg.nq", format=ox.RdfFormat.N_QUADS)))
    for name, fmt in (("kg.nt", ox.RdfFormat.N_TRIPLES), ("kg.ttl", ox.RdfFormat.TURTLE)):
        assert list(ox.parse(path=odd_build / name, format=fmt)), name
    jsonld = Dataset()
    jsonld.parse(odd_build / "kg.jsonld", format="json-ld")
    assert len(list(jsonld.quads())) == n
    assert (URIRef(SICI_IRI), DCTERMS.title, Literal("A statistics paper with a SICI DOI")) in (
        (s, p, o) for s, p, o, _ in jsonld.quads()
    )


def test_sici_doi_node_id_is_a_kgx_curie(odd_build: Path) -> None:
    import re

    with (odd_build / "kgx" / "nodes.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    (row,) = [r for r in rows if r["iri"] == SICI_IRI]
    assert re.match(KGX_CURIE, row["id"]), row["id"]
    assert row["id"].startswith("doi:") and iri_of_property_graph_id(row["id"]) == SICI_IRI
    assert all(re.match(KGX_CURIE, r["id"]) for r in rows)


def test_qualifier_keys_keep_apart_in_every_property_graph_export(odd_build: Path) -> None:
    names = {qualifier_name(k) for k in KEYS}
    assert names == {"qualifier_assay_method", "qualifier_time_point_weeks"}  # they collide
    neo4j = odd_build / "neo4j"
    for path in neo4j.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        bare = [h.split(":")[0] for h in header if not h.startswith(":")]
        assert len(bare) == len(set(bare)), f"{path.name}: duplicate column in {header}"
    with (neo4j / "relationships_NEGATIVELY_REGULATES.csv").open(encoding="utf-8") as fh:
        (row,) = [r for r in csv.DictReader(fh) if r["id"] == "il2kg.statement:odd-keys"]
    assert sorted(v for k, v in row.items() if k.startswith("qualifier_") and v) == sorted(
        KEYS.values()
    )
    assert row["qualifier_assay_method"] == "ELISA"  # the key already in snake_case
    (load,) = [
        s for s in read_statements(neo4j / "load.cypher")
        if "id: 'il2kg.statement:odd-keys'" in s and "MERGE (a)-" in s
    ]  # fmt: skip
    assert all(f"'{value}'" in load for value in KEYS.values())


@given(st.text(max_size=40))
def test_any_local_id_gives_an_iri_and_a_kgx_id_that_decode_back(local: str) -> None:
    import re

    iri = "https://w3id.org/il2-sle-kg/concept/" + iri_safe(local)
    assert not re.search(r'[\x00-\x20<>"{}|\\^`]', iri)
    node_id = property_graph_id(iri)
    assert re.match(KGX_CURIE, node_id) or not local
    assert "|" not in node_id and "\t" not in node_id
    assert iri_of_property_graph_id(node_id) == iri
