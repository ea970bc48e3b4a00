"""Full merge: the OBO fast path equals the term-model path; N-Triples parse back exactly."""

from __future__ import annotations

import io
from pathlib import Path

import fastobo
import pyoxigraph as ox
import pytest

from kg.ontology.full_merge import full_merge_ntriples, load_store
from kg.ontology.full_merge.obo_lines import obo_nt_lines
from kg.ontology.readers.obo import read_obo
from kg.ontology.readers.source_bytes import read_source
from kg.ontology.serialize import nt_line, turtle
from kg.ontology.sources.config import load_config
from kg.ontology.sources.locate import SourceLocator
from kg.ontology.triples import Lit, term_triples

FIXTURES = Path(__file__).parent / "fixtures" / "ontology"
LOCATOR = SourceLocator(load_config(FIXTURES / "sources.yaml"), FIXTURES, FIXTURES / "no-cache")


@pytest.mark.parametrize("name", ["mini.obo", "relations.obo", "doid.obo"])
def test_fast_path_equals_term_model(name: str) -> None:
    src = read_source(str(FIXTURES / name))
    expected = sorted(
        {nt_line(t) for term in read_obo(src).terms.values() for t in term_triples(term)}
    )
    lines: list[str] = []
    obo_nt_lines(fastobo.load(io.BytesIO(src.data)), set(), lines)
    assert sorted(set(lines)) == expected


@pytest.mark.parametrize(
    "text",
    ["plain", 'a "quoted" word', "back\\slash", "line\nbreak\r\ttab", "ctrl\x01\x7f", "µ – ü 中"],
)
def test_literal_escaping_round_trips(text: str) -> None:
    s, p = "http://example.org/s", "http://example.org/p"
    for data, fmt in (
        (nt_line((s, p, Lit(text))), ox.RdfFormat.N_TRIPLES),
        (turtle([(s, p, Lit(text))]), ox.RdfFormat.TURTLE),
    ):
        [quad] = list(ox.parse(data.encode("utf-8"), fmt))
        assert quad.object.value == text


def test_full_merge_writes_sorted_ntriples(tmp_path: Path) -> None:
    counts = full_merge_ntriples(LOCATOR, tmp_path)
    assert set(counts) == {"mondo", "uberon", "ro", "eco", "doid", "total"}
    assert counts["total"] == sum(v for k, v in counts.items() if k != "total")
    for name in ("mondo", "uberon", "ro", "eco", "doid"):
        lines = (tmp_path / f"{name}.nt").read_text("utf-8").splitlines(keepends=True)
        assert lines == sorted(set(lines)) and len(lines) == counts[name]
        list(ox.parse(path=tmp_path / f"{name}.nt", format=ox.RdfFormat.N_TRIPLES))
    mondo = (tmp_path / "mondo.nt").read_text("utf-8")
    # the whole file, obsolete terms included
    assert "<http://purl.obolibrary.org/obo/MONDO_0000002>" in mondo
    again = tmp_path / "again"
    full_merge_ntriples(LOCATOR, again, only=["mondo"])
    assert (again / "mondo.nt").read_bytes() == (tmp_path / "mondo.nt").read_bytes()


def test_load_store_puts_each_ontology_in_its_graph(tmp_path: Path) -> None:
    full_merge_ntriples(LOCATOR, tmp_path, only=["mondo", "doid"])
    store = load_store({"mondo": tmp_path / "mondo.nt", "doid": tmp_path / "doid.nt"})
    ask = (
        "ASK { GRAPH <https://w3id.org/il2-sle-kg/graph/ontology/mondo> { "
        "<http://purl.obolibrary.org/obo/MONDO_0007915> "
        "<http://www.w3.org/2000/01/rdf-schema#subClassOf>+ "
        "<http://purl.obolibrary.org/obo/MONDO_0000001> } }"
    )
    assert bool(store.query(ask))


def test_full_merge_unknown_name(tmp_path: Path) -> None:
    from kg.errors import KGError

    with pytest.raises(KGError, match="unknown ontology name"):
        full_merge_ntriples(LOCATOR, tmp_path, only=["nope"])


def test_full_merge_stage_then_its_export(tmp_path: Path) -> None:
    """The stage converts before export; the export swaps module graphs for whole ontologies."""
    from rdflib import Dataset, Literal, URIRef

    from kg.export.full_nquads import FULL_FILE, write_full_nquads
    from kg.namespaces import GRAPH
    from kg.ontology.full_merge import merge_full_ontologies

    merged = merge_full_ontologies(
        FIXTURES / "sources.yaml",
        sources_dir=FIXTURES,
        cache_dir=tmp_path / "cache",
        only=["mondo", "doid"],
    )
    folder = next(iter(merged.files.values())).parent
    assert sorted(merged.files) == ["doid", "mondo"] and merged.counts["total"] > 0
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    module_only = (URIRef("http://example.org/only-in-the-module"), label, Literal("m"))
    mapping = (URIRef("http://example.org/mapped"), label, Literal("kept"))
    dataset = Dataset()
    dataset.graph(URIRef(GRAPH["ontology/mondo"])).add(module_only)
    dataset.graph(URIRef(GRAPH["ontology/mappings"])).add(mapping)
    dataset.graph(URIRef(GRAPH["curation"])).add(mapping)
    paths, counts = write_full_nquads(dataset, merged, tmp_path)
    merged.close()
    assert not folder.exists()
    assert paths == [tmp_path / FULL_FILE]
    quads = list(ox.parse(path=paths[0], format=ox.RdfFormat.N_QUADS))
    assert counts["full:quads"] == len(quads)
    graphs = {q.graph_name.value for q in quads}
    assert graphs == {str(GRAPH[g]) for g in ("ontology/mondo", "ontology/doid",
                                               "ontology/mappings", "curation")}  # fmt: skip
    subjects = {(q.subject.value, q.graph_name.value) for q in quads}
    assert ("http://example.org/only-in-the-module", str(GRAPH["ontology/mondo"])) not in subjects
    assert ("http://example.org/mapped", str(GRAPH["ontology/mappings"])) in subjects
    # the whole ontology, obsolete terms included
    assert ("http://purl.obolibrary.org/obo/MONDO_0000002", str(GRAPH["ontology/mondo"])) in (
        subjects
    )


def test_full_merge_stage_without_sources_names_the_fetch_command(tmp_path: Path) -> None:
    from kg.errors import KGError
    from kg.ontology.full_merge import merge_full_ontologies

    with pytest.raises(KGError) as info:
        merge_full_ontologies(FIXTURES / "sources.yaml", cache_dir=tmp_path / "empty")
    assert sorted(p.field for p in info.value.problems) == ["doid", "eco", "mondo", "ro", "uberon"]
    assert all("`kg ontologies fetch " in p.message for p in info.value.problems)
    assert not list(tmp_path.glob("**/*.nt"))
