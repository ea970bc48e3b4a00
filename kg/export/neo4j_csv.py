"""Neo4j `neo4j-admin database import full` CSV files, from the one property-graph projection.

One node file per category (`nodes_<Category>.csv`) and one relationship file per type
(`relationships_<TYPE>.csv`), each with a typed header: `id:ID`, `:LABEL`, `synonyms:string[]`,
`negated:boolean`, `p_value:double`, `enrolment:long`, `:START_ID`, `:END_ID`, `:TYPE`. Lists
(and multiple labels) are joined with `|`, the `--array-delimiter` of the import command that
:func:`import_command` prints. Rows keep the projection's sorted order, so files are stable.
"""

from __future__ import annotations

import csv
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.export.columns import ARRAY_DELIMITER, ColumnType, column_types, join_list, text
from kg.property_graph.graph import Edge, Node, PropertyGraph, PropertyValue

__all__ = [
    "NODE_COLUMNS",
    "RELATIONSHIP_COLUMNS",
    "Table",
    "import_command",
    "node_tables",
    "relationship_tables",
    "safe_key",
    "write_tables",
]

#: fixed leading columns (header, what they hold)
NODE_COLUMNS = ("id:ID", ":LABEL", "iri", "name", "category")
RELATIONSHIP_COLUMNS = (":START_ID", ":END_ID", ":TYPE", "id", "predicate", "label",
                        "negated:boolean")  # fmt: skip
#: property keys already written by the fixed columns
_NODE_FIXED = {"id", "iri", "name", "category", "labels"}
_REL_FIXED = {"id", "predicate", "label", "negated"}
_SUFFIX: dict[ColumnType, str] = {
    "string": "",
    "string[]": ":string[]",
    "boolean": ":boolean",
    "long": ":long",
    "double": ":double",
}


@dataclass(frozen=True)
class Table:
    """One CSV file: its name (relative to the neo4j/ folder), header and rows of cells."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=4096)
def safe_key(key: str) -> str:
    """A property key usable in a CSV header and unquoted in Cypher."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", key)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"p_{cleaned}"


def _cell(value: PropertyValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return join_list(value)
    return text(value)


def _by_category(nodes: Iterable[Node]) -> dict[str, list[Node]]:
    groups: dict[str, list[Node]] = {}
    for node in nodes:
        groups.setdefault(node.category, []).append(node)
    return dict(sorted(groups.items()))


def _by_type(edges: Iterable[Edge]) -> dict[str, list[Edge]]:
    groups: dict[str, list[Edge]] = {}
    for edge in edges:
        groups.setdefault(edge.type, []).append(edge)
    return dict(sorted(groups.items()))


def node_tables(graph: PropertyGraph) -> list[Table]:
    """One table per node category, columns: fixed ones, then typed properties sorted by key."""
    tables = []
    for category, nodes in _by_category(graph.nodes).items():
        types = column_types(n.properties for n in nodes)
        types = {k: t for k, t in types.items() if k not in _NODE_FIXED}
        header = NODE_COLUMNS + tuple(f"{safe_key(k)}{_SUFFIX[t]}" for k, t in types.items())
        rows = tuple(_node_row(n, types) for n in nodes)
        tables.append(Table(f"nodes_{category}.csv", header, rows))
    return tables


def _node_row(node: Node, types: dict[str, ColumnType]) -> tuple[str, ...]:
    fixed = (node.id, ARRAY_DELIMITER.join(node.labels), node.iri, node.name, node.category)
    return (*fixed, *_cells(node.properties, types))


def relationship_tables(graph: PropertyGraph) -> list[Table]:
    """One table per relationship type, columns: fixed ones, then typed properties."""
    tables = []
    for rel_type, edges in _by_type(graph.edges).items():
        types = column_types(e.properties for e in edges)
        types = {k: t for k, t in types.items() if k not in _REL_FIXED}
        header = RELATIONSHIP_COLUMNS + tuple(
            f"{safe_key(k)}{_SUFFIX[t]}" for k, t in types.items()
        )
        rows = tuple(_edge_row(e, types) for e in edges)
        tables.append(Table(f"relationships_{rel_type}.csv", header, rows))
    return tables


def _edge_row(edge: Edge, types: dict[str, ColumnType]) -> tuple[str, ...]:
    fixed = (edge.source, edge.target, edge.type, edge.id, edge.predicate, edge.label,
             text(edge.negated))  # fmt: skip
    return (*fixed, *_cells(edge.properties, types))


def _cells(properties: dict[str, PropertyValue], types: dict[str, ColumnType]) -> list[str]:
    get = properties.get
    return [v if type(v) is str else _cell(v) for v in [get(k) for k in types]]


def write_tables(tables: Iterable[Table], directory: Path) -> list[Path]:
    """Write each table as RFC 4180 CSV (UTF-8, `"`-quoted where needed, LF line ends)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in tables:
        path = directory / table.name
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(table.header)
            for row in table.rows:
                if "\r" in "".join(row):
                    fh.write(_quoted_line(row))
                else:
                    writer.writerow(row)
        paths.append(path)
    return paths


def _quoted_line(row: Sequence[str]) -> str:
    """One RFC 4180 line, quoting every cell that holds `,`, `"`, CR or LF.

    The csv module quotes a cell only for the characters of its line terminator (LF here),
    so a lone CR would be written bare and split the row when read back.
    """
    cells = ['"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c for c in row]
    return ",".join(cells) + "\n"


def import_command(
    node_files: Sequence[str], relationship_files: Sequence[str], database: str = "neo4j"
) -> str:
    """The Neo4j 5 `neo4j-admin database import full` command for these files (one per line)."""
    args = [
        f"neo4j-admin database import full {shlex.quote(database)}",
        "--overwrite-destination=true",
        '--delimiter=","',
        f'--array-delimiter="{ARRAY_DELIMITER}"',
        "--quote='\"'",
        "--multiline-fields=true",
        "--id-type=string",
        *(f"--nodes={shlex.quote(f)}" for f in node_files),
        *(f"--relationships={shlex.quote(f)}" for f in relationship_files),
    ]
    return " \\\n  ".join(args)
