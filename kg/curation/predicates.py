"""Domain and range of every statement predicate, as Biolink categories.

RO gives most relations a BFO domain and range ("positively regulates" holds between
processes, "is substance that treats" starts from a material entity). The curation names
things by Biolink category, so the table below restates each predicate's domain and range
in those categories; `misused_predicates` checks every statement against it (a test and
`kg validate` use it). Planned processes (a therapy, a trial) count as processes; drugs,
proteins, genes, cells and anatomy as material entities.

Where RO has no relation of the right shape, a Biolink predicate is used (declared in
ontologies/vocabulary.ttl): `biolink:affects` for an agent's effect on the abundance or
activity of a cell type (direction and aspect in the qualifiers), `biolink:studied_to_treat`
and `biolink:in_clinical_trials_for` for a therapy tested against a disease without proof of
efficacy, `biolink:beneficial_in_models_for` for an effect in an animal model.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kg.curation.schema import Curation
from kg.rdf.findings import Issue

__all__ = [
    "CLINICAL_ECO",
    "DOMAIN_RANGE",
    "MATERIAL",
    "PROCESS",
    "Misuse",
    "category_of",
    "misuse_issues",
    "misused_predicates",
]

#: planned or biological processes (BFO occurrents)
PROCESS = frozenset({"BiologicalProcess", "MolecularActivity", "ClinicalIntervention", "Procedure",
                     "ClinicalTrial"})  # fmt: skip
#: material entities (BFO independent continuants with mass)
MATERIAL = frozenset({"Drug", "ChemicalEntity", "Protein", "Gene", "Cell", "AnatomicalEntity"})
CONDITION = frozenset({"Disease", "PhenotypicFeature"})
TREATMENT = frozenset({"Drug", "ChemicalEntity", "Protein", "ClinicalIntervention", "Procedure"})
ANY = PROCESS | MATERIAL | CONDITION | {"NamedThing", "Agent", "InformationContentEntity",
                                        "ClinicalMeasurement"}  # fmt: skip

#: predicate CURIE -> (allowed subject categories, allowed object categories)
DOMAIN_RANGE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "RO:0002211": (PROCESS, PROCESS),  # regulates
    "RO:0002212": (PROCESS, PROCESS),  # negatively regulates
    "RO:0002213": (PROCESS, PROCESS),  # positively regulates
    "RO:0002428": (MATERIAL, PROCESS),  # involved in regulation of
    "RO:0002429": (MATERIAL, PROCESS),  # involved in positive regulation of
    "RO:0002430": (MATERIAL, PROCESS),  # involved in negative regulation of
    "RO:0002331": (MATERIAL, PROCESS),  # involved in
    "RO:0002215": (MATERIAL, PROCESS),  # capable of
    "RO:0002606": (
        frozenset({"Drug", "ChemicalEntity", "Protein"}),
        CONDITION,
    ),  # is substance that treats
    "RO:0003307": (ANY, CONDITION),  # ameliorates condition
    "RO:0003302": (ANY, CONDITION),  # causes or contributes to condition
    "RO:0003304": (ANY, CONDITION),  # contributes to condition
    "RO:0002200": (ANY, frozenset({"PhenotypicFeature"})),  # has phenotype
    "RO:0002205": (frozenset({"Gene"}), frozenset({"Protein"})),  # has gene product
    "RO:0002292": (
        frozenset({"Cell", "AnatomicalEntity"}),
        frozenset({"Gene", "Protein"}),
    ),  # expresses
    "RO:0003002": (MATERIAL, frozenset({"Gene", "Protein"})),  # represses expression of
    "RO:0003003": (MATERIAL, frozenset({"Gene", "Protein"})),  # increases expression of
    "RO:0002434": (MATERIAL, MATERIAL),  # interacts with
    "RO:0001025": (MATERIAL, MATERIAL),  # located in
    "RO:0000057": (PROCESS, MATERIAL),  # has participant
    "biolink:affects": (ANY, ANY),
    "biolink:studied_to_treat": (TREATMENT, CONDITION),
    "biolink:in_clinical_trials_for": (TREATMENT, CONDITION),
    "biolink:beneficial_in_models_for": (TREATMENT, CONDITION),
}
#: ECO classes that count as clinical evidence (a "treats" claim needs one)
CLINICAL_ECO = frozenset({"ECO:0000180", "ECO:0007121"})


@dataclass(frozen=True)
class Misuse:
    """A statement whose predicate is unknown or used outside its domain or range."""

    statement: str
    field: str  # "predicate", "subject", "object" or "evidence"
    message: str


def category_of(curation: Curation) -> dict[str, str]:
    """CURIE -> Biolink category of every entity, and "ClinicalTrial" for each trial's NCT id."""
    out = {e.id: str(e.category.value if hasattr(e.category, "value") else e.category)
           for e in curation.entities}  # fmt: skip
    for t in curation.trials:
        for nct in t.registry.nct[:1]:
            out[f"NCT:{nct}"] = "ClinicalTrial"
    return out


def misused_predicates(curation: Curation) -> Iterator[Misuse]:
    """Every statement whose predicate is not in DOMAIN_RANGE, or whose subject or object has a
    category outside the predicate's domain or range, or a "treats" claim without clinical ECO."""
    cats = category_of(curation)
    for st in curation.statements:
        rule = DOMAIN_RANGE.get(st.predicate)
        if rule is None:
            yield Misuse(st.id, "predicate", f"{st.predicate} has no declared domain and range "
                         "(kg/curation/predicates.py); pick a predicate listed there")  # fmt: skip
            continue
        for field, node, allowed in (
            ("subject", st.subject, rule[0]),
            ("object", st.object, rule[1]),
        ):
            cat = cats.get(node)
            if cat is not None and cat not in allowed:
                yield Misuse(st.id, field, f"{node} is a {cat}; {st.predicate} expects "
                             f"{' or '.join(sorted(allowed))}")  # fmt: skip
        if st.predicate == "RO:0002606" and not any(ev.eco in CLINICAL_ECO for ev in st.evidence):
            yield Misuse(st.id, "evidence", "a 'treats' claim (RO:0002606) needs clinical evidence "
                         f"({', '.join(sorted(CLINICAL_ECO))})")  # fmt: skip


def misuse_issues(curation: Curation) -> list[Issue]:
    """Misuses as validation issues at the statement's field (check `predicate-domain-range`).

    A predicate missing from DOMAIN_RANGE is left to the StatementPredicate shape when it is
    undeclared, and to the curation tests otherwise.
    """
    return [
        Issue(m.statement, (m.field,), "predicate-domain-range", m.message, focus=m.statement)
        for m in misused_predicates(curation)
        if m.field != "predicate"
    ]
