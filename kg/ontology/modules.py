"""The committed ontology modules under `ontologies/`, as named graphs for the build.

Layout (written by `kg ontologies extract`):
  ontologies/<name>/module.ttl     the extracted module of one ontology
  ontologies/<name>/source.json    where it came from: file, version IRI, licence, date, command
  ontologies/mappings/mappings.ttl SSSOM-derived mappings (skos:*Match / oboInOwl:hasDbXref)
  ontologies/vocabulary.ttl        the classes and properties this project mints
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import Graph

from kg.errors import KGError

__all__ = ["Module", "iter_modules"]


@dataclass(frozen=True)
class Module:
    """One named graph read from `ontologies/`, with its source record (if any)."""

    name: str
    path: Path
    graph: Graph
    source: dict[str, object]


def iter_modules(ontologies_dir: Path) -> Iterator[Module]:
    """Every module under ontologies_dir, in name order; 'vocabulary' and 'mappings' included."""
    vocab = ontologies_dir / "vocabulary.ttl"
    if not vocab.exists():
        raise KGError.at(str(vocab), None, "", "project vocabulary not found")
    yield Module("vocabulary", vocab, _parse(vocab), {})
    for path in sorted(ontologies_dir.glob("*/module.ttl")) + sorted(
        ontologies_dir.glob("mappings/mappings.ttl")
    ):
        name = path.parent.name
        record_path = path.parent / "source.json"
        source = json.loads(record_path.read_text("utf-8")) if record_path.exists() else {}
        yield Module(name, path, _parse(path), source)


def _parse(path: Path) -> Graph:
    """Parse with pyoxigraph first (its errors carry line and column), then into rdflib."""
    try:
        list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        reason = str(exc.msg).rsplit(": ", 1)[-1]
        raise KGError.at(str(path), line, "", f"cannot parse Turtle: {reason}") from None
    except (OSError, ValueError) as exc:
        raise KGError.at(str(path), None, "", f"cannot read Turtle: {exc}") from None
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph
