"""kg.rdf.validate and kg.rdf.consistency: each shape fires on the graph fault it guards
against and is traced to the YAML field a curator edits; --warn downgrades; reports render.

The faults are made in the built graph of a small valid project (tests/bad_input/miniproject),
where the YAML is still correct, so the shapes are tested as a second line behind the loader.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest
from rdflib import Dataset, Literal, URIRef

from kg import namespaces
from kg.curation.load import LoadedCuration, Location, load_curation
from kg.curation.schema import Category, Design, Statement, Trial
from kg.errors import KGError
from kg.namespaces import BIOLINK, DCTERMS, KGV, OWL, RDF, RDFS, expand
from kg.ontology.modules import Module, iter_modules
from kg.pipeline import Assembled
from kg.rdf.build import BuiltGraph, build_graph
from kg.rdf.consistency import contradictions
from kg.rdf.model import (
    CURATION_GRAPH,
    PROVENANCE_GRAPH,
    arm_iri,
    dose_iri,
    evidence_iri,
    module_graph,
    result_iri,
    statement_iri,
)
from kg.rdf.report import render_html, render_markdown, write_report
from kg.rdf.validate import (
    KGSH,
    SH,
    ValidationReport,
    check_ids,
    shapes_graph,
    validate,
)

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
from harness import run_kg
from miniproject import sample_curation, write_project

ROOT = Path(__file__).resolve().parents[1]
S, T, E = "data/statements.yaml", "data/trials/sample-trial.yaml", "data/entities.yaml"
STATEMENT = statement_iri("sample-il2-expands-treg")
EVIDENCE = evidence_iri(STATEMENT, 1)
TRIAL = expand("NCT:NCT01234567")
ARM = arm_iri("sample-trial", "il-2")
DOSE = dose_iri("sample-trial", "il-2", 1)
RESULT = result_iri("sample-trial", "sri4")


@dataclass
class Project:
    root: Path
    loaded: LoadedCuration
    built: BuiltGraph

    @property
    def dataset(self) -> Dataset:
        return self.built.dataset

    @property
    def modules(self) -> tuple[Module, ...]:
        return self.built.modules

    def run(self, warn: tuple[str, ...] = ()) -> ValidationReport:
        return validate(self.loaded, self.built, warn)

    def line(self, file: str, text: str) -> int:
        content = (self.root / file).read_text("utf-8")
        return content[: content.index(text)].count("\n") + 1


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    write_project(tmp_path, sample_curation())
    monkeypatch.chdir(tmp_path)  # messages name files relative to the working directory
    loaded = load_curation(Path("data"))
    modules = list(iter_modules(Path("ontologies")))
    yield Project(tmp_path, loaded, build_graph(loaded.curation, modules))


# ---- the shapes themselves ----


def test_shapes_parse_and_every_shape_says_what_to_fix() -> None:
    g = shapes_graph()
    shapes = set(g.subjects(RDF.type, SH.PropertyShape)) | set(g.subjects(RDF.type, SH.NodeShape))
    assert len(shapes) > 30
    for shape in shapes:
        assert str(shape).startswith(str(KGSH)), shape
        constrains = (shape, RDF.type, SH.PropertyShape) in g or g.value(shape, SH["or"])
        if constrains:
            assert g.value(shape, SH.message) is not None, shape


def _in_list(prop: URIRef) -> set[str]:
    g = shapes_graph()
    head = g.value(prop, SH["in"])
    return {str(x).removeprefix(str(BIOLINK)) for x in g.items(head)}


def test_category_shape_matches_the_schema() -> None:
    allowed = {c.value for c in Category} | {"ClinicalTrial", "Publication", "ClinicalMeasurement"}
    assert _in_list(KGSH["Category-value"]) == allowed


def test_phase_and_blinding_shapes_match_the_schema() -> None:
    assert _in_list(KGSH["ClinicalTrial-phase"]) == set(
        get_args(Trial.model_fields["phase"].annotation)
    )
    blinding = Design.model_fields["blinding"].annotation
    values = {v for arg in get_args(blinding) for v in get_args(arg)}
    assert _in_list(KGSH["ClinicalTrial-blinding"]) == values


def test_check_ids_name_shapes_families_and_referential_checks() -> None:
    ids = check_ids()
    for name in ("Dose", "Dose-doseValue", "ClinicalTrial-registry", "contradiction",
                 "ontology-term", "NotObsolete-deprecated", "StatementPredicate"):  # fmt: skip
        assert name in ids


# ---- a valid project is valid; the real data has no violations ----


def test_valid_project_has_no_findings(project: Project) -> None:
    assert project.run().findings == ()


def test_real_data_has_no_violations(assembled: Assembled) -> None:
    report = assembled.validation  # the session build's validation (tests/conftest.py)
    assert report.violations == (), "\n".join(map(str, report.violations))


# ---- each shape fires, located ----

Fault = Callable[[Dataset], None]


def _drop(s: URIRef, p: URIRef) -> Fault:
    return lambda ds: [ds.remove((s, p, None, g)) for g in (CURATION_GRAPH, PROVENANCE_GRAPH)]


def _set(s: URIRef, p: URIRef, o: object, graph: URIRef = CURATION_GRAPH) -> Fault:
    def fault(ds: Dataset) -> None:
        ds.remove((s, p, None, graph))
        ds.add((s, p, o, graph))  # type: ignore[arg-type]

    return fault


CASES: list[tuple[str, Fault, str, str, str]] = [
    # (check, fault, file, text on the expected line, field)
    (
        "Statement-evidence",
        _drop(STATEMENT, KGV.evidence),
        S,
        "- evidence:",
        "statements[0].evidence",
    ),
    ("Evidence-quote", _drop(EVIDENCE, KGV.quote), S, "quote:", "statements[0].evidence[0].quote"),
    (
        "Evidence-quoteLength",
        _set(EVIDENCE, KGV.quote, Literal(" ".join(["word"] * 26)), PROVENANCE_GRAPH),
        S,
        "quote:",
        "statements[0].evidence[0].quote",
    ),
    (
        "Evidence-code",
        _drop(EVIDENCE, KGV.evidenceCode),
        S,
        "eco:",
        "statements[0].evidence[0].eco",
    ),
    (
        "Evidence-codeDeclared",
        _set(EVIDENCE, KGV.evidenceCode, expand("ECO:0000001"), PROVENANCE_GRAPH),
        S,
        "eco:",
        "statements[0].evidence[0].eco",
    ),
    (
        "Evidence-sourceIsPublication",
        _set(EVIDENCE, DCTERMS.source, expand("PMID:1"), PROVENANCE_GRAPH),
        S,
        "source:",
        "statements[0].evidence[0].source",
    ),
    (
        "Dose-doseValue",
        _set(DOSE, KGV.doseValue, Literal("1.0")),
        T,
        "value:",
        "arms[0].doses[0].value",
    ),
    ("Dose-doseUnit", _drop(DOSE, KGV.doseUnit), T, "unit: MIU", "arms[0].doses[0].unit"),
    ("ClinicalTrial-hasArm", _drop(TRIAL, KGV.hasArm), T, "arms:", "arms"),
    ("ClinicalTrial-phase", _set(TRIAL, KGV.phase, Literal("4")), T, "phase:", "phase"),
    ("ClinicalTrial-label", _drop(TRIAL, RDFS.label), T, "acronym:", "acronym"),
    (
        "Result-pValue",
        _set(RESULT, KGV.pValue, Literal(Decimal("1.5"), datatype=namespaces.XSD.decimal)),
        T,
        "- arm: il-2",
        "results[0].p_value",
    ),
    (
        "TrialArm-intervention",
        _drop(ARM, KGV.intervention),
        T,
        "intervention:",
        "arms[0].intervention",
    ),
    (
        "Category-value",
        _set(expand("CL:0000815"), BIOLINK.category, BIOLINK.Nonsense),
        E,
        "category: Cell",
        "entities[1].category",
    ),
    (
        "NotObsolete-deprecated",
        _set(expand("biolink:affects"), OWL.deprecated, Literal(True), module_graph("terms")),
        S,
        "predicate:",
        "statements[0].predicate",
    ),
    (
        "StatementPredicate",
        lambda ds: ds.remove((expand("biolink:affects"), RDFS.label, None, None)),
        S,
        "predicate:",
        "statements[0].predicate",
    ),
]


@pytest.mark.parametrize("check,fault,file,text,field", CASES, ids=[c[0] for c in CASES])
def test_shape_fires_and_is_located(
    project: Project, check: str, fault: Fault, file: str, text: str, field: str
) -> None:
    fault(project.dataset)
    report = project.run()
    found = [(f.check, f.file, f.line, f.field) for f in report.violations]
    assert (check, file, project.line(file, text), field) in found, report.findings


def test_unlabelled_class_is_located_where_it_is_used(project: Project) -> None:
    project.dataset.add((STATEMENT, RDF.type, KGV.Unheard, PROVENANCE_GRAPH))
    [finding] = project.run().violations
    assert (finding.check, finding.focus) == ("ClassLabel", "kgv:Unheard")
    assert (finding.file, finding.field) == (S, "statements[0]")


def test_unlabelled_class_is_located_where_it_is_declared(project: Project) -> None:
    project.dataset.remove((KGV.Dose, RDFS.label, None, module_graph("vocabulary")))
    [finding] = project.run().violations
    assert finding.file == "ontologies/vocabulary.ttl"
    assert finding.line == project.line("ontologies/vocabulary.ttl", "kgv:Dose a owl:Class")


# ---- warn, errors, reports ----


def test_warn_downgrades_a_shape_or_its_family(project: Project) -> None:
    _set(DOSE, KGV.doseValue, Literal("1.0"))(project.dataset)
    for name in ("Dose-doseValue", "Dose"):
        report = project.run(warn=(name,))
        assert report.violations == ()
        assert [f.check for f in report.warnings] == ["Dose-doseValue"]
        report.raise_for_violations()  # warnings do not fail


def test_violations_raise_one_located_kgerror(project: Project) -> None:
    _drop(DOSE, KGV.doseUnit)(project.dataset)
    with pytest.raises(KGError) as info:
        project.run().raise_for_violations()
    [problem] = info.value.problems
    assert str(problem) == (
        f"{T}:{project.line(T, 'unit: MIU')}: arms[0].doses[0].unit: a dose needs exactly one "
        "unit declared in ontologies/vocabulary.ttl [Dose-doseUnit; "
        "il2kg.dose:sample-trial.il-2.1]"
    )


def test_unknown_warn_check_is_a_user_error(project: Project) -> None:
    with pytest.raises(KGError, match="--warn: unknown check 'Dosage'"):
        project.run(warn=("Dosage",))


def test_reports_render_every_finding(project: Project, tmp_path: Path) -> None:
    _set(EVIDENCE, KGV.quote, Literal("a | b <c>"), PROVENANCE_GRAPH)(project.dataset)
    _drop(DOSE, KGV.doseUnit)(project.dataset)
    report = project.run(warn=("Dose",))
    md = render_markdown(report)
    assert "0 violations, 1 warning." in md
    assert "| warning | data/trials/sample-trial.yaml:" in md
    html = render_html(report)
    assert '<tr class="warning">' in html and "Dose-doseUnit" in html
    for name in ("r.md", "r.html"):
        path = write_report(report, tmp_path / "out" / name)
        assert path.read_text("utf-8") == (html if name.endswith("html") else md)


# ---- consistency ----


def _loaded(*statements: Statement) -> LoadedCuration:
    base = sample_curation()
    curation = base.model_copy(update={"statements": statements})
    locations = {s.id: _location(i) for i, s in enumerate(statements)}
    return LoadedCuration(curation, locations)


def _location(i: int) -> Location:
    return Location("data/statements.yaml", 10 * (i + 1))


def _statement(sid: str, negated: bool, **qualifiers: str) -> Statement:
    st = sample_curation().statements[0]
    return st.model_copy(update={"id": sid, "negated": negated, "qualifiers": qualifiers})


def test_contradiction_is_reported_once_at_the_later_statement() -> None:
    issues = contradictions(_loaded(_statement("a", False), _statement("b", True)))
    assert [(i.record, i.path, i.check) for i in issues] == [("b", (), "contradiction")]
    assert "contradicts statement 'a' (data/statements.yaml:10)" in issues[0].message


def test_qualifiers_that_differ_separate_the_contexts() -> None:
    a = _statement("a", False, species="human")
    assert contradictions(_loaded(a, _statement("b", True, species="mouse"))) == []
    assert len(contradictions(_loaded(a, _statement("b", True)))) == 1
    assert len(contradictions(_loaded(a, _statement("b", True, species="human")))) == 1
    assert contradictions(_loaded(a, _statement("b", False))) == []


# ---- the CLI ----


def test_build_with_warn_writes_exports_and_prints_the_warning(tmp_path: Path) -> None:
    c = sample_curation()
    trial = c.trials[0].model_copy(update={"registry": c.trials[0].registry.model_copy(
        update={"nct": ()})})  # fmt: skip
    write_project(tmp_path, c.model_copy(update={"trials": (trial,)}))
    refused = run_kg(("build",), tmp_path)
    assert refused.code == 1 and "[ClinicalTrial-registry;" in refused.stderr
    assert not (tmp_path / "exports").exists()
    run = run_kg(("build", "--warn", "ClinicalTrial-registry"), tmp_path)
    assert run.code == 0, run.output
    assert "warning data/trials/sample-trial.yaml:" in run.stderr
    assert (tmp_path / "exports" / "kg.nt").exists()


def test_validate_exits_0_on_a_valid_project_and_writes_the_report(tmp_path: Path) -> None:
    write_project(tmp_path, sample_curation())
    run = run_kg(("validate", "--report", "report.html"), tmp_path)
    assert run.code == 0, run.output
    assert "Valid: 0 violations, 0 warnings." in run.stdout
    assert "<table>" in (tmp_path / "report.html").read_text("utf-8")


def test_locations_survive_a_change_of_the_iri_scheme(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Findings are located through the origins recorded at minting, not by parsing IRIs:
    mint doses under another scheme and a dose finding still points at its YAML field."""
    import kg.rdf.build as build_module

    monkeypatch.setattr(
        build_module,
        "dose_iri",
        lambda *parts: URIRef("urn:example:dose:" + ":".join(map(str, parts))),
    )
    built = build_module.build_graph(project.loaded.curation, project.modules)
    [dose] = {s for s, _, _, _ in built.dataset.quads((None, RDF.type, KGV.Dose, None))}
    assert str(dose).startswith("urn:example:dose:")
    built.dataset.remove((dose, KGV.doseUnit, None, CURATION_GRAPH))
    [finding] = validate(project.loaded, built).violations
    assert (finding.check, finding.file, finding.field) == (
        "Dose-doseUnit",
        T,
        "arms[0].doses[0].unit",
    )
    assert finding.line == project.line(T, "unit: MIU")
