"""Exact lookup of registry names (conditions, interventions) among the curated entities.

A registry condition or intervention name maps to an id only when it equals, ignoring case and
runs of white space, the label or a synonym of exactly one candidate; a label match beats a
synonym match. Nothing is stemmed, abbreviated or fuzzily matched: anything else is left to the
curator as a TODO (with the candidates when there are several).

Conditions are looked up among Disease/PhenotypicFeature entities of data/entities.yaml, then
among the labels and exact synonyms of the committed MONDO, DOID and HP modules. Interventions
are looked up among Drug/ClinicalIntervention/ChemicalEntity/Procedure entities only: ontology
synonyms would map a product to a protein (PR lists "aldesleukin" as an exact synonym of IL-2).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from kg.curation.yamlfile import read_yaml
from kg.errors import KGError, display_path
from kg.namespaces import curie_of

__all__ = ["CONDITION", "INTERVENTION", "Match", "NameIndex"]

CONDITION = frozenset({"Disease", "PhenotypicFeature"})
INTERVENTION = frozenset({"Drug", "ClinicalIntervention", "ChemicalEntity", "Procedure"})
#: ontology modules whose terms may name a condition
CONDITION_MODULES = ("mondo", "doid", "hp")

_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_EXACT_SYNONYM = "http://www.geneontology.org/formats/oboInOwl#hasExactSynonym"
_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"


def normalise(name: str) -> str:
    """The comparison key: case-folded, white space collapsed."""
    return re.sub(r"\s+", " ", name).strip().casefold()


@dataclass(frozen=True)
class Match:
    """The outcome of one lookup: the id (None if unmapped) and how it was found."""

    name: str
    curie: str | None
    how: str  # 'label of data/entities.yaml entity', 'exact synonym in mondo module', ...
    candidates: tuple[str, ...] = ()
    defined: bool = True  # False: an ontology term not yet in data/entities.yaml


@dataclass
class _Names:
    labels: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    synonyms: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass
class NameIndex:
    """Labels and synonyms of curated entities (by category) and of ontology modules."""

    entities: dict[str, _Names] = field(default_factory=lambda: defaultdict(_Names))
    modules: dict[str, _Names] = field(default_factory=lambda: defaultdict(_Names))
    defined: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, data_dir: Path, ontologies_dir: Path | None) -> NameIndex:
        """Read data/entities.yaml and (if given and present) the condition modules."""
        index = cls()
        path = data_dir / "entities.yaml"
        doc = read_yaml(path, display_path(path))
        records = doc.data.get("entities") if isinstance(doc.data, dict) else None
        if not isinstance(records, list):
            raise KGError.at(doc.path, 1, "entities", "expected a list of entities")
        for item in records:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            names = index.entities[str(item.get("category"))]
            index.defined.add(item["id"])
            if isinstance(item.get("label"), str):
                names.labels[normalise(item["label"])].add(item["id"])
            for syn in item.get("synonyms") or ():
                if isinstance(syn, str):
                    names.synonyms[normalise(syn)].add(item["id"])
        if ontologies_dir is not None:
            for name in CONDITION_MODULES:
                module = ontologies_dir / name / "module.ttl"
                if module.exists():
                    index._read_module(name, module)
        return index

    def _read_module(self, name: str, path: Path) -> None:
        names = self.modules[name]
        deprecated: set[str] = set()
        found: list[tuple[str, str, str]] = []
        try:
            for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
                pred = quad.predicate.value
                if pred in (_RDFS_LABEL, _EXACT_SYNONYM) and isinstance(
                    quad.object, pyoxigraph.Literal
                ):
                    found.append((quad.subject.value, pred, quad.object.value))
                elif pred == _DEPRECATED and quad.object.value == "true":
                    deprecated.add(quad.subject.value)
        except (SyntaxError, OSError) as exc:
            raise KGError.at(display_path(path), None, "", f"cannot read module: {exc}") from None
        for iri, pred, text in found:
            curie = curie_of(iri)
            if iri in deprecated or curie == iri:
                continue
            table = names.labels if pred == _RDFS_LABEL else names.synonyms
            table[normalise(text)].add(curie)

    def condition(self, name: str) -> Match:
        """Map a registry condition to a disease id (entities first, then MONDO/DOID/HP)."""
        found = self._among_entities(name, CONDITION)
        if found.curie is not None or found.candidates:
            return found
        for module in CONDITION_MODULES:
            found = self._among(name, [self.modules[module]] if module in self.modules else [],
                                f"{module} module")  # fmt: skip
            if found.curie is not None or found.candidates:
                defined = found.curie in self.defined
                return Match(name, found.curie, found.how, found.candidates, defined)
        return Match(name, None, "no entity or ontology term has this label or exact synonym")

    def intervention(self, name: str) -> Match:
        """Map a registry intervention name to a curated drug or intervention entity."""
        found = self._among_entities(name, INTERVENTION)
        if found.curie is None and not found.candidates:
            return Match(name, None, "no drug or intervention entity has this label or synonym")
        return found

    def _among_entities(self, name: str, categories: Iterable[str]) -> Match:
        tables = [self.entities[c] for c in sorted(categories) if c in self.entities]
        return self._among(name, tables, "data/entities.yaml")

    @staticmethod
    def _among(name: str, tables: list[_Names], where: str) -> Match:
        key = normalise(name)
        for kind, pick in (("label", "labels"), ("synonym", "synonyms")):
            ids = sorted({i for t in tables for i in getattr(t, pick).get(key, ())})
            if len(ids) == 1:
                return Match(name, ids[0], f"{kind} in {where}")
            if len(ids) > 1:
                return Match(name, None, f"ambiguous {kind} in {where}", tuple(ids))
        return Match(name, None, f"not in {where}")
