"""KGX TSV: columns, Biolink categories and predicates (checked against the Biolink Model
YAML of the `biolink-model` package), knowledge_level/agent_type, multivalued fields,
provenance kept; kgx's own validator accepts the real build with 0 errors and reports the
errors planted in a broken copy, and a kgx transform of it into N-Triples keeps every node and
edge. kgx runs offline in its own environment, `.venv-kgx` (tests/kgx_venv.py runs
tests/kgx_offline.py there), so that its numpy < 2 pin stays out of the suite's environment.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.resources
import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import kgx_venv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples
from property_graph_samples import tricky_graph
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.export.columns import BAR_REPLACEMENT
from kg.export.kgx import (
    CATEGORIES,
    EDGE_COLUMNS,
    NODE_COLUMNS,
    PREDICATES,
    biolink_categories,
    write_kgx,
)
from kg.namespaces import PREFIXES, iri_of_property_graph_id
from kg.property_graph.graph import Edge, Node, PropertyGraph

pytest.importorskip("biolink_model", reason="pip install -e '.[test]' (biolink-model)")

#: how many warnings kgx's validator may report on the real build (see docs/property-graph.md)
ALLOWED_WARNINGS = 0


@cache
def _biolink() -> dict[str, Any]:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(
        importlib.resources.files("biolink_model")
        .joinpath("schema/biolink_model.yaml")
        .read_text("utf-8")
    )


def _camel(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in name.split())


def read_tsv(path: Path) -> list[dict[str, str]]:
    """KGX TSV as dicts (no quoting: KGX TSV has none)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    header, body = rows[0], rows[1:]
    assert all(len(r) == len(header) for r in body), f"{path.name}: ragged rows"
    return [dict(zip(header, r, strict=True)) for r in body]


def test_tsv_columns_and_values(tmp_path: Path) -> None:
    graph = tricky_graph()
    nodes_tsv, edges_tsv = write_kgx(graph, tmp_path)
    nodes = {r["id"]: r for r in read_tsv(nodes_tsv)}
    edges = {r["id"]: r for r in read_tsv(edges_tsv)}
    assert list(next(iter(nodes.values()))) == list(NODE_COLUMNS)
    assert list(next(iter(edges.values())))[: len(EDGE_COLUMNS)] == list(EDGE_COLUMNS)
    assert len(nodes) == len(graph.nodes) and len(edges) == len(graph.edges)

    th1 = nodes["CL:0000545"]
    assert th1["category"] == "biolink:Cell"  # OntologyClass is a mixin: left out
    assert th1["synonym"].split("|") == ["Th1", f"T helper 1 {BAR_REPLACEMENT} type-1",
                                         "Lübeck; cell"]  # fmt: skip
    assert th1["description"] == f'A CD4+ T cell; it\'s "Th1" {BAR_REPLACEMENT} type-1 second line'
    assert th1["xref"] == "FMA:1" and th1["provided_by"] == "infores:il2-sle-kg"
    lupil2 = nodes["CLINICALTRIALS:NCT02955615"]
    assert lupil2["category"] == "biolink:ClinicalTrial|biolink:Publication"
    assert nodes["il2kg.drug:hril-2"]["description"] == "tab here"

    no_th1 = edges["il2kg.statement:no-th1"]
    assert no_th1["predicate"] == "biolink:affects"
    assert no_th1["original_predicate"] == "RO:0002211"
    assert no_th1["negated"] == "true"
    assert (no_th1["knowledge_level"], no_th1["agent_type"]) == (
        "knowledge_assertion", "manual_agent",
    )  # fmt: skip
    assert no_th1["publications"] == "PMID:27500725" and no_th1["has_evidence"] == "ECO:0007121"
    assert no_th1["supporting_text"] == "but not TH1 or TH2 cells"
    assert no_th1["object_direction_qualifier"] == ""  # 'unchanged' is not a Biolink direction
    assert no_th1["species_context_qualifier"] == "NCBITaxon:9606"
    down = edges["il2kg.statement:down-th1"]
    assert down["object_direction_qualifier"] == "decreased"
    assert down["object_aspect_qualifier"] == "abundance"
    assert down["status"] == "unverified"
    assert edges["e1"]["predicate"] == "biolink:subclass_of"
    assert edges["e2"]["predicate"] == "biolink:related_to"
    assert edges["e2"]["original_predicate"] == "dcterms:source"


#: KGX columns that hold lists (joined with `|`); every other column holds one value
MULTIVALUED = {"category", "xref", "synonym", "publications", "has_evidence", "supporting_text"}
ODD_TEXT = st.text(
    alphabet=st.sampled_from(["|", "\t", "\n", "\r", "\\", '"', "'", ";", "¦", "a", " ", "é"]),
    max_size=12,
)


@settings(max_examples=examples(200), deadline=None)
@given(name=ODD_TEXT, definition=ODD_TEXT, status=ODD_TEXT, organism=ODD_TEXT,
       synonyms=st.lists(ODD_TEXT, max_size=3), quotes=st.lists(ODD_TEXT, max_size=3))  # fmt: skip
def test_any_text_keeps_rows_whole_and_single_values_single(
    name: str, definition: str, status: str, organism: str, synonyms: list[str], quotes: list[str]
) -> None:
    """Whatever a curated text holds, each KGX row has one cell per column, a single-valued
    cell never holds the list separator `|` (kgx would split it), and a list keeps its items."""
    node = Node("il2kg.drug:x", "https://w3id.org/il2-sle-kg/drug/x", name, "Drug", ("Drug",),
                {"definition": definition, "synonyms": tuple(synonyms)})  # fmt: skip
    edge = Edge("il2kg.statement:s", "il2kg.drug:x", "il2kg.drug:x", "REGULATES", "RO:0002211",
                "regulates", False, {"quotes": tuple(quotes), "status": status,
                                     "qualifier_organism": organism})  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        nodes_tsv, edges_tsv = write_kgx(PropertyGraph((node,), (edge,)), Path(tmp))
        rows = [*read_tsv(nodes_tsv), *read_tsv(edges_tsv)]
    assert len(rows) == 2
    for row in rows:
        for column, cell in row.items():
            if column not in MULTIVALUED:
                assert "|" not in cell, (column, cell)
    if synonyms:  # one item per synonym, each with its `|` and line breaks made safe
        assert rows[0]["synonym"].split("|") == [_cell_text(x) for x in synonyms]
    else:
        assert rows[0]["synonym"] == ""


def _cell_text(value: str) -> str:
    return re.sub(r"[\t\r\n]+", " ", value.replace("|", BAR_REPLACEMENT))


def test_predicate_table_agrees_with_biolink() -> None:
    slots = _biolink()["slots"]
    for curie, (predicate, how) in PREDICATES.items():
        slot = predicate.removeprefix("biolink:").replace("_", " ")
        assert slot in slots, f"{predicate} is not a Biolink slot"
        if how in ("exact", "narrow"):
            listed = slots[slot].get(f"{how}_mappings") or []
            assert curie in listed, f"{curie} is not in {slot}.{how}_mappings"
        else:
            assert how == "definition"
            mapped = [
                name for name, s in slots.items() if s
                for kind in ("exact_mappings", "narrow_mappings")
                if curie in (s.get(kind) or [])
            ]  # fmt: skip
            assert not mapped, f"{curie} has a Biolink mapping now: {mapped}; use it"


def test_categories_are_biolink_classes(exports_projection) -> None:
    classes = {_camel(name) for name in _biolink()["classes"]}
    graph = exports_projection[1]
    used = {c for n in graph.nodes for c in biolink_categories(n)} | {
        f"biolink:{c}" for c in CATEGORIES.values()
    }
    unknown = sorted(c for c in used if c.removeprefix("biolink:") not in classes)
    assert not unknown, f"not Biolink classes: {unknown}"


def test_enums_used_for_qualifiers_are_biolink() -> None:
    from kg.export.kgx import ASPECTS, DIRECTIONS

    enums = _biolink()["enums"]
    assert set(enums["DirectionQualifierEnum"]["permissible_values"]) >= DIRECTIONS
    aspects = enums["GeneOrGeneProductOrChemicalEntityAspectEnum"]["permissible_values"]
    assert set(aspects) >= ASPECTS
    assert {"knowledge_assertion"} <= set(enums["KnowledgeLevelEnum"]["permissible_values"])
    assert {"manual_agent"} <= set(enums["AgentTypeEnum"]["permissible_values"])


def test_real_build_kgx_matches_the_projection(exports: Path, exports_projection) -> None:
    graph = exports_projection[1]
    nodes = read_tsv(exports / "kgx" / "nodes.tsv")
    edges = read_tsv(exports / "kgx" / "edges.tsv")
    assert [r["id"] for r in nodes] == [n.id for n in graph.nodes]
    assert [r["id"] for r in edges] == [e.id for e in graph.edges]
    ids = {r["id"] for r in nodes}
    assert all(r["subject"] in ids and r["object"] in ids for r in edges)
    assert all(r["predicate"].startswith("biolink:") for r in edges)
    assert all(r["category"].startswith("biolink:") for r in nodes)


@pytest.fixture(scope="module")
def kgx_env() -> None:
    """Skip (naming the command that makes it) when kgx's own environment is missing."""
    if reason := kgx_venv.kgx_missing():
        pytest.skip(reason)


@pytest.fixture(scope="module")
def project_context(kgx_env: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return kgx_venv.project_context(tmp_path_factory.mktemp("kgx") / "context.jsonld")


def test_kgx_validator_accepts_the_real_build(exports: Path, project_context: Path) -> None:
    """kgx's Validator (what `kgx validate` runs): 0 errors, at most ALLOWED_WARNINGS warnings."""
    report = kgx_venv.validate(exports / "kgx", project_context)
    errors = report.get("ERROR", [])
    assert not errors, f"{len(errors)} kgx errors, e.g. {errors[:5]}"
    warnings = report.get("WARNING", [])
    assert len(warnings) <= ALLOWED_WARNINGS, warnings[:10]
    assert set(report) <= {"ERROR", "WARNING"}, set(report)


def _slice_with_errors(exports: Path, out: Path, size: int = 60) -> set[tuple[str, str]]:
    """Write a slice of the real KGX TSV with three planted errors; return (error type, entity).

    The first `size` nodes and the edges between them, then: an unknown category on one node,
    an id that is no CURIE on another, a predicate Biolink lacks on one edge. Rows are split on
    tabs (KGX TSV has no quoting), so every other byte is the build's.
    """
    out.mkdir()
    nodes = (exports / "kgx" / "nodes.tsv").read_text("utf-8").splitlines()
    edges = (exports / "kgx" / "edges.tsv").read_text("utf-8").splitlines()
    node_head, edge_head = nodes[0].split("\t"), edges[0].split("\t")
    kept = [row.split("\t") for row in nodes[1 : size + 1]]
    ids = {row[node_head.index("id")] for row in kept}
    subject, obj = edge_head.index("subject"), edge_head.index("object")
    between = [r for r in (e.split("\t") for e in edges[1:]) if {r[subject], r[obj]} <= ids]
    assert len(kept) == size and between, "the slice needs nodes and an edge between them"

    kept[0][node_head.index("category")] = "biolink:NotABiolinkClass"
    kept[1][node_head.index("id")] = "nocolon"
    between[0][edge_head.index("predicate")] = "biolink:not_a_biolink_predicate"
    for name, head, rows in (("nodes.tsv", node_head, kept), ("edges.tsv", edge_head, between)):
        lines = ["\t".join(head), *("\t".join(r) for r in rows)]
        (out / name).write_text("".join(f"{line}\n" for line in lines), "utf-8")
    edge = between[0]
    return {
        ("INVALID_CATEGORY", kept[0][node_head.index("id")]),
        ("INVALID_NODE_PROPERTY_VALUE", "nocolon"),
        ("INVALID_EDGE_PREDICATE", f"{edge[subject]}->{edge[obj]}"),
    }


def test_kgx_validator_accepts_odd_text_in_every_column(
    tmp_path: Path, project_context: Path
) -> None:
    """The sample graph's `|`, quotes, tabs and line breaks in names, descriptions, synonyms
    and quotes: kgx reads `|` as a list separator in every column, single-valued ones too."""
    write_kgx(tricky_graph(), tmp_path / "kgx")
    report = kgx_venv.validate(tmp_path / "kgx", project_context)
    bad_values = [e for e in report.get("ERROR", []) if "VALUE_TYPE" in e[0]]
    assert not bad_values, bad_values[:5]


def test_kgx_validator_reports_errors_planted_in_a_copy(
    exports: Path, project_context: Path, tmp_path: Path
) -> None:
    """The validator run is real: a broken file gets kgx's own errors, and only those."""
    planted = _slice_with_errors(exports, tmp_path / "broken")
    report = kgx_venv.validate(tmp_path / "broken", project_context)
    found = {(kind, entity) for kind, _message, entity in report.get("ERROR", [])}
    assert planted <= found, f"kgx missed {planted - found}; it reported {sorted(found)}"
    # an id that is no CURIE also fails kgx's type check of that row; nothing else is wrong
    assert found - planted <= {("INVALID_NODE_PROPERTY_VALUE_TYPE", "nocolon")}, found - planted
    messages = {m for _kind, m, _entity in report["ERROR"]}
    assert "Edge predicate 'not_a_biolink_predicate' is not in Biolink Model" in messages


def test_kgx_environment_is_the_pinned_one(kgx_env: None) -> None:
    """.venv-kgx has what tools/kgx-requirements.txt pins (a stale one fails: re-run the command
    that makes it), and the Biolink Model release the schema checks above read."""
    found = kgx_venv.versions()
    pinned = kgx_venv.pinned()
    assert {name: pinned[name] for name in found} == found
    assert found["biolink-model"] == importlib.metadata.version("biolink-model"), found


@pytest.mark.slow
def test_only_the_projects_own_prefixes_are_outside_biolink(exports: Path, kgx_env: None) -> None:
    """With Biolink's context alone, every error is an `il2kg.*` prefix Biolink cannot know."""
    report = kgx_venv.validate(exports / "kgx", kgx_venv.BIOLINK_CONTEXT)
    other = [
        e for e in report.get("ERROR", [])
        if "CURIE prefix 'il2kg." not in e[1]
    ]  # fmt: skip
    assert not other, other[:5]


@pytest.mark.slow
def test_kgx_transform_to_ntriples_keeps_every_node_and_edge(
    exports: Path, project_context: Path, tmp_path: Path
) -> None:
    nt = kgx_venv.to_ntriples(exports / "kgx", project_context, tmp_path / "kg.nt")
    g = Graph()
    g.parse(nt, format="nt")
    nodes = read_tsv(exports / "kgx" / "nodes.tsv")
    edges = read_tsv(exports / "kgx" / "edges.tsv")
    biolink = {p: ns for p, ns in kgx_venv.biolink_prefixes().items()}
    biolink.update({p: ns for p, ns in PREFIXES.items() if p.startswith("il2kg.")})

    def iri(curie: str) -> URIRef:
        prefix, _, local = curie.partition(":")
        return URIRef(biolink[prefix] + local)

    category = URIRef("https://w3id.org/biolink/vocab/category")
    typed = set(g.subjects(category, None))
    missing = [n["id"] for n in nodes if iri(n["id"]) not in typed]
    assert not missing, f"{len(missing)} nodes lost, e.g. {missing[:5]}"
    statements = {
        (s, o)
        for st in g.subjects(RDF.type, URIRef("https://w3id.org/biolink/vocab/Association"))
        for s in g.objects(st, RDF.subject)
        for o in g.objects(st, RDF.object)
    }
    lost = [e["id"] for e in edges if (iri(e["subject"]), iri(e["object"])) not in statements]
    assert not lost, f"{len(lost)} edges lost, e.g. {lost[:5]}"
    reified = len(set(g.subjects(RDF.type, URIRef("https://w3id.org/biolink/vocab/Association"))))
    assert reified == len(edges)


def test_node_ids_decode_back_to_their_iris(exports: Path) -> None:
    for row in read_tsv(exports / "kgx" / "nodes.tsv"):
        assert iri_of_property_graph_id(row["id"]) == row["iri"], row["id"]
