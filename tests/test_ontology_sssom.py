"""SSSOM reading, prefix normalisation, and the mapping triples with their provenance."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from kg.errors import KGError
from kg.ontology.extraction.mapping_triples import SSSOM, XREF, axiom_iri, mapping_triples
from kg.ontology.readers.sssom import normalise_curie, read_sssom
from kg.ontology.serialize import turtle
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


def _yaml_quoted(text: str) -> str:
    """text as a YAML double-quoted scalar: only YAML's printable set stays raw."""
    out = []
    for ch in text:
        c = ord(ch)
        printable = 0x20 <= c <= 0x7E or (0xA0 <= c <= 0xD7FF and c not in (0x2028, 0x2029))
        printable = printable or 0xE000 <= c <= 0xFFFD or c >= 0x10000
        if ch in '"\\':
            out.append("\\" + ch)
        elif printable:
            out.append(ch)
        else:
            out.append(f"\\U{c:08X}")
    return '"' + "".join(out) + '"'


def _set_with_id(path: Path, set_id: str) -> Path:
    """mini.sssom.tsv with its mapping_set_id line replaced (other header lines kept)."""
    lines = (FIXTURES / "mini.sssom.tsv").read_text("utf-8").splitlines(keepends=True)
    line = f"# mapping_set_id: {_yaml_quoted(set_id)}\n"
    out = [line if ln.startswith("# mapping_set_id:") else ln for ln in lines]
    path.write_text("".join(out), "utf-8")
    return path


def _set_id_line() -> int:
    lines = (FIXTURES / "mini.sssom.tsv").read_text("utf-8").splitlines()
    return next(i for i, ln in enumerate(lines, 1) if ln.startswith("# mapping_set_id:"))


def test_a_set_id_that_is_not_an_iri_is_refused_at_its_line(tmp_path: Path) -> None:
    """Issue case: `mapping_set_id: mondo_doid_mini` used to become a relative IRI."""
    path = _set_with_id(tmp_path / "mini.sssom.tsv", "mondo_doid_mini")
    with pytest.raises(KGError) as info:
        read_sssom(str(path))
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.field) == (
        str(path),
        _set_id_line(),
        "mapping_set_id",
    )
    assert "expected an absolute IRI" in problem.message and "'mondo_doid_mini'" in problem.message


def test_a_set_id_curie_of_the_sets_own_map_is_expanded(tmp_path: Path) -> None:
    path = _set_with_id(tmp_path / "mini.sssom.tsv", "MONDO:mappings_mini")
    assert read_sssom(str(path)).set_id == "http://purl.obolibrary.org/obo/MONDO_mappings_mini"


def test_the_extract_command_refuses_a_relative_set_id(tmp_path: Path) -> None:
    """At extract time, before anything is written."""
    from kg.curation.load import LoadedCuration
    from kg.curation.schema import Curation
    from kg.ontology.extraction import extract_modules
    from kg.ontology.sources.config import load_config
    from kg.ontology.sources.locate import SourceLocator

    sources = tmp_path / "sources"
    shutil.copytree(FIXTURES, sources)
    _set_with_id(sources / "mini.sssom.tsv", "mondo_doid_mini")
    locator = SourceLocator(load_config(sources / "sources.yaml"), sources, tmp_path / "cache")
    empty = LoadedCuration(
        Curation(entities=(), publications=(), statements=(), trials=(), outcome_measures=()),
        {},
        {},
    )
    with pytest.raises(KGError, match="mapping_set_id: expected an absolute IRI"):
        extract_modules(locator, empty, tmp_path / "out")
    assert not (tmp_path / "out").exists()


_NOT_IRI = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=":\n\r"), min_size=1, max_size=30
).filter(lambda s: s.strip() and not s.strip().startswith(("#", "'", '"', "[", "{")))
_ANY = st.one_of(
    _NOT_IRI,
    st.builds(lambda a, b: f"{a}:{b}", _NOT_IRI, _NOT_IRI),
    st.builds(lambda b: f"https://example.org/{b}", _NOT_IRI),
)


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(set_id=_ANY)
def test_any_set_id_is_refused_at_its_line_or_written_as_a_parseable_absolute_iri(
    tmp_path: Path, set_id: str
) -> None:
    """The kind: whatever the header says, the mappings module parses, or the error is located."""
    path = _set_with_id(tmp_path / "any.sssom.tsv", set_id)
    try:
        ms = read_sssom(str(path))
    except KGError as exc:
        [problem] = exc.problems
        assert (problem.line, problem.field) == (_set_id_line(), "mapping_set_id")
        return
    text = turtle(mapping_triples([ms]))
    quads = list(ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE))
    nodes = {q.subject.value for q in quads} | {
        q.object.value for q in quads if isinstance(q.object, ox.NamedNode)
    }
    assert ms.set_id in nodes
    assert re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", ms.set_id)
