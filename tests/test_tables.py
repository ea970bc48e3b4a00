"""exports/tables/*.csv: columns, one row per fact, and every cell equal to the graph.

The tables are read back with the csv module and compared with SPARQL answers over the
exported N-Quads (kg.nq) in pyoxigraph, an engine independent of the rdflib dataset and of the
property-graph projection the tables are written from. Confidence limits are compared with
statsmodels' own values. Counts are lower bounds or derived from the graph, never fixed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sparql_rows import select
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from kg.export.base import BuildContext
from kg.export.formats import sinks
from kg.export.tables import COLUMNS, DECIMALS, NA_TOKENS, TablesSink, _cell, write_tables
from kg.views.intervals import arm_estimate, difference_ci, proportion_ci
from kg.views.trialdata import PROJECT_IRI, Result, Trial, TrialData, trial_data

ROOT = Path(__file__).resolve().parents[1]


def read(exports: Path, name: str) -> list[dict[str, str]]:
    with (exports / "tables" / name).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == COLUMNS[name]
        return list(reader)


def number(text: str) -> float | None:
    return float(text) if text != "" else None


# ----------------------------------------------------------------------------------- shape


def test_the_tables_sink_is_registered() -> None:
    assert sinks()["tables"] is TablesSink


def test_every_table_is_written_with_its_columns(exports: Path) -> None:
    written = sorted(p.name for p in (exports / "tables").iterdir())
    assert written == sorted(COLUMNS)
    for name in COLUMNS:
        raw = (exports / "tables" / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), "no byte order mark"
        assert b"\r\n" not in raw.replace(b'\r\n"', b"")  # \n line ends outside quoted text
        raw.decode("utf-8")
        rows = read(exports, name)
        assert rows, name
        assert all(len(r) == len(COLUMNS[name]) for r in rows)


def test_tables_are_deterministic(real_context: BuildContext, tmp_path: Path) -> None:
    data = trial_data(real_context.projection)
    first = [p.read_bytes() for p in write_tables(data, tmp_path / "a")]
    second = [p.read_bytes() for p in write_tables(data, tmp_path / "b")]
    assert first == second


# ------------------------------------------------------------------ equal to the graph (SPARQL)


def test_one_row_per_trial_result_and_adverse_event(
    exports: Path, exports_store: pyoxigraph.Store
) -> None:
    for name, cls, column in (
        ("trials.csv", "ClinicalTrial", "trial_iri"),
        ("results.csv", "Result", "result_iri"),
        ("adverse_events.csv", "AdverseEventCount", "adverse_event_iri"),
    ):
        iris = {
            r["s"] for r in select(exports_store, f"SELECT DISTINCT ?s WHERE {{ ?s a kgv:{cls} }}")
        }
        rows = read(exports, name)
        assert len(rows) == len(iris) > 0, name
        assert {r[column] for r in rows} == iris, name


def test_result_numbers_equal_the_graph(exports: Path, exports_store: pyoxigraph.Store) -> None:
    graph = {
        r["r"]: r
        for r in select(
            exports_store,
            """SELECT ?r ?n ?total ?percent ?p ?cmp ?met ?time ?population ?value ?arm ?against ?m
            WHERE { ?r a kgv:Result ; kgv:measure ?m . OPTIONAL { ?r kgv:pValueComparator ?cmp }
              OPTIONAL { ?r kgv:responders ?n } OPTIONAL { ?r kgv:participantsAnalysed ?total }
              OPTIONAL { ?r kgv:percent ?percent } OPTIONAL { ?r kgv:pValue ?p }
              OPTIONAL { ?r kgv:metEndpoint ?met } OPTIONAL { ?r kgv:timePoint ?time }
              OPTIONAL { ?r kgv:analysisPopulation ?population } OPTIONAL { ?r kgv:value ?value }
              OPTIONAL { ?r kgv:arm ?arm } OPTIONAL { ?r kgv:comparedTo ?against } }""",
        )
    }
    rows = read(exports, "results.csv")
    arms = {r["arm_id"]: r for r in read(exports, "arms_doses.csv")}
    checked = 0
    for row in rows:
        g = graph[row["result_iri"]]
        for column, var in (("responders", "n"), ("analysed", "total"), ("percent", "percent"),
                            ("p_value", "p"), ("value", "value")):  # fmt: skip
            assert number(row[column]) == (float(g[var]) if var in g else None), (row, column)
        assert row["met_endpoint"] == g.get("met", ""), row
        assert row["p_value_comparator"] == g.get("cmp", ""), row
        assert row["time_point"] == g.get("time", "")
        assert row["population"] == g.get("population", "")
        assert row["kind"] == ("comparison" if "against" in g else "arm")
        if row["arm_id"]:
            assert row["arm_id"] in arms
        checked += row["responders"] != "" or row["p_value"] != ""
    assert checked > 0


def test_intervals_equal_statsmodels(exports: Path) -> None:
    rows = read(exports, "results.csv")
    with_counts = [r for r in rows if r["responders"] and r["analysed"]]
    assert with_counts, "at least one result reports responders n/N"
    for r in with_counts:
        low, high = proportion_confint(int(r["responders"]), int(r["analysed"]), alpha=0.05,
                                       method="wilson")  # fmt: skip
        assert float(r["ci_low_percent"]) == round(100 * low, DECIMALS)
        assert float(r["ci_high_percent"]) == round(100 * high, DECIMALS)
        assert "wilson" in r["ci_method"]
    only_percent = [r for r in rows if r["percent"] and not r["responders"] and r["kind"] == "arm"]
    assert all(r["ci_low_percent"] == "" and "no interval" in r["ci_method"] for r in only_percent)
    by_arm = {(r["trial_id"], r["measure_id"], r["arm_id"], r["time_point"], r["population"]): r
              for r in with_counts}  # fmt: skip
    compared = 0
    for r in rows:
        if r["kind"] != "comparison" or not r["difference_ci_low"]:
            continue
        key = (r["trial_id"], r["measure_id"])
        t = by_arm[(*key, r["arm_id"], r["time_point"], r["population"])]
        c = by_arm[(*key, r["compared_to_id"], r["time_point"], r["population"])]
        low, high = confint_proportions_2indep(
            int(t["responders"]), int(t["analysed"]), int(c["responders"]), int(c["analysed"]),
            method="newcomb", compare="diff", alpha=0.05,
        )  # fmt: skip
        assert float(r["difference_ci_low"]) == round(100 * float(low), DECIMALS)
        assert float(r["difference_ci_high"]) == round(100 * float(high), DECIMALS)
        assert "newcomb" in r["difference_method"]
        compared += 1
    assert compared > 0


def test_adverse_events_equal_the_graph(exports: Path, exports_store: pyoxigraph.Store) -> None:
    graph = {
        r["a"]: r
        for r in select(
            exports_store,
            """SELECT ?a ?label ?affected ?total ?serious WHERE { ?a a kgv:AdverseEventCount ;
               rdfs:label ?label ; kgv:affected ?affected ; kgv:serious ?serious .
               OPTIONAL { ?a kgv:participantsAnalysed ?total } }""",
        )
    }
    for row in read(exports, "adverse_events.csv"):
        g = graph[row["adverse_event_iri"]]
        assert row["event"] == g["label"]
        assert int(row["affected"]) == int(g["affected"])
        assert row["analysed"] == g.get("total", "")
        assert row["serious"] == g["serious"]


def test_statements_keep_every_evidence_item(
    exports: Path, exports_store: pyoxigraph.Store
) -> None:
    evidence = select(
        exports_store,
        """SELECT ?s ?subject ?predicate ?object ?negated ?source ?quote ?locator ?eco ?ecoLabel
        WHERE { ?s a kgv:Statement ; rdf:subject ?subject ; rdf:predicate ?predicate ;
          rdf:object ?object ; kgv:negated ?negated ; kgv:evidence ?e .
          ?e dcterms:source ?source ; kgv:quote ?quote ; kgv:locator ?locator ;
             kgv:evidenceCode ?eco . OPTIONAL { ?eco rdfs:label ?ecoLabel } }""",
    )
    rows = read(exports, "statements.csv")
    assert len(rows) == len(evidence) > 0
    table = {(r["statement_iri"], r["quote"], r["locator"]): r for r in rows}
    for g in evidence:
        row = table[(g["s"], g["quote"], g["locator"])]
        assert (row["subject_iri"], row["predicate_iri"], row["object_iri"]) == (
            g["subject"], g["predicate"], g["object"])  # fmt: skip
        assert row["negated"] == g["negated"]
        assert row["eco_label"] == g.get("ecoLabel", "")
        assert row["source_id"] and row["subject"] and row["object"]
    assert any(r["negated"] == "true" for r in rows), "negative findings are kept as rows"


# ------------------------------------------------------------------------- the intervals


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_an_arm_interval_holds_its_estimate(counts: tuple[int, int]) -> None:
    n, total = counts
    low, high = proportion_ci(n, total)
    # statsmodels' limits carry float noise at the edges (0/7 gives a lower limit of 3e-17)
    assert -1e-12 <= low <= n / total + 1e-12 and n / total - 1e-12 <= high <= 1.0 + 1e-12
    assert (low, high) == tuple(proportion_confint(n, total, alpha=0.05, method="wilson"))


@given(
    st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
)
def test_a_difference_interval_holds_its_estimate(
    treated: tuple[int, int], control: tuple[int, int]
) -> None:
    low, high = difference_ci(*treated, *control)
    point = treated[0] / treated[1] - control[0] / control[1]
    assert -1.0 - 1e-12 <= low <= point + 1e-12 and point - 1e-12 <= high <= 1.0 + 1e-12


def test_an_impossible_count_is_refused() -> None:
    for n, total in ((5, 4), (-1, 4), (0, 0)):
        with pytest.raises(ValueError, match="responders"):
            proportion_ci(n, total)


def test_a_percentage_alone_has_no_interval(real_context: BuildContext) -> None:
    data = trial_data(real_context.projection)
    only = [r for t in data.trials for r in t.results
            if r.percent is not None and r.responders is None and not r.is_comparison]  # fmt: skip
    assert only
    est = arm_estimate(only[0])
    assert est.point == only[0].percent and not est.has_interval and "no interval" in est.method


# ------------------------------------------------------------------ pandas, bounds, links


def test_pandas_reads_only_empty_cells_as_missing(exports: Path) -> None:
    """A real value is never one of pandas' default NA tokens (phase `N/A` became NaN)."""
    pd = pytest.importorskip("pandas")
    from pandas._libs.parsers import STR_NA_VALUES

    assert frozenset(STR_NA_VALUES) <= NA_TOKENS, "our list covers this pandas' tokens"
    for name in COLUMNS:
        path = exports / "tables" / name
        default = pd.read_csv(path)
        raw = pd.read_csv(path, keep_default_na=False, dtype=str)
        assert (default.isna() == (raw == "")).all().all(), name
    trials = pd.read_csv(exports / "tables" / "trials.csv")
    assert trials["phase"].notna().sum() >= 20
    assert "not applicable" in set(trials["phase"])


@given(st.one_of(st.sampled_from(sorted(NA_TOKENS)), st.text(max_size=12)))
def test_no_written_text_reads_back_as_missing(text: str) -> None:
    pd = pytest.importorskip("pandas")
    import io

    cell = _cell(text)
    assert cell == "" or cell.strip() not in NA_TOKENS
    if cell.strip() and "\x00" not in cell and cell == cell.strip() and "\r" not in cell:
        frame = pd.read_csv(io.StringIO("x\n" + _quoted(cell) + "\n"), dtype=str)
        assert not frame["x"].isna().any(), cell


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def _bound_result(comparator: str) -> TrialData:
    r = Result(
        id="X:r", iri="http://example.org/r", curation_id="r", trial_id="X:t", measure="X:m",
        measure_label="SRI-4", measure_short="SRI-4", measure_kind="", arm="X:a", arm_label="a",
        compared_to="X:b", compared_to_label="b", time_point="week 12", population="ITT",
        responders=None, analysed=None, percent=None, value=None, value_unit="", statistic="",
        direction="", p_value=0.001, p_value_text=f"{comparator} 0.001".strip(),
        met_endpoint=None, status="verified", note="", evidence=(),
        p_value_comparator=comparator,
    )  # fmt: skip
    trial = Trial("X:t", "http://example.org/t", "T", "t", "T", "2", "completed", {}, 2, (), (),
                  (), (r,), (), ())  # fmt: skip
    return TrialData((trial,))


@pytest.mark.parametrize("comparator", ["", "<", "<=", ">", ">="])
def test_a_p_value_bound_keeps_its_comparator(comparator: str, tmp_path: Path) -> None:
    write_tables(_bound_result(comparator), tmp_path)
    with (tmp_path / "results.csv").open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    columns = COLUMNS["results.csv"]
    assert columns.index("p_value_comparator") + 1 == columns.index("p_value")
    assert (row["p_value_comparator"], float(row["p_value"])) == (comparator, 0.001)


def test_source_links_resolve_and_the_iri_has_its_own_column(
    exports: Path, exports_store: pyoxigraph.Store
) -> None:
    """source_link is PubMed, DOI, registry or another web address, never a project IRI."""
    publication_ids = """SELECT ?pub (GROUP_CONCAT(?id; separator=" ") AS ?ids)
        WHERE { ?pub a ?type . OPTIONAL { ?pub dcterms:identifier ?id } } GROUP BY ?pub"""
    ids = {r["pub"]: r for r in select(exports_store, publication_ids)}
    linked = 0
    for name in ("results.csv", "adverse_events.csv", "statements.csv"):
        for row in read(exports, name):
            if not row["source_id"]:
                continue
            assert row["source_iri"].startswith("http"), row
            assert not row["source_link"].startswith(PROJECT_IRI), row
            assert row["source_short"], row
            if row["source_link"]:
                linked += 1
                assert row["source_link"].startswith("https://")
            elif row["source_iri"] in ids:
                # no link: the publication has no PMID / DOI / registry number in the graph
                assert not any(x in ids[row["source_iri"]].get("ids", "")
                               for x in ("PMID", "DOI", "NCT"))  # fmt: skip
    assert linked > 0
