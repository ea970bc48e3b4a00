"""The committed modules under ontologies/: graph-level facts, and reproducibility from sources."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

REPO = Path(__file__).resolve().parents[1]
ONTOLOGIES = REPO / "ontologies"
#: environment variable naming a folder of the real source files (CI sets it)
SOURCES_ENV = "KG_ONTOLOGY_SOURCES_DIR"
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


FIXTURE_SOURCES = REPO / "tests" / "fixtures" / "ontology-sources"
#: keys of source.json that describe the source file's bytes (the fixtures are cut down)
_FILE_BYTES = {"sha256", "bytes", "terms_in_file", "rows", "as_served_by_url", "lenient_repairs"}


def _without_file_bytes(record: dict) -> dict:
    record = dict(record)
    record["files"] = [
        {k: v for k, v in f.items() if k not in _FILE_BYTES} for f in record.get("files", [])
    ]
    return record


def _extract(sources_dir: Path, out: Path) -> None:
    from kg.curation.load import load_curation
    from kg.ontology.extraction import extract_modules
    from kg.ontology.sources.config import load_config
    from kg.ontology.sources.locate import SourceLocator

    locator = SourceLocator(load_config(ONTOLOGIES / "sources.yaml"), sources_dir, out / "cache")
    command = json.loads((ONTOLOGIES / "mondo" / "source.json").read_text("utf-8"))["command"]
    extract_modules(locator, load_curation(REPO / "data"), out / "modules", command=command)


def _committed() -> list[Path]:
    return sorted(
        p.relative_to(ONTOLOGIES)
        for p in ONTOLOGIES.rglob("*.*")
        if p.name in {"module.ttl", "mappings.ttl", "source.json"}
    )


STALE = (
    "the committed modules are stale: re-run `kg ontologies extract` with the real sources "
    "and commit; then regenerate tests/fixtures/ontology-sources with its make_fixtures.py"
)


def test_fixture_sources_reproduce_the_committed_modules(tmp_path: Path) -> None:
    """--sources-dir with the cut-down sources gives the committed Turtle byte for byte."""
    _extract(FIXTURE_SOURCES, tmp_path)
    out = tmp_path / "modules"
    produced = sorted(p.relative_to(out) for p in out.rglob("*.*"))
    assert produced == _committed(), STALE
    for rel in produced:
        if rel.suffix == ".ttl":
            assert (out / rel).read_bytes() == (ONTOLOGIES / rel).read_bytes(), f"{rel}: {STALE}"
        else:
            ours = json.loads((out / rel).read_text("utf-8"))
            committed = json.loads((ONTOLOGIES / rel).read_text("utf-8"))
            assert _without_file_bytes(ours) == _without_file_bytes(committed), f"{rel}: {STALE}"


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get(SOURCES_ENV),
    reason=f"set {SOURCES_ENV} to a folder of the real ontology source files",
)
def test_real_sources_reproduce_the_committed_modules_and_records(tmp_path: Path) -> None:
    """With the real release files every committed byte comes back, source.json included."""
    _extract(Path(os.environ[SOURCES_ENV]), tmp_path)
    out = tmp_path / "modules"
    produced = sorted(p.relative_to(out) for p in out.rglob("*.*"))
    assert produced == _committed(), STALE
    for rel in produced:
        assert (out / rel).read_bytes() == (ONTOLOGIES / rel).read_bytes(), f"{rel}: {STALE}"


def test_source_records_say_which_files_no_url_serves() -> None:
    """Every file record names its release URL; a converted file says how it was made."""
    config_text = (ONTOLOGIES / "sources.yaml").read_text("utf-8")
    for path in _committed():
        if path.name != "source.json":
            continue
        for f in json.loads((ONTOLOGIES / path).read_text("utf-8"))["files"]:
            assert f["url"].startswith(("http://", "https://")) and f["url"] in config_text
            if f["converted"]:
                assert f["as_served_by_url"] is False, (path, f["file"])
            else:
                assert f["as_served_by_url"] in (True, None), (path, f["file"])
    mondo = json.loads((ONTOLOGIES / "mondo" / "source.json").read_text("utf-8"))["files"][0]
    assert mondo["url"] == "http://purl.obolibrary.org/obo/mondo/releases/2026-05-05/mondo.obo"
    assert "cellxgene" in mondo["converted"] and mondo["as_served_by_url"] is False
