"""Load the built graph (exports/kg.nq) into an in-memory Oxigraph store, named graphs kept.

`kg query`, `kg serve`, the tests and the benchmark all load the graph through
:func:`load_store`, so they all see the same dataset: every named graph of the build,
and a default graph that is their union.

Why the union is materialised rather than asked for with Oxigraph's
`use_default_graph_as_union`: that option unions the graphs as a bag, so a triple
stated in two graphs (SLE's label is in the curation graph and in the MONDO module)
matches twice and COUNT(*) over-counts. An RDF graph is a set; rdflib and Jena, run
on the same queries by tests/test_sparql_differential.py, agree with the set. The
copy costs one more index entry per distinct triple.
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Quad, RdfFormat, Store, parse

from kg.errors import KGError

__all__ = ["GRAPH_FILE", "graph_file", "load_file", "load_store"]

#: The export every query reads: all named graphs as N-Quads.
GRAPH_FILE = "kg.nq"

_FORMATS = {".nq": RdfFormat.N_QUADS, ".nt": RdfFormat.N_TRIPLES, ".ttl": RdfFormat.TURTLE}


def graph_file(exports_dir: Path) -> Path:
    """The N-Quads file of a build, or a KGError telling the user to run `kg build`."""
    path = exports_dir / GRAPH_FILE
    if not exports_dir.is_dir():
        raise KGError.at(str(exports_dir), None, "", "no exports directory: run `kg build` first")
    if not path.is_file():
        raise KGError.at(str(path), None, "", "the graph has not been built: run `kg build` first")
    return path


def load_store(exports_dir: Path) -> Store:
    """An in-memory store holding every named graph of the build in exports_dir."""
    return load_file(graph_file(exports_dir))


def load_file(path: Path, store: Store | None = None) -> Store:
    """An in-memory store of one RDF file (or `store` with the file added): .nq keeps its
    graphs and gets their union as the default graph; .nt/.ttl triples go to the default.

    The file is our own build output (or a full merge made by our tools), so IRIs are
    not re-validated (`lenient`), which makes loading faster.
    """
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        raise KGError.at(str(path), None, "", f"expected one of {', '.join(_FORMATS)} files")
    if not path.is_file():
        raise KGError.at(str(path), None, "", "file not found")
    store = Store() if store is None else store
    try:
        store.bulk_load(path=str(path), format=fmt, lenient=True)
        if fmt == RdfFormat.N_QUADS:
            quads = parse(path=str(path), format=fmt, lenient=True)
            store.bulk_extend(Quad(q.subject, q.predicate, q.object) for q in quads)
    except SyntaxError as exc:
        raise KGError.at(str(path), None, "", f"cannot parse: {exc}") from None
    return store
