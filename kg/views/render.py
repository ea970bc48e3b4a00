"""View -> one self-contained HTML page: pyvis builds the vis-network data, our template the page.

Why our own template: pyvis's template loads vis-network and Bootstrap from CDNs (even with
`cdn_resources='in_line'`) and passes tooltips as HTML strings. Ours inlines the vendored
vis-network (kg/views/assets, pinned 9.1.2), embeds the graph as escaped JSON, builds every
tooltip with `textContent` in view.js, and sets a Content-Security-Policy that allows only its
own two scripts (by hash) and no network access at all, so a `file://` page makes no request
and a label such as `<img src=x onerror=...>` is shown as text, never run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kg import __version__
from kg.property_graph.graph import Edge, Node, PropertyGraph
from kg.views.layout import spring_layout
from kg.views.select import View
from kg.views.style import NEGATED_COLOUR, category_style

__all__ = ["LARGE_GRAPH", "VIS_NETWORK_VERSION", "render"]

HERE = Path(__file__).parent
ASSETS = HERE / "assets"
TEMPLATES = HERE / "templates"
VIS_NETWORK_VERSION = "9.1.2"
#: above this many nodes: no edge labels, straight edges, simpler shapes, no hierarchy layout
LARGE_GRAPH = 1000
LABEL_MAX = 48
#: node properties shown elsewhere in the tooltip, or internal
HIDDEN_PROPERTIES = {"definition", "synonyms", "xrefs"}


def render(view: View) -> str:
    """The whole HTML page of a view (deterministic: the same view gives the same bytes)."""
    from pyvis.network import Network  # heavy import, only when a view is rendered

    g = view.graph
    large = len(g.nodes) > LARGE_GRAPH
    hierarchical = view.hierarchical and not large
    positions = {} if hierarchical else spring_layout(
        [n.id for n in g.nodes], [(e.source, e.target) for e in g.edges],
        spacing=60.0 if large else 170.0,
    )  # fmt: skip
    net = Network(directed=True, heading=view.title, cdn_resources="in_line")
    for node in g.nodes:
        net.add_node(node.id, **_node(node, positions.get(node.id)))
    for edge, smooth in zip(g.edges, _curvature(g.edges, large), strict=True):
        net.add_edge(edge.source, edge.target, **_edge(edge, view.source_names, smooth, large))
    for item in net.nodes:  # pyvis gives every node shape "dot"; the category group decides
        item.pop("shape", None)
    for item in net.edges:  # pyvis adds arrows to each edge; the options set them once
        item.pop("arrows", None)
    net.options = _options(large, hierarchical, _groups(g, large))
    net.set_template_dir(str(TEMPLATES), "view.html")
    env = net.templateEnv
    env.autoescape = True
    vis_js = _asset("vis-network.min.js", strip_source_map=True)
    app_js = _asset("view.js")
    meta = {
        "title": view.title,
        "subtitle": view.subtitle,
        "slug": view.slug,
        "large": large,
        "legend": _legend(g, large),
        "counts": {"nodes": len(g.nodes), "edges": len(g.edges)},
    }
    env.globals.update(
        subtitle=view.subtitle,
        generator=f"il2-sle-kg {__version__}; vis-network {VIS_NETWORK_VERSION}",
        css=Markup(_asset("view.css")),
        vis_js=Markup(vis_js),
        app_js=Markup(app_js),
        csp=Markup(_csp(vis_js, app_js)),  # our own constant text and base64 digests
        payload=lambda nodes, edges, options: script_json(
            {"meta": meta, "nodes": nodes, "edges": edges, "options": json.loads(options)}
        ),
    )
    return net.generate_html(name=f"{view.slug}.html")


def script_json(value: object) -> Markup:
    """JSON that is safe inside <script type="application/json">: no <, >, & or line separators."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(char, escape)
    return Markup(text)


def _asset(name: str, *, strip_source_map: bool = False) -> str:
    text = (ASSETS / name).read_text("utf-8")
    if strip_source_map:  # the .map file is not shipped; the comment would point at nothing
        text = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", text)
    if re.search(r"</script|<!--", text, re.IGNORECASE):
        raise AssertionError(f"{name} cannot be inlined in a <script> element")
    return text


def _csp(*scripts: str) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in scripts
    )
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return "; ".join(map(str, value))
    return str(value)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1].rstrip() + "…"


def _node(node: Node, position: tuple[float, float] | None) -> dict[str, Any]:
    curated = "curation_status" in node.properties
    props = node.properties
    info = {
        "id": node.id,
        "iri": node.iri,
        "name": node.name,
        "category": node.category,
        "labels": list(node.labels),
        "definition": _text(props.get("definition", "")),
        "synonyms": list(props.get("synonyms", ()) or ()),  # type: ignore[arg-type]
        "xrefs": list(props.get("xrefs", ()) or ()),  # type: ignore[arg-type]
        "properties": [[k, _text(v)] for k, v in sorted(props.items())
                       if k not in HIDDEN_PROPERTIES],
    }  # fmt: skip
    out: dict[str, Any] = {
        "label": _short(node.name) or node.id,
        "group": node.category,  # shape and colour come from the group (options.groups)
        "category": node.category,
        "info": info,
    }
    if curated:
        out["borderWidth"] = 2
    if position is not None:
        out["x"], out["y"] = position
    return out


def _edge(edge: Edge, names: dict[str, str], smooth: object, large: bool) -> dict[str, Any]:
    props = edge.properties
    text = ("NOT " if edge.negated else "") + edge.label
    evidence = [
        {
            "source": source,
            "source_name": names.get(source, ""),
            "eco": _at(props.get("eco_codes"), i),
            "quote": _at(props.get("quotes"), i),
            "locator": _at(props.get("locators"), i),
        }
        for i, source in enumerate(_list(props.get("sources")))
    ]
    qualifiers = [[k.removeprefix("qualifier_").replace("_", " "), _text(v)]
                  for k, v in sorted(props.items()) if k.startswith("qualifier_")]  # fmt: skip
    status = str(props.get("status", ""))
    out: dict[str, Any] = {
        "id": edge.id,
        "text": text,
        "info": {
            "id": edge.id,
            "label": edge.label,
            "type": edge.type,
            "predicate": edge.predicate,
            "negated": edge.negated,
            "status": status,
            "statement": str(props.get("statement", "")),
            "note": _text(props.get("note", "")),
            "evidence": evidence,
            "qualifiers": qualifiers,
        },
    }
    if not large:
        out["label"] = text
    if smooth:
        out["smooth"] = smooth
    if edge.negated:
        out.update(
            color={"color": NEGATED_COLOUR, "highlight": NEGATED_COLOUR, "hover": NEGATED_COLOUR},
            dashes=[8, 6],
            width=2,
            font={"color": NEGATED_COLOUR},
        )
    elif status and status != "verified":
        out.update(dashes=[2, 5])
    elif "statement" in props:
        out["width"] = 2
    return out


def _list(value: object) -> list[str]:
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return [] if value in (None, "") else [str(value)]


def _at(value: object, i: int) -> str:
    items = _list(value)
    return items[i] if i < len(items) else ""


def _curvature(edges: tuple[Edge, ...], large: bool) -> list[object]:
    """Straight edges, except that parallel edges between one pair bend apart."""
    groups: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, e in enumerate(edges):
        groups[frozenset((e.source, e.target))].append(i)
    out: list[object] = [False] * len(edges)
    if large:
        return out
    for members in groups.values():
        if len(members) < 2:
            continue
        for k, i in enumerate(members):
            e = edges[i]
            clockwise = (k % 2 == 0) == (e.source < e.target)
            out[i] = {
                "enabled": True,
                "type": "curvedCW" if clockwise else "curvedCCW",
                "roundness": round(0.18 * (k // 2 + 1), 2),
            }
    return out


def _legend(g: PropertyGraph, large: bool) -> list[dict[str, object]]:
    counts: dict[str, int] = defaultdict(int)
    for n in g.nodes:
        counts[n.category] += 1
    legend = []
    for category, count in sorted(counts.items()):
        style = category_style(category, large=large)
        legend.append(
            {"category": category, "colour": style.colour, "shape": style.shape, "count": count}
        )
    return legend


def _groups(g: PropertyGraph, large: bool) -> dict[str, dict[str, object]]:
    """One vis-network group per category: shape, colours, font colour."""
    groups: dict[str, dict[str, object]] = {}
    for category in sorted({n.category for n in g.nodes}):
        style = category_style(category, large=large)
        colour = style.colour
        group: dict[str, object] = {
            "shape": style.shape,
            "color": {
                "background": colour,
                "border": "#555555",
                "highlight": {"background": colour, "border": "#000000"},
                "hover": {"background": colour, "border": "#000000"},
            },
            "font": {"color": style.font},
        }
        if style.shape == "database":  # a database is as tall as its label is wide
            group["widthConstraint"] = {"maximum": 110}
        groups[category] = group
    return groups


def _options(
    large: bool, hierarchical: bool, groups: dict[str, dict[str, object]]
) -> dict[str, object]:
    """vis-network options: physics off (positions are precomputed), tuned if switched on."""
    layout: dict[str, object] = {"improvedLayout": False, "randomSeed": 1}
    if hierarchical:
        layout["hierarchical"] = {
            "enabled": True,
            "direction": "RL",
            "sortMethod": "directed",
            "shakeTowards": "roots",
            "levelSeparation": 270,
            "nodeSpacing": 42,
            "treeSpacing": 80,
        }
    return {
        "autoResize": True,
        "groups": groups,
        "layout": layout,
        "physics": {
            "enabled": False,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -4000,
                "springLength": 150,
                "springConstant": 0.03,
                "damping": 0.6,
                "avoidOverlap": 0.2,
            },
            "minVelocity": 1.5,
            "timestep": 0.4,
            "adaptiveTimestep": True,
            "stabilization": {"enabled": False},
        },
        "interaction": {
            "hover": True,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "multiselect": False,
            "navigationButtons": False,
            "keyboard": False,
        },
        "nodes": {
            "font": {"size": 14, "face": "system-ui, sans-serif"},
            "margin": 8,
            "size": 8 if large else 14,
            **({} if large else {"widthConstraint": {"maximum": 220}}),
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
            "color": {"color": "#9a9a9a", "highlight": "#333333", "hover": "#333333",
                      "opacity": 0.45 if large else 1.0},
            "font": {"size": 11, "align": "middle", "color": "#444444", "strokeWidth": 3,
                     "strokeColor": "#ffffff", "face": "system-ui, sans-serif"},
            "smooth": False,
            "width": 1.2,
            "selectionWidth": 1.5,
        },
    }  # fmt: skip
