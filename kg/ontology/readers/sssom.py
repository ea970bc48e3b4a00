"""SSSOM TSV mapping sets (plain or gzip) -> :class:`MappingSet` records.

A set is a `#`-prefixed YAML header (curie_map, mapping_set_id, license, ...),
then a TSV header row; columns vary per file, but subject_id, predicate_id,
object_id and mapping_justification are required. How kept mappings become RDF
is :mod:`kg.ontology.extraction.mapping_triples`.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from kg.errors import KGError
from kg.namespaces import BASE, PREFIXES, canonical_prefix, check_curie
from kg.ontology.readers.source_bytes import read_source

__all__ = [
    "Mapping",
    "MappingSet",
    "normalise_curie",
    "read_sssom",
]

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
    size: int = 0

    @property
    def set_id(self) -> str:
        """The set's mapping_set_id, or an IRI minted from the file's hash if it states none."""
        return str(self.metadata.get("mapping_set_id") or f"{BASE}mapping-set/{self.sha256[:16]}")

    def expand(self, curie: str) -> str | None:
        """A CURIE of this set as an IRI (its own curie_map first, then ours)."""
        prefix, sep, local = curie.partition(":")
        if not sep:
            return None
        ours = canonical_prefix(prefix)
        ns = self.curie_map.get(prefix) or (PREFIXES[ours] if ours else None)
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
    # TSV lines end in LF (or CRLF) only: a NEL or U+2028 inside a label is text, not a row end
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    n_header = 0
    while n_header < len(lines) and lines[n_header].startswith("#"):
        n_header += 1
    metadata = _metadata(location, lines[:n_header])
    curie_map = {str(k): str(v) for k, v in (metadata.get("curie_map") or {}).items()}
    if metadata.get("mapping_set_id") is not None:
        metadata["mapping_set_id"] = _set_iri(location, lines[:n_header], metadata, curie_map)
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
    return MappingSet(
        source=location,
        sha256=src.sha256,
        metadata=metadata,
        mappings=tuple(kept),
        rows=rows,
        curie_map=curie_map,
        size=src.size,
    )


def _set_iri(
    location: str, header: list[str], metadata: dict[str, Any], curie_map: dict[str, str]
) -> str:
    """The mapping_set_id as an absolute IRI (a CURIE of the set's curie_map is expanded).

    SSSOM makes mapping_set_id the set's URI; it names the set's node in the graph, so
    anything else (`mondo_doid_mini`) would be written as a relative IRI that `kg build`
    cannot resolve: it is refused here, at the header line that states it.
    """
    value = str(metadata["mapping_set_id"]).strip()
    prefix, sep, local = value.partition(":")
    if sep and prefix in curie_map and not local.startswith("//"):
        value = curie_map[prefix] + local
    try:
        pyoxigraph.NamedNode(value)  # RFC 3987 absolute IRI, as `kg build` will parse it
        return value
    except ValueError as exc:
        reason = str(exc)
    line = next((i for i, text in enumerate(header, start=1) if "mapping_set_id:" in text), None)
    raise KGError.at(
        location,
        line,
        "mapping_set_id",
        f"expected an absolute IRI (SSSOM: the URI of the mapping set, e.g. "
        f"https://example.org/mappings/{_slug(value)}.sssom.tsv), got {value!r} ({reason})",
    )


def _slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", value).strip("_") or "my_mappings"


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
