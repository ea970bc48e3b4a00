"""Isolated entities: curated entities that no relation connects to any other node.

An entity is connected when some triple of the built dataset (any named graph) links its IRI
to another IRI through a relation, i.e. any predicate other than the descriptive ones below
(type, category, label, synonyms, description, xrefs, note, status). Statement nodes count:
an entity that is only the subject of a negated statement is still connected to that
statement, as it is in the property graph.
"""

from __future__ import annotations

from rdflib import Dataset, URIRef

from kg.curation.load import LoadedCuration
from kg.namespaces import BIOLINK, DCTERMS, KGV, OBOINOWL, OWL, RDF, RDFS, expand
from kg.rdf.findings import Issue

__all__ = ["DESCRIPTIVE", "isolated_entities", "isolated_entity_issues"]

#: predicates that describe a node rather than relate it to another node
DESCRIPTIVE = frozenset({
    RDF.type, BIOLINK.category, RDFS.label, RDFS.comment, DCTERMS.description, DCTERMS.title,
    OBOINOWL.hasExactSynonym, OBOINOWL.hasRelatedSynonym, OBOINOWL.hasBroadSynonym,
    OBOINOWL.hasNarrowSynonym, OBOINOWL.hasDbXref, OWL.deprecated, KGV.note, KGV.curationStatus,
    KGV.curationId,
})  # fmt: skip


def isolated_entities(dataset: Dataset, entity_iris: set[URIRef]) -> list[URIRef]:
    """The entity IRIs that no relation triple links to another IRI, sorted.

    entity_iris: the curated entities to check (others are ignored).
    """
    connected: set[URIRef] = set()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        if p in DESCRIPTIVE or not isinstance(o, URIRef) or s == o:
            continue
        if s in entity_iris:
            connected.add(s)  # type: ignore[arg-type]
        if o in entity_iris:
            connected.add(o)
    return sorted(entity_iris - connected)


def isolated_entity_issues(loaded: LoadedCuration, dataset: Dataset) -> list[Issue]:
    """One issue per isolated entity, at the `id` of its record in data/entities.yaml.

    `kg validate` reports them as warnings (check `isolated-entity`).
    """
    by_iri = {expand(e.id): e.id for e in loaded.curation.entities}
    return [
        Issue(
            by_iri[iri], ("id",), "isolated-entity",
            f"entity {by_iri[iri]} is not connected to any other node: use it in a statement or "
            "a trial, or remove it",
            focus=by_iri[iri],
        )
        for iri in isolated_entities(dataset, set(by_iri))
    ]  # fmt: skip
