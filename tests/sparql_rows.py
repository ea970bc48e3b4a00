"""SELECT rows from a pyoxigraph store as plain dicts, for tests that compare exports with
the graph's own answers (results page, tables)."""

from __future__ import annotations

import pyoxigraph

from kg.query.catalog import with_prefixes


def select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    """SELECT over the union of the named graphs, with the project's prefixes (as `kg query`
    adds them); each row maps variable -> lexical value."""
    result = store.query(with_prefixes(query), use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]
