"""JSON-LD with a context from the project's prefix map, one entry per named graph.

Written by hand rather than by rdflib's serializer so that the order of graphs,
nodes, keys and values is fixed (sorted), and the file is byte-stable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.export.base import BuildContext, Sink
from kg.namespaces import PREFIXES, RDF, XSD, converter

__all__ = ["JsonLdSink", "context", "dumps_indented", "render"]

_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)
#: the name rdflib gives its default graph (the build writes none; kept for a stable id)
_DEFAULT_GRAPH = "urn:x-rdflib:default"
#: a JSON string literal, as json.dumps(ensure_ascii=False) spells it (the C encoder)
_first = itemgetter(0)
_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def context() -> dict[str, Any]:
    """The JSON-LD 1.1 @context: every prefix of the project.

    OBO namespaces end in '_', which JSON-LD 1.1 does not treat as a prefix unless told
    so with "@prefix": true.
    """
    ctx: dict[str, Any] = {"@version": 1.1}
    for prefix, ns in sorted(PREFIXES.items()):
        ctx[prefix] = ns if ns[-1] in "/#:?[]@" else {"@id": ns, "@prefix": True}
    return ctx


@cache
def _compact(iri: str) -> str:
    curie = converter.compress(iri)
    return curie if curie else iri


#: indents of the fixed layout (json.dumps(indent=1)): a node's keys, its values, their fields
_KEY, _VALUE, _FIELD = "\n     ", "\n      ", "\n       "


def _value(o: ox.NamedNode | ox.BlankNode | ox.Literal) -> tuple[str, str]:
    """(sort key, JSON text) of a JSON-LD value object at its place in the file.

    The sort key is the object's json.dumps(sort_keys=True); the text is what
    json.dumps(indent=1) writes for it at the depth of a node's values.
    """
    if isinstance(o, ox.Literal):
        text = _string(o.value)
        if o.language:
            lang = _string(o.language)
            return (
                f'{{"@language": {lang}, "@value": {text}}}',
                f'{{{_FIELD}"@value": {text},{_FIELD}"@language": {lang}{_VALUE}}}',
            )
        datatype = o.datatype.value
        if datatype != _XSD_STRING:
            compact = _string(_compact(datatype))
            return (
                f'{{"@type": {compact}, "@value": {text}}}',
                f'{{{_FIELD}"@value": {text},{_FIELD}"@type": {compact}{_VALUE}}}',
            )
        return f'{{"@value": {text}}}', f'{{{_FIELD}"@value": {text}{_VALUE}}}'
    iri = _string(_compact(o.value))
    return f'{{"@id": {iri}}}', f'{{{_FIELD}"@id": {iri}{_VALUE}}}'


class JsonLdSink(Sink):
    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        path = out / "kg.jsonld"
        path.write_text(render(ctx.quads), encoding="utf-8")
        return [path]


def render(quads: Iterable[ox.Quad]) -> str:
    """The JSON-LD document of quads: byte for byte json.dumps(doc, ensure_ascii=False,
    indent=1) + "\n" of {"@context": ..., "@graph": [graph, ...]}, graphs by id, their
    nodes by id, keys sorted, each key's values sorted by their json.dumps(sort_keys=True).

    One pass groups the quads (graph -> subject -> key -> [(sort key, text)]), each distinct
    object rendered once; the fixed layout is then written directly rather than through a
    generic encoder.
    """
    graphs: dict[str, dict[str, dict[str, list[tuple[str, str]]]]] = {}
    rendered: dict[ox.NamedNode | ox.BlankNode | ox.Literal, tuple[str, str]] = {}
    for q in quads:
        g = q.graph_name
        gid = _DEFAULT_GRAPH if isinstance(g, ox.DefaultGraph) else g.value
        nodes = graphs.get(gid)
        if nodes is None:
            nodes = graphs[gid] = {}
        sid = _compact(q.subject.value)
        props = nodes.get(sid)
        if props is None:
            props = nodes[sid] = {}
        p, o = q.predicate.value, q.object
        if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
            t = _compact(o.value)
            key, value = "@type", (t, _string(t))
        else:
            key = _compact(p)
            value = rendered.get(o)  # type: ignore[assignment]
            if value is None:
                value = rendered[o] = _value(o)
        values = props.get(key)
        if values is None:
            props[key] = [value]
        else:
            values.append(value)
    text: list[str] = ['{\n "@context": ']
    _emit(context(), "\n ", text)
    text.append(',\n "@graph": [')
    graph_sep = "\n  "
    for gid, nodes in sorted(graphs.items()):
        text.append(f'{graph_sep}{{\n   "@id": {_string(_compact(gid))},\n   "@graph": [')
        node_sep = "\n    "
        for sid, props in sorted(nodes.items()):
            text.append(f'{node_sep}{{{_KEY}"@id": {_string(sid)}')
            for key, values in sorted(props.items()):
                values.sort(key=_first)
                text.append(f",{_KEY}{_string(key)}: [")
                text.append(",".join([_VALUE + v for _, v in values]))
                text.append(f"{_KEY}]")
            text.append("\n    }")
            node_sep = ",\n    "
        text.append("\n   ]\n  }")
        graph_sep = ",\n  "
    text.append("\n ]\n}\n" if graphs else "]\n}\n")
    return "".join(text)


def dumps_indented(doc: Any) -> str:
    """json.dumps(doc, ensure_ascii=False, indent=1), byte for byte, several times faster.

    With an indent, the json module falls back to its pure-Python, generator-based encoder,
    which took most of this sink's time. doc holds dicts, lists, str, bool, int, float, None
    (dict keys are str).
    """
    out: list[str] = []
    _emit(doc, "\n", out)
    return "".join(out)


def _emit(o: Any, newline: str, out: list[str]) -> None:
    """Append o's JSON to out; newline is '\n' plus the indent of the line o starts on."""
    if isinstance(o, str):
        out.append(_string(o))
    elif isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        inner = newline + " "
        sep = "{" + inner
        for k, v in o.items():
            out.append(sep + _string(k) + ": ")
            _emit(v, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif isinstance(o, list):
        if not o:
            out.append("[]")
            return
        inner = newline + " "
        sep = "[" + inner
        for v in o:
            out.append(sep)
            _emit(v, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    else:  # True/False/None/int/float: the json module's own spelling
        out.append(json.dumps(o))
