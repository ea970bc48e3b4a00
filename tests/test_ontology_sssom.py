"""SSSOM reading, prefix normalisation, and the mapping triples with their provenance."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.ontology.extraction.mapping_triples import SSSOM, XREF, axiom_iri, mapping_triples
from kg.ontology.readers.sssom import normalise_curie, read_sssom
from kg.ontology.triples import Lit

FIXTURES = Path(__file__).parent / "fixtures" / "ontology"
SLE = "http://purl.obolibrary.org/obo/MONDO_0007915"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def test_reads_header_and_rows() -> None:
    ms = read_sssom(str(FIXTURES / "mini.sssom.tsv"))
    assert ms.set_id == "http://example.org/mini.sssom.tsv"
    assert ms.metadata["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert ms.curie_map["mesh"] == "http://identifiers.org/mesh/"
    assert ms.rows == 6 and len(ms.mappings) == 6
    first = ms.mappings[0]
    assert (first.subject_id, first.predicate_id, first.object_id) == (
        "MONDO:0007915",
        "skos:exactMatch",
        "DOID:9074",
    )
    assert first.line == 13  # 11 header lines, the column row, then data
    assert dict(ms.mappings[1].extra)["author_id"] == "orcid:0000-0001"


def test_keep_filters_subjects_and_gzip_works(tmp_path: Path) -> None:
    path = tmp_path / "m.sssom.tsv.gz"
    path.write_bytes(gzip.compress((FIXTURES / "mini.sssom.tsv").read_bytes()))
    ms = read_sssom(str(path), keep={"MONDO:0007179"}.__contains__)
    assert ms.rows == 6
    assert [m.object_id for m in ms.mappings] == ["DOID:417"]


@pytest.mark.parametrize(
    ("curie", "ours"),
    [
        ("mesh:D008180", "MESH:D008180"),
        ("DOID:9074", "DOID:9074"),
        ("Orphanet:536", "Orphanet:536"),
        ("ORDO:536", "Orphanet:536"),
        ("NCI:C3201", "NCIT:C3201"),
        ("UMLS_CUI:C0024141", "UMLS:C0024141"),
        ("SCTID:55464009", "SCTID:55464009"),
        ("icd10cm:M32", "ICD10CM:M32"),
        ("MEDGEN:6146", None),
        ("icd11.foundation:749596428", None),
        ("NCIT:not-an-id", None),
    ],
)
def test_normalise_curie(curie: str, ours: str | None) -> None:
    assert normalise_curie(curie) == ours


def test_mapping_triples_direct_and_reified() -> None:
    ms = read_sssom(str(FIXTURES / "mini.sssom.tsv"), keep={"MONDO:0007915"}.__contains__)
    triples = set(mapping_triples([ms]))
    exact = f"{SKOS}exactMatch"
    assert (SLE, exact, "http://purl.obolibrary.org/obo/DOID_9074") in triples
    assert (SLE, exact, "http://id.nlm.nih.gov/mesh/D008180") in triples
    # an unknown prefix stays a string xref; hasDbXref is always a string
    assert (SLE, XREF, Lit("MEDGEN:6146")) in triples
    assert (SLE, XREF, Lit("MESH:D008180")) in triples
    node = axiom_iri((SLE, exact, "http://id.nlm.nih.gov/mesh/D008180"), ms.set_id)
    assert node.startswith("https://w3id.org/il2-sle-kg/mapping/")
    about = {(p, o) for s, p, o in triples if s == node}
    assert (f"{SSSOM}object_id", Lit("mesh:D008180")) in about
    assert (f"{SSSOM}predicate_id", Lit("skos:exactMatch")) in about
    assert (f"{SSSOM}author_id", Lit("orcid:0000-0001")) in about
    assert (f"{SSSOM}mapping_set_id", ms.set_id) in about
    assert (
        f"{SSSOM}mapping_justification",
        "https://w3id.org/semapv/vocab/ManualMappingCuration",
    ) in about
    version = (
        ms.set_id,
        f"{SSSOM}mapping_set_version",
        "http://example.org/releases/2026-08-04/mini.sssom.tsv",
    )
    assert version in triples


def test_missing_column_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.sssom.tsv"
    path.write_text("# mapping_set_id: http://x\nsubject_id\tobject_id\nA:1\tB:2\n")
    with pytest.raises(KGError) as info:
        read_sssom(str(path))
    assert str(info.value) == (
        f"{path}:2: missing required column(s): predicate_id, mapping_justification"
    )


def test_ragged_row_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.sssom.tsv"
    path.write_text(
        "subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
        "MONDO:1\tskos:exactMatch\tDOID:1\n"
    )
    with pytest.raises(KGError) as info:
        read_sssom(str(path))
    assert str(info.value) == f"{path}:2: row has 3 fields; header has 4"
