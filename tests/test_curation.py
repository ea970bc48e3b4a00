"""The loader: located, collected problems for malformed curation files."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from kg.curation.load import did_you_mean, load_curation
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


# ---- closed choices: numbers and Unicode look-alikes (issue 11, section 2 case 6 and 3) ----


@pytest.mark.parametrize(
    "written,expected",
    [("μg", "µg"), ("µg", "µg"), ("ＭＩＵ", "MIU"), (" mg ", "mg"), ("MIU/m²", "MIU/m2")],
)
def test_units_match_after_nfkc(written: str, expected: str) -> None:
    from kg.curation.schema import Dose

    assert Dose(value=1, unit=written, frequency="daily").unit == expected  # type: ignore[arg-type]


def test_unquoted_phase_loads(data: Path) -> None:
    trial = data / "trials" / "lupil-2.yaml"
    trial.write_text(trial.read_text("utf-8").replace('phase: "2"', "phase: 2"), "utf-8")
    [lupil] = [t for t in load_curation(data).curation.trials if t.id == "lupil-2"]
    assert lupil.phase == "2"


# ---- p-values reported as a bound (issue 11, section 3) ----

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SPELLINGS = {"<": ["<"], "<=": ["<=", "≤"], ">": [">"], ">=": [">=", "≥"], "=": ["", "="]}


@given(
    comparator=st.sampled_from(sorted(_SPELLINGS)),
    data=st.data(),
    value=st.decimals(min_value=0, max_value=1, places=4),
    space=st.sampled_from(["", " ", "  "]),
    prefix=st.sampled_from(["", "p", "p "]),
)
def test_p_value_bounds_keep_value_and_comparator(
    comparator: str, data: st.DataObject, value: object, space: str, prefix: str
) -> None:
    from kg.curation.schema import PValue, Result

    spelling = data.draw(st.sampled_from(_SPELLINGS[comparator]))
    text = f"{prefix}{spelling}{space}{value}"
    result = Result(id="r", measure="m", source="PMID:1", p_value=text)  # type: ignore[arg-type]
    assert result.p_value == PValue(value=float(str(value)), comparator=comparator)  # type: ignore[arg-type]


def test_a_bare_number_is_an_exact_p_value() -> None:
    from kg.curation.schema import PValue, Result

    result = Result(id="r", measure="m", source="PMID:1", p_value=0.0168)  # type: ignore[arg-type]
    assert result.p_value == PValue(value=0.0168, comparator="=")


def test_a_bound_becomes_value_plus_comparator_in_rdf(data: Path) -> None:
    from rdflib import Literal

    from kg.namespaces import KGV, XSD
    from kg.rdf.build import build_graph
    from kg.rdf.model import result_iri

    trial = data / "trials" / "lupil-2.yaml"
    text = trial.read_text("utf-8")
    assert "p_value: 0.0168" in text
    trial.write_text(text.replace("p_value: 0.0168", 'p_value: "< 0.05"'), "utf-8")
    loaded = load_curation(data)
    [lupil] = [t for t in loaded.curation.trials if t.id == "lupil-2"]
    [res] = [r for r in lupil.results if r.p_value and r.p_value.comparator == "<"]
    ds = build_graph(loaded.curation, []).dataset  # the ontology modules add nothing here
    node = result_iri("lupil-2", res.id)
    values = [o for _, _, o, _ in ds.quads((node, KGV.pValue, None, None))]
    assert values == [Literal(Decimal("0.05"), datatype=XSD.decimal)]
    assert [str(o) for _, _, o, _ in ds.quads((node, KGV.pValueComparator, None, None))] == ["<"]


DIGITS = "0123456789"
ACCESSION = st.text(DIGITS, min_size=7, max_size=7)


def _slips(text: str) -> set[str]:
    """Every string one typing slip from text, enumerated: a digit wrong, missing, extra
    or moved elsewhere (a swap of neighbours is a move)."""
    out = {text[:i] + d + text[i + 1 :] for i in range(len(text)) for d in DIGITS}
    out |= {text[:i] + text[i + 1 :] for i in range(len(text))}
    out |= {text[:i] + d + text[i:] for i in range(len(text) + 1) for d in DIGITS}
    for i in range(len(text)):
        rest = text[:i] + text[i + 1 :]
        out |= {rest[:j] + text[i] + rest[j:] for j in range(len(rest) + 1)}
    return out - {text}


@given(target=ACCESSION, others=st.sets(ACCESSION, max_size=30), data=st.data())
def test_a_numeric_accession_one_slip_away_is_suggested_with_its_label(
    target: str, others: set[str], data: st.DataObject
) -> None:
    """The accession meant is named, with its label, for any one slip of it; whatever is
    suggested for any typo is one slip from the typo; nothing further is."""
    typo = data.draw(st.sampled_from(sorted(_slips(target))))
    near = _slips(typo)
    known = {target} | {k for k in others if k not in near} - {typo}
    labels = {f"MONDO:{k}": f"term {k}" for k in known}
    hint = did_you_mean(f"MONDO:{typo}", sorted(labels), labels)
    assert hint == f"did you mean 'MONDO:{target}' (term {target})?"
    labels = {f"MONDO:{k}": k for k in {target, *others} - {typo}}
    suggested = re.findall(r"'MONDO:(\d+)'", did_you_mean(f"MONDO:{typo}", sorted(labels), labels))
    assert set(suggested) <= near
    assert len(suggested) == min(3, len(near & {target, *others}))


def test_a_mistyped_accession_of_another_prefix_is_not_suggested() -> None:
    labels = {"MONDO:0007915": "systemic lupus erythematosus", "CL:0007951": "x"}
    assert did_you_mean("MONDO:0007951", sorted(labels), labels) == (
        "did you mean 'MONDO:0007915' (systemic lupus erythematosus)?"
    )
