"""Deterministic RDF text without an RDF library: sorted Turtle modules and N-Triples lines.

Modules are small and reviewed in diffs, so they are written as sorted Turtle,
one predicate-object pair per line, prefixed names from the project prefix map
(kg/namespaces.py) where the local part is a valid Turtle name, full IRIs
otherwise. The full merge writes N-Triples directly from strings (rdflib's
`Graph.add` is far too slow at a million triples). Both escape literals per the
N-Triples/Turtle grammar: backslash, quote, CR, LF, TAB, BS, FF and other
control characters (as \\uXXXX).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from kg.namespaces import PREFIXES
from kg.ontology.triples import Lit, Obj, Triple

__all__ = ["escape", "nt_line", "term_nt", "turtle"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


_ESCAPES = {
    ord("\\"): "\\\\",
    ord('"'): '\\"',
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    ord("\b"): "\\b",
    ord("\f"): "\\f",
}
for _c in [*range(0x00, 0x20), 0x7F]:
    _ESCAPES.setdefault(_c, f"\\u{_c:04X}")
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")


def escape(text: str) -> str:
    """A string's body inside double quotes, escaped for N-Triples and Turtle."""
    return text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def _iri(iri: str) -> str:
    if _BAD_IRI_CHARS.search(iri):
        iri = _BAD_IRI_CHARS.sub(lambda m: f"%{ord(m.group(0)):02X}", iri)
    return f"<{iri}>"


def term_nt(node: Obj) -> str:
    """One node in N-Triples syntax."""
    if isinstance(node, Lit):
        if node.datatype is None or node.datatype == XSD_STRING:
            return f'"{escape(node.value)}"'
        return f'"{escape(node.value)}"^^{_iri(node.datatype)}'
    return _iri(node)


def nt_line(triple: Triple) -> str:
    s, p, o = triple
    return f"{_iri(s)} {_iri(p)} {term_nt(o)} .\n"


#: (the per-kind `il2kg.<kind>` prefixes name property-graph ids; module files keep writing
#: the project's own IRIs in full, so committed modules stay byte for byte as extracted)
_NAMESPACES = sorted(
    ((p, ns) for p, ns in PREFIXES.items() if not p.startswith("il2kg.")),
    key=lambda kv: -len(kv[1]),
)


@lru_cache(maxsize=65536)
def _prefixed(iri: str) -> tuple[str, str] | None:
    for prefix, ns in _NAMESPACES:
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns) :]):
            return prefix, f"{prefix}:{iri[len(ns) :]}"
    return None


def _ttl(node: Obj, used: set[str]) -> str:
    if isinstance(node, Lit):
        if node.datatype is None or node.datatype == XSD_STRING:
            return f'"{escape(node.value)}"'
        return f'"{escape(node.value)}"^^{_ttl(node.datatype, used)}'
    if node == RDF_TYPE:
        return "a"
    hit = _prefixed(node)
    if hit is None:
        return _iri(node)
    used.add(hit[0])
    return hit[1]


_FIRST = {RDF_TYPE: 0, "http://www.w3.org/2000/01/rdf-schema#label": 1}


def _order(triple: Triple) -> tuple[str, int, str, int, str, str]:
    """Subject, then rdf:type, rdfs:label, other predicates by IRI; IRIs before literals."""
    s, p, o = triple
    rank = _FIRST.get(p, 2)
    if isinstance(o, Lit):
        return (s, rank, p, 1, o.value, o.datatype or "")
    return (s, rank, p, 0, o, "")


def turtle(triples: Iterable[Triple], comment: str = "") -> str:
    """Sorted, duplicate-free Turtle: same triples in, same bytes out."""
    ordered = sorted(set(triples), key=_order)
    used: set[str] = set()
    body: list[str] = []
    current: str | None = None
    for s, p, o in ordered:
        if s != current:
            if current is not None:
                body[-1] = body[-1][:-3] + " .\n\n"
            body.append(f"{_ttl(s, used)}\n")
            current = s
        body.append(f"    {_ttl(p, used)} {_ttl(o, used)} ;\n")
    if body:
        body[-1] = body[-1][:-3] + " .\n"
    head = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines())
    prefixes = "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(used))
    return head + ("\n" if head else "") + prefixes + ("\n" if prefixes else "") + "".join(body)
