"""SSSOM TSV mapping sets (plain or gzip) -> mapping records -> RDF.

A set is a `#`-prefixed YAML header (curie_map, mapping_set_id, license, ...),
then a TSV header row; columns vary per file, but subject_id, predicate_id,
object_id and mapping_justification are required.

In RDF each kept mapping becomes
- a direct triple: ``subject skos:exactMatch|closeMatch|broadMatch|narrowMatch|relatedMatch
  object`` when the object's prefix is one of ours (kg/namespaces.py; MONDO's ``mesh:``
  becomes ``MESH:`` and so on), else ``subject oboInOwl:hasDbXref "CURIE"``; a
  ``oboInOwl:hasDbXref`` mapping is always a string literal, as in the ontology modules;
- an ``owl:Axiom`` node with a stable IRI (``il2kg:mapping/<sha1 of s, p, o, set>``)
  carrying ``owl:annotatedSource/Property/Target`` and the SSSOM fields
  (``sssom:predicate_id`` as written, ``sssom:mapping_justification``,
  ``sssom:mapping_set_id``, labels, author, date, confidence when present);
- one ``sssom:MappingSet`` node per set with its version and licence.
"""

from __future__ import annotations

import csv
import hashlib
import io
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from kg.errors import KGError
from kg.namespaces import BASE, PREFIXES, check_curie
from kg.ontology.rdfwrite import Lit, Triple
from kg.ontology.sourcefile import read_source
from kg.ontology.terms import iri_of

__all__ = [
    "SSSOM",
    "Mapping",
    "MappingSet",
    "mapping_triples",
    "normalise_curie",
    "read_sssom",
]

SSSOM = "https://w3id.org/sssom/"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
XREF = "http://www.geneontology.org/formats/oboInOwl#hasDbXref"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MATCH_PREDICATES = {f"{_SKOS}{m}Match" for m in ("exact", "close", "broad", "narrow", "related")}
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")
OPTIONAL = ("subject_label", "object_label", "author_id", "mapping_date", "confidence", "comment")

#: other spellings of our prefixes seen in mapping sets and xrefs
ALIASES: dict[str, str] = {
    "MSH": "MESH",
    "ORDO": "Orphanet",
    "NCI": "NCIT",
    "UMLS_CUI": "UMLS",
    "SNOMEDCT": "SCTID",
    "SNOMED": "SCTID",
    "OMIM.PS": "OMIMPS",
}
_BY_LOWER = {p.lower(): p for p in PREFIXES}


@dataclass(frozen=True)
class Mapping:
    """One row of a mapping set (the columns this project keeps)."""

    subject_id: str
    predicate_id: str
    object_id: str
    mapping_justification: str
    line: int
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MappingSet:
    """A read mapping set: where from, its header, the kept rows, how many rows it had."""

    source: str
    sha256: str
    metadata: dict[str, Any]
    mappings: tuple[Mapping, ...]
    rows: int
    curie_map: dict[str, str] = field(default_factory=dict)

    @property
    def set_id(self) -> str:
        """The set's mapping_set_id, or an IRI minted from the file's hash if it states none."""
        return str(self.metadata.get("mapping_set_id") or f"{BASE}mapping-set/{self.sha256[:16]}")

    def expand(self, curie: str) -> str | None:
        """A CURIE of this set as an IRI (its own curie_map first, then ours)."""
        prefix, sep, local = curie.partition(":")
        if not sep:
            return None
        ns = self.curie_map.get(prefix) or PREFIXES.get(prefix)
        return ns + local if ns else None


def normalise_curie(curie: str) -> str | None:
    """The CURIE in our prefix map's spelling (mesh:D1 -> MESH:D1), or None if not ours."""
    prefix, sep, local = curie.partition(":")
    if not sep or not local:
        return None
    ours = ALIASES.get(prefix) or ALIASES.get(prefix.upper()) or _BY_LOWER.get(prefix.lower())
    if ours is None or ours not in PREFIXES or ours in {"il2kg", "kgv"}:
        return None
    candidate = f"{ours}:{local}"
    return candidate if check_curie(candidate) is None else None


def read_sssom(location: str, keep: Callable[[str], bool] | None = None) -> MappingSet:
    """Read one SSSOM TSV; keep(subject_id) filters rows early. Bad input is a located KGError."""
    src = read_source(location)
    try:
        text = src.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KGError.at(location, None, "", f"not UTF-8 text: {exc}") from None
    lines = text.splitlines()
    n_header = 0
    while n_header < len(lines) and lines[n_header].startswith("#"):
        n_header += 1
    metadata = _metadata(location, lines[:n_header])
    reader = csv.reader(io.StringIO("\n".join(lines[n_header:])), delimiter="\t")
    try:
        columns = next(reader)
    except StopIteration:
        raise KGError.at(
            location, n_header + 1, "", "no TSV header row after the YAML header"
        ) from None
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise KGError.at(
            location, n_header + 1, "", f"missing required column(s): {', '.join(missing)}"
        )
    index = {c: i for i, c in enumerate(columns)}
    s_i = index["subject_id"]
    kept: list[Mapping] = []
    rows = 0
    try:
        for offset, row in enumerate(reader, start=n_header + 2):
            if not row:
                continue
            rows += 1
            if len(row) != len(columns):
                raise KGError.at(
                    location, offset, "", f"row has {len(row)} fields; header has {len(columns)}"
                )
            if keep is not None and not keep(row[s_i]):
                continue
            kept.append(_mapping(row, index, offset))
    except csv.Error as exc:
        raise KGError.at(location, None, "", f"invalid TSV: {exc}") from None
    curie_map = {str(k): str(v) for k, v in (metadata.get("curie_map") or {}).items()}
    return MappingSet(location, src.sha256, metadata, tuple(kept), rows, curie_map)


def _metadata(location: str, header: list[str]) -> dict[str, Any]:
    body = textwrap.dedent("\n".join(line[1:] for line in header))
    try:
        data = YAML(typ="safe").load(body) if body.strip() else {}
    except YAMLError as exc:
        raise KGError.at(location, None, "", f"invalid YAML metadata header: {exc}") from None
    if not isinstance(data, dict):
        raise KGError.at(location, 1, "", "the '#' header is not a YAML mapping")
    return data


def _mapping(row: list[str], index: dict[str, int], line: int) -> Mapping:
    extra = tuple((c, row[index[c]]) for c in OPTIONAL if c in index and row[index[c]].strip())
    return Mapping(
        subject_id=row[index["subject_id"]].strip(),
        predicate_id=row[index["predicate_id"]].strip(),
        object_id=row[index["object_id"]].strip(),
        mapping_justification=row[index["mapping_justification"]].strip(),
        line=line,
        extra=extra,
    )


def direct_triple(subject: str, predicate_iri: str, object_id: str) -> Triple:
    """The plain triple a mapping asserts (see the module docstring for the rules)."""
    ours = normalise_curie(object_id)
    if predicate_iri == XREF or ours is None:
        return (subject, XREF, Lit(ours or object_id))
    return (subject, predicate_iri, iri_of(ours))


def axiom_iri(triple: Triple, set_id: str) -> str:
    s, p, o = triple
    key = "\n".join([s, p, o.value if isinstance(o, Lit) else o, set_id])
    return f"{BASE}mapping/{hashlib.sha1(key.encode('utf-8')).hexdigest()}"


def mapping_triples(sets: Iterable[MappingSet]) -> list[Triple]:
    """Direct triples, axiom nodes and set nodes for every kept mapping of every set."""
    out: list[Triple] = []
    for ms in sets:
        if not ms.mappings:
            continue
        out += _set_triples(ms)
        for m in ms.mappings:
            ours = normalise_curie(m.subject_id)
            subject = iri_of(ours) if ours else ms.expand(m.subject_id)
            if subject is None:
                raise KGError.at(
                    ms.source,
                    m.line,
                    "subject_id",
                    f"cannot expand {m.subject_id!r} with the set's curie_map",
                )
            predicate = ms.expand(m.predicate_id) or XREF
            out += axiom_triples(
                direct_triple(subject, predicate, m.object_id),
                ms.set_id,
                predicate_id=m.predicate_id,
                object_id=m.object_id,
                justification=ms.expand(m.mapping_justification) or m.mapping_justification,
                extra=m.extra,
            )
    return out


def axiom_triples(
    triple: Triple,
    set_id: str,
    *,
    predicate_id: str,
    object_id: str,
    justification: str,
    extra: Iterable[tuple[str, str]] = (),
) -> list[Triple]:
    """The direct triple plus its owl:Axiom node with SSSOM fields."""
    s, p, o = triple
    node = axiom_iri(triple, set_id)
    out: list[Triple] = [
        triple,
        (node, TYPE, f"{_OWL}Axiom"),
        (node, f"{_OWL}annotatedSource", s),
        (node, f"{_OWL}annotatedProperty", p),
        (node, f"{_OWL}annotatedTarget", o),
        (node, f"{SSSOM}predicate_id", Lit(predicate_id)),
        (node, f"{SSSOM}object_id", Lit(object_id)),
        (node, f"{SSSOM}mapping_set_id", _iri_or_lit(set_id)),
        (node, f"{SSSOM}mapping_justification", _iri_or_lit(justification)),
    ]
    out += [(node, f"{SSSOM}{k}", Lit(v)) for k, v in extra]
    return out


def _set_triples(ms: MappingSet) -> list[Triple]:
    node = ms.set_id
    out: list[Triple] = [(node, TYPE, f"{SSSOM}MappingSet")]
    for key in (
        "mapping_set_version",
        "license",
        "subject_source",
        "object_source",
        "object_source_version",
        "mapping_date",
    ):
        value = ms.metadata.get(key)
        if value:
            out.append((node, f"{SSSOM}{key}", _iri_or_lit(ms.expand(str(value)) or str(value))))
    return out


def _iri_or_lit(value: str) -> str | Lit:
    return value if value.startswith(("http://", "https://")) else Lit(value)
