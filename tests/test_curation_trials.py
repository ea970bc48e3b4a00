"""Curated trials: one test per kind of error the curation audit found (issue 10, section 1).

Each test states a rule that held for none or only some trials before the audit and must
hold for every trial now, so that a new or edited trial file is checked the same way:
NCIt phase classes against the NCIt trial-phase code list, recorded status against the
registry status written in the trial's note, percentages against n/N, placebo schedules,
severity not recorded as seriousness, basket trials with their diseases, routes that the
schedule states. Counts are lower bounds: adding a trial never breaks them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyoxigraph import QuerySolutions, Store

from kg.curation.load import load_curation
from kg.curation.schema import Curation, Trial
from kg.namespaces import expand
from kg.query.catalog import QueryText, resolve
from kg.query.sparql import execute
from kg.query.store import load_store
from kg.rdf.model import PHASE_CLASSES

ROOT = Path(__file__).resolve().parents[1]
CODELIST = ROOT / "tests" / "fixtures" / "ncit_trial_phase_codelist.tsv"

#: registry wording -> the curation's `status` value
REGISTRY_STATUS = {
    "Completed": "completed",
    "Terminated": "terminated",
    "Prematurely Ended": "terminated",
    "Recruiting": "recruiting",
    "Active, not recruiting": "active",
    "Unknown status": "unknown",
}
_STATUS_LINE = re.compile(r"Registry status: (?P<status>[A-Za-z ,]+?) \(")

_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}


@pytest.fixture(scope="module")
def curation() -> Curation:
    return load_curation(ROOT / "data").curation


def _codelist() -> dict[str, str]:
    """NCIt code (C15693) -> label ('PHASE I/II TRIAL'), from the committed fixture."""
    rows = {}
    for line in CODELIST.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            code, label = line.split("\t")
            rows[code] = label
    return rows


def phase_label(phase: str) -> str:
    """The NCIt label a curated phase text stands for.

    '1/2' -> 'PHASE I/II TRIAL', '2b' -> 'PHASE IIB TRIAL'; raises KeyError for N/A.
    """
    parts = []
    for part in phase.split("/"):
        digit, suffix = part[0], part[1:]
        parts.append(_ROMAN[digit] + suffix.upper())
    return f"PHASE {'/'.join(parts)} TRIAL"


def percent_agrees(n: int, total: int, percent: float) -> bool:
    """A reported percentage agrees with n/N when it is n/N rounded to a whole number or finer."""
    return abs(percent - 100 * n / total) <= 0.5 + 1e-9


def _registry_status(trial: Trial) -> str | None:
    found = _STATUS_LINE.search(" ".join((trial.note or "").split()))
    return found.group("status") if found else None


# ---- NCIt phase classes ----------------------------------------------------------------


def test_every_phase_class_is_the_ncit_class_of_its_phase() -> None:
    """NCIT:C15694 is Phase II/III; a phase table entry must name the class of its own phase."""
    codes = _codelist()
    assert codes["C15693"] == "PHASE I/II TRIAL" and codes["C15694"] == "PHASE II/III TRIAL"
    for phase, iri in PHASE_CLASSES.items():
        code = str(iri).rsplit("_", 1)[-1].rsplit("/", 1)[-1]
        assert code in codes, f"phase {phase!r}: {code} is not an NCIt trial-phase code"
        assert codes[code] == phase_label(phase), f"phase {phase!r} -> {code} ({codes[code]})"


def test_every_curated_ncit_phase_entity_carries_its_ncit_label(curation: Curation) -> None:
    codes = _codelist()
    phase_entities = [
        e for e in curation.entities if e.id.startswith("NCIT:") and "phase" in e.label.lower()
    ]
    assert len(phase_entities) >= len(PHASE_CLASSES)
    for entity in phase_entities:
        code = entity.id.removeprefix("NCIT:")
        assert code in codes, f"{entity.id} ({entity.label}) is not an NCIt trial-phase class"
        assert entity.label.upper() == codes[code], (
            f"{entity.id}: {entity.label!r} != {codes[code]!r}"
        )


def test_every_mapped_phase_class_is_a_curated_entity(curation: Curation) -> None:
    """The builder's phaseClass edges point at nodes the graph describes (no dangling IRI)."""
    ids = {expand(e.id) for e in curation.entities}
    assert set(PHASE_CLASSES.values()) <= ids


@given(st.sampled_from(["1", "1/2", "2", "2b", "3"]))
def test_phase_label_is_upper_case_roman(phase: str) -> None:
    label = phase_label(phase)
    assert label.startswith("PHASE ") and label.endswith(" TRIAL")
    assert not any(ch.isdigit() for ch in label)


# ---- registry facts -----------------------------------------------------------------------


def test_recorded_status_matches_the_registry_status_in_the_note(curation: Curation) -> None:
    checked = 0
    for trial in curation.trials:
        registry = _registry_status(trial)
        if registry is None:
            continue
        assert registry in REGISTRY_STATUS, f"{trial.id}: unknown registry wording {registry!r}"
        assert trial.status == REGISTRY_STATUS[registry], (
            f"{trial.id}: status {trial.status!r}, registry says {registry!r}"
        )
        checked += 1
    assert checked >= 10


def test_registry_read_trials_record_phase_sponsor_and_enrolment(curation: Curation) -> None:
    """A trial whose registry record was read states what the record states."""
    for trial in curation.trials:
        if _registry_status(trial) is None:
            continue
        assert trial.phase != "not stated", trial.id
        assert trial.sponsor, trial.id
        assert trial.enrolment, trial.id
        assert trial.registry.nct or trial.registry.eudract, trial.id


def test_schedules_that_say_subcutaneous_put_the_route_on_the_doses(curation: Curation) -> None:
    for trial in curation.trials:
        for arm in trial.arms:
            text = (arm.schedule or "").lower()
            says_sc = "s.c." in text or re.search(r"\bsubcutaneous(ly)?\b", text)
            if says_sc and "not in the" not in text:
                for dose in arm.doses:
                    assert dose.route == "subcutaneous", f"{trial.id}/{arm.id}: {dose}"


# ---- results and adverse events ----------------------------------------------------------


def test_result_percentages_agree_with_responders(curation: Curation) -> None:
    for trial in curation.trials:
        for r in trial.results:
            if r.responders and r.percent is not None:
                n, total = r.responders.n, r.responders.total
                assert percent_agrees(n, total, r.percent), (
                    f"{trial.id}/{r.id}: {n}/{total} vs {r.percent}%"
                )


def test_adverse_event_percentages_agree_with_counts(curation: Curation) -> None:
    for trial in curation.trials:
        for ae in trial.adverse_events:
            if ae.total is not None and ae.percent is not None:
                assert percent_agrees(ae.n, ae.total, ae.percent), f"{trial.id}/{ae.arm}/{ae.event}"


@given(
    st.integers(min_value=1, max_value=500).flatmap(
        lambda t: st.tuples(st.integers(0, t), st.just(t))
    )
)
def test_percent_check_accepts_every_rounding_and_rejects_a_wrong_count(
    pair: tuple[int, int],
) -> None:
    n, total = pair
    exact = 100 * n / total
    for digits in (0, 1, 2):
        assert percent_agrees(n, total, round(exact, digits))
    if 2 <= total <= 100:  # one patient moves the percentage by at least one point
        wrong = n + 1 if n < total else n - 1
        assert not percent_agrees(wrong, total, round(exact, 2))


def test_severe_adverse_events_are_not_recorded_as_serious(curation: Curation) -> None:
    """Severity (grade) is not seriousness: He 2020's Table 3 'SAE' means severe."""
    for trial in curation.trials:
        for ae in trial.adverse_events:
            if "severe" in ae.event.lower():
                assert not ae.serious, f"{trial.id}: {ae.event}"


def test_both_placebo_controlled_sle_rcts_record_their_failed_primary_endpoint(
    curation: Curation,
) -> None:
    """LUPIL-2 and He 2020 missed SRI-4 at week 12; LUPIL-2's failure carries its reason."""
    by_nct = {nct: t for t in curation.trials for nct in t.registry.nct}
    for nct in ("NCT02955615", "NCT02465580"):
        trial = by_nct[nct]
        failed = [r for r in trial.results if r.met_endpoint is False and r.compared_to]
        assert failed, nct
        assert all(r.measure in {e.measure for e in trial.primary_endpoints} for r in failed)
    lupil = by_nct["NCT02955615"]
    reasons = [ev.quote for r in lupil.results if r.met_endpoint is False for ev in r.evidence]
    assert any("Bulgaria" in q for q in reasons)


def test_compared_placebo_arms_describe_their_schedule(curation: Curation) -> None:
    for trial in curation.trials:
        compared = {r.compared_to for r in trial.results if r.compared_to}
        for arm in trial.arms:
            if arm.role == "placebo comparator" and arm.id in compared:
                assert arm.schedule and "not recorded" not in arm.schedule, f"{trial.id}/{arm.id}"


def test_basket_trials_list_their_diseases(curation: Curation) -> None:
    baskets = [t for t in curation.trials if t.design.model == "basket"]
    assert baskets
    for trial in baskets:
        assert len(set(trial.conditions)) >= 2, trial.id
    transreg = next(t for t in baskets if "NCT01988506" in t.registry.nct)
    assert len(set(transreg.conditions)) == 11


def test_result_and_adverse_event_rows_and_their_sources(curation: Curation) -> None:
    """Lower bounds for the issue's target: >= 120 rows from >= 20 distinct sources."""
    rows = [(t.id, r.source) for t in curation.trials for r in t.results]
    rows += [(t.id, ae.source) for t in curation.trials for ae in t.adverse_events]
    assert len(rows) >= 120
    assert len({source for _, source in rows}) >= 20
    assert len(curation.trials) >= 20


# ---- the trial competency queries (kg/queries/trials_*.rq) on the built graph ----------------


@pytest.fixture(scope="module")
def store(exports: Path) -> Store:
    return load_store(exports)


def _rows(store: Store, name: str) -> list[dict[str, str]]:
    """Rows of a named SELECT query as plain strings ('' for unbound)."""
    result = execute(store, resolve(name))
    assert isinstance(result, QuerySolutions), name
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result]


def test_trials_failed_primary_endpoints_query(store: Store) -> None:
    table = _rows(store, "trials_failed_primary_endpoints")
    assert {"LUPIL-2", "He 2020 RCT"} <= {r["acronym"] for r in table}
    lupil = [r for r in table if r["acronym"] == "LUPIL-2"]
    assert {r["pValue"] for r in lupil} == {"0.3439"}
    # one row per missed endpoint (result), every evidence quote of it in its one ?reason
    missed = execute(store, QueryText(
        "SELECT ?r ?q WHERE { ?r kgv:metEndpoint false OPTIONAL { ?r kgv:evidence/kgv:quote ?q } }",
        "<q>"))  # fmt: skip
    quotes: dict[str, set[str]] = {}
    for solution in missed:  # type: ignore[union-attr]
        quote = solution["q"]
        quotes.setdefault(solution["r"].value, set()).update([quote.value] if quote else [])
    assert len(table) == len(quotes) and len(lupil) == 1
    reasons = sorted((r["reason"], int(r["quotes"])) for r in table)
    assert reasons == sorted((min(q, default=""), len(q)) for q in quotes.values())
    assert int(lupil[0]["quotes"]) >= 2
    assert any("Bulgaria" in q for qs in quotes.values() for q in qs)


def test_trials_other_il2_agents_query(store: Store) -> None:
    table = _rows(store, "trials_other_il2_agents")
    assert {"efavaleukin alfa", "NKTR-358"} <= {r["agent"] for r in table}
    violet = [r for r in table if r["acronym"] == "VIOLET"]
    assert len(violet) == 1 and violet[0]["status"] == "terminated"


def test_trials_other_diseases_query(store: Store) -> None:
    diseases = {r["disease"] for r in _rows(store, "trials_other_diseases")}
    expected = {"type 1 diabetes mellitus", "chronic graft versus host disease"}
    assert expected | {"Cryoglobulinemic vasculitis", "rheumatoid arthritis"} <= diseases
    assert "systemic lupus erythematosus" not in diseases


def test_trials_he2020_arms_side_by_side_query(store: Store) -> None:
    table = _rows(store, "trials_he2020_arms_side_by_side")
    prednisone = {
        r["timePoint"]: (r["il2"], r["placebo"]) for r in table if "prednisone" in r["measure"]
    }
    assert prednisone == {
        "baseline": ("15", "15"),
        "week 12": ("10", "15"),
        "week 24": ("10", "10"),
    }
