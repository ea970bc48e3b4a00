"""results.html and the trial pages' results tables: equal to the graph, and working in Chromium.

The pages are parsed with the standard library's HTML parser and compared with SPARQL answers
over the exported kg.nq in pyoxigraph; every confidence limit in the forest plot is compared
with statsmodels. Browser tests (marked `browser`) open the pages from file:// in Debian's
chromium with every non-file request blocked and recorded.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from chromium import CHROMIUM, NO_CHROMIUM
from sparql_rows import select
from statsmodels.stats.proportion import confint_proportions_2indep

from kg.export.base import BuildContext
from kg.property_graph.graph import PropertyGraph
from kg.views.render import render
from kg.views.resultspage import (
    cohort_comparisons,
    condition_group,
    forest_groups,
    render_results_page,
)
from kg.views.select import View
from kg.views.trialdata import Arm, Dose, Evidence, Result, Trial, TrialData, trial_data

ROOT = Path(__file__).resolve().parents[1]
#: treated - control comparisons (the comparator arm's role is a control: placebo, active
#: comparator...) and their two arms' results (same trial, measure, time point, population and
#: statistic, no comparator)
_CONTROLLED = """
  ?trial kgv:hasResult ?c . ?c kgv:arm ?a ; kgv:comparedTo ?b ; kgv:measure ?m .
  ?b kgv:armRole ?role .
  FILTER (CONTAINS(LCASE(?role), "placebo") || CONTAINS(LCASE(?role), "comparator")
          || CONTAINS(LCASE(?role), "control"))
  ?trial kgv:hasResult ?r1 . ?r1 kgv:arm ?a ; kgv:measure ?m .
  FILTER NOT EXISTS { ?r1 kgv:comparedTo ?x }
  ?trial kgv:hasResult ?r2 . ?r2 kgv:arm ?b ; kgv:measure ?m .
  FILTER NOT EXISTS { ?r2 kgv:comparedTo ?y }
  OPTIONAL { ?c kgv:timePoint ?tc } OPTIONAL { ?r1 kgv:timePoint ?t1p }
  OPTIONAL { ?r2 kgv:timePoint ?t2p }
  OPTIONAL { ?c kgv:analysisPopulation ?pc } OPTIONAL { ?r1 kgv:analysisPopulation ?p1 }
  OPTIONAL { ?r2 kgv:analysisPopulation ?p2 }
  OPTIONAL { ?c kgv:statistic ?sc } OPTIONAL { ?r1 kgv:statistic ?s1 }
  OPTIONAL { ?r2 kgv:statistic ?s2 }
  FILTER (COALESCE(?tc, "") = COALESCE(?t1p, "") && COALESCE(?tc, "") = COALESCE(?t2p, ""))
  FILTER (COALESCE(?pc, "") = COALESCE(?p1, "") && COALESCE(?pc, "") = COALESCE(?p2, ""))
  FILTER (COALESCE(?sc, "") = COALESCE(?s1, "") && COALESCE(?sc, "") = COALESCE(?s2, ""))
"""
#: ... whose arms both report responders n/N
COUNTED_COMPARISONS = f"""
SELECT ?c ?n1 ?t1 ?n2 ?t2 WHERE {{ {_CONTROLLED}
  ?r1 kgv:responders ?n1 ; kgv:participantsAnalysed ?t1 .
  ?r2 kgv:responders ?n2 ; kgv:participantsAnalysed ?t2 .
}}"""
#: ... and whose arms both report percentages but not both counts
PERCENT_ONLY_COMPARISONS = f"""
SELECT ?c ?pct1 ?pct2 WHERE {{ {_CONTROLLED}
  ?r1 kgv:percent ?pct1 . ?r2 kgv:percent ?pct2 .
  FILTER (NOT EXISTS {{ ?r1 kgv:responders ?n1 . ?r1 kgv:participantsAnalysed ?t1 .
                        ?r2 kgv:responders ?n2 . ?r2 kgv:participantsAnalysed ?t2 }})
}}"""


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    texts: list[str] = field(default_factory=list)


class Collector(HTMLParser):
    """Every element with a data-iri attribute, with the text of each of its descendants."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Element] = []
        self.tables: list[dict[str, str]] = []
        self._open: list[tuple[str, Element | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.tables.append(values)
        element = Element(tag, values) if "data-iri" in values else None
        if element:
            self.found.append(element)
        if tag not in ("rect", "line", "br", "meta", "input"):
            self._open.append((tag, element))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "data-iri" in values:
            self.found.append(Element(tag, values))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, _ = self._open.pop()
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        owners = [e for _, e in self._open if e is not None]
        if owners and data.strip():
            owners[-1].texts.append(data.strip())


class TableCells(HTMLParser):
    """Every <table> as rows of cell texts (header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(path: Path) -> Collector:
    collector = Collector()
    collector.feed(path.read_text("utf-8"))
    return collector


# ------------------------------------------------------------------ equal to the graph


def test_the_forest_plot_draws_each_counted_comparison_once(
    exports: Path, exports_store: pyoxigraph.Store
) -> None:
    graph = {r["c"]: r for r in select(exports_store, COUNTED_COMPARISONS)}
    assert graph, "the data hold at least one comparison with n/N in both arms"
    marks = [e for e in parse(exports / "views" / "results.html").found
             if e.tag == "g" and "kg-open" not in e.attrs["class"]]  # fmt: skip
    assert sorted(m.attrs["data-iri"] for m in marks) == sorted(graph)
    for mark in marks:
        g = graph[mark.attrs["data-iri"]]
        counts = [int(g[k]) for k in ("n1", "t1", "n2", "t2")]
        low, high = confint_proportions_2indep(*counts, method="newcomb", compare="diff",
                                               alpha=0.05)  # fmt: skip
        assert float(mark.attrs["data-ci-low"]) == float(low)
        assert float(mark.attrs["data-ci-high"]) == float(high)
        assert f"{counts[0]}/{counts[1]}" in mark.texts and f"{counts[2]}/{counts[3]}" in mark.texts


def test_percentage_only_comparisons_are_hollow_marks_without_an_interval(
    exports: Path, exports_store: pyoxigraph.Store
) -> None:
    """A controlled comparison whose arms report only percentages: drawn at treated % -
    control % (read from the graph), with no interval and no interval attributes."""
    graph = {r["c"]: r for r in select(exports_store, PERCENT_ONLY_COMPARISONS)}
    assert graph, "the data hold comparisons reported only as percentages (LUPIL-2's SRI-4)"
    marks = [e for e in parse(exports / "views" / "results.html").found
             if e.tag == "g" and "kg-open" in e.attrs["class"]]  # fmt: skip
    assert sorted(m.attrs["data-iri"] for m in marks) == sorted(graph)
    for mark in marks:
        g = graph[mark.attrs["data-iri"]]
        treated, control = float(g["pct1"]), float(g["pct2"])
        assert "data-ci-low" not in mark.attrs and "data-ci-high" not in mark.attrs
        shown = f"{treated - control:+.1f}".replace("-", "−")
        assert f"{shown} (no CI: no counts)" in mark.texts, (mark.texts, treated, control)


def test_the_forest_rows_equal_the_records(real_context: BuildContext) -> None:
    groups = forest_groups(trial_data(real_context.projection))
    ranks = [condition_group(rows[0].trial) for _, rows in groups]
    assert ranks == sorted(ranks), "grouped by condition, SLE first"
    for _, rows in groups:
        assert len({condition_group(r.trial) for r in rows}) == 1
        assert all(r.comparison.is_controlled for r in rows)
        for row in rows:
            if row.low is not None and row.high is not None:
                assert row.low <= row.point <= row.high
                assert row.comparison.has_counts
            else:
                assert not row.comparison.has_counts and not row.has_interval
                treated, control = row.comparison.treated, row.comparison.control
                assert treated is not None and treated.percent is not None
                assert control is not None and control.percent is not None
                assert row.point == treated.percent - control.percent


def test_the_page_groups_trials_by_condition_sle_first(
    exports: Path, exports_store: pyoxigraph.Store
) -> None:
    """Every trial row sits under its condition; SLE trials come before any other disease."""
    conditions: dict[str, set[str]] = defaultdict(set)
    for r in select(
        exports_store,
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
                    SELECT ?name ?label WHERE { ?t a kgv:ClinicalTrial ; rdfs:label ?name ;
                               kgv:studiesCondition ?c . ?c rdfs:label ?label }""",
    ):
        conditions[r["name"]].add(r["label"].casefold())
    html = (exports / "views" / "results.html").read_text("utf-8")
    assert "SLE first, then other diseases" in html
    assert "<h1>Low-dose IL-2 in SLE: results across trials</h1>" not in html
    cells = TableCells()
    cells.feed(html)
    checked = 0
    for table in cells.tables:
        header, *rows = table
        if "Condition" not in header or "Trial" not in header:
            continue
        seen_other = False
        for row in rows:
            trial, condition = row[header.index("Trial")], row[header.index("Condition")]
            only_sle = all("lupus erythematosus" in c for c in conditions[trial])
            assert only_sle == (condition == "Systemic lupus erythematosus"), row
            assert not (only_sle and seen_other), "an SLE trial after another disease"
            seen_other |= not only_sle
            if not only_sle:
                assert all(c in condition.casefold() for c in conditions[trial]), row
            checked += 1
    assert checked > 0


def test_the_forest_caption_does_not_claim_a_pooled_estimate(exports: Path) -> None:
    html = (exports / "views" / "results.html").read_text("utf-8")
    assert "pooled N" not in html and "No pooled estimate is drawn" not in html
    assert "no meta-analytic pooled estimate is computed" in html.casefold()
    assert "control in its rows with counts (not pooled)" in html
    assert "p-values are as the source reports them" in html  # not recomputed
    assert re.search(r'class="kg-tick"[^>]*>0</text>', html), "the zero line has its tick"


def test_cohort_comparisons_are_not_drawn_as_treated_minus_control(
    exports: Path, real_context: BuildContext
) -> None:
    data = trial_data(real_context.projection)
    cohorts = cohort_comparisons(data)
    assert cohorts, "the data hold a comparison between two treated cohorts (children vs adults)"
    drawn = {m.attrs["data-node"] for m in parse(exports / "views" / "results.html").found
             if m.tag == "g"}  # fmt: skip
    html = (exports / "views" / "results.html").read_text("utf-8")
    table = html.split('class="kg-table kg-cohorts"', 1)[1].split("</table>", 1)[0]
    for _, c in cohorts:
        assert c.result.id not in drawn
        assert f'data-node="{c.result.id}"' in table
    assert "Treated" not in table and "Control" not in table


def test_trial_tables_start_with_the_primary_endpoint(
    exports: Path, exports_store: pyoxigraph.Store
) -> None:
    primary: dict[str, set[str]] = defaultdict(set)
    for r in select(
        exports_store,
        """SELECT ?t ?m WHERE { ?t kgv:primaryEndpoint ?e .
                               ?e kgv:measure ?m }""",
    ):
        primary[r["t"]].add(r["m"])
    measured: dict[str, str] = {r["r"]: r["m"] for r in select(
        exports_store, "SELECT ?r ?m WHERE { ?r a kgv:Result ; kgv:measure ?m }")}  # fmt: skip
    checked = 0
    for path in sorted((exports / "views").glob("trial-*.html")):
        html = path.read_text("utf-8")
        trial = re.search(r'data-trial-iri="([^"]+)"', html)
        if not trial:
            continue
        iris = re.findall(r'<tr id="result-[^"]*" class="kg-row[^"]*" data-node="[^"]*" '
                          r'data-iri="([^"]+)"', html)  # fmt: skip
        wanted = primary.get(trial.group(1), set())
        if not (wanted and any(measured[i] in wanted for i in iris)):
            continue
        ranks = [0 if measured[i] in wanted else 1 for i in iris]
        assert ranks == sorted(ranks), path.name
        checked += 1
    assert checked >= 2, "He 2020 and LUPIL-2 register SRI-4 as primary endpoint"


def test_source_cells_show_short_names_and_resolvable_links(exports: Path) -> None:
    for path in sorted((exports / "views").glob("*.html")):
        html = path.read_text("utf-8")
        cells = re.findall(r'<td class="kg-source">(.*?)</td>', html, flags=re.S)
        for cell in cells:
            assert "w3id.org" not in cell.split(" title=")[0], (path.name, cell)
            text = re.sub(r"<[^>]+>", "", cell)
            assert "il2kg.publication:" not in text, (path.name, text)
        hrefs = re.findall(r'<td class="kg-source"><a href="([^"]+)"', html)
        assert all(not h.startswith("https://w3id.org/") for h in hrefs)


def test_the_page_names_its_interval_methods(exports: Path) -> None:
    html = (exports / "views" / "results.html").read_text("utf-8")
    assert "method=&#39;newcomb&#39;" in html and "method=&#39;wilson&#39;" in html
    assert "no interval can be computed" in html


def test_trial_tables_hold_every_result_with_the_graphs_numbers(
    exports: Path, exports_store: pyoxigraph.Store
) -> None:
    graph = {
        r["r"]: r
        for r in select(
            exports_store,
            """SELECT ?trial ?r ?n ?total ?p ?cmp WHERE { ?trial kgv:hasResult ?r .
            OPTIONAL { ?r kgv:responders ?n } OPTIONAL { ?r kgv:participantsAnalysed ?total }
            OPTIONAL { ?r kgv:pValue ?p } OPTIONAL { ?r kgv:pValueComparator ?cmp } }""",
        )
    }
    per_trial: dict[str, set[str]] = defaultdict(set)
    for r in graph.values():
        per_trial[r["trial"]].add(r["r"])
    pages = sorted((exports / "views").glob("trial-*.html"))
    seen = set()
    for page in pages:
        parsed = parse(page)
        tables = [t for t in parsed.tables if "data-trial-iri" in t]
        if not tables:
            continue
        trial = tables[0]["data-trial-iri"]
        rows = [e for e in parsed.found if e.tag == "tr"]
        assert {r.attrs["data-iri"] for r in rows} == per_trial[trial], page.name
        for row in rows:
            g = graph[row.attrs["data-iri"]]
            if "n" in g:
                assert f"{g['n']}/{g['total']}" in row.texts
            if "p" in g:
                shown = format(Decimal(g["p"]).normalize(), "f")
                if "cmp" in g:  # a bound is shown with its comparator: '< 0.001'
                    shown = f"{g['cmp'].replace('<=', '≤').replace('>=', '≥')} {shown}"
                assert shown in row.texts, row.texts
        seen.add(trial)
    assert seen == {t for t, results in per_trial.items() if results}


def test_graph_labels_carry_the_numbers(exports: Path) -> None:
    """A comparison's label holds both arms' numbers and the p-value; arm results differ."""
    pattern = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)
    labelled = 0
    for page in sorted((exports / "views").glob("trial-*.html")):
        data = json.loads(pattern.search(page.read_text("utf-8")).group(1))  # type: ignore[union-attr]
        for n in data["nodes"]:
            if n["group"] == "StudyResult (comparison)" and "p = " in n["info"]["name"]:
                assert " vs " in n["info"]["name"]
                labelled += 1
        names = [n["info"]["name"] for n in data["nodes"] if n["category"] == "StudyResult"]
        assert len(set(names)) == len(names), page.name
    assert labelled > 0


# ------------------------------------------------------------------------------ Chromium


def open_page(browser: Any, url: str, ready: str) -> tuple[Any, list[str], list[str]]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    external: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_function(ready, timeout=30_000)
    return page, external, errors


UNVERIFIED_PUBLICATIONS = """SELECT ?p WHERE { ?p kgv:curationStatus "unverified" }"""


def test_evidence_says_when_its_source_record_is_unverified(
    exports_store: pyoxigraph.Store, real_context: BuildContext
) -> None:
    """The side panel's data: each evidence item says whether its publication record is
    unverified in the graph (the GVHD infection comparison's source is; He 2020's is not)."""
    unverified = {r["p"] for r in select(exports_store, UNVERIFIED_PUBLICATIONS)}
    data = trial_data(real_context.projection)
    items = [ev for t in data.trials for r in t.results for ev in r.evidence]
    assert any(ev.source_unverified for ev in items) and not all(
        ev.source_unverified for ev in items
    )
    for ev in items:
        assert ev.source_unverified == (ev.source_iri in unverified), ev.source


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_results_page_opens_offline_and_shows_evidence(
    browser: Any, exports: Path, real_context: BuildContext
) -> None:
    path = exports / "views" / "results.html"
    page, external, errors = open_page(browser, path.as_uri(), "window.kgResultsReady === true")
    groups = forest_groups(trial_data(real_context.projection))
    marks = page.locator("#kg-forest g.kg-mark")
    assert marks.count() == sum(len(rows) for _, rows in groups)
    first = groups[0][1][0]
    marks.first.click()
    panel = page.inner_text("#kg-evidence")
    assert first.trial.name in panel
    assert all(ev.source in panel for ev in first.result.evidence)
    assert "Unverified source record" not in panel  # He 2020's abstract is a verified record
    shaky = next(r for _, rows in groups for r in rows
                 if any(ev.source_unverified for ev in r.result.evidence))  # fmt: skip
    page.locator(f'#kg-forest g.kg-mark[data-node="{shaky.result.id}"]').click()
    assert "Unverified source record" in page.inner_text("#kg-evidence")
    row = page.locator("#forest tr.kg-row").first
    row.click()
    assert page.get_attribute("#kg-evidence", "data-shown") == row.get_attribute("data-node")
    page.locator("#activity tr.kg-row").first.press("Enter")
    assert page.get_attribute("#kg-evidence", "data-shown")
    assert external == [] and errors == []
    page.context.close()
    # an evidence card in a graph view links here with #node=<id>: the page opens on it
    target = first.result.id
    page, external, errors = open_page(
        browser, f"{path.as_uri()}#node={target}", "window.kgResultsReady === true"
    )
    assert page.get_attribute("#kg-evidence", "data-shown") == target
    assert external == [] and errors == []
    page.context.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_a_trial_row_selects_its_result_and_shows_the_evidence(
    browser: Any, exports: Path, real_context: BuildContext
) -> None:
    data = trial_data(real_context.projection)
    trial = max(data.trials, key=lambda t: sum(1 for r in t.results if r.evidence))
    result = next(r for r in trial.results if r.evidence)
    page_path = next(
        p for p in (exports / "views").glob("trial-*.html")
        if f'data-trial-iri="{trial.iri}"' in p.read_text("utf-8")
    )  # fmt: skip
    page, external, errors = open_page(browser, page_path.as_uri(), "window.kgReady === true")
    row = page.locator(f'tr.kg-row[data-iri="{result.iri}"]')
    row.click()
    assert page.evaluate("kgView.network.getSelectedNodes()") == [result.id]
    details = page.inner_text("#kg-details")
    assert result.evidence[0].source in details
    assert "results page" in details.lower()
    scale = page.evaluate("kgView.network.getScale()")
    assert scale > 0
    assert external == [] and errors == []
    page.context.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_a_statement_card_links_to_results_from_its_source(browser: Any, exports: Path) -> None:
    path = exports / "views" / "mechanism.html"
    page, external, errors = open_page(browser, path.as_uri(), "window.kgReady === true")
    edge = page.evaluate(
        """() => { const links = kgView.meta.result_sources;
        const e = kgView.edges.get().find(e => e.info.evidence.some(ev => links[ev.source]));
        return e ? e.id : null; }"""
    )
    assert edge
    page.evaluate("id => kgView.showEdge(id)", edge)
    link = page.locator("#kg-details a.kg-results-link").first
    href = link.get_attribute("href")
    assert href and href.startswith("results.html#node=")
    link.click()
    page.wait_for_function("window.kgResultsReady === true")
    assert page.get_attribute("#kg-evidence", "data-shown")
    assert external == [] and errors == []
    page.context.close()


# ------------------------------------------------------------------------------ safety

XSS = '<img src=x onerror="window.__pwned=1">'
XSS_CLOSE = "</script><script>window.__pwned=2</script>"


def evil_data() -> TrialData:
    """One trial whose every text is markup, with counts so the forest plot draws it."""
    ev = Evidence("X:pub", XSS, "javascript:window.__pwned=3", "ECO:1", XSS, XSS_CLOSE, XSS)

    def result(rid: str, arm: str, n: int | None, compared: str = "") -> Result:
        return Result(
            id=rid, iri=f"http://example.org/{rid}", curation_id=XSS, trial_id="X:t",
            measure="X:m", measure_label=XSS, measure_short=XSS, measure_kind="immunological",
            arm=arm, arm_label=XSS, compared_to=compared, compared_to_label=XSS if compared else "",
            time_point=XSS, population=XSS, responders=n, analysed=10 if n is not None else None,
            percent=None, value=None, value_unit="", statistic="", direction="", p_value=0.5,
            p_value_text=XSS, met_endpoint=False, status="verified", note=XSS_CLOSE,
            evidence=(ev,),
        )  # fmt: skip

    dose = Dose("X:d", XSS, 1.0, XSS, XSS, XSS, XSS, XSS, "2 weeks, 3 cycles", XSS)
    arms = (Arm("X:a", XSS, "experimental", "X:i", XSS, 10, XSS_CLOSE, (dose,)),
            Arm("X:b", XSS, "placebo comparator", "X:i", XSS, 10, XSS, ()))  # fmt: skip
    results = (result("X:r1", "X:a", 6), result("X:r2", "X:b", 2),
               result("X:c", "X:a", None, compared="X:b"))  # fmt: skip
    trial = Trial("X:t", "http://example.org/t", XSS, XSS, XSS, "2", "completed", {}, 20, (XSS,),
                  (("X:dis", XSS),), arms, results, (), (("X:pub", XSS),))  # fmt: skip
    return TrialData((trial,))


def test_markup_in_the_data_is_escaped_in_the_results_page(tmp_path: Path) -> None:
    data = evil_data()
    assert forest_groups(data), "the evil trial is drawn"
    html = render_results_page(data, [])
    assert "<img" not in html and "<script>window" not in html
    assert "&lt;img src=x" in html
    assert "javascript:" not in re.sub(r'<script type="application/json".*?</script>', "", html,
                                       flags=re.S)  # fmt: skip
    table = render(View("t", XSS, XSS, PropertyGraph((), ()), trial=data.trials[0]))
    assert "<img" not in table and "&lt;img src=x" in table


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_markup_in_the_evidence_panel_is_text(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "results.html"
    path.write_text(render_results_page(evil_data(), []), "utf-8")
    page, external, errors = open_page(browser, path.as_uri(), "window.kgResultsReady === true")
    page.locator("#kg-forest g.kg-mark").first.click()
    panel = page.inner_text("#kg-evidence")
    assert XSS in panel and XSS_CLOSE in panel
    assert page.locator("#kg-evidence a[href^='javascript']").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img").count() == 0
    assert external == [] and errors == []
    page.context.close()


def test_a_graph_without_counts_says_no_interval_can_be_drawn(tmp_path: Path) -> None:
    html = render_results_page(TrialData(()), [])
    assert "no interval can be drawn" in html and 'id="kg-forest"' not in html


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_pages_fit_1400_px_without_scrolling_sideways(browser: Any, exports: Path) -> None:
    """Long cells (sources, arms) wrap: no page or table panel scrolls sideways at 1400 px."""
    paths = [exports / "views" / "results.html",
             *sorted((exports / "views").glob("trial-*.html"))]  # fmt: skip
    for path in paths:
        page, external, errors = open_page(
            browser, path.as_uri(), "document.readyState === 'complete'"
        )
        overflow = page.evaluate(
            """() => [document.scrollingElement, ...document.querySelectorAll(
                 '#kg-content, #kg-results-panel')].filter(e => e.scrollWidth > e.clientWidth + 1)
                 .map(e => e.id || e.tagName)"""
        )
        assert overflow == [], (path.name, overflow)
        assert external == [] and errors == []
        page.context.close()
