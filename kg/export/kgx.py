"""KGX TSV (kgx/nodes.tsv, kgx/edges.tsv) of the one property-graph projection, for Biolink tools.

Follows the KGX format: one row per node and per edge, tab-separated, multivalued fields
joined with `|`. kgx's reader splits every column at `|`, single-valued ones too, so every
value is written as a list item (kg.export.columns.list_item: a `|` inside becomes `¦`); tabs
and line breaks become spaces, since KGX TSV has no quoting. Nodes carry Biolink
categories, edges Biolink predicates with the original RO (or project) predicate in
`original_predicate`, plus the knowledge_level and agent_type that Biolink 4 requires. Rows
keep the projection's sorted order.

The RO -> Biolink table below was checked against Biolink Model 4.4.6 (biolink_model.yaml):
"exact" rows are listed in the slot's exact_mappings, "narrow" rows in its narrow_mappings
(the RO term is the narrower one, so the Biolink slot is true but more general); the rows
marked "definition" have no mapping in Biolink and follow the definitions (Biolink says
that an exogenous effect is `affects`, not `regulates`; Biolink's `causes` is a
`contributes_to`). tests/test_kgx.py re-checks the table when the YAML is at hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.export.base import BuildContext, Sink
from kg.export.columns import join_list, list_item
from kg.property_graph.graph import Edge, Node, PropertyGraph, PropertyValue

__all__ = [
    "EDGE_COLUMNS",
    "INFORES",
    "NODE_COLUMNS",
    "PREDICATES",
    "KgxSink",
    "edge_rows",
    "node_rows",
    "write_kgx",
]

INFORES = "infores:il2-sle-kg"

#: predicate CURIE -> (Biolink predicate, how the mapping is justified)
PREDICATES: dict[str, tuple[str, str]] = {
    "rdfs:subClassOf": ("biolink:subclass_of", "exact"),
    "RO:0000056": ("biolink:participates_in", "exact"),
    "RO:0000057": ("biolink:has_participant", "exact"),
    "RO:0002200": ("biolink:has_phenotype", "exact"),
    "RO:0002205": ("biolink:has_gene_product", "exact"),
    "RO:0002233": ("biolink:has_input", "exact"),
    "RO:0002234": ("biolink:has_output", "exact"),
    "RO:0002326": ("biolink:contributes_to", "exact"),
    "RO:0002436": ("biolink:directly_physically_interacts_with", "exact"),
    "RO:0002448": ("biolink:regulates", "exact"),
    "RO:0003303": ("biolink:causes", "exact"),
    "RO:0003307": ("biolink:ameliorates_condition", "exact"),
    "RO:0000087": ("biolink:has_attribute", "narrow"),
    "RO:0002606": ("biolink:treats", "narrow"),
    "RO:0003304": ("biolink:contributes_to", "narrow"),
    "RO:0002211": ("biolink:affects", "definition"),
    "RO:0002212": ("biolink:affects", "definition"),
    "RO:0002213": ("biolink:affects", "definition"),
    "RO:0003302": ("biolink:contributes_to", "definition"),
}
#: direction implied by the RO predicate when the curator gave none
PREDICATE_DIRECTION = {"RO:0002212": "decreased", "RO:0002213": "increased"}
DIRECTIONS = {"increased", "upregulated", "decreased", "downregulated"}  # DirectionQualifierEnum
#: values of GeneOrGeneProductOrChemicalEntityAspectEnum the curation uses
ASPECTS = {"abundance", "activity", "activity_or_abundance", "expression", "localization",
           "secretion", "synthesis", "degradation", "transport", "stability"}  # fmt: skip
SPECIES = {"human": "NCBITaxon:9606", "mouse": "NCBITaxon:10090"}

#: project labels that are not Biolink classes -> the Biolink class used in `category`
CATEGORIES: dict[str, str] = {
    "TrialArm": "StudyPopulation",
    "Dose": "Attribute",
    "Endpoint": "InformationContentEntity",
    "EvidenceItem": "InformationContentEntity",
    "AdverseEventCount": "StudyResult",
    "Unit": "NamedThing",
    "OntologyClass": "NamedThing",
}
#: labels left out of `category` when the node has a real one (OntologyClass is a mixin)
MIXINS = {"OntologyClass"}

NODE_COLUMNS = ("id", "category", "name", "description", "xref", "synonym", "iri",
                "provided_by")  # fmt: skip
EDGE_COLUMNS = (
    "id", "subject", "predicate", "object", "category", "negated", "knowledge_level",
    "agent_type", "primary_knowledge_source", "publications", "has_evidence",
    "supporting_text", "original_predicate", "object_direction_qualifier",
    "object_aspect_qualifier", "species_context_qualifier", "status",
)  # fmt: skip


class KgxSink(Sink):
    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        return write_kgx(ctx.projection, out / "kgx")


def write_kgx(graph: PropertyGraph, directory: Path) -> list[Path]:
    """Write nodes.tsv and edges.tsv into directory; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    nodes = _write(directory / "nodes.tsv", NODE_COLUMNS, node_rows(graph))
    header, rows = edge_rows(graph)
    return [nodes, _write(directory / "edges.tsv", header, rows)]


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("\t".join(header) + "\n")
        for row in rows:
            line = "\t".join(row)
            if line.count("\t") != len(row) - 1 or "\n" in line or "\r" in line:
                line = "\t".join([_cell(c) for c in row])  # KGX TSV has no quoting
            fh.write(line + "\n")
    return path


_BREAKS = re.compile(r"[\t\r\n]+")


def _cell(value: str) -> str:
    if "\t" in value or "\n" in value or "\r" in value:
        return _BREAKS.sub(" ", value)
    return value


def biolink_categories(node: Node) -> tuple[str, ...]:
    """`biolink:` categories of a node: its category first, then its other labels."""
    labels = [node.category, *(x for x in node.labels if x != node.category)]
    real = [x for x in labels if x not in MIXINS] or labels
    out: list[str] = []
    for label in real:
        curie = f"biolink:{CATEGORIES.get(label, label)}"
        if curie not in out:
            out.append(curie)
    return tuple(out)


def _strings(value: PropertyValue | None) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    return tuple(str(v) for v in value) if isinstance(value, tuple) else (str(value),)


def node_rows(graph: PropertyGraph) -> Iterable[tuple[str, ...]]:
    """One row per node, in NODE_COLUMNS order."""
    for n in graph.nodes:
        p = n.properties
        yield (
            n.id,
            join_list(biolink_categories(n)),
            list_item(n.name),
            list_item(p.get("definition", "")),
            join_list(_strings(p.get("xrefs"))),
            join_list(_strings(p.get("synonyms"))),
            n.iri,
            INFORES,
        )


def biolink_predicate(edge: Edge) -> str:
    """The Biolink predicate of an edge; biolink:related_to where no mapping is known."""
    return PREDICATES.get(edge.predicate, ("biolink:related_to", ""))[0]


def _qualifiers(edge: Edge) -> tuple[str, str, str]:
    p = edge.properties
    direction = str(p.get("qualifier_direction", PREDICATE_DIRECTION.get(edge.predicate, "")))
    aspect = str(p.get("qualifier_aspect", ""))
    taxon = p.get("qualifier_species", p.get("qualifier_organism", ""))
    species = SPECIES.get(str(taxon).lower(), "")
    return (
        direction if direction in DIRECTIONS else "",
        aspect if aspect in ASPECTS else "",
        species,
    )


def edge_rows(graph: PropertyGraph) -> tuple[tuple[str, ...], Iterable[tuple[str, ...]]]:
    """(header, rows): EDGE_COLUMNS, then every other `qualifier_*` key of the projection."""
    extra = sorted(
        {k for e in graph.edges for k in e.properties if k.startswith("qualifier_")}
        - {"qualifier_direction", "qualifier_aspect", "qualifier_species"}
    )

    def rows() -> Iterable[tuple[str, ...]]:
        for e in graph.edges:
            p = e.properties
            direction, aspect, species = _qualifiers(e)
            yield (
                e.id,
                e.source,
                biolink_predicate(e),
                e.target,
                "biolink:Association",
                "true" if e.negated else "false",
                "knowledge_assertion",
                "manual_agent",
                INFORES,
                join_list(x for x in _strings(p.get("sources")) if x),
                join_list(x for x in _strings(p.get("eco_codes")) if x),
                join_list(x for x in _strings(p.get("quotes")) if x),
                e.predicate,
                direction,
                aspect,
                species,
                list_item(p.get("status", "")),
                *(list_item(p.get(k, "")) for k in extra),
            )

    return (*EDGE_COLUMNS, *extra), rows()
