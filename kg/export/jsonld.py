"""JSON-LD with a context from the project's prefix map, one entry per named graph.

Written by hand rather than by rdflib's serializer so that the order of graphs,
nodes, keys and values is fixed (sorted), and the file is byte-stable.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.export.base import BuildContext, Sink
from kg.namespaces import PREFIXES, RDF, XSD, converter

__all__ = ["JsonLdSink", "context"]


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


def _value(o: Node) -> dict[str, Any]:
    if isinstance(o, Literal):
        v: dict[str, Any] = {"@value": str(o)}
        if o.language:
            v["@language"] = o.language
        elif o.datatype and o.datatype != XSD.string:
            v["@type"] = _compact(str(o.datatype))
        return v
    return {"@id": _compact(str(o))}


def _sort_key(v: dict[str, Any]) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


class JsonLdSink(Sink):
    def write(self, ctx: BuildContext, out: Path) -> list[Path]:
        graphs: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(list))
        )
        for s, p, o, g in ctx.dataset.quads((None, None, None, None)):
            gid = str(g.identifier if hasattr(g, "identifier") else g)
            key = "@type" if p == RDF.type and isinstance(o, URIRef) else _compact(str(p))
            value: Any = _compact(str(o)) if key == "@type" else _value(o)
            graphs[gid][_compact(str(s))][key].append(value)
        doc = {
            "@context": context(),
            "@graph": [
                {
                    "@id": _compact(gid),
                    "@graph": [
                        {
                            "@id": sid,
                            **{k: sorted(v, key=_sort_json) for k, v in sorted(props.items())},
                        }
                        for sid, props in sorted(nodes.items())
                    ],
                }
                for gid, nodes in sorted(graphs.items())
            ],
        }
        path = out / "kg.jsonld"
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return [path]


def _sort_json(v: Any) -> str:
    return v if isinstance(v, str) else _sort_key(v)
