"""JSON-LD with a context from the project's prefix map, one entry per named graph.

Written by hand rather than by rdflib's serializer so that the order of graphs,
nodes, keys and values is fixed (sorted), and the file is byte-stable.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.export.base import BuildContext, Sink
from kg.namespaces import PREFIXES, RDF, XSD, converter

__all__ = ["JsonLdSink", "context", "dumps_indented"]

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


def _value(o: ox.NamedNode | ox.BlankNode | ox.Literal) -> tuple[dict[str, Any], str]:
    """(JSON-LD value object, its sort key): the key is the object's json.dumps(sort_keys=True)."""
    if isinstance(o, ox.Literal):
        text = o.value
        if o.language:
            lang = o.language
            return {"@value": text, "@language": lang}, (
                f'{{"@language": {_string(lang)}, "@value": {_string(text)}}}'
            )
        datatype = o.datatype.value
        if datatype != _XSD_STRING:
            compact = _compact(datatype)
            return {"@value": text, "@type": compact}, (
                f'{{"@type": {_string(compact)}, "@value": {_string(text)}}}'
            )
        return {"@value": text}, f'{{"@value": {_string(text)}}}'
    iri = _compact(o.value)
    return {"@id": iri}, f'{{"@id": {_string(iri)}}}'


class JsonLdSink(Sink):
    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        # graph -> subject -> key -> [(sort key, value)], from the quads the RDF sinks share
        graphs: dict[str, dict[str, dict[str, list[tuple[str, Any]]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(list))
        )
        for q in ctx.quads:
            g = q.graph_name
            gid = _DEFAULT_GRAPH if isinstance(g, ox.DefaultGraph) else g.value
            s, p, o = q.subject, q.predicate.value, q.object
            if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
                t = _compact(o.value)
                graphs[gid][_compact(s.value)]["@type"].append((t, t))
            else:
                value, key = _value(o)
                graphs[gid][_compact(s.value)][_compact(p)].append((key, value))
        doc = {
            "@context": context(),
            "@graph": [
                {
                    "@id": _compact(gid),
                    "@graph": [
                        {
                            "@id": sid,
                            **{
                                k: [v for _, v in sorted(vs, key=_first)]
                                for k, vs in sorted(props.items())
                            },
                        }
                        for sid, props in sorted(nodes.items())
                    ],
                }
                for gid, nodes in sorted(graphs.items())
            ],
        }
        path = out / "kg.jsonld"
        path.write_text(dumps_indented(doc) + "\n", encoding="utf-8")
        return [path]


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
