"""neo4j-admin import CSVs: header grammar, typed values, unique ids, no dangling ends,
determinism, the import command, and a load into an embedded engine (Kuzu)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from property_graph_samples import (
    kuzu_rows,
    load_admin_csv_into_kuzu,
    read_admin_csv,
    tricky_graph,
)

from kg.export.columns import BAR_REPLACEMENT
from kg.export.neo4j_csv import import_command, node_tables, relationship_tables, write_tables
from kg.property_graph.graph import PropertyGraph

HEADER = re.compile(
    r"^(id:ID|:LABEL|:START_ID|:END_ID|:TYPE"
    r"|[A-Za-z_][A-Za-z0-9_]*(:(string\[\]|boolean|long|double))?)$"
)


@pytest.fixture(scope="module")
def real_graph(exports_projection) -> PropertyGraph:
    """The projection of the real build, re-made from its N-Quads (once per session)."""
    return exports_projection[1]


def _write(graph: PropertyGraph, directory: Path) -> list[Path]:
    return write_tables([*node_tables(graph), *relationship_tables(graph)], directory)


def _headers(directory: Path) -> dict[str, list[str]]:
    out = {}
    for path in sorted(directory.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            out[path.name] = next(csv.reader(fh))
    return out


def check_admin_csv(directory: Path, graph: PropertyGraph) -> None:
    """Grammar of every header, unique ids, ends that exist, and counts equal to the graph."""
    for name, header in _headers(directory).items():
        bad = [h for h in header if not HEADER.match(h)]
        assert not bad, f"{name}: bad header column(s) {bad}"
        assert len(set(header)) == len(header), f"{name}: repeated column"
        names = [h.split(":")[0] for h in header if not h.startswith(":")]
        assert len(set(names)) == len(names), f"{name}: a property appears twice"
        if name.startswith("nodes_"):
            assert header[:2] == ["id:ID", ":LABEL"], name
        else:
            assert header[:3] == [":START_ID", ":END_ID", ":TYPE"], name
            assert "negated:boolean" in header, name
    nodes, rels = read_admin_csv(directory)
    assert len(nodes) == len(graph.nodes)
    assert len(rels) == len(graph.edges)
    rel_ids = [r["id"] for r in rels]
    assert len(set(rel_ids)) == len(rel_ids), "relationship ids must be unique"
    dangling = [r["id"] for r in rels if r["source"] not in nodes or r["target"] not in nodes]
    assert not dangling, f"relationships with a missing end: {dangling[:5]}"


def test_tricky_graph_files_headers_and_values(tmp_path: Path) -> None:
    graph = tricky_graph()
    _write(graph, tmp_path)
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == [
        "nodes_Cell.csv", "nodes_ClinicalTrial.csv", "nodes_Drug.csv", "nodes_StudyResult.csv",
        "relationships_NEGATIVELY_REGULATES.csv", "relationships_REGULATES.csv",
        "relationships_SOURCE.csv", "relationships_SUBCLASS_OF.csv",
    ]  # fmt: skip
    check_admin_csv(tmp_path, graph)
    headers = _headers(tmp_path)
    assert "synonyms:string[]" in headers["nodes_Cell.csv"]
    assert "deprecated:boolean" in headers["nodes_Cell.csv"]
    result = headers["nodes_StudyResult.csv"]
    assert {"p_value:double", "responders:long", "percent:double", "met_endpoint:boolean",
            "quotes:string[]"} <= set(result)  # fmt: skip
    assert "enrolment:long" in headers["nodes_ClinicalTrial.csv"]

    nodes, rels = read_admin_csv(tmp_path)
    th1 = nodes["CL:0000545"]
    assert th1["labels"] == ("Cell", "OntologyClass")
    # a scalar keeps its `|`, quotes and line break; a list item's `|` becomes `¦`
    assert th1["definition"] == 'A CD4+ T cell; it\'s "Th1" | type-1\nsecond line'
    assert th1["synonyms"] == ("Th1", f"T helper 1 {BAR_REPLACEMENT} type-1", "Lübeck; cell")
    assert nodes["il2kg.drug:hril-2"]["name"] == 'hrIL-2 (People\'s \\ "aldesleukin")'
    assert "synonyms" not in nodes["CL:0000084"], "an empty list is an absent property"
    result_row = nodes["il2kg.result:x.r1"]
    assert result_row["p_value"] == 0.00001 and result_row["responders"] == 12
    assert result_row["met_endpoint"] is True
    assert result_row["quotes"] == ("first; quote", "second 'quote'")
    assert nodes["CLINICALTRIALS:NCT02955615"]["labels"] == ("ClinicalTrial", "Publication")

    by_id = {r["id"]: r for r in rels}
    negated = by_id["il2kg.statement:no-th1"]
    assert negated["negated"] is True and negated["type"] == "REGULATES"
    assert negated["quotes"] == ("but not TH1 or TH2 cells",)
    assert negated["qualifier_direction"] == "unchanged"
    assert by_id["il2kg.statement:down-th1"]["quotes"] == (f'it\'s {BAR_REPLACEMENT} "odd"\nquote',)
    assert by_id["e1"]["negated"] is False and by_id["e1"]["predicate"] == "rdfs:subClassOf"


def test_output_is_byte_stable(tmp_path: Path) -> None:
    graph = tricky_graph()
    first = {p.name: p.read_bytes() for p in _write(graph, tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in _write(graph, tmp_path / "b")}
    assert first == second


def test_import_command_names_every_file_and_the_delimiters() -> None:
    command = import_command(["import/nodes_A.csv"], ["import/relationships_R.csv"], "neo4j")
    assert command.startswith("neo4j-admin database import full neo4j ")
    for part in ('--array-delimiter="|"', "--nodes=import/nodes_A.csv",
                 "--relationships=import/relationships_R.csv", "--multiline-fields=true",
                 "--id-type=string", "--overwrite-destination=true"):  # fmt: skip
        assert part in command


def test_kuzu_loads_the_tricky_csvs(tmp_path: Path) -> None:
    pytest.importorskip("kuzu", reason="pip install kuzu (the test extra)")
    graph = tricky_graph()
    _write(graph, tmp_path / "csv")
    conn = load_admin_csv_into_kuzu(tmp_path / "csv")
    assert kuzu_rows(conn, "MATCH (n:N) RETURN count(n)") == [[len(graph.nodes)]]
    assert kuzu_rows(conn, "MATCH ()-[r:R]->() RETURN count(r)") == [[len(graph.edges)]]
    rows = kuzu_rows(
        conn, "MATCH (a:N)-[r:R]->(b:N) WHERE r.negated RETURN a.id, r.type, b.name, r.quotes"
    )
    assert rows == [["il2kg.drug:hril-2", "REGULATES", "T-helper 1 cell",
                     ["but not TH1 or TH2 cells"]]]  # fmt: skip
    # the multi-line quoted field survived Kuzu's CSV reader
    quote = kuzu_rows(conn, "MATCH ()-[r:R {id: 'il2kg.statement:down-th1'}]->() RETURN r.quotes")
    assert quote == [[[f'it\'s {BAR_REPLACEMENT} "odd"\nquote']]]


def test_real_build_csvs_are_valid_and_load_into_kuzu(
    exports: Path, real_graph: PropertyGraph, exports_kuzu: object
) -> None:
    directory = exports / "neo4j"
    check_admin_csv(directory, real_graph)
    readme = (directory / "README.md").read_text(encoding="utf-8")
    for path in sorted(directory.glob("*.csv")):
        assert f"import/neo4j/{path.name}" in readme, f"{path.name} missing from the command"
    conn = exports_kuzu  # the session build's CSVs, loaded into Kuzu once
    assert kuzu_rows(conn, "MATCH (n:N) RETURN count(n)") == [[len(real_graph.nodes)]]
    assert kuzu_rows(conn, "MATCH ()-[r:R]->() RETURN count(r)") == [[len(real_graph.edges)]]
