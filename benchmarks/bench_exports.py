"""Time and peak memory of the property-graph exports (Neo4j bundle, GraphML, KGX) on the
full-merge graph: MONDO + GO + CL + HPO + Uberon + ChEBI, about 1.6 M triples.

Stages, each timed on its own: full-merge N-Triples (kg.ontology.full_merge, or --nt-dir),
load into an rdflib Dataset (one named graph per ontology, as the build does), the one
projection (kg.property_graph.projection), then each sink writing into a temporary folder. Peak
RSS is read after every stage (ru_maxrss, so it only grows). Target: every export together
<= 30 s (exit code 1 if missed). --synthetic N skips the ontologies and exports a random
graph of N nodes instead.

Usage (from the repository root):
    .venv/bin/python benchmarks/bench_exports.py [--only mondo,go,cl,hp,uberon,chebi]
        [--nt-dir DIR] [--sinks neo4j,graphml,kgx] [--synthetic 300000]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from kg.export.base import BuildContext
from kg.export.formats import sinks
from kg.ontology.sources.locate import SourceLocator
from kg.property_graph.graph import Edge, Node, PropertyGraph

REPO = Path(__file__).resolve().parents[1]
SIX = "mondo,go,cl,hp,uberon,chebi"
TARGET_S = 30.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_CPU_AT_START: dict[float, float] = {}


def clock() -> float:
    """perf_counter now, remembering the process CPU time at that moment (see stage)."""
    now = time.perf_counter()
    _CPU_AT_START[now] = time.process_time()
    return now


def stage(name: str, started: float, extra: str = "") -> float:
    """Print wall and CPU seconds since `started` (from clock()) and peak RSS; return wall."""
    wall = time.perf_counter() - started
    cpu = time.process_time() - _CPU_AT_START.pop(started, time.process_time())
    print(f"{name:<24} {wall:7.1f} s wall {cpu:7.1f} s CPU   peak RSS {peak_mib():6.0f} MiB"
          f"   {extra}", flush=True)  # fmt: skip
    return wall


def _locator() -> SourceLocator:
    """ontologies/sources.yaml, its files from $KG_ONTOLOGY_SOURCES_DIR or the download cache."""
    from kg.ontology.sources.config import load_config

    folder = os.environ.get("KG_ONTOLOGY_SOURCES_DIR")
    config = load_config(REPO / "ontologies" / "sources.yaml")
    return SourceLocator(config, Path(folder) if folder else None)


def full_merge_projection(only: list[str], nt_dir: Path | None) -> PropertyGraph:
    from rdflib import Dataset

    from kg.ontology.full_merge import full_merge_ntriples
    from kg.property_graph.projection import project
    from kg.rdf.model import module_graph

    if nt_dir is None:
        nt_dir = Path(tempfile.mkdtemp(prefix="bench-fullmerge-"))
        t = clock()
        counts = full_merge_ntriples(_locator(), nt_dir, only)
        stage("full-merge N-Triples", t, f"{counts['total']:,} triples")
    t = clock()
    ds = Dataset()
    for name in only:
        ds.graph(module_graph(name)).parse(nt_dir / f"{name}.nt", format="nt")
    stage("rdflib Dataset.parse", t, f"{sum(len(g) for g in ds.graphs()):,} quads")
    t = clock()
    graph = project(ds)
    stage("projection", t, f"{len(graph.nodes):,} nodes, {len(graph.edges):,} edges")
    return graph


def synthetic(n: int, seed: int = 7) -> PropertyGraph:
    rng = random.Random(seed)
    nodes = [
        Node(f"X:{i:07d}", f"http://example.org/X_{i:07d}", f"term {i}", "Disease",
             ("Disease", "OntologyClass"),
             {"definition": f"definition of term {i} | with a bar", "synonyms":
              tuple(f"syn {i} {k}" for k in range(rng.randrange(4))), "xrefs": ()})
        for i in range(n)
    ]  # fmt: skip
    edges = [
        Edge(f"e{i}", f"X:{i:07d}", f"X:{rng.randrange(i):07d}", "SUBCLASS_OF",
             "rdfs:subClassOf", "subclass of")
        for i in range(1, n)
    ]  # fmt: skip
    return PropertyGraph(tuple(nodes), tuple(edges))


class _Context:
    """Just the projection: what the property-graph sinks read from a BuildContext."""

    def __init__(self, graph: PropertyGraph) -> None:
        self.projection = graph


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=SIX, help="Ontologies to merge (comma-separated).")
    parser.add_argument("--nt-dir", type=Path, help="Reuse <name>.nt files from this folder.")
    parser.add_argument("--sinks", default="neo4j,graphml,kgx")
    parser.add_argument("--synthetic", type=int, help="Export a random graph of N nodes.")
    args = parser.parse_args()

    if args.synthetic:
        t = clock()
        graph = synthetic(args.synthetic)
        stage("synthetic graph", t, f"{len(graph.nodes):,} nodes, {len(graph.edges):,} edges")
    else:
        graph = full_merge_projection(args.only.split(","), args.nt_dir)
    ctx: BuildContext = _Context(graph)  # type: ignore[assignment]
    total = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        for name in args.sinks.split(","):
            t = clock()
            files = sinks()[name]().write(ctx, Path(tmp))
            size = sum(f.stat().st_size for f in files) / 2**20
            total += stage(f"export {name}", t, f"{len(files)} files, {size:,.0f} MiB")
    verdict = "ok" if total <= TARGET_S else "MISSED"
    print(f"{'exports together':<24} {total:7.1f} s wall   target <= {TARGET_S:.0f} s: {verdict}")
    return 0 if total <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
