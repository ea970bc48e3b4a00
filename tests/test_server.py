"""The SPARQL endpoint over real HTTP: protocol, formats, negotiation, limits, the page.

Most tests talk to an in-process server (RunningServer on a free port) over the real
built graph; the timeout test runs `kg serve` itself in a subprocess, because only a
worker process can be stopped in the middle of an engine call.
"""

from __future__ import annotations

import csv
import io
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import (
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
)

from kg.query.catalog import NamedQuery, named_queries
from kg.query.endpoint import Endpoint, ServerConfig
from kg.query.server import RunningServer, start
from kg.query.sparql import execute
from kg.query.store import load_store
from kg.query.syntax import query_form

ROOT = Path(__file__).resolve().parents[1]
QUERIES = named_queries(ROOT / "queries")
SELECTS = [q for q in QUERIES if query_form(q.text) == "SELECT"]
LABEL = "SELECT DISTINCT ?l WHERE { MONDO:0007915 rdfs:label ?l } ORDER BY ?l"
Response = tuple[int, dict[str, str], bytes]


@pytest.fixture(scope="module")
def store(exports: Path) -> Store:
    return load_store(exports)


@pytest.fixture(scope="module")
def server(store: Store) -> Iterator[RunningServer]:
    running = start(Endpoint(store, ServerConfig(timeout=10, max_rows=10_000), QUERIES))
    yield running
    running.stop()


def request(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> Response:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def get(server: RunningServer, query: str, accept: str = "", **params: str) -> Response:
    qs = urllib.parse.urlencode({"query": query, **params})
    return request(f"{server.url}?{qs}", headers={"Accept": accept} if accept else {})


def post(server: RunningServer, query: str, accept: str = "") -> Response:
    headers = {"Content-Type": "application/sparql-query"}
    if accept:
        headers["Accept"] = accept
    return request(server.url, query.encode(), headers)


def solutions(body: bytes, fmt: QueryResultsFormat) -> list[tuple[object, ...]]:
    result = parse_query_results(body, format=fmt)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(s[n] for n in names) for s in result]


def expected_solutions(
    store: Store, query: NamedQuery
) -> tuple[list[str], list[tuple[object, ...]]]:
    result = execute(store, query.as_text())
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return names, [tuple(s[n] for n in names) for s in result]


# ---- SELECT in every results format, on every named query ---------------------------------------


@pytest.mark.parametrize("query", SELECTS, ids=[q.name for q in SELECTS])
def test_json_xml_tsv_answers_equal_the_engines_own(
    server: RunningServer, store: Store, query: NamedQuery
) -> None:
    _, expected = expected_solutions(store, query)
    for accept, fmt in (
        ("application/sparql-results+json", QueryResultsFormat.JSON),
        ("application/sparql-results+xml", QueryResultsFormat.XML),
        ("text/tab-separated-values", QueryResultsFormat.TSV),
    ):
        status, headers, body = post(server, query.text, accept)
        assert status == 200, body
        assert headers["content-type"].startswith(accept)
        assert solutions(body, fmt) == expected, accept


@pytest.mark.parametrize("query", SELECTS, ids=[q.name for q in SELECTS])
def test_csv_answers_equal_the_engines_own(
    server: RunningServer, store: Store, query: NamedQuery
) -> None:
    names, expected = expected_solutions(store, query)
    status, headers, body = get(server, query.text, "text/csv")
    assert status == 200
    assert headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert table[0] == names
    plain = [
        tuple("" if t is None else (f"_:{t.value}" if type(t).__name__ == "BlankNode" else t.value)
              for t in row)
        for row in expected
    ]  # fmt: skip
    assert [tuple(r) for r in table[1:]] == plain


def test_ask_in_json_and_xml(server: RunningServer) -> None:
    query = "ASK { MONDO:0007915 rdfs:label ?l }"
    status, _, body = get(server, query)
    assert (status, json.loads(body)) == (200, {"head": {}, "boolean": True})
    status, _, body = get(server, query, "application/sparql-results+xml")
    result = parse_query_results(body, format=QueryResultsFormat.XML)
    assert isinstance(result, QueryBoolean) and bool(result)


# ---- the three ways to send a query; content negotiation ----------------------------------------


def test_get_post_and_form_give_the_same_answer(server: RunningServer) -> None:
    by_get = get(server, LABEL)
    by_post = post(server, LABEL)
    form = urllib.parse.urlencode({"query": LABEL}).encode()
    by_form = request(
        server.url, form, {"Content-Type": "application/x-www-form-urlencoded"}, "POST"
    )
    assert by_get[0] == by_post[0] == by_form[0] == 200
    assert by_get[2] == by_post[2] == by_form[2]
    assert b"systemic lupus erythematosus" in by_get[2]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv, application/sparql-results+xml;q=0.5", "text/csv"),
        ("text/*", "text/csv"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
         "application/sparql-results+xml"),
    ],
)  # fmt: skip
def test_content_negotiation(server: RunningServer, accept: str, expected: str) -> None:
    status, headers, _ = get(server, LABEL, accept)
    assert status == 200
    assert headers["content-type"].split(";")[0] == expected


def test_format_parameter_overrides_accept(server: RunningServer) -> None:
    status, headers, body = get(server, LABEL, "application/json", format="tsv")
    assert status == 200
    assert headers["content-type"].startswith("text/tab-separated-values")
    assert body.startswith(b"?l\n")


def test_not_acceptable(server: RunningServer) -> None:
    status, _, body = get(server, LABEL, "image/png")
    assert status == 406
    assert b"application/sparql-results+json" in body
    status, _, body = get(server, "CONSTRUCT WHERE { MONDO:0007915 rdfs:label ?l }", "text/csv")
    assert status == 406
    assert b"text/turtle" in body


def test_construct_as_turtle_and_ntriples(server: RunningServer, store: Store) -> None:
    query = next(q for q in QUERIES if q.name == "sle_description")
    expected = {str(t) for t in execute(store, query.as_text())}  # type: ignore[union-attr]
    status, headers, body = post(server, query.text, "text/turtle")
    assert status == 200
    assert headers["content-type"] == "text/turtle; charset=utf-8"
    assert {str(t) for t in parse(body, format=RdfFormat.TURTLE)} == expected
    status, headers, body = post(server, query.text, "application/n-triples")
    assert headers["content-type"] == "application/n-triples; charset=utf-8"
    assert {str(t) for t in parse(body, format=RdfFormat.N_TRIPLES)} == expected


def test_default_graph_uri_selects_the_dataset(server: RunningServer, store: Store) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    curation = "https://w3id.org/il2-sle-kg/graph/curation"
    status, _, body = get(server, count, **{"default-graph-uri": curation})
    assert status == 200
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    in_graph = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{curation}> {{ ?s ?p ?o }} }}")
    assert n == int(next(in_graph)["n"].value)  # type: ignore[call-overload, index]
    status, _, body = get(server, count)
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > n  # union by default


# ---- refusals and errors ------------------------------------------------------------------------


def test_update_is_refused_in_every_form(server: RunningServer) -> None:
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"
    form = urllib.parse.urlencode({"update": update}).encode()
    answers = [
        request(server.url, form, {"Content-Type": "application/x-www-form-urlencoded"}),
        request(server.url, update.encode(), {"Content-Type": "application/sparql-update"}),
        request(f"{server.url}?{urllib.parse.urlencode({'update': update})}"),
        get(server, update),
        post(server, "PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ?p ?o }"),
    ]
    for status, _, body in answers:
        assert status == 403
        assert body == b"this endpoint is read-only: SPARQL UPDATE is not allowed\n"
    status, _, body = get(server, "ASK { <http://example.org/a> ?p ?o }")
    assert json.loads(body)["boolean"] is False


def test_malformed_query_is_a_400_with_the_parser_message(server: RunningServer) -> None:
    status, headers, body = post(server, "SELECT ?s WHERE {\n  ?s ?p\n}")
    assert status == 400
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert body.decode().startswith("SPARQL syntax error at line 3, column 2: expected")
    status, _, body = post(server, "SELECT * WHERE { ?s nope:x ?o }")
    assert (status, body.decode().split(" (")[0]) == (
        400,
        "SPARQL syntax error at line 1, column 27: unknown prefix nope:",
    )


def test_service_is_refused(server: RunningServer) -> None:
    status, _, body = post(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert status == 403
    assert b"SERVICE" in body


def test_http_errors(server: RunningServer) -> None:
    base = f"http://{server.host}:{server.port}"
    assert request(f"{base}/nowhere")[0] == 404
    assert request(f"{base}/query", b"x", method="PUT")[0] == 405
    assert request(f"{base}/query", b"x", {"Content-Type": "text/plain"})[0] == 415
    status, _, body = request(f"{base}/query")
    assert (status, body) == (400, b"missing query: send ?query=... or POST a query\n")


def test_cors_headers_and_preflight(server: RunningServer) -> None:
    _, headers, _ = get(server, LABEL)
    assert headers["access-control-allow-origin"] == "*"
    _, headers, _ = post(server, "SELECT * WHERE {")  # errors carry CORS headers too
    assert headers["access-control-allow-origin"] == "*"
    status, headers, body = request(
        server.url,
        method="OPTIONS",
        headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert (status, body) == (204, b"")
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    assert "Content-Type" in headers["access-control-allow-headers"]


def test_keep_alive_and_pipelining(server: RunningServer) -> None:
    one = (
        f"GET /query?{urllib.parse.urlencode({'query': LABEL})} HTTP/1.1\r\n"
        f"Host: x\r\nAccept: text/csv\r\n\r\n"
    ).encode()
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(one + one)
        data = b""
        while data.count(b"HTTP/1.1 200 OK") < 2 or not data.endswith(b"\r\n"):
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
    assert data.count(b"systemic lupus erythematosus") == 2


def test_request_limits(store: Store) -> None:
    small = start(Endpoint(store, ServerConfig(max_body=100)))
    try:
        status, _, _ = post(small, "SELECT * WHERE { ?s ?p ?o } # " + "x" * 200)
        assert status == 413
        with socket.create_connection((small.host, small.port), timeout=10) as sock:
            sock.sendall(b"POST /query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            assert sock.recv(1024).startswith(b"HTTP/1.1 411 Length Required")
    finally:
        small.stop()


def test_answer_cache_is_bounded(store: Store) -> None:
    from kg.query.protocol import Request

    endpoint = Endpoint(store, ServerConfig(cache_entries=2, cache_bytes=10_000))

    def ask(n: int) -> bytes:
        body = f"SELECT ?n WHERE {{ BIND({n} AS ?n) }}".encode()
        req = Request("POST", "/query", "", {"content-type": "application/sparql-query"}, body)
        answer = endpoint.answer(req)
        assert answer is not None and answer.status == 200
        return answer.body

    first = ask(1)
    assert ask(1) == first
    assert endpoint.cache_usage[0] == 1
    ask(2)
    ask(3)
    assert endpoint.cache_usage[0] == 2  # the oldest was evicted
    big = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000"
    req = Request("POST", "/query", "", {"content-type": "application/sparql-query"}, big.encode())
    assert len(endpoint.answer(req).body) > 10_000  # type: ignore[union-attr]
    assert endpoint.cache_usage[1] <= 10_000  # too big to keep


# ---- limits: rows and time ----------------------------------------------------------------------


def test_row_cap(store: Store) -> None:
    capped = start(Endpoint(store, ServerConfig(max_rows=3)))
    try:
        status, _, body = get(capped, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")
        assert status == 200
        assert len(json.loads(body)["results"]["bindings"]) == 3
        status, _, body = get(capped, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 4")
        assert status == 500
        assert body.decode().startswith("the answer has more than 3 rows (this endpoint's limit)")
        status, _, _ = get(capped, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
        assert status == 500
    finally:
        capped.stop()


def test_timeout_while_streaming_in_process(store: Store) -> None:
    """A query that streams past the deadline is stopped at its next row: 503, server lives."""
    slow = start(Endpoint(store, ServerConfig(timeout=0.2, max_rows=50_000_000)))
    try:
        started = time.monotonic()
        status, _, body = get(slow, "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f }")
        assert status == 503
        assert body.decode().startswith("query timed out after 0.2 s")
        assert time.monotonic() - started < 5
        assert get(slow, LABEL)[0] == 200
    finally:
        slow.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def kg_serve(exports: Path) -> Iterator[str]:
    """`kg serve --timeout 1 --workers 1` in a subprocess; yields its /query URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--exports", str(exports), "--port", str(port),
         "--timeout", "1", "--workers", "1", "--max-rows", "1000"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_timeout_of_a_stuck_engine_call_in_kg_serve(kg_serve: str) -> None:
    """A big aggregate never returns a row: the watchdog answers 503 and replaces the worker."""
    stuck = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    status, headers, body = request(
        kg_serve, stuck.encode(), {"Content-Type": "application/sparql-query"}
    )
    elapsed = time.monotonic() - started
    assert status == 503
    assert headers["connection"] == "close"
    assert body.decode().startswith("query timed out after 1 s (this endpoint's limit)")
    assert elapsed < 10
    for _ in range(50):  # the replacement worker takes over
        try:
            status, _, body = request(f"{kg_serve}?{urllib.parse.urlencode({'query': LABEL})}")
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    assert status == 200
    assert b"systemic lupus erythematosus" in body


def test_kg_serve_row_cap_and_page(kg_serve: str) -> None:
    query = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
    status, _, body = request(f"{kg_serve}?{query}")
    assert (status, body.split(b" (")[0]) == (500, b"the answer has more than 1,000 rows")
    status, _, page = request(kg_serve.removesuffix("query"))
    assert status == 200 and b"rct_primary_endpoints" in page


# ---- the page -----------------------------------------------------------------------------------


def test_page_lists_the_named_queries(server: RunningServer) -> None:
    status, headers, body = request(f"http://{server.host}:{server.port}/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in headers["content-security-policy"]
    page = body.decode()
    assert "<textarea" in page
    for q in QUERIES:
        assert q.name in page


def test_page_escapes_everything(store: Store, tmp_path: Path) -> None:
    evil = "<script>alert('x')</script> & \"quotes\""
    (tmp_path / "evil.rq").write_text(
        f'# Question: Is {evil} escaped?\nSELECT ?x WHERE {{ BIND("{"</pre>"}" AS ?x) }}\n',
        "utf-8",
    )
    running = start(Endpoint(store, ServerConfig(), named_queries(tmp_path)))
    try:
        _, _, body = request(f"http://{running.host}:{running.port}/")
    finally:
        running.stop()
    page = body.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert page.count("</pre>") == 1  # only the template's own closing tag
    assert "&lt;/pre&gt;" in page
