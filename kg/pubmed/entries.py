"""Add or complete entries of data/publications.yaml from PubMed citations, keeping the file's
comments, blank lines, key order and quoting (ruamel.yaml round trip).

An entry is the citation's when its id is ``PMID:<n>``, its ``pmid`` is n, or its ``doi``
equals the citation's DOI (case-insensitive). Completing fills what is missing, replaces a
``[bracketed]`` descriptive title with the real one and a partial author list whose surnames
all occur in PubMed's list with the full list; any other value that differs from PubMed is
reported and left alone (``replace=True`` takes PubMed's). The curated ``note`` and
``status`` are never edited: the outcome lists hints when they may now be stale.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from kg.curation.yamlfile import read_yaml
from kg.errors import KGError, display_path
from kg.pubmed.efetch import Citation

__all__ = ["EntryChange", "complete_publications"]

#: the order of fields in a publication entry (data/README.md)
ORDER = (
    "id", "title", "journal", "year", "volume", "issue", "pages", "authors", "pmid", "doi",
    "pmcid", "published", "type", "status", "note",
)  # fmt: skip
_CITATION_FIELDS = (
    "title", "journal", "year", "volume", "issue", "pages", "authors", "pmid", "doi", "pmcid",
    "published",
)  # fmt: skip


@dataclass
class EntryChange:
    """What happened to one citation's entry."""

    pmid: str
    entry_id: str
    added: bool = False
    filled: list[str] = field(default_factory=list)  # fields set or replaced
    differs: list[str] = field(default_factory=list)  # 'journal: file X, PubMed Y' (kept)
    hints: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.added or bool(self.filled)


def complete_publications(
    path: Path, citations: list[Citation], retrieved: date, replace: bool = False
) -> tuple[str, list[EntryChange]]:
    """The new text of publications.yaml with every citation added or completed, and what
    changed. Nothing is written here. Raises KGError if the file is not a publications list."""
    shown = display_path(path)
    read_yaml(path, shown)  # located errors for unreadable or invalid YAML
    yaml = _yaml()
    try:
        doc = yaml.load(path.read_text("utf-8"))
    except YAMLError as exc:  # pragma: no cover - read_yaml reported it already
        raise KGError.at(shown, None, "", f"invalid YAML: {exc}") from None
    entries = doc.get("publications") if isinstance(doc, CommentedMap) else None
    if not isinstance(entries, CommentedSeq):
        raise KGError.at(shown, 1, "publications", "expected a top-level list 'publications:'")
    changes = []
    for citation in citations:
        entry = _find(entries, citation)
        if entry is None:
            entry = _new_entry(citation, retrieved)
            if len(entries):
                _blank_line_before(entries, len(entries))
            entries.append(entry)
            changes.append(EntryChange(citation.pmid, entry["id"], added=True))
        else:
            changes.append(_complete(entry, citation, replace))
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue(), changes


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap the curators' lines
    yaml.preserve_quotes = True
    return yaml


def _find(entries: CommentedSeq, c: Citation) -> CommentedMap | None:
    for entry in entries:
        if not isinstance(entry, CommentedMap):
            continue
        if entry.get("id") == f"PMID:{c.pmid}" or str(entry.get("pmid") or "") == c.pmid:
            return entry
        doi = entry.get("doi")
        if c.doi and isinstance(doi, str) and doi.casefold() == c.doi.casefold():
            return entry
    return None


def _values(c: Citation) -> dict[str, Any]:
    authors = CommentedSeq(c.authors)
    authors.fa.set_flow_style()
    values: dict[str, Any] = {
        "title": c.title,
        "journal": c.journal,
        "year": c.year,
        "volume": _quoted(c.volume),
        "issue": _quoted(c.issue),
        "pages": c.pages,
        "authors": authors if c.authors else None,
        "pmid": DoubleQuotedScalarString(c.pmid),
        "doi": c.doi,
        "pmcid": c.pmcid,
        "published": c.published,
    }
    return {k: v for k, v in values.items() if v is not None}


def _new_entry(c: Citation, retrieved: date) -> CommentedMap:
    entry = CommentedMap()
    entry["id"] = f"PMID:{c.pmid}"
    entry.update(_values(c))
    entry["type"] = c.type
    if c.year is None:
        entry["status"] = "unverified"
    note = f"Citation from PubMed (EFetch XML, retrieved {retrieved.isoformat()})"
    note += "; PubMed marks its author list incomplete." if not c.authors_complete else "."
    entry["note"] = note
    return entry


def _complete(entry: CommentedMap, c: Citation, replace: bool) -> EntryChange:
    change = EntryChange(c.pmid, str(entry.get("id")))
    for key, value in _values(c).items():
        current = entry.get(key)
        if current in (None, "", []):
            _insert(entry, key, value)
            change.filled.append(key)
        elif _same(key, current, value):
            continue
        elif key == "title" and str(current).startswith("["):
            entry[key] = value
            change.filled.append(key)
            change.hints.append("the bracketed title was replaced: check the note about it")
        elif key == "authors" and _partial(current, c.authors):
            entry[key] = value
            change.filled.append(key)
            change.hints.append("the partial author list was completed: check the note")
        elif replace:
            entry[key] = value
            change.filled.append(key)
        else:
            change.differs.append(f"{key}: the file has {_show(current)}, PubMed {_show(value)}")
    if "authors" in change.filled and not c.authors_complete:
        change.hints.append("PubMed marks its author list incomplete (CompleteYN=N)")
    if entry.get("status") == "unverified" and change.filled:
        change.hints.append("status is unverified: set it to verified if nothing is missing now")
    return change


def _same(key: str, current: Any, value: Any) -> bool:
    if key == "authors":
        return [str(a) for a in current] == [str(a) for a in value]
    if key == "journal":
        return str(current).casefold() == str(value).casefold()
    if isinstance(value, date):
        return str(current) == value.isoformat()
    return (
        str(current).casefold() == str(value).casefold()
        if key == "doi"
        else (str(current) == str(value))
    )


def _partial(current: Any, authors: tuple[str, ...]) -> bool:
    """A shorter list whose every surname (last word) is among PubMed's surnames."""
    if not isinstance(current, list) or len(current) >= len(authors):
        return False
    surnames = {a.split()[-1].casefold() for a in authors if a.split()}
    return all(str(a).split() and str(a).split()[-1].casefold() in surnames for a in current)


def _insert(entry: CommentedMap, key: str, value: Any) -> None:
    """Insert key where ORDER puts it (after the last present key that precedes it)."""
    rank = ORDER.index(key)
    keys = list(entry.keys())
    position = 0
    for i, k in enumerate(keys):
        if k in ORDER and ORDER.index(k) < rank:
            position = i + 1
    entry.insert(position, key, value)


def _blank_line_before(entries: CommentedSeq, index: int) -> None:
    """Separate a new entry from the one before it by one blank line, like the others."""
    entries.yaml_set_comment_before_after_key(index, before="\n", indent=2)


def _quoted(value: str | None) -> str | None:
    return DoubleQuotedScalarString(value) if value is not None else None


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return repr(str(value))
