"""The named competency queries under `queries/`, and how a QUERY argument is resolved.

Each `queries/<name>.rq` starts with a `# Question: ...` comment stating, in plain
words, the question the query answers; `kg query --list` and the endpoint's page
show it. A QUERY argument is a path to a .rq file, the name of a query in
`queries/`, or SPARQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError

__all__ = ["QUERIES_DIR", "NamedQuery", "QueryText", "named_queries", "question_of", "resolve"]

#: Where the named queries live, relative to the project root.
QUERIES_DIR = Path("queries")

_QUESTION = re.compile(r"^#\s*Question:\s*(?P<q>.+)$", re.MULTILINE)
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class QueryText:
    """SPARQL text and where it came from (a file path, or '<query>' for inline text)."""

    text: str
    origin: str


@dataclass(frozen=True)
class NamedQuery:
    """One competency query: its name (the file stem), question, and text."""

    name: str
    path: Path
    question: str
    text: str

    def as_text(self) -> QueryText:
        return QueryText(self.text, str(self.path))


def question_of(text: str) -> str | None:
    """The plain-words question of a query (its `# Question:` comment), or None."""
    match = _QUESTION.search(text)
    return match.group("q").strip() if match else None


def named_queries(queries_dir: Path = QUERIES_DIR) -> list[NamedQuery]:
    """Every `<name>.rq` in queries_dir, by name; a file without a question is a user error."""
    if not queries_dir.is_dir():
        raise KGError.at(str(queries_dir), None, "", "no queries directory")
    found: list[NamedQuery] = []
    for path in sorted(queries_dir.glob("*.rq")):
        text = _read(path)
        question = question_of(text)
        if question is None:
            raise KGError.at(
                str(path), 1, "", "a named query must start with a '# Question: ...' comment"
            )
        found.append(NamedQuery(path.stem, path, question, text))
    return found


def resolve(query: str, queries_dir: Path = QUERIES_DIR) -> QueryText:
    """A QUERY argument as text: a .rq path, a name in queries_dir, or SPARQL itself."""
    candidate = Path(query)
    if "\n" not in query and candidate.suffix == ".rq":
        if not candidate.is_file():
            raise KGError.at(query, None, "", "query file not found")
        return QueryText(_read(candidate), query)
    if _NAME.match(query):
        path = queries_dir / f"{query}.rq"
        if path.is_file():
            return QueryText(_read(path), str(path))
        raise KGError(
            f"no query named {query!r} in {queries_dir}/ (`kg query --list` shows them); "
            "pass a .rq file or SPARQL text instead"
        )
    return QueryText(query, "<query>")


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KGError.at(str(path), None, "", f"cannot read: {exc}") from None
