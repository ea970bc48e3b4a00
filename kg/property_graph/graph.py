"""The property-graph model: nodes with labels and properties, typed edges with properties."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Edge", "Node", "PropertyGraph", "PropertyValue"]

PropertyValue = str | int | float | bool | tuple[str, ...]


@dataclass(frozen=True)
class Node:
    """A node: `id` is a CURIE (or the IRI where no prefix has it); `labels` are Biolink names."""

    id: str
    iri: str
    name: str
    category: str
    labels: tuple[str, ...]
    properties: dict[str, PropertyValue] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Edge:
    """An edge: `type` is the predicate label in UPPER_SNAKE_CASE, `predicate` its CURIE."""

    id: str
    source: str
    target: str
    type: str
    predicate: str
    label: str
    negated: bool = False
    properties: dict[str, PropertyValue] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class PropertyGraph:
    """Nodes and edges in a fixed (sorted) order, so every export is deterministic."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node | None:
        """The node with this id, or None."""
        return self._index().get(node_id)

    def _index(self) -> dict[str, Node]:
        cached = self.__dict__.get("_node_index")
        if cached is None:
            cached = {n.id: n for n in self.nodes}
            object.__setattr__(self, "_node_index", cached)
        return cached

    @property
    def node_labels(self) -> tuple[str, ...]:
        return tuple(sorted({label for n in self.nodes for label in n.labels}))

    @property
    def edge_types(self) -> tuple[str, ...]:
        return tuple(sorted({e.type for e in self.edges}))
