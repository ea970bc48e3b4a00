"""Node names that read on their own: arms and results named with their trial and numbers.

The RDF labels of trial parts are slugs ("LUPIL-2 sri-4, ilt-101, week 12, ITT"), and an arm's
result and the between-arm comparison carry the same words. On a page the reader needs the
trial, the measure and the numbers in the label itself:

- arm: "LUPIL-2: ILT-101 (low-dose IL-2)"
- arm result: "LUPIL-2 · ILT-101 (low-dose IL-2) · SRI-4 wk 12 ITT: 68 %"
- comparison: "LUPIL-2 · SRI-4 wk 12 ITT: 68 % vs 58 %, p = 0.3439 (not met)"
- dose, endpoint, adverse event: prefixed with the trial.

`display_names` maps node id -> that name for every trial part (other nodes keep their label).
"""

from __future__ import annotations

import re

from kg.property_graph.graph import Node, PropertyGraph
from kg.views.trialdata import Result, Trial, TrialData, format_percent, publication_name

__all__ = [
    "arm_result_text",
    "comparison_text",
    "display_names",
    "evidence_name",
    "publication_name",
    "short_time",
]


#: "week" or "weeks" as a word (compiled once: every result label uses it)
WEEKS = re.compile(r"\bweeks?\b")


def short_time(time_point: str) -> str:
    """'week 12' -> 'wk 12'; other time points unchanged."""
    return WEEKS.sub("wk", time_point)


def _context(r: Result) -> str:
    return " ".join(x for x in (r.measure_short, short_time(r.time_point), r.population) if x)


def arm_result_text(r: Result) -> str:
    """The number of an arm result: '7/13 (53.85 %)', '68 %', 'median 6 points', 'increased'."""
    if r.responders is not None and r.analysed:
        return f"{r.responders}/{r.analysed} ({format_percent(r.percent)})" if r.percent \
            is not None else f"{r.responders}/{r.analysed}"  # fmt: skip
    if r.percent is not None:
        return format_percent(r.percent)
    if r.value is not None:
        return " ".join(x for x in (r.statistic, f"{r.value:g}", r.value_unit) if x)
    return r.direction or r.statistic or "reported"


def comparison_text(trial: Trial, r: Result) -> str:
    """'68 % vs 58 %, p = 0.3439 (not met)' from the comparison and its arms' results."""
    c = next((c for c in trial.comparisons if c.result is r), None)
    parts = []
    if c and c.treated and c.control:
        parts.append(f"{arm_result_text(c.treated)} vs {arm_result_text(c.control)}")
    else:
        parts.append(f"{r.arm_label} vs {r.compared_to_label}")
    if r.p_value_text:
        p = r.p_value_text
        parts.append(f"p {p}" if p[:1] in "<>≤≥" else f"p = {p}")
    elif r.statistic or r.direction:
        parts.append(r.statistic or r.direction)
    text = ", ".join(parts)
    if r.met_endpoint is not None:
        text += " (met)" if r.met_endpoint else " (not met)"
    return text


def evidence_name(node: Node) -> str:
    """'evidence (Table 2): “7/13 patients…”' from an evidence item's locator and quote."""
    quote = str(node.properties.get("quote", ""))
    quote = quote if len(quote) <= 40 else quote[:39].rstrip() + "…"
    locator = str(node.properties.get("locator", ""))
    head = f"evidence ({locator})" if locator else "evidence"
    return f"{head}: “{quote}”" if quote else head


def display_names(data: TrialData, g: PropertyGraph | None = None) -> dict[str, str]:
    """Node id -> a self-explaining name, for every arm, dose, result and adverse event.

    With the graph, publications are named by first author and year before their title.
    """
    names: dict[str, str] = {}
    for node in g.nodes if g else ():
        if node.category == "Publication":
            names[node.id] = publication_name(node)
        elif node.category == "EvidenceItem":
            names[node.id] = evidence_name(node)
    for t in data.trials:
        for arm in t.arms:
            names[arm.id] = f"{t.name}: {arm.label}"
            for d in arm.doses:
                names[d.id] = f"{t.name} · {arm.label}: {d.label}"
        for r in t.results:
            if r.is_comparison:
                names[r.id] = f"{t.name} · {_context(r)}: {comparison_text(t, r)}"
            else:
                head = " · ".join(x for x in (t.name, r.arm_label, _context(r)) if x)
                names[r.id] = f"{head}: {arm_result_text(r)}"
        for a in t.adverse_events:
            count = f"{a.affected}/{a.analysed}" if a.analysed else f"{a.affected}"
            names[a.id] = f"{t.name} · {a.arm_label}: {a.event} {count}"
    return names
