"""SSSOM mappings -> RDF triples with their provenance.

Each kept mapping becomes
- a direct triple: ``subject skos:exactMatch|closeMatch|broadMatch|narrowMatch|relatedMatch
  object`` when the object's prefix is one of ours (kg/namespaces.py; MONDO's ``mesh:``
  becomes ``MESH:`` and so on), else ``subject oboInOwl:hasDbXref "CURIE"``; a
  ``oboInOwl:hasDbXref`` mapping is always a string literal, as in the ontology modules;
- an ``owl:Axiom`` node with a stable IRI (``il2kg:mapping/<sha1 of s, p, o, set>``)
  carrying ``owl:annotatedSource/Property/Target`` and the SSSOM fields
  (``sssom:predicate_id`` as written, ``sssom:mapping_justification``,
  ``sssom:mapping_set_id``, labels, author, date, confidence when present);
- one ``sssom:MappingSet`` node per set with its version and licence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from kg.errors import KGError
from kg.namespaces import BASE
from kg.ontology.readers.sssom import MappingSet, normalise_curie
from kg.ontology.terms import iri_of
from kg.ontology.triples import Lit, Triple

__all__ = [
    "MATCH_PREDICATES",
    "SSSOM",
    "XREF",
    "axiom_iri",
    "axiom_triples",
    "direct_triple",
    "mapping_triples",
]

SSSOM = "https://w3id.org/sssom/"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
XREF = "http://www.geneontology.org/formats/oboInOwl#hasDbXref"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MATCH_PREDICATES = {f"{_SKOS}{m}Match" for m in ("exact", "close", "broad", "narrow", "related")}


def direct_triple(subject: str, predicate_iri: str, object_id: str) -> Triple:
    """The plain triple a mapping asserts (see the module docstring for the rules)."""
    ours = normalise_curie(object_id)
    if predicate_iri == XREF or ours is None:
        return (subject, XREF, Lit(ours or object_id))
    return (subject, predicate_iri, iri_of(ours))


def axiom_iri(triple: Triple, set_id: str) -> str:
    s, p, o = triple
    key = "\n".join([s, p, o.value if isinstance(o, Lit) else o, set_id])
    return f"{BASE}mapping/{hashlib.sha1(key.encode('utf-8')).hexdigest()}"


def mapping_triples(sets: Iterable[MappingSet]) -> list[Triple]:
    """Direct triples, axiom nodes and set nodes for every kept mapping of every set."""
    out: list[Triple] = []
    for ms in sets:
        if not ms.mappings:
            continue
        out += _set_triples(ms)
        for m in ms.mappings:
            ours = normalise_curie(m.subject_id)
            subject = iri_of(ours) if ours else ms.expand(m.subject_id)
            if subject is None:
                raise KGError.at(
                    ms.source,
                    m.line,
                    "subject_id",
                    f"cannot expand {m.subject_id!r} with the set's curie_map",
                )
            predicate = ms.expand(m.predicate_id) or XREF
            out += axiom_triples(
                direct_triple(subject, predicate, m.object_id),
                ms.set_id,
                predicate_id=m.predicate_id,
                object_id=m.object_id,
                justification=ms.expand(m.mapping_justification) or m.mapping_justification,
                extra=m.extra,
            )
    return out


def axiom_triples(
    triple: Triple,
    set_id: str,
    *,
    predicate_id: str,
    object_id: str,
    justification: str,
    extra: Iterable[tuple[str, str]] = (),
) -> list[Triple]:
    """The direct triple plus its owl:Axiom node with SSSOM fields."""
    s, p, o = triple
    node = axiom_iri(triple, set_id)
    out: list[Triple] = [
        triple,
        (node, TYPE, f"{_OWL}Axiom"),
        (node, f"{_OWL}annotatedSource", s),
        (node, f"{_OWL}annotatedProperty", p),
        (node, f"{_OWL}annotatedTarget", o),
        (node, f"{SSSOM}predicate_id", Lit(predicate_id)),
        (node, f"{SSSOM}object_id", Lit(object_id)),
        (node, f"{SSSOM}mapping_set_id", _iri_or_lit(set_id)),
        (node, f"{SSSOM}mapping_justification", _iri_or_lit(justification)),
    ]
    out += [(node, f"{SSSOM}{k}", Lit(v)) for k, v in extra]
    return out


def _set_triples(ms: MappingSet) -> list[Triple]:
    node = ms.set_id
    out: list[Triple] = [(node, TYPE, f"{SSSOM}MappingSet")]
    for key in (
        "mapping_set_version",
        "license",
        "subject_source",
        "object_source",
        "object_source_version",
        "mapping_date",
    ):
        value = ms.metadata.get(key)
        if value:
            out.append((node, f"{SSSOM}{key}", _iri_or_lit(ms.expand(str(value)) or str(value))))
    return out


def _iri_or_lit(value: str) -> str | Lit:
    return value if value.startswith(("http://", "https://")) else Lit(value)
