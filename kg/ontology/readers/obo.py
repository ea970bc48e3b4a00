"""OBO 1.2 flat files (plain or gzip) -> :class:`OntologyDoc`, parsed by fastobo.

Relationship types are resolved to CURIEs: a ``[Typedef]`` stanza's own ``xref`` to
a prefixed id wins (GO's ``part_of`` -> BFO:0000050), then the usual OBO shorthands
below, then a prefixed typedef id as it stands. Metadata-tag typedefs (CL's
``dc-contributor``) are annotations, not relationships, and are skipped, as are
relationships to URLs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import fastobo

from kg.errors import KGError
from kg.ontology.readers.source_bytes import SourceBytes
from kg.ontology.terms import (
    SCOPES,
    Header,
    LazyTerms,
    OntologyDoc,
    Synonym,
    Term,
    is_term_id,
)

__all__ = [
    "SHORTHAND_RELATIONS",
    "header_of",
    "iter_obo_terms",
    "parse_obo",
    "read_obo",
    "relation_table",
    "relationship_of",
]

#: OBO shorthand relation ids and the RO/BFO properties they stand for
SHORTHAND_RELATIONS: dict[str, str] = {
    "part_of": "BFO:0000050",
    "has_part": "BFO:0000051",
    "occurs_in": "BFO:0000066",
    "regulates": "RO:0002211",
    "negatively_regulates": "RO:0002212",
    "positively_regulates": "RO:0002213",
    "develops_from": "RO:0002202",
    "derives_from": "RO:0001000",
    "located_in": "RO:0001025",
    "capable_of": "RO:0002215",
    "capable_of_part_of": "RO:0002216",
    "has_input": "RO:0002233",
    "has_output": "RO:0002234",
    "in_taxon": "RO:0002162",
    "only_in_taxon": "RO:0002160",
    "never_in_taxon": "RO:0002161",
    "present_in_taxon": "RO:0002175",
    "happens_during": "RO:0002092",
    "ends_during": "RO:0002093",
    "starts_during": "RO:0002091",
}

_LICENCE_TAG = re.compile(r"licen[cs]e$", re.IGNORECASE)


def read_obo(src: SourceBytes, lenient: bool = False) -> OntologyDoc:
    """Parse one OBO document; a syntax error or a truncated file is a KGError with its line."""
    doc, repairs = _parse(src, lenient)
    header = header_of(doc)
    relations, tags = relation_table(doc)
    frames: dict[str, tuple[Any, Any]] = {}
    for frame in doc:
        kind = _kind(frame)
        if kind is not None:
            frames.setdefault(str(frame.id), (frame, kind))
    terms = LazyTerms(frames, lambda fk: _term(fk[0], fk[1], relations, tags))
    return OntologyDoc(
        source=src.name, format="obo", header=header, terms=terms, repairs=tuple(repairs)
    )


def parse_obo(src: SourceBytes, lenient: bool = False) -> tuple[Any, list[str]]:
    """The fastobo document of a source, and the repairs lenient mode made."""
    return _parse(src, lenient)


_XREF_LIST = re.compile(r"^((?:def|synonym): .*\")\s*\[[^\[\]]*\](.*)$")
_MAX_REPAIRS = 100


def _parse(src: SourceBytes, lenient: bool) -> tuple[Any, list[str]]:
    if src.data and not src.data.endswith(b"\n"):
        last = src.data.count(b"\n") + 1
        raise KGError.at(src.name, last, "", "file ends in the middle of a line: it is truncated")
    data, repairs = src.data, []
    while True:
        try:
            return fastobo.load(io.BytesIO(data)), repairs
        except SyntaxError as exc:
            fixed = _repair(data, exc.lineno) if lenient and len(repairs) < _MAX_REPAIRS else None
            if fixed is None:
                raise KGError.at(src.name, exc.lineno, "", _syntax_message(exc, lenient)) from None
            data = fixed
            repairs.append(f"line {exc.lineno}: emptied an xref list fastobo rejects ({exc.msg})")
        except (ValueError, UnicodeDecodeError) as exc:
            raise KGError.at(src.name, None, "", f"cannot read as OBO: {exc}") from None


def _syntax_message(exc: SyntaxError, lenient: bool) -> str:
    near = f" (at {exc.text.strip()[:60]!r})" if exc.text and exc.text.strip() else ""
    hint = "" if lenient else _lenient_hint(exc.text or "")
    return f"OBO syntax error: {exc.msg}{near}{hint}"


def _lenient_hint(text: str) -> str:
    if _XREF_LIST.match(text.strip()):
        return (
            "; if only the bracketed xref list is malformed, `lenient: true` for this source "
            "in ontologies/sources.yaml empties it (the extract does not use those xrefs)"
        )
    return ""


def _repair(data: bytes, lineno: int | None) -> bytes | None:
    """data with the xref list of line lineno emptied, or None if that line is not fixable."""
    if not lineno:
        return None
    lines = data.split(b"\n")
    line = lines[lineno - 1].decode("utf-8", errors="replace")
    m = _XREF_LIST.match(line)
    if m is None:
        return None
    lines[lineno - 1] = f"{m.group(1)} []{m.group(2)}".encode()
    return b"\n".join(lines)


def header_of(doc: Any) -> Header:
    """The Header of a parsed OBO document."""
    return _header(doc.header)


def _header(clauses: Iterable[Any]) -> Header:
    ontology = data_version = licence = None
    version_info = None
    remarks: list[str] = []
    for c in clauses:
        kind = type(c).__name__
        if kind == "OntologyClause":
            ontology = str(c.ontology)
        elif kind == "DataVersionClause":
            data_version = str(c.version)
        elif kind == "RemarkClause":
            remarks.append(str(c.remark))
        elif kind == "PropertyValueClause":
            pv = c.property_value
            relation = str(pv.relation)
            if _LICENCE_TAG.search(relation) and licence is None:
                licence = str(pv.value)
            elif relation in {"owl:versionInfo", "http://www.w3.org/2002/07/owl#versionInfo"}:
                version_info = str(pv.value)
    return Header(
        ontology=ontology,
        data_version=data_version or version_info,
        licence=licence,
        remarks=tuple(remarks),
    )


def relation_table(doc: Any) -> tuple[dict[str, str], set[str]]:
    """Typedef id -> property CURIE, and the ids of metadata-tag typedefs."""
    table: dict[str, str] = {}
    tags: set[str] = set()
    for frame in doc:
        if type(frame).__name__ != "TypedefFrame":
            continue
        local = str(frame.id)
        for c in frame:
            kind = type(c).__name__
            if kind == "XrefClause" and local not in table:
                target = str(c.xref.id)
                if ":" in target and "://" not in target and is_term_id(target):
                    table[local] = target
            elif kind == "IsMetadataTagClause" and c.metadata_tag:
                tags.add(local)
    return table, tags


def _resolve(relation: str, table: dict[str, str]) -> str | None:
    if relation in table:
        return table[relation]
    if relation in SHORTHAND_RELATIONS:
        return SHORTHAND_RELATIONS[relation]
    if ":" in relation and "://" not in relation and is_term_id(relation):
        return relation
    return None


def _kind(frame: Any) -> str | None:
    """'class' for a [Term], 'property' for a [Typedef] with a prefixed id, else None."""
    kind = type(frame).__name__
    if kind == "TermFrame":
        return "class"
    if kind == "TypedefFrame":
        term_id = str(frame.id)
        if ":" in term_id and is_term_id(term_id):
            return "property"
    return None


def iter_obo_terms(doc: Any, relations: dict[str, str], tags: set[str]) -> Iterator[Term]:
    """Every term and prefixed typedef of a parsed OBO document, as Terms."""
    for frame in doc:
        kind = _kind(frame)
        if kind is not None:
            yield _term(frame, kind, relations, tags)


def _term(frame: Any, kind: Any, relations: dict[str, str], tags: set[str]) -> Term:
    f: dict[str, Any] = {
        "label": None,
        "definition": None,
        "obsolete": False,
        "synonyms": [],
        "xrefs": [],
        "parents": [],
        "relationships": [],
        "replaced_by": [],
        "consider": [],
    }
    for c in frame:
        handler = _HANDLERS.get(type(c).__name__)
        if handler is not None:
            handler(c, f, relations, tags)
    return Term(
        id=str(frame.id),
        kind=kind,
        label=f["label"],
        definition=f["definition"],
        synonyms=tuple(f["synonyms"]),
        xrefs=tuple(f["xrefs"]),
        parents=tuple(f["parents"]),
        relationships=tuple(f["relationships"]),
        obsolete=f["obsolete"],
        replaced_by=tuple(f["replaced_by"]),
        consider=tuple(f["consider"]),
    )


Handler = Callable[[Any, dict[str, Any], dict[str, str], set[str]], None]


def _name(c: Any, f: dict[str, Any], _r: dict[str, str], _t: set[str]) -> None:
    if f["label"] is None:
        f["label"] = str(c.name)


def _def(c: Any, f: dict[str, Any], _r: dict[str, str], _t: set[str]) -> None:
    if f["definition"] is None:
        f["definition"] = str(c.definition)


def _synonym(c: Any, f: dict[str, Any], _r: dict[str, str], _t: set[str]) -> None:
    syn = c.synonym
    scope = str(syn.scope).upper()
    f["synonyms"].append(Synonym(str(syn.desc), scope if scope in SCOPES else "RELATED"))


def _xref(c: Any, f: dict[str, Any], _r: dict[str, str], _t: set[str]) -> None:
    f["xrefs"].append(str(c.xref.id))


def _is_a(c: Any, f: dict[str, Any], _r: dict[str, str], _t: set[str]) -> None:
    target = str(c.term) if hasattr(c, "term") else str(c.typedef)
    if is_term_id(target):
        f["parents"].append(target)


def relationship_of(
    relation: str, target: str, relations: dict[str, str], tags: set[str]
) -> tuple[str, str] | None:
    """(property CURIE, target) for a relationship line, or None if it is not one we keep."""
    if relation in tags or "://" in target or ":" not in target or not is_term_id(target):
        return None
    resolved = _resolve(relation, relations)
    return None if resolved is None else (resolved, target)


def _relationship(c: Any, f: dict[str, Any], relations: dict[str, str], tags: set[str]) -> None:
    rel = relationship_of(str(c.typedef), str(c.term), relations, tags)
    if rel is not None:
        f["relationships"].append(rel)


def _obsolete(c: Any, f: dict[str, Any], _r: dict[str, str], _t: set[str]) -> None:
    f["obsolete"] = f["obsolete"] or bool(c.obsolete)


def _replaced_by(c: Any, f: dict[str, Any], _r: dict[str, str], _t: set[str]) -> None:
    f["replaced_by"].append(str(c.term) if hasattr(c, "term") else str(c.typedef))


def _consider(c: Any, f: dict[str, Any], _r: dict[str, str], _t: set[str]) -> None:
    f["consider"].append(str(c.term) if hasattr(c, "term") else str(c.typedef))


_HANDLERS: dict[str, Handler] = {
    "NameClause": _name,
    "DefClause": _def,
    "SynonymClause": _synonym,
    "XrefClause": _xref,
    "IsAClause": _is_a,
    "RelationshipClause": _relationship,
    "IsObsoleteClause": _obsolete,
    "ReplacedByClause": _replaced_by,
    "ConsiderClause": _consider,
}
