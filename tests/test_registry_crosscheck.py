"""Registry cross-check: `kg validate` / `kg build` compare trials with data/registry/<NCT>.json.

Works on copies of the project with the TEST record tests/fixtures/registry/NCT02955615.json
saved as LUPIL-2's record (written from data/trials/lupil-2.yaml, so they agree until a test
introduces drift). Also the round trip of issue 15: import -> validate -> build -> the new
trial answers the competency queries.

Each test validates (or builds) the whole real project, so only drift runs in the fast tier, with
a broken record on the sample project; the rest is `slow` (CI runs it).
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))

from harness import Run, run_kg

from kg.curation.schema import Design, Registry, Trial
from kg.registry.crosscheck import _compare
from kg.registry.record import StudyRecord

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tests/fixtures/registry/NCT02955615.json"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("data", "ontologies"):
        shutil.copytree(ROOT / name, tmp_path / name)
    (tmp_path / "data/registry").mkdir()
    shutil.copyfile(RECORD, tmp_path / "data/registry/NCT02955615.json")
    return tmp_path


def kg(root: Path, *args: str) -> Run:
    return run_kg(args, root)


def edit(root: Path, find: str, replace: str) -> int:
    """Replace text in lupil-2.yaml; return the line it is on."""
    path = root / "data/trials/lupil-2.yaml"
    text = path.read_text("utf-8")
    assert find in text
    path.write_text(text.replace(find, replace, 1), "utf-8")
    return text[: text.index(find)].count("\n") + 1


def registry_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "[registry-" in line]


@pytest.mark.slow
def test_a_trial_that_agrees_with_its_record_has_no_finding(project: Path) -> None:
    run = kg(project, "validate", "--strict")
    assert run.code == 0, run.output
    assert registry_lines(run.output) == []


def test_deliberate_drift_is_reported_at_the_trial_line(project: Path) -> None:
    line = edit(project, "enrolment: 100\n", "enrolment: 500\n")
    status_line = edit(project, "status: completed\n", "status: unknown\n")
    run = kg(project, "validate")
    assert run.code == 0, run.output  # a warning by default
    found = registry_lines(run.output)
    assert found == [
        f"warning   data/trials/lupil-2.yaml:{line}: enrolment: curated 500 disagrees with "
        "ClinicalTrials.gov NCT02955615 (last update posted 2019-01-17, data version "
        "2019-01-18; data/registry/NCT02955615.json): enrolment 100 (actual) "
        "[registry-drift; NCT:NCT02955615]",
        f"warning   data/trials/lupil-2.yaml:{status_line}: status: curated 'unknown' disagrees "
        "with ClinicalTrials.gov NCT02955615 (last update posted 2019-01-17, data version "
        "2019-01-18; data/registry/NCT02955615.json): overall status COMPLETED "
        "[registry-drift; NCT:NCT02955615]",
    ]


@pytest.mark.slow
def test_strict_makes_drift_an_error_for_validate_and_build(project: Path) -> None:
    line = edit(project, 'phase: "2"\n', "phase: not stated\n")
    run = kg(project, "validate", "--strict")
    assert run.code == 1
    assert f"violation data/trials/lupil-2.yaml:{line}: phase: curated 'not stated'" in run.output
    run = kg(project, "build", "--strict", "--out", "exports", "-f", "ttl")
    assert run.code == 1
    assert f"data/trials/lupil-2.yaml:{line}: phase: curated 'not stated' disagrees" in run.output
    assert not (project / "exports").exists()  # nothing written
    # --warn downgrades the check again, as for every other check
    run = kg(project, "validate", "--strict", "--warn", "registry-drift")
    assert run.code == 0, run.output


@pytest.mark.slow
def test_gaps_are_warnings_even_when_strict(project: Path) -> None:
    edit(project, "sponsor: Iltoo Pharma\n", "")
    id_line = edit(project, "id: lupil-2\n", "id: lupil-2\n")
    type_line = edit(project, "enrolment_type: actual\n", "")  # now the line of `sponsor`'s gap
    run = kg(project, "validate", "--strict")
    assert run.code == 0, run.output
    found = registry_lines(run.output)
    assert len(found) == 2
    assert "enrolment_type: not curated, but ClinicalTrials.gov NCT02955615" in found[0]
    # a missing top-level field is located at the trial's id line
    assert found[0].startswith(f"warning   data/trials/lupil-2.yaml:{id_line}: enrolment_type:")
    assert found[1].startswith(f"warning   data/trials/lupil-2.yaml:{id_line}: sponsor:")
    assert "lead sponsor 'Iltoo Pharma'" in found[1]
    assert type_line > id_line


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            b"{", "data/registry/NCT02955615.json:1: not valid JSON", marks=pytest.mark.slow
        ),
        pytest.param(
            (ROOT / "tests/fixtures/registry/NCT02084238.json").read_bytes(),
            "the record is NCT02084238's, not NCT02955615's",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_broken_saved_record_is_a_violation(project: Path, content: bytes, message: str) -> None:
    (project / "data/registry/NCT02955615.json").write_bytes(content)
    run = kg(project, "validate")
    assert run.code == 1
    assert message in run.output and "[registry-record; NCT:NCT02955615]" in run.output


def test_a_saved_record_that_is_not_json_is_a_violation(tmp_path: Path) -> None:
    """The same check on the sample project (whose trial names NCT01234567): the fast tier's
    case; CI also runs it on the real project above."""
    from miniproject import sample_curation, write_project

    write_project(tmp_path, sample_curation())
    (tmp_path / "data/registry").mkdir()
    (tmp_path / "data/registry/NCT01234567.json").write_bytes(b"{")
    run = kg(tmp_path, "validate")
    assert run.code == 1
    assert "data/registry/NCT01234567.json:1: not valid JSON" in run.output
    assert "[registry-record; NCT:NCT01234567]" in run.output


def _trial(**changes: object) -> Trial:
    base = {
        "id": "t",
        "acronym": "T",
        "title": "T",
        "registry": Registry(nct=("NCT02955615",)),
        "phase": "2",
        "design": Design(blinding="double-blind"),
        "enrolment": 100,
        "enrolment_type": "actual",
        "sponsor": "Iltoo Pharma SAS (sponsor)",
        "status": "completed",
        "conditions": ("MONDO:0007915",),
        "start": date(2017, 1, 18),
        "primary_completion": date(2018, 8, 27),
        "completion": date(2019, 2, 11),
        "arms": (
            {"id": "a", "label": "a", "role": "experimental", "intervention": "il2kg:drug/ilt-101"},
        ),
    }
    return Trial.model_validate(base | changes)


@pytest.fixture(scope="module")
def record() -> StudyRecord:
    import json

    return StudyRecord(json.loads(RECORD.read_text("utf-8")), "rec.json")


@pytest.mark.parametrize(
    ("changes", "drift"),
    [
        ({}, []),
        ({"phase": "2b"}, []),  # a sub-phase agrees with its phase
        ({"phase": "3"}, [("phase",)]),
        ({"phase": "1/2a"}, [("phase",)]),
        ({"completion": date(2019, 3, 1)}, [("completion",)]),  # registry: 2019-02
        ({"sponsor": "Amgen"}, [("sponsor",)]),
        ({"enrolment_type": "planned"}, [("enrolment_type",)]),
        ({"design": Design(blinding="open-label")}, [("design", "blinding")]),
        ({"start": date(2017, 1, 19)}, [("start",)]),
    ],
)
def test_comparison_rules(record: StudyRecord, changes: dict[str, object], drift: list) -> None:
    found = [k for k, check, _ in _compare(_trial(**changes), record) if check == "registry-drift"]
    assert found == drift


@pytest.mark.slow
def test_round_trip_import_validate_build_query(project: Path) -> None:
    """Issue 15: a trial imported from its record validates and builds unchanged, has no
    registry findings, and answers the competency queries."""
    (project / "data/trials/lupil-2.yaml").unlink()
    shutil.rmtree(project / "data/registry")
    run = kg(project, "import", "clinicaltrials", "--from", str(RECORD))
    assert run.code == 0, run.output
    drafted = (project / "data/trials/lupil-2.yaml").read_bytes()
    run = kg(project, "validate", "--strict")
    assert run.code == 0, run.output
    assert registry_lines(run.output) == []
    run = kg(project, "build", "--strict", "--out", "exports", "-f", "nq")
    assert run.code == 0, run.output
    assert (project / "data/trials/lupil-2.yaml").read_bytes() == drafted  # unchanged

    def query(name: str) -> list[dict[str, str]]:
        answer = project / f"{name}.csv"
        run = kg(project, "query", name, "--exports", "exports", "-f", "csv", "-o", str(answer))
        assert run.code == 0, run.output
        return list(csv.DictReader(io.StringIO(answer.read_text("utf-8"))))

    ids = {
        (r["kind"], r["identifier"])
        for r in query("trial_registry_ids")
        if r["acronym"] == "LUPIL-2"
    }
    assert ("ClinicalTrials.gov", "NCT02955615") in ids
    assert any(kind == "EudraCT" and "2016-000488-17" in i for kind, i in ids)
    phases = {(r["phase"], r["acronym"]) for r in query("trials_per_phase")}
    assert ("2", "LUPIL-2") in phases
    arms = {
        (r["arm"], r["role"], r["intervention"])
        for r in query("interventions_per_trial")
        if r["acronym"] == "LUPIL-2"
    }
    assert arms == {
        ("ILT-101", "experimental", "ILT-101"),
        ("Placebo", "placebo comparator", "placebo"),
    }
    endpoints = [r for r in query("rct_primary_endpoints") if r.get("acronym") == "LUPIL-2"]
    assert endpoints and any("SLE Responder Index-4" in ",".join(r.values()) for r in endpoints)
