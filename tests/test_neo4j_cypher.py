"""schema.cypher and load.cypher: literal escaping, statement splitting, idempotent MERGEs run
twice on FalkorDB, and every statement shape checked by Neo4j's own Cypher front end."""

from __future__ import annotations

from pathlib import Path

import pytest
from property_graph_samples import (
    cypher_lint,
    cypher_lint_missing,
    falkordb_counts,
    falkordb_missing,
    falkordb_server,
    tricky_graph,
)

from kg.export.cypher import (
    batches,
    cypher_literal,
    cypher_name,
    read_statements,
    schema_statements,
    write_cypher,
)
from kg.property_graph.graph import PropertyGraph


@pytest.fixture(scope="module")
def real_graph(exports_projection) -> PropertyGraph:
    return exports_projection[1]


def test_literals_escape_everything_cypher_treats_specially() -> None:
    assert cypher_literal('it\'s \\ "q"\n\t|;') == "'it\\'s \\\\ \"q\"\\n\\t|;'"
    assert cypher_literal("\x01") == "'\\u0001'"
    assert cypher_literal(True) == "true" and cypher_literal(None) == "null"
    assert cypher_literal(1e-05) == "1e-05" and cypher_literal(12) == "12"
    assert cypher_literal(("a", "b")) == "['a', 'b']"
    assert cypher_literal({"a b": 1, "c": []}) == "{`a b`: 1, c: []}"
    with pytest.raises(ValueError):
        cypher_literal(float("nan"))
    assert cypher_name("RO_0002211") == "RO_0002211"
    assert cypher_name("has-arm") == "`has-arm`"


def test_files_split_back_into_the_generated_statements(tmp_path: Path) -> None:
    graph = tricky_graph()
    schema, load = write_cypher(graph, tmp_path, batch_size=2)
    assert read_statements(schema) == schema_statements(graph)
    expected = [b.inline()[:-1] for b in batches(graph, 2)]
    assert read_statements(load) == expected
    assert len(expected) == 8  # 4 label sets + 4 (type, start, end) groups, 2 rows or fewer
    text = load.read_text(encoding="utf-8")
    assert "MERGE (n:Cell {id: row.id})\nSET n = row\nSET n:OntologyClass;" in text
    assert "MATCH (a:Drug {id: row.source})\nMATCH (b:Cell {id: row.target})" in text
    assert all("IF NOT EXISTS" in s for s in schema_statements(graph))


def _run_twice(server, graph_name: str, statements: list[str]) -> list[tuple[int, int]]:
    from falkordb import FalkorDB

    g = FalkorDB(host=server.host, port=server.port).select_graph(graph_name)
    counts = []
    for _ in range(2):
        for statement in statements:
            g.query(statement)
        counts.append(falkordb_counts(server, graph_name))
    return counts


def test_load_cypher_is_idempotent_on_falkordb(tmp_path: Path) -> None:
    if reason := falkordb_missing():
        pytest.skip(reason)
    from falkordb import FalkorDB

    graph = tricky_graph()
    schema, load = write_cypher(graph, tmp_path / "cypher", batch_size=2)
    with falkordb_server(tmp_path / "falkordb") as server:
        counts = _run_twice(server, "tricky", read_statements(load))
        assert counts == [(len(graph.nodes), len(graph.edges))] * 2
        g = FalkorDB(host=server.host, port=server.port).select_graph("tricky")
        row = g.query(
            "MATCH (a)-[r:REGULATES]->(b) RETURN a.name, r.negated, r.quotes, b.definition, "
            "labels(b)"
        ).result_set
        assert row == [[
            'hrIL-2 (People\'s \\ "aldesleukin")', True, ["but not TH1 or TH2 cells"],
            'A CD4+ T cell; it\'s "Th1" | type-1\nsecond line', ["Cell", "OntologyClass"],
        ]]  # fmt: skip
        result = g.query("MATCH (n:StudyResult) RETURN n.p_value, n.responders").result_set
        assert result == [[0.00001, 12]]
        # FalkorDB rejects Neo4j 5 DDL: that is why the schema lives in its own file
        with pytest.raises(Exception, match=r"(?i)constraint|invalid"):
            g.query(read_statements(schema)[0])


@pytest.mark.slow
def test_real_load_cypher_is_idempotent_on_falkordb(
    exports: Path, real_graph: PropertyGraph, tmp_path: Path
) -> None:
    if reason := falkordb_missing():
        pytest.skip(reason)
    statements = read_statements(exports / "neo4j" / "load.cypher")
    with falkordb_server(tmp_path / "falkordb") as server:
        counts = _run_twice(server, "kg", statements)
    assert counts == [(len(real_graph.nodes), len(real_graph.edges))] * 2


def _sample_statements(graph: PropertyGraph) -> list[str]:
    """One statement per query shape, with the row whose literal is longest (most escapes)."""
    by_query: dict[str, str] = {}
    for batch in batches(graph, 1):
        text = batch.inline()
        if len(text) > len(by_query.get(batch.query, "")):
            by_query[batch.query] = text
    return list(by_query.values())


@pytest.mark.slow
def test_every_statement_shape_passes_neo4j_cypher_lint(
    exports: Path, real_graph: PropertyGraph, tmp_path: Path
) -> None:
    if reason := cypher_lint_missing():
        pytest.skip(reason)
    tricky = tricky_graph()
    write_cypher(tricky, tmp_path / "tricky")
    templates = sorted({b.query for g in (tricky, real_graph) for b in batches(g)})
    (tmp_path / "templates.cypher").write_text(";\n".join(templates) + ";\n", encoding="utf-8")
    samples = _sample_statements(real_graph)
    (tmp_path / "samples.cypher").write_text("\n".join(samples) + "\n", encoding="utf-8")
    neo4j_dir = exports / "neo4j"
    result = cypher_lint(
        tmp_path / "templates.cypher",
        tmp_path / "tricky" / "schema.cypher",
        tmp_path / "tricky" / "load.cypher",
        tmp_path / "samples.cypher",
        neo4j_dir / "schema.cypher",
        neo4j_dir / "README.md",
        params=("rows",),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 error(s)" in result.stdout


def test_cypher_lint_reports_a_syntax_error(tmp_path: Path) -> None:
    if reason := cypher_lint_missing():
        pytest.skip(reason)
    bad = tmp_path / "bad.cypher"
    bad.write_text("MATCH (n) RETRN n;\n", encoding="utf-8")
    result = cypher_lint(bad)
    assert result.returncode == 1
    assert "bad.cypher:1:11: error: Invalid input 'RETRN'" in result.stdout
