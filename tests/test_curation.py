"""The loader: located, collected problems for malformed curation files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.curation.load import load_curation
from kg.errors import KGError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the real data/ in a temp dir that is also the working directory."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def _errors(data: Path) -> list[str]:
    with pytest.raises(KGError) as info:
        load_curation(data)
    return [str(p) for p in info.value.problems]


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


def test_real_data_loads_with_the_expected_volume() -> None:
    c = load_curation(ROOT / "data").curation
    # Every statement needs a verbatim quote from a stored source; these are all the honest ones.
    assert len(c.entities) >= 75
    assert len(c.statements) >= 45
    assert sum(s.negated for s in c.statements) >= 5
    assert len(c.trials) >= 11
    assert sum(len(t.results) for t in c.trials) >= 40


def test_unknown_unit_is_reported_at_its_line_with_the_allowed_values(data: Path) -> None:
    trial = data / "trials" / "lupil-2.yaml"
    text = trial.read_text()
    assert "unit: MIU" in text
    trial.write_text(text.replace("unit: MIU", "unit: MIU/week", 1))
    line = _line_of(trial, "unit: MIU/week")
    errors = _errors(data)
    assert len(errors) == 1
    assert errors[0].startswith(f"data/trials/lupil-2.yaml:{line}: arms[0].doses[0].unit: ")
    assert "expected one of mg, µg, g, mg/kg, IU, MIU" in errors[0]
    assert "got 'MIU/week'" in errors[0]


def test_every_problem_is_reported_at_once(data: Path) -> None:
    entities = data / "entities.yaml"
    text = entities.read_text().replace("category: Disease", "category: Illness", 1)
    entities.write_text(text)
    pubs = data / "publications.yaml"
    pubs.write_text(pubs.read_text().replace("year: 2022", "year: twenty", 1))
    errors = _errors(data)
    assert any(
        "data/entities.yaml:" in e and "category: expected one of Disease" in e for e in errors
    )
    assert any("data/publications.yaml:" in e and "year: expected an integer" in e for e in errors)


def test_dangling_reference_and_duplicate_id(data: Path) -> None:
    statements = data / "statements.yaml"
    text = statements.read_text()
    first_subject = next(line for line in text.splitlines() if "subject:" in line)
    statements.write_text(text.replace(first_subject, "    subject: CL:9999999", 1))
    errors = _errors(data)
    assert any("subject: 'CL:9999999' is not a defined entity" in e for e in errors)


def test_invalid_yaml_and_non_utf8(data: Path) -> None:
    (data / "outcome_measures.yaml").write_text("outcome_measures:\n  - id: [unclosed\n")
    (data / "publications.yaml").write_bytes(b"publications:\n  - id: PMID:1\n    title: caf\xe9\n")
    errors = _errors(data)
    assert any(e.startswith("data/outcome_measures.yaml:") and "invalid YAML" in e for e in errors)
    assert "data/publications.yaml:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8" in errors
