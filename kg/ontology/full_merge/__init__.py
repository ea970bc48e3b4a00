"""The full-merge stage: whole source ontologies -> one sorted N-Triples file per ontology.

`kg build --ontology-mode full` runs :func:`merge_full_ontologies` as its own stage, after
validation and before export (the export only writes what this stage produced, see
:mod:`kg.export.full_nquads`); `kg ontologies full-merge` writes the files themselves
(:func:`full_merge_ntriples`). Sources are found as `kg ontologies extract` finds them
(:mod:`kg.ontology.sources.locate`). Each term becomes the same triples as in a
module (:mod:`kg.ontology.triples`: label, definition, synonyms, xrefs,
subClassOf/subPropertyOf, relationships as direct triples, obsoletion), written
as N-Triples strings with no RDF library in the loop (rdflib's `Graph.add` costs
~50 s and 2 GiB for MONDO+GO+CL+HPO+Uberon+ChEBI). Ontologies are converted in
two worker processes (the machine has two cores), largest first; each file is
written to a temporary name and renamed into place.

The loader for the result is pyoxigraph: :func:`load_store` puts each file into
its named graph (`il2kg:graph/ontology/<name>`, as the module graphs are named)
with `Store.load`, about 10 s and 0.7 GiB for the six ontologies above.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.atomic import replace_atomically
from kg.errors import KGError
from kg.ontology.full_merge.obo_lines import obo_nt_lines
from kg.ontology.readers import read_ontology
from kg.ontology.readers.obo import header_of, parse_obo
from kg.ontology.readers.source_bytes import guess_format, read_source
from kg.ontology.serialize import nt_line
from kg.ontology.sources.config import load_config
from kg.ontology.sources.locate import Located, SourceLocator
from kg.ontology.triples import Lit, P, Triple, term_triples

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["FullMerge", "full_merge_ntriples", "load_store", "merge_full_ontologies"]

Say = Callable[[str], None]


@dataclass
class FullMerge:
    """The stage's result: <name>.nt per merged ontology (in a temporary folder) and counts.

    `counts` maps ontology name -> triples, plus "total". The folder is removed by
    :meth:`close` (or when the object is garbage-collected).
    """

    files: dict[str, Path]
    counts: dict[str, int]
    _folder: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def close(self) -> None:
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None


def merge_full_ontologies(
    config_path: Path,
    *,
    sources_dir: Path | None = None,
    cache_dir: Path | None = None,
    only: list[str] | None = None,
    say: Say | None = None,
) -> FullMerge:
    """The full-merge stage: convert every configured ontology (or `only` those).

    Sources come from `sources_dir` or the download cache; a missing one is a KGError
    naming the command that gets it, raised before any conversion starts.
    """
    config = load_config(Path(config_path))
    locator = (
        SourceLocator(config, sources_dir)
        if cache_dir is None
        else SourceLocator(config, sources_dir, cache_dir)
    )
    folder = tempfile.TemporaryDirectory(prefix="kg-full-merge-")
    try:
        counts = full_merge_ntriples(locator, Path(folder.name), only, say=say)
    except BaseException:
        folder.cleanup()
        raise
    files = {name: Path(folder.name) / f"{name}.nt" for name in counts if name != "total"}
    return FullMerge(files, counts, folder)


def full_merge_ntriples(
    locator: SourceLocator, out: Path, only: list[str] | None = None, say: Say | None = None
) -> dict[str, int]:
    """Write out/<name>.nt for each configured ontology (or `only` those); return triple counts.

    The result maps ontology name -> number of triples, plus "total".
    """
    config = locator.config
    names = list(only) if only else list(config.ontologies)
    unknown = [n for n in names if n not in config.ontologies]
    if unknown:
        raise KGError(
            f"unknown ontology name(s) {', '.join(unknown)} "
            f"(configured: {', '.join(config.ontologies)})"
        )
    problems = []
    files: dict[str, list[Located]] = {}
    for name in names:
        try:
            files[name] = locator.locate(name)
        except KGError as exc:
            problems += exc.problems
    if problems:
        raise KGError(problems)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = sorted(names, key=lambda n: -_size(files[n]))
    tell = say or (lambda _msg: None)
    counts: dict[str, int] = {}
    if len(jobs) == 1:
        counts[jobs[0]] = _convert(locator, jobs[0], files[jobs[0]], out)
    else:
        with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            futures = {n: pool.submit(_convert, locator, n, files[n], out) for n in jobs}
            for name, future in futures.items():
                counts[name] = future.result()
                tell(f"{name}: {counts[name]:,} triples")
    result = {name: counts[name] for name in names}
    result["total"] = sum(counts.values())
    return result


def _size(files: list[Located]) -> int:
    return sum(Path(f.location).stat().st_size for f in files if Path(f.location).is_file())


def _convert(locator: SourceLocator, name: str, files: list[Located], out: Path) -> int:
    """One ontology: read its files (first file that states a term wins), write sorted NT."""
    config = locator.config
    source = config.ontologies[name]
    fmt = None if name in config.overrides else source.format
    seen: set[str] = set()
    lines: list[str] = []
    node = f"https://w3id.org/il2-sle-kg/full/{name}"
    header: list[Triple] = [(node, P.TYPE, P.ONTOLOGY), (node, P.LABEL, Lit(f"{name} (full)"))]
    for located in files:
        header.append((node, "http://purl.org/dc/terms/source", Lit(located.written)))
        version = _file_lines(locator, located, fmt, source.lenient, seen, lines)
        if version:
            header.append((node, P.VERSION_INFO, Lit(version)))
    lines += (nt_line(t) for t in header)
    ordered = sorted(set(lines))
    del lines
    replace_atomically(out / f"{name}.nt", lambda fh: fh.writelines(ordered))
    return len(ordered)


def _file_lines(
    locator: SourceLocator,
    located: Located,
    fmt: str | None,
    lenient: bool,
    seen: set[str],
    lines: list[str],
) -> str | None:
    """Append one file's N-Triples lines (terms not in seen); return its version."""
    location = located.location
    if (fmt or guess_format(location)) == "obo":
        src = read_source(location)
        locator.check_cached(located, src.sha256, src.size)
        doc, _ = parse_obo(src, lenient)
        obo_nt_lines(doc, seen, lines)
        return header_of(doc).version
    parsed, src = read_ontology(location, fmt, lenient=lenient)
    locator.check_cached(located, src.sha256, src.size)
    for term_id, term in parsed.terms.items():
        if term_id not in seen:
            seen.add(term_id)
            lines += (nt_line(t) for t in term_triples(term))
    return parsed.header.version


def load_store(nt_files: dict[str, Path]) -> pyoxigraph.Store:
    """An in-memory pyoxigraph Store with each ontology's N-Triples in its named graph."""
    import pyoxigraph as ox

    from kg.namespaces import GRAPH

    store = ox.Store()
    for name, path in sorted(nt_files.items()):
        graph = ox.NamedNode(f"{GRAPH}ontology/{name}")
        store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    return store
