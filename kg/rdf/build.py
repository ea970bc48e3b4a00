"""Curated records + ontology modules -> one rdflib Dataset with named graphs.

A verified, positive statement becomes a direct triple in the curation graph *and*
a statement node in the provenance graph carrying its evidence. A negated or
unverified statement exists only as a statement node.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kg.curation.schema import (
    Curation,
    Dose,
    Entity,
    Evidence,
    OutcomeMeasure,
    Publication,
    Statement,
    Trial,
)
from kg.namespaces import BASE, BIOLINK, DCTERMS, KGV, OBOINOWL, RDF, RDFS, XSD, expand
from kg.ontology.modules import Module
from kg.rdf.model import (
    CURATION_GRAPH,
    PHASE_CLASSES,
    PROVENANCE_GRAPH,
    UNIT_IRIS,
    adverse_event_iri,
    arm_iri,
    dose_iri,
    endpoint_iri,
    evidence_iri,
    module_graph,
    outcome_iri,
    qualifier_iri,
    registry_record_iri,
    result_iri,
    statement_iri,
    trial_iri,
)

__all__ = ["build_dataset", "curation_triples"]

Triple = tuple[Node, Node, Node]


def build_dataset(curation: Curation, modules: Iterable[Module]) -> Dataset:
    """The whole graph: curation, provenance, and one named graph per ontology module."""
    ds = Dataset()
    curated, provenance = curation_triples(curation)
    _fill(ds.graph(CURATION_GRAPH), curated)
    _fill(ds.graph(PROVENANCE_GRAPH), provenance)
    for module in modules:
        _fill(ds.graph(module_graph(module.name)), module.graph)
    return ds


def _fill(graph: Graph, triples: Iterable[Triple]) -> None:
    for t in triples:
        graph.add(t)


def curation_triples(c: Curation) -> tuple[list[Triple], list[Triple]]:
    """(curation graph triples, provenance graph triples) of the curated records."""
    cur: list[Triple] = []
    prov: list[Triple] = []
    for e in c.entities:
        cur.extend(_entity(e))
    for p in c.publications:
        cur.extend(_publication(p))
    for m in c.outcome_measures:
        cur.extend(_measure(m))
    for s in c.statements:
        direct, node = _statement(s)
        cur.extend(direct)
        prov.extend(node)
    agents = {e.label: expand(e.id) for e in c.entities if e.category.value == "Agent"}
    for t in c.trials:
        cur.extend(_trial(t, agents))
    return cur, prov


def _lit(value: object) -> Literal:
    if isinstance(value, bool):
        return Literal(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(Decimal(repr(value)), datatype=XSD.decimal)
    return Literal(str(value))


def _opt(s: URIRef, p: URIRef, value: object) -> list[Triple]:
    return [] if value is None else [(s, p, _lit(value))]


def _entity(e: Entity) -> list[Triple]:
    s = expand(e.id)
    out: list[Triple] = [
        (s, RDFS.label, Literal(e.label)),
        (s, BIOLINK.category, BIOLINK[e.category.value]),
        (s, KGV.curationStatus, Literal(e.status)),
    ]
    if str(s).startswith(str(BASE)):  # a thing the project names: typed by its category
        out.append((s, RDF.type, BIOLINK[e.category.value]))
    out += _opt(s, DCTERMS.description, e.description)
    out += _opt(s, KGV.note, e.note)
    out += [(s, OBOINOWL.hasExactSynonym, Literal(x)) for x in e.synonyms]
    out += [(s, OBOINOWL.hasDbXref, Literal(x)) for x in e.xrefs]
    return out


def _publication(p: Publication) -> list[Triple]:
    s = expand(p.id)
    out: list[Triple] = [
        (s, RDF.type, KGV.Publication),
        (s, BIOLINK.category, BIOLINK.Publication),
        (s, RDFS.label, Literal(p.title)),
        (s, DCTERMS.title, Literal(p.title)),
        (s, KGV.year, Literal(str(p.year), datatype=XSD.gYear)),
        (s, KGV.publicationType, Literal(p.type)),
        (s, KGV.curationStatus, Literal(p.status)),
    ]
    out += _opt(s, KGV.journal, p.journal)
    out += _opt(s, KGV.volume, p.volume)
    out += _opt(s, KGV.issue, p.issue)
    out += _opt(s, KGV.pages, p.pages)
    out += _opt(s, KGV.note, p.note)
    if p.published:
        out.append((s, DCTERMS.issued, Literal(p.published, datatype=XSD.date)))
    if p.authors:
        out.append((s, KGV.authorList, Literal("; ".join(p.authors))))
        out += [(s, DCTERMS.creator, Literal(a)) for a in p.authors]
    for prefix, local in (("PMID", p.pmid), ("DOI", p.doi), ("PMC", p.pmcid)):
        if local:
            out.append((s, DCTERMS.identifier, Literal(f"{prefix}:{local}")))
            iri = expand(f"{prefix}:{local}")
            if iri != s:
                out.append((s, RDFS.seeAlso, iri))
    return out


def _measure(m: OutcomeMeasure) -> list[Triple]:
    s = outcome_iri(m.id)
    out: list[Triple] = [
        (s, RDF.type, KGV.OutcomeMeasure),
        (s, BIOLINK.category, BIOLINK.ClinicalMeasurement),
        (s, RDFS.label, Literal(m.label)),
        (s, KGV.curationId, Literal(m.id)),
        (s, KGV.measureKind, Literal(m.kind)),
    ]
    out += _opt(s, KGV.abbreviation, m.abbreviation)
    out += _opt(s, DCTERMS.description, m.description)
    out += [(s, OBOINOWL.hasDbXref, Literal(x)) for x in m.xrefs]
    return out


def _evidence(owner: URIRef, evidence: Iterable[Evidence]) -> list[Triple]:
    out: list[Triple] = []
    for i, ev in enumerate(evidence, start=1):
        node = evidence_iri(owner, i)
        source = expand(ev.source)
        out += [
            (owner, KGV.evidence, node),
            (owner, DCTERMS.source, source),
            (node, RDF.type, KGV.EvidenceItem),
            (node, KGV.evidenceCode, expand(ev.eco)),
            (node, DCTERMS.source, source),
            (node, KGV.quote, Literal(ev.quote)),
            (node, KGV.locator, Literal(ev.locator)),
        ]
    return out


def _statement(st: Statement) -> tuple[list[Triple], list[Triple]]:
    s, p, o = expand(st.subject), expand(st.predicate), expand(st.object)
    direct = [] if st.negated or st.status != "verified" else [(s, p, o)]
    node = statement_iri(st.id)
    prov: list[Triple] = [
        (node, RDF.type, KGV.Statement),
        (node, RDF.subject, s),
        (node, RDF.predicate, p),
        (node, RDF.object, o),
        (node, KGV.negated, _lit(st.negated)),
        (node, KGV.curationStatus, Literal(st.status)),
        (node, KGV.curationId, Literal(st.id)),
    ]
    prov += _opt(node, KGV.note, st.note)
    for key, value in sorted(st.qualifiers.items()):
        q = qualifier_iri(node, key)
        prov += [
            (node, KGV.qualifier, q),
            (q, RDF.type, KGV.Qualifier),
            (q, KGV.qualifierKey, Literal(key)),
            (q, KGV.qualifierValue, Literal(value)),
        ]
    prov += _evidence(node, st.evidence)
    return direct, prov


def _join(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def _dose_label(dose: Dose) -> str:
    amount = " ".join(x for x in (f"{dose.value:g} {dose.unit}", dose.route, dose.frequency) if x)
    return _join(amount, f"for {dose.duration}" if dose.duration else None, dose.phase)


def _trial(t: Trial, agents: dict[str, URIRef]) -> list[Triple]:
    """A trial's triples; agents (curated organisation label -> IRI) link its sponsor text."""
    s = trial_iri(t.id, t.registry.nct)
    d = t.design
    out: list[Triple] = [
        (s, RDF.type, KGV.ClinicalTrial),
        (s, BIOLINK.category, BIOLINK.ClinicalTrial),
        (s, RDFS.label, Literal(t.acronym)),
        (s, KGV.acronym, Literal(t.acronym)),
        (s, DCTERMS.title, Literal(t.title)),
        (s, KGV.curationId, Literal(t.id)),
        (s, KGV.phase, Literal(t.phase)),
        (s, KGV.overallStatus, Literal(t.status)),
        (s, KGV.curationStatus, Literal(t.curation_status)),
    ]
    if t.phase in PHASE_CLASSES:
        out.append((s, KGV.phaseClass, PHASE_CLASSES[t.phase]))
    out += _opt(s, KGV.randomised, d.randomised)
    out += _opt(s, KGV.blinding, d.blinding)
    out += _opt(s, KGV.placeboControlled, d.placebo_controlled)
    out += _opt(s, KGV.centres, d.centres)
    out += _opt(s, KGV.allocation, d.allocation)
    out += _opt(s, KGV.designModel, d.model)
    out += _opt(s, KGV.enrolment, t.enrolment)
    out += _opt(s, KGV.enrolmentType, t.enrolment_type)
    out += _opt(s, KGV.sponsor, t.sponsor)
    if t.sponsor in agents:
        out.append((s, KGV.sponsoredBy, agents[t.sponsor]))
    out += _opt(s, KGV.note, t.note)
    dates = (
        ("startDate", t.start),
        ("primaryCompletionDate", t.primary_completion),
        ("completionDate", t.completion),
    )
    for field, value in dates:
        if value:
            out.append((s, KGV[field], Literal(value, datatype=XSD.date)))
    for nct in t.registry.nct:
        out += [(s, KGV.registryId, Literal(nct))]
        out.append((s, KGV.registryRecord, registry_record_iri(nct)))
    out += [(s, KGV.registryId, Literal(f"EudraCT {x}")) for x in t.registry.eudract]
    out += [(s, KGV.registryId, Literal(x)) for x in t.registry.other]
    out += [(s, KGV.studiesCondition, expand(c)) for c in t.conditions]
    out += [(s, DCTERMS.references, expand(p)) for p in t.publications]
    arms = {a.id: arm_iri(t.id, a.id) for a in t.arms}
    for arm in t.arms:
        a = arms[arm.id]
        out += [
            (s, KGV.hasArm, a),
            (a, RDF.type, KGV.TrialArm),
            (a, RDFS.label, Literal(arm.label)),
            (a, KGV.armRole, Literal(arm.role)),
            (a, KGV.intervention, expand(arm.intervention)),
        ]
        out += _opt(a, KGV.schedule, arm.schedule)
        out += _opt(a, KGV.participants, arm.participants)
        for i, dose in enumerate(arm.doses, start=1):
            n = dose_iri(t.id, arm.id, i)
            out += [
                (a, KGV.hasDose, n),
                (n, RDF.type, KGV.Dose),
                (n, RDFS.label, Literal(_dose_label(dose))),
                (n, KGV.doseValue, _lit(dose.value)),
                (n, KGV.doseUnit, UNIT_IRIS[dose.unit]),
                (n, KGV.frequency, Literal(dose.frequency)),
            ]
            out += _opt(n, KGV.route, dose.route)
            out += _opt(n, KGV.duration, dose.duration)
            out += _opt(n, KGV.regimenPhase, dose.phase)
    ranked = (
        ("primary", t.primary_endpoints),
        ("secondary", t.secondary_endpoints),
        ("registered", t.registered_endpoints),
    )
    for kind, endpoints in ranked:
        for i, ep in enumerate(endpoints, start=1):
            n = endpoint_iri(t.id, kind, i)
            out += [
                (s, KGV[f"{kind}Endpoint"], n),
                (n, RDF.type, KGV.Endpoint),
                (n, RDFS.label, Literal(_join(f"{kind} endpoint: {ep.measure}", ep.time_point))),
                (n, KGV.measure, outcome_iri(ep.measure)),
            ]
            out += _opt(n, KGV.timePoint, ep.time_point)
            out += _opt(n, DCTERMS.description, ep.description)
    for r in t.results:
        n = result_iri(t.id, r.id)
        out += [
            (s, KGV.hasResult, n),
            (n, RDF.type, KGV.Result),
            (
                n,
                RDFS.label,
                Literal(_join(f"{t.acronym} {r.measure}", r.arm, r.time_point, r.population)),
            ),
            (n, KGV.curationId, Literal(r.id)),
            (n, KGV.measure, outcome_iri(r.measure)),
            (n, DCTERMS.source, expand(r.source)),
            (n, KGV.curationStatus, Literal(r.status)),
        ]
        if r.arm:
            out.append((n, KGV.arm, arms[r.arm]))
        if r.compared_to:
            out.append((n, KGV.comparedTo, arms[r.compared_to]))
        if r.responders:
            out += [
                (n, KGV.responders, _lit(r.responders.n)),
                (n, KGV.participantsAnalysed, _lit(r.responders.total)),
            ]
        out += _opt(n, KGV.analysisPopulation, r.population)
        out += _opt(n, KGV.direction, r.direction)
        out += _opt(n, KGV.timePoint, r.time_point)
        out += _opt(n, KGV.percent, r.percent)
        out += _opt(n, KGV.value, r.value)
        out += _opt(n, KGV.valueUnit, r.unit)
        out += _opt(n, KGV.statistic, r.statistic)
        out += _opt(n, KGV.pValue, r.p_value)
        out += _opt(n, KGV.metEndpoint, r.met_endpoint)
        out += _opt(n, KGV.note, r.note)
        out += _evidence(n, r.evidence)
    for i, ae in enumerate(t.adverse_events, start=1):
        n = adverse_event_iri(t.id, i)
        out += [
            (s, KGV.adverseEvent, n),
            (n, RDF.type, KGV.AdverseEventCount),
            (n, RDFS.label, Literal(ae.event)),
            (n, KGV.arm, arms[ae.arm]),
            (n, KGV.serious, _lit(ae.serious)),
            (n, KGV.affected, _lit(ae.n)),
            (n, DCTERMS.source, expand(ae.source)),
        ]
        out += _opt(n, KGV.participantsAnalysed, ae.total)
        out += _opt(n, KGV.percent, ae.percent)
    return out
