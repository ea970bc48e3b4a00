"""Isolated records: curated records that become property-graph nodes but that no edge reaches.

Every curated record kind that the projection (kg/property_graph/projection.py) makes a node is
checked: entities (organisations are entities of category Agent), publications, outcome
measures and trials. `kg validate` warns about each isolated one (check `isolated-entity`) at
the `id` line of its record, in its own file.

The rule restates the projection's edges on the RDF dataset, so validation needs no projection:
a triple of any named graph links its subject and object when

- the predicate relates rather than describes (not in :data:`DESCRIPTIVE`: type, category,
  label, synonyms, description, xrefs, note, status, qualifier), and
- both ends are distinct *node IRIs*: IRIs that carry an `rdf:type` or a `biolink:category`
  outside the project vocabulary (kgv:). An IRI value that is no node (a registry record's
  address, a DOI link) becomes a property in the property graph, never an edge, so it
  connects nothing.

A statement is a node here and an edge in the property graph: an entity linked to a statement
(even a negated one) is connected, as the statement's edge connects it there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Dataset, URIRef
from rdflib.term import Node

from kg.curation.load import LoadedCuration
from kg.curation.schema import Curation
from kg.namespaces import BIOLINK, DCTERMS, KGV, OBOINOWL, OWL, RDF, RDFS, expand
from kg.rdf.findings import Issue
from kg.rdf.model import outcome_iri, trial_iri

__all__ = [
    "DESCRIPTIVE",
    "CuratedNode",
    "curated_nodes",
    "isolated_entities",
    "isolated_entity_issues",
    "node_iris",
]

#: predicates that describe a node rather than relate it to another node
DESCRIPTIVE = frozenset({
    RDF.type, BIOLINK.category, RDFS.label, RDFS.comment, DCTERMS.description, DCTERMS.title,
    OBOINOWL.hasExactSynonym, OBOINOWL.hasRelatedSynonym, OBOINOWL.hasBroadSynonym,
    OBOINOWL.hasNarrowSynonym, OBOINOWL.hasDbXref, OWL.deprecated, KGV.note, KGV.curationStatus,
    KGV.curationId, KGV.qualifier,
})  # fmt: skip

#: record kind -> what the warning suggests to connect it
_REMEDY = {
    "entity": "use it in a statement or a trial, or remove it",
    "publication": "cite it as the source of a statement's evidence or a trial result, or "
    "remove it",
    "outcome measure": "name it in a trial endpoint or result, or remove it",
    "trial": "give it arms, endpoints or a publication, or remove it",
}


@dataclass(frozen=True)
class CuratedNode:
    """A curated record that becomes a property-graph node.

    record: its id as written in data/ (the key of `LoadedCuration.sources`);
    kind: 'entity', 'publication', 'outcome measure' or 'trial'.
    """

    record: str
    kind: str


def curated_nodes(curation: Curation) -> dict[URIRef, CuratedNode]:
    """IRI -> record of every curated entity, publication, outcome measure and trial."""
    out: dict[URIRef, CuratedNode] = {}
    for e in curation.entities:
        out[expand(e.id)] = CuratedNode(e.id, "entity")
    for p in curation.publications:
        out[expand(p.id)] = CuratedNode(p.id, "publication")
    for m in curation.outcome_measures:
        out[outcome_iri(m.id)] = CuratedNode(m.id, "outcome measure")
    for t in curation.trials:
        out[trial_iri(t.id, t.registry.nct)] = CuratedNode(t.id, "trial")
    return out


def node_iris(dataset: Dataset) -> set[URIRef]:
    """The IRIs the property graph can make nodes of: typed or categorised, outside kgv:."""
    vocabulary = str(KGV)
    return {
        s
        for p in (RDF.type, BIOLINK.category)
        for s, _p, _o, _g in dataset.quads((None, p, None, None))
        if isinstance(s, URIRef) and not str(s).startswith(vocabulary)
    }


def isolated_entities(dataset: Dataset, entity_iris: Iterable[URIRef]) -> list[URIRef]:
    """The IRIs among entity_iris that no relation links to another node, sorted.

    entity_iris: the nodes to check (others are ignored); any curated record kind.
    Each one is looked up by its own triples (subject and object index), stopping at the
    first relation, so the cost grows with the records asked about, not with the whole
    dataset (the mappings and ontology modules are most of it).
    """
    is_node = _NodeTest(dataset)
    return sorted(iri for iri in set(entity_iris) if not _related(dataset, iri, is_node))


def _related(dataset: Dataset, iri: URIRef, is_node: _NodeTest) -> bool:
    """Whether a relation (a non-descriptive triple) links node iri to another node."""
    if not is_node(iri):
        return False
    for _s, p, o, _g in dataset.quads((iri, None, None, None)):
        if p not in DESCRIPTIVE and o != iri and is_node(o):
            return True
    for s, p, _o, _g in dataset.quads((None, None, iri, None)):
        if p not in DESCRIPTIVE and s != iri and is_node(s):
            return True
    return False


class _NodeTest:
    """Whether a term is one of :func:`node_iris`, asked of one term at a time (memoised)."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.known: dict[Node, bool] = {}

    def __call__(self, term: Node) -> bool:
        if term not in self.known:
            self.known[term] = (
                isinstance(term, URIRef)
                and not str(term).startswith(str(KGV))
                and any(
                    next(self.dataset.quads((term, p, None, None)), None) is not None
                    for p in (RDF.type, BIOLINK.category)
                )
            )
        return self.known[term]


def isolated_entity_issues(loaded: LoadedCuration, dataset: Dataset) -> list[Issue]:
    """One issue per isolated curated record, at the `id` of its record in its own file.

    `kg validate` reports them as warnings (check `isolated-entity`).
    """
    records = curated_nodes(loaded.curation)
    issues = []
    for iri in isolated_entities(dataset, records):
        node = records[iri]
        issues.append(Issue(
            node.record, ("id",), "isolated-entity",
            f"{node.kind} {node.record} is not connected to any other node: {_REMEDY[node.kind]}",
            focus=node.record,
        ))  # fmt: skip
    return issues
