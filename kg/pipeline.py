"""build(): load -> RDF -> merge -> check -> export, writing nothing unless every step succeeds."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset

from kg import __version__
from kg.curation.load import LoadedCuration, load_curation
from kg.errors import KGError, display_path
from kg.export.base import MANIFEST, BuildContext, publish, sinks
from kg.ontology.modules import Module, iter_modules
from kg.property_graph.graph import PropertyGraph
from kg.rdf.build import build_dataset
from kg.rdf.validate import Finding, ValidationReport, check_warn, validate

__all__ = ["Assembled", "BuildReport", "assemble", "build", "project_sources"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote and how big the graph is."""

    outputs: list[Path]
    counts: dict[str, int]
    warnings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Assembled:
    """The sources loaded, merged into one dataset, and validated (nothing written yet)."""

    loaded: LoadedCuration
    modules: list[Module]
    dataset: Dataset
    validation: ValidationReport


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
    """
    say = progress or (lambda _msg: None)
    check_warn(warn)
    say("Loading curated data")
    loaded = load_curation(data_dir)
    say("Reading ontology modules")
    modules = list(iter_modules(ontologies_dir))
    say("Building the RDF graph")
    dataset = build_dataset(loaded.curation, modules)
    say("Validating")
    validation = validate(loaded, dataset, modules, ontologies_dir, warn, strict=strict)
    return Assembled(loaded, modules, dataset, validation)


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
) -> BuildReport:
    """Build the graph from data_dir + ontologies_dir and publish every export into out_dir.

    Validation (SHACL shapes + referential checks) must pass before anything is written;
    `warn` names checks whose findings only warn (returned in the report).
    `ontology_mode="full"` also writes full/kg-full.nq with the whole source ontologies named
    in `ontology_config` (default: ontologies_dir/sources.yaml), read from the folder
    `ontology_sources` or the download cache (`kg ontologies fetch`).
    """
    if ontology_mode not in ("modules", "full"):
        raise KGError(f"unknown ontology mode {ontology_mode!r} (choose modules or full)")
    say = progress or (lambda _msg: None)
    available = sinks()
    chosen = list(formats) if formats else list(available)
    unknown = [f for f in chosen if f not in available]
    if unknown:
        raise KGError(
            f"unknown export format(s): {', '.join(unknown)} (choose from {', '.join(available)})"
        )

    assembled = assemble(data_dir, ontologies_dir, warn, progress, strict=strict)
    assembled.validation.raise_for_violations()
    loaded, modules, dataset = assembled.loaded, assembled.modules, assembled.dataset
    validation = assembled.validation
    merged = None
    if ontology_mode == "full":
        from kg.ontology.full_merge import merge_full_ontologies

        say("Merging the whole source ontologies")
        config = ontology_config or ontologies_dir / "sources.yaml"
        merged = merge_full_ontologies(config, sources_dir=ontology_sources)

    input_hashes = dict(loaded.file_hashes)
    for m in modules:
        input_hashes[display_path(m.path)] = hashlib.sha256(m.path.read_bytes()).hexdigest()
    ctx = BuildContext(
        dataset=dataset,
        loaded=loaded,
        ontology_sources={m.name: m.source for m in modules if m.source},
        input_hashes=dict(sorted(input_hashes.items())),
    )
    counts = _counts(ctx)

    def write_all(staging: Path) -> list[Path]:
        written: list[Path] = []
        for name in chosen:
            say(f"Writing {available[name].description}")
            written += available[name]().write(ctx, staging)
        if merged is not None:
            from kg.export.full_nquads import write_full_nquads

            say("Writing full/kg-full.nq")
            full_paths, full_counts = write_full_nquads(ctx.dataset, merged, staging)
            written += full_paths
            counts.update(full_counts)
        written.append(_write_manifest(ctx, counts, staging, written))
        return written

    try:
        outputs = publish(out_dir, write_all)
    finally:
        if merged is not None:
            merged.close()
    return BuildReport(outputs, counts, validation.warnings)


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
