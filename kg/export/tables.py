"""tables/*.csv: the trials, arms and doses, results, adverse events and statements as rows.

For R (`read.csv`, `readr::read_csv`), pandas and spreadsheets: one row per fact, a fixed
column order (the COLUMNS tables below, documented in docs/tables.md), UTF-8 without a byte
order mark, `\\n` line ends, RFC 4180 quoting. Everything is read from the one property-graph
projection through kg/views/trialdata.py (the records the HTML result pages show), so a table
cell equals the graph's value; confidence intervals come from statsmodels
(kg/views/intervals.py). An empty cell means the graph holds no value, never zero.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.atomic import write_atomic
from kg.export.base import BuildContext, Sink
from kg.views.trialdata import Evidence, Result, Trial, TrialData, trial_data

__all__ = ["COLUMNS", "TablesSink", "table_rows", "write_tables"]

Row = dict[str, object]

#: file name -> its columns, in order (docs/tables.md explains each)
COLUMNS: dict[str, tuple[str, ...]] = {
    "trials.csv": (
        "trial_id", "trial_iri", "acronym", "curation_id", "title", "phase", "overall_status",
        "randomised", "blinding", "placebo_controlled", "centres", "allocation", "design_model",
        "enrolment", "registry_ids", "condition_ids", "conditions", "arm_count", "result_count",
        "adverse_event_count", "publication_ids",
    ),
    "arms_doses.csv": (
        "trial_id", "acronym", "arm_id", "arm", "arm_role", "intervention_id", "intervention",
        "participants", "dose_id", "dose_value", "dose_unit", "dose_unit_ucum", "dose_unit_label",
        "route", "frequency", "duration", "regimen_phase", "schedule",
    ),
    "results.csv": (
        "trial_id", "acronym", "result_id", "result_iri", "curation_id", "kind", "measure_id",
        "measure", "measure_abbreviation", "time_point", "population", "arm_id", "arm",
        "compared_to_id", "compared_to", "responders", "analysed", "percent", "ci_low_percent",
        "ci_high_percent", "ci_method", "value", "value_unit", "statistic", "direction",
        "difference_percent", "difference_ci_low", "difference_ci_high", "difference_method",
        "p_value_comparator", "p_value", "p_value_reported", "met_endpoint", "status",
        "source_id", "source", "source_short", "source_link", "source_iri", "eco_ids", "quotes",
        "locators", "note",
    ),
    "adverse_events.csv": (
        "trial_id", "acronym", "adverse_event_id", "adverse_event_iri", "arm_id", "arm", "event",
        "serious", "affected", "analysed", "percent", "ci_low_percent", "ci_high_percent",
        "ci_method", "source_id", "source", "source_short", "source_link", "source_iri",
    ),
    "statements.csv": (
        "statement_id", "statement_iri", "subject_id", "subject_iri", "subject", "predicate_id",
        "predicate_iri", "predicate", "object_id", "object_iri", "object", "negated", "status",
        "qualifiers",
        "evidence_number", "evidence_count", "source_id", "source", "source_short",
        "source_link", "source_iri", "eco_id", "eco_label", "quote", "locator",
    ),
}  # fmt: skip
#: pandas.read_csv's default missing-value tokens (pandas._libs.parsers.STR_NA_VALUES, as of
#: pandas 2.x; tests/test_tables.py compares): a curated text equal to one of them would be
#: read back as NaN, so it is written as the words it stands for (phase `N/A` -> `not
#: applicable`) or else quoted in apostrophes ('NULL').
NA_TOKENS = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
})  # fmt: skip
NA_WORDS = {"N/A": "not applicable", "n/a": "not applicable", "NA": "not applicable",
            "#N/A": "not applicable", "#NA": "not applicable", "None": "none"}  # fmt: skip
#: decimals of computed percentages (confidence limits, differences): 0.0001 percentage points
DECIMALS = 4


class TablesSink(Sink):
    """The `tables` format (its row in kg/export/formats.py says what it writes)."""

    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        return write_tables(trial_data(ctx.projection), out / "tables")


def write_tables(data: TrialData, directory: Path) -> list[Path]:
    """Write every table into directory; return the paths (in COLUMNS order)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in table_rows(data).items():
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, COLUMNS[name], lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
        written.append(write_atomic(directory / name, buffer.getvalue()))
    return written


def table_rows(data: TrialData) -> dict[str, list[Row]]:
    """The rows of every table, as dicts keyed by column (values not yet formatted)."""
    return {
        "trials.csv": [_trial_row(t) for t in data.trials],
        "arms_doses.csv": list(_arm_rows(data.trials)),
        "results.csv": [row for t in data.trials for row in _result_rows(t)],
        "adverse_events.csv": list(_adverse_event_rows(data.trials)),
        "statements.csv": list(_statement_rows(data)),
    }


def _cell(value: object) -> str:
    """The cell text: '' only for a value the graph does not hold (None or empty text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if text and text.strip() in NA_TOKENS:
        return NA_WORDS.get(text.strip(), f"'{text}'")
    return text


def _joined(items: Iterable[str]) -> str:
    return " | ".join(i for i in items if i)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _trial_row(t: Trial) -> Row:
    return {
        "trial_id": t.id, "trial_iri": t.iri, "acronym": t.name, "curation_id": t.curation_id,
        "title": t.title, "phase": t.phase, "overall_status": t.status, **t.design,
        "enrolment": t.enrolment, "registry_ids": _joined(t.registry_ids),
        "condition_ids": _joined(c for c, _ in t.conditions),
        "conditions": _joined(label for _, label in t.conditions), "arm_count": len(t.arms),
        "result_count": len(t.results), "adverse_event_count": len(t.adverse_events),
        "publication_ids": _joined(p for p, _ in t.publications),
    }  # fmt: skip


def _arm_rows(trials: Iterable[Trial]) -> Iterator[Row]:
    for t in trials:
        for arm in t.arms:
            base: Row = {
                "trial_id": t.id, "acronym": t.name, "arm_id": arm.id, "arm": arm.label,
                "arm_role": arm.role, "intervention_id": arm.intervention,
                "intervention": arm.intervention_label, "participants": arm.participants,
                "schedule": arm.schedule,
            }  # fmt: skip
            if not arm.doses:
                yield base
            for d in arm.doses:
                yield {
                    **base, "dose_id": d.id, "dose_value": d.value, "dose_unit": d.unit,
                    "dose_unit_ucum": d.unit_ucum, "dose_unit_label": d.unit_label,
                    "route": d.route, "frequency": d.frequency, "duration": d.duration,
                    "regimen_phase": d.phase,
                }  # fmt: skip


def _result_rows(t: Trial) -> Iterator[Row]:
    from kg.views.intervals import arm_estimate, difference_estimate

    comparisons = {c.result.id: c for c in t.comparisons}
    for r in t.results:
        row: Row = {
            "trial_id": t.id, "acronym": t.name, "result_id": r.id, "result_iri": r.iri,
            "curation_id": r.curation_id, "kind": "comparison" if r.is_comparison else "arm",
            "measure_id": r.measure, "measure": r.measure_label,
            "measure_abbreviation": r.measure_short if r.measure_short != r.measure_label else "",
            "time_point": r.time_point,
            "population": r.population, "arm_id": r.arm, "arm": r.arm_label,
            "compared_to_id": r.compared_to, "compared_to": r.compared_to_label,
            "responders": r.responders, "analysed": r.analysed, "percent": r.percent,
            "value": r.value, "value_unit": r.value_unit, "statistic": r.statistic,
            "direction": r.direction, "p_value_comparator": r.p_value_comparator,
            "p_value": r.p_value, "p_value_reported": r.p_value_text,
            "met_endpoint": r.met_endpoint, "status": r.status, "note": r.note,
            **_evidence_cells(r),
        }  # fmt: skip
        if r.is_comparison:
            diff = difference_estimate(comparisons[r.id])
            row.update(
                difference_percent=_rounded(diff.point),
                difference_ci_low=_rounded(diff.low),
                difference_ci_high=_rounded(diff.high),
                difference_method=diff.method,
            )
        elif r.responders is not None or r.percent is not None:
            est = arm_estimate(r)
            row.update(
                ci_low_percent=_rounded(est.low),
                ci_high_percent=_rounded(est.high),
                ci_method=est.method,
            )
        yield row


def _evidence_cells(r: Result) -> Row:
    first: Evidence | None = r.evidence[0] if r.evidence else None
    return {
        "source_id": first.source if first else "",
        "source": first.source_name if first else "",
        "source_short": first.source_short if first else "",
        "source_link": first.source_link if first else "",
        "source_iri": first.source_iri if first else "",
        "eco_ids": _joined(e.eco for e in r.evidence),
        "quotes": _joined(e.quote for e in r.evidence),
        "locators": _joined(e.locator for e in r.evidence),
    }


def _adverse_event_rows(trials: Iterable[Trial]) -> Iterator[Row]:
    from kg.views.intervals import PROPORTION_METHOD, proportion_ci

    for t in trials:
        for a in t.adverse_events:
            row: Row = {
                "trial_id": t.id, "acronym": t.name, "adverse_event_id": a.id,
                "adverse_event_iri": a.iri, "arm_id": a.arm,
                "arm": a.arm_label, "event": a.event, "serious": a.serious,
                "affected": a.affected, "analysed": a.analysed, "percent": a.percent,
            }  # fmt: skip
            if a.affected is not None and a.analysed:
                low, high = proportion_ci(a.affected, a.analysed)
                row.update(
                    ci_low_percent=_rounded(100 * low),
                    ci_high_percent=_rounded(100 * high),
                    ci_method=PROPORTION_METHOD,
                )
            if a.evidence:
                ev = a.evidence[0]
                row.update(source_id=ev.source, source=ev.source_name, source_short=ev.source_short,
                           source_link=ev.source_link, source_iri=ev.source_iri)  # fmt: skip
            yield row


def _statement_rows(data: TrialData) -> Iterator[Row]:
    """One row per statement and evidence item (a statement with k items has k rows)."""
    for s in data.statements:
        base: Row = {
            "statement_id": s.id, "statement_iri": s.iri, "subject_id": s.subject,
            "subject_iri": s.subject_iri,
            "subject": s.subject_label, "predicate_id": s.predicate,
            "predicate_iri": s.predicate_iri, "predicate": s.predicate_label,
            "object_id": s.object, "object_iri": s.object_iri, "object": s.object_label,
            "negated": s.negated, "status": s.status,
            "qualifiers": _joined(f"{k}={v}" for k, v in s.qualifiers),
            "evidence_count": len(s.evidence),
        }  # fmt: skip
        if not s.evidence:
            yield base
        for i, ev in enumerate(s.evidence, start=1):
            yield {
                **base, "evidence_number": i, "source_id": ev.source, "source": ev.source_name,
                "source_short": ev.source_short, "source_link": ev.source_link,
                "source_iri": ev.source_iri, "eco_id": ev.eco, "eco_label": ev.eco_label,
                "quote": ev.quote, "locator": ev.locator,
            }  # fmt: skip
