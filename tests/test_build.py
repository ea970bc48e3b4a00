"""The build on the real data: every RDF export re-read by an independent parser, determinism,
provenance surviving into every export, and negated findings never asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef

from kg.namespaces import KGV, expand
from kg.pipeline import Assembled, build
from kg.rdf.model import CURATION_GRAPH, statement_iri

ROOT = Path(__file__).resolve().parents[1]

FORMATS = {
    "kg.nt": ox.RdfFormat.N_TRIPLES,
    "kg.ttl": ox.RdfFormat.TURTLE,
    "kg.nq": ox.RdfFormat.N_QUADS,
    "kg.jsonld": ox.RdfFormat.JSON_LD,
}


def _oxigraph_quads(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=FORMATS[path.name]))


def test_every_rdf_export_reparses_with_oxigraph_and_counts_agree(built) -> None:
    out, report = built
    quads = report.counts["quads"]
    nq = _oxigraph_quads(out / "kg.nq")
    assert len(nq) == quads
    triples = {(q.subject, q.predicate, q.object) for q in nq}
    for name in ("kg.nt", "kg.ttl"):
        parsed = _oxigraph_quads(out / name)
        assert {(q.subject, q.predicate, q.object) for q in parsed} == triples, name
        assert len(parsed) == len(triples)
    jsonld = _oxigraph_quads(out / "kg.jsonld")
    assert len(jsonld) == quads
    assert {(str(q.graph_name), q.subject, q.predicate, q.object) for q in jsonld} == {
        (str(q.graph_name), q.subject, q.predicate, q.object) for q in nq
    }


def test_named_graphs_separate_curation_provenance_and_ontologies(exports: Path) -> None:
    graphs = {str(q.graph_name) for q in _oxigraph_quads(exports / "kg.nq")}
    base = "<https://w3id.org/il2-sle-kg/graph/"
    assert {f"{base}curation>", f"{base}provenance>", f"{base}vocabulary>"} <= graphs
    assert any(g.startswith(f"{base}ontology/") for g in graphs)


@pytest.mark.slow
def test_two_builds_are_byte_identical(built, tmp_path: Path) -> None:
    first, _ = built
    build(ROOT / "data", ROOT / "ontologies", tmp_path)
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_manifest_records_inputs_outputs_and_counts(exports: Path) -> None:
    manifest = json.loads((exports / "manifest.json").read_text())
    assert "data/entities.yaml" in manifest["inputs"]
    assert any(k.startswith("ontologies/") for k in manifest["inputs"])
    assert {"kg.nt", "kg.ttl", "kg.nq", "kg.jsonld"} <= set(manifest["outputs"])
    assert manifest["counts"]["trials"] == len(list((ROOT / "data" / "trials").glob("*.yaml")))


@pytest.fixture(scope="module")
def dataset(exports_union_dataset: Dataset) -> Dataset:
    return exports_union_dataset  # statement nodes live in the provenance graph


def test_every_statement_keeps_its_evidence_and_negated_ones_are_not_asserted(
    dataset: Dataset, assembled: Assembled
) -> None:
    curation = assembled.loaded.curation  # data/ as the session build loaded it
    direct = dataset.graph(CURATION_GRAPH)
    assert curation.statements
    for st in curation.statements:
        node = statement_iri(st.id)
        evidence = list(dataset.objects(node, KGV.evidence))
        assert len(evidence) == len(st.evidence), st.id
        quotes = {str(q) for ev in evidence for q in dataset.objects(ev, KGV.quote)}
        assert quotes == {e.quote for e in st.evidence}
        triple = (expand(st.subject), expand(st.predicate), expand(st.object))
        asserted = triple in direct
        assert asserted == (not st.negated and st.status == "verified"), st.id


def test_negated_findings_exist_only_as_statement_nodes(dataset: Dataset) -> None:
    negated = [
        s
        for s in dataset.subjects(KGV.negated, None)
        if str(dataset.value(s, KGV.negated)) == "true"
    ]
    assert negated, "the curation records negative findings (e.g. Th1/Th2 unchanged)"
    merged = Graph()
    for t in dataset.graph(CURATION_GRAPH):
        merged.add(t)
    from rdflib.namespace import RDF

    for node in negated:
        s, p, o = (dataset.value(node, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        assert isinstance(s, URIRef)
        assert (s, p, o) not in merged


def test_a_build_passes_each_stage_once_and_reads_each_input_once(real_build) -> None:
    """The walk of build(): load, RDF, validate, project each run once; no input read twice.

    The session's real build (tests/conftest.py) ran with every stage call and every read of
    a file under data/ or ontologies/ counted.
    """
    trace = real_build.trace
    assert trace.calls == {n: 1 for n in ("load_curation", "iter_modules", "build_graph",
                                          "validate", "project")}  # fmt: skip
    twice = {str(p): n for p, n in trace.reads.items() if n > 1}
    assert twice == {}
    assert len(trace.reads) >= 15  # every curated file and module was read (once)
