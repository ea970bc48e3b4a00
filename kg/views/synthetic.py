"""A synthetic property graph of any size, shaped like the curated one (for benchmarks, tests)."""

from __future__ import annotations

import random

from kg.property_graph.graph import Edge, Node, PropertyGraph, PropertyValue

__all__ = ["synthetic_graph"]

CATEGORIES = ("ClinicalTrial", "TrialArm", "StudyResult", "Publication", "Disease", "Cell",
              "Protein", "Gene", "BiologicalProcess", "ClinicalMeasurement")  # fmt: skip


def synthetic_graph(n_nodes: int, *, edges_per_node: float = 1.5, seed: int = 0) -> PropertyGraph:
    """n_nodes nodes, about edges_per_node * n_nodes edges: a random tree plus random links.

    Deterministic for a given seed; one edge in twenty is a negated statement with evidence.
    """
    rnd = random.Random(seed)
    width = len(str(n_nodes))
    ids = [f"SYN:{i:0{width}d}" for i in range(n_nodes)]
    nodes = tuple(
        Node(
            node_id,
            f"https://example.org/synthetic/{i}",
            f"synthetic {CATEGORIES[i % len(CATEGORIES)].lower()} {i}",
            CATEGORIES[i % len(CATEGORIES)],
            (CATEGORIES[i % len(CATEGORIES)],),
            {"definition": f"Synthetic node number {i}.", "synonyms": (f"S{i}",), "xrefs": ()},
        )
        for i, node_id in enumerate(ids)
    )
    pairs = [(ids[i], ids[rnd.randrange(i)]) for i in range(1, n_nodes)]
    extra = int(n_nodes * max(edges_per_node - 1, 0))
    pairs += [(ids[rnd.randrange(n_nodes)], ids[rnd.randrange(n_nodes)]) for _ in range(extra)]
    edges = []
    for k, (source, target) in enumerate(pairs):
        if source == target:
            continue
        negated = k % 20 == 0
        props: dict[str, PropertyValue] = {}
        if negated or k % 7 == 0:
            props = {"sources": ("SYN:pub",), "eco_codes": ("ECO:0007121",),
                     "quotes": (f"quote {k}",), "locators": ("abstract",),
                     "status": "verified", "statement": f"SYN:statement/{k}"}  # fmt: skip
        edges.append(Edge(f"SYN:e{k}", source, target, "RELATED_TO", "RO:0002610",
                          "related to", negated, props))  # fmt: skip
    return PropertyGraph(nodes, tuple(sorted(edges, key=lambda e: e.id)))
