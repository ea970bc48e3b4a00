"""`kg serve`: Oxigraph's own server (`oxigraph serve-read-only`) over the build's store.

Each test talks HTTP to a real `kg serve` process on a loopback port, and checks what
users rely on: answers equal to the engine's own on every named query (sent with the
PREFIX lines `kg query NAME --show` prints), the SPARQL 1.1 Protocol's three ways to
send a query, content negotiation (SPARQLWrapper's N3 request included), UPDATE
refused, a slow query cut by the timeout, many idle connections, CORS only when asked.
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import io
import json
import os
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
from typing import Any

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

from kg.query.catalog import QUERIES_DIR, NamedQuery, named_queries, with_prefixes
from kg.query.sparql import execute
from kg.query.store import STORE_DIR, load_store
from kg.query.syntax import query_form

ROOT = Path(__file__).resolve().parents[1]
QUERIES = named_queries(QUERIES_DIR)
SELECTS = [q for q in QUERIES if query_form(q.text) == "SELECT"]
LABEL = (
    "SELECT DISTINCT ?l WHERE { <http://purl.obolibrary.org/obo/MONDO_0007915> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l"
)
TIMEOUT = 1  # seconds: the --timeout of the test server (the slow-query test waits it out)
Response = tuple[int, dict[str, str], bytes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(exports: Path, *options: str) -> Iterator[str]:
    """Run `kg serve` on a free loopback port; yield its /query URL; stop it with SIGTERM."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--exports", str(exports),
         "--port", str(port), *options],
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
                    proc.kill()
                    _, err = proc.communicate()
                    raise RuntimeError(err.decode()) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def store(exports: Path) -> Store:
    return load_store(exports)


@pytest.fixture(scope="module")
def url(exports: Path) -> Iterator[str]:
    with serving(exports, "--timeout", str(TIMEOUT)) as running:
        yield running


def request(
    target: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> Response:
    req = urllib.request.Request(target, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def get(url: str, query: str, accept: str = "", **params: str) -> Response:
    qs = urllib.parse.urlencode({"query": query, **params})
    return request(f"{url}?{qs}", headers={"Accept": accept} if accept else {})


def post(url: str, query: str, accept: str = "") -> Response:
    headers = {"Content-Type": "application/sparql-query"}
    if accept:
        headers["Accept"] = accept
    return request(url, query.encode(), headers)


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


# ---- every named query, as `kg query NAME --show` prints it, in every results format ----------


@pytest.mark.parametrize("query", SELECTS, ids=[q.name for q in SELECTS])
def test_named_queries_answer_as_the_engine_does(url: str, store: Store, query: NamedQuery) -> None:
    """The store the server reads holds the same dataset (the default graph = the set union)."""
    names, expected = expected_solutions(store, query)
    text = with_prefixes(query.text)
    for accept, fmt in (
        ("application/sparql-results+json", QueryResultsFormat.JSON),
        ("application/sparql-results+xml", QueryResultsFormat.XML),
        ("text/tab-separated-values", QueryResultsFormat.TSV),
    ):
        status, headers, body = post(url, text, accept)
        assert status == 200, body
        assert headers["content-type"].startswith(accept)
        got = solutions(body, fmt)  # the same rows; ties in ORDER BY may come in any order
        assert sorted(got, key=repr) == sorted(expected, key=repr), accept
    status, _, body = get(url, text, "text/csv")
    assert status == 200
    table = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert table[0] == names
    assert len(table) - 1 == len(expected)


def test_named_queries_need_their_prefix_lines(url: str) -> None:
    """Oxigraph does not predeclare the project's prefixes: --show adds them."""
    text = next(q for q in QUERIES if q.name == "sle_ancestors").text
    status, _, body = post(url, text)
    assert status == 400
    assert b"MONDO" in body or b"prefix" in body.lower()
    status, _, body = post(url, with_prefixes(text))
    assert status == 200
    assert json.loads(body)["results"]["bindings"]


def test_ask_in_json_and_xml(url: str) -> None:
    query = with_prefixes("ASK { MONDO:0007915 rdfs:label ?l }")
    status, _, body = get(url, query)
    assert (status, json.loads(body)) == (200, {"head": {}, "boolean": True})
    status, _, body = get(url, query, "application/sparql-results+xml")
    result = parse_query_results(body, format=QueryResultsFormat.XML)
    assert isinstance(result, QueryBoolean) and bool(result)


def test_a_large_answer_streams_whole(url: str, store: Store) -> None:
    """No row cap: Oxigraph streams, so every quad of the build comes back."""
    status, _, body = get(url, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "text/csv")
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    count = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    quads = int(next(count)["n"].value)  # type: ignore[call-overload, index]
    assert len(rows) - 1 == quads > 10_000


# ---- the three ways to send a query; content negotiation ---------------------------------------


def test_get_post_and_form_give_the_same_answer(url: str) -> None:
    by_get = get(url, LABEL)
    by_post = post(url, LABEL)
    form = urllib.parse.urlencode({"query": LABEL}).encode()
    by_form = request(url, form, {"Content-Type": "application/x-www-form-urlencoded"}, "POST")
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
    ],
)
def test_content_negotiation(url: str, accept: str, expected: str) -> None:
    status, headers, _ = get(url, LABEL, accept)
    assert status == 200
    assert headers["content-type"].split(";")[0] == expected


def test_not_acceptable(url: str) -> None:
    status, _, body = get(url, LABEL, "image/png")
    assert status == 406
    assert b"application/sparql-results+json" in body


def test_construct_as_turtle_and_ntriples(url: str, store: Store) -> None:
    query = next(q for q in QUERIES if q.name == "sle_description")
    expected = {str(t) for t in execute(store, query.as_text())}  # type: ignore[union-attr]
    text = with_prefixes(query.text)
    for accept, fmt in (
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.N_TRIPLES),
    ):
        status, headers, body = post(url, text, accept)
        assert status == 200
        assert headers["content-type"].split(";")[0] == accept
        assert {str(t) for t in parse(body, format=fmt)} == expected


def test_format_parameter_is_ignored_and_accept_decides(url: str) -> None:
    """Oxigraph reads Accept only: `format=n3` with Turtle in Accept gets Turtle, not 406."""
    construct = with_prefixes("CONSTRUCT WHERE { MONDO:0007915 rdfs:label ?l }")
    status, headers, body = get(
        url, construct, "application/turtle,text/turtle,application/n-triples;q=0.9", format="n3"
    )
    assert status == 200
    assert headers["content-type"].split(";")[0] == "text/turtle"
    assert list(parse(body, format=RdfFormat.TURTLE))


def test_sparqlwrapper_construct_as_n3(url: str, store: Store) -> None:
    """Issue 11 §2 case 5: SPARQLWrapper's CONSTRUCT with return format N3 works."""
    from SPARQLWrapper import JSON, N3, SPARQLWrapper

    query = next(q for q in QUERIES if q.name == "sle_description")
    expected = {str(t) for t in execute(store, query.as_text())}  # type: ignore[union-attr]
    client = SPARQLWrapper(url)
    client.setQuery(with_prefixes(query.text))
    client.setReturnFormat(N3)
    body = client.query().convert()
    assert isinstance(body, bytes)
    assert {str(t) for t in parse(body, format=RdfFormat.TURTLE)} == expected
    client.setQuery(LABEL)
    client.setReturnFormat(JSON)
    answer: Any = client.query().convert()
    assert answer["results"]["bindings"][0]["l"]["value"] == "systemic lupus erythematosus"


def test_default_graph_uri_selects_the_dataset(url: str, store: Store) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    curation = "https://w3id.org/il2-sle-kg/graph/curation"
    status, _, body = get(url, count, **{"default-graph-uri": curation})
    assert status == 200
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    in_graph = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{curation}> {{ ?s ?p ?o }} }}")
    assert n == int(next(in_graph)["n"].value)  # type: ignore[call-overload, index]
    status, _, body = get(url, count)
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > n  # union by default


# ---- read-only; errors ------------------------------------------------------------------------


def test_update_is_refused_in_every_form(url: str) -> None:
    """The store is opened read-only: no form of UPDATE changes it."""
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"
    base = url.removesuffix("/query")
    form = urllib.parse.urlencode({"update": update}).encode()
    answers = {
        "update body": request(
            f"{base}/update", update.encode(), {"Content-Type": "application/sparql-update"}
        ),
        "update form": request(
            f"{base}/update", form, {"Content-Type": "application/x-www-form-urlencoded"}
        ),
        "update= to /query": request(
            url, form, {"Content-Type": "application/x-www-form-urlencoded"}
        ),
        "update as a query": get(url, update),
        "delete as a query": post(url, "DELETE WHERE { ?s ?p ?o }"),
    }
    assert answers["update body"][0] == answers["update form"][0] == 403
    assert b"read-only" in answers["update body"][2]
    for name, (status, _, _) in answers.items():
        assert 400 <= status < 500, name
    status, _, body = get(url, "ASK { <http://example.org/a> ?p ?o }")
    assert json.loads(body)["boolean"] is False
    status, _, body = get(url, "ASK { ?s ?p ?o }")
    assert json.loads(body)["boolean"] is True


def test_malformed_query_is_a_400_with_the_parser_message(url: str) -> None:
    status, headers, body = post(url, "SELECT ?s WHERE {\n  ?s ?p\n}")
    assert status == 400
    assert headers["content-type"].startswith("text/plain")
    assert body.decode().startswith("error at 3:")


def test_a_slow_query_is_cut_by_the_timeout(url: str) -> None:
    """Past --timeout the engine is cancelled: the answer stops with Oxigraph's message
    (the 200 status line was already sent), and the server goes on answering."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.request(
        "POST", "/query", slow.encode(), {"Content-Type": "application/sparql-query"}
    )
    response = connection.getresponse()
    try:
        body = response.read()
    except http.client.IncompleteRead as exc:
        body = exc.partial
    connection.close()
    elapsed = time.monotonic() - started
    assert elapsed < TIMEOUT + 20  # cancelled, not run to the end (hours)
    assert b"cancelled" in body
    with pytest.raises(ValueError):
        json.loads(body)
    assert get(url, LABEL)[0] == 200


def test_idle_connections_do_not_starve_a_query(url: str) -> None:
    """120 clients that connect and send nothing: a query is still answered within 1 s."""
    address = urllib.parse.urlsplit(url).netloc.split(":")
    idle = [socket.create_connection((address[0], int(address[1])), timeout=5) for _ in range(120)]
    try:
        started = time.monotonic()
        status, _, body = get(url, "ASK {}")
        elapsed = time.monotonic() - started
    finally:
        for sock in idle:
            sock.close()
    assert (status, json.loads(body)["boolean"]) == (200, True)
    assert elapsed < 1.0, f"answered after {elapsed:.2f} s with 120 idle connections open"


# ---- binding, CORS, the page, stopping --------------------------------------------------------


def test_no_cors_headers_by_default(url: str) -> None:
    _, headers, _ = get(url, LABEL)
    assert "access-control-allow-origin" not in headers


def test_cors_when_asked_and_the_store_is_made_once(exports: Path) -> None:
    stores = sorted((exports / STORE_DIR).iterdir())
    with serving(exports, "--cors") as cors_url:
        _, headers, _ = request(
            f"{cors_url}?{urllib.parse.urlencode({'query': LABEL})}",
            headers={"Origin": "http://example.org"},
        )
        assert headers["access-control-allow-origin"] in {"*", "http://example.org"}
        status, headers, _ = request(
            cors_url,
            method="OPTIONS",
            headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"},
        )
        assert status in {200, 204}
        assert "access-control-allow-origin" in headers
    assert sorted((exports / STORE_DIR).iterdir()) == stores


def test_the_query_page_is_served(url: str) -> None:
    status, headers, body = request(url.removesuffix("query"))
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert b"yasgui" in body.lower()


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_server_that_aborts_is_started_again(exports: Path) -> None:
    """Oxigraph aborts when it cannot start a thread: kg serve starts it again."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--exports", str(exports), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    target = f"http://127.0.0.1:{port}/query"

    def answered() -> bool:
        try:
            return get(target, "ASK {}")[0] == 200
        except OSError:
            return False

    try:
        for _ in range(600):
            if answered():
                break
            time.sleep(0.1)
        [first] = _children(proc.pid)
        os.kill(first, signal.SIGABRT)
        for _ in range(600):
            children = _children(proc.pid)
            if children and children != [first] and answered():
                break
            time.sleep(0.1)
        assert answered()
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert "Oxigraph's server died of signal 6; starting it again." in err.decode()
    assert proc.returncode == 0


def test_sigterm_stops_the_server_process(exports: Path) -> None:
    with serving(exports) as running:
        port = int(urllib.parse.urlsplit(running).port or 0)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


@pytest.mark.browser
def test_the_query_page_works_offline(url: str, browser: Any) -> None:
    """Oxigraph's page (YASGUI) comes from the server itself: with every other address
    blocked, a query typed into it runs and its answer shows. The one request it makes
    elsewhere is for optional prefix suggestions."""
    origin = url.removesuffix("/query")
    elsewhere: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(origin):
            r.continue_()
        else:
            elsewhere.append(r.request.url)
            r.abort()

    context = browser.new_context()
    try:
        context.route("**/*", route)
        page = context.new_page()
        page.goto(f"{origin}/")
        page.wait_for_selector(".CodeMirror", timeout=30_000)
        page.evaluate("q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", LABEL)
        page.click(".yasqe_queryButton")
        page.wait_for_selector(".yasr table td", timeout=30_000)
        shown = page.inner_text(".yasr table")
    finally:
        context.close()
    assert "systemic lupus erythematosus" in shown
    assert all(urllib.parse.urlsplit(u).hostname == "prefix.cc" for u in elsewhere), elsewhere


def test_timeout_zero_means_no_limit() -> None:
    """--timeout 0 runs Oxigraph without --timeout-s (and without a timer thread a query)."""
    from kg.query.server import ServerConfig, server_arguments

    program, location = Path("oxigraph"), Path("store")
    assert "--timeout-s" not in server_arguments(ServerConfig(timeout=0), location, program)
    args = server_arguments(ServerConfig(timeout=5), location, program)
    assert args[args.index("--timeout-s") + 1] == "5"
    assert server_arguments(ServerConfig(host="::1"), location, program)[5] == "[::1]:7878"
