"""Answer SPARQL Protocol requests over one store: route, negotiate, run, cap, encode, cache.

No sockets here (see kg.query.connection). Queries run inline on the caller's
thread: a hand-off to a thread pool costs more than the engine needs to answer a
typical query. Limits: solutions are read one at a time, and past the deadline or
past `max_rows` the answer becomes a 503 or a 500 that says which limit was hit.
A query stuck inside one engine call (a big aggregate) is the watchdog's job
(kg.query.server): the engine releases the GIL while it works, so a watchdog thread
can answer 503 and, in a worker process, end the process to stop the engine.
Answers are cached (LRU) by query text, dataset and media type: the store never
changes while the server runs, so a cached answer is the answer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, RdfFormat, Store

from kg.query.catalog import NamedQuery
from kg.query.page import CONTENT_SECURITY_POLICY, render_page
from kg.query.protocol import GRAPH_TYPES, HTTPError, Operation, Request, operation_of
from kg.query.protocol import response_type as negotiate_type
from kg.query.results import ENCODERS
from kg.query.sparql import graph_bytes, prefixes_for, syntax_problem

__all__ = ["Answer", "Endpoint", "Running", "ServerConfig", "error_answer"]

ROUTES = frozenset({"/", "/query", "/sparql"})
_GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})


@dataclass(frozen=True)
class ServerConfig:
    """Where to listen, how many worker processes, and how much one query may cost."""

    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 10.0
    max_rows: int = 10_000
    max_body: int = 1 << 20
    workers: int = 1
    cache_entries: int = 1024
    cache_bytes: int = 64 << 20


class Answer(NamedTuple):
    """A finished response: status, Content-Type, body, extra header lines (CRLF-terminated)."""

    status: int
    content_type: str
    body: bytes
    extra: bytes = b""


def error_answer(exc: HTTPError) -> Answer:
    """A plain-text error response."""
    extra = "".join(f"{k}: {v}\r\n" for k, v in exc.headers).encode("latin-1")
    return Answer(exc.status, "text/plain; charset=utf-8", (exc.message + "\n").encode(), extra)


class Running:
    """The query being evaluated: its deadline, its client's socket, and who answers it.

    The evaluating thread and the watchdog race to answer once the deadline passes;
    `claim()` lets exactly one of them write the response.
    """

    __slots__ = ("_claimed", "_lock", "deadline", "fd")

    def __init__(self, deadline: float, fd: int) -> None:
        self.deadline = deadline
        self.fd = fd
        self._lock = threading.Lock()
        self._claimed = False

    def claim(self) -> bool:
        """True for the first caller only."""
        with self._lock:
            if self._claimed:
                return False
            self._claimed = True
            return True


class Endpoint:
    """The SPARQL service over one store."""

    def __init__(
        self, store: Store, config: ServerConfig, queries: Sequence[NamedQuery] = ()
    ) -> None:
        self.store = store
        self.config = config
        self.page = Answer(
            200,
            "text/html; charset=utf-8",
            render_page(queries, config.max_rows, config.timeout),
            f"Content-Security-Policy: {CONTENT_SECURITY_POLICY}\r\n".encode(),
        )
        self.running: Running | None = None
        self._cache: OrderedDict[tuple[object, ...], Answer] = OrderedDict()
        self._cached_bytes = 0

    def answer(self, request: Request, fd: int = -1) -> Answer | None:
        """The response to one request; None if the watchdog has already answered it."""
        try:
            if request.path not in ROUTES:
                raise HTTPError(404, f"no such path {request.path!r}; SPARQL is at /query")
            op = operation_of(request)
            if op is None:
                if request.method == "GET" and request.path == "/":
                    return self.page
                raise HTTPError(400, "missing query: send ?query=... or POST a query")
            media = negotiate_type(op, op.form in _GRAPH_FORMS)
        except HTTPError as exc:
            return error_answer(exc)
        key = (op.query, op.default_graphs, op.named_graphs, media)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        running = Running(time.monotonic() + self.config.timeout, fd)
        self.running = running
        try:
            result = self.evaluate(op, media, running)
        except HTTPError as exc:
            result = error_answer(exc)
        finally:
            self.running = None
        if not running.claim():
            return None
        if result.status == 200:
            self._remember(key, result)
        return result

    @property
    def cache_usage(self) -> tuple[int, int]:
        """(answers, bytes) held by the answer cache."""
        return len(self._cache), self._cached_bytes

    def timeout_answer(self) -> Answer:
        """The 503 sent when a query runs past the deadline."""
        return error_answer(self._timeout())

    def _timeout(self) -> HTTPError:
        return HTTPError(
            503,
            f"query timed out after {self.config.timeout:g} s (this endpoint's limit); "
            "narrow the query or add a LIMIT",
        )

    def evaluate(self, op: Operation, media: str, running: Running) -> Answer:
        """Run one query and encode its answer as media (renegotiated if the form differs)."""
        prefixes = prefixes_for(op.query)
        try:
            named = [NamedNode(g) for g in op.named_graphs] if op.named_graphs else None
            default = [NamedNode(g) for g in op.default_graphs] if op.default_graphs else None
            result = self.store.query(
                op.query, prefixes=prefixes, default_graph=default, named_graphs=named
            )
        except SyntaxError as exc:
            raise HTTPError(400, str(syntax_problem(op.query, exc))) from None
        except ValueError as exc:  # a graph IRI that is not an IRI
            raise HTTPError(400, f"bad graph IRI: {exc}") from None
        except OSError as exc:
            raise HTTPError(500, f"query failed: {exc}") from None
        graph_answer = not isinstance(result, QuerySolutions | QueryBoolean)
        if (media in GRAPH_TYPES) != graph_answer:
            media = negotiate_type(op, graph_answer)
        if isinstance(result, QueryBoolean):
            encoder = ENCODERS[media]
            return Answer(200, encoder.content_type, encoder.boolean(bool(result)))
        rows = self._read(result, running)
        if isinstance(result, QuerySolutions):
            encoder = ENCODERS[media]
            names = [v.value for v in result.variables]
            return Answer(200, encoder.content_type, encoder.solutions(names, rows))
        fmt = RdfFormat.TURTLE if media == "text/turtle" else RdfFormat.N_TRIPLES
        return Answer(200, f"{media}; charset=utf-8", graph_bytes(rows, fmt))

    def _read(self, result: object, running: Running) -> list:  # type: ignore[type-arg]
        """At most max_rows solutions (as tuples) or triples, read before the deadline."""
        limit = self.config.max_rows
        deadline = running.deadline
        clock = time.monotonic
        rows: list = []  # type: ignore[type-arg]
        append = rows.append
        as_tuple = isinstance(result, QuerySolutions)
        try:
            for item in result:  # type: ignore[attr-defined]
                if clock() > deadline:
                    raise self._timeout()
                append(tuple(item) if as_tuple else item)
                if len(rows) > limit:
                    raise HTTPError(
                        500,
                        f"the answer has more than {limit:,} rows (this endpoint's limit); "
                        "add a LIMIT or narrow the query",
                    )
        except OSError as exc:
            raise HTTPError(500, f"query failed: {exc}") from None
        if clock() > deadline:
            raise self._timeout()
        return rows

    def _remember(self, key: tuple[object, ...], answer: Answer) -> None:
        """Keep an answer, evicting the least recently used past either budget."""
        if self.config.cache_entries <= 0 or len(answer.body) > self.config.cache_bytes:
            return
        old = self._cache.pop(key, None)
        if old is not None:
            self._cached_bytes -= len(old.body)
        self._cache[key] = answer
        self._cached_bytes += len(answer.body)
        while (
            len(self._cache) > self.config.cache_entries
            or self._cached_bytes > self.config.cache_bytes
        ):
            _, evicted = self._cache.popitem(last=False)
            self._cached_bytes -= len(evicted.body)
