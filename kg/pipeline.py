"""The one module that sequences the build's stages, each once, in one direction.

    load        data/*.yaml -> LoadedCuration (records + line index), ontologies/ -> Modules
    build RDF   -> BuiltGraph (Dataset + the origin of every minted node and field)
    validate    -> ValidationReport (findings located through the recorded origins)
    project     -> PropertyGraph (the one projection every property-graph sink reads)
    export      -> files, through the sink table (kg.export.formats.SINKS), published together
                   (`build` writes the property-graph sinks in a forked worker, kg.forked,
                   started right after the RDF build so it overlaps validation; a helper
                   forked at its start imports statsmodels for their intervals meanwhile)

Every input file is read once per build. Lower floors (kg.curation, kg.ontology, kg.rdf,
kg.property_graph, kg.views, kg.export) never import this module.
"""

from __future__ import annotations

import gc
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset

from kg import __version__
from kg.curation.load import LoadedCuration, load_curation
from kg.errors import KGError, display_path
from kg.export.base import MANIFEST, BuildContext, publish, staging
from kg.export.formats import SINKS, intervals_helper
from kg.forked import Forked
from kg.ontology.modules import Module, iter_modules
from kg.property_graph.graph import PropertyGraph
from kg.rdf.build import BuiltGraph, build_graph
from kg.rdf.findings import Finding, ValidationReport
from kg.rdf.validate import check_warn, validate

if TYPE_CHECKING:
    from kg.views.select import View

__all__ = [
    "Assembled",
    "BuildReport",
    "Sources",
    "assemble",
    "build",
    "load",
    "project_sources",
    "validate_sources",
    "view_neighbourhood",
]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote and how big the graph is."""

    outputs: list[Path]
    counts: dict[str, int]
    warnings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Sources:
    """Stage 1: the curated records with their line index, and the parsed ontology modules."""

    loaded: LoadedCuration
    modules: tuple[Module, ...]


@dataclass(frozen=True)
class Assembled:
    """Stages 1-3: sources loaded, built into one dataset, and validated (nothing written)."""

    loaded: LoadedCuration
    built: BuiltGraph
    validation: ValidationReport

    @property
    def modules(self) -> tuple[Module, ...]:
        return self.built.modules

    @property
    def dataset(self) -> Dataset:
        return self.built.dataset


def load(data_dir: Path, ontologies_dir: Path, progress: Progress | None = None) -> Sources:
    """Stage 1: read every curated file and ontology module once."""
    say = progress or (lambda _msg: None)
    say("Loading curated data")
    loaded = load_curation(data_dir)
    say("Reading ontology modules")
    return Sources(loaded, tuple(iter_modules(ontologies_dir)))


def assemble(
    data_dir: Path,
    ontologies_dir: Path,
    warn: Sequence[str] = (),
    progress: Progress | None = None,
    strict: bool = False,
) -> Assembled:
    """Load data_dir + ontologies_dir, build the RDF dataset and validate it.

    Every command that needs the graph (build, validate, view, neo4j load) starts here;
    callers decide whether violations stop them (`validation.raise_for_violations()`).
    strict: registry disagreements (registry-drift) are violations, not warnings.
    """
    check_warn(warn)
    with _stage_outputs_frozen():
        sources, built = _load_and_build(data_dir, ontologies_dir, progress)
        return _validated(sources, built, warn, progress, strict)


def _load_and_build(
    data_dir: Path, ontologies_dir: Path, progress: Progress | None
) -> tuple[Sources, BuiltGraph]:
    """Stages 1-2."""
    sources = load(data_dir, ontologies_dir, progress)
    gc.freeze()  # see _stage_outputs_frozen
    (progress or (lambda _msg: None))("Building the RDF graph")
    built = build_graph(sources.loaded.curation, sources.modules)
    gc.freeze()
    return sources, built


@contextmanager
def _stage_outputs_frozen() -> Iterator[None]:
    """Within: each stage's output is moved out of the cyclic collector's reach (gc.freeze).

    The records and the dataset (hundreds of thousands of objects) live until the build ends;
    without this the collector rescans them on every full collection while later stages
    allocate, about 0.5 s of a 3 s build's CPU; and a forked worker would copy every page
    the collector touches. On leaving, gc.unfreeze() hands them back to the collector (it
    also unfreezes what a caller froze before: an embedding program should freeze again).
    """
    try:
        yield
    finally:
        gc.unfreeze()


def _validated(
    sources: Sources,
    built: BuiltGraph,
    warn: Sequence[str],
    progress: Progress | None,
    strict: bool,
) -> Assembled:
    """Stage 3."""
    (progress or (lambda _msg: None))("Validating")
    validation = validate(sources.loaded, built, warn, strict=strict)
    return Assembled(sources.loaded, built, validation)


def validate_sources(
    data_dir: Path, ontologies_dir: Path, warn: Sequence[str] = (), strict: bool = False
) -> ValidationReport:
    """Load data_dir and ontologies_dir, build the dataset and validate it (writes nothing)."""
    return assemble(data_dir, ontologies_dir, warn, strict=strict).validation


def project_sources(
    data_dir: Path,
    ontologies_dir: Path,
    warn: Sequence[str] = (),
    progress: Progress | None = None,
) -> PropertyGraph:
    """The validated property graph of the sources, as `kg build` projects it (no exports)."""
    from kg.property_graph.projection import project

    assembled = assemble(data_dir, ontologies_dir, warn, progress)
    assembled.validation.raise_for_violations()
    (progress or (lambda _msg: None))("Projecting to a property graph")
    return project(assembled.dataset)


def view_neighbourhood(
    data_dir: Path, ontologies_dir: Path, names: Sequence[str], hops: int, path: Path
) -> View:
    """`kg view`: project the validated sources and write the neighbourhood of names to path."""
    from kg.views.neighbourhood import check_request, write_neighbourhood

    check_request(hops, path)
    return write_neighbourhood(project_sources(data_dir, ontologies_dir), names, hops, path)


def build(
    data_dir: Path,
    ontologies_dir: Path,
    out_dir: Path,
    formats: Sequence[str] | None = None,
    progress: Progress | None = None,
    warn: Sequence[str] = (),
    ontology_mode: str = "modules",
    ontology_config: Path | None = None,
    ontology_sources: Path | None = None,
    strict: bool = False,
    jobs: int = 2,
) -> BuildReport:
    """Build the graph from data_dir + ontologies_dir and publish every export into out_dir.

    Validation (SHACL shapes + referential checks) must pass before anything is written;
    `warn` names checks whose findings only warn (returned in the report).
    `ontology_mode="full"` also writes full/kg-full.nq with the whole source ontologies named
    in `ontology_config` (default: ontologies_dir/sources.yaml), read from the folder
    `ontology_sources` or the download cache (`kg ontologies fetch`): the full merge is its
    own stage, after validation and before the exports.
    jobs: with 2 (the default) and fork available (kg.forked), a forked worker writes the
    sinks marked SinkEntry.in_worker while this process validates and writes the others;
    the worker's files are published only if validation passes. A helper forked first
    imports statsmodels meanwhile (kg.export.formats.intervals_helper).
    1 does everything in this process. The exports are the same bytes either way.
    """
    if ontology_mode not in ("modules", "full"):
        raise KGError(f"unknown ontology mode {ontology_mode!r} (choose modules or full)")
    if jobs not in (1, 2):
        raise KGError(f"--jobs must be 1 or 2 (got {jobs})")
    say = progress or (lambda _msg: None)
    chosen = list(formats) if formats else sorted(SINKS)
    unknown = [f for f in chosen if f not in SINKS]
    if unknown:
        raise KGError(
            f"unknown export format(s): {', '.join(unknown)} "
            f"(choose from {', '.join(sorted(SINKS))})"
        )

    in_worker = [n for n in chosen if SINKS[n].in_worker]
    with intervals_helper(chosen, jobs), _stage_outputs_frozen(), ExitStack() as cleanup:
        check_warn(warn)
        sources, built = _load_and_build(data_dir, ontologies_dir, progress)
        ctx = _context(sources, built)
        here, worker, worker_dir = chosen, None, None
        if jobs == 2 and in_worker and len(in_worker) < len(chosen):
            # started before validation, so the two overlap; its files are discarded on failure
            with suppress(KGError):  # out_dir unwritable: publish says so, after validation
                worker_dir = cleanup.enter_context(staging(out_dir))
                worker = Forked.start(partial(_write_sinks, ctx, in_worker, worker_dir))
            if worker is not None:
                cleanup.callback(worker.cancel)  # before its staging folder goes
                here = [n for n in chosen if n not in in_worker]
        assembled = _validated(sources, built, warn, progress, strict)
        assembled.validation.raise_for_violations()
        merged = None
        if ontology_mode == "full":
            from kg.ontology.full_merge import merge_full_ontologies

            say("Merging the whole source ontologies")
            config = ontology_config or ontologies_dir / "sources.yaml"
            merged = merge_full_ontologies(config, sources_dir=ontology_sources)
            cleanup.callback(merged.close)
        counts = _counts(ctx)

        def write_all(staged: Path) -> list[Path]:
            written = _write_sinks(ctx, here, staged, say)
            if worker is not None and worker_dir is not None:
                say(f"Writing {', '.join(in_worker)} (in a second process)")
                written += _moved(worker.result(), worker_dir, staged)
            if merged is not None:
                from kg.export.full_nquads import write_full_nquads

                say("Writing full/kg-full.nq")
                full_paths, full_counts = write_full_nquads(ctx.dataset, merged, staged)
                written += full_paths
                counts.update(full_counts)
            written.append(_write_manifest(ctx, counts, staged, written))
            return written

        outputs = publish(out_dir, write_all)
        return BuildReport(outputs, counts, assembled.validation.warnings)


def _context(sources: Sources, built: BuiltGraph) -> BuildContext:
    """What the sinks read: the dataset, the curation, the inputs' hashes (for the manifest)."""
    input_hashes = dict(sources.loaded.file_hashes)
    for m in sources.modules:
        input_hashes[display_path(m.path)] = m.sha256
    return BuildContext(
        dataset=built.dataset,
        loaded=sources.loaded,
        ontology_sources={m.name: m.source for m in sources.modules if m.source},
        input_hashes=dict(sorted(input_hashes.items())),
    )


def _write_sinks(
    ctx: BuildContext, names: Sequence[str], out: Path, say: Progress | None = None
) -> list[Path]:
    """Run the named sinks of the table into out, in order; the paths they wrote."""
    written: list[Path] = []
    for name in names:
        if say is not None:
            say(f"Writing {SINKS[name].description}")
        written += SINKS[name].load()().write(ctx, out)
    return written


def _moved(paths: Sequence[Path], src: Path, dst: Path) -> list[Path]:
    """paths (files under src) moved to the same relative places under dst."""
    moved = []
    for path in paths:
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
        moved.append(target)
    return moved


def _counts(ctx: BuildContext) -> dict[str, int]:
    c = ctx.loaded.curation
    counts = {
        "entities": len(c.entities),
        "publications": len(c.publications),
        "statements": len(c.statements),
        "statements_negated": sum(s.negated for s in c.statements),
        "trials": len(c.trials),
        "outcome_measures": len(c.outcome_measures),
        "quads": sum(len(g) for g in ctx.dataset.graphs()),
    }
    for g in sorted(ctx.dataset.graphs(), key=lambda g: str(g.identifier)):
        if len(g):
            counts[f"triples:{g.identifier}"] = len(g)
    return counts


def _write_manifest(
    ctx: BuildContext, counts: dict[str, int], staging: Path, written: list[Path]
) -> Path:
    outputs = {
        str(p.relative_to(staging)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(written)
    }
    manifest = {
        "generator": f"il2-sle-kg {__version__}",
        "inputs": ctx.input_hashes,
        "ontologies": ctx.ontology_sources,
        "counts": counts,
        "outputs": outputs,
    }
    path = staging / MANIFEST
    path.write_text(
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8"
    )
    return path
