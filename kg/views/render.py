"""View -> one self-contained HTML page: the vis-network data as JSON in our Jinja2 template.

Why no pyvis: its template loads vis-network and Bootstrap from CDNs (even with
`cdn_resources='in_line'`), passes tooltips as HTML strings, and importing it cost more than
rendering every page; the node and edge dicts are plain data built here. Ours inlines the vendored
vis-network (kg/views/assets, pinned 9.1.2), embeds the graph as escaped JSON, builds every
tooltip with `textContent` in view.js, and sets a Content-Security-Policy that allows only its
own two scripts (by hash) and no network access at all, so a `file://` page makes no request
and a label such as `<img src=x onerror=...>` is shown as text, never run.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, FileSystemLoader, Template
from markupsafe import Markup

from kg import __version__
from kg.property_graph.graph import Edge, Node, PropertyGraph
from kg.views.layout import (
    LayoutRequest,
    Position,
    clustered_layout,
    spring_layouts,
    trial_parts,
)
from kg.views.resultstable import results_table
from kg.views.select import TRIAL_PARTS, View
from kg.views.style import NEGATED_COLOUR, category_style
from kg.views.trialdata import Evidence

__all__ = [
    "LARGE_GRAPH",
    "VIS_NETWORK_VERSION",
    "PageLayout",
    "page_layouts",
    "render",
    "render_page",
]

HERE = Path(__file__).parent
ASSETS = HERE / "assets"
TEMPLATES = HERE / "templates"
VIS_NETWORK_VERSION = "9.1.2"
#: above this many nodes: no edge labels, straight edges, simpler shapes, no hierarchy layout
LARGE_GRAPH = 1000
LABEL_MAX = 90
#: up to this many edges every edge is labelled; above, only curated statements (toggle: all)
ALL_EDGE_LABELS = 40
#: the page opens at least this zoomed in: labels drawn at READABLE_PX pixels or more
READABLE_PX = 11.2
#: node label size (canvas px at zoom 1); the overview's is larger, so it opens zoomed out more
BASE_FONT = 14
OVERVIEW_FONT = 20
#: how edges look, for the legend (style names match view.css's .kg-line classes)
EDGE_LEGEND = [
    {"style": "statement", "text": "curated statement with evidence (thick)"},
    {"style": "relation", "text": "relation between records (trial has arm, result measures…)"},
    {"style": "negated", "text": "NOT: negated finding (dashed red)"},
    {"style": "unverified", "text": "statement not verified (dotted)"},
]
#: node properties shown elsewhere in the tooltip, or internal
HIDDEN_PROPERTIES = {"definition", "synonyms", "xrefs"}
EVIDENCE_PROPERTIES = {"sources", "eco_codes", "quotes", "locators"}
#: the group (shape, colour, legend entry) of a result that compares two arms
COMPARISON_GROUP = "StudyResult (comparison)"


#: a page's layout: node positions (px) and the headings of the blocks of unconnected nodes
PageLayout = tuple[dict[str, Position], list[dict[str, object]]]


def page_layouts(views: Sequence[View]) -> list[PageLayout]:
    """The layout of each view, as `render` would compute it alone (the same positions).

    Why: the force layouts of many small pages (one per trial) cost mostly numpy's per-call
    overhead; `spring_layouts` runs the pages' rounds together.
    """
    out: list[PageLayout] = [({}, []) for _ in views]
    requests: list[LayoutRequest] = []
    spring: list[int] = []
    for k, view in enumerate(views):
        request = _spring_request(view)
        if request is not None:
            requests.append(request)
            spring.append(k)
        elif _is_clustered(view):
            out[k] = clustered_layout(view.graph, TRIAL_PARTS, spacing=150.0)
    for k, positions in zip(spring, spring_layouts(requests), strict=True):
        out[k] = (positions, [])
    return out


def _is_large(view: View) -> bool:
    return len(view.graph.nodes) > LARGE_GRAPH


def _is_clustered(view: View) -> bool:
    """Whether the view is drawn as the overview's clusters (`clustered_layout`)."""
    return view.clustered and not _is_large(view) and not view.hierarchical


def _spring_request(view: View) -> LayoutRequest | None:
    """The view's force layout, unless vis-network lays it out as a hierarchy or clusters."""
    g, large = view.graph, _is_large(view)
    if (view.hierarchical and not large) or _is_clustered(view):
        return None
    return LayoutRequest(
        [n.id for n in g.nodes], [(e.source, e.target) for e in g.edges], 60.0 if large else 170.0
    )


def render(view: View, layout: PageLayout | None = None) -> str:
    """The whole HTML page of a view (deterministic: the same view gives the same bytes).

    layout: the view's `page_layouts` entry, if computed with other pages' (else computed here).
    """
    return render_page(view, layout).decode("utf-8")


def render_page(view: View, layout: PageLayout | None = None) -> bytes:
    """`render`'s page as UTF-8 bytes, as written to a file.

    Why bytes: the vendored vis-network is most of every page (about half a megabyte). It is
    encoded once per process and joined to each page's own encoded text, instead of being
    copied into each page's string (widened to two bytes a character when a label holds a
    character beyond Latin-1) and encoded again.
    """
    text = _page_text(view, layout)
    head, marker, tail = text.partition(VIS_NETWORK_MARKER)
    if not marker or VIS_NETWORK_MARKER in tail:  # not our template: encode as it is
        return text.encode("utf-8")
    return b"".join((head.encode("utf-8"), _vis_network_bytes(), tail.encode("utf-8")))


#: where the page template puts vis-network; it contains "<", which autoescaping turns into
#: "&lt;" and script_json into "\u003c", so no value from the graph can spell it
VIS_NETWORK_MARKER = "<kg-vis-network/>"


def _page_text(view: View, layout: PageLayout | None) -> str:
    """The page with VIS_NETWORK_MARKER where vis-network goes."""
    g = view.graph
    large = _is_large(view)
    hierarchical = view.hierarchical and not large
    positions, annotations = layout if layout is not None else page_layouts([view])[0]
    clusters = _clusters(g, view.display_names) if _is_clustered(view) else []
    names = view.display_names
    nodes = [
        _node(n, positions.get(n.id), names.get(n.id), view.node_evidence.get(n.id))
        for n in g.nodes
    ]
    all_labels = len(g.edges) <= ALL_EDGE_LABELS
    edges = [_edge(e, view.source_names, smooth, large, all_labels)
             for e, smooth in zip(g.edges, _curvature(g.edges, large), strict=True)]  # fmt: skip
    options = _options(large, hierarchical, _groups(g, large, names))
    font = OVERVIEW_FONT if clusters else BASE_FONT
    options["nodes"]["font"]["size"] = font  # type: ignore[index]
    _, app_js, css, csp = _page_assets()
    meta = {
        "title": view.title,
        "subtitle": view.subtitle,
        "slug": view.slug,
        "large": large,
        "legend": _legend(g, large, names),
        "edge_legend": EDGE_LEGEND,
        "annotations": annotations,
        "clusters": clusters,
        "readable_scale": round(READABLE_PX / font, 3),
        "focus": _focus(positions, annotations),
        "focus_node": _hub(g, _clustered_ids(clusters)) if hierarchical or clusters else None,
        "results_page": view.results_page,
        "result_sources": _used_sources(view),
        "counts": {"nodes": len(g.nodes), "edges": len(g.edges)},
    }
    return _template("view.html").render(
        heading=view.title,
        subtitle=view.subtitle,
        nav=view.nav,
        results=results_table(view.trial) if view.trial else None,
        generator=f"il2-sle-kg {__version__}; vis-network {VIS_NETWORK_VERSION}",
        css=css,
        vis_js=Markup(VIS_NETWORK_MARKER),
        app_js=app_js,
        csp=csp,
        payload=script_json({"meta": meta, "nodes": nodes, "edges": edges, "options": options}),
    )


def _clusters(g: PropertyGraph, names: dict[str, str]) -> list[dict[str, Any]]:
    """Each trial with its parts, for view.js to draw collapsed as one node (click opens it)."""
    members: dict[str, list[str]] = defaultdict(list)
    for part, trial in trial_parts(g, TRIAL_PARTS).items():
        members[trial].append(part)
    out = []
    for trial, parts in sorted(members.items()):
        node = g.node(trial)
        results = sum(1 for p in parts if (n := g.node(p)) and n.category == "StudyResult")
        name = names.get(trial) or (node.name if node else trial)
        out.append({
            "trial": trial,
            "members": sorted(parts),
            "label": f"{name}\n{len(parts)} parts, {results} results ▸ click to open",
        })  # fmt: skip
    return out


def _used_sources(view: View) -> dict[str, str]:
    """The view's evidence sources that report trial results -> one such result's node id."""
    if not view.results_page:
        return {}
    used = {
        s
        for item in (*view.graph.edges, *view.graph.nodes)
        for s in _list(item.properties.get("sources"))
    }
    used |= {ev.source for items in view.node_evidence.values() for ev in items}
    return {s: r for s, r in sorted(view.result_sources.items()) if s in used}


def _clustered_ids(clusters: list[dict[str, Any]]) -> set[str]:
    """Every trial and part of the overview's clusters (the overview opens on the biology)."""
    return {m for c in clusters for m in (c["trial"], *c["members"])}


def _hub(g: PropertyGraph, hidden: set[str]) -> str | None:
    """The node with the most edges (ties: smallest id), not one drawn inside a cluster:
    where a hierarchy or the overview opens."""
    degree: dict[str, int] = defaultdict(int)
    for e in g.edges:
        for end in (e.source, e.target):
            if end not in hidden:
                degree[end] += 1
    return min(degree, key=lambda n: (-degree[n], n)) if degree else None


def _focus(
    positions: dict[str, tuple[float, float]], annotations: list[dict[str, object]]
) -> list[float] | None:
    """Where the page opens: the middle of the connected drawing (not the blocks below it)."""
    if not positions:
        return None
    tops = [float(a["y"]) for a in annotations]  # type: ignore[arg-type]
    limit = min(tops) if tops else math.inf
    points = [(x, y) for x, y in positions.values() if y < limit] or list(positions.values())
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return [round((min(xs) + max(xs)) / 2, 1), round((min(ys) + max(ys)) / 2, 1)]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """Jinja2 with autoescaping on: every value from the graph is escaped in the markup."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        keep_trailing_newline=True,
        auto_reload=False,  # the templates are package files: no stat() per page
    )
    # `x is web`: only http(s) addresses become links (never javascript: or data:)
    env.tests["web"] = lambda value: (
        isinstance(value, str) and value.startswith(("http://", "https://"))
    )
    return env


@cache
def _template(name: str) -> Template:
    """A template compiled once per process (every page of a build reuses it)."""
    return _environment().get_template(name)


@lru_cache(maxsize=1)
def _page_assets() -> tuple[Markup, Markup, Markup, Markup]:
    """(vis-network, view.js, view.css, the CSP with both scripts' hashes), read once.

    Why cached: each is the same for every page, and reading, checking and hashing the
    half-megabyte vis-network per page cost more than laying out a trial's graph.
    """
    vis_js = _asset("vis-network.min.js", strip_source_map=True)
    app_js = _asset("view.js")
    # _csp: our own constant text and base64 digests
    return Markup(vis_js), Markup(app_js), Markup(_asset("view.css")), Markup(_csp(vis_js, app_js))


@lru_cache(maxsize=1)
def _vis_network_bytes() -> bytes:
    return str(_page_assets()[0]).encode("utf-8")


def script_json(value: object) -> Markup:
    """JSON that is safe inside <script type="application/json">: no <, >, & or line separators.

    Compact, keys sorted, non-ASCII text as is: byte for byte what
    `json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))` writes for
    the values a page holds (text, ints, booleans, None, floats rounded for display), which
    tests/test_views.py checks on generated values. Why orjson: the standard encoder was the
    largest cost of rendering a page after the layout (every node and edge carries its
    tooltip data), and orjson writes the same text several times faster.
    """
    text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
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


def _node(
    node: Node,
    position: tuple[float, float] | None,
    display: str | None,
    evidence: tuple[Evidence, ...] | None = None,
) -> dict[str, Any]:
    curated = "curation_status" in node.properties
    props = node.properties
    name = display or node.name
    info = {
        "id": node.id,
        "iri": node.iri,
        "name": name,
        "label": node.name,
        "category": node.category,
        "labels": list(node.labels),
        "definition": _text(props.get("definition", "")),
        "synonyms": list(props.get("synonyms", ()) or ()),  # type: ignore[arg-type]
        "xrefs": list(props.get("xrefs", ()) or ()),  # type: ignore[arg-type]
        "properties": [[k, _text(v)] for k, v in sorted(props.items())
                       if k not in HIDDEN_PROPERTIES and k not in EVIDENCE_PROPERTIES],
        "evidence": [
            {"source": ev.source, "source_name": ev.source_name, "eco": ev.eco,
             "quote": ev.quote, "locator": ev.locator}
            for ev in evidence
        ] if evidence else _evidence(props, {}),
        "curation_id": _text(props.get("curation_id", "")),
    }  # fmt: skip
    out: dict[str, Any] = {
        "id": node.id,
        "label": _short(name) or node.id,
        "group": _group(node, display),  # shape and colour come from the group (options.groups)
        "category": node.category,
        "info": info,
    }
    if curated:
        out["borderWidth"] = 2
    if position is not None:
        out["x"], out["y"] = position
    return out


def _edge(
    edge: Edge, names: dict[str, str], smooth: object, large: bool, show_all_labels: bool
) -> dict[str, Any]:
    props = edge.properties
    text = ("NOT " if edge.negated else "") + edge.label
    evidence = _evidence(props, names)
    qualifiers = [[k.removeprefix("qualifier_").replace("_", " "), _text(v)]
                  for k, v in sorted(kv for kv in props.items()
                                     if kv[0].startswith("qualifier_"))]  # fmt: skip
    status = str(props.get("status", ""))
    out: dict[str, Any] = {
        "id": edge.id,
        "from": edge.source,
        "to": edge.target,
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
    if not large and ("statement" in props or show_all_labels):
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
    else:  # structure (trial has arm, result measures...) stays in the background
        out["color"] = {"color": "#c4c4c4", "highlight": "#333333", "hover": "#333333"}
    return out


def _evidence(props: dict[str, Any], names: dict[str, str]) -> list[dict[str, str]]:
    """Evidence items from the parallel property lists (sources, ECO codes, quotes, locators)."""
    if "sources" not in props:  # most edges (trial structure, ontology axioms)
        return []
    sources = _list(props["sources"])
    if not sources:
        return []
    ecos, quotes, locators = (_list(props.get(k)) for k in ("eco_codes", "quotes", "locators"))
    return [
        {
            "source": source,
            "source_name": names.get(source, ""),
            "eco": _at(ecos, i),
            "quote": _at(quotes, i),
            "locator": _at(locators, i),
        }
        for i, source in enumerate(sources)
    ]


def _group(node: Node, display: str | None) -> str:
    """The vis-network group: the category, with between-arm comparisons told apart."""
    if node.category == "StudyResult" and display and " vs " in display:
        return COMPARISON_GROUP
    return node.category


def _list(value: object) -> list[str]:
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return [] if value in (None, "") else [str(value)]


def _at(items: list[str], i: int) -> str:
    return items[i] if i < len(items) else ""


def _curvature(edges: tuple[Edge, ...], large: bool) -> list[object]:
    """Straight edges, except that parallel edges between one pair bend apart."""
    out: list[object] = [False] * len(edges)
    if large:
        return out
    groups: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, e in enumerate(edges):
        groups[frozenset((e.source, e.target))].append(i)
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


def _legend(g: PropertyGraph, large: bool, names: dict[str, str]) -> list[dict[str, object]]:
    counts: dict[str, int] = defaultdict(int)
    for n in g.nodes:
        counts[_group(n, names.get(n.id))] += 1
    legend = []
    for category, count in sorted(counts.items()):
        style = category_style(category, large=large)
        legend.append(
            {"category": category, "colour": style.colour, "shape": style.shape, "count": count}
        )
    return legend


def _groups(g: PropertyGraph, large: bool, names: dict[str, str]) -> dict[str, dict[str, object]]:
    """One vis-network group per category: shape, colours, font colour."""
    groups: dict[str, dict[str, object]] = {}
    for category in sorted({_group(n, names.get(n.id)) for n in g.nodes}):
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
            "font": {"size": BASE_FONT, "face": "system-ui, sans-serif"},
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
