"""The typed schema of the curated YAML files under `data/`.

Frozen pydantic records: the loader validates every file against these, and the
RDF builder accepts nothing else. Field docs here are the reference that
`data/README.md` explains with examples.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import Enum, StrEnum
from functools import cache
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from kg.namespaces import canonical_prefix, check_curie

__all__ = [
    "AdverseEvent",
    "Arm",
    "Category",
    "Curation",
    "Dose",
    "Endpoint",
    "Entity",
    "Evidence",
    "OutcomeMeasure",
    "PValue",
    "Publication",
    "Result",
    "Statement",
    "Trial",
    "choices",
]


def _curie(value: str) -> str:
    problem = check_curie(value)
    if problem:
        raise ValueError(problem)
    return value


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        raise ValueError(f"expected a lower-case slug such as 'lupil-2', got {value!r}")
    return value


def _quote(value: str) -> str:
    words = len(value.split())
    if words > 25:
        raise ValueError(f"quote has {words} words; keep verbatim quotes to at most 25 words")
    return value


def _nct(value: str) -> str:
    if not re.fullmatch(r"NCT\d{8}", value):
        raise ValueError(f"expected an NCT number such as NCT02955615, got {value!r}")
    return value


def _eudract(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{6}-\d{2}", value):
        raise ValueError(f"expected a EudraCT number such as 2016-000488-17, got {value!r}")
    return value


Curie = Annotated[str, AfterValidator(_curie)]
Slug = Annotated[str, AfterValidator(_slug)]
Quote = Annotated[str, Field(min_length=1), AfterValidator(_quote)]
NonEmpty = Annotated[str, Field(min_length=1)]
Nct = Annotated[str, AfterValidator(_nct)]
EudraCT = Annotated[str, AfterValidator(_eudract)]
Status = Literal["verified", "unverified"]


class Record(BaseModel):
    """Base of every record: immutable, no unknown fields.

    A field with a closed set of values (a Literal or an enum) is matched after Unicode
    compatibility normalisation (NFKC: the Greek mu of 'μg' matches the micro sign of 'µg'),
    and a number matches the value it spells when that is allowed (`phase: 2` is '2').
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _canonical_choices(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        allowed = choices(cls)
        out = dict(data)
        for name, values in allowed.items():
            if name in out:
                out[name] = _canonical(out[name], values)
        return out


@cache
def choices(model: type[BaseModel]) -> dict[str, tuple[str, ...]]:
    """field name -> its allowed values, for the fields of model that take one of a closed set."""
    out: dict[str, tuple[str, ...]] = {}
    for name, info in model.model_fields.items():
        values = _literal_values(info.annotation)
        if values:
            out[name] = values
    return out


def _literal_values(annotation: Any) -> tuple[str, ...]:
    origin = get_origin(annotation)
    if origin is Literal:
        return tuple(str(v) for v in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(str(m.value) for m in annotation)
    if origin in (Union, UnionType, Annotated):
        for arg in get_args(annotation):
            found = _literal_values(arg)
            if found:
                return found
    return ()


def nfkc(text: str) -> str:
    """Unicode compatibility normal form: one spelling of look-alike characters."""
    return unicodedata.normalize("NFKC", text)


def _canonical(value: Any, allowed: tuple[str, ...]) -> Any:
    """The allowed spelling of value: the same text after NFKC, or the text a number spells."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        text = f"{value:g}" if isinstance(value, float) else str(value)
        return text if text in allowed else value
    if isinstance(value, str) and value not in allowed:
        wanted = nfkc(value).strip()
        for option in allowed:
            if nfkc(option) == wanted:
                return option
    return value


class Category(StrEnum):
    """Biolink categories an entity may take (the property-graph labels)."""

    Disease = "Disease"
    Cell = "Cell"
    Gene = "Gene"
    Protein = "Protein"
    Drug = "Drug"
    ChemicalEntity = "ChemicalEntity"
    BiologicalProcess = "BiologicalProcess"
    MolecularActivity = "MolecularActivity"
    ClinicalIntervention = "ClinicalIntervention"
    ClinicalMeasurement = "ClinicalMeasurement"
    PhenotypicFeature = "PhenotypicFeature"
    AnatomicalEntity = "AnatomicalEntity"
    Procedure = "Procedure"
    Agent = "Agent"
    InformationContentEntity = "InformationContentEntity"
    NamedThing = "NamedThing"


class Entity(Record):
    """A thing the graph talks about, named by a public identifier where one exists."""

    id: Curie
    label: NonEmpty
    category: Category
    description: str | None = None
    synonyms: tuple[NonEmpty, ...] = ()
    xrefs: tuple[Curie, ...] = ()
    status: Status = "verified"
    note: str | None = None


def _publication_id(value: str) -> str:
    if canonical_prefix(value.partition(":")[0]) == "CLINICALTRIALS":
        raise ValueError(
            "a ClinicalTrials.gov record is not a publication: put the NCT number in the "
            "trial's registry.nct (the trial's node is that record)"
        )
    return value


class Publication(Record):
    """A paper, abstract or (non-ClinicalTrials.gov) registry record that evidence points to."""

    id: Annotated[Curie, AfterValidator(_publication_id)] = Field(
        description="PMID:..., DOI:... or il2kg:publication/..."
    )
    title: NonEmpty
    journal: str | None = None
    year: Annotated[int, Field(ge=1900, le=2100)]
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    authors: tuple[NonEmpty, ...] = ()
    pmid: Annotated[str, Field(pattern=r"^[1-9]\d{0,8}$")] | None = None
    doi: Annotated[str, Field(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    pmcid: Annotated[str, Field(pattern=r"^PMC\d+$")] | None = None
    published: date | None = None
    type: Literal[
        "review", "clinical trial report", "case report", "conference abstract",
        "research article", "registry record", "commentary",
    ] = "research article"  # fmt: skip
    status: Status = "verified"
    note: str | None = None


class Evidence(Record):
    """Why we believe a statement: source, ECO evidence class, short verbatim quote, locator."""

    source: Curie
    eco: Curie
    quote: Quote
    locator: NonEmpty = Field(description="where in the source: 'abstract', 'Table 2', ...")


class Statement(Record):
    """A subject-predicate-object claim with its evidence; negated claims are never asserted."""

    id: Slug
    subject: Curie
    predicate: Curie
    object: Curie
    negated: bool = False
    qualifiers: dict[str, str] = Field(default_factory=dict)
    evidence: Annotated[tuple[Evidence, ...], Field(min_length=1)]
    status: Status = "verified"
    note: str | None = None


Unit = Literal["mg", "µg", "g", "mg/kg", "IU", "MIU", "MIU/m2", "IU/kg", "mg/day"]
Route = Literal["subcutaneous", "intravenous", "oral", "intramuscular"]


class Dose(Record):
    """One dose: value and unit, route, how often and for how long."""

    value: Annotated[float, Field(gt=0)]
    unit: Unit
    route: Route | None = Field(default=None, description="omit when the source does not say")
    frequency: NonEmpty = Field(description="e.g. 'daily', 'every other day', 'weekly'")
    duration: str | None = Field(default=None, description="e.g. '5 days', '12 weeks'")
    phase: str | None = Field(default=None, description="e.g. 'induction', 'maintenance'")


class Arm(Record):
    """A trial arm and its intervention."""

    id: Slug
    label: NonEmpty
    role: Literal["experimental", "placebo comparator", "active comparator", "single group"]
    intervention: Curie
    doses: tuple[Dose, ...] = ()
    schedule: str | None = None
    participants: Annotated[int, Field(ge=0)] | None = None


class Endpoint(Record):
    """A pre-specified outcome: which measure, when."""

    measure: Slug
    time_point: str | None = None
    description: str | None = None


class Count(Record):
    """n of N."""

    n: Annotated[int, Field(ge=0)]
    total: Annotated[int, Field(gt=0)]


Comparator = Literal["=", "<", "<=", ">", ">="]
_BOUND = re.compile(r"\s*(?:[pP]\s*)?(<=|>=|≤|≥|<|>|=)?\s*(\d*\.?\d+(?:[eE][-+]?\d+)?)\s*")
_COMPARATORS = {"≤": "<=", "≥": ">=", None: "="}


class PValue(Record):
    """A p-value as reported: the number, and whether it is exact ('=') or a bound ('<0.001')."""

    value: Annotated[float, Field(ge=0, le=1)]
    comparator: Comparator = "="

    def __str__(self) -> str:
        return f"{'' if self.comparator == '=' else self.comparator}{self.value:g}"


def _p_value(value: Any) -> Any:
    """0.03, '0.03', '<0.001', '< 0.001', '≤0.05', '>0.05', 'p<0.001' -> {value, comparator}."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    comparator: str | None = None
    if isinstance(value, str):
        match = _BOUND.fullmatch(nfkc(value))
        if match is None:
            raise ValueError(
                f"expected a p-value such as 0.03 or a bound such as '<0.001', got {value!r}"
            )
        comparator, number = match.group(1), float(match.group(2))
    else:
        number = float(value)
    if number > 1:
        raise ValueError(f"input should be less than or equal to 1, got {value!r}")
    if number < 0:
        raise ValueError(f"input should be greater than or equal to 0, got {value!r}")
    return {"value": number, "comparator": _COMPARATORS.get(comparator, comparator)}


class Result(Record):
    """A reported number for one arm, or a between-arm comparison."""

    id: Slug
    measure: Slug
    arm: Slug | None = None
    compared_to: Slug | None = None
    time_point: str | None = None
    population: (
        Literal["ITT", "mITT", "per-protocol", "post hoc per-protocol", "safety", "all"] | None
    ) = Field(default=None, description="omit when the source does not name the analysis set")
    direction: Literal["increased", "decreased", "unchanged"] | None = Field(
        default=None, description="for qualitative findings without a number"
    )
    responders: Count | None = None
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    value: float | None = None
    unit: str | None = None
    statistic: str | None = Field(default=None, description="e.g. 'median', 'fold change'")
    p_value: Annotated[PValue, BeforeValidator(_p_value)] | None = Field(
        default=None, description="0.03, or a bound as reported: '<0.001', '≤0.05', '>0.05'"
    )
    met_endpoint: bool | None = None
    source: Curie
    evidence: tuple[Evidence, ...] = ()
    status: Status = "verified"
    note: str | None = None


class AdverseEvent(Record):
    """Adverse events of one kind in one arm."""

    arm: Slug
    event: NonEmpty
    serious: bool = False
    n: Annotated[int, Field(ge=0)]
    total: Annotated[int, Field(gt=0)] | None = None
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    source: Curie


class Design(Record):
    """How a trial is built."""

    randomised: bool | None = Field(default=None, description="omit when not stated")
    blinding: (
        Literal["open-label", "single-blind", "double-blind", "triple-blind", "quadruple-blind"]
        | None
    ) = None
    placebo_controlled: bool | None = None
    centres: Literal["single-centre", "multicentre"] | None = None
    allocation: str | None = Field(default=None, description="e.g. '1:1'")
    model: (
        Literal[
            "parallel",
            "single group",
            "crossover",
            "basket",
            "dose-escalation",
            "case report",
            "case series",
        ]
        | None
    ) = None


class Registry(Record):
    """Registry identifiers of a trial."""

    nct: tuple[Nct, ...] = ()
    eudract: tuple[EudraCT, ...] = ()
    other: tuple[NonEmpty, ...] = ()


class Trial(Record):
    """A clinical study of low-dose IL-2 (or an IL-2 variant) with its design, arms and results."""

    id: Slug
    acronym: NonEmpty
    title: NonEmpty
    registry: Registry = Registry()
    phase: Literal["1", "1b", "1/2", "1/2a", "2", "2b", "3", "N/A", "not stated"]
    design: Design
    enrolment: Annotated[int, Field(ge=1)] | None = None
    enrolment_type: Literal["actual", "planned"] | None = Field(
        default=None, description="omit when the source does not say"
    )
    sponsor: str | None = None
    status: Literal["completed", "terminated", "recruiting", "active", "unknown"] = "completed"
    conditions: Annotated[tuple[Curie, ...], Field(min_length=1)]
    start: date | None = None
    primary_completion: date | None = None
    completion: date | None = None
    arms: Annotated[tuple[Arm, ...], Field(min_length=1)]
    primary_endpoints: tuple[Endpoint, ...] = ()
    secondary_endpoints: tuple[Endpoint, ...] = ()
    registered_endpoints: tuple[Endpoint, ...] = Field(
        default=(), description="registered outcomes whose rank (primary/secondary) is not known"
    )
    results: tuple[Result, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    publications: tuple[Curie, ...] = ()
    curation_status: Status = "verified"
    note: str | None = None


class OutcomeMeasure(Record):
    """A clinical or immunological outcome measure (SRI-4, SLEDAI-2K, Treg frequency...)."""

    id: Slug
    label: NonEmpty
    abbreviation: str | None = None
    description: str | None = None
    kind: Literal[
        "composite index",
        "disease activity index",
        "laboratory",
        "immunological",
        "clinical",
        "safety",
    ]
    xrefs: tuple[Curie, ...] = ()


class Curation(Record):
    """Everything curated under `data/`, after validation."""

    entities: tuple[Entity, ...]
    publications: tuple[Publication, ...]
    statements: tuple[Statement, ...]
    trials: tuple[Trial, ...]
    outcome_measures: tuple[OutcomeMeasure, ...]
