"""The committed ontology modules under `ontologies/`, each read and parsed once per build.

Layout (written by `kg ontologies extract`):
  ontologies/<name>/module.ttl     the extracted module of one ontology
  ontologies/<name>/source.json    where it came from: file, version IRI, licence, date, command
  ontologies/mappings/mappings.ttl SSSOM-derived mappings (skos:*Match / oboInOwl:hasDbXref)
  ontologies/vocabulary.ttl        the classes and properties this project mints

A :class:`Module` holds everything later stages need from the file: its triples (as rdflib
terms), the sha256 of its bytes (for the build manifest), and the line where each subject's
block starts (so validation can point at a class declared in a module without reading the
file again).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import KGError

__all__ = ["Module", "iter_modules", "read_module"]

Triple = tuple[Node, Node, Node]
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: a line that starts a subject block: a prefixed name or <IRI> at column 0
_SUBJECT = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:(?:[^\s\\]|\\.)*|:(?:[^\s\\]|\\.)*)(?=\s|$)")


@dataclass(frozen=True)
class Module:
    """One named graph read from `ontologies/`, with its source record (if any)."""

    name: str
    path: Path
    triples: tuple[Triple, ...] = field(repr=False)
    source: dict[str, object]
    sha256: str = ""
    lines: dict[str, int] = field(default_factory=dict, repr=False)

    def line_of(self, iri: str) -> int | None:
        """The line where the block of statements about iri starts, if it has one."""
        return self.lines.get(iri)


def iter_modules(ontologies_dir: Path) -> Iterator[Module]:
    """Every module under ontologies_dir, in name order; 'vocabulary' and 'mappings' included."""
    vocab = ontologies_dir / "vocabulary.ttl"
    if not vocab.exists():
        raise KGError.at(str(vocab), None, "", "project vocabulary not found")
    yield read_module("vocabulary", vocab, {})
    for path in sorted(ontologies_dir.glob("*/module.ttl")) + sorted(
        ontologies_dir.glob("mappings/mappings.ttl")
    ):
        record_path = path.parent / "source.json"
        try:
            source = json.loads(record_path.read_text("utf-8")) if record_path.exists() else {}
        except ValueError as exc:  # JSONDecodeError is a ValueError
            raise KGError.at(str(record_path), None, "", f"cannot read: {exc}") from None
        yield read_module(path.parent.name, path, source)


def read_module(name: str, path: Path, source: dict[str, object]) -> Module:
    """Read path once: hash its bytes, parse them with pyoxigraph (errors carry line and
    column), convert the triples to rdflib terms, and index the line of each subject block."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KGError.at(str(path), None, "", f"cannot read Turtle: {exc.strerror}") from None
    parser = pyoxigraph.parse(
        raw, format=pyoxigraph.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()
    )
    try:
        quads = list(parser)
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        reason = str(exc.msg).rsplit(": ", 1)[-1]
        raise KGError.at(str(path), line, "", f"cannot parse Turtle: {reason}") from None
    except ValueError as exc:
        raise KGError.at(str(path), None, "", f"cannot read Turtle: {exc}") from None
    terms: dict[object, Node] = {}

    def term(t: object) -> Node:
        found = terms.get(t)
        if found is None:
            found = terms[t] = _rdflib(t)
        return found

    triples = tuple((term(q.subject), term(q.predicate), term(q.object)) for q in quads)
    lines = _subject_lines(raw.decode("utf-8", errors="replace"), parser.prefixes)
    return Module(name, path, triples, source, hashlib.sha256(raw).hexdigest(), lines)


def _rdflib(t: object) -> Node:
    if isinstance(t, pyoxigraph.NamedNode):
        return URIRef(t.value)
    if isinstance(t, pyoxigraph.BlankNode):
        return BNode(t.value)
    if isinstance(t, pyoxigraph.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        dt = t.datatype.value
        return Literal(t.value, datatype=None if dt == _XSD_STRING else URIRef(dt))
    raise TypeError(f"unexpected RDF term {t!r}")


def _subject_lines(text: str, prefixes: dict[str, str]) -> dict[str, int]:
    """IRI -> line of the first block whose subject (at column 0) it is."""
    out: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line or line[0] in " \t#@" or line.startswith(("PREFIX", "BASE", "prefix")):
            continue
        match = _SUBJECT.match(line)
        if match is None:
            continue
        token = match.group(1)
        if token.startswith("<"):
            iri = token[1:-1]
        else:
            prefix, _, local = token.partition(":")
            if prefix not in prefixes:
                continue
            iri = prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        out.setdefault(iri, number)
    return out
