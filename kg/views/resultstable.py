"""A trial's results as table rows ready for the page: numbers formatted, intervals computed.

Why a separate step: the trial pages (results beside the graph) and the cross-trial page show
the same cells, and both must equal the graph (kg/views/trialdata.py) and the CSV tables
(kg/export/tables.py). Text is plain here; the Jinja2 templates escape it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.views.intervals import Estimate, arm_estimate, difference_estimate
from kg.views.labels import arm_result_text
from kg.views.trialdata import Evidence, Result, Trial

__all__ = ["ResultRow", "format_ci", "format_points", "result_rows", "results_table"]


@dataclass(frozen=True)
class ResultRow:
    """One table row; `kind` is 'arm' or 'comparison'. Every text cell is already formatted."""

    node_id: str
    iri: str
    anchor: str
    kind: str
    measure: str
    measure_label: str
    time_point: str
    population: str
    arm: str
    count: str
    percent: str
    ci: str
    difference: str
    p_value: str
    met: str
    evidence: tuple[Evidence, ...]
    note: str


def format_points(value: float | None, *, signed: bool = False) -> str:
    """A percentage (or percentage-point difference) with one decimal: '37.2', '-0.3'."""
    if value is None:
        return ""
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    return text.replace("-", "−")


def format_ci(estimate: Estimate, unit: str = " %") -> str:
    """'29.1 to 76.8 %' or the reason there is none."""
    if estimate.has_interval:
        return f"{format_points(estimate.low)} to {format_points(estimate.high)}{unit}"
    if estimate.point is not None:
        return "no interval: percentages only"
    return ""


def result_rows(trial: Trial) -> list[ResultRow]:
    """Every result of the trial as a row, in the trial's result order."""
    comparisons = {c.result.id: c for c in trial.comparisons}
    rows = []
    for r in trial.results:
        if r.is_comparison:
            diff = difference_estimate(comparisons[r.id])
            c = comparisons[r.id]
            count = " vs ".join(
                f"{x.responders}/{x.analysed}"
                for x in (c.treated, c.control)
                if x is not None and x.responders is not None and x.analysed
            )
            rows.append(
                _row(
                    r,
                    "comparison",
                    f"{r.arm_label} vs {r.compared_to_label}",
                    count if c.has_counts else "",
                    " vs ".join(arm_result_text(x) for x in (c.treated, c.control) if x)
                    if c.treated and c.control
                    else (r.statistic or r.direction),
                    "",
                    f"{format_points(diff.point, signed=True)} points ({format_ci(diff, '')})"
                    if diff.point is not None
                    else "",
                )
            )
        else:
            est = arm_estimate(r)
            count = f"{r.responders}/{r.analysed}" if r.responders is not None else ""
            value = arm_result_text(r) if r.responders is None else (
                f"{r.percent:g} %" if r.percent is not None else format_points(est.point) + " %"
            )  # fmt: skip
            rows.append(
                _row(
                    r,
                    "arm",
                    r.arm_label,
                    count,
                    value,
                    format_ci(est) if est.point is not None else "",
                    "",
                )
            )
    return rows


def _row(
    r: Result, kind: str, arm: str, count: str, value: str, ci: str, difference: str
) -> ResultRow:
    met = "" if r.met_endpoint is None else ("met" if r.met_endpoint else "not met")
    return ResultRow(
        node_id=r.id, iri=r.iri, anchor=f"result-{r.curation_id or r.id}", kind=kind,
        measure=r.measure_short, measure_label=r.measure_label, time_point=r.time_point,
        population=r.population, arm=arm, count=count, percent=value, ci=ci,
        difference=difference, p_value=r.p_value_text, met=met, evidence=r.evidence,
        note=r.note,
    )  # fmt: skip


def results_table(trial: Trial) -> dict[str, object]:
    """What the trial page's results panel needs: the trial's name and its rows."""
    return {"trial": trial.name, "trial_iri": trial.iri, "rows": result_rows(trial)}
