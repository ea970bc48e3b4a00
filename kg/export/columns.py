"""Typed property columns of the projection, shared by the Neo4j CSV, GraphML and KGX sinks.

The projection gives every property key one value type (see kg/property_graph/projection.py); this
module names that type for the typed formats and joins lists for the flat ones. Lists are
joined with `|` (Neo4j's `--array-delimiter`, KGX's multivalue separator, and our GraphML
convention, since GraphML has no list type). A `|` inside a list item would split it, so it
is replaced by `¦` (U+00A6 BROKEN BAR) in list items; scalar strings keep their `|` in the
typed formats (Neo4j CSV, GraphML), while KGX, whose reader splits every column, writes every
value as a list item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from kg.property_graph.graph import PropertyValue

__all__ = [
    "ARRAY_DELIMITER",
    "BAR_REPLACEMENT",
    "ColumnType",
    "column_types",
    "join_list",
    "list_item",
    "text",
]

ARRAY_DELIMITER = "|"
BAR_REPLACEMENT = "\u00a6"

ColumnType = Literal["string", "string[]", "boolean", "long", "double"]


def column_types(rows: Iterable[Mapping[str, PropertyValue]]) -> dict[str, ColumnType]:
    """Property key -> column type over rows (keys sorted); mixed types widen."""
    seen: dict[str, set[type]] = {}
    for row in rows:
        for key, value in row.items():
            seen.setdefault(key, set()).add(type(value))
    return {key: _widen(kinds) for key, kinds in sorted(seen.items())}


def _widen(kinds: set[type]) -> ColumnType:
    if tuple in kinds:
        return "string[]"
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    return "string"


def list_item(value: object) -> str:
    """One list item as text, with the array delimiter replaced so it cannot split the item."""
    return text(value).replace(ARRAY_DELIMITER, BAR_REPLACEMENT)


def join_list(values: Iterable[object]) -> str:
    """Items joined with `|` (each item made safe with :func:`list_item`)."""
    items = [v if isinstance(v, str) else text(v) for v in values]
    joined = ARRAY_DELIMITER.join(items)
    if items and joined.count(ARRAY_DELIMITER) != len(items) - 1:  # an item holds a `|`
        joined = ARRAY_DELIMITER.join(i.replace(ARRAY_DELIMITER, BAR_REPLACEMENT) for i in items)
    return joined


def text(value: object) -> str:
    """A scalar as text: booleans as true/false, floats in shortest round-trip form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
