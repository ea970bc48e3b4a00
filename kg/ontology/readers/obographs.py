"""OBO Graphs JSON (plain or gzip) -> :class:`OntologyDoc`.

Every graph in the document is read (DOID 2018 ships its imports as extra
graphs); the first graph that states a term wins. ``is_a`` edges are parents,
other edges are relationships with the edge predicate as relation.
"""

from __future__ import annotations

import json
from typing import Any

from kg.errors import KGError
from kg.ontology.readers.source_bytes import SourceBytes
from kg.ontology.terms import Header, LazyTerms, OntologyDoc, Synonym, Term, curie_from_iri

__all__ = ["read_obographs"]

_SCOPES = {
    "hasExactSynonym": "EXACT",
    "hasRelatedSynonym": "RELATED",
    "hasBroadSynonym": "BROAD",
    "hasNarrowSynonym": "NARROW",
}
_REPLACED_BY = "http://purl.obolibrary.org/obo/IAO_0100001"
_CONSIDER = "http://www.geneontology.org/formats/oboInOwl#consider"
_LICENCE_PREDICATES = {
    "http://purl.org/dc/terms/license",
    "http://purl.org/dc/elements/1.1/license",
    "http://purl.org/dc/elements/1.1/rights",
}


def read_obographs(src: SourceBytes) -> OntologyDoc:
    """Parse an OBO Graphs JSON document; bad JSON is a KGError with its line."""
    try:
        doc = json.loads(src.data)
    except UnicodeDecodeError as exc:
        raise KGError.at(src.name, None, "", f"not UTF-8 text: {exc}") from None
    except json.JSONDecodeError as exc:
        raise KGError.at(src.name, exc.lineno, "", f"invalid JSON: {exc.msg}") from None
    graphs = doc.get("graphs") if isinstance(doc, dict) else None
    if not isinstance(graphs, list) or not graphs:
        raise KGError.at(src.name, None, "", "not an OBO Graphs document (no 'graphs' list)")
    try:
        return _convert(src.name, graphs)
    except (KeyError, TypeError, AttributeError) as exc:
        raise KGError.at(
            src.name, None, "", f"unexpected OBO Graphs structure ({type(exc).__name__}: {exc})"
        ) from None


def _convert(name: str, graphs: list[dict[str, Any]]) -> OntologyDoc:
    header = _header(graphs[0])
    parents: dict[str, list[str]] = {}
    relationships: dict[str, list[tuple[str, str]]] = {}
    for graph in graphs:
        for edge in graph.get("edges") or ():
            sub, pred, obj = (curie_from_iri(edge[k]) for k in ("sub", "pred", "obj"))
            if pred in {"is_a", "subPropertyOf"}:
                parents.setdefault(sub, []).append(obj)
            elif "://" not in obj:
                relationships.setdefault(sub, []).append((pred, obj))
    nodes: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for graph in graphs:
        for node in graph.get("nodes") or ():
            kind = {"CLASS": "class", "PROPERTY": "property"}.get(node.get("type", ""))
            if kind is not None:
                term_id = curie_from_iri(node["id"])
                nodes.setdefault(term_id, (term_id, kind, node))
    terms = LazyTerms(nodes, lambda n: _term(n[0], n[1], n[2], parents, relationships))
    return OntologyDoc(source=name, format="obographs", header=header, terms=terms)


def _header(graph: dict[str, Any]) -> Header:
    meta = graph.get("meta") or {}
    licence = None
    remarks: list[str] = []
    for pv in meta.get("basicPropertyValues") or ():
        if pv.get("pred") in _LICENCE_PREDICATES and licence is None:
            licence = str(pv.get("val"))
        elif pv.get("pred") == "http://www.w3.org/2000/01/rdf-schema#comment":
            remarks.append(str(pv.get("val")))
    return Header(
        ontology=graph.get("id"),
        version_iri=meta.get("version"),
        licence=licence,
        remarks=tuple(remarks),
    )


def _term(
    term_id: str,
    kind: Any,
    node: dict[str, Any],
    parents: dict[str, list[str]],
    relationships: dict[str, list[tuple[str, str]]],
) -> Term:
    meta = node.get("meta") or {}
    definition = (meta.get("definition") or {}).get("val")
    synonyms = tuple(
        Synonym(str(s["val"]), _SCOPES.get(s.get("pred", ""), "RELATED"))  # type: ignore[arg-type]
        for s in meta.get("synonyms") or ()
    )
    values = meta.get("basicPropertyValues") or ()
    return Term(
        id=term_id,
        kind=kind,
        label=node.get("lbl"),
        definition=definition,
        synonyms=synonyms,
        xrefs=tuple(str(x["val"]) for x in meta.get("xrefs") or ()),
        parents=tuple(dict.fromkeys(parents.get(term_id, ()))),
        relationships=tuple(dict.fromkeys(relationships.get(term_id, ()))),
        obsolete=bool(meta.get("deprecated", False)),
        replaced_by=tuple(
            curie_from_iri(str(v["val"])) for v in values if v["pred"] == _REPLACED_BY
        ),
        consider=tuple(curie_from_iri(str(v["val"])) for v in values if v["pred"] == _CONSIDER),
    )
