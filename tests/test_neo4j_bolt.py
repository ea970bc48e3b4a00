"""`kg neo4j load` over Bolt: clean one-line errors for an unreachable server, a bad address
and a missing password; idempotent batched loads against FalkorDB's Bolt port; and a real
Neo4j when NEO4J_URI is set (auth failure included)."""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from property_graph_samples import falkordb_missing, falkordb_server, tricky_graph

sys.path.insert(0, str(Path(__file__).parent / "bad_input"))
# the `kg` entry point in-process; one test runs the real process (what reaches its standard
# error: the driver's own log line must not)
from harness import run_kg

from kg.errors import KGError
from kg.neo4j_load import connect, load_graph
from kg.property_graph.graph import Edge, Node, PropertyGraph

KG = [sys.executable, "-c", "from kg.cli import main; main()"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the socket is


def _kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KG, *args], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_unreachable_server_is_one_clean_error(tmp_path: Path) -> None:
    port = _closed_port()
    result = run_kg(("neo4j", "load", "--uri", f"bolt://127.0.0.1:{port}"), tmp_path)
    assert result.code == 1
    assert "Traceback" not in result.output
    assert f"cannot reach a Neo4j server at bolt://127.0.0.1:{port}" in result.stderr
    assert "Connection refused" in result.stderr


def test_unreachable_routing_server_prints_only_the_error() -> None:
    """neo4j:// (routing) to a closed port: the driver's log line stays off standard error."""
    port = _closed_port()
    result = _kg("neo4j", "load", "--uri", f"neo4j://127.0.0.1:{port}")
    assert result.returncode == 1
    assert result.stderr == (
        f"Error:\n  cannot reach a Neo4j server at neo4j://127.0.0.1:{port}: Unable to retrieve "
        "routing information (is it running, and is the Bolt port right?)\n"
    )


def test_unreachable_server_raises_kgerror_from_the_library() -> None:
    port = _closed_port()
    with pytest.raises(KGError, match=r"cannot reach a Neo4j server at bolt://127\.0\.0\.1"):
        load_graph(tricky_graph(), f"bolt://127.0.0.1:{port}", ("neo4j", "secret"))


def test_not_a_bolt_address(tmp_path: Path) -> None:
    result = run_kg(("neo4j", "load", "--uri", "http://localhost:7474"), tmp_path)
    assert result.code == 1 and "Traceback" not in result.output
    assert "--uri 'http://localhost:7474' is not a Bolt address" in result.stderr


def test_missing_password_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_TEST_NO_SUCH_PASSWORD", "")
    result = run_kg(("neo4j", "load", "--uri", "bolt://127.0.0.1:1", "--user", "neo4j",
                     "--password-env", "KG_TEST_NO_SUCH_PASSWORD"), tmp_path)  # fmt: skip
    assert result.code == 1 and "Traceback" not in result.output
    assert "environment variable KG_TEST_NO_SUCH_PASSWORD is not set" in result.stderr


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(KGError, match="--batch-size must be at least 1"):
        load_graph(tricky_graph(), "bolt://127.0.0.1:1", None, batch_size=0)


def _bolt_safe(graph: PropertyGraph) -> PropertyGraph:
    """The graph with `'` replaced by `’`: FalkorDB's Bolt endpoint splices parameters into
    the query text without escaping, so a `'` in a parameter fails there (not in Neo4j)."""

    def fix(value: object) -> object:
        if isinstance(value, str):
            return value.replace("'", "\u2019")
        if isinstance(value, tuple):
            return tuple(fix(v) for v in value)
        return value

    nodes = tuple(
        dataclasses.replace(n, name=str(fix(n.name)),
                            properties={k: fix(v) for k, v in n.properties.items()})
        for n in graph.nodes
    )  # fmt: skip
    edges = tuple(
        dataclasses.replace(e, properties={k: fix(v) for k, v in e.properties.items()})
        for e in graph.edges
    )
    return PropertyGraph(nodes, edges)  # type: ignore[arg-type]


def test_load_twice_over_falkordb_bolt_is_idempotent(tmp_path: Path) -> None:
    if reason := falkordb_missing():
        pytest.skip(reason)
    graph = _bolt_safe(tricky_graph())
    # FalkorDB's Bolt port: no auth, no Neo4j 5 DDL, small messages (it fails past ~4 KB),
    # explicit transactions always use the default graph, and one connection per server
    # start (after it closes, the server stops answering), so everything goes through one.
    with falkordb_server(tmp_path / "falkordb") as server, connect(server.bolt_uri, None) as db:
        reports, counts = [], []
        for _ in range(2):
            reports.append(db.load(graph, batch_size=2, schema=False))
            counts.append(db.counts())
        negated = db.read(
            "MATCH (a)-[r {negated: true}]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, "
            "r.quotes AS quotes"
        )
    assert counts == [(len(graph.nodes), len(graph.edges))] * 2
    assert reports[0] == reports[1]
    assert reports[0].nodes == len(graph.nodes) and reports[0].batches == 8
    assert negated == [{"a": "il2kg.drug:hril-2", "t": "REGULATES", "b": "CL:0000545",
                        "quotes": ["but not TH1 or TH2 cells"]}]  # fmt: skip


def test_falkordb_rejects_the_neo4j_ddl_with_a_hint(tmp_path: Path) -> None:
    if reason := falkordb_missing():
        pytest.skip(reason)
    graph = PropertyGraph(
        (Node("X:1", "http://x/1", "one", "Cell", ("Cell",), {}),), tuple[Edge, ...]()
    )
    with falkordb_server(tmp_path / "falkordb") as server, pytest.raises(KGError) as info:
        load_graph(graph, server.bolt_uri, None, batch_size=1, schema=True)
    assert "rejected a statement" in str(info.value) and "--no-schema" in str(info.value)


# ------------------------------------------------------------------ a real Neo4j, if given

NEO4J_URI = os.environ.get("NEO4J_URI")
needs_neo4j = pytest.mark.skipif(
    not NEO4J_URI,
    reason="set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) to test a real Neo4j",
)


@needs_neo4j
def test_real_neo4j_load_twice_is_idempotent() -> None:
    from neo4j import GraphDatabase

    assert NEO4J_URI
    auth = (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
    database = os.environ.get("NEO4J_DATABASE") or None
    graph = tricky_graph()
    ids = [n.id for n in graph.nodes]
    for _ in range(2):
        load_graph(graph, NEO4J_URI, auth, database, batch_size=2)
    with GraphDatabase.driver(NEO4J_URI, auth=auth) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (n) WHERE n.id IN $ids OPTIONAL MATCH (n)-[r]->() "
            "RETURN count(DISTINCT n) AS n, count(r) AS r",
            ids=ids, database_=database,
        )  # fmt: skip
        negated, _, _ = driver.execute_query(
            "MATCH (:Drug {id: 'il2kg.drug:hril-2'})-[r:REGULATES]->(b) RETURN r.negated AS neg, "
            "r.quotes AS quotes, b.definition AS definition",
            database_=database,
        )
        driver.execute_query(
            "MATCH (n) WHERE n.id IN $ids DETACH DELETE n", ids=ids, database_=database
        )
    assert (records[0]["n"], records[0]["r"]) == (len(graph.nodes), len(graph.edges))
    assert negated[0]["neg"] is True and negated[0]["quotes"] == ["but not TH1 or TH2 cells"]
    assert negated[0]["definition"] == 'A CD4+ T cell; it\'s "Th1" | type-1\nsecond line'


@needs_neo4j
def test_real_neo4j_wrong_password_is_one_clean_error() -> None:
    assert NEO4J_URI
    env = {"KG_TEST_WRONG": "not-the-password"}
    result = _kg("neo4j", "load", "--uri", NEO4J_URI, "--user", "neo4j",
                 "--password-env", "KG_TEST_WRONG", env=env)  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "refused the credentials (user 'neo4j')" in result.stderr
