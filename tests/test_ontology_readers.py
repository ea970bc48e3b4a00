"""Readers: OBO, OBO Graphs JSON and Turtle into one term model; bad files are located KGErrors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.ontology.readers import read_ontology
from kg.ontology.terms import Synonym

FIXTURES = Path(__file__).parent / "fixtures" / "ontology"


def test_obo_reader_reads_every_field() -> None:
    doc, src = read_ontology(FIXTURES / "mini.obo")
    assert doc.format == "obo"
    assert doc.header.data_version == "mini/releases/2024-03-01"
    assert doc.header.licence == "https://creativecommons.org/licenses/by/4.0/"
    assert doc.header.remarks == ("A tiny ontology for tests.",)
    assert len(src.sha256) == 64
    sle = doc.terms["MONDO:0007915"]
    assert sle.label == "systemic lupus erythematosus"
    assert sle.definition == 'A "multi-organ" autoimmune disease.\tWith a tab.'
    assert sle.synonyms == (Synonym("SLE", "EXACT"),)
    assert sle.xrefs == ("DOID:9074",)
    assert sle.parents == ("MONDO:0007179",)
    # part_of resolved through the typedef's xref; the metadata-tag relation and URL dropped
    assert sle.relationships == (("BFO:0000050", "MONDO:0000001"), ("RO:0004001", "UBERON:0002113"))
    autoimmune = doc.terms["MONDO:0007179"]
    assert {s.scope for s in autoimmune.synonyms} == {"EXACT", "BROAD", "NARROW"}
    assert {s.scope for s in doc.terms["MONDO:0000001"].synonyms} == {"EXACT", "RELATED"}
    assert doc.terms["MONDO:0000001"].xrefs == ("DOID:4", "MESH:D004194")
    old = doc.terms["MONDO:0007916"]
    assert old.obsolete and old.replaced_by == ("MONDO:0007915",)
    assert old.consider == ("MONDO:0007179",)
    assert "part_of" not in doc.terms  # unprefixed typedefs are local names, not terms


def test_obo_reader_gzip(tmp_path: Path) -> None:
    path = tmp_path / "mini.obo.gz"
    path.write_bytes(gzip.compress((FIXTURES / "mini.obo").read_bytes()))
    doc, _ = read_ontology(path)
    assert "MONDO:0007915" in doc.terms


def test_obographs_reader() -> None:
    doc, _ = read_ontology(FIXTURES / "anatomy.obographs.json")
    assert doc.header.version_iri == (
        "http://purl.obolibrary.org/obo/uberon/releases/2026-04-01/uberon.owl"
    )
    assert doc.header.licence == "http://creativecommons.org/licenses/by/3.0/"
    kidney = doc.terms["UBERON:0002113"]
    assert kidney.label == "kidney"
    assert kidney.synonyms == (Synonym("nephros", "EXACT"), Synonym("renal organ", "RELATED"))
    assert kidney.xrefs == ("FMA:7203", "MESH:D007668")
    assert kidney.parents == ("UBERON:0000062",)
    assert kidney.relationships == (("BFO:0000050", "UBERON:0001008"),)
    old = doc.terms["UBERON:0000001"]
    assert old.obsolete and old.replaced_by == ("UBERON:0002113",)
    assert doc.terms["BFO:0000050"].kind == "property"


def test_turtle_reader() -> None:
    doc, _ = read_ontology(FIXTURES / "evidence.ttl")
    assert (
        doc.header.version_iri == "http://purl.obolibrary.org/obo/eco/releases/2024-07-19/eco.owl"
    )
    assert doc.header.licence == "https://creativecommons.org/publicdomain/zero/1.0/"
    exp = doc.terms["ECO:0000006"]
    assert exp.label == "experimental evidence"
    assert exp.definition == "Evidence from a scientific procedure."
    assert exp.synonyms == (Synonym("EXP", "EXACT"), Synonym("wet-lab evidence", "NARROW"))
    assert exp.xrefs == ("GO_REF:0000001",)
    assert exp.parents == ("ECO:0000000",)
    assert exp.relationships == (("BFO:0000050", "ECO:0000000"),)
    old = doc.terms["ECO:0000001"]
    assert old.obsolete and old.replaced_by == ("ECO:0000006",)


def _error(path: Path | str, **kwargs: object) -> str:
    with pytest.raises(KGError) as info:
        read_ontology(path, **kwargs)  # type: ignore[arg-type]
    return str(info.value)


def test_obo_cut_off_mid_line_names_file_and_line(tmp_path: Path) -> None:
    text = (FIXTURES / "mini.obo").read_text()
    cut = text[: text.index("name: autoimmune disease") + len("name: autoim")]
    path = tmp_path / "cut.obo"
    path.write_text(cut)
    line = cut.count("\n") + 1
    assert _error(path) == (f"{path}:{line}: file ends in the middle of a line: it is truncated")


def test_obo_cut_off_mid_stanza_is_a_located_syntax_error(tmp_path: Path) -> None:
    text = (FIXTURES / "mini.obo").read_text()
    cut = text[: text.index("is_a: MONDO:0000001") + len("is_a")] + "\n"
    path = tmp_path / "cut.obo"
    path.write_text(cut)
    message = _error(path)
    assert message.startswith(f"{path}:{cut.count(chr(10))}: OBO syntax error: ")


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress((FIXTURES / "mini.obo").read_bytes())
    path = tmp_path / "mini.obo.gz"
    path.write_bytes(data[: len(data) // 2])
    assert _error(path) == (
        f"{path}: gzip stream ends early: the file is truncated (download it again)"
    )


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_text("id,label\n")
    assert _error(path).startswith(f"{path}: unsupported ontology file type (supported: .obo")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.obo"
    assert _error(path) == f"{path}: ontology source file not found"


def test_bad_turtle_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text('@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n')
    assert _error(path).startswith(f"{path}:3: RDF syntax error: ")


def test_bad_json_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "graphs": [\n    {"nodes": [}\n  ]\n}\n')
    assert _error(path).startswith(f"{path}:3: invalid JSON: ")


def test_lenient_mode_repairs_a_bad_xref_list(tmp_path: Path) -> None:
    path = tmp_path / "eco.obo"
    path.write_text(
        "format-version: 1.2\n\n[Term]\nid: ECO:0008002\nname: rule-based evidence\n"
        'def: "Rules." [UniProt:Vishal Joshi, url:https\\://borgelt.net]\n'
    )
    assert "`lenient: true`" in _error(path)
    doc, _ = read_ontology(path, lenient=True)
    assert doc.terms["ECO:0008002"].definition == "Rules."
    assert doc.repairs == ("line 6: emptied an xref list fastobo rejects (expected QuotedString)",)
