"""The curation report (exports/curation-report.*) and the isolated-entity check."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Literal, URIRef

from kg.export.coverage import TRIAL_ASPECTS, coverage, render_markdown
from kg.namespaces import BIOLINK, KGV, RDF, RDFS, expand
from kg.rdf.isolation import isolated_entities, isolated_entity_issues
from kg.rdf.validate import REFERENTIAL_CHECKS, check_ids

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from miniproject import append_items, project_data

ROOT = Path(__file__).resolve().parents[1]
EX = "https://example.org/"


def test_build_writes_the_report_in_markdown_and_html(exports: Path) -> None:
    md = (exports / "curation-report.md").read_text("utf-8")
    page = (exports / "curation-report.html").read_text("utf-8")
    assert md.startswith("# Curation report")
    # one table row per trial, each with a cell per aspect
    trial_id = re.compile(r"\| .* \| (CLINICALTRIALS:|il2kg\.trial:)")
    trial_rows = [line for line in md.splitlines() if trial_id.match(line)]
    assert len(trial_rows) >= 11
    assert all(line.count("|") == len(TRIAL_ASPECTS) + 3 for line in trial_rows)
    assert "| LUPIL-2 | CLINICALTRIALS:NCT02955615 |" in md

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.tags.append(tag)

    parser = Parser()
    parser.feed(page)
    assert parser.tags.count("table") == 2 and "script" not in parser.tags


def test_report_reads_the_dataset_not_the_yaml() -> None:
    """A hand-made dataset: a trial with one arm and no results, a cited and an uncited paper."""
    ds = Dataset()
    g = ds.graph(URIRef(EX + "g"))
    trial, arm, dose = URIRef(EX + "t"), URIRef(EX + "t/arm"), URIRef(EX + "t/arm/dose")
    g.add((trial, RDF.type, KGV.ClinicalTrial))
    g.add((trial, RDFS.label, Literal("T1")))
    g.add((trial, KGV.hasArm, arm))
    g.add((arm, KGV.hasDose, dose))
    g.add((trial, KGV.randomised, Literal(True)))
    cited, uncited, st = URIRef(EX + "p1"), URIRef(EX + "p2"), URIRef(EX + "s")
    for p in (cited, uncited):
        g.add((p, RDF.type, KGV.Publication))
    g.add((st, RDF.type, KGV.Statement))
    g.add((st, KGV.curationId, Literal("s-1")))
    g.add((st, expand("dcterms:source"), cited))
    report = coverage(ds)
    ((label, _, counts),) = report.trials
    assert label == "T1"
    assert counts == {"design": 1, "arms": 1, "doses": 1, "endpoints": 0, "results": 0,
                      "adverse events": 0}  # fmt: skip
    findings = {pid: f for _, pid, f in report.publications}
    assert findings[EX + "p1"] == ("statement s-1",) and findings[EX + "p2"] == ()
    assert "**none**" in render_markdown(report)


def test_isolated_entities_are_those_without_a_relation() -> None:
    ds = Dataset()
    g = ds.graph(URIRef(EX + "g"))
    a, b, c = URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "c")
    for n in (a, b, c):
        g.add((n, BIOLINK.category, BIOLINK.Gene))
        g.add((n, RDFS.label, Literal("x")))
    g.add((a, expand("RO:0002205"), b))
    assert isolated_entities(ds, {a, b, c}) == [c]


@pytest.mark.parametrize("kind", ["sample", pytest.param("real", marks=pytest.mark.slow)])
def test_validate_warns_on_each_isolated_entity(
    tmp_path: Path, real_context: Any, kind: str
) -> None:
    """An entity nothing uses is a located warning of kg validate, not a violation (appended to
    the sample project; in CI also to a copy of data/, a validation of the whole project)."""
    from kg.pipeline import assemble

    data = project_data(kind, tmp_path)
    entities = data / "entities.yaml"
    orphan = "\n- id: il2kg:concept/nothing-uses-this\n  label: orphan\n  category: NamedThing\n"
    id_line = append_items(entities, orphan)
    assert id_line == len(entities.read_text("utf-8").splitlines()) - 2
    assembled = assemble(data, tmp_path / "ontologies", (), None)
    found = [f for f in assembled.validation.findings if f.check == "isolated-entity"]
    assert [f.focus for f in found] == ["il2kg:concept/nothing-uses-this"]
    (f,) = found
    assert f.severity == "warning" and f.file.endswith("entities.yaml")
    assert f.line == id_line
    assert "isolated-entity" in REFERENTIAL_CHECKS and "isolated-entity" in check_ids()
    # in the project itself every entity is connected (genes, publications, organisations)
    session = real_context  # the session build's graph (tests/conftest.py)
    assert isolated_entity_issues(session.loaded, session.dataset) == []
