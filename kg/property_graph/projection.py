"""RDF Dataset -> PropertyGraph: the single projection behind GraphML, HTML, Neo4j and KGX.

Rules (documented in docs/property-graph.md):
- A node per curated entity, ontology class, trial, arm, dose, endpoint, result, adverse-event
  count, outcome measure, publication, evidence item and unit a dose uses. Its `id` is the
  property-graph id (a KGX CURIE), `category` its Biolink category (or project class),
  `labels` every such class (plus `OntologyClass` for OWL classes); literal triples become
  properties.
- A curated statement becomes one edge, negated or not, carrying its evidence (sources, ECO
  codes, quotes, locators as parallel lists), qualifiers and status. Its direct triple is not
  projected twice.
- rdfs:subClassOf between nodes becomes SUBCLASS_OF; every other IRI-valued triple between two
  nodes becomes an edge typed by the predicate's label in UPPER_SNAKE_CASE (a predicate with
  no label: its local name, camelCase split into words). IRI values that are not nodes
  (mappings, registry records) stay as properties.
- An evidence item is a node (quote, locator) with edges to its publication (SOURCE) and its
  ECO class (EVIDENCE_CODE); the result that owns it links to it (EVIDENCE), and a statement
  edge lists its evidence items' ids in `evidence`.
- Node and edge ids are :func:`kg.namespaces.property_graph_id` of the IRI: CURIEs that KGX
  accepts (no `/`, `:` or space in the local part).
- A statement's qualifiers become edge properties `qualifier_<key>`, the key in snake_case;
  two different keys that would give one name (`assay:method`, `assay_method`) keep apart:
  the one already in snake_case keeps the plain name, the others get a suffix from a hash of
  the key as written, so no value is lost and no two columns share a name.
- Every property key has one value type across all nodes (and one across all edges): a key
  that holds several values anywhere is a tuple of strings everywhere, so typed exports
  (Neo4j CSV headers, GraphML keys) need no per-row guessing.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node as RdfNode

from kg.namespaces import (
    BIOLINK,
    DCTERMS,
    KGV,
    OBO,
    OBOINOWL,
    OWL,
    RDF,
    RDFS,
    SKOS,
    property_graph_id,
)
from kg.property_graph.graph import Edge, Node, PropertyGraph, PropertyValue

__all__ = ["edge_type", "project"]

DEFINITION = OBO["IAO_0000115"]
SYNONYMS = (
    OBOINOWL.hasExactSynonym,
    OBOINOWL.hasRelatedSynonym,
    OBOINOWL.hasBroadSynonym,
    OBOINOWL.hasNarrowSynonym,
)
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)

#: kgv classes that become nodes, with their property-graph label, in category priority order
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
    KGV.EvidenceItem: "EvidenceItem",
}
#: classes folded into edges or node properties, never nodes themselves
FOLDED = (KGV.Statement, KGV.Qualifier)
#: category of an ontology class that the curation does not categorise, by prefix
PREFIX_CATEGORY = {
    "MONDO": "Disease", "DOID": "Disease", "NCIT": "Disease", "HP": "PhenotypicFeature",
    "CL": "Cell", "GO": "BiologicalProcess", "UBERON": "AnatomicalEntity",
    "CHEBI": "ChemicalEntity", "PR": "Protein", "ECO": "EvidenceType", "OBI": "NamedThing",
}  # fmt: skip
SKIP_PREDICATES = {RDF.type, BIOLINK.category, KGV.qualifier}
#: keys that are lists whatever their count, because the RDF property may repeat
LIST_KEYS = {"synonyms", "xrefs", "registry_id", "creator", "references", "sources", "eco_codes",
             "quotes", "locators", "identifier", "see_also", "registry_record",
             "evidence"}  # fmt: skip
#: evidence keys: parallel lists, one entry per evidence item, in evidence order
EVIDENCE_KEYS = ("sources", "eco_codes", "quotes", "locators")
#: free-text keys where a merged node may carry two values: joined, never turned into lists
TEXT_KEYS = {"title", "note", "definition", "description"}
#: node fields that a property may not shadow
RESERVED = {"id", "iri", "name", "category", "labels"}

T = TypeVar("T", Node, Edge)

# Predicates used in the hot loops, looked up once (rdflib namespace attributes are slow).
_TYPE, _LABEL, _CATEGORY = RDF.type, RDFS.label, BIOLINK.category
_EVIDENCE, _SOURCE, _SUBCLASS = KGV.evidence, DCTERMS.source, RDFS.subClassOf
_FIRST_PASS = {_TYPE: "type", _LABEL: "label", _CATEGORY: "category"}
_STATEMENT, _QUALIFIER_CLASS = KGV.Statement, KGV.Qualifier
_STATUS, _NOTE = KGV.curationStatus, KGV.note
_SUBJECT, _PREDICATE, _OBJECT, _NEGATED = RDF.subject, RDF.predicate, RDF.object, KGV.negated
_QUALIFIER, _QUALIFIER_KEY, _QUALIFIER_VALUE = KGV.qualifier, KGV.qualifierKey, KGV.qualifierValue
_EVIDENCE_CODE, _QUOTE, _LOCATOR = KGV.evidenceCode, KGV.quote, KGV.locator
_curie = property_graph_id


def edge_type(label: str) -> str:
    """Neo4j's relationship-type style of a predicate label: UPPER_SNAKE_CASE.

    'positively regulates' -> POSITIVELY_REGULATES; 'exactMatch' -> EXACT_MATCH (a label
    that is a camelCase local name is split into its words first).
    """
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", label)
    return re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").upper() or "RELATED_TO"


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _local(iri: RdfNode) -> str:
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
    by_subject: dict[RdfNode, set[tuple[RdfNode, RdfNode]]] = defaultdict(set)
    # the store's union of every graph, each triple once (ds.quads() would look up each
    # triple's graphs, which the projection does not need)
    for (s, p, o), _graphs in ds.store.triples((None, None, None), None):
        by_subject[s].add((p, o))
    types: dict[RdfNode, set[RdfNode]] = defaultdict(set)
    labels: dict[RdfNode, str] = {}
    categories: dict[RdfNode, str] = {}
    for s, pairs in by_subject.items():
        for p, o in pairs:
            kind = _FIRST_PASS.get(p)
            if kind is None:
                continue
            if kind == "type":
                types[s].add(o)
            elif kind == "label" and isinstance(o, Literal):
                text = str(o)
                if s not in labels or text < labels[s]:
                    labels[s] = text
            elif kind == "category" and isinstance(s, URIRef):
                local = _local(o)
                if s not in categories or local < categories[s]:
                    categories[s] = local

    node_kind = _node_kinds(types, labels, categories)
    statement_keys, statement_edges = _statement_edges(by_subject, types, labels, node_kind)
    nodes: list[Node] = []
    edges: list[Edge] = list(statement_edges)
    for iri, (category, node_labels) in node_kind.items():
        props: dict[str, list[PropertyValue]] = defaultdict(list)
        evidence: list[URIRef] = []
        for p, o in by_subject.get(iri, ()):
            if p == _EVIDENCE and isinstance(o, URIRef):
                evidence.append(o)  # lists on the owner, and an EVIDENCE edge below
            elif p in SKIP_PREDICATES:
                continue
            if isinstance(o, Literal):
                props[_property_key(p)].append(_python(o))
            elif isinstance(o, URIRef):
                if o in node_kind and o != iri:
                    if (iri, p, o) not in statement_keys:
                        edges.append(_edge(iri, p, o, labels))
                elif p in MAPPINGS:
                    props["xrefs"].append(_curie(o))
                elif p != _SOURCE:  # a result's source is a Publication node (an edge)
                    props[_property_key(p)].append(_curie(o))
        if evidence:
            for key, values in _evidence_lists(by_subject, _in_order(evidence)).items():
                props[key] = list(values)
        nodes.append(_node(iri, category, node_labels, labels, props))
    # the vocabulary declares more units than doses use: a unit is a node only when used
    ends = {e.source for e in edges} | {e.target for e in edges}
    nodes = [n for n in nodes if n.category != "Unit" or n.id in ends]
    nodes.sort(key=lambda n: n.id)
    edges.sort(key=lambda e: (e.source, e.type, e.target, e.id))
    return PropertyGraph(_consistent(nodes), _consistent(edges))


def _node_kinds(
    types: dict[RdfNode, set[RdfNode]],
    labels: dict[RdfNode, str],
    categories: dict[RdfNode, str],
) -> dict[URIRef, tuple[str, tuple[str, ...]]]:
    """IRI -> (category, labels) of every resource that becomes a node."""
    priority = list(TYPED_NODES.values())
    node_kind: dict[URIRef, tuple[str, tuple[str, ...]]] = {}
    for s, ts in types.items():
        if not isinstance(s, URIRef) or str(s).startswith(str(KGV)) or _is_folded(ts):
            continue
        typed = sorted({TYPED_NODES[t] for t in ts if t in TYPED_NODES}, key=priority.index)
        if typed:
            node_kind[s] = (typed[0], tuple(sorted(typed)))
        elif OWL.Class in ts and s in labels:
            prefix = _curie(s).split(":", 1)[0]
            category = categories.get(s) or PREFIX_CATEGORY.get(prefix, "OntologyClass")
            node_kind[s] = (category, tuple(sorted({category, "OntologyClass"})))
    for s, category in categories.items():
        if isinstance(s, URIRef) and s not in node_kind and not _is_folded(types.get(s, set())):
            node_kind[s] = (category, (category,))
    return node_kind


def _is_folded(ts: set[RdfNode]) -> bool:
    return any(t in FOLDED for t in ts)


@lru_cache(maxsize=4096)
def _property_key(p: RdfNode) -> str:
    if p == RDFS.label:
        return "name"
    if p == DEFINITION:
        return "definition"
    if p == DCTERMS.description:
        return "description"
    if p in SYNONYMS:
        return "synonyms"
    if p == OBOINOWL.hasDbXref:
        return "xrefs"
    key = _snake(_local(p))
    return f"{key}_" if key in RESERVED else key


def _node(
    iri: URIRef,
    category: str,
    node_labels: tuple[str, ...],
    labels: dict[RdfNode, str],
    props: dict[str, list[PropertyValue]],
) -> Node:
    # One definition: the ontology's (IAO:0000115) if there is one, else the curator's text;
    # the curator's text stays as `description` only when both exist.
    if "description" in props and "definition" not in props:
        props["definition"] = props.pop("description")
    out: dict[str, PropertyValue] = {}
    for key, values in sorted(props.items()):
        if key == "name":
            continue
        if key in EVIDENCE_KEYS:
            out[key] = tuple(str(v) for v in values)
        elif key in LIST_KEYS:
            out[key] = tuple(sorted({str(v) for v in values}))
        elif key in TEXT_KEYS:
            out[key] = "\n".join(sorted({str(v) for v in values}))
        elif len(set(values)) > 1:
            out[key] = tuple(sorted({str(v) for v in values}))
        else:
            out[key] = values[0]
    out.setdefault("synonyms", ())
    out.setdefault("xrefs", ())
    name = labels.get(iri) or _curie(iri)
    return Node(_curie(iri), str(iri), name, category, node_labels, dict(sorted(out.items())))


def _evidence_lists(
    by_subject: dict[RdfNode, set[tuple[RdfNode, RdfNode]]], evidence: Iterable[RdfNode]
) -> dict[str, tuple[str, ...]]:
    """Parallel lists (sources, eco_codes, quotes, locators), one entry per evidence item."""
    out: dict[str, list[str]] = defaultdict(list)
    for ev in evidence:
        ev_props = dict(sorted(by_subject.get(ev, set())))
        source = ev_props.get(_SOURCE)
        code = ev_props.get(_EVIDENCE_CODE)
        out["sources"].append(_curie(source) if source is not None else "")
        out["eco_codes"].append(_curie(code) if code is not None else "")
        out["quotes"].append(str(ev_props.get(_QUOTE, "")))
        out["locators"].append(str(ev_props.get(_LOCATOR, "")))
    return {k: tuple(v) for k, v in out.items()}


def _edge(s: URIRef, p: RdfNode, o: URIRef, labels: dict[RdfNode, str]) -> Edge:
    if p == RDFS.subClassOf:
        label, etype = "subclass of", "SUBCLASS_OF"
    else:
        label = labels.get(p) or _local(p)
        etype = edge_type(label)
    digest = hashlib.sha1(f"{s} {p} {o}".encode()).hexdigest()[:16]
    return Edge(f"e{digest}", _curie(s), _curie(o), etype, _curie(p), label)


def _statement_edges(
    by_subject: dict[RdfNode, set[tuple[RdfNode, RdfNode]]],
    types: dict[RdfNode, set[RdfNode]],
    labels: dict[RdfNode, str],
    node_kind: dict[URIRef, tuple[str, tuple[str, ...]]],
) -> tuple[set[tuple[RdfNode, RdfNode, RdfNode]], list[Edge]]:
    keys: set[tuple[RdfNode, RdfNode, RdfNode]] = set()
    edges: list[Edge] = []
    names = _qualifier_names(by_subject, types)
    for st, ts in types.items():
        if _STATEMENT not in ts or isinstance(st, BNode):
            continue
        f: dict[RdfNode, list[RdfNode]] = defaultdict(list)
        for p, o in sorted(by_subject[st]):
            f[p].append(o)
        s, p, o = f[_SUBJECT][0], f[_PREDICATE][0], f[_OBJECT][0]
        if s not in node_kind or o not in node_kind:
            continue
        keys.add((s, p, o))
        negated = bool(f[_NEGATED] and f[_NEGATED][0].toPython())
        props: dict[str, PropertyValue] = {}
        evidence = _in_order(f[_EVIDENCE])
        props.update(_evidence_lists(by_subject, evidence))
        props["evidence"] = tuple(_curie(ev) for ev in evidence)
        props["status"] = str(f[_STATUS][0]) if f[_STATUS] else "verified"
        props["statement"] = _curie(st)
        for q in f[_QUALIFIER]:
            q_props = dict(by_subject.get(q, set()))
            key = str(q_props.get(_QUALIFIER_KEY, ""))
            props[names[key]] = str(q_props.get(_QUALIFIER_VALUE, ""))
        if f[_NOTE]:
            props["note"] = "\n".join(sorted(str(n) for n in f[_NOTE]))
        label = labels.get(p) or _local(p)
        edges.append(
            Edge(
                _curie(st),
                _curie(s),
                _curie(o),
                edge_type(label),
                _curie(p),
                label,
                negated,
                dict(sorted(props.items())),
            )
        )
    return keys, edges


def _in_order(items: Iterable[RdfNode]) -> list[RdfNode]:
    """Evidence items in curation order: by their number (the local id's last part)."""

    def key(iri: RdfNode) -> tuple[str, int]:
        head, _, n = str(iri).rpartition(".")
        return (head, int(n)) if n.isdigit() else (str(iri), 0)

    return sorted(items, key=key)


def qualifier_name(key: str) -> str:
    """The plain property name of a qualifier key: `qualifier_` + the key in snake_case."""
    plain = re.sub(r"[^a-z0-9]+", "_", _snake(key)).strip("_")
    return f"qualifier_{plain or 'key'}"


def _qualifier_names(
    by_subject: dict[RdfNode, set[tuple[RdfNode, RdfNode]]],
    types: dict[RdfNode, set[RdfNode]],
) -> dict[str, str]:
    """Qualifier key as written -> its edge property name, distinct for distinct keys.

    A key whose plain name no other key shares gets the plain name; among keys that share
    one, the key already written as that name keeps it and every other gets
    `_<6 hex digits of the key's SHA-1>` appended, so no value is lost and no two
    properties (CSV columns) share a name.
    """
    raw = {
        str(o)
        for s, ts in types.items()
        if _QUALIFIER_CLASS in ts
        for p, o in by_subject.get(s, ())
        if p == _QUALIFIER_KEY
    }
    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(raw):
        groups[qualifier_name(key)].append(key)
    names: dict[str, str] = {}
    for name, keys in groups.items():
        for key in keys:
            plain = len(keys) == 1 or f"qualifier_{key}" == name
            digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]
            names[key] = name if plain else f"{name}_{digest}"
    return names


def _consistent(items: list[T]) -> tuple[T, ...]:
    """Give every property key one value type across items (in place); return them as a tuple.

    A key that is a tuple anywhere becomes a tuple everywhere; int mixed with float becomes
    float; any other mix (e.g. bool with str) becomes str.
    """
    kinds: dict[str, set[type]] = defaultdict(set)
    for item in items:
        for key, value in item.properties.items():
            kinds[key].add(type(value))
    target: dict[str, type] = {}
    for key, seen in kinds.items():
        if len(seen) == 1:
            continue
        if tuple in seen:
            target[key] = tuple
        elif seen <= {int, float}:
            target[key] = float
        else:
            target[key] = str
    if target:
        for item in items:
            for key, kind in target.items():
                if key in item.properties:
                    item.properties[key] = _convert(item.properties[key], kind)
    return tuple(items)


def _convert(value: PropertyValue, kind: type) -> PropertyValue:
    if isinstance(value, tuple) or (kind is float and isinstance(value, float)):
        return value
    if kind is tuple:
        return (_text(value),)
    if kind is float:
        return float(value)
    return _text(value)


def _text(value: PropertyValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
