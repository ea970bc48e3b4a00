"""RDF/OWL ontologies (Turtle, RDF/XML, N-Triples; plain or gzip) -> :class:`OntologyDoc`.

Parsed with pyoxigraph (fast, streaming). Named classes and object properties are
terms; ``rdfs:subClassOf``/``rdfs:subPropertyOf`` to a named node is a parent; a
``subClassOf`` an ``owl:Restriction`` with ``owl:onProperty`` P and
``owl:someValuesFrom`` a named class C is the relationship (P, C); other class
expressions are left out.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError
from kg.ontology.readers.source_bytes import SourceBytes
from kg.ontology.terms import Header, OntologyDoc, Synonym, Term, curie_from_iri

__all__ = ["read_owl"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_OIO = "http://www.geneontology.org/formats/oboInOwl#"
_OBO = "http://purl.obolibrary.org/obo/"

_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}
_KINDS = {f"{_OWL}Class": "class", f"{_OWL}ObjectProperty": "property"}
_SCOPES = {
    f"{_OIO}hasExactSynonym": "EXACT",
    f"{_OIO}hasRelatedSynonym": "RELATED",
    f"{_OIO}hasBroadSynonym": "BROAD",
    f"{_OIO}hasNarrowSynonym": "NARROW",
}
_LICENCE = {"http://purl.org/dc/terms/license", "http://purl.org/dc/elements/1.1/license"}


def read_owl(src: SourceBytes, fmt: str) -> OntologyDoc:
    """Parse an RDF file; a syntax error is a KGError with its line."""
    by_subject: dict[Any, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    try:
        for quad in ox.parse(src.data, _FORMATS[fmt], base_iri="http://example.invalid/"):
            by_subject[quad.subject][quad.predicate.value].append(quad.object)
    except SyntaxError as exc:
        raise KGError.at(src.name, exc.lineno, "", f"RDF syntax error: {exc.msg}") from None
    except (ValueError, OSError) as exc:
        raise KGError.at(src.name, None, "", f"cannot read as {fmt}: {exc}") from None
    return OntologyDoc(
        source=src.name, format=fmt, header=_header(by_subject), terms=_terms(by_subject)
    )


def _header(by_subject: dict[Any, dict[str, list[Any]]]) -> Header:
    for subject, props in by_subject.items():
        if any(t.value == f"{_OWL}Ontology" for t in props.get(f"{_RDF}type", ())):
            licence = next((o.value for p in _LICENCE for o in props.get(p, ())), None)
            return Header(
                ontology=subject.value if isinstance(subject, ox.NamedNode) else None,
                version_iri=_first(props, f"{_OWL}versionIRI"),
                data_version=_first(props, f"{_OWL}versionInfo"),
                licence=licence,
                remarks=tuple(sorted(o.value for o in props.get(f"{_RDFS}comment", ()))),
            )
    return Header()


def _terms(by_subject: dict[Any, dict[str, list[Any]]]) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    for subject, props in sorted(by_subject.items(), key=lambda kv: str(kv[0])):
        if not isinstance(subject, ox.NamedNode):
            continue
        kinds = [_KINDS[t.value] for t in props.get(f"{_RDF}type", ()) if t.value in _KINDS]
        if not kinds:
            continue
        parents: list[str] = []
        relationships: list[tuple[str, str]] = []
        for sup in [*props.get(f"{_RDFS}subClassOf", ()), *props.get(f"{_RDFS}subPropertyOf", ())]:
            if isinstance(sup, ox.NamedNode):
                parents.append(curie_from_iri(sup.value))
            elif isinstance(sup, ox.BlankNode):
                rel = _restriction(by_subject.get(sup, {}))
                if rel:
                    relationships.append(rel)
        term_id = curie_from_iri(subject.value)
        terms[term_id] = Term(
            id=term_id,
            kind=kinds[0],  # type: ignore[arg-type]
            label=_first(props, f"{_RDFS}label"),
            definition=_first(props, f"{_OBO}IAO_0000115"),
            synonyms=tuple(
                Synonym(o.value, scope)  # type: ignore[arg-type]
                for p, scope in _SCOPES.items()
                for o in sorted(props.get(p, ()), key=str)
            ),
            xrefs=tuple(sorted(o.value for o in props.get(f"{_OIO}hasDbXref", ()))),
            parents=tuple(sorted(set(parents))),
            relationships=tuple(sorted(set(relationships))),
            obsolete=any(o.value == "true" for o in props.get(f"{_OWL}deprecated", ())),
            replaced_by=_ids(props, f"{_OBO}IAO_0100001"),
            consider=_ids(props, f"{_OIO}consider"),
        )
    return terms


def _restriction(props: dict[str, list[Any]]) -> tuple[str, str] | None:
    on = props.get(f"{_OWL}onProperty", ())
    some = props.get(f"{_OWL}someValuesFrom", ())
    if len(on) == 1 and len(some) == 1 and all(isinstance(n, ox.NamedNode) for n in on + some):
        return curie_from_iri(on[0].value), curie_from_iri(some[0].value)
    return None


def _first(props: dict[str, list[Any]], predicate: str) -> str | None:
    values = sorted(o.value for o in props.get(predicate, ()))
    return values[0] if values else None


def _ids(props: dict[str, list[Any]], predicate: str) -> tuple[str, ...]:
    return tuple(sorted(curie_from_iri(o.value) for o in props.get(predicate, ())))
