"""Every class the graph uses has a label (check ``ClassLabel``).

A class is anything used as the object of ``rdf:type`` or ``rdfs:subClassOf``, in any named
graph. OWL class expressions (blank nodes) and the terms of the vocabularies the graph is
written in are exempt (:data:`EXEMPT_NAMESPACES`: Biolink categories, which type our own
il2kg: entities, W3C RDF/RDFS/OWL/XSD/SKOS/PROV, Dublin Core terms and SSSOM); every other
class needs an ``rdfs:label``, from ontologies/vocabulary.ttl or an extracted module.

This was a SHACL shape (``sh:or`` of "blank node", "exempt namespace", "has a label").
pyshacl evaluates every branch of an ``sh:or`` for every focus node and writes a full
failure report for each branch that fails, about a thousand discarded reports per
validation for today's ~500 classes; here it is one scan of the type and subclass triples
(0.09 s -> 0.01 s). The check id is unchanged; :mod:`kg.rdf.validate` locates the findings
where the class is declared or used.
"""

from __future__ import annotations

from rdflib import BNode, Dataset
from rdflib.term import Node

from kg.namespaces import BIOLINK, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = ["CLASS_LABEL", "EXEMPT_NAMESPACES", "MESSAGE", "unlabelled_classes"]

#: the check id and its message (what a curator should do)
CLASS_LABEL = "ClassLabel"
MESSAGE = (
    "class has no rdfs:label: declare it in ontologies/vocabulary.ttl or extract it into an "
    "ontology module"
)
#: namespaces whose classes need no label of ours
EXEMPT_NAMESPACES: tuple[str, ...] = (
    str(BIOLINK),
    "https://w3id.org/sssom/",
    str(RDF),
    str(RDFS),
    str(OWL),
    str(XSD),
    str(SKOS),
    str(PROV),
    str(DCTERMS),
)


def unlabelled_classes(dataset: Dataset) -> list[Node]:
    """The classes of dataset (objects of rdf:type or rdfs:subClassOf, in any named graph)
    that have no rdfs:label in any graph, outside the exempt namespaces; sorted.

    A literal used as a class is never exempt and never labelled, so it is reported too.
    """
    used = {
        o
        for p in (RDF.type, RDFS.subClassOf)
        for _s, _p, o, _g in dataset.quads((None, p, None, None))
        if not isinstance(o, BNode) and not str(o).startswith(EXEMPT_NAMESPACES)
    }
    unlabelled = (c for c in used if next(dataset.quads((c, RDFS.label, None, None)), None) is None)
    return sorted(unlabelled, key=lambda c: (type(c).__name__, str(c)))
