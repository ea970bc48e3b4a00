"""results.html: the trials side by side, as a forest plot, tables and dosing charts (static SVG).

- Forest plot: one row per controlled comparison whose two arms both report responders
  (trial x outcome x time point x population), grouped by outcome measure: the difference
  treated - control in percentage points, with its 95 % Newcombe interval (statsmodels) where
  both arms report counts n/N; a comparison reported only as percentages is drawn without an
  interval (counts are not derived from a percentage and N: that would be our inference) and
  also listed below the plot. Per group: the number of comparisons and the patients in its
  rows with counts.
- Immunology and disease activity: every result on an immunological or disease-activity
  measure (Treg expansion, SLEDAI...).
- Dosing: per trial, each arm's doses on one time axis in weeks (dose, unit, route, frequency,
  cycles, duration), parsed from the curated duration text; what is not recorded is said.

The SVG is drawn in Python (no charting script): the page is static, opens from file:// and
makes no request. Every text goes through Jinja2's autoescaping; the one script (results.js)
puts evidence into the side panel with textContent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from kg import __version__
from kg.views.intervals import DIFFERENCE_METHOD, PROPORTION_METHOD, difference_estimate
from kg.views.labels import arm_result_text, short_time
from kg.views.resultstable import format_ci, format_points
from kg.views.trialdata import (
    SLE_LABEL,
    Arm,
    Comparison,
    Dose,
    Result,
    Trial,
    TrialData,
    format_percent,
)

if TYPE_CHECKING:
    from kg.views.select import View

__all__ = [
    "ForestRow",
    "cohort_comparisons",
    "condition_group",
    "dosing_charts",
    "forest_groups",
    "render_results_page",
]

#: measure kinds (outcome_measures.yaml `kind`) shown in the immunology / disease-activity table
ACTIVITY_KINDS = ("immunological", "disease activity index")
#: forest plot geometry (px)
ROW_HEIGHT = 26
PLOT_LEFT = 565
PLOT_WIDTH = 330
WIDTH = 1140


@dataclass(frozen=True)
class ForestRow:
    """One mark: a comparison, its difference and interval (percentage points).

    Without n/N in both arms (only percentages reported) there is no interval: low, high and
    their proportions are None, and the mark is drawn hollow at its point difference.
    """

    trial: Trial
    comparison: Comparison
    point: float
    low: float | None
    high: float | None
    low_proportion: float | None
    high_proportion: float | None

    @property
    def result(self) -> Result:
        return self.comparison.result

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


def condition_group(t: Trial) -> tuple[int, str]:
    """(rank, heading) of the trial's disease group: SLE-only trials first (rank 0), then
    trials of several diseases including SLE (1), then every other disease (2)."""
    labels = [label for _, label in t.conditions]
    if labels and all(SLE_LABEL in label.casefold() for label in labels):
        return (0, "Systemic lupus erythematosus")
    if t.studies_sle:
        return (1, "Several diseases, SLE among them: " + ", ".join(labels))
    text = ", ".join(labels) or "condition not recorded"
    return (2, text[:1].upper() + text[1:])


def _by_condition(data: TrialData) -> list[Trial]:
    """The trials with SLE trials first, then by disease group and name."""
    return sorted(data.trials, key=lambda t: (*condition_group(t), t.name.casefold(), t.id))


def forest_groups(data: TrialData) -> list[tuple[str, list[ForestRow]]]:
    """(measure label, rows) for every treated - control comparison whose arms both report
    responders (n/N, drawn with a 95 % interval; or only percentages, drawn hollow without
    one), grouped by the trials' disease group (SLE first) and then by measure.

    A comparison between two treated cohorts (no control arm) is not drawn: see
    `cohort_comparisons`.
    """
    groups: dict[tuple[int, str, str], list[ForestRow]] = {}
    for t in data.trials:
        for c in t.comparisons:
            est = difference_estimate(c)
            if not c.is_controlled or est.point is None:
                continue
            low, high = est.low, est.high
            key = (*condition_group(t), c.result.measure_label)
            groups.setdefault(key, []).append(ForestRow(
                t, c, est.point, low, high,
                None if low is None else low / 100, None if high is None else high / 100,
            ))  # fmt: skip
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2].casefold()))
    return [(key[2], rows) for key, rows in ordered]


def _uncounted(data: TrialData) -> list[tuple[Trial, Comparison]]:
    return [(t, c) for t in _by_condition(data) for c in t.comparisons
            if c.is_controlled and not c.has_counts]  # fmt: skip


def cohort_comparisons(data: TrialData) -> list[tuple[Trial, Comparison]]:
    """Comparisons between two treated cohorts (the comparator arm is not a control)."""
    return [(t, c) for t in _by_condition(data) for c in t.comparisons if not c.is_controlled]


def _forest_svg(groups: list[tuple[str, list[ForestRow]]]) -> dict[str, object]:
    """Coordinates of every element of the forest plot (the template draws them)."""
    rows = [r for _, members in groups for r in members]
    lo = min([-10.0, *(r.point if r.low is None else r.low for r in rows)])
    hi = max([10.0, *(r.point if r.high is None else r.high for r in rows)])
    lo, hi = max(-100.0, math.floor(lo / 10) * 10), min(100.0, math.ceil(hi / 10) * 10)

    def x(value: float) -> float:
        return round(PLOT_LEFT + (value - lo) / (hi - lo) * PLOT_WIDTH, 2)

    y = 46
    items: list[dict[str, object]] = []
    condition = None
    for label, members in groups:
        heading = condition_group(members[0].trial)[1]
        if heading != condition:
            condition = heading
            items.append({"kind": "condition", "y": y + 4, "text": heading})
            y += ROW_HEIGHT + 4
        counted = [m for m in members if m.has_interval]
        total_t = sum(m.comparison.treated.analysed or 0 for m in counted)  # type: ignore[union-attr]
        total_c = sum(m.comparison.control.analysed or 0 for m in counted)  # type: ignore[union-attr]
        count = f"{len(members)} comparison{'' if len(members) == 1 else 's'}"
        totals = (f"; {total_t} treated + {total_c} control in its rows with counts "
                  "(not pooled)") if counted else ""  # fmt: skip
        items.append({"kind": "group", "y": y, "text": label, "pooled": count + totals})
        y += ROW_HEIGHT
        for m in members:
            items.append(_forest_row(m, y, x))
            y += ROW_HEIGHT
    step = 20 if hi - lo > 100 else 10
    first = math.ceil(lo / step) * step  # a multiple of the step, so 0 is always a tick
    ticks = [
        {"x": x(v), "text": format_points(v, signed=v != 0).replace(".0", "")}
        for v in range(int(first), int(hi) + 1, step)
    ]
    return {
        "items": items, "ticks": ticks, "zero": x(0.0), "height": y + 40, "width": WIDTH,
        "plot_left": PLOT_LEFT, "plot_right": PLOT_LEFT + PLOT_WIDTH, "axis_y": y + 4,
    }  # fmt: skip


#: the longest trial name the forest plot's first column holds (the mark's title has it whole)
TRIAL_NAME_CHARS = 34


def _fitted(name: str) -> str:
    return name if len(name) <= TRIAL_NAME_CHARS else name[: TRIAL_NAME_CHARS - 1] + "…"


def _forest_row(m: ForestRow, y: int, x: Callable[[float], float]) -> dict[str, object]:
    """One mark's coordinates and texts: n/N with its interval, or percentages without one."""
    c, r = m.comparison, m.result
    assert c.treated is not None and c.control is not None
    point = format_points(m.point, signed=True)
    row: dict[str, object] = {
        "kind": "row", "y": y, "node": r.id, "iri": r.iri, "trial": _fitted(m.trial.name),
        "context": " ".join(x for x in (short_time(r.time_point), r.population) if x)
        or "time point not recorded",
        "x": x(m.point), "p": r.p_value_text, "open": not m.has_interval,
    }  # fmt: skip
    if m.low is None or m.high is None:
        treated, control = format_percent(c.treated.percent), format_percent(c.control.percent)
        row.update({
            "treated": treated, "control": control, "text": f"{point} (no CI: no counts)",
            "title": f"{m.trial.name} {r.context}: {r.arm_label} {treated} vs "
                     f"{r.compared_to_label} {control}; difference {point} points; no interval: "
                     "the source reports percentages, not responder counts",
        })  # fmt: skip
        return row
    low, high = format_points(m.low), format_points(m.high)
    treated = f"{c.treated.responders}/{c.treated.analysed}"
    control = f"{c.control.responders}/{c.control.analysed}"
    row.update({
        "treated": treated, "control": control,
        "x_low": x(m.low), "x_high": x(m.high),
        "low": repr(m.low_proportion), "high": repr(m.high_proportion),
        "text": f"{point} ({low} to {high})",
        "title": f"{m.trial.name} {r.context}: {r.arm_label} {treated} vs "
                 f"{r.compared_to_label} {control}; difference {point} points, "
                 f"95 % CI {low} to {high}",
    })  # fmt: skip
    return row


# ----------------------------------------------------------------------------- dosing


@dataclass(frozen=True)
class DoseSpan:
    """A dose's place on the time axis: start and per-cycle length in days, cycle counts."""

    dose: Dose
    start: float
    length: float | None
    cycles: int
    max_cycles: int


DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(day|week|month)s?", re.IGNORECASE)
CYCLES = re.compile(r"(\d+)(?:\s*[-–]\s*(\d+))?\s*(?:cycles?|courses?)", re.IGNORECASE)
DAYS = {"day": 1.0, "week": 7.0, "month": 30.4}


def dose_spans(arm: Arm) -> list[DoseSpan]:
    """The arm's doses one after another (curated order: induction before maintenance)."""
    spans = []
    cursor = 0.0
    for d in arm.doses:
        duration = DURATION.search(d.duration)
        length = float(duration.group(1)) * DAYS[duration.group(2).lower()] if duration else None
        cycles = CYCLES.search(d.duration)
        low = int(cycles.group(1)) if cycles else 1
        high = int(cycles.group(2)) if cycles and cycles.group(2) else low
        spans.append(DoseSpan(d, cursor, length, low, high))
        cursor += (length or 14.0) * high
    return spans


def dosing_charts(data: TrialData) -> list[dict[str, object]]:
    """Per trial: its arms' dose bars on one time axis (weeks) shared by every trial."""
    per_trial = [(t, [(a, dose_spans(a)) for a in t.arms if a.doses]) for t in data.trials]
    ends = [s.start + (s.length or 14.0) * s.max_cycles
            for _, arms in per_trial for _, spans in arms for s in spans]  # fmt: skip
    weeks = max(4, math.ceil(max(ends, default=28.0) / 7 / 4) * 4)
    left, width = 400, 580
    scale = width / (weeks * 7)
    charts = []
    for t, arms in per_trial:
        bars: list[dict[str, object]] = []
        y = 10
        for arm, spans in arms:
            for s in spans:
                d = s.dose
                length = s.length or 14.0
                segments = [
                    {"x": round(left + (s.start + k * length) * scale, 2),
                     "w": round(max(length * scale - 2, 2), 2),
                     "optional": k >= s.cycles, "unknown": s.length is None}
                    for k in range(s.max_cycles)
                ]  # fmt: skip
                amount = " ".join(x for x in (f"{d.value:g}" if d.value is not None else "",
                                              d.unit) if x)  # fmt: skip
                text = ", ".join(x for x in (amount, d.route, d.frequency, d.duration or
                                             "duration not recorded", d.phase) if x)  # fmt: skip
                bars.append({"y": y, "arm": arm.label, "text": text, "segments": segments,
                             "node": d.id})  # fmt: skip
                y += 34
        undosed = [a for a in t.arms if not a.doses]
        charts.append({
            "trial": t, "bars": bars, "height": y + 30, "axis_y": y + 4,
            "ticks": [{"x": round(left + w * 7 * scale, 2), "text": str(w)}
                      for w in range(0, weeks + 1, 4)],
            "undosed": undosed, "left": left, "right": left + width,
        })  # fmt: skip
    return charts


# ----------------------------------------------------------------------------- page


@dataclass(frozen=True)
class ActivityRow:
    """A row of the immunology / disease-activity table: the result and its shown text."""

    trial: Trial
    r: Result
    arm: str
    value: str


def _activity_rows(data: TrialData) -> list[ActivityRow]:
    rows = []
    for t in _by_condition(data):
        comparisons = {c.result.id: c for c in t.comparisons}
        for r in t.results:
            if r.measure_kind not in ACTIVITY_KINDS:
                continue
            if r.is_comparison:
                c = comparisons[r.id]
                if c.treated and c.control:
                    value = f"{arm_result_text(c.treated)} vs {arm_result_text(c.control)}"
                else:
                    value = r.statistic or r.direction
                arm = f"{r.arm_label} vs {r.compared_to_label}"
            else:
                value, arm = arm_result_text(r), r.arm_label
            rows.append(ActivityRow(t, r, arm, value))
    rows.sort(
        key=lambda row: (
            condition_group(row.trial),
            row.r.measure_kind,
            row.r.measure_short.casefold(),
            row.trial.name.casefold(),
        )
    )
    return rows


def _evidence_payload(data: TrialData, pages: dict[str, str]) -> dict[str, object]:
    """node id -> what the side panel shows for it (plain text; results.js uses textContent)."""
    out: dict[str, object] = {}
    for t in data.trials:
        for r in t.results:
            out[r.id] = {
                "title": f"{t.name} · {r.context or r.measure_label}",
                "lines": [x for x in (
                    f"Arm: {r.arm_label}" + (f" vs {r.compared_to_label}" if r.compared_to else ""),
                    f"p (as reported): {r.p_value_text}" if r.p_value_text else "",
                    ("Primary endpoint met" if r.met_endpoint else "Primary endpoint not met")
                    if r.met_endpoint is not None else "",
                    f"Note: {r.note}" if r.note else "",
                ) if x],
                "evidence": [asdict(ev) for ev in r.evidence],
                "page": pages.get(t.id, ""),
                "anchor": f"result-{r.curation_id}",
            }  # fmt: skip
        for arm in t.arms:
            for d in arm.doses:
                out[d.id] = {"title": f"{t.name} · {arm.label}", "lines": [d.label,
                             f"Schedule: {arm.schedule}" if arm.schedule else ""],
                             "evidence": [], "page": pages.get(t.id, ""), "anchor": ""}  # fmt: skip
    return out


def render_results_page(data: TrialData, views: list[View]) -> str:
    """The whole results.html (deterministic)."""
    from kg.views.render import _asset, _csp, _environment, script_json

    pages = {v.trial.id: f"{v.slug}.html" for v in views if v.trial is not None}
    groups = forest_groups(data)
    script = _asset("results.js")
    uncounted, cohorts = [], []
    for t, c in [*_uncounted(data), *cohort_comparisons(data)]:
        diff = difference_estimate(c)
        (uncounted if c.is_controlled else cohorts).append({
            "trial": t, "r": c.result, "condition": condition_group(t)[1],
            "treated": arm_result_text(c.treated) if c.treated else "no arm result recorded",
            "control": arm_result_text(c.control) if c.control else "no arm result recorded",
            "difference": format_points(diff.point, signed=True),
            "ci": format_ci(diff, "") if diff.point is not None else "",
        })  # fmt: skip
    template = _environment().get_template("results.html")
    return template.render(
        generator=f"il2-sle-kg {__version__}",
        css=Markup(_asset("results.css")),
        script=Markup(script),
        csp=Markup(_csp(script)),
        nav=next((v.nav for v in views if v.nav), ()),
        pages=pages,
        forest=_forest_svg(groups) if groups else None,
        forest_count=sum(len(m) for _, m in groups),
        uncounted=uncounted,
        cohorts=cohorts,
        activity=_activity_rows(data),
        dosing=dosing_charts(TrialData(tuple(_by_condition(data)), data.statements)),
        condition_group=condition_group,
        difference_method=DIFFERENCE_METHOD,
        proportion_method=PROPORTION_METHOD,
        trials=data.trials,
        payload=script_json(_evidence_payload(data, pages)),
    )
