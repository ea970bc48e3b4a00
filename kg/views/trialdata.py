"""Trials, arms, doses, results, adverse events and statements as records, read from the graph.

Why: the result pages, the cross-trial page and the analysis tables (kg/export/tables.py) must
show exactly what the graph holds, so they all read these records, and these records read only
the one property-graph projection (never the YAML). Edges are recognised by their predicate's
local name (`kgv:hasResult` -> "hasResult"), properties by the projection's snake_case keys, so
node ids (CURIEs) and relationship type names can change without touching this module.

Shapes: percentages are 0-100 floats as curated; p-values 0-1 floats; counts ints. A field the
graph does not hold is None (or "" for text), never guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property

from kg.namespaces import expand
from kg.property_graph.graph import Edge, Node, PropertyGraph, PropertyValue
from kg.rdf.model import UNIT_IRIS

__all__ = [
    "AdverseEvent",
    "Arm",
    "Comparison",
    "Dose",
    "Evidence",
    "Result",
    "StatementRow",
    "Trial",
    "TrialData",
    "format_p",
    "format_percent",
    "predicate_name",
    "trial_data",
]


#: a condition label that makes a trial an SLE trial (results.html shows those first)
SLE_LABEL = "lupus erythematosus"
#: words of an arm role that make the arm a control (ClinicalTrials.gov arm types)
CONTROL_ROLE_WORDS = (
    "placebo",
    "comparator",
    "control",
    "sham",
    "no intervention",
    "standard of care",
)
#: the project's own IRIs, which resolve nowhere: never used as a link
PROJECT_IRI = "https://w3id.org/il2-sle-kg/"
#: identifier prefix -> URL template of its resolver
RESOLVERS = {
    "PMID": "https://pubmed.ncbi.nlm.nih.gov/{}",
    "DOI": "https://doi.org/{}",
    "NCT": "https://clinicaltrials.gov/study/{}",
    "PMCID": "https://www.ncbi.nlm.nih.gov/pmc/articles/{}",
}

#: unit IRI -> the symbol curators write (MIU, IU/kg), the inverse of the RDF model's table
UNIT_SYMBOLS = {str(iri): symbol for symbol, iri in UNIT_IRIS.items()}


def predicate_name(edge: Edge) -> str:
    """The local name of an edge's predicate: 'kgv:hasResult' -> 'hasResult'."""
    return _local_name(edge.predicate)


@cache
def _local_name(predicate: str) -> str:
    """'kgv:hasResult' -> 'hasResult' (a graph has a few dozen predicates: computed once each)."""
    return re.split(r"[:/#]", predicate)[-1]


@dataclass(frozen=True)
class Evidence:
    """One evidence item: source CURIE, its title and link, ECO code and label, quote, locator."""

    source: str
    source_name: str
    source_link: str
    eco: str
    eco_label: str
    quote: str
    locator: str
    #: 'He 2020' (first author and year) or the short title: what a table cell shows
    source_short: str = ""
    #: the publication node's own IRI (may be a project IRI that resolves nowhere)
    source_iri: str = ""
    #: the publication record is `status: unverified` (citation details not confirmed)
    source_unverified: bool = False


@dataclass(frozen=True)
class Dose:
    """One dose of an arm; `unit` is the curated symbol (MIU), `unit_ucum` its UCUM code."""

    id: str
    label: str
    value: float | None
    unit: str
    unit_label: str
    unit_ucum: str
    route: str
    frequency: str
    duration: str
    phase: str


@dataclass(frozen=True)
class Arm:
    id: str
    label: str
    role: str
    intervention: str
    intervention_label: str
    participants: int | None
    schedule: str
    doses: tuple[Dose, ...]


@dataclass(frozen=True)
class Result:
    """One result node: an arm's number, or a between-arm comparison (compared_to set)."""

    id: str
    iri: str
    curation_id: str
    trial_id: str
    measure: str
    measure_label: str
    measure_short: str
    measure_kind: str
    arm: str
    arm_label: str
    compared_to: str
    compared_to_label: str
    time_point: str
    population: str
    responders: int | None
    analysed: int | None
    percent: float | None
    value: float | None
    value_unit: str
    statistic: str
    direction: str
    p_value: float | None
    p_value_text: str
    met_endpoint: bool | None
    status: str
    note: str
    evidence: tuple[Evidence, ...]
    #: '', '<', '<=', '>' or '>=' (kgv:pValueComparator): p_value is a bound when set
    p_value_comparator: str = ""

    @property
    def is_comparison(self) -> bool:
        return bool(self.compared_to)

    @property
    def context(self) -> str:
        """'SRI-4 week 12 ITT': measure, time point and population, as on a page."""
        return " ".join(x for x in (self.measure_short, self.time_point, self.population) if x)


@dataclass(frozen=True)
class Comparison:
    """A comparison result with the per-arm results it compares (None where not curated)."""

    result: Result
    treated: Result | None
    control: Result | None
    #: the comparator arm's role as curated ('placebo comparator', 'experimental'...)
    control_role: str = "placebo comparator"

    @property
    def is_controlled(self) -> bool:
        """Whether the comparator arm is a control (placebo, comparator, standard of care...).

        A comparison between two treated cohorts (children vs adults, two doses) is not a
        treated - control difference, so it is labelled by arm names and left out of the
        forest plot.
        """
        role = self.control_role.casefold()
        return any(word in role for word in CONTROL_ROLE_WORDS)

    @property
    def has_counts(self) -> bool:
        """Whether both arms report responders n/N, so a difference CI can be computed."""
        return all(
            r is not None and r.responders is not None and r.analysed
            for r in (self.treated, self.control)
        )


@dataclass(frozen=True)
class AdverseEvent:
    id: str
    iri: str
    trial_id: str
    arm: str
    arm_label: str
    event: str
    serious: bool | None
    affected: int | None
    analysed: int | None
    percent: float | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Trial:
    id: str
    iri: str
    name: str
    curation_id: str
    title: str
    phase: str
    status: str
    design: dict[str, str]
    enrolment: int | None
    registry_ids: tuple[str, ...]
    conditions: tuple[tuple[str, str], ...]
    arms: tuple[Arm, ...]
    results: tuple[Result, ...]
    adverse_events: tuple[AdverseEvent, ...]
    publications: tuple[tuple[str, str], ...]
    #: outcome measures of the trial's registered primary endpoint(s) (kgv:primaryEndpoint)
    primary_measures: frozenset[str] = frozenset()
    #: outcome measures of its secondary endpoints
    secondary_measures: frozenset[str] = frozenset()

    @property
    def condition_labels(self) -> str:
        """'systemic lupus erythematosus', or the conditions joined with ', '."""
        return ", ".join(label for _, label in self.conditions) or "condition not recorded"

    @property
    def studies_sle(self) -> bool:
        """Whether systemic lupus erythematosus is among the trial's conditions."""
        return any(SLE_LABEL in label.casefold() for _, label in self.conditions)

    def arm_role(self, arm_id: str) -> str:
        """The arm's role as curated ('experimental', 'placebo comparator'...), or ''."""
        return next((a.role for a in self.arms if a.id == arm_id), "")

    @cached_property
    def comparisons(self) -> tuple[Comparison, ...]:
        """Each comparison result with the arm results of the same measure, time and population."""
        by_key: dict[tuple[str, ...], Result] = {}
        for r in self.results:
            if not r.is_comparison:
                by_key.setdefault(_match_key(r, r.arm), r)
        return tuple(
            Comparison(
                r,
                by_key.get(_match_key(r, r.arm)),
                by_key.get(_match_key(r, r.compared_to)),
                self.arm_role(r.compared_to),
            )
            for r in self.results
            if r.is_comparison
        )

    def comparison_for(self, result: Result) -> Comparison | None:
        """The comparison that uses this arm result as its treated or control arm, if any."""
        for c in self.comparisons:
            if result in (c.treated, c.control):
                return c
        return None


def _match_key(r: Result, arm: str) -> tuple[str, ...]:
    return (r.measure, arm, r.time_point, r.population, r.statistic)


@dataclass(frozen=True)
class StatementRow:
    """One curated statement (an edge with evidence), with labels for subject and object."""

    id: str
    iri: str
    subject: str
    subject_iri: str
    subject_label: str
    predicate: str
    predicate_iri: str
    predicate_label: str
    object: str
    object_iri: str
    object_label: str
    negated: bool
    status: str
    qualifiers: tuple[tuple[str, str], ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class TrialData:
    """Everything the result pages and tables show, in a fixed order (trials by name)."""

    trials: tuple[Trial, ...]
    statements: tuple[StatementRow, ...] = field(default=())

    def trial(self, trial_id: str) -> Trial | None:
        return next((t for t in self.trials if t.id == trial_id), None)


# ------------------------------------------------------------------------------- reading


def trial_data(g: PropertyGraph) -> TrialData:
    """Read every trial and curated statement from the projection (one pass over the edges).

    Cached on the graph object (as PropertyGraph caches its node index), so the html and
    tables sinks of one build read the graph once.
    """
    cached = g.__dict__.get("_trial_data")
    if cached is None:
        cached = _read(g)
        object.__setattr__(g, "_trial_data", cached)
    return cached


def _read(g: PropertyGraph) -> TrialData:
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in g.edges:
        out[(e.source, predicate_name(e))].append(e.target)
    reader = _Reader(g, out)
    trials = sorted(
        (reader.trial(n) for n in g.nodes if n.category == "ClinicalTrial"),
        key=lambda t: (t.name.casefold(), t.id),
    )
    statements = tuple(reader.statement(e) for e in g.edges if "statement" in e.properties)
    return TrialData(tuple(trials), statements)


class _Reader:
    def __init__(self, g: PropertyGraph, out: dict[tuple[str, str], list[str]]) -> None:
        self.g = g
        #: (source node id, predicate local name) -> the targets of those edges
        self.out = out
        #: node id -> its link and short name: a publication is the source of many items
        self._links: dict[str, str] = {}
        self._shorts: dict[str, str] = {}

    def targets(self, node_id: str, predicate: str) -> list[str]:
        return sorted(self.out.get((node_id, predicate), ()))

    def target(self, node_id: str, predicate: str) -> str:
        found = self.targets(node_id, predicate)
        return found[0] if found else ""

    def name(self, node_id: str) -> str:
        node = self.g.node(node_id)
        return node.name if node else node_id

    def iri(self, node_id: str) -> str:
        node = self.g.node(node_id)
        return node.iri if node else ""

    def unverified(self, node_id: str) -> bool:
        node = self.g.node(node_id)
        return bool(node and node.properties.get("curation_status") == "unverified")

    def link(self, node_id: str) -> str:
        link = self._links.get(node_id)
        if link is None:
            node = self.g.node(node_id)
            link = self._links[node_id] = source_link(node) if node else ""
        return link

    def short(self, node_id: str) -> str:
        short = self._shorts.get(node_id)
        if short is None:
            node = self.g.node(node_id)
            short = self._shorts[node_id] = publication_name(node) if node else node_id
        return short

    def evidence(self, props: dict[str, PropertyValue]) -> tuple[Evidence, ...]:
        sources = _list(props.get("sources"))
        ecos, quotes, locators = (_list(props.get(k)) for k in ("eco_codes", "quotes", "locators"))
        return tuple(
            Evidence(
                source,
                self.name(source) if self.g.node(source) else "",
                self.link(source),
                _at(ecos, i),
                self.name(_at(ecos, i)) if self.g.node(_at(ecos, i)) else "",
                _at(quotes, i),
                _at(locators, i),
                self.short(source),
                self.iri(source),
                self.unverified(source),
            )
            for i, source in enumerate(sources)
        )

    def result_evidence(self, node: Node) -> tuple[Evidence, ...]:
        """The node's evidence items, or else its source publication(s) with no quote."""
        items = self.evidence(node.properties)
        if items:
            return items
        return tuple(
            Evidence(
                s,
                self.name(s),
                self.link(s),
                "",
                "",
                "",
                "",
                self.short(s),
                self.iri(s),
                self.unverified(s),
            )
            for s in self.targets(node.id, "source")
        )

    def dose(self, node_id: str) -> Dose:
        node = self.g.node(node_id)
        assert node is not None
        p = node.properties
        unit = self.g.node(self.target(node_id, "doseUnit"))
        return Dose(
            node.id, node.name, _float(p.get("dose_value")),
            UNIT_SYMBOLS.get(unit.iri, unit.name) if unit else "", unit.name if unit else "",
            _text(unit.properties.get("ucum_code")) if unit else "",
            _text(p.get("route")), _text(p.get("frequency")),
            _text(p.get("duration")), _text(p.get("regimen_phase")),
        )  # fmt: skip

    def arm(self, node_id: str) -> Arm:
        node = self.g.node(node_id)
        assert node is not None
        p = node.properties
        intervention = self.target(node_id, "intervention")
        return Arm(
            node.id, node.name, _text(p.get("arm_role")), intervention,
            self.name(intervention) if intervention else "", _int(p.get("participants")),
            _text(p.get("schedule")),
            tuple(self.dose(d) for d in self.targets(node_id, "hasDose")),
        )  # fmt: skip

    def result(self, node: Node, trial_id: str) -> Result:
        p = node.properties
        measure = self.target(node.id, "measure")
        m = self.g.node(measure)
        arm = self.target(node.id, "arm")
        compared = self.target(node.id, "comparedTo")
        met = p.get("met_endpoint")
        p_value = _float(p.get("p_value"))
        return Result(
            id=node.id,
            iri=node.iri,
            curation_id=_text(p.get("curation_id")),
            trial_id=trial_id,
            measure=measure,
            measure_label=m.name if m else measure,
            measure_short=(_text(m.properties.get("abbreviation")) or m.name) if m else measure,
            measure_kind=_text(m.properties.get("measure_kind")) if m else "",
            arm=arm,
            arm_label=self.name(arm) if arm else "",
            compared_to=compared,
            compared_to_label=self.name(compared) if compared else "",
            time_point=_text(p.get("time_point")),
            population=_text(p.get("analysis_population")),
            responders=_int(p.get("responders")),
            analysed=_int(p.get("participants_analysed")),
            percent=_float(p.get("percent")),
            value=_float(p.get("value")),
            value_unit=_text(p.get("value_unit")),
            statistic=_text(p.get("statistic")),
            direction=_text(p.get("direction")),
            p_value=p_value,
            p_value_text=_p_text(_text(p.get("p_value_comparator")), p_value),
            met_endpoint=met if isinstance(met, bool) else None,
            status=_text(p.get("curation_status")),
            note=_text(p.get("note")),
            evidence=self.result_evidence(node),
            p_value_comparator=_text(p.get("p_value_comparator")) if p_value is not None else "",
        )

    def adverse_event(self, node: Node, trial_id: str) -> AdverseEvent:
        p = node.properties
        arm = self.target(node.id, "arm")
        serious = p.get("serious")
        return AdverseEvent(
            node.id, node.iri, trial_id, arm, self.name(arm) if arm else "", node.name,
            serious if isinstance(serious, bool) else None, _int(p.get("affected")),
            _int(p.get("participants_analysed")), _float(p.get("percent")),
            self.result_evidence(node),
        )  # fmt: skip

    def trial(self, node: Node) -> Trial:
        p = node.properties
        design_keys = ("randomised", "blinding", "placebo_controlled", "centres", "allocation",
                       "design_model")  # fmt: skip
        design = {k: _text(p[k]) for k in design_keys if k in p}
        results = [self.g.node(r) for r in self.targets(node.id, "hasResult")]
        events = [self.g.node(a) for a in self.targets(node.id, "adverseEvent")]
        publications = self.targets(node.id, "references")
        endpoints = {
            kind: frozenset(
                m
                for e in self.targets(node.id, f"{kind}Endpoint")
                for m in self.targets(e, "measure")
            )
            for kind in ("primary", "secondary")
        }
        read = [self.result(r, node.id) for r in results if r]
        # a measure with a met / not met verdict is a primary endpoint even where the
        # registered endpoint is not curated
        primary = endpoints["primary"] | {r.measure for r in read if r.met_endpoint is not None}
        return Trial(
            primary_measures=primary,
            secondary_measures=endpoints["secondary"],
            id=node.id,
            iri=node.iri,
            name=node.name,
            curation_id=_text(p.get("curation_id")),
            title=_text(p.get("title")),
            phase=_text(p.get("phase")),
            status=_text(p.get("overall_status")),
            design=design,
            enrolment=_int(p.get("enrolment")),
            registry_ids=_list(p.get("registry_id")),
            conditions=tuple((c, self.name(c)) for c in self.targets(node.id, "studiesCondition")),
            arms=tuple(self.arm(a) for a in self.targets(node.id, "hasArm")),
            results=tuple(
                sorted(
                    read,
                    key=lambda r: _result_order(r, primary, endpoints["secondary"]),
                )
            ),
            adverse_events=tuple(
                sorted(
                    (self.adverse_event(a, node.id) for a in events if a),
                    key=lambda a: (a.arm_label, a.event, a.id),
                )
            ),
            publications=tuple((x, self.name(x)) for x in publications),
        )

    def statement(self, e: Edge) -> StatementRow:
        p = e.properties
        qualifiers = tuple(
            (k.removeprefix("qualifier_"), _text(v))
            for k, v in sorted(p.items())
            if k.startswith("qualifier_")
        )
        statement = _text(p.get("statement")) or e.id
        return StatementRow(
            statement, _expand(statement), e.source, self.iri(e.source),
            self.name(e.source), e.predicate, _expand(e.predicate), e.label, e.target,
            self.iri(e.target), self.name(e.target), e.negated, _text(p.get("status")),
            qualifiers, self.evidence(p),
        )  # fmt: skip


def _expand(curie: str) -> str:
    """The IRI of a predicate CURIE (the project's converter), or the CURIE if unknown."""
    try:
        return str(expand(curie))
    except ValueError:
        return curie


def _result_order(
    r: Result, primary: frozenset[str] = frozenset(), secondary: frozenset[str] = frozenset()
) -> tuple[object, ...]:
    """Primary endpoint results first (the registered primary measure, or met / not met),
    then secondary endpoints, then the rest; within a measure by time point (numerically),
    population, arm results before the comparison, arm."""
    rank = 0 if r.measure in primary else (1 if r.measure in secondary else 2)
    return (rank, r.measure_short.casefold(), r.measure, _time_order(r.time_point), r.population,
            r.statistic, r.is_comparison, r.arm_label, r.curation_id)  # fmt: skip


def publication_name(node: Node) -> str:
    """'Kolios 2021' (first author's surname as curated, and year), else the short title."""
    authors = str(node.properties.get("author_list", "")).split(";")
    first = authors[0].strip()
    year = str(node.properties.get("year", ""))
    if first and year:
        return f"{first} {year}"
    title = node.name if len(node.name) <= 36 else node.name[:35].rstrip() + "…"
    return f"{title} ({year})" if year else title


def source_link(node: Node) -> str:
    """A URL that resolves: PubMed, DOI, registry or PMC from the node's identifiers (dcterms
    identifier, rdfs:seeAlso, its own CURIE), else an http(s) IRI of the node outside the
    project's namespace; '' when there is none (the project's w3id IRIs resolve nowhere)."""
    props = node.properties
    ids = [*_list(props.get("identifier")), *_list(props.get("see_also")), node.id]
    for prefix, template in RESOLVERS.items():
        for curie in ids:
            head, _, local = curie.partition(":")
            if head.upper() == prefix and local:
                return template.format(local.replace("%2F", "/"))
    for url in (node.iri, *_list(props.get("see_also")), *_list(props.get("url"))):
        if url.startswith(("http://", "https://")) and not url.startswith(PROJECT_IRI):
            return url
    return ""


#: "week 12", "months 6": a time point with its unit and number
TIME_POINT = re.compile(r"(day|week|month|year)s?\s+(\d+(?:\.\d+)?)")


def _time_order(time_point: str) -> tuple[int, float, str]:
    """'baseline' < 'week 4' < 'week 12' < 'month 6' < anything else (then by text)."""
    text = time_point.casefold()
    if not text:
        return (3, 0.0, "")
    if text == "baseline":
        return (0, 0.0, text)
    match = TIME_POINT.match(text)
    if match:
        days = {"day": 1, "week": 7, "month": 30.4, "year": 365.25}[match.group(1)]
        return (1, float(match.group(2)) * days, text)
    return (2, 0.0, text)


# ------------------------------------------------------------------------------- formatting


def format_percent(value: float | None) -> str:
    """68.0 -> '68 %', 55.17 -> '55.17 %' (as curated, no rounding beyond float noise)."""
    if value is None:
        return ""
    return f"{value:g} %"


def format_p(value: float | None) -> str:
    """0.3439 -> '0.3439', 1e-05 -> '0.00001': the p-value's digits as curated, no exponent."""
    if value is None:
        return ""
    return format(Decimal(repr(value)).normalize(), "f")


def _p_text(comparator: str, value: float | None) -> str:
    """The p-value as reported: '0.3439', or a bound such as '< 0.001' (kgv:pValueComparator)."""
    text = format_p(value)
    if not (comparator and text):
        return text
    return f"{comparator.replace('<=', '≤').replace('>=', '≥')} {text}"


def _list(value: object) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return tuple(str(v) for v in value)
    return () if value in (None, "") else (str(value),)


def _at(items: tuple[str, ...], i: int) -> str:
    return items[i] if i < len(items) else ""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "; ".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _int(value: object) -> int | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
