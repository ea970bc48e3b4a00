"""IRIs the graph mints, and the fixed vocabulary choices shared by builder and tests.

Every IRI the build mints comes from a function here; the builder records the origin of
each minted node (kg.rdf.origins), so nothing needs to read an IRI back. Minted IRIs sit
in one namespace per kind (kg/namespaces.py KINDS) with a flat local part joined by `.`
(record ids are slugs, which hold no `.`): `il2kg.arm:lupil-2.ilt-101`,
`il2kg.dose:lupil-2.ilt-101.1`. A flat local part is what makes the compressed id a CURIE
in KGX's sense (no `/` after the prefix).
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import URIRef

from kg.namespaces import BASE, GRAPH, expand

__all__ = [
    "CURATION_GRAPH",
    "MAPPINGS_GRAPH",
    "PHASE_CLASSES",
    "PROVENANCE_GRAPH",
    "UNIT_IRIS",
    "adverse_event_iri",
    "arm_iri",
    "dose_iri",
    "endpoint_iri",
    "evidence_iri",
    "module_graph",
    "outcome_iri",
    "qualifier_iri",
    "registry_record_iri",
    "result_iri",
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


def _minted(kind: str, *parts: str | int) -> URIRef:
    return BASE[f"{kind}/" + ".".join(str(p) for p in parts)]


def statement_iri(slug: str) -> URIRef:
    """il2kg.statement:<statement id>."""
    return _minted("statement", slug)


def trial_iri(slug: str, nct: tuple[str, ...]) -> URIRef:
    """A trial is its first ClinicalTrials.gov record; trials without one get il2kg.trial:<id>."""
    return expand(f"CLINICALTRIALS:{nct[0]}") if nct else _minted("trial", slug)


def registry_record_iri(nct: str) -> URIRef:
    """The ClinicalTrials.gov record of an NCT number (bioregistry's URI format)."""
    return expand(f"CLINICALTRIALS:{nct}")


def outcome_iri(slug: str) -> URIRef:
    """il2kg.outcome:<outcome measure id>."""
    return _minted("outcome", slug)


def arm_iri(trial: str, arm: str) -> URIRef:
    """il2kg.arm:<trial id>.<arm id>."""
    return _minted("arm", trial, arm)


def dose_iri(trial: str, arm: str, n: int) -> URIRef:
    """il2kg.dose:<trial id>.<arm id>.<n>, n counting the arm's doses from 1."""
    return _minted("dose", trial, arm, n)


def endpoint_iri(trial: str, kind: str, n: int) -> URIRef:
    """il2kg.endpoint:<trial id>.<primary|secondary|registered>.<n>, n counting from 1."""
    return _minted("endpoint", trial, kind, n)


def result_iri(trial: str, result: str) -> URIRef:
    """il2kg.result:<trial id>.<result id>."""
    return _minted("result", trial, result)


def adverse_event_iri(trial: str, n: int) -> URIRef:
    """il2kg.adverse-event:<trial id>.<n>, n counting the trial's adverse-event rows from 1."""
    return _minted("adverse-event", trial, n)


def evidence_iri(owner: URIRef, n: int) -> URIRef:
    """Evidence item n (from 1) of a statement or result: il2kg.evidence:<owner's local id>.<n>."""
    return _minted("evidence", _flat_local(owner), n)


def qualifier_iri(statement: URIRef, key: str) -> URIRef:
    """A statement's qualifier: il2kg.qualifier:<statement id>.<key, percent-encoded>.

    Any key gives a valid IRI, and two different keys (`assay:method`, `assay_method`)
    give two different IRIs.
    """
    return _minted("qualifier", _flat_local(statement), quote(key, safe=""))


def _flat_local(iri: URIRef) -> str:
    kind, _, local = str(iri)[len(BASE) :].partition("/")
    if not str(iri).startswith(str(BASE)) or kind not in {"statement", "result"} or not local:
        raise ValueError(f"not a minted statement or result IRI: {iri}")  # a bug
    return local
