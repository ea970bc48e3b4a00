"""KGX TSV: columns, Biolink categories and predicates (checked against the Biolink Model YAML
when it is at hand), knowledge_level/agent_type, multivalued fields, provenance kept."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from property_graph_samples import projection_of_exports, tricky_graph

from kg.export.columns import BAR_REPLACEMENT
from kg.export.kgx import (
    CATEGORIES,
    EDGE_COLUMNS,
    NODE_COLUMNS,
    PREDICATES,
    biolink_categories,
    write_kgx,
)

#: shared/ lies beside the repository (on developer machines and in CI)
BIOLINK_YAML = (
    Path(__file__).resolve().parents[2] / "shared/ontologies/sources/biolink/biolink_model.yaml"
)


def _biolink() -> dict[str, Any]:
    if not BIOLINK_YAML.exists():
        pytest.skip("the Biolink Model YAML (shared/ontologies/sources/biolink) is not here")
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(BIOLINK_YAML.read_text(encoding="utf-8"))


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
    assert th1["description"] == 'A CD4+ T cell; it\'s "Th1" | type-1 second line'
    assert th1["xref"] == "FMA:1" and th1["provided_by"] == "infores:il2-sle-kg"
    assert nodes["NCT:NCT02955615"]["category"] == "biolink:ClinicalTrial|biolink:Publication"
    assert nodes["il2kg:drug/hril-2"]["description"] == "tab here"

    no_th1 = edges["il2kg:statement/no-th1"]
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
    down = edges["il2kg:statement/down-th1"]
    assert down["object_direction_qualifier"] == "decreased"
    assert down["object_aspect_qualifier"] == "abundance"
    assert down["status"] == "unverified"
    assert edges["e1"]["predicate"] == "biolink:subclass_of"
    assert edges["e2"]["predicate"] == "biolink:related_to"
    assert edges["e2"]["original_predicate"] == "dcterms:source"


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


def test_categories_are_biolink_classes(exports: Path) -> None:
    classes = {_camel(name) for name in _biolink()["classes"]}
    graph = projection_of_exports(exports)[1]
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


def test_real_build_kgx_matches_the_projection(exports: Path) -> None:
    graph = projection_of_exports(exports)[1]
    nodes = read_tsv(exports / "kgx" / "nodes.tsv")
    edges = read_tsv(exports / "kgx" / "edges.tsv")
    assert [r["id"] for r in nodes] == [n.id for n in graph.nodes]
    assert [r["id"] for r in edges] == [e.id for e in graph.edges]
    ids = {r["id"] for r in nodes}
    assert all(r["subject"] in ids and r["object"] in ids for r in edges)
    assert all(r["predicate"].startswith("biolink:") for r in edges)
    assert all(r["category"].startswith("biolink:") for r in nodes)
