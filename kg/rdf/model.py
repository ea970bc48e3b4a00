"""IRIs the graph mints, and the fixed vocabulary choices shared by builder and tests."""

from __future__ import annotations

from rdflib import URIRef

from kg.namespaces import BASE, GRAPH, expand

__all__ = [
    "CURATION_GRAPH",
    "MAPPINGS_GRAPH",
    "PHASE_CLASSES",
    "PROVENANCE_GRAPH",
    "UNIT_IRIS",
    "module_graph",
    "outcome_iri",
    "statement_iri",
    "trial_iri",
]

CURATION_GRAPH = GRAPH["curation"]
PROVENANCE_GRAPH = GRAPH["provenance"]
MAPPINGS_GRAPH = GRAPH["mappings"]

#: curated unit -> unit IRI declared in ontologies/vocabulary.ttl
UNIT_IRIS: dict[str, URIRef] = {
    "MIU": BASE["unit/MIU"],
    "IU": BASE["unit/IU"],
    "IU/kg": BASE["unit/IU-per-kg"],
    "MIU/m2": BASE["unit/MIU-per-m2"],
    "mg": BASE["unit/mg"],
    "µg": BASE["unit/ug"],
    "g": BASE["unit/g"],
    "mg/kg": BASE["unit/mg-per-kg"],
    "mg/day": BASE["unit/mg-per-day"],
}

#: trial phase -> NCIt trial-phase class. Codes and labels checked against the NCIt code list
#: C66737 (Trial Phase), as published by CDISC: C15600 Phase I Trial, C15693 Phase I/II
#: Trial, C15601 Phase II Trial, C49688 Phase IIb Trial (C15694 is Phase II/III Trial, not
#: I/II). Phases without an exact class ("1b", "1/2a") are left unmapped.
PHASE_CLASSES: dict[str, URIRef] = {
    "1": expand("NCIT:C15600"),
    "1/2": expand("NCIT:C15693"),
    "2": expand("NCIT:C15601"),
    "2b": expand("NCIT:C49688"),
}


def module_graph(name: str) -> URIRef:
    """The named graph of one ontology module ('vocabulary' and 'mappings' included)."""
    if name == "mappings":
        return MAPPINGS_GRAPH
    if name == "vocabulary":
        return GRAPH["vocabulary"]
    return GRAPH[f"ontology/{name}"]


def statement_iri(slug: str) -> URIRef:
    return BASE[f"statement/{slug}"]


def trial_iri(slug: str, nct: tuple[str, ...]) -> URIRef:
    """A trial is its first ClinicalTrials.gov record; trials without one get our own IRI."""
    return expand(f"NCT:{nct[0]}") if nct else BASE[f"trial/{slug}"]


def outcome_iri(slug: str) -> URIRef:
    return BASE[f"outcome/{slug}"]
