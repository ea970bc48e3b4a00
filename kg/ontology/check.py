"""Are the curated ontology ids in the committed modules, and still current?

For every CURIE the curation uses whose prefix belongs to a module (the
`prefixes` of `ontologies/<name>/source.json`):
- not in the module -> a problem at the record's file:line, with the closest labels
  of that module (difflib), unless the module's source is only a branch of the
  ontology (`partial_source`, e.g. NCIt's 2018 disease extract): there, absence
  proves nothing, so only obsoletion is checked;
- obsolete -> a problem naming its replacement (`IAO:0100001`) or the terms to
  consider.
References to curated entities (statement subject/object, trial conditions and
arms) are not checked again: the entity's own id is.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.curation.load import LoadedCuration
from kg.errors import KGError, Problem
from kg.ontology.modules import Module, read_module
from kg.ontology.seeds import Use, curated_uses
from kg.ontology.terms import curie_from_iri, prefix_of
from kg.ontology.triples import P

__all__ = ["ModuleIndex", "check_terms", "index_of", "read_index", "term_problems"]


@dataclass(frozen=True)
class ModuleIndex:
    """What check_terms needs from one module: its terms, labels and obsoletion."""

    name: str
    path: Path
    prefixes: tuple[str, ...]
    partial: bool
    terms: frozenset[str]
    labels: dict[str, str] = field(default_factory=dict)
    obsolete: frozenset[str] = frozenset()
    replaced_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    consider: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def describe(self, curie: str) -> str:
        label = self.labels.get(curie)
        return f"{curie} ({label!r})" if label else curie


def read_index(module_dir: Path) -> ModuleIndex | None:
    """The index of ontologies/<name>/, or None when it has no module.ttl + source.json."""
    path, record_path = module_dir / "module.ttl", module_dir / "source.json"
    if not path.exists() or not record_path.exists():
        return None
    try:
        record = json.loads(record_path.read_text("utf-8"))
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise KGError.at(str(record_path), None, "", f"cannot read: {exc}") from None
    return index_of(read_module(module_dir.name, path, record))


def index_of(module: Module) -> ModuleIndex | None:
    """The index of an already parsed module; None for one without a source record."""
    if not module.source or module.path.name != "module.ttl":
        return None
    terms, obsolete = set(), set()
    labels: dict[str, str] = {}
    replaced: dict[str, list[str]] = {}
    consider: dict[str, list[str]] = {}
    for subject, predicate, obj in module.triples:
        s, p, o = curie_from_iri(str(subject)), str(predicate), str(obj)
        if p == P.TYPE and o in {P.CLASS, P.OBJECT_PROPERTY}:
            terms.add(s)
        elif p == P.LABEL:
            labels[s] = o
        elif p == P.DEPRECATED and o == "true":
            obsolete.add(s)
        elif p == P.REPLACED_BY:
            replaced.setdefault(s, []).append(curie_from_iri(o))
        elif p == P.CONSIDER:
            consider.setdefault(s, []).append(o)
    record = module.source
    prefixes = record.get("prefixes", ())
    return ModuleIndex(
        name=module.name,
        path=module.path,
        prefixes=tuple(prefixes) if isinstance(prefixes, list | tuple) else (),
        partial=bool(record.get("partial_source", False)),
        terms=frozenset(terms),
        labels=labels,
        obsolete=frozenset(obsolete),
        replaced_by={k: tuple(sorted(v)) for k, v in replaced.items()},
        consider={k: tuple(sorted(v)) for k, v in consider.items()},
    )


def check_terms(loaded: LoadedCuration, ontologies_dir: Path) -> list[Problem]:
    """Every curated ontology id missing from its module or obsolete there, located."""
    indexes = [
        index
        for module_dir in sorted(p for p in Path(ontologies_dir).iterdir() if p.is_dir())
        if (index := read_index(module_dir)) is not None
    ]
    problems: list[Problem] = []
    for use, message in term_problems(curated_uses(loaded), indexes):
        where = loaded.locations.get(use.record)
        problems.append(
            Problem(
                where.file if where else "data",
                where.line if where else None,
                f"{use.kind} {use.record}: {use.field}",
                message,
            )
        )
    return sorted(set(problems))


def term_problems(uses: Iterable[Use], indexes: Iterable[ModuleIndex]) -> Iterator[tuple[Use, str]]:
    """(use, what is wrong) for each use of an id missing from its module or obsolete there."""
    by_prefix: dict[str, ModuleIndex] = {}
    for index in indexes:
        for prefix in index.prefixes:
            by_prefix.setdefault(prefix, index)
    for use in uses:
        index = by_prefix.get(prefix_of(use.curie) or "")
        if index is None or use.reference:
            continue
        message = _problem(use, index)
        if message:
            yield use, message


def _problem(use: Use, index: ModuleIndex) -> str | None:
    curie, prefix = use.curie, prefix_of(use.curie)
    if curie not in index.terms:
        if index.partial:
            return None
        return (
            f"{curie} is not in ontology {prefix} ({index.path}); {_closest(use, index)}. "
            "Fix the id, or if it is a valid new term re-run `kg ontologies extract`"
        )
    if curie in index.obsolete:
        label = index.labels.get(curie)
        what = f"{curie} ({label!r})" if label else curie
        if index.replaced_by.get(curie):
            instead = "replaced by " + ", ".join(map(index.describe, index.replaced_by[curie]))
        elif index.consider.get(curie):
            instead = "consider " + ", ".join(map(index.describe, index.consider[curie]))
        else:
            instead = "the ontology names no replacement"
        return f"{what} is obsolete in {prefix} ({index.path}); {instead}"
    return None


def _closest(use: Use, index: ModuleIndex) -> str:
    live = {c: lab for c, lab in index.labels.items() if c not in index.obsolete}
    if use.label:
        by_label: dict[str, list[str]] = {}
        for c, lab in sorted(live.items()):
            by_label.setdefault(lab.lower(), []).append(c)
        hits = difflib.get_close_matches(use.label.lower(), list(by_label), n=3, cutoff=0.5)
        found = [f"{live[c]!r} ({c})" for h in hits for c in by_label[h]][:3]
    else:
        hits = difflib.get_close_matches(use.curie, sorted(live), n=3, cutoff=0.6)
        found = [f"{h} ({live[h]!r})" for h in hits]
    return "closest: " + ", ".join(found) if found else "no similar label in the module"
