"""The named competency queries shipped in the package (`kg/queries/`), and how a QUERY
argument is resolved.

Each `kg/queries/<name>.rq` starts with a `# Question: ...` comment stating, in plain
words, the question the query answers; `kg query --list` shows it. The queries are
package data, so `kg query NAME` works wherever the package is installed, not only
in a checkout. A QUERY argument is a path to a .rq file, the name of a named query,
or SPARQL text. The files use the project's prefixes without declaring them;
:func:`with_prefixes` adds the PREFIX lines a query needs before it is sent to an
endpoint that does not predeclare them (Oxigraph's server, `kg serve`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError, display_path
from kg.namespaces import PREFIXES

__all__ = [
    "QUERIES_DIR",
    "NamedQuery",
    "QueryText",
    "named_queries",
    "question_of",
    "resolve",
    "with_prefixes",
]

#: Where the named queries live: a folder of the installed package.
QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"

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
        return QueryText(self.text, display_path(self.path))


def question_of(text: str) -> str | None:
    """The plain-words question of a query (its `# Question:` comment), or None."""
    match = _QUESTION.search(text)
    return match.group("q").strip() if match else None


def named_queries(queries_dir: Path = QUERIES_DIR) -> list[NamedQuery]:
    """Every `<name>.rq` in queries_dir, by name; a file without a question is a user error."""
    if not queries_dir.is_dir():
        raise KGError.at(display_path(queries_dir), None, "", "no queries directory")
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
            return QueryText(_read(path), display_path(path))
        where = "" if queries_dir == QUERIES_DIR else f" in {display_path(queries_dir)}/"
        names = sorted(p.stem for p in queries_dir.glob("*.rq")) if queries_dir.is_dir() else []
        close = difflib.get_close_matches(query, names, n=3, cutoff=0.8)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise KGError(
            f"no named query {query!r}{where}{hint} (`kg query --list` shows them); "
            "pass a .rq file or SPARQL text instead"
        )
    return QueryText(query, "<query>")


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KGError.at(str(path), None, "", f"cannot read: {exc}") from None


_DECLARED = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE | re.MULTILINE)


def with_prefixes(text: str) -> str:
    """The query with a PREFIX line for each project prefix it uses and does not declare.

    A prefix counts as used when `prefix:` occurs in the text (a string that merely
    contains it gets a harmless extra line). The lines go after the leading comment
    block (the `# Question:` line stays first) and before the query itself.
    """
    declared = {m.group(1) or "" for m in _DECLARED.finditer(text)}
    needed = [
        f"PREFIX {prefix}: <{iri}>"
        for prefix, iri in PREFIXES.items()
        if prefix not in declared and re.search(rf"(?<![\w.-]){re.escape(prefix)}:", text)
    ]
    if not needed:
        return text
    lines = text.splitlines(keepends=True)
    head = 0
    while head < len(lines) and lines[head].lstrip().startswith("#"):
        head += 1
    return "".join([*lines[:head], *(line + "\n" for line in needed), *lines[head:]])
