"""`kg import pubmed --from FILE`: PubMed EFetch XML -> data/publications.yaml entries.

The fixture tests/fixtures/pubmed/lupil-2-and-he-2016.xml is a TEST record (it says so in an
XML comment) in the EFetch shape, validated by Biopython against the pubmed_250101 DTD.
"""

from __future__ import annotations

import difflib
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))

from harness import Run, run_kg

from kg.curation.load import load_curation
from kg.errors import KGError
from kg.pubmed.efetch import _pages, _title, parse_efetch
from kg.pubmed.entries import complete_publications

ROOT = Path(__file__).resolve().parents[1]
XML = ROOT / "tests/fixtures/pubmed/lupil-2-and-he-2016.xml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def kg(root: Path, *args: str) -> Run:
    return run_kg(args, root)


def entry(root: Path, entry_id: str) -> dict[str, object]:
    data = YAML(typ="safe").load((root / "data/publications.yaml").read_text("utf-8"))
    return next(e for e in data["publications"] if e["id"] == entry_id)


def test_parse_takes_every_citation_field() -> None:
    lupil, he = parse_efetch(XML.read_bytes(), "x.xml")
    assert lupil.pmid == "35973803"
    assert lupil.title == (
        "TEST RECORD: low-dose interleukin-2 in active systemic lupus erythematosus (LUPIL-2): "
        "a randomised, placebo-controlled phase II trial"
    )  # NLM's appended full stop removed
    assert (lupil.journal, lupil.year, lupil.volume, lupil.issue, lupil.pages) == (
        "Annals of the rheumatic diseases", 2022, "81", "12", "1685-1690",
    )  # fmt: skip
    assert lupil.authors[0] == "Jens Y. Humrich"
    assert lupil.authors[-1] == "LUPIL-2 test investigators"  # a collective name
    assert len(lupil.authors) == 8 and lupil.authors_complete
    assert (lupil.doi, lupil.pmcid, lupil.published) == (
        "10.1136/ard-2022-222501", "PMC9999999", date(2022, 8, 16),
    )  # fmt: skip
    assert lupil.type == "clinical trial report"
    assert "CD4+ T cell" in he.title  # <sup>+</sup> markup dropped
    assert he.pages == "991-993"  # MEDLINE's elided '991-3'
    assert he.authors == ("Jing He", "T. Testauthor") and not he.authors_complete
    assert he.published is None and he.type == "research article"


def test_import_completes_entries_and_keeps_the_rest_of_the_file(project: Path) -> None:
    path = project / "data/publications.yaml"
    # the curated LUPIL-2 title is exact now: give the import a bracketed one to replace
    text = path.read_text("utf-8")
    start = text.index("  - id: PMID:35973803\n    title: ")
    title = text.index("    title: ", start)
    end = text.index("    journal: ", title)
    text = text[:title] + '    title: "[LUPIL-2 trial report]"\n' + text[end:]
    # and He 2016 a partial author list, which PubMed's incomplete list may complete
    start = text.index("  - id: PMID:27500725\n")
    authors = text.index("    authors:", start)
    end = text.index("    pmid: ", authors)
    path.write_text(text[:authors] + "    authors: [Jing He]\n" + text[end:], "utf-8")
    before = path.read_text("utf-8")
    run = kg(project, "import", "pubmed", "--from", str(XML))
    assert run.code == 0, run.output
    after = path.read_text("utf-8")
    lupil = entry(project, "PMID:35973803")
    assert str(lupil["title"]).startswith("TEST RECORD: low-dose interleukin-2")
    assert (lupil["volume"], lupil["issue"], lupil["pages"], lupil["pmcid"]) == (
        "81", "12", "1685-1690", "PMC9999999",
    )  # fmt: skip
    assert len(lupil["authors"]) == 8  # the partial surname list, completed
    assert lupil["journal"] == "Annals of the Rheumatic Diseases"  # case-only difference kept
    assert "the bracketed title was replaced" in run.output
    assert "PubMed marks its author list incomplete (CompleteYN=N)" in run.output
    # only the lines of the two completed entries changed: comments and the rest byte-equal
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert all(
        re.match(r"[+-]    (title|volume|issue|pages|authors|pmcid): ", line) for line in changed
    ), changed
    assert after.splitlines()[:6] == before.splitlines()[:6]  # the header comment
    # the completed file is valid curation, and a second run changes nothing
    load_curation(project / "data")
    again = kg(project, "import", "pubmed", "--from", str(XML))
    assert "PMID:35973803 already agrees with PubMed." in again.output
    assert path.read_text("utf-8") == after


def test_a_new_article_is_added_in_the_files_style(project: Path) -> None:
    path = project / "data/publications.yaml"
    text = path.read_text("utf-8")
    start = text.index("  - id: PMID:27500725")
    end = text.index("\n  - id:", start + 1)
    path.write_text(text[:start] + text[end + 1 :], "utf-8")
    run = kg(
        project, "import", "pubmed", "27500725", "--from", str(XML), "--retrieved", "2026-11-30"
    )
    assert run.code == 0, run.output
    assert "Added PMID:27500725" in run.output
    new = path.read_text("utf-8")
    assert new.endswith(
        '\n\n  - id: PMID:27500725\n    title: "TEST RECORD: low-dose interleukin-2 selectively '
        'modulates CD4+ T cell subsets in patients with systemic lupus erythematosus"\n'
        "    journal: Nature medicine\n    year: 2016\n"
        '    volume: "22"\n    issue: "9"\n    pages: 991-993\n'
        "    authors: [Jing He, T. Testauthor]\n"
        '    pmid: "27500725"\n    doi: 10.1038/nm.4148\n    type: research article\n'
        "    note: Citation from PubMed (EFetch XML, retrieved 2026-11-30); PubMed marks its "
        "author list incomplete.\n"
    ) or new.endswith("incomplete.\n")
    added = entry(project, "PMID:27500725")
    assert added["pmid"] == "27500725" and added["volume"] == "22"
    load_curation(project / "data")  # the statements citing it resolve again


def test_differences_are_reported_not_overwritten_unless_replace(project: Path) -> None:
    path = project / "data/publications.yaml"
    text = path.read_text("utf-8").replace("    pages: 991-993\n", "    pages: 991-994\n", 1)
    path.write_text(text, "utf-8")
    run = kg(project, "import", "pubmed", "27500725", "--from", str(XML))
    assert (
        "differs (kept; --replace takes PubMed's): pages: the file has '991-994', PubMed '991-993'"
        in run.output
    )
    assert entry(project, "PMID:27500725")["pages"] == "991-994"
    run = kg(project, "import", "pubmed", "27500725", "--from", str(XML), "--replace")
    assert entry(project, "PMID:27500725")["pages"] == "991-993"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<PubmedArticleSet><PubmedArticle>", "bad.xml:1: not well-formed XML: no element"),
        (b"not xml at all", "not"),
        (
            b'<?xml version="1.0"?>\n'
            b'<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN"'
            b' "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
            b"<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart>"
            b"<IdList/><TranslationSet/><QueryTranslation/></eSearchResult>",
            "expected a PubmedArticleSet",
        ),
    ],
)
def test_malformed_xml_is_an_error_and_writes_nothing(
    project: Path, content: bytes, message: str
) -> None:
    (project / "bad.xml").write_bytes(content)
    before = (project / "data/publications.yaml").read_bytes()
    run = kg(project, "import", "pubmed", "--from", "bad.xml")
    assert run.code == 1
    assert "bad.xml" in run.output and message in run.output
    assert "Traceback" not in run.output
    assert (project / "data/publications.yaml").read_bytes() == before


def test_bad_pmids_are_refused(project: Path) -> None:
    run = kg(project, "import", "pubmed", "PMID:0123", "abc", "--from", str(XML))
    assert run.code == 1
    assert "expected PMIDs such as 35973803, got '0123', 'abc'" in run.output


def test_unchanged_file_round_trips_byte_for_byte(tmp_path: Path) -> None:
    """Completing nothing rewrites nothing: ruamel's round trip keeps every byte."""
    path = ROOT / "data/publications.yaml"
    text, changes = complete_publications(path, [], date(2026, 11, 30))
    assert text == path.read_text("utf-8") and changes == []


def test_not_a_publications_file_is_located(tmp_path: Path) -> None:
    path = tmp_path / "publications.yaml"
    path.write_text("entities: []\n", "utf-8")
    with pytest.raises(KGError, match="expected a top-level list 'publications:'"):
        complete_publications(path, parse_efetch(XML.read_bytes(), "x"), date(2026, 11, 30))


@given(
    start=st.integers(1, 99_999),
    length=st.integers(0, 5_000),
    prefix=st.sampled_from(["", "e", "S"]),
)
def test_elided_page_ranges_expand_to_the_full_range(start: int, length: int, prefix: str) -> None:
    """MEDLINE writes 1685-1690 as 1685-90; expanding any elision gives the full range back."""
    end = start + length
    first, last = str(start), str(end)
    keep = 0
    while keep < len(first) and len(first) == len(last) and first[keep] == last[keep]:
        keep += 1
    elided = last[keep:] or last[-1:]
    assert (
        _pages({"MedlinePgn": f"{prefix}{first}-{elided}"}) == f"{prefix}{first}-{prefix * 0}{last}"
    )


@given(st.text(st.characters(codec="utf-8", exclude_characters="<>"), min_size=1))
def test_titles_lose_only_nlms_final_full_stop(text: str) -> None:
    title = " ".join(text.split())
    if not title or title.endswith("."):
        return
    assert _title(title + ".") == title


def test_a_saved_file_with_an_unknown_dtd_never_reaches_the_network(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bio.Entrez would download a DTD it lacks; with --from FILE the import refuses instead."""
    import urllib.request

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the offline path tried to open a URL")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    future = XML.read_text("utf-8").replace("pubmed_250101.dtd", "pubmed_990101.dtd")
    (project / "future.xml").write_text(future, "utf-8")
    run = kg(project, "import", "pubmed", "--from", "future.xml")
    assert run.code == 1
    assert "future.xml: the file's DTD pubmed_990101.dtd is not among those Biopython" in run.output
