"""`kg ontologies extract`: curated CURIEs -> one MIREOT-style module per ontology + mappings.

Seeds are every CURIE the curation uses whose prefix a configured ontology owns,
plus `seeds:` from the config, plus (for ontologies with `seed_from_mappings`)
the objects of the kept MONDO mappings, so DOID/NCIT/HP ids that map to a
curated disease are classes in the graph too. Placement rules are in
:mod:`kg.ontology.extraction.closure`; the RDF shape of a term in :mod:`kg.ontology.triples`;
the mappings in :mod:`kg.ontology.readers.sssom`. Output is byte-stable: sorted Turtle,
no blank nodes, and source.json dates taken from the sources' versions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.atomic import replace_atomically
from kg.curation.load import LoadedCuration
from kg.errors import KGError
from kg.ontology.extraction.closure import Closure, Placement
from kg.ontology.extraction.mappings import MappingResult, build_mappings
from kg.ontology.extraction.module_files import module_record, module_text
from kg.ontology.extraction.source_table import SourceTable
from kg.ontology.seeds import curated_uses
from kg.ontology.sources.config import SourcesConfig
from kg.ontology.sources.locate import SourceLocator
from kg.ontology.terms import prefix_of

__all__ = ["ExtractReport", "extract_modules"]

Say = Callable[[str, str], None]


@dataclass(frozen=True)
class ExtractReport:
    """What was written, and per-module counts."""

    written: list[Path]
    counts: dict[str, dict[str, int]]


def extract_modules(
    locator: SourceLocator,
    loaded: LoadedCuration,
    out_dir: Path,
    *,
    only: list[str] | None = None,
    command: str = "kg ontologies extract",
    say: Say | None = None,
) -> ExtractReport:
    """Extract the modules named in `only` (default: every module and the mappings).

    Only the chosen modules' sources must be at hand (plus the mappings when a chosen
    module is seeded from them); for the rest see :mod:`.source_table`. Every missing
    source is reported at once, before anything is read.
    """
    config = locator.config
    tell = say or (lambda _name, _msg: None)
    names = config.names
    unknown = sorted(set(only or ()) - set(names))
    if unknown:
        raise KGError(f"--only: unknown name(s) {', '.join(unknown)} (known: {', '.join(names)})")
    chosen = set(only or names)
    required = _required(locator, chosen)
    table = SourceTable(
        locator,
        tell,
        required=required & set(config.ontologies),
        stand_in=lambda name: out_dir / name / "module.ttl",
    )
    closure = Closure(config.owner, table.lookup)
    uses = list(curated_uses(loaded))
    closure.add_seeds([u.curie for u in uses] + list(config.seeds))
    with_mappings = "mappings" in required or (
        config.mappings is not None and locator.available("mappings")
    )
    mappings = _grow_with_mappings(locator, loaded, closure, tell) if with_mappings else None

    texts: dict[Path, str] = {}
    counts: dict[str, dict[str, int]] = {}
    seed_ids = {u.curie for u in uses} | set(config.seeds)
    for name in config.ontologies:
        if name not in chosen:
            continue
        terms = closure.result.terms_of(name)
        if not terms:
            tell(name, "no curated term: no module")
            continue
        source = table.get(name)
        turtle, stats = module_text(name, config, source, closure.result)
        record = module_record(name, config, source, closure.result, seed_ids, stats, command)
        texts[out_dir / name / "module.ttl"] = turtle
        texts[out_dir / name / "source.json"] = record
        counts[name] = stats
        tell(name, f"{stats.get('classes', 0):,} classes, {stats['triples']:,} triples")
    if mappings is not None and "mappings" in chosen:
        texts[out_dir / "mappings" / "mappings.ttl"] = mappings.turtle
        texts[out_dir / "mappings" / "source.json"] = mappings.record(command)
        counts["mappings"] = mappings.counts
    written = _write(texts)
    _remove_stale(out_dir, chosen, texts, config)
    return ExtractReport(written, counts)


def _required(locator: SourceLocator, chosen: set[str]) -> set[str]:
    """The entries whose files must be at hand; KGError naming every one that is not."""
    config = locator.config
    required = set(chosen)
    if config.mappings is not None and any(
        config.ontologies[n].seed_from_mappings for n in chosen if n in config.ontologies
    ):
        required.add("mappings")
    problems = []
    for name in config.names:
        if name in required and not locator.available(name):
            try:
                locator.locate(name)
            except KGError as exc:
                problems += exc.problems
    if problems:
        raise KGError(problems)
    return required


def _grow_with_mappings(
    locator: SourceLocator, loaded: LoadedCuration, closure: Closure, say: Say
) -> MappingResult | None:
    """Read the SSSOM sets for the placed subjects; seed mapped ids; repeat until stable."""
    config = locator.config
    if config.mappings is None:
        return None
    subjects: frozenset[str] = frozenset()
    result: MappingResult | None = None
    while True:
        placement: Placement = closure.result
        current = frozenset(
            t for t in placement.placed if prefix_of(t) in config.mappings.subject_prefixes
        )
        if current == subjects and result is not None:
            return result
        subjects = current
        result = build_mappings(locator, loaded, subjects, say)
        closure.add_seeds(
            obj
            for obj in result.mapped_ids
            if (owner := config.owner(prefix_of(obj))) is not None
            and config.ontologies[owner].seed_from_mappings
        )


def _write(texts: dict[Path, str]) -> list[Path]:
    """Write each file atomically; unchanged files are rewritten too."""
    for path, text in sorted(texts.items()):
        replace_atomically(path, lambda fh, text=text: fh.write(text))
    return sorted(texts)


def _remove_stale(
    out_dir: Path, chosen: set[str], texts: dict[Path, str], config: SourcesConfig
) -> None:
    """A configured ontology that no longer has curated terms loses its old module."""
    for name in config.ontologies:
        if name not in chosen:
            continue
        for leaf in ("module.ttl", "source.json"):
            path = out_dir / name / leaf
            if path not in texts and path.exists():
                path.unlink()
