"""The SPARQL 1.1 Protocol, read-only: HTTP request -> query operation, and content negotiation.

Pure functions over plain values, so they are tested without sockets. The three
ways to send a query are accepted: GET with `?query=`, POST with the query as an
`application/sparql-query` body, and POST of an `application/x-www-form-urlencoded`
form. `default-graph-uri` and `named-graph-uri` select the dataset. Updates in any
form (an `update=` field, an `application/sparql-update` body, or INSERT/DELETE
text sent as a query) are refused with 403, as is SERVICE (it would make the
server fetch other URLs).
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qs

from kg.query.results import ENCODERS
from kg.query.syntax import UPDATE_FORMS, query_form, uses_service

__all__ = [
    "GRAPH_TYPES",
    "HTTPError",
    "Operation",
    "Request",
    "negotiate",
    "operation_of",
    "response_type",
]

#: media type -> pyoxigraph RdfFormat name, for CONSTRUCT and DESCRIBE answers
GRAPH_TYPES: dict[str, str] = {"text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES"}

#: short names for the `format=` parameter (handy in a browser's address bar)
_FORMAT_PARAM = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
}
#: aliases clients send for the formats above
_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
}
_RESULT_OFFERS = list(ENCODERS)
_GRAPH_OFFERS = list(GRAPH_TYPES)


class HTTPError(Exception):
    """A request the endpoint answers with an error status and a plain-text message."""

    def __init__(self, status: int, message: str, headers: tuple[tuple[str, str], ...] = ()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


class Request(NamedTuple):
    """One parsed HTTP request: method, path, raw query string, headers (lower-case), body."""

    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes = b""


class Operation(NamedTuple):
    """A query to run: its text, dataset, the client's Accept and format=, and its form."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str = ""
    format: str | None = None
    form: str | None = None


def operation_of(request: Request) -> Operation | None:
    """The query a request carries, None for a plain GET with no query, or an HTTPError."""
    params = _params(request.query_string) if request.query_string else {}
    if request.method == "GET":
        pass
    elif request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/x-www-form-urlencoded":
            for key, values in _params(_text(request.body)).items():
                params.setdefault(key, []).extend(values)
        elif ctype == "application/sparql-query":
            if "query" in params:
                raise HTTPError(400, "send the query either in the body or as query=, not both")
            params["query"] = [_text(request.body)]
        elif ctype == "application/sparql-update":
            raise _read_only()
        else:
            raise HTTPError(
                415,
                f"unsupported Content-Type {ctype or '(none)'!r}: POST a query as "
                "application/sparql-query or application/x-www-form-urlencoded",
            )
    else:
        raise HTTPError(
            405, f"method {request.method} not allowed", (("Allow", "GET, POST, OPTIONS"),)
        )
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise _read_only()
    queries = params.get("query", [])
    if not queries:
        return None
    if len(queries) > 1:
        raise HTTPError(400, "exactly one query parameter is allowed")
    text = queries[0]
    form = query_form(text)
    if form in UPDATE_FORMS:
        raise _read_only()
    if uses_service(text):
        raise HTTPError(403, "SERVICE (federated query) is disabled on this endpoint")
    formats = params.get("format", [])
    return Operation(
        query=text,
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        accept=request.headers.get("accept", ""),
        format=formats[0] if formats else None,
        form=form,
    )


def response_type(op: Operation, graph_answer: bool) -> str:
    """The media type to answer with, from format= or the Accept header (406 if none fits)."""
    key = (op.accept, op.format, graph_answer)
    known = _NEGOTIATED.get(key)
    if known is not None:
        return known
    offers = _GRAPH_OFFERS if graph_answer else _RESULT_OFFERS
    chosen = _choose(op, offers)
    if len(_NEGOTIATED) > 1024:
        _NEGOTIATED.clear()
    _NEGOTIATED[key] = chosen
    return chosen


#: (Accept, format=, graph answer?) -> media type: clients repeat the same headers
_NEGOTIATED: dict[tuple[str, str | None, bool], str] = {}


def _choose(op: Operation, offers: list[str]) -> str:
    if op.format:
        wanted = _FORMAT_PARAM.get(op.format.lower(), op.format.lower())
        wanted = _ALIASES.get(wanted, wanted)
        if wanted in offers:
            return wanted
        raise _not_acceptable(f"format={op.format}", offers)
    chosen = negotiate(op.accept, offers)
    if chosen is None:
        raise _not_acceptable(f"Accept: {op.accept}", offers)
    return chosen


def negotiate(accept: str, offers: list[str]) -> str | None:
    """The offer the Accept header prefers (q-values, then specificity, then offer order)."""
    if not accept.strip():
        return offers[0]
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for rank, offer in enumerate(offers):
        q, specificity = _quality(accept, offer)
        if q <= 0:
            continue
        key = (q, specificity, -rank)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def _quality(accept: str, offer: str) -> tuple[float, int]:
    """The q-value the Accept header gives an offer, and how specific the matching range is."""
    kind, _, _sub = offer.partition("/")
    found: tuple[float, int] = (0.0, -1)
    for item in accept.split(","):
        media, *options = (part.strip() for part in item.split(";"))
        media = _ALIASES.get(media.lower(), media.lower())
        q = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media == offer:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if specificity > found[1]:
            found = (q, specificity)
    return found if found[1] >= 0 else (0.0, -1)


def _params(query_string: str) -> dict[str, list[str]]:
    try:
        return parse_qs(query_string, keep_blank_values=True, strict_parsing=False)
    except ValueError as exc:
        raise HTTPError(400, f"bad form or query string: {exc}") from None


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPError(400, "the request body is not UTF-8") from None


def _read_only() -> HTTPError:
    return HTTPError(403, "this endpoint is read-only: SPARQL UPDATE is not allowed")


def _not_acceptable(asked: str, offers: list[str]) -> HTTPError:
    return HTTPError(406, f"cannot answer {asked}; this answer is available as {', '.join(offers)}")
