"""The committed modules under ontologies/: graph-level facts, and reproducibility from sources."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

REPO = Path(__file__).resolve().parents[1]
ONTOLOGIES = REPO / "ontologies"
SHARED = Path(
    os.environ.get("KG_SHARED_SOURCES")
    or Path(__file__).resolve().parents[2] / "shared" / "ontologies" / "sources"
)
PREFIXES = """
PREFIX obo: <http://purl.obolibrary.org/obo/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX mesh: <http://id.nlm.nih.gov/mesh/>
"""


def committed_files() -> list[Path]:
    return [*sorted(ONTOLOGIES.glob("*/module.ttl")), ONTOLOGIES / "mappings" / "mappings.ttl"]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for path in committed_files():
        store.load(path=path, format=ox.RdfFormat.TURTLE)
    return store


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(PREFIXES + query))


@pytest.mark.parametrize(
    ("term", "root"),
    [
        ("MONDO_0007915", "MONDO_0000001"),
        ("CL_0000815", "CL_0000000"),
        ("GO_0038110", "GO_0008150"),
        ("DOID_9074", "DOID_4"),
        ("ECO_0000269", "ECO_0000000"),
    ],
)
def test_terms_reach_their_roots(store: ox.Store, term: str, root: str) -> None:
    assert ask(store, f"ASK {{ obo:{term} rdfs:subClassOf+ obo:{root} }}")


def test_doid_and_mesh_reach_sle_through_the_mappings(store: ox.Store) -> None:
    assert ask(store, "ASK { obo:MONDO_0007915 skos:exactMatch obo:DOID_9074 }")
    assert ask(store, "ASK { obo:MONDO_0007915 skos:exactMatch mesh:D008180 }")
    # a DOID-based query: everything under DOID lupus erythematosus, mapped back to MONDO
    rows = store.query(
        PREFIXES + "SELECT DISTINCT ?m WHERE { ?d rdfs:subClassOf* obo:DOID_8857 . "
        "?m skos:exactMatch ?d }"
    )
    assert "http://purl.obolibrary.org/obo/MONDO_0007915" in {r["m"].value for r in rows}


def test_every_class_and_property_has_a_label(store: ox.Store) -> None:
    rows = store.query(
        PREFIXES + "SELECT ?c WHERE { { ?c a owl:Class } UNION { ?c a owl:ObjectProperty } "
        "FILTER NOT EXISTS { ?c rdfs:label ?l } }"
    )
    assert [r["c"].value for r in rows] == []


def test_relationships_are_direct_triples_and_there_are_no_blank_nodes(store: ox.Store) -> None:
    assert ask(store, "ASK { obo:GO_0038110 obo:BFO_0000050 obo:GO_0071352 }")
    assert not ask(store, "ASK { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }")


def test_source_records() -> None:
    for path in committed_files():
        record = json.loads((path.parent / "source.json").read_text("utf-8"))
        assert record["extraction_date"], path
        assert record["command"].startswith("kg ontologies extract"), path
        assert record["licence"], path
        for f in record.get("files", []):
            assert len(f["sha256"]) == 64, path


@pytest.mark.slow
@pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"ontology source files not found at {SHARED} (set KG_SHARED_SOURCES to their folder)",
)
def test_rerunning_the_extraction_reproduces_the_committed_modules(tmp_path: Path) -> None:
    from kg.curation.load import load_curation
    from kg.ontology.extraction import extract_modules
    from kg.ontology.sources.config import load_config

    config = dataclasses.replace(load_config(ONTOLOGIES / "sources.yaml"), root=SHARED)
    command = json.loads((ONTOLOGIES / "mondo" / "source.json").read_text("utf-8"))["command"]
    extract_modules(config, load_curation(REPO / "data"), tmp_path, command=command)
    produced = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.*"))
    committed = sorted(
        p.relative_to(ONTOLOGIES)
        for p in ONTOLOGIES.rglob("*.*")
        if p.name in {"module.ttl", "mappings.ttl", "source.json"}
    )
    stale = "the committed modules are stale: re-run `kg ontologies extract` and commit"
    assert produced == committed, stale
    for rel in produced:
        assert (tmp_path / rel).read_bytes() == (ONTOLOGIES / rel).read_bytes(), f"{rel}: {stale}"
