"""Statement-level curation rules, one test per error kind the curation audit found.

Counts are lower bounds, so adding statements never breaks them.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.curation.load import LoadedCuration, load_curation
from kg.curation.predicates import CLINICAL_ECO, DOMAIN_RANGE, category_of, misused_predicates
from kg.curation.schema import Curation, Entity, Evidence, Statement

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "bad_input"))
MOUSE_ECO = "ECO:0007120"


@pytest.fixture(scope="module")
def loaded() -> LoadedCuration:
    return load_curation(ROOT / "data")


@pytest.fixture(scope="module")
def curation(loaded: LoadedCuration) -> Curation:
    return loaded.curation


def test_lower_bounds(curation: Curation) -> None:
    quotes = {ev.quote for s in curation.statements for ev in s.evidence}
    sources = {ev.source for s in curation.statements for ev in s.evidence}
    assert len(curation.statements) >= 150
    assert len(quotes) >= 100
    assert len(sources) >= 30


def test_every_predicate_is_used_within_its_domain_and_range(curation: Curation) -> None:
    assert list(misused_predicates(curation)) == []


def test_positively_regulates_only_between_processes(curation: Curation) -> None:
    cats = category_of(curation)
    for s in curation.statements:
        if s.predicate in ("RO:0002211", "RO:0002212", "RO:0002213"):
            assert cats[s.subject] in DOMAIN_RANGE[s.predicate][0], s.id
            assert cats[s.object] in DOMAIN_RANGE[s.predicate][1], s.id


def test_treats_only_for_material_entities_with_clinical_evidence(curation: Curation) -> None:
    cats = category_of(curation)
    for s in curation.statements:
        if s.predicate == "RO:0002606":
            assert cats[s.subject] in {"Drug", "ChemicalEntity", "Protein"}, s.id
            assert any(ev.eco in CLINICAL_ECO for ev in s.evidence), s.id


def test_no_title_only_evidence_for_a_treatment_claim(curation: Curation) -> None:
    """A review title is not evidence that a therapy treats a disease."""
    treatment = {"RO:0002606", "RO:0003307", "biolink:studied_to_treat",
                 "biolink:in_clinical_trials_for"}  # fmt: skip
    for s in curation.statements:
        if s.predicate in treatment:
            assert any(not ev.locator.startswith("title") for ev in s.evidence), s.id


def test_confirmatory_trial_quotes_do_not_support_treats(curation: Curation) -> None:
    for s in curation.statements:
        if s.predicate == "RO:0002606" and not s.negated:
            assert not any("confirmatory" in ev.quote for ev in s.evidence), s.id


def test_direction_claims_carry_a_direction_qualifier(curation: Curation) -> None:
    """ "modulated" has no direction: every affects-statement says which way, in qualifiers."""
    for s in curation.statements:
        if s.predicate == "biolink:affects":
            assert "direction" in s.qualifiers, s.id


def test_tcon_is_not_a_class_that_contains_treg(curation: Curation) -> None:
    cl624 = next(e for e in curation.entities if e.id == "CL:0000624")
    assert "Tcon" not in cl624.synonyms
    tcon = [e for e in curation.entities if "Tcon" in e.synonyms]
    assert tcon and all(not e.id.startswith("CL:") for e in tcon)


def test_mouse_findings_carry_the_organism(curation: Curation) -> None:
    for s in curation.statements:
        if any(ev.eco == MOUSE_ECO for ev in s.evidence) and s.qualifiers.get("species") != "human":
            assert s.qualifiers.get("organism") == "NCBITaxon:10090", s.id


def test_no_statement_names_an_ncit_phase_class(curation: Curation) -> None:
    for s in curation.statements:
        assert not s.subject.startswith("NCIT:C1"), s.id


def test_quotes_are_at_most_25_words_and_unique_per_statement(curation: Curation) -> None:
    for s in curation.statements:
        quotes = [ev.quote for ev in s.evidence]
        assert all(len(q.split()) <= 25 for q in quotes), s.id
        assert len(quotes) == len(set(quotes)), s.id


def test_every_publication_has_title_year_and_an_identifier_or_authors(curation: Curation) -> None:
    for p in curation.publications:
        assert p.title and p.year, p.id
        if p.type != "registry record" and p.status == "verified":
            assert p.pmid or p.doi or p.authors, p.id
        assert p.pmid or p.doi or p.pmcid or p.note, p.id


def test_no_bracketed_placeholder_titles_left_where_the_title_was_read(curation: Curation) -> None:
    """A [bracketed] title is left only where no stored record showed the exact title, and the
    record then says so (unverified, or a database record that has no title)."""
    for p in curation.publications:
        if p.title.startswith("["):
            assert p.status == "unverified" or p.type == "registry record", p.id
            assert p.note, p.id


def test_every_locator_names_where_it_was_read(curation: Curation) -> None:
    new = [ev for s in curation.statements for ev in s.evidence if "read at" in ev.locator]
    assert len(new) >= 100


def test_each_statement_source_is_cited_with_consistent_eco(curation: Curation) -> None:
    counts = Counter(ev.eco for s in curation.statements for ev in s.evidence)
    assert counts["ECO:0007121"] >= 30 and counts[MOUSE_ECO] >= 20


_CATS = sorted({"Drug", "Protein", "Cell", "Disease", "BiologicalProcess", "ClinicalIntervention",
                "PhenotypicFeature", "Gene"})  # fmt: skip


@given(st.sampled_from(sorted(DOMAIN_RANGE)), st.sampled_from(_CATS), st.sampled_from(_CATS))
def test_the_checker_flags_exactly_the_out_of_range_uses(pred: str, scat: str, ocat: str) -> None:
    """Property: a statement is flagged iff its subject or object category is outside the table."""
    ents = (
        Entity(id="il2kg:concept/s", label="s", category=scat),
        Entity(id="il2kg:concept/o", label="o", category=ocat),
    )
    ev = Evidence(source="PMID:1", eco="ECO:0007121", quote="q", locator="abstract")
    stmt = Statement(
        id="s", subject="il2kg:concept/s", predicate=pred, object="il2kg:concept/o", evidence=(ev,)
    )
    cur = Curation(
        entities=ents, publications=(), statements=(stmt,), trials=(), outcome_measures=()
    )
    found = {m.field for m in misused_predicates(cur)}
    dom, rng = DOMAIN_RANGE[pred]
    assert ("subject" in found) == (scat not in dom)
    assert ("object" in found) == (ocat not in rng)


def _therapy_treats(tmp_path: Path) -> int:
    """The sample project plus a therapy (a planned process) that 'treats' SLE (RO:0002606)
    on an author's statement; returns the line where that statement starts."""
    from miniproject import sample_curation, write_project

    curation = sample_curation()
    therapy = Entity(
        id="il2kg:intervention/sample-therapy",
        label="sample therapy",
        category="ClinicalIntervention",
    )
    misuse = Statement(
        id="sample-therapy-treats-sle",
        subject=therapy.id,
        predicate="RO:0002606",
        object="MONDO:0007915",
        evidence=curation.statements[0].evidence,  # an author's statement, not clinical
    )
    entities, statements = (*curation.entities, therapy), (*curation.statements, misuse)
    write_project(
        tmp_path, curation.model_copy(update={"entities": entities, "statements": statements})
    )
    lines = (tmp_path / "data/statements.yaml").read_text("utf-8").splitlines()
    return max(n for n, line in enumerate(lines, 1) if line.startswith("- "))


def _therapy_studied_to_treat_misused(tmp_path: Path) -> int:
    """A copy of the project where the therapy 'treats' (RO:0002606) instead of 'studied to
    treat'; returns the line where that statement starts."""
    import shutil

    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "ontologies", tmp_path / "ontologies")
    path = tmp_path / "data" / "statements.yaml"
    text = path.read_text("utf-8")
    old = (
        "  - id: low-dose-il2-is-targeted-therapy\n"
        "    subject: il2kg:intervention/low-dose-il-2-therapy\n"
        "    predicate: biolink:studied_to_treat"
    )
    assert old in text
    path.write_text(
        text.replace(old, old.replace("biolink:studied_to_treat", "RO:0002606")), "utf-8"
    )
    return text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize("kind", ["sample", pytest.param("real", marks=pytest.mark.slow)])
def test_validate_reports_a_predicate_outside_its_range_at_its_line(
    tmp_path: Path, kind: str
) -> None:
    """`kg validate` reports a misuse as a located warning (check predicate-domain-range); the
    tests above make it fail for the project's own data. The therapy (a planned process) is
    not a substance: RO:0002606 needs a material subject and clinical evidence. In the sample
    project; in CI also in a copy of data/ (a validation of the whole project)."""
    from kg.pipeline import assemble

    if kind == "sample":
        line = _therapy_treats(tmp_path)
    else:
        line = _therapy_studied_to_treat_misused(tmp_path)
    report = assemble(tmp_path / "data", tmp_path / "ontologies", (), None).validation
    bad = [f for f in report.warnings if f.check == "predicate-domain-range"]
    assert len(bad) >= 2  # subject category and missing clinical evidence
    assert all(f.file.endswith("statements.yaml") and f.line and f.line >= line for f in bad)
