"""RDF Dataset -> PropertyGraph: the single projection behind GraphML, HTML, Neo4j and KGX.

Rules (documented in the README, "Property-graph mapping"):
- A node per curated entity, ontology class, trial, arm, dose, endpoint, result, adverse-event
  count, outcome measure, publication and unit. Its `id` is the CURIE, `labels` its Biolink
  category (plus `OntologyClass` for OWL classes); literal triples become properties.
- A curated statement becomes one edge, negated or not, carrying its evidence (sources, ECO
  codes, quotes, locators), qualifiers and status. Its direct triple is not projected twice.
- rdfs:subClassOf between nodes becomes SUBCLASS_OF; every other IRI-valued triple between two
  nodes becomes an edge typed by the predicate's label in UPPER_SNAKE_CASE. IRI values that are
  not nodes (mappings, registry records) stay as properties.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node as RdfNode

from kg.namespaces import BIOLINK, DCTERMS, KGV, OBO, OBOINOWL, OWL, RDF, RDFS, SKOS, curie_of
from kg.project.graph import Edge, Node, PropertyGraph, PropertyValue

__all__ = ["edge_type", "project"]

DEFINITION = OBO["IAO_0000115"]
SYNONYMS = (
    OBOINOWL.hasExactSynonym,
    OBOINOWL.hasRelatedSynonym,
    OBOINOWL.hasBroadSynonym,
    OBOINOWL.hasNarrowSynonym,
)
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)

#: kgv classes that become nodes, with their property-graph label
TYPED_NODES: dict[URIRef, str] = {
    KGV.ClinicalTrial: "ClinicalTrial",
    KGV.TrialArm: "TrialArm",
    KGV.Dose: "Dose",
    KGV.Endpoint: "Endpoint",
    KGV.Result: "StudyResult",
    KGV.AdverseEventCount: "AdverseEventCount",
    KGV.OutcomeMeasure: "ClinicalMeasurement",
    KGV.Publication: "Publication",
    KGV.Unit: "Unit",
}
#: classes folded into edges or node properties, never nodes themselves
FOLDED = (KGV.Statement, KGV.EvidenceItem, KGV.Qualifier)
#: category of an ontology class that the curation does not categorise, by prefix
PREFIX_CATEGORY = {
    "MONDO": "Disease", "DOID": "Disease", "NCIT": "Disease", "HP": "PhenotypicFeature",
    "CL": "Cell", "GO": "BiologicalProcess", "UBERON": "AnatomicalEntity",
    "CHEBI": "ChemicalEntity", "PR": "Protein", "ECO": "EvidenceType", "OBI": "NamedThing",
}  # fmt: skip
SKIP_PREDICATES = {RDF.type, BIOLINK.category, KGV.evidence, KGV.qualifier, DCTERMS.source}


def edge_type(label: str) -> str:
    """'positively regulates' -> POSITIVELY_REGULATES."""
    return re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_").upper() or "RELATED_TO"


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _local(iri: URIRef) -> str:
    return re.split(r"[/#]", str(iri))[-1]


def _python(lit: Literal) -> str | int | float | bool:
    value = lit.toPython()
    if isinstance(value, Literal):
        return str(value)
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal | float):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(lit)


def project(ds: Dataset) -> PropertyGraph:
    """Project the whole dataset (all named graphs unioned) to a property graph."""
    triples: set[tuple[RdfNode, RdfNode, RdfNode]] = {
        (s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))
    }
    by_subject: dict[RdfNode, list[tuple[RdfNode, RdfNode]]] = defaultdict(list)
    for s, p, o in triples:
        by_subject[s].append((p, o))
    types: dict[RdfNode, set[RdfNode]] = defaultdict(set)
    for s, p, o in triples:
        if p == RDF.type:
            types[s].add(o)
    labels = {
        s: str(o) for s, p, o in sorted(triples) if p == RDFS.label and isinstance(o, Literal)
    }

    categories: dict[RdfNode, str] = {}
    for s, p, o in triples:
        if p == BIOLINK.category and isinstance(s, URIRef):
            categories[s] = _local(o)
    node_kind: dict[URIRef, tuple[str, tuple[str, ...]]] = {}
    for s, ts in types.items():
        if not isinstance(s, URIRef) or str(s).startswith(str(KGV)):
            continue
        if any(t in FOLDED for t in ts):
            continue
        typed = sorted(TYPED_NODES[t] for t in ts if t in TYPED_NODES)
        if typed:
            node_kind[s] = (typed[0], (typed[0],))
        elif OWL.Class in ts and s in labels:
            prefix = curie_of(s).split(":", 1)[0]
            category = categories.get(s) or PREFIX_CATEGORY.get(prefix, "OntologyClass")
            node_kind[s] = (category, tuple(sorted({category, "OntologyClass"})))
    for s, category in categories.items():
        if isinstance(s, URIRef) and s not in node_kind and not _is_folded(types[s]):
            node_kind[s] = (category, (category,))

    statement_keys, statement_edges = _statement_edges(by_subject, types, labels, node_kind)
    nodes: list[Node] = []
    edges: list[Edge] = list(statement_edges)
    for iri, (category, node_labels) in node_kind.items():
        props: dict[str, list[PropertyValue]] = defaultdict(list)
        for p, o in by_subject.get(iri, []):
            if p in SKIP_PREDICATES and p != DCTERMS.source:
                continue
            if isinstance(o, Literal):
                key = _property_key(p)
                props[key].append(_python(o))
            elif isinstance(o, URIRef):
                if o in node_kind and o != iri:
                    if (iri, p, o) in statement_keys:
                        continue
                    edges.append(_edge(iri, p, o, labels))
                elif p in MAPPINGS:
                    props["xrefs"].append(curie_of(o))
                elif p not in SKIP_PREDICATES:
                    props[_property_key(p)].append(curie_of(o))
        for p, o in by_subject.get(iri, []):
            if p == KGV.evidence and isinstance(o, URIRef):
                _fold_evidence(props, by_subject.get(o, []))
        nodes.append(_node(iri, category, node_labels, labels, props))
    nodes.sort(key=lambda n: n.id)
    edges.sort(key=lambda e: (e.source, e.type, e.target, e.id))
    return PropertyGraph(tuple(nodes), tuple(edges))


def _is_folded(ts: set[RdfNode]) -> bool:
    return any(t in FOLDED for t in ts)


def _property_key(p: RdfNode) -> str:
    if p == RDFS.label:
        return "name"
    if p in (DEFINITION, DCTERMS.description):
        return "definition"
    if p in SYNONYMS:
        return "synonyms"
    if p == OBOINOWL.hasDbXref:
        return "xrefs"
    return _snake(_local(p))  # type: ignore[arg-type]


LIST_KEYS = {"synonyms", "xrefs", "registry_id", "creator", "references", "sources", "eco_codes",
             "quotes", "locators", "identifier"}  # fmt: skip


def _node(
    iri: URIRef,
    category: str,
    node_labels: tuple[str, ...],
    labels: dict[RdfNode, str],
    props: dict[str, list[PropertyValue]],
) -> Node:
    out: dict[str, PropertyValue] = {}
    for key, values in sorted(props.items()):
        if key == "name":
            continue
        if key in LIST_KEYS or len(set(map(str, values))) > 1:
            out[key] = tuple(sorted({str(v) for v in values}))
        else:
            out[key] = values[0]
    out.setdefault("synonyms", ())
    out.setdefault("xrefs", ())
    name = labels.get(iri) or curie_of(iri)
    return Node(curie_of(iri), str(iri), name, category, node_labels, out)


def _fold_evidence(
    props: dict[str, list[PropertyValue]], pairs: list[tuple[RdfNode, RdfNode]]
) -> None:
    for p, o in pairs:
        if p == DCTERMS.source:
            props["sources"].append(curie_of(o))
        elif p == KGV.evidenceCode:
            props["eco_codes"].append(curie_of(o))
        elif p == KGV.quote:
            props["quotes"].append(str(o))
        elif p == KGV.locator:
            props["locators"].append(str(o))


def _edge(s: URIRef, p: RdfNode, o: URIRef, labels: dict[RdfNode, str]) -> Edge:
    if p == RDFS.subClassOf:
        label, etype = "subclass of", "SUBCLASS_OF"
    else:
        label = labels.get(p) or _local(p)  # type: ignore[arg-type]
        etype = edge_type(label)
    digest = hashlib.sha1(f"{s} {p} {o}".encode()).hexdigest()[:16]
    return Edge(f"e{digest}", curie_of(s), curie_of(o), etype, curie_of(p), label)


def _statement_edges(
    by_subject: dict[RdfNode, list[tuple[RdfNode, RdfNode]]],
    types: dict[RdfNode, set[RdfNode]],
    labels: dict[RdfNode, str],
    node_kind: dict[URIRef, tuple[str, tuple[str, ...]]],
) -> tuple[set[tuple[RdfNode, RdfNode, RdfNode]], list[Edge]]:
    keys: set[tuple[RdfNode, RdfNode, RdfNode]] = set()
    edges: list[Edge] = []
    for st, ts in types.items():
        if KGV.Statement not in ts or isinstance(st, BNode):
            continue
        f = defaultdict(list)
        for p, o in by_subject[st]:
            f[p].append(o)
        s, p, o = f[RDF.subject][0], f[RDF.predicate][0], f[RDF.object][0]
        if s not in node_kind or o not in node_kind:
            continue
        keys.add((s, p, o))
        negated = bool(f[KGV.negated] and f[KGV.negated][0].toPython())
        evidence: dict[str, list[str]] = defaultdict(list)
        for ev in sorted(f[KGV.evidence]):
            ev_props = dict(by_subject.get(ev, []))
            evidence["sources"].append(curie_of(ev_props.get(DCTERMS.source, "")))
            evidence["eco_codes"].append(curie_of(ev_props.get(KGV.evidenceCode, "")))
            evidence["quotes"].append(str(ev_props.get(KGV.quote, "")))
            evidence["locators"].append(str(ev_props.get(KGV.locator, "")))
        props: dict[str, PropertyValue] = {k: tuple(v) for k, v in evidence.items()}
        props["status"] = str(f[KGV.curationStatus][0]) if f[KGV.curationStatus] else "verified"
        props["statement"] = curie_of(st)
        for q in f[KGV.qualifier]:
            q_props = dict(by_subject.get(q, []))
            key = _snake(str(q_props.get(KGV.qualifierKey, "qualifier")).replace(" ", "_"))
            props[f"qualifier_{key}"] = str(q_props.get(KGV.qualifierValue, ""))
        if f[KGV.note]:
            props["note"] = str(f[KGV.note][0])
        label = labels.get(p) or _local(p)
        edges.append(
            Edge(
                curie_of(st),
                curie_of(s),
                curie_of(o),
                edge_type(label),
                curie_of(p),
                label,
                negated,
                props,
            )
        )
    return keys, edges
