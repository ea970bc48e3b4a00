"""The one in-memory model every ontology reader produces: terms, synonyms, headers.

Readers for OBO, OBO Graphs JSON and RDF/OWL all return an :class:`OntologyDoc`;
extraction and the full merge read nothing else. Ids are CURIEs where the prefix
is known (ours from :mod:`kg.namespaces`, else the OBO PURL convention
``http://purl.obolibrary.org/obo/PREFIX_local``), or full IRIs where no CURIE fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from kg.namespaces import OBO, PREFIXES, canonical_prefix, converter

__all__ = [
    "SCOPES",
    "Header",
    "LazyTerms",
    "OntologyDoc",
    "Synonym",
    "Term",
    "curie_from_iri",
    "iri_of",
    "is_term_id",
    "prefix_of",
]

Scope = Literal["EXACT", "RELATED", "BROAD", "NARROW"]
SCOPES: tuple[Scope, ...] = ("EXACT", "RELATED", "BROAD", "NARROW")
Kind = Literal["class", "property"]

_OBO_IRI = re.compile(r"^http://purl\.obolibrary\.org/obo/([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9_]+)$")
_OBO_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9]*):([A-Za-z0-9_]+)$")


@dataclass(frozen=True, order=True)
class Synonym:
    """A synonym with its OBO scope."""

    text: str
    scope: Scope = "RELATED"


@dataclass(frozen=True)
class Term:
    """One class or object property as its source states it."""

    id: str
    kind: Kind = "class"
    label: str | None = None
    definition: str | None = None
    synonyms: tuple[Synonym, ...] = ()
    xrefs: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    relationships: tuple[tuple[str, str], ...] = ()
    obsolete: bool = False
    replaced_by: tuple[str, ...] = ()
    consider: tuple[str, ...] = ()


@dataclass(frozen=True)
class Header:
    """What an ontology file says about itself."""

    ontology: str | None = None
    version_iri: str | None = None
    data_version: str | None = None
    licence: str | None = None
    remarks: tuple[str, ...] = ()

    @property
    def version(self) -> str | None:
        """The most specific version statement: the version IRI, else the data-version."""
        return self.version_iri or self.data_version


class LazyTerms(Mapping[str, Term]):
    """Terms by id, each converted from its parsed form the first time it is read.

    Extraction touches a few hundred of GO's 47k terms; converting only those keeps
    `kg ontologies extract` fast. Iteration order is the source order.
    """

    def __init__(self, raw: dict[str, Any], convert: Callable[[Any], Term]) -> None:
        self._raw = raw
        self._convert = convert
        self._done: dict[str, Term] = {}

    def __getitem__(self, term_id: str) -> Term:
        term = self._done.get(term_id)
        if term is None:
            term = self._done[term_id] = self._convert(self._raw[term_id])
        return term

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass(frozen=True)
class OntologyDoc:
    """One parsed source file: its header, its terms by id (source order), lenient repairs made."""

    source: str
    format: str
    header: Header
    terms: Mapping[str, Term] = field(default_factory=dict)
    repairs: tuple[str, ...] = ()


@lru_cache(maxsize=1 << 16)
def curie_from_iri(iri: str) -> str:
    """The CURIE of an IRI (the OBO PURL rule, then our prefixes), else the IRI itself."""
    if "://" not in iri:
        return iri
    m = _OBO_IRI.match(iri)
    if m and PREFIXES.get(m.group(1), iri[: m.start(2)]) == iri[: m.start(2)]:
        return f"{m.group(1)}:{m.group(2)}"
    return converter.compress(iri) or iri


OBOINOWL_NS = "http://www.geneontology.org/formats/oboInOwl#"


def iri_of(term_id: str) -> str:
    """The IRI of a term id: an IRI stays, a CURIE expands (unknown OBO-style prefix: OBO PURL)."""
    if "://" in term_id:
        return term_id
    prefix, _, local = term_id.partition(":")
    canonical = canonical_prefix(prefix)
    if canonical is not None:
        return PREFIXES[canonical] + local
    if _OBO_CURIE.match(term_id):
        return f"{OBO}{prefix}_{local}"
    if term_id == "ObsoleteClass":  # OBO's built-in parent of obsolete classes (OBI uses it)
        return f"{OBOINOWL_NS}ObsoleteClass"
    if ":" not in term_id and term_id.strip():
        return f"{OBO}{term_id}"  # an unprefixed OBO id: the OBO PURL space, as the OWL API does
    raise ValueError(f"not a CURIE or IRI: {term_id!r}")  # a bug: readers normalise ids


def prefix_of(term_id: str) -> str | None:
    """The prefix of a CURIE id, or None for a full IRI."""
    if "://" in term_id or ":" not in term_id:
        return None
    return term_id.split(":", 1)[0]


def is_term_id(text: str) -> bool:
    """Whether text can name a term: an IRI, or a CURIE iri_of can expand."""
    if "://" in text:
        return True
    prefix = text.split(":", 1)[0] if ":" in text else ""
    return canonical_prefix(prefix) is not None or bool(_OBO_CURIE.match(text))
