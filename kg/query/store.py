"""The built graph as an Oxigraph store: on disk for `kg query` and `kg serve`, or in memory.

`kg build` writes `kg.nq` (and, in full mode, `full/kg-full.nq`); it does not write a
database, so the build stays fast and its outputs stay byte-identical. The first
`kg query` or `kg serve` after a build loads the file once into an on-disk store under
`EXPORTS/.store/`, named after the file's SHA-256 as `manifest.json` records it, and
every later call opens that store read-only in milliseconds instead of parsing the
file again (seconds for the full merge). `kg serve` hands the same directory to
Oxigraph's own server (`oxigraph serve-read-only`), which reads the format
pyoxigraph writes when both come from the same release series (pinned together in
pyproject.toml). Only the newest few stores are kept.

Why the union of the named graphs is materialised as the default graph rather than
asked for with Oxigraph's `use_default_graph_as_union` / `--union-default-graph`: that
option unions the graphs as a bag, so a triple stated in two graphs (SLE's label is in
the curation graph and in the MONDO module) matches twice and COUNT(*) over-counts. An
RDF graph is a set; rdflib and Jena, run on the same queries by
tests/test_sparql_differential.py, agree with the set. The copy costs one more index
entry per distinct triple.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pyoxigraph
from pyoxigraph import Quad, RdfFormat, Store, parse

from kg.errors import KGError, display_path

__all__ = [
    "FULL_GRAPH_FILE",
    "GRAPH_FILE",
    "STORE_DIR",
    "graph_file",
    "load_file",
    "load_store",
    "open_store",
    "store_location",
]

#: The export every query reads: all named graphs as N-Quads.
GRAPH_FILE = "kg.nq"
#: The full merge (`kg build --ontology-mode full`), relative to the exports folder.
FULL_GRAPH_FILE = "full/kg-full.nq"
#: Where the on-disk stores live, inside the exports folder (git ignores exports/).
STORE_DIR = ".store"
#: Stores kept per graph file: the newest, and older ones a running server may still read.
KEEP_STORES = 3

_FORMATS = {".nq": RdfFormat.N_QUADS, ".nt": RdfFormat.N_TRIPLES, ".ttl": RdfFormat.TURTLE}
#: the store format follows pyoxigraph's release series (0.5.x), not its patch level
_SERIES = ".".join(pyoxigraph.__version__.split(".")[:2])


def graph_file(exports_dir: Path, full: bool = False) -> Path:
    """The N-Quads file of a build, or a KGError naming the folder looked in and what to do.

    Raises KGError if exports_dir or the file in it does not exist.
    """
    name = FULL_GRAPH_FILE if full else GRAPH_FILE
    path = exports_dir / name
    shown = display_path(exports_dir)
    if not exports_dir.is_dir():
        raise KGError.at(
            shown,
            None,
            "",
            f"no exports folder (looked for {display_path(path)}): run `kg build` first, "
            "or point --exports at the folder a build wrote",
        )
    if not path.is_file():
        how = "kg build --ontology-mode full" if full else "kg build"
        raise KGError.at(
            display_path(path),
            None,
            "",
            f"no built graph in {shown}/: run `{how}` first, or point --exports at the "
            "folder a build wrote",
        )
    return path


def load_store(exports_dir: Path, full: bool = False) -> Store:
    """An in-memory store holding every named graph of the build in exports_dir."""
    return load_file(graph_file(exports_dir, full))


def load_file(path: Path, store: Store | None = None) -> Store:
    """An in-memory store of one RDF file (or `store` with the file added): .nq keeps its
    graphs and gets their union as the default graph; .nt/.ttl triples go to the default.

    The file is our own build output (or a full merge made by our tools), so IRIs are
    not re-validated (`lenient`), which makes loading faster. Raises KGError for an
    unknown suffix, a missing file or a file that does not parse.
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


def open_store(exports_dir: Path, full: bool = False) -> Store:
    """The build's graph as a read-only store: the on-disk one (made on first use), or,
    where exports_dir cannot be written, an in-memory copy loaded from the file."""
    path = graph_file(exports_dir, full)
    try:
        location = store_location(exports_dir, full)
    except KGError:
        return load_file(path)
    try:
        return Store.read_only(str(location))
    except OSError as exc:
        raise KGError.at(display_path(location), None, "", f"cannot open: {exc}") from None


def store_location(exports_dir: Path, full: bool = False) -> Path:
    """The on-disk store of the build's graph, created from the graph file if not there yet.

    Its name holds the file's SHA-256 (from manifest.json, else computed), so a new build
    gets a new store and a store always matches the file it was made from. It is written
    into a temporary folder and renamed into place, so a half-made store is never opened
    and two processes that make it at once do not clash. Raises KGError if exports_dir
    has no built graph or the store cannot be written there.
    """
    path = graph_file(exports_dir, full)
    root = exports_dir / STORE_DIR
    kind = "kg-full" if full else "kg"
    location = root / f"{kind}-{_SERIES}-{_file_hash(exports_dir, path)[:16]}"
    if location.is_dir():
        return location
    try:
        root.mkdir(exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{location.name}-", dir=root))
    except OSError as exc:
        raise KGError.at(
            display_path(root), None, "", f"cannot create the query store: {exc.strerror}"
        ) from None
    try:
        store = Store(str(work))
        load_file(path, store)
        store.flush()
        store.optimize()
        del store
        gc.collect()  # the store closes its files when it is freed
        os.rename(work, location)
    except FileExistsError:
        pass  # another process made it first
    except OSError as exc:
        if not location.is_dir():
            raise KGError.at(
                display_path(root), None, "", f"cannot create the query store: {exc}"
            ) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _prune(root, kind, location)
    return location


def _file_hash(exports_dir: Path, path: Path) -> str:
    """The SHA-256 manifest.json records for path, or the file's own."""
    rel = path.relative_to(exports_dir).as_posix()
    with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
        manifest = json.loads((exports_dir / "manifest.json").read_text("utf-8"))
        recorded = manifest["outputs"].get(rel)
        if isinstance(recorded, str) and len(recorded) == 64:
            return recorded
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _prune(root: Path, kind: str, current: Path) -> None:
    """Remove all but the KEEP_STORES newest stores of this kind (current is always kept)."""
    name = re.compile(rf"{re.escape(kind)}-\d+\.\d+-[0-9a-f]{{16}}")
    stores = [p for p in root.iterdir() if p != current and name.fullmatch(p.name) and p.is_dir()]
    stores.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[KEEP_STORES - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
