"""Module extraction on fixture ontologies: placement, determinism, mappings, check_terms, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from typer.testing import CliRunner

from kg.curation.load import LoadedCuration, Location
from kg.curation.schema import Curation, Entity, Evidence, Statement
from kg.errors import KGError
from kg.ontology.check import check_terms
from kg.ontology.extraction import extract_modules
from kg.ontology.sources.config import load_config
from kg.ontology.sources.locate import SourceLocator

FIXTURES = Path(__file__).parent / "fixtures" / "ontology"
OBO = "http://purl.obolibrary.org/obo/"


def obo(curie: str) -> URIRef:
    return URIRef(OBO + curie.replace(":", "_"))


def loaded_curation(*entities: tuple[str, str], predicate: str = "RO:0004001") -> LoadedCuration:
    """A curation of the given (id, label) entities plus one statement, with file:line locations."""
    ents = tuple(
        Entity(
            id=i,
            label=label,
            category="Disease",
            xrefs=("DOID:9074",) if i.endswith("7915") else (),
        )
        for i, label in entities
    )
    evidence = Evidence(source="PMID:1", eco="ECO:0000006", quote="q", locator="abstract")
    statement = Statement(
        id="sle-basis",
        subject=ents[0].id,
        predicate=predicate,
        object=ents[0].id,
        evidence=(evidence,),
    )
    curation = Curation(
        entities=ents, publications=(), statements=(statement,), trials=(), outcome_measures=()
    )
    locations = {e.id: Location("data/entities.yaml", 3 + 10 * n) for n, e in enumerate(ents)}
    locations["sle-basis"] = Location("data/statements.yaml", 2)
    return LoadedCuration(curation, locations, {})


SLE_ONLY = loaded_curation(("MONDO:0007915", "systemic lupus erythematosus"))


def locator(overrides: dict[str, str] | None = None) -> SourceLocator:
    """The fixture config with its files read from the fixture folder (never a cache)."""
    config = load_config(FIXTURES / "sources.yaml", overrides)
    return SourceLocator(config, FIXTURES, FIXTURES / "no-cache")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ontologies")
    extract_modules(locator(), SLE_ONLY, out, command="test")
    return out


def graph(path: Path) -> Graph:
    g = Graph()
    g.parse(path, format="turtle")
    return g


def test_modules_written_per_ontology(extracted: Path) -> None:
    names = sorted(p.parent.name for p in extracted.glob("*/module.ttl"))
    assert names == ["doid", "eco", "mondo", "ro", "uberon"]
    assert (extracted / "mappings" / "mappings.ttl").exists()


def test_seed_ancestors_and_relationships(extracted: Path) -> None:
    g = graph(extracted / "mondo" / "module.ttl")
    sle = obo("MONDO:0007915")
    assert (sle, RDFS.label, Literal("systemic lupus erythematosus")) in g
    assert (sle, RDFS.subClassOf, obo("MONDO:0007179")) in g
    assert (obo("MONDO:0007179"), RDFS.subClassOf, obo("MONDO:0000001")) in g
    assert (
        sle,
        obo("IAO:0000115"),
        Literal('A "multi-organ" autoimmune disease.\tWith a tab.'),
    ) in g
    assert (
        sle,
        URIRef("http://www.geneontology.org/formats/oboInOwl#hasDbXref"),
        Literal("DOID:9074"),
    ) in g
    # relationships are direct triples, and no blank node anywhere
    assert (sle, obo("BFO:0000050"), obo("MONDO:0000001")) in g
    assert (sle, obo("RO:0004001"), obo("UBERON:0002113")) in g
    assert not any(isinstance(t, BNode) for triple in g for t in triple)
    # the obsolete term nobody uses is not extracted
    assert (obo("MONDO:0000002"), None, None) not in g


def test_handoff_to_the_owning_ontology(extracted: Path) -> None:
    uberon = graph(extracted / "uberon" / "module.ttl")
    kidney = obo("UBERON:0002113")
    assert (kidney, RDFS.label, Literal("kidney")) in uberon  # Uberon's label, not mini.obo's
    assert (kidney, RDFS.subClassOf, obo("UBERON:0000062")) in uberon
    assert (obo("UBERON:0002113"), None, None) not in graph(extracted / "mondo" / "module.ttl")
    ro = graph(extracted / "ro" / "module.ttl")
    part_of = obo("BFO:0000050")
    assert (part_of, RDF.type, OWL.ObjectProperty) in ro
    assert (part_of, RDFS.subPropertyOf, obo("RO:0002131")) in ro
    assert (obo("RO:0004001"), RDFS.label, Literal("has material basis in")) in ro


def test_mapped_ids_are_seeds_and_mappings_carry_provenance(extracted: Path) -> None:
    doid = graph(extracted / "doid" / "module.ttl")
    assert (obo("DOID:9074"), RDFS.subClassOf, obo("DOID:417")) in doid
    assert (obo("DOID:4"), RDF.type, OWL.Class) in doid  # an is_a ancestor of DOID:417
    mappings = graph(extracted / "mappings" / "mappings.ttl")
    sle = obo("MONDO:0007915")
    assert (sle, SKOS.exactMatch, obo("DOID:9074")) in mappings
    assert (sle, SKOS.exactMatch, URIRef("http://id.nlm.nih.gov/mesh/D008180")) in mappings
    assert (obo("MONDO:0007179"), SKOS.closeMatch, obo("DOID:417")) in mappings
    assert (obo("MONDO:9999999"), None, None) not in mappings
    axioms = set(mappings.subjects(OWL.annotatedTarget, obo("DOID:9074")))
    sets = {mappings.value(a, URIRef("https://w3id.org/sssom/mapping_set_id")) for a in axioms}
    # the SSSOM set, and the curated xref (an exactMatch because the SSSOM set says so)
    assert sets == {
        URIRef("http://example.org/mini.sssom.tsv"),
        URIRef("https://w3id.org/il2-sle-kg/mapping-set/curation"),
    }


def test_source_record(extracted: Path) -> None:
    record = json.loads((extracted / "mondo" / "source.json").read_text())
    assert record["extraction_date"] == "2024-03-01"
    assert record["command"] == "test"
    assert record["files"][0]["data_version"] == "mini/releases/2024-03-01"
    assert record["files"][0]["licence_stated"] == "https://creativecommons.org/licenses/by/4.0/"
    assert record["seeds"] == ["MONDO:0000001", "MONDO:0007915"]
    assert record["counts"]["classes"] == 3
    assert record["prefixes"] == ["MONDO"]


def test_rerun_is_byte_identical(extracted: Path, tmp_path: Path) -> None:
    extract_modules(locator(), SLE_ONLY, tmp_path, command="test")
    for path in sorted(extracted.rglob("*.*")):
        assert (tmp_path / path.relative_to(extracted)).read_bytes() == path.read_bytes(), path


def test_only_writes_the_named_modules(tmp_path: Path) -> None:
    config = locator()
    report = extract_modules(config, SLE_ONLY, tmp_path, only=["mondo"], command="test")
    assert [p.relative_to(tmp_path).as_posix() for p in report.written] == [
        "mondo/module.ttl",
        "mondo/source.json",
    ]
    with pytest.raises(KGError, match="--only: unknown name"):
        extract_modules(config, SLE_ONLY, tmp_path, only=["nope"])


def test_check_terms_unknown_id_names_closest_labels(extracted: Path) -> None:
    loaded = loaded_curation(
        ("MONDO:0007915", "systemic lupus erythematosus"),
        ("MONDO:0007999", "systemic lupus erythematosis"),
    )
    problems = check_terms(loaded, extracted)
    assert [str(p) for p in problems] == [
        "data/entities.yaml:13: entity MONDO:0007999: id: MONDO:0007999 is not in ontology "
        f"MONDO ({extracted / 'mondo' / 'module.ttl'}); closest: "
        "'systemic lupus erythematosus' (MONDO:0007915). Fix the id, or if it is a valid new "
        "term re-run `kg ontologies extract`"
    ]


def test_check_terms_obsolete_names_replacement(tmp_path: Path) -> None:
    loaded = loaded_curation(("MONDO:0007916", "lupus"))
    extract_modules(locator(), loaded, tmp_path, command="test")
    problems = check_terms(loaded, tmp_path)
    assert [str(p) for p in problems] == [
        "data/entities.yaml:3: entity MONDO:0007916: id: MONDO:0007916 ('obsolete lupus') is "
        f"obsolete in MONDO ({tmp_path / 'mondo' / 'module.ttl'}); replaced by MONDO:0007915 "
        "('systemic lupus erythematosus')"
    ]


def test_check_terms_unknown_predicate(extracted: Path) -> None:
    loaded = loaded_curation(
        ("MONDO:0007915", "systemic lupus erythematosus"), predicate="RO:0004002"
    )
    problems = check_terms(loaded, extracted)
    assert len(problems) == 1
    assert str(problems[0]).startswith(
        "data/statements.yaml:2: statement sle-basis: predicate: RO:0004002 is not in ontology RO"
    )
    assert "closest: RO:0004001 ('has material basis in')" in str(problems[0])


def test_cli_extract_and_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.ontology import cli

    monkeypatch.setattr("kg.curation.load.load_curation", lambda _data: SLE_ONLY)
    runner = CliRunner()
    result = runner.invoke(
        cli.app,
        [
            "extract",
            "--config",
            str(FIXTURES / "sources.yaml"),
            "--out",
            str(tmp_path),
            "--sources-dir",
            str(FIXTURES),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--only",
            "mondo",
        ],
    )
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "mondo" / "source.json").read_text())
    assert record["command"] == (
        f"kg ontologies extract --config {FIXTURES / 'sources.yaml'} --data data "
        f"--out {tmp_path} --only mondo"
    )
    # where the files were found is not part of the command (no machine paths recorded)
    assert "--sources-dir" not in record["command"]
    assert record["files"][0]["file"] == "mini.obo"
    assert record["files"][0]["url"] == "http://example.org/mini/releases/2024-03-01/mini.obo"
    help_text = runner.invoke(cli.app, ["extract", "--help"]).output
    assert "Example" in help_text and "--source" in help_text and "--sources-dir" in help_text


def test_source_override_and_bad_override(tmp_path: Path) -> None:
    config = load_config(FIXTURES / "sources.yaml", {"doid": str(FIXTURES / "mini.obo")})
    assert config.overrides == {"doid": str(FIXTURES / "mini.obo")}
    with pytest.raises(KGError, match="no source named 'nope'"):
        load_config(FIXTURES / "sources.yaml", {"nope": "x.obo"})


def test_config_errors_are_located(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "ontologies:\n  mondo:\n    files: [{url: http://example.org/a.obo}]\n"
        "    prefixes: [NOPE]\n"
        "    licence: x\n    why: y\n"
    )
    with pytest.raises(KGError) as info:
        load_config(path)
    assert str(info.value) == (
        f"{path}:4: ontologies.mondo.prefixes[0]: prefix 'NOPE' is not in the project prefix map "
        "(kg/namespaces.py PREFIXES)"
    )


def test_config_file_entries_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "ontologies:\n  mondo:\n    files:\n      - url: mondo.obo\n"
        "        file: ../outside.obo\n    prefixes: [MONDO]\n    licence: x\n    why: y\n"
    )
    with pytest.raises(KGError) as info:
        load_config(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:4: ontologies.mondo.files[0].url: expected an http(s) URL, got 'mondo.obo'",
        f"{path}:5: ontologies.mondo.files[0].file: expected a relative path inside a sources "
        "folder (no '..', not absolute), got '../outside.obo'",
    ]
