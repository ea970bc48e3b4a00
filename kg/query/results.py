"""SPARQL 1.1 results documents (JSON, XML, CSV, TSV) from solutions already in hand.

The endpoint reads at most `max_rows` solutions before it answers (a streaming
serializer could not stop at the cap and still report it), so it encodes the rows
it holds with these writers. Their output parses to the same solutions as
Oxigraph's own serializers; tests/test_server.py checks that on every named query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

__all__ = ["ENCODERS", "Encoder", "Row", "Term"]

Term = NamedNode | BlankNode | Literal | Triple
Row = Sequence[Term | None]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: datatypes TSV may write bare (Turtle's short forms), with the lexical forms that allow it
_TSV_BARE = {
    _XSD + "integer": re.compile(r"[+-]?\d+"),
    _XSD + "decimal": re.compile(r"[+-]?\d*\.\d+"),
    _XSD + "boolean": re.compile(r"true|false"),
}
_XML_HEAD = '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'


@dataclass(frozen=True)
class Encoder:
    """A results format: the Content-Type it answers with, and its two writers."""

    content_type: str
    solutions: Callable[[Sequence[str], Sequence[Row]], bytes]
    boolean: Callable[[bool], bytes]


# ---- JSON (built as text: json.dumps on nested dicts costs more than the query) -----------

_q = encode_basestring  # a JSON string literal, non-ASCII kept as is


def _json_term(term: Term) -> str:
    kind = type(term)
    if kind is NamedNode:
        return '{"type":"uri","value":' + _q(term.value) + "}"
    if kind is Literal:
        value = _q(term.value)
        language = term.language
        if language:
            out = '{"type":"literal","value":' + value + ',"xml:lang":' + _q(language)
            direction = term.direction
            if direction is not None:
                out += ',"its:dir":' + _q(str(direction))
            return out + "}"
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return '{"type":"literal","value":' + value + "}"
        return '{"type":"literal","value":' + value + ',"datatype":' + _q(datatype) + "}"
    if kind is BlankNode:
        return '{"type":"bnode","value":' + _q(term.value) + "}"
    return (
        '{"type":"triple","value":{"subject":' + _json_term(term.subject)
        + ',"predicate":' + _json_term(term.predicate)
        + ',"object":' + _json_term(term.object) + "}}"
    )  # fmt: skip


def _json_solutions(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    keys = [_q(name) + ":" for name in names]
    bindings = ",".join(
        "{" + ",".join(k + _json_term(t) for k, t in zip(keys, row, strict=True) if t is not None)
        + "}"
        for row in rows
    )  # fmt: skip
    head = '{"head":{"vars":[' + ",".join(_q(n) for n in names) + ']},"results":{"bindings":['
    return (head + bindings + "]}}").encode("utf-8")


def _json_boolean(value: bool) -> bytes:
    return b'{"head":{},"boolean":true}' if value else b'{"head":{},"boolean":false}'


# ---- XML ----------------------------------------------------------------------------

_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"})


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{term.value.translate(_XML_ESCAPES)}</uri>"
    if isinstance(term, Literal):
        value = term.value.translate(_XML_ESCAPES)
        if term.language:
            return f'<literal xml:lang="{term.language.translate(_XML_ESCAPES)}">{value}</literal>'
        if term.datatype.value != _XSD_STRING:
            dt = term.datatype.value.translate(_XML_ESCAPES)
            return f'<literal datatype="{dt}">{value}</literal>'
        return f"<literal>{value}</literal>"
    if isinstance(term, BlankNode):
        return f"<bnode>{term.value.translate(_XML_ESCAPES)}</bnode>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _xml_solutions(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    parts = [_XML_HEAD, "<head>"]
    parts += [f'<variable name="{n}"/>' for n in names]
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        for name, term in zip(names, row, strict=True):
            if term is not None:
                parts.append(f'<binding name="{name}">{_xml_term(term)}</binding>')
        parts.append("</result>")
    parts.append("</results></sparql>")
    return "".join(parts).encode("utf-8")


def _xml_boolean(value: bool) -> bytes:
    return f"{_XML_HEAD}<head></head><boolean>{str(value).lower()}</boolean></sparql>".encode()


# ---- CSV and TSV --------------------------------------------------------------------


def _csv_field(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, NamedNode | Literal):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in '",\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_solutions(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = [",".join(names)]
    lines += [",".join(_csv_field(term) for term in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _csv_boolean(value: bool) -> bytes:
    return b"true" if value else b"false"


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_field(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return f"<{term.value}>"
    if isinstance(term, Literal):
        dt = term.datatype.value
        bare = _TSV_BARE.get(dt)
        if bare is not None and bare.fullmatch(term.value):
            return term.value
        quoted = f'"{term.value.translate(_TSV_ESCAPES)}"'
        if term.language:
            return f"{quoted}@{term.language}"
        return quoted if dt == _XSD_STRING else f"{quoted}^^<{dt}>"
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return str(term)


def _tsv_solutions(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join(_tsv_field(term) for term in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


#: media type -> encoder; the endpoint negotiates among these for SELECT and ASK.
ENCODERS: dict[str, Encoder] = {
    "application/sparql-results+json": Encoder(
        "application/sparql-results+json", _json_solutions, _json_boolean
    ),
    "application/sparql-results+xml": Encoder(
        "application/sparql-results+xml", _xml_solutions, _xml_boolean
    ),
    "text/csv": Encoder("text/csv; charset=utf-8", _csv_solutions, _csv_boolean),
    "text/tab-separated-values": Encoder(
        "text/tab-separated-values; charset=utf-8", _tsv_solutions, _csv_boolean
    ),
}
