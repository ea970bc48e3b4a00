"""Run a SPARQL query over the built graph and write its answer (the body of `kg query`).

The project's prefixes (kg.namespaces.PREFIXES) are predeclared: they are handed to
the engine as its default prefix map rather than pasted above the user's text, so a
syntax error's line and column are those of the user's own query, and a PREFIX line
in the query still overrides a predeclared one. The default graph is the union of
every named graph; `GRAPH <...>` still addresses one of them.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    serialize,
)
from rich.console import Console
from rich.table import Table

from kg.errors import KGError
from kg.namespaces import PREFIXES, curie_of, sparql_prefixes
from kg.query.catalog import QUERIES_DIR, QueryText, named_queries, resolve, with_prefixes
from kg.query.formats import FORMATS, OutputFormat
from kg.query.freshness import staleness_warning
from kg.query.store import open_store
from kg.query.syntax import UPDATE_FORMS, query_form, uses_service

__all__ = [
    "FORMATS",
    "OutputFormat",
    "QueryResult",
    "SyntaxProblem",
    "execute",
    "graph_bytes",
    "prefixes_for",
    "query_command",
    "syntax_problem",
    "write_plain",
    "write_result",
]

QueryResult = QuerySolutions | QueryTriples | QueryBoolean
Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class SyntaxProblem:
    """A parser error located in the user's query text (1-based line and column)."""

    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"SPARQL syntax error: {self.message}"
        return f"SPARQL syntax error at line {self.line}, column {self.column}: {self.message}"


_ERROR_AT = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)
_PNAME = re.compile(r"(?<![\w?$:<])([A-Za-z][\w.-]*):(?=[\w%\\]|\s|$)")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)


def syntax_problem(text: str, exc: SyntaxError) -> SyntaxProblem:
    """The engine's parse error as line, column and a readable message."""
    raw = str(exc)
    match = _ERROR_AT.match(raw)
    line, column, message = (
        (int(match.group(1)), int(match.group(2)), match.group(3)) if match else (None, None, raw)
    )
    if "Prefix not found" in message:
        unknown = _undeclared_prefixes(text)
        message = (
            f"unknown prefix {', '.join(p + ':' for p in unknown)}" if unknown else "unknown prefix"
        ) + " (declare it with PREFIX; the project's prefixes are predeclared)"
    message = _without_character_classes(" ".join(message.split()))
    if len(message) > 200:
        message = message[:200].rstrip(", ") + " …"
    return SyntaxProblem(line, column, message)


def _without_character_classes(message: str) -> str:
    """Drop the parser's character-class alternatives (['0' ..= '9' | ...]) from a list."""
    head = "expected one of "
    if not message.startswith(head):
        return message
    items, depth, quoted, current = [], 0, "", ""
    for ch in message[len(head) :]:
        if quoted:
            quoted = "" if ch == quoted else quoted
        elif ch in "'\"":
            quoted = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        current += ch
    items.append(current.strip())
    kept = [item for item in items if item and not item.startswith("[")]
    if not kept:
        return message
    return ("expected " if len(kept) == 1 else head) + ", ".join(kept)


def _undeclared_prefixes(text: str) -> list[str]:
    declared = {m.group(1) or "" for m in _DECLARED.finditer(text)} | set(sparql_prefixes())
    stripped = re.sub(r"<[^<>\s]*>|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|#[^\n]*", " ", text)
    return sorted({m.group(1) for m in _PNAME.finditer(stripped)} - declared)


_PREFIX_KEYS = [(f"{prefix}:", prefix, iri) for prefix, iri in sparql_prefixes().items()]


@lru_cache(maxsize=4096)
def prefixes_for(text: str) -> dict[str, str]:
    """The project prefixes a query may use (those whose `prefix:` occurs in its text).

    Handing the engine all of them costs more than answering a small query. The
    returned dict is shared between calls with the same text: do not change it.
    """
    return {prefix: iri for key, prefix, iri in _PREFIX_KEYS if key in text}


def execute(store: Store, query: QueryText) -> QueryResult:
    """Run a read-only query over the union of all graphs; a bad query is a KGError."""
    form = query_form(query.text)
    if form in UPDATE_FORMS:
        raise KGError.at(
            query.origin, None, "", f"SPARQL UPDATE ({form}) is not allowed: the graph is read-only"
        )
    try:
        return store.query(query.text, prefixes=prefixes_for(query.text))
    except SyntaxError as exc:
        problem = syntax_problem(query.text, exc)
        raise KGError.at(query.origin, problem.line, "", _column(problem)) from None
    except OSError as exc:
        raise KGError.at(query.origin, None, "", f"query failed: {exc}") from None


def _column(problem: SyntaxProblem) -> str:
    if problem.column is None:
        return f"SPARQL syntax error: {problem.message}"
    return f"SPARQL syntax error at column {problem.column}: {problem.message}"


def write_result(result: QueryResult, fmt: OutputFormat, stream: IO[bytes]) -> None:
    """Serialize an answer in a machine format with Oxigraph's own serializers."""
    if isinstance(result, QueryTriples):
        if fmt.graph is None:
            raise KGError(
                f"--format {fmt.name} is for SELECT/ASK answers; a CONSTRUCT or DESCRIBE "
                "answer is a graph: use --format ttl or nt"
            )
        stream.write(graph_bytes(list(result), fmt.graph))
        return
    if fmt.results is None:
        raise KGError(
            f"--format {fmt.name} is for CONSTRUCT/DESCRIBE graphs; a SELECT or ASK answer "
            "needs table, plain, csv, tsv, json or xml"
        )
    data = result.serialize(format=fmt.results) or b""
    # an ASK answer as CSV/TSV is a bare `true`/`false`: end it like every other line
    stream.write(data if data.endswith(b"\n") else data + b"\n")


def graph_bytes(triples: list[Triple], fmt: RdfFormat) -> bytes:
    """Triples as sorted N-Triples, or as Turtle with the project prefixes it uses (sorted)."""
    ordered = sorted(triples, key=str)
    if fmt != RdfFormat.TURTLE:
        return serialize(ordered, format=fmt) or b""
    text = (serialize(ordered, format=fmt, prefixes=PREFIXES) or b"").decode("utf-8")
    lines = text.splitlines(keepends=True)
    cut = next((i for i, line in enumerate(lines) if not line.startswith("@prefix ")), len(lines))
    body = "".join(lines[cut:])
    used = sorted(
        line for line in lines[:cut] if re.search(rf"(?<![\w.-]){re.escape(line.split()[1])}", body)
    )
    return "".join([*used, "\n", body] if used else [body]).encode("utf-8")


def render_table(result: QuerySolutions | QueryBoolean) -> Table:
    """A SELECT answer as a rich table (IRIs shortened to CURIEs), or an ASK answer."""
    if isinstance(result, QueryBoolean):
        table = Table("answer")
        table.add_row("yes" if bool(result) else "no")
        return table
    names = [v.value for v in result.variables]
    table = Table(*names, show_lines=False, caption_justify="left")
    rows = 0
    for solution in result:
        table.add_row(*(_cell(solution[name]) for name in names))
        rows += 1
    table.caption = f"{rows} row{'s' if rows != 1 else ''}"
    return table


def _cell(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return curie_of(term.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        if term.language:
            return f"{term.value}@{term.language}"
        return term.value
    return str(term)


def query_command(
    query: str | None,
    fmt: str | None,
    out: Path | None,
    exports: Path,
    list_queries: bool,
    console: Console,
    queries_dir: Path = QUERIES_DIR,
    allow_service: bool = False,
    *,
    show: bool = False,
    full: bool = False,
    errors: Console | None = None,
) -> None:
    """`kg query`: list the named queries, print one with its PREFIX lines, or run a query
    and write its answer.

    The graph is read from the build's on-disk store (kg.query.store), made on first use.
    SERVICE clauses make the engine fetch other URLs, so they run only with allow_service.
    Messages (a stale build, the file written) go to `errors` (standard error).
    """
    notes = errors if errors is not None else Console(stderr=True)
    if list_queries:
        if fmt not in (None, "table", "plain"):
            raise KGError(
                f"--list prints the named queries as a table (name<TAB>question lines in a "
                f"pipe); --format {fmt} is for a query's answer: drop one of them"
            )
        _print_list(queries_dir, console, plain=fmt == "plain")
        return
    if not query:
        raise KGError("give a query: a name from `kg query --list`, a .rq file, or SPARQL text")
    text = resolve(query, queries_dir)
    if show:
        _write_text(with_prefixes(text.text), out, console)
        if out is not None:
            notes.print(f"Wrote {out}", markup=False, highlight=False, soft_wrap=True)
        return
    chosen = _format(fmt)
    if not allow_service and uses_service(text.text):
        raise KGError.at(
            text.origin,
            None,
            "",
            "the query calls SERVICE, which fetches another URL; pass --allow-service to let it",
        )
    execute(Store(), text)  # a bad query is refused before the store is made or opened
    with notes.status("Opening the graph (the first query after a build makes its store)…"):
        store = open_store(exports, full)
    warning = staleness_warning(exports)
    if warning:
        notes.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    result = execute(store, text)
    if chosen is None:
        chosen = FORMATS["ttl" if isinstance(result, QueryTriples) else "table"]
    try:
        _emit(result, chosen, out, console)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    except OSError as exc:  # evaluation is lazy: engine errors can surface while writing
        if exc.filename is not None:  # the output file, not the engine
            raise KGError.at(str(out), None, "", f"cannot write: {exc.strerror}") from None
        raise KGError.at(text.origin, None, "", f"query failed: {exc}") from None
    if out is not None:
        notes.print(f"Wrote {out}", markup=False, highlight=False, soft_wrap=True)


def _emit(result: QueryResult, fmt: OutputFormat, out: Path | None, console: Console) -> None:
    """Write the answer: a boxed table only on a terminal; elsewhere every value in full."""
    if fmt.name in ("table", "plain"):
        if isinstance(result, QueryTriples):
            raise KGError(
                f"a CONSTRUCT or DESCRIBE answer is a graph: use --format ttl or nt, not {fmt.name}"
            )
        if out is None and console.is_terminal and fmt.name == "table":
            console.print(render_table(result))
            return
        if out is None:
            write_plain(result, sys.stdout)
            sys.stdout.flush()
            return
        with out.open("w", encoding="utf-8", newline="") as handle:
            write_plain(result, handle)
        return
    if out is None:
        write_result(result, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    with out.open("wb") as handle:
        write_result(result, fmt, handle)


#: what keeps a plain row on one line: backslash, tab, and every character that
#: str.splitlines() breaks at (\n, \r, VT, FF, FS, GS, RS, NEL, U+2028, U+2029)
_PLAIN_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "\t": "\\t",
        "\n": "\\n",
        "\r": "\\r",
        **{c: f"\\u{ord(c):04x}" for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"},
    }
)


def write_plain(result: QuerySolutions | QueryBoolean, stream: IO[str]) -> None:
    """The table's cells, untruncated, one row a line, tab-separated (for pipes and files).

    Cells read as in the table (IRIs as CURIEs, literals as their text); a backslash,
    tab or line break inside a value is escaped (\\\\, \\t, \\n, \\r, and \\uXXXX for the
    other line separators), so every row stays one line with one cell per column. An
    ASK answer is `yes` or `no`.
    """
    if isinstance(result, QueryBoolean):
        stream.write("yes\n" if bool(result) else "no\n")
        return
    names = [v.value for v in result.variables]
    stream.write("\t".join(names) + "\n")
    for solution in result:
        stream.write("\t".join(_cell(solution[n]).translate(_PLAIN_ESCAPES) for n in names))
        stream.write("\n")


def _write_text(text: str, out: Path | None, console: Console) -> None:
    if out is None:
        console.file.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        out.write_text(text if text.endswith("\n") else text + "\n", "utf-8")
    except OSError as exc:
        raise KGError.at(str(out), None, "", f"cannot write: {exc.strerror}") from None


def _format(name: str | None) -> OutputFormat | None:
    if name is None:
        return None
    if name not in FORMATS:
        raise KGError(f"unknown --format {name!r} (choose from {', '.join(FORMATS)})")
    return FORMATS[name]


def _print_list(queries_dir: Path, console: Console, plain: bool = False) -> None:
    """The named queries: a table on a terminal, `name<TAB>question` lines elsewhere
    (or wherever `plain` asks for them)."""
    found = named_queries(queries_dir)
    if plain or not console.is_terminal:
        for named in found:
            console.file.write(f"{named.name}\t{named.question}\n")
        return
    table = Table("query", "question", caption_justify="left")
    for named in found:
        table.add_row(named.name, named.question)
    table.caption = f"{len(found)} named queries — run one with `kg query NAME`"
    console.print(table)
