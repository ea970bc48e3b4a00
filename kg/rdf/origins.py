"""Where each node and triple of the built graph came from, recorded as the builder mints it.

The RDF builder notes, for every node it mints or names, the curated record it stands for
(record id) and the path of the item inside that record (``('arms', 0, 'doses', 0)``), and
for every triple it writes from a field, that field's path (``(..., 'unit')``). Validation
turns a finding about a node (a SHACL focus node and result path) into a file, line and field
through these origins and the loader's line index: it never re-reads the YAML or parses an
IRI back into a path, so the IRI scheme can change without touching validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib.term import Node

__all__ = ["Origin", "Origins", "Path"]

#: a path inside a curated record: keys and list indexes, ('results', 2, 'p_value')
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Origin:
    """A curated record (by id) and a path inside it."""

    record: str
    path: Path = ()


@dataclass
class Origins:
    """node -> origin, and (node, predicate) -> origin of the field the triple came from.

    The first origin recorded wins: a node named by several records (an entity that
    statements also point at) keeps the record that defines it, which the builder visits
    first.
    """

    nodes: dict[Node, Origin] = field(default_factory=dict)
    fields: dict[tuple[Node, Node], Origin] = field(default_factory=dict)

    def node(self, node: Node, record: str, path: Path = ()) -> Node:
        """Record where node came from; return node (so minting reads `o.node(iri(...), ...)`)."""
        if node not in self.nodes:
            self.nodes[node] = Origin(record, path)
        return node

    def field(self, node: Node, predicate: Node, record: str, path: Path) -> None:
        """Record that the triples (node, predicate, *) were written from the field at path."""
        key = (node, predicate)
        if key not in self.fields:
            self.fields[key] = Origin(record, path)

    def of(self, node: Node, predicate: Node | None = None) -> Origin | None:
        """The origin of the field (node, predicate), else of node itself, else None."""
        if predicate is not None:
            found = self.fields.get((node, predicate))
            if found is not None:
                return found
        return self.nodes.get(node)
