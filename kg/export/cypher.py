"""Cypher for Neo4j 5, from the one property-graph projection: schema DDL and idempotent MERGEs.

Two files under `neo4j/`:
- `schema.cypher`: a uniqueness constraint on `id` for every node label, an index on `name`
  and a relationship index on `id` per type (Neo4j 5 DDL, `IF NOT EXISTS`). Kept apart from
  the data because other engines (FalkorDB, Memgraph) reject Neo4j 5 DDL.
- `load.cypher`: `UNWIND [...] AS row MERGE ... SET ...` in batches with the rows written
  inline, for cypher-shell. Nodes MERGE on (category label, id) and relationships on their
  `id` between their two end nodes; `SET n = row` / `SET r = row.props` replaces every
  property, so running
  the file twice leaves the database as after one run.

The same queries (with `$rows`) are what the Bolt loader (kg/neo4j_load.py) sends.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.export.neo4j_csv import safe_key
from kg.property_graph.graph import Edge, Node, PropertyGraph, PropertyValue

__all__ = [
    "Batch",
    "batches",
    "cypher_literal",
    "cypher_name",
    "node_props",
    "read_statements",
    "relationship_props",
    "schema_statements",
    "write_cypher",
]

Row = dict[str, Any]
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: characters a Cypher string literal must escape: backslash, quote, control characters
_NEEDS_ESCAPE = re.compile(r"[\\'\x00-\x1f\x7f]")
_ESCAPES = str.maketrans(
    {chr(c): f"\\u{c:04x}" for c in [*range(0x20), 0x7F]}
    | {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t",
       "\b": "\\b", "\f": "\\f"}
)  # fmt: skip


@dataclass(frozen=True)
class Batch:
    """One write: a query over `$rows`, the rows, and what it writes (for progress and tests)."""

    kind: str  # "nodes" or "relationships"
    what: str  # label(s) or relationship type with its end labels
    query: str
    rows: tuple[Row, ...]

    def inline(self) -> str:
        """The statement with its rows written in place of `$rows` (for cypher-shell)."""
        lines = ",\n".join([f"  {_map_literal(r)}" for r in self.rows])
        return self.query.replace("UNWIND $rows AS row", f"UNWIND [\n{lines}\n] AS row", 1) + ";"


@lru_cache(maxsize=4096)
def cypher_name(identifier: str) -> str:
    """A label, type or key as Cypher: bare when it is a plain identifier, else backticked."""
    if _IDENT.fullmatch(identifier):
        return identifier
    return "`" + identifier.replace("`", "``") + "`"


def cypher_literal(value: object) -> str:
    """A Python value (str, bool, int, float, None, list/tuple, dict) as a Cypher literal."""
    if isinstance(value, str):
        if _NEEDS_ESCAPE.search(value) is None:
            return f"'{value}'"
        return "'" + value.translate(_ESCAPES) + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"Cypher has no literal for {value!r}")
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "[" + ", ".join([cypher_literal(v) for v in value]) + "]"
    if isinstance(value, dict):
        items = [f"{cypher_name(str(k))}: {cypher_literal(v)}" for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _map_literal(row: Row) -> str:
    """cypher_literal of a map, with the common cases (text, lists of text, nested maps)
    written inline: load.cypher renders about ten values per row, a million rows on the
    full-merge graph."""
    search, table = _NEEDS_ESCAPE.search, _ESCAPES
    parts = []
    for key, value in row.items():
        kind = type(value)
        if kind is str:
            lit = f"'{value}'" if search(value) is None else "'" + value.translate(table) + "'"
        elif kind is dict:
            lit = _map_literal(value)
        elif kind is list and all(type(v) is str for v in value):
            lit = "[" + ", ".join(
                [f"'{v}'" if search(v) is None else "'" + v.translate(table) + "'" for v in value]
            ) + "]"  # fmt: skip
        else:
            lit = cypher_literal(value)
        parts.append(f"{cypher_name(key)}: {lit}")
    return "{" + ", ".join(parts) + "}"


def _props(fixed: dict[str, PropertyValue], properties: dict[str, PropertyValue]) -> Row:
    out: Row = dict(fixed)
    for key, value in properties.items():
        k = safe_key(key)
        if k in out or value == ():
            continue  # fixed fields win; empty lists are left out (no property)
        out[k] = list(value) if isinstance(value, tuple) else value
    return out


def node_props(node: Node) -> Row:
    """The properties a node gets: id, iri, name, category and its non-empty properties."""
    fixed: dict[str, PropertyValue] = {
        "id": node.id, "iri": node.iri, "name": node.name, "category": node.category,
    }  # fmt: skip
    return _props(fixed, node.properties)


def relationship_props(edge: Edge) -> Row:
    """The properties a relationship gets: id, predicate, label, negated and the rest."""
    fixed: dict[str, PropertyValue] = {
        "id": edge.id, "predicate": edge.predicate, "label": edge.label, "negated": edge.negated,
    }  # fmt: skip
    return _props(fixed, edge.properties)


def schema_statements(graph: PropertyGraph) -> list[str]:
    """Neo4j 5 constraints and indexes: unique id and name index per label, id per rel type."""
    out = []
    for label in graph.node_labels:
        node = f"(n:{cypher_name(label)})"
        out.append(
            f"CREATE CONSTRAINT {cypher_name(f'{label}_id_unique')} IF NOT EXISTS "
            f"FOR {node} REQUIRE n.id IS UNIQUE"
        )
        out.append(
            f"CREATE INDEX {cypher_name(f'{label}_name')} IF NOT EXISTS FOR {node} ON (n.name)"
        )
    for rel_type in graph.edge_types:
        out.append(
            f"CREATE INDEX {cypher_name(f'{rel_type}_id')} IF NOT EXISTS "
            f"FOR ()-[r:{cypher_name(rel_type)}]-() ON (r.id)"
        )
    return out


def node_query(category: str, labels: Sequence[str]) -> str:
    """MERGE nodes of one label set on (category, id), replacing their properties."""
    extra = "".join(f"\nSET n:{cypher_name(label)}" for label in labels if label != category)
    merge = f"MERGE (n:{cypher_name(category)} {{id: row.id}})"
    return f"UNWIND $rows AS row\n{merge}\nSET n = row{extra}"


def relationship_query(rel_type: str, source_category: str, target_category: str) -> str:
    """MERGE relationships of one type between two categories on their id."""
    return (
        "UNWIND $rows AS row\n"
        f"MATCH (a:{cypher_name(source_category)} {{id: row.source}})\n"
        f"MATCH (b:{cypher_name(target_category)} {{id: row.target}})\n"
        f"MERGE (a)-[r:{cypher_name(rel_type)} {{id: row.id}}]->(b)\n"
        "SET r = row.props"
    )


def batches(graph: PropertyGraph, batch_size: int = 500) -> Iterator[Batch]:
    """Every node batch (grouped by label set), then every relationship batch, in a fixed order."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    node_groups: dict[tuple[str, tuple[str, ...]], list[Row]] = {}
    for n in graph.nodes:
        key = (n.category, n.labels)
        node_groups.setdefault(key, []).append(node_props(n))  # the row is the properties
    for (category, labels), rows in sorted(node_groups.items()):
        query = node_query(category, labels)
        for chunk in _chunks(rows, batch_size):
            yield Batch("nodes", ":".join(labels), query, chunk)
    category = {n.id: n.category for n in graph.nodes}
    rel_groups: dict[tuple[str, str, str], list[Row]] = {}
    for e in graph.edges:
        key = (e.type, category[e.source], category[e.target])
        row = {"id": e.id, "source": e.source, "target": e.target, "props": relationship_props(e)}
        rel_groups.setdefault(key, []).append(row)
    for (rel_type, source, target), rows in sorted(rel_groups.items()):
        query = relationship_query(rel_type, source, target)
        for chunk in _chunks(rows, batch_size):
            yield Batch("relationships", f"(:{source})-[:{rel_type}]->(:{target})", query, chunk)


def _chunks(rows: list[Row], size: int) -> Iterator[tuple[Row, ...]]:
    for start in range(0, len(rows), size):
        yield tuple(rows[start : start + size])


SCHEMA_HEADER = """\
// Constraints and indexes (Neo4j 5 syntax) for the IL-2/SLE knowledge graph.
// Run before load.cypher:  cypher-shell -u neo4j -f schema.cypher
// Generated from the property-graph projection; see docs/property-graph.md.
"""

LOAD_HEADER = """\
// Data of the IL-2/SLE knowledge graph: {nodes} nodes, {relationships} relationships,
// in batches of at most {batch_size} rows. Run after schema.cypher:
//   cypher-shell -u neo4j -f load.cypher
// Nodes MERGE on (category label, id), relationships on their id; every property is
// replaced (SET n = row, SET r = row.props), so running the file again changes nothing.
"""


def write_cypher(graph: PropertyGraph, directory: Path, batch_size: int = 500) -> list[Path]:
    """Write schema.cypher and load.cypher into directory; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    schema = directory / "schema.cypher"
    schema.write_text(
        SCHEMA_HEADER + "".join(f"{s};\n" for s in schema_statements(graph)), encoding="utf-8"
    )
    load = directory / "load.cypher"
    header = LOAD_HEADER.format(
        nodes=len(graph.nodes), relationships=len(graph.edges), batch_size=batch_size
    )
    with load.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(header)
        for batch in batches(graph, batch_size):
            fh.write(f"\n// {batch.kind}: {batch.what} ({len(batch.rows)})\n")
            fh.write(batch.inline())
            fh.write("\n")
    return [schema, load]


def read_statements(path: Path) -> list[str]:
    """The statements of a file written by :func:`write_cypher`, without comments or `;`.

    Every statement ends with a line ending in `;`; string literals never hold a raw line
    break (they are escaped), and row lines end with `}` or `},`, so the split is exact.
    """
    statements: list[str] = []
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("//")):
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            statements.append("\n".join(current).rstrip()[:-1])
            current = []
    if current:
        raise ValueError(f"{path}: unterminated statement at the end of the file")
    return statements
