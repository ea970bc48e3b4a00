"""PubMed EFetch XML (``db=pubmed&retmode=xml``) read with Biopython's validating parser.

``Bio.Entrez.read`` checks the answer against the PubMed DTDs Biopython ships (pubmed_250101
and earlier) and returns nested dicts/lists; this module turns one ``PubmedArticle`` into a
:class:`Citation` with the fields ``data/publications.yaml`` holds. Conventions of MEDLINE that
are undone here, each a documented rule rather than a guess: the full stop NLM appends to
every ArticleTitle, inline markup in titles (``CD4<sup>+</sup>`` -> ``CD4+``) and elided page
ranges (``991-3`` -> ``991-993``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from kg.download import FetchPolicy, fetch_bytes
from kg.errors import KGError

__all__ = ["DEFAULT_EUTILS", "Citation", "fetch_efetch", "parse_efetch"]

#: NCBI E-utilities base URL; `--api` or KG_EUTILS_API override it (tests use a loopback server)
DEFAULT_EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}  # fmt: skip
#: PubMed publication type -> publications.yaml type, first match wins
_TYPES: tuple[tuple[str, str], ...] = (
    ("Review", "review"),
    ("Systematic Review", "review"),
    ("Meta-Analysis", "review"),
    ("Randomized Controlled Trial", "clinical trial report"),
    ("Clinical Trial", "clinical trial report"),
    ("Case Reports", "case report"),
    ("Congress", "conference abstract"),
    ("Comment", "commentary"),
    ("Editorial", "commentary"),
    ("Letter", "commentary"),
)


@dataclass(frozen=True)
class Citation:
    """One PubMed article's citation, in the terms of data/publications.yaml."""

    pmid: str
    title: str
    journal: str | None
    year: int | None
    volume: str | None
    issue: str | None
    pages: str | None
    authors: tuple[str, ...]
    authors_complete: bool
    doi: str | None
    pmcid: str | None
    published: date | None
    type: str


def fetch_efetch(pmids: Sequence[str], api: str, policy: FetchPolicy) -> bytes:
    """EFetch XML for the PMIDs from the E-utilities at `api` (KGError when unreachable)."""
    url = (
        f"{api.rstrip('/')}/efetch.fcgi?db=pubmed&retmode=xml&tool=il2-sle-kg&id={','.join(pmids)}"
    )
    return fetch_bytes(
        url,
        f"PubMed record(s) {', '.join(pmids)}",
        "Save the EFetch XML elsewhere and pass it with --from FILE.",
        policy,
        accept="application/xml",
    )


def parse_efetch(raw: bytes, source: str, offline: bool = True) -> list[Citation]:
    """Every PubmedArticle of an EFetch answer; anything else is a located KGError.

    offline: refuse (KGError) a file whose DTD Biopython does not have, instead of letting
    Bio.Entrez download it: `--from FILE` never reaches the network.
    """
    from Bio import Entrez
    from Bio.Entrez.Parser import CorruptedXMLError, NotXMLError, ValidationError

    if offline:
        _require_local_dtd(raw, source)
    try:
        parsed = Entrez.read(io.BytesIO(raw), validate=True)
    except ExpatError as exc:
        raise KGError.at(source, exc.lineno, "", f"not well-formed XML: {exc}") from None
    except (CorruptedXMLError, NotXMLError) as exc:
        where = re.search(r"\(([^()]*): line (\d+), column (\d+)\)", str(exc))
        if where is None:
            raise KGError.at(source, None, "", f"not PubMed XML: {exc}") from None
        what, line, column = where.groups()
        raise KGError.at(
            source, int(line), "", f"not well-formed XML: {what} (column {column})"
        ) from None
    except ValidationError as exc:
        raise KGError.at(
            source, None, "", f"not PubMed EFetch XML (element {exc.name!r} is not in its DTD)"
        ) from None
    except RuntimeError as exc:  # an NCBI <ERROR> answer, or a DTD it could not download
        raise KGError.at(source, None, "", f"cannot read PubMed XML: {exc}") from None
    articles = parsed.get("PubmedArticle") if isinstance(parsed, dict) else None
    if not isinstance(articles, list):
        raise KGError.at(source, None, "", "expected a PubmedArticleSet (EFetch db=pubmed XML)")
    return [_citation(a, source) for a in articles]


def _require_local_dtd(raw: bytes, source: str) -> None:
    """KGError unless the DOCTYPE's DTD is one Biopython has on disk (shipped or cached)."""
    import Bio
    from Bio.Entrez.Parser import DataHandler

    match = re.search(rb"<!DOCTYPE\s+\w+\s+PUBLIC\s+\"[^\"]*\"\s+\"([^\"]+)\"", raw[:4096])
    if match is None:
        return
    name = match.group(1).decode("ascii", "replace").rsplit("/", 1)[-1]
    folders = [DataHandler.global_dtd_dir, DataHandler.local_dtd_dir]
    if not any(d and (Path(d) / name).is_file() for d in folders):
        raise KGError.at(
            source,
            None,
            "",
            f"the file's DTD {name} is not among those Biopython {Bio.__version__} has, and "
            "reading a saved file never downloads one: upgrade biopython, or fetch the "
            "records (without --from)",
        )


def _citation(article: Any, source: str) -> Citation:
    medline = article["MedlineCitation"]
    pmid = str(medline["PMID"])
    art = medline["Article"]
    journal = art.get("Journal", {})
    issue = journal.get("JournalIssue", {})
    ids = {
        str(i.attributes.get("IdType")): str(i)
        for i in article.get("PubmedData", {}).get("ArticleIdList", [])
    }
    doi = ids.get("doi") or next(
        (str(e) for e in art.get("ELocationID", []) if e.attributes.get("EIdType") == "doi"),
        None,
    )
    authors_list = art.get("AuthorList", [])
    complete = getattr(authors_list, "attributes", {}).get("CompleteYN", "Y") == "Y"
    title = _title(str(art.get("ArticleTitle") or art.get("VernacularTitle") or ""))
    if not title:
        raise KGError.at(source, None, f"PMID {pmid}", "the article has no title")
    pmcid = ids.get("pmc")
    return Citation(
        pmid=pmid,
        title=title,
        journal=_text(journal.get("Title")),
        year=_year(issue.get("PubDate", {})),
        volume=_text(issue.get("Volume")),
        issue=_text(issue.get("Issue")),
        pages=_pages(art.get("Pagination", {})),
        authors=tuple(a for a in (_author(x) for x in authors_list) if a),
        authors_complete=complete,
        doi=doi.strip() if doi else None,
        pmcid=pmcid if pmcid and re.fullmatch(r"PMC\d+", pmcid) else None,
        published=_published(art),
        type=_type([str(t) for t in art.get("PublicationTypeList", [])]),
    )


def _text(value: Any) -> str | None:
    text = re.sub(r"\s+", " ", str(value)).strip() if value is not None else ""
    return text or None


def _title(text: str) -> str:
    """NLM's ArticleTitle as published: inline markup dropped, the added final '.' removed."""
    text = re.sub(r"</?(?:i|b|u|sup|sub|mml:[a-z]+)\b[^>]*>", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _year(pubdate: Any) -> int | None:
    text = str(pubdate.get("Year") or pubdate.get("MedlineDate") or "")
    match = re.match(r"(\d{4})", text)
    return int(match.group(1)) if match else None


def _pages(pagination: Any) -> str | None:
    start, end = _text(pagination.get("StartPage")), _text(pagination.get("EndPage"))
    if start and end:
        return f"{start}-{end}"
    pgn = _text(pagination.get("MedlinePgn"))
    if not pgn:
        return start
    match = re.fullmatch(r"([A-Za-z]*)(\d+)-(\d+)", pgn)
    if match and len(match.group(3)) < len(match.group(2)):
        prefix, first, last = match.groups()
        return f"{prefix}{first}-{first[: len(first) - len(last)]}{last}"
    return pgn


def _author(author: Any) -> str | None:
    if author.get("CollectiveName"):
        return _text(author["CollectiveName"])
    last = _text(author.get("LastName"))
    if not last:
        return None
    first = _text(author.get("ForeName")) or " ".join(author.get("Initials") or "")
    first = re.sub(r"(?<![\w.])([A-Z])(?=\s|$)", r"\1.", first or "")
    return f"{first} {last}".strip()


def _published(art: Any) -> date | None:
    for d in art.get("ArticleDate", []):
        if d.attributes.get("DateType") == "Electronic":
            return _date(d)
    return None


def _date(parts: Any) -> date | None:
    try:
        month = str(parts.get("Month", ""))
        m = int(month) if month.isdigit() else _MONTHS.get(month[:3].casefold(), 0)
        return date(int(parts["Year"]), m, int(parts["Day"]))
    except (KeyError, ValueError, TypeError):
        return None


def _type(types: list[str]) -> str:
    for pubmed_type, ours in _TYPES:
        if any(t == pubmed_type or t.startswith(f"{pubmed_type},") for t in types):
            return ours
    return "research article"
