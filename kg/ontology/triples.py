"""A term as RDF, the same way for modules and the full merge (OBO-to-OWL conventions).

- label: rdfs:label; definition: obo:IAO_0000115
- synonyms: oboInOwl:has{Exact,Related,Broad,Narrow}Synonym (string literals)
- xrefs: oboInOwl:hasDbXref (string literals, as the source spells them)
- is_a: rdfs:subClassOf (classes) / rdfs:subPropertyOf (object properties)
- other relationships (part_of, regulates, ...): a *direct triple*
  ``term relation target`` (e.g. ``GO:0038110 BFO:0000050 GO:0071352``), not an
  ``owl:Restriction`` on a blank node, so every module is blank-node free and
  byte-stable, and SPARQL reads it as plainly as an edge. (OWL reasoners would
  want the existential restriction; nothing here reasons.)
- obsolete: owl:deprecated true; replaced_by: obo:IAO_0100001 (IRI);
  consider: oboInOwl:consider (CURIE string literal)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from kg.ontology.terms import Term, iri_of, is_term_id

__all__ = ["Lit", "Obj", "P", "Triple", "term_triples"]


@dataclass(frozen=True, order=True)
class Lit:
    """A literal: lexical value and datatype IRI (None = xsd:string)."""

    value: str
    datatype: str | None = None


Obj = str | Lit
Triple = tuple[str, str, Obj]

_OWL = "http://www.w3.org/2002/07/owl#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OIO = "http://www.geneontology.org/formats/oboInOwl#"
_OBO = "http://purl.obolibrary.org/obo/"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


class P:
    """The predicate and class IRIs used in modules."""

    TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    CLASS = f"{_OWL}Class"
    OBJECT_PROPERTY = f"{_OWL}ObjectProperty"
    ONTOLOGY = f"{_OWL}Ontology"
    DEPRECATED = f"{_OWL}deprecated"
    VERSION_INFO = f"{_OWL}versionInfo"
    LABEL = f"{_RDFS}label"
    COMMENT = f"{_RDFS}comment"
    SUBCLASS = f"{_RDFS}subClassOf"
    SUBPROPERTY = f"{_RDFS}subPropertyOf"
    DEFINITION = f"{_OBO}IAO_0000115"
    REPLACED_BY = f"{_OBO}IAO_0100001"
    CONSIDER = f"{_OIO}consider"
    XREF = f"{_OIO}hasDbXref"
    SYNONYM: ClassVar[dict[str, str]] = {
        "EXACT": f"{_OIO}hasExactSynonym",
        "RELATED": f"{_OIO}hasRelatedSynonym",
        "BROAD": f"{_OIO}hasBroadSynonym",
        "NARROW": f"{_OIO}hasNarrowSynonym",
    }


TRUE = Lit("true", XSD_BOOLEAN)


def term_triples(
    term: Term, relationships: Iterable[tuple[str, str]] | None = None
) -> list[Triple]:
    """The triples of one term; relationships default to all the term states."""
    s = iri_of(term.id)
    is_class = term.kind == "class"
    out: list[Triple] = [(s, P.TYPE, P.CLASS if is_class else P.OBJECT_PROPERTY)]
    if term.label is not None:
        out.append((s, P.LABEL, Lit(term.label)))
    if term.definition:
        out.append((s, P.DEFINITION, Lit(term.definition)))
    out += [(s, P.SYNONYM[syn.scope], Lit(syn.text)) for syn in term.synonyms]
    out += [(s, P.XREF, Lit(x)) for x in term.xrefs]
    sub = P.SUBCLASS if is_class else P.SUBPROPERTY
    out += [(s, sub, iri_of(parent)) for parent in term.parents]
    rels = term.relationships if relationships is None else relationships
    out += [(s, iri_of(rel), iri_of(target)) for rel, target in rels]
    if term.obsolete:
        out.append((s, P.DEPRECATED, TRUE))
    out += [(s, P.REPLACED_BY, iri_of(r)) for r in term.replaced_by if is_term_id(r)]
    out += [(s, P.CONSIDER, Lit(c)) for c in term.consider]
    return out
