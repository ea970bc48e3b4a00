"""graph.graphml: re-read with networkx, typed keys, lists joined with `|`, stable bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
from property_graph_samples import tricky_graph

from kg.export.columns import BAR_REPLACEMENT
from kg.export.graphml import to_networkx, write_graphml

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}


def _write(path: Path) -> Path:
    return write_graphml(tricky_graph(), path)


def test_reread_graph_has_every_node_edge_and_typed_value(tmp_path: Path) -> None:
    graph = tricky_graph()
    g = nx.read_graphml(_write(tmp_path / "g.graphml"), force_multigraph=True)
    assert isinstance(g, nx.MultiDiGraph)
    assert sorted(g.nodes) == sorted(n.id for n in graph.nodes)
    assert sorted(k for _, _, k in g.edges(keys=True)) == sorted(e.id for e in graph.edges)

    th1 = g.nodes["CL:0000545"]
    assert th1["labels"] == "Cell|OntologyClass" and th1["category"] == "Cell"
    assert th1["definition"] == 'A CD4+ T cell; it\'s "Th1" | type-1\nsecond line'
    assert th1["synonyms"].split("|") == ["Th1", f"T helper 1 {BAR_REPLACEMENT} type-1",
                                          "Lübeck; cell"]  # fmt: skip
    assert th1["deprecated"] is False
    assert "synonyms" not in g.nodes["CL:0000084"]  # empty list: no attribute
    result = g.nodes["il2kg.result:x.r1"]
    assert result["p_value"] == 0.00001 and isinstance(result["p_value"], float)
    assert result["responders"] == 12 and isinstance(result["responders"], int)
    assert result["met_endpoint"] is True
    assert result["locators"] == "Table 2|"  # parallel lists keep their empty item

    negated = g.edges["il2kg.drug:hril-2", "CL:0000545", "il2kg.statement:no-th1"]
    assert negated["negated"] is True and negated["type"] == "REGULATES"
    assert negated["predicate"] == "RO:0002211" and negated["quotes"] == "but not TH1 or TH2 cells"
    assert g.edges["CL:0000545", "CL:0000084", "e1"]["negated"] is False


def test_to_networkx_equals_the_reread_file(tmp_path: Path) -> None:
    reread = nx.read_graphml(_write(tmp_path / "g.graphml"), force_multigraph=True)
    built = to_networkx(tricky_graph())
    assert dict(reread.nodes(data=True)) == dict(built.nodes(data=True))
    assert sorted(reread.edges(keys=True, data=True)) == sorted(built.edges(keys=True, data=True))


def test_every_key_has_one_declared_type(tmp_path: Path) -> None:
    root = ET.parse(_write(tmp_path / "g.graphml")).getroot()
    keys = [
        (k.get("for"), k.get("attr.name"), k.get("attr.type")) for k in root.iterfind("g:key", NS)
    ]
    names = [(scope, name) for scope, name, _ in keys]
    assert len(names) == len(set(names)), "an attribute declared with two types"
    types = {(scope, name): kind for scope, name, kind in keys}
    assert types[("node", "p_value")] == "double"
    assert types[("node", "responders")] == "long"
    assert types[("node", "percent")] == "double"
    assert types[("node", "met_endpoint")] == "boolean"
    assert types[("edge", "negated")] == "boolean"
    assert types[("node", "synonyms")] == "string"


def test_output_is_byte_stable(tmp_path: Path) -> None:
    assert (
        _write(tmp_path / "a.graphml").read_bytes() == _write(tmp_path / "b.graphml").read_bytes()
    )


def test_real_build_graphml_matches_the_projection(exports: Path, exports_projection) -> None:
    graph = exports_projection[1]
    g = nx.read_graphml(exports / "graph.graphml", force_multigraph=True)
    assert g.number_of_nodes() == len(graph.nodes)
    assert g.number_of_edges() == len(graph.edges)
    assert {k for _, _, k in g.edges(keys=True)} == {e.id for e in graph.edges}
