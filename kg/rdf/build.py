"""Curated records + ontology modules -> one rdflib Dataset with named graphs.

A verified, positive statement becomes a direct triple in the curation graph *and*
a statement node in the provenance graph carrying its evidence. A negated or
unverified statement exists only as a statement node.

Every node is minted by kg.rdf.model and its origin (record id, path inside the record)
recorded in an :class:`~kg.rdf.origins.Origins` registry, as is the field behind each
triple; validation locates its findings through them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from rdflib import Dataset, Literal, URIRef
from rdflib.term import Node

from kg import namespaces
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
from kg.namespaces import BASE
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
from kg.rdf.origins import Origins, Path

__all__ = ["BuiltGraph", "build_dataset", "build_graph", "curation_triples"]

Triple = tuple[Node, Node, Node]


class _Terms:
    """A namespace whose terms are each made once (`KGV.hasArm` is then the same object
    every time): rdflib's Namespace makes a new URIRef per access, and the store's indexes
    compare equal but distinct terms through rdflib's Python-level __eq__."""

    def __init__(self, ns: Any) -> None:  # an rdflib Namespace or DefinedNamespace
        self._ns = ns
        self._made: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        term = self._ns[name]
        setattr(self, name, term)  # later look-ups are plain attribute reads
        return term

    def __getitem__(self, name: str) -> URIRef:
        term = self._made.get(name)
        if term is None:
            term = self._made[name] = self._ns[name]
        return term


BIOLINK, DCTERMS, KGV = (
    _Terms(ns) for ns in (namespaces.BIOLINK, namespaces.DCTERMS, namespaces.KGV)
)
OBOINOWL, RDF, RDFS, XSD = (
    _Terms(ns) for ns in (namespaces.OBOINOWL, namespaces.RDF, namespaces.RDFS, namespaces.XSD)
)
#: CURIE -> IRI, each IRI made once (the same entities, predicates and sources recur)
expand = lru_cache(maxsize=None)(namespaces.expand)


@dataclass(frozen=True)
class BuiltGraph:
    """The build stage's product: the dataset, where its nodes came from, and the modules."""

    dataset: Dataset
    origins: Origins
    modules: tuple[Module, ...] = ()


def build_graph(curation: Curation, modules: Sequence[Module]) -> BuiltGraph:
    """The whole graph with the origin of every curated node and field."""
    origins = Origins()
    curated, provenance = curation_triples(curation, origins)
    ds = Dataset()
    graphs = [(CURATION_GRAPH, curated), (PROVENANCE_GRAPH, provenance)]
    graphs += [(module_graph(m.name), m.triples) for m in modules]
    for name, triples in graphs:
        # straight into the store: Graph.addN re-checks every term of every triple, and
        # these are rdflib terms the builder and the module reader made
        graph, add = ds.graph(name), ds.store.add
        for triple in triples:
            add(triple, graph)
    return BuiltGraph(ds, origins, tuple(modules))


def build_dataset(curation: Curation, modules: Iterable[Module]) -> Dataset:
    """The whole graph: curation, provenance, and one named graph per ontology module."""
    return build_graph(curation, list(modules)).dataset


def curation_triples(
    c: Curation, origins: Origins | None = None
) -> tuple[list[Triple], list[Triple]]:
    """(curation graph triples, provenance graph triples) of the curated records.

    origins, when given, receives the origin of every node and field.
    """
    origins = origins if origins is not None else Origins()
    cur: list[Triple] = []
    prov: list[Triple] = []
    for e in c.entities:
        _entity(_Out(origins, e.id, cur), e)
    for p in c.publications:
        _publication(_Out(origins, p.id, cur), p)
    for m in c.outcome_measures:
        _measure(_Out(origins, m.id, cur), m)
    for s in c.statements:
        _statement(_Out(origins, s.id, cur), _Out(origins, s.id, prov), s)
    agents = {e.label: expand(e.id) for e in c.entities if e.category.value == "Agent"}
    for t in c.trials:
        _trial(_Out(origins, t.id, cur), t, agents)
    return cur, prov


class _Out:
    """The triples of one curated record, recording the origin of each node and field."""

    __slots__ = ("origins", "record", "triples")

    def __init__(self, origins: Origins, record: str, triples: list[Triple]) -> None:
        self.origins, self.record, self.triples = origins, record, triples

    def node(self, node: URIRef, *path: str | int) -> URIRef:
        """A node this record mints or names, standing for the item at path."""
        self.origins.node(node, self.record, path)
        return node

    def add(self, s: Node, p: Node, o: Node, path: Path | None = None) -> None:
        """One triple; path is the field it was written from (None: no field of its own)."""
        self.triples.append((s, p, o))
        if path is not None:
            self.origins.field(s, p, self.record, path)

    def opt(self, s: Node, p: Node, value: object, path: Path) -> None:
        """A triple for an optional field: none when the value is None, but the field's origin
        is recorded either way (a finding that the field is missing points where it belongs)."""
        self.origins.field(s, p, self.record, path)
        if value is not None:
            self.triples.append((s, p, _lit(value)))


def _lit(value: object) -> Literal:
    if isinstance(value, bool):
        return Literal(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(Decimal(repr(value)), datatype=XSD.decimal)
    return Literal(str(value))


def _entity(out: _Out, e: Entity) -> None:
    s = out.node(expand(e.id))
    out.add(s, RDFS.label, Literal(e.label), ("label",))
    out.add(s, BIOLINK.category, BIOLINK[e.category.value], ("category",))
    out.add(s, KGV.curationStatus, Literal(e.status), ("status",))
    if str(s).startswith(str(BASE)):  # a thing the project names: typed by its category
        out.add(s, RDF.type, BIOLINK[e.category.value], ("category",))
    out.opt(s, DCTERMS.description, e.description, ("description",))
    out.opt(s, KGV.note, e.note, ("note",))
    for i, x in enumerate(e.synonyms):
        out.add(s, OBOINOWL.hasExactSynonym, Literal(x), ("synonyms", i))
    for i, x in enumerate(e.xrefs):
        out.add(s, OBOINOWL.hasDbXref, Literal(x), ("xrefs", i))


def _publication(out: _Out, p: Publication) -> None:
    s = out.node(expand(p.id))
    out.add(s, RDF.type, KGV.Publication)
    out.add(s, BIOLINK.category, BIOLINK.Publication, ("id",))
    out.add(s, RDFS.label, Literal(p.title), ("title",))
    out.add(s, DCTERMS.title, Literal(p.title), ("title",))
    out.add(s, KGV.year, Literal(str(p.year), datatype=XSD.gYear), ("year",))
    out.add(s, KGV.publicationType, Literal(p.type), ("type",))
    out.add(s, KGV.curationStatus, Literal(p.status), ("status",))
    out.opt(s, KGV.journal, p.journal, ("journal",))
    out.opt(s, KGV.volume, p.volume, ("volume",))
    out.opt(s, KGV.issue, p.issue, ("issue",))
    out.opt(s, KGV.pages, p.pages, ("pages",))
    out.opt(s, KGV.note, p.note, ("note",))
    if p.published:
        out.add(s, DCTERMS.issued, Literal(p.published, datatype=XSD.date), ("published",))
    if p.authors:
        out.add(s, KGV.authorList, Literal("; ".join(p.authors)), ("authors",))
        for i, a in enumerate(p.authors):
            out.add(s, DCTERMS.creator, Literal(a), ("authors", i))
    for prefix, local, key in (("PMID", p.pmid, "pmid"), ("DOI", p.doi, "doi"),
                               ("PMC", p.pmcid, "pmcid")):  # fmt: skip
        if local:
            out.add(s, DCTERMS.identifier, Literal(f"{prefix}:{local}"), (key,))
            iri = expand(f"{prefix}:{local}")
            if iri != s:
                out.add(s, RDFS.seeAlso, iri, (key,))


def _measure(out: _Out, m: OutcomeMeasure) -> None:
    s = out.node(outcome_iri(m.id))
    out.add(s, RDF.type, KGV.OutcomeMeasure)
    out.add(s, BIOLINK.category, BIOLINK.ClinicalMeasurement, ("kind",))
    out.add(s, RDFS.label, Literal(m.label), ("label",))
    out.add(s, KGV.curationId, Literal(m.id), ("id",))
    out.add(s, KGV.measureKind, Literal(m.kind), ("kind",))
    out.opt(s, KGV.abbreviation, m.abbreviation, ("abbreviation",))
    out.opt(s, DCTERMS.description, m.description, ("description",))
    for i, x in enumerate(m.xrefs):
        out.add(s, OBOINOWL.hasDbXref, Literal(x), ("xrefs", i))


def _evidence(out: _Out, owner: URIRef, evidence: Iterable[Evidence], at: Path) -> None:
    for i, ev in enumerate(evidence):
        path = (*at, i)
        node = out.node(evidence_iri(owner, i + 1), *path)
        source = expand(ev.source)
        out.add(owner, KGV.evidence, node, at)
        out.add(owner, DCTERMS.source, source, (*path, "source"))
        out.add(node, RDF.type, KGV.EvidenceItem)
        out.add(node, KGV.evidenceCode, expand(ev.eco), (*path, "eco"))
        out.add(node, DCTERMS.source, source, (*path, "source"))
        out.add(node, KGV.quote, Literal(ev.quote), (*path, "quote"))
        out.add(node, KGV.locator, Literal(ev.locator), (*path, "locator"))


def _statement(cur: _Out, prov: _Out, st: Statement) -> None:
    s, p, o = expand(st.subject), expand(st.predicate), expand(st.object)
    if not st.negated and st.status == "verified":
        cur.add(s, p, o)
    node = prov.node(statement_iri(st.id))
    prov.add(node, RDF.type, KGV.Statement)
    prov.add(node, RDF.subject, s, ("subject",))
    prov.add(node, RDF.predicate, p, ("predicate",))
    prov.add(node, RDF.object, o, ("object",))
    prov.add(node, KGV.negated, _lit(st.negated), ("negated",))
    prov.add(node, KGV.curationStatus, Literal(st.status), ("status",))
    prov.add(node, KGV.curationId, Literal(st.id), ("id",))
    prov.opt(node, KGV.note, st.note, ("note",))
    for key, value in sorted(st.qualifiers.items()):
        q = prov.node(qualifier_iri(node, key), "qualifiers", key)
        prov.add(node, KGV.qualifier, q, ("qualifiers",))
        prov.add(q, RDF.type, KGV.Qualifier)
        prov.add(q, KGV.qualifierKey, Literal(key), ("qualifiers", key))
        prov.add(q, KGV.qualifierValue, Literal(value), ("qualifiers", key))
    _evidence(prov, node, st.evidence, ("evidence",))


def _join(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def _dose_label(dose: Dose) -> str:
    amount = " ".join(x for x in (f"{dose.value:g} {dose.unit}", dose.route, dose.frequency) if x)
    return _join(amount, f"for {dose.duration}" if dose.duration else None, dose.phase)


def _trial(out: _Out, t: Trial, agents: dict[str, URIRef]) -> None:
    """A trial's triples; agents (curated organisation label -> IRI) link its sponsor text."""
    s = out.node(trial_iri(t.id, t.registry.nct))
    d = t.design
    out.add(s, RDF.type, KGV.ClinicalTrial)
    out.add(s, BIOLINK.category, BIOLINK.ClinicalTrial, ("id",))
    out.add(s, RDFS.label, Literal(t.acronym), ("acronym",))
    out.add(s, KGV.acronym, Literal(t.acronym), ("acronym",))
    out.add(s, DCTERMS.title, Literal(t.title), ("title",))
    out.add(s, KGV.curationId, Literal(t.id), ("id",))
    out.add(s, KGV.phase, Literal(t.phase), ("phase",))
    out.add(s, KGV.overallStatus, Literal(t.status), ("status",))
    out.add(s, KGV.curationStatus, Literal(t.curation_status), ("curation_status",))
    if t.phase in PHASE_CLASSES:
        out.add(s, KGV.phaseClass, PHASE_CLASSES[t.phase], ("phase",))
    out.opt(s, KGV.randomised, d.randomised, ("design", "randomised"))
    out.opt(s, KGV.blinding, d.blinding, ("design", "blinding"))
    out.opt(s, KGV.placeboControlled, d.placebo_controlled, ("design", "placebo_controlled"))
    out.opt(s, KGV.centres, d.centres, ("design", "centres"))
    out.opt(s, KGV.allocation, d.allocation, ("design", "allocation"))
    out.opt(s, KGV.designModel, d.model, ("design", "model"))
    out.opt(s, KGV.enrolment, t.enrolment, ("enrolment",))
    out.opt(s, KGV.enrolmentType, t.enrolment_type, ("enrolment_type",))
    out.opt(s, KGV.sponsor, t.sponsor, ("sponsor",))
    if t.sponsor in agents:
        out.add(s, KGV.sponsoredBy, agents[t.sponsor], ("sponsor",))
    out.opt(s, KGV.note, t.note, ("note",))
    dates = (
        ("startDate", t.start, "start"),
        ("primaryCompletionDate", t.primary_completion, "primary_completion"),
        ("completionDate", t.completion, "completion"),
    )
    for name, value, key in dates:
        if value:
            out.add(s, KGV[name], Literal(value, datatype=XSD.date), (key,))
    for i, nct in enumerate(t.registry.nct):
        out.add(s, KGV.registryId, Literal(nct), ("registry", "nct", i))
        out.add(s, KGV.registryRecord, registry_record_iri(nct), ("registry", "nct", i))
    for i, x in enumerate(t.registry.eudract):
        out.add(s, KGV.registryId, Literal(f"EudraCT {x}"), ("registry", "eudract", i))
    for i, x in enumerate(t.registry.other):
        out.add(s, KGV.registryId, Literal(x), ("registry", "other", i))
    for i, c in enumerate(t.conditions):
        out.add(s, KGV.studiesCondition, expand(c), ("conditions", i))
    for i, p in enumerate(t.publications):
        out.add(s, DCTERMS.references, expand(p), ("publications", i))
    arms = {a.id: arm_iri(t.id, a.id) for a in t.arms}
    for i, arm in enumerate(t.arms):
        at: Path = ("arms", i)
        a = out.node(arms[arm.id], *at)
        out.add(s, KGV.hasArm, a, ("arms",))
        out.add(a, RDF.type, KGV.TrialArm)
        out.add(a, RDFS.label, Literal(arm.label), (*at, "label"))
        out.add(a, KGV.armRole, Literal(arm.role), (*at, "role"))
        out.add(a, KGV.intervention, expand(arm.intervention), (*at, "intervention"))
        out.opt(a, KGV.schedule, arm.schedule, (*at, "schedule"))
        out.opt(a, KGV.participants, arm.participants, (*at, "participants"))
        for j, dose in enumerate(arm.doses):
            dp: Path = (*at, "doses", j)
            n = out.node(dose_iri(t.id, arm.id, j + 1), *dp)
            out.add(a, KGV.hasDose, n, (*at, "doses"))
            out.add(n, RDF.type, KGV.Dose)
            out.add(n, RDFS.label, Literal(_dose_label(dose)))
            out.add(n, KGV.doseValue, _lit(dose.value), (*dp, "value"))
            out.add(n, KGV.doseUnit, UNIT_IRIS[dose.unit], (*dp, "unit"))
            out.add(n, KGV.frequency, Literal(dose.frequency), (*dp, "frequency"))
            out.opt(n, KGV.route, dose.route, (*dp, "route"))
            out.opt(n, KGV.duration, dose.duration, (*dp, "duration"))
            out.opt(n, KGV.regimenPhase, dose.phase, (*dp, "phase"))
    ranked = (
        ("primary", t.primary_endpoints),
        ("secondary", t.secondary_endpoints),
        ("registered", t.registered_endpoints),
    )
    for rank, endpoints in ranked:
        for i, ep in enumerate(endpoints):
            ep_at: Path = (f"{rank}_endpoints", i)
            n = out.node(endpoint_iri(t.id, rank, i + 1), *ep_at)
            out.add(s, KGV[f"{rank}Endpoint"], n, (f"{rank}_endpoints",))
            out.add(n, RDF.type, KGV.Endpoint)
            label = _join(f"{rank} endpoint: {ep.measure}", ep.time_point)
            out.add(n, RDFS.label, Literal(label))
            out.add(n, KGV.measure, outcome_iri(ep.measure), (*ep_at, "measure"))
            out.opt(n, KGV.timePoint, ep.time_point, (*ep_at, "time_point"))
            out.opt(n, DCTERMS.description, ep.description, (*ep_at, "description"))
    for i, r in enumerate(t.results):
        rp: Path = ("results", i)
        n = out.node(result_iri(t.id, r.id), *rp)
        out.add(s, KGV.hasResult, n, ("results",))
        out.add(n, RDF.type, KGV.Result)
        label = _join(f"{t.acronym} {r.measure}", r.arm, r.time_point, r.population)
        out.add(n, RDFS.label, Literal(label))
        out.add(n, KGV.curationId, Literal(r.id), (*rp, "id"))
        out.add(n, KGV.measure, outcome_iri(r.measure), (*rp, "measure"))
        out.add(n, DCTERMS.source, expand(r.source), (*rp, "source"))
        out.add(n, KGV.curationStatus, Literal(r.status), (*rp, "status"))
        if r.arm:
            out.add(n, KGV.arm, arms[r.arm], (*rp, "arm"))
        if r.compared_to:
            out.add(n, KGV.comparedTo, arms[r.compared_to], (*rp, "compared_to"))
        if r.responders:
            out.add(n, KGV.responders, _lit(r.responders.n), (*rp, "responders", "n"))
            out.add(
                n, KGV.participantsAnalysed, _lit(r.responders.total), (*rp, "responders", "total")
            )
        out.opt(n, KGV.analysisPopulation, r.population, (*rp, "population"))
        out.opt(n, KGV.direction, r.direction, (*rp, "direction"))
        out.opt(n, KGV.timePoint, r.time_point, (*rp, "time_point"))
        out.opt(n, KGV.percent, r.percent, (*rp, "percent"))
        out.opt(n, KGV.value, r.value, (*rp, "value"))
        out.opt(n, KGV.valueUnit, r.unit, (*rp, "unit"))
        out.opt(n, KGV.statistic, r.statistic, (*rp, "statistic"))
        out.opt(n, KGV.pValue, r.p_value and r.p_value.value, (*rp, "p_value"))
        if r.p_value is not None and r.p_value.comparator != "=":
            out.add(n, KGV.pValueComparator, Literal(r.p_value.comparator), (*rp, "p_value"))
        out.opt(n, KGV.metEndpoint, r.met_endpoint, (*rp, "met_endpoint"))
        out.opt(n, KGV.note, r.note, (*rp, "note"))
        _evidence(out, n, r.evidence, (*rp, "evidence"))
    for i, ae in enumerate(t.adverse_events):
        ap: Path = ("adverse_events", i)
        n = out.node(adverse_event_iri(t.id, i + 1), *ap)
        out.add(s, KGV.adverseEvent, n, ("adverse_events",))
        out.add(n, RDF.type, KGV.AdverseEventCount)
        out.add(n, RDFS.label, Literal(ae.event), (*ap, "event"))
        out.add(n, KGV.arm, arms[ae.arm], (*ap, "arm"))
        out.add(n, KGV.serious, _lit(ae.serious), (*ap, "serious"))
        out.add(n, KGV.affected, _lit(ae.n), (*ap, "n"))
        out.add(n, DCTERMS.source, expand(ae.source), (*ap, "source"))
        out.opt(n, KGV.participantsAnalysed, ae.total, (*ap, "total"))
        out.opt(n, KGV.percent, ae.percent, (*ap, "percent"))
