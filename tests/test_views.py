"""The HTML views: selection, safety and determinism, then every page in headless Chromium.

Browser tests (marked `browser`) drive /usr/bin/chromium through Playwright; they are skipped,
with the reason, only where that binary is absent (CI installs Debian's chromium package).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from chromium import CHROMIUM, NO_CHROMIUM
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

from kg.errors import KGError
from kg.export.base import BuildContext
from kg.export.formats import sinks
from kg.export.html import HtmlSink
from kg.namespaces import OBO, expand, property_graph_id
from kg.property_graph.graph import Edge, Node, PropertyGraph
from kg.views.labels import display_names
from kg.views.layout import (
    EXACT_LIMIT,
    LARGE_ITERATIONS,
    LayoutRequest,
    _Component,
    _components,
    _forces_grid,
    _forces_python,
    _radial_tree,
    clustered_layout,
    spring_layout,
    spring_layouts,
)
from kg.views.render import ALL_EDGE_LABELS, LARGE_GRAPH, render, script_json
from kg.views.select import (
    TRIAL_PARTS,
    Subgraphs,
    View,
    all_views,
    curated_view,
    induced,
    neighbourhood_view,
    ontology_view,
    resolve_entities,
)
from kg.views.synthetic import synthetic_graph
from kg.views.trialdata import trial_data

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.DOTALL)
TO_DOM = "id => kgView.network.canvasToDOM(kgView.network.getPosition(id))"
XSS_NAME = '<img src=x onerror="window.__pwned=1">'
XSS_DEFINITION = "</script><script>window.__pwned=2</script>"


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def context(real_context: BuildContext) -> BuildContext:
    """The real graph, as the session's `kg build` built it (load -> RDF), without the exports."""
    return real_context


@pytest.fixture(scope="module")
def expected(context: BuildContext) -> dict[str, View]:
    return {v.slug: v for v in all_views(context.projection)}


@pytest.fixture(scope="module")
def written(context: BuildContext, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """slug -> page, as the `html` sink writes them."""
    out = tmp_path_factory.mktemp("export")
    return {p.stem: p for p in HtmlSink().write(context, out)}


def payload(html: str) -> dict[str, Any]:
    match = PAYLOAD.search(html)
    assert match, "no kg-data script in the page"
    return json.loads(match.group(1))


def node(
    node_id: str, name: str, *, curated: bool = True, term: bool = True, category: str = "Cell"
) -> Node:
    """A node; `term`: an ontology class (curated ones too), else a record such as a trial."""
    props: dict[str, Any] = {"synonyms": (), "xrefs": (), "definition": f"about {name}"}
    if curated:
        props["curation_status"] = "verified"
    labels = (category, "OntologyClass") if term else (category,)
    return Node(node_id, f"http://example.org/{node_id}", name, category, labels, props)


def edge(source: str, target: str, etype: str = "SUBCLASS_OF", **kw: Any) -> Edge:
    label = "subclass of" if etype == "SUBCLASS_OF" else etype.lower().replace("_", " ")
    return Edge(f"e-{source}-{target}", source, target, etype, "rdfs:subClassOf", label, **kw)


# ------------------------------------------------------------------------ without a browser


def test_html_sink_is_registered() -> None:
    assert sinks()["html"] is HtmlSink


def test_the_sink_writes_one_page_per_view(
    written: dict[str, Path], expected: dict[str, View], context: BuildContext
) -> None:
    assert set(written) == set(expected) | {"results"}
    assert {"index", "mechanism", "ontology"} <= set(written)
    trials = [n for n in context.projection.nodes if n.category == "ClinicalTrial"]
    assert len([s for s in written if s.startswith("trial-")]) == len(trials) > 0
    assert all(p.parent.name == "views" for p in written.values())


def test_every_view_is_a_subgraph_of_the_projection(
    expected: dict[str, View], context: BuildContext
) -> None:
    g = context.projection
    node_ids = {n.id for n in g.nodes}
    edge_ids = {e.id for e in g.edges}
    for view in expected.values():
        ids = {n.id for n in view.graph.nodes}
        assert ids <= node_ids, view.slug
        assert {e.id for e in view.graph.edges} <= edge_ids, view.slug
        assert all(e.source in ids and e.target in ids for e in view.graph.edges), view.slug


def test_each_trial_page_has_its_trial_and_arms(
    expected: dict[str, View], context: BuildContext
) -> None:
    g = context.projection
    for slug, view in expected.items():
        if not slug.startswith("trial-"):
            continue
        trials = [n for n in view.graph.nodes if n.category == "ClinicalTrial"]
        assert len(trials) == 1, slug
        arms = {e.target for e in g.edges if e.source == trials[0].id and e.type == "HAS_ARM"}
        assert arms <= {n.id for n in view.graph.nodes}, slug


def test_mechanism_links_il2_to_regulatory_t_cells(expected: dict[str, View]) -> None:
    view = expected["mechanism"]
    names = {n.name for n in view.graph.nodes}
    assert {"interleukin-2", "regulatory T cell"} <= names
    assert all("statement" in e.properties or e.type == "SUBCLASS_OF" for e in view.graph.edges)
    assert any(e.negated for e in view.graph.edges), "the negated findings belong here"


def test_index_leaves_the_ontology_ancestry_to_the_ontology_view() -> None:
    g = PropertyGraph(
        (node("X:1", "regulatory T cell"), node("X:2", "T cell", curated=False),
         node("X:3", "cell", curated=False), node("X:4", "phase 2", curated=False),
         node("X:5", "a trial", term=False, category="ClinicalTrial")),
        (edge("X:1", "X:2"), edge("X:2", "X:3"), edge("X:2", "X:3", "PART_OF"),
         edge("X:5", "X:4", "PHASE_CLASS"), edge("X:5", "X:1", "STUDIES_CONDITION")),
    )  # fmt: skip
    index = curated_view(g).graph
    assert [n.id for n in index.nodes] == ["X:1", "X:4", "X:5"]
    assert {e.type for e in index.edges} == {"PHASE_CLASS", "STUDIES_CONDITION"}
    onto = ontology_view(g)
    assert [n.id for n in onto.graph.nodes] == ["X:1", "X:2", "X:3"]
    assert {e.type for e in onto.graph.edges} == {"SUBCLASS_OF"}
    assert onto.hierarchical


def test_rendering_is_deterministic(written: dict[str, Path], expected: dict[str, View]) -> None:
    for slug in ("index", "mechanism"):
        html = render(expected[slug])
        assert html == render(expected[slug])
        assert written[slug].read_text("utf-8") == html


def test_rendering_does_not_depend_on_the_process() -> None:
    code = (
        "import hashlib; from kg.views.render import render; from kg.views.select import View;"
        "from kg.views.synthetic import synthetic_graph;"
        "print(hashlib.sha256(render(View('s', 's', 's', synthetic_graph(300))).encode())"
        ".hexdigest())"
    )
    run = {"cwd": ROOT, "capture_output": True, "text": True, "check": True}
    digests = {
        subprocess.run([sys.executable, "-c", code], env={"PYTHONHASHSEED": seed}, **run).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_pages_reference_nothing_outside_themselves(written: dict[str, Path]) -> None:
    for slug, path in written.items():
        html = path.read_text("utf-8")
        assert not re.search(r"""\bsrc\s*=\s*["']?\s*(?:https?:)?//""", html, re.I), slug
        # links to sources are <a> elements the reader may follow; nothing else points out
        assert not re.search(r"""<(?!a\s)[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//""", html,
                             re.I), slug  # fmt: skip
        for a in re.findall(r"<a\s[^>]*>", html):
            assert 'href="http' not in a or 'rel="noopener noreferrer"' in a, a
        assert not re.search(r"<link\b|<script[^>]*\bsrc\s*=|<iframe|@import", html, re.I), slug
        assert "sourceMappingURL" not in html, slug
        assert "default-src 'none'" in html, slug


def test_the_csp_allows_exactly_the_inline_scripts(written: dict[str, Path]) -> None:
    html = written["index"].read_text("utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == 2  # vis-network and view.js
    digests = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    }
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp
    script_src = next(d for d in csp.group(1).split(";") if d.strip().startswith("script-src"))
    assert set(script_src.split()[1:]) == digests


def test_embedded_json_cannot_close_its_script_element() -> None:
    text = str(script_json({"a": XSS_DEFINITION + "<!-- & \u2028"}))
    assert not set(text) & {"<", ">", "&", "\u2028"}
    assert json.loads(text) == {"a": XSS_DEFINITION + "<!-- & \u2028"}


def test_negated_findings_are_dashed_red_and_say_not(expected: dict[str, View]) -> None:
    data = payload(render(expected["mechanism"]))
    negated = [e for e in data["edges"] if e["info"]["negated"]]
    assert negated
    for e in negated:
        assert e["label"].startswith("NOT ")
        assert e["dashes"] and e["color"]["color"] == "#d62728"
    assert all(not e.get("dashes") for e in data["edges"] if not e["info"]["negated"]
               and e["info"]["status"] in ("", "verified"))  # fmt: skip


def test_tooltips_carry_evidence_and_labels(expected: dict[str, View]) -> None:
    data = payload(render(expected["mechanism"]))
    with_evidence = [e for e in data["edges"] if e["info"]["evidence"]]
    assert with_evidence
    ev = with_evidence[0]["info"]["evidence"][0]
    assert ev["source"] and ev["eco"].startswith("ECO:") and ev["quote"]
    assert ev["source_name"], "the source publication is named though it is not drawn here"
    assert all("title" not in item for item in data["nodes"] + data["edges"])
    n = data["nodes"][0]
    assert {"id", "iri", "definition", "synonyms"} <= set(n["info"])


def test_a_large_graph_degrades_to_a_cheap_drawing() -> None:
    g = synthetic_graph(LARGE_GRAPH + 200)
    data = payload(render(View("big", "big", "synthetic", g, hierarchical=True)))
    assert data["meta"]["large"] is True
    assert data["options"]["physics"]["enabled"] is False
    assert "hierarchical" not in data["options"]["layout"]
    assert all("label" not in e for e in data["edges"])
    assert all("x" in n and "y" in n for n in data["nodes"])


def test_small_graphs_label_their_statements_and_fix_positions(
    expected: dict[str, View],
) -> None:
    data = payload(render(expected["index"]))
    assert data["meta"]["large"] is False
    assert len(data["edges"]) > ALL_EDGE_LABELS
    assert all(e.get("label") for e in data["edges"] if e["info"]["statement"])
    assert all("x" in n for n in data["nodes"])
    small = min((v for v in expected.values() if v.graph.edges), key=lambda v: len(v.graph.edges))
    assert len(small.graph.edges) <= ALL_EDGE_LABELS
    assert all(e["label"] for e in payload(render(small))["edges"])


def test_layout_is_deterministic_and_keeps_nodes_apart() -> None:
    g = synthetic_graph(300)
    ids = [n.id for n in g.nodes]
    pairs = [(e.source, e.target) for e in g.edges]
    first = spring_layout(ids, pairs)
    assert first == spring_layout(list(reversed(ids)), pairs)
    assert set(first) == set(ids)
    assert len(set(first.values())) == len(ids)


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 40), min_size=1, max_size=6), seed=st.integers(0, 99))
def test_layouts_computed_together_equal_each_alone(sizes: list[int], seed: int) -> None:
    # several pages share their force rounds (components of one size stacked): every page
    # must get exactly the positions it gets alone, so the exports do not depend on batching
    graphs = [synthetic_graph(n, seed=seed) for n in sizes] + [
        synthetic_graph(sizes[0], seed=seed + 1)
    ]
    requests = [
        LayoutRequest([n.id for n in g.nodes], [(e.source, e.target) for e in g.edges], 170.0)
        for g in graphs
    ]
    together = spring_layouts(requests)
    assert together == [spring_layout(r.node_ids, r.edges, spacing=r.spacing) for r in requests]


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 999))
def test_grid_rounds_as_arrays_equal_the_plain_loop(seed: int) -> None:
    # a component above EXACT_LIMIT gets grid repulsion, computed with numpy: the positions
    # must be those of the plain loop, bit for bit
    g = synthetic_graph(EXACT_LIMIT + 50, seed=seed)
    ids = sorted(n.id for n in g.nodes)
    adjacency: dict[str, set[str]] = {n: set() for n in ids}
    for e in g.edges:
        if e.source != e.target:
            adjacency[e.source].add(e.target)
            adjacency[e.target].add(e.source)
    nodes = _components(ids, adjacency)[0]
    assert len(nodes) > EXACT_LIMIT
    start = _radial_tree(nodes, adjacency)
    index = {v: i for i, v in enumerate(nodes)}
    pairs = sorted({(min(index[a], index[b]), max(index[a], index[b]))
                    for a in nodes for b in adjacency[a]})  # fmt: skip
    mass = [math.sqrt(1 + len(adjacency[v])) for v in nodes]

    def fresh() -> _Component:
        return _Component(nodes, [start[v][0] for v in nodes], [start[v][1] for v in nodes],
                          pairs, mass, LARGE_ITERATIONS, 0.5, 0.002, exact=False)  # fmt: skip

    plain, arrays = fresh(), fresh()
    _forces_python(plain)
    _forces_grid(arrays)
    assert (arrays.xs, arrays.ys) == (plain.xs, plain.ys)
    assert arrays.xs != fresh().xs, "the rounds moved the nodes"


@settings(max_examples=50, deadline=None)
@given(n=st.integers(2, 30), seed=st.integers(0, 999), size=st.integers(1, 12))
def test_indexed_subgraphs_equal_a_scan_of_the_graph(n: int, seed: int, size: int) -> None:
    g = synthetic_graph(n, edges_per_node=3.0, seed=seed)
    hub = g.nodes[0].id  # a hub with more out-edges than a small subgraph has nodes
    g = PropertyGraph(g.nodes, g.edges + tuple(
        Edge(f"hub{i}", hub, n.id, "RELATED_TO", "kgv:relatedTo", "related to")
        for i, n in enumerate(g.nodes)
    ))  # fmt: skip
    keep = {hub, "no-such-node", *(node.id for node in g.nodes[seed % n :][:size])}
    assert Subgraphs(g).induced(keep) == induced(g, keep)


@settings(max_examples=300, deadline=None)
@given(value=st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text()
    | st.floats(-1e7, 1e7, allow_nan=False).map(lambda x: round(x, 1))
    | st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 3)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=25,
))  # fmt: skip
def test_page_json_is_what_the_standard_encoder_writes(value: object) -> None:
    # pages embed their data with orjson for speed; the bytes must stay those of json.dumps
    standard = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        standard = standard.replace(char, escape)
    assert str(script_json(value)) == standard


def test_entities_resolve_by_curie_label_or_synonym(context: BuildContext) -> None:
    g = context.projection
    assert resolve_entities(g, ["CL:0000815"]) == ["CL:0000815"]
    assert resolve_entities(g, ["Regulatory T Cell", "SLE"]) == ["CL:0000815", "MONDO:0007915"]


@settings(max_examples=examples(50), deadline=None)
@given(number=st.integers(0, 99_999_999), spelling=st.sampled_from(
    ["CLINICALTRIALS:{}", "NCT:{}", "clinicaltrials:{}", "{}", "{lower}", " {} "]))  # fmt: skip
def test_a_trial_resolves_by_any_spelling_of_its_curie(number: int, spelling: str) -> None:
    """Every prefix synonym the converter accepts, and the bare NCT number, name the trial."""
    nct = f"NCT{number:08d}"
    iri = str(expand(f"CLINICALTRIALS:{nct}"))
    trial = Node(property_graph_id(iri), iri, "trial", "biolink:ClinicalTrial", ("ClinicalTrial",))
    ncit = Node("NCIT:C27551", f"{OBO}NCIT_C27551", "NCT", "biolink:NamedThing", ("OntologyClass",))
    g = PropertyGraph((ncit, trial), ())
    name = spelling.format(nct, lower=nct.lower())
    assert resolve_entities(g, [name]) == [f"CLINICALTRIALS:{nct}"]


def test_an_unknown_entity_is_an_error_with_close_matches(context: BuildContext) -> None:
    with pytest.raises(KGError) as info:
        resolve_entities(context.projection, ["regulatory T cel", "zzzz"])
    messages = [p.message for p in info.value.problems]
    assert any(
        m.startswith("no entity 'regulatory T cel' in the graph; close matches: CL:0000815 "
                     "(regulatory T cell)") for m in messages
    )  # fmt: skip
    assert "no entity 'zzzz' in the graph (give a CURIE, an IRI, a label or a synonym)" in messages


@pytest.mark.slow  # two whole builds in subprocesses: the real `kg view` command
def test_kg_view_writes_a_page_and_rejects_unknown_entities(tmp_path: Path) -> None:
    out = tmp_path / "treg.html"
    run = [sys.executable, "-m", "kg.cli", "view"]
    ok = subprocess.run([*run, "regulatory T cell", "--hops", "1", "--out", str(out)],
                        cwd=ROOT, capture_output=True, text=True, check=False)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "regulatory T cell" in payload(out.read_text("utf-8"))["meta"]["title"]
    bad = subprocess.run([*run, "regulatory T cel", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, check=False)  # fmt: skip
    assert bad.returncode == 1
    assert "Error:" in bad.stderr and "close matches: CL:0000815" in bad.stderr


# ----------------------------------------------------------------------------- in Chromium


@dataclass
class Page:
    """An opened view and what it did: requests it tried outside file://, console errors."""

    page: Any
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - playwright is in the test extra
    PlaywrightTimeout = TimeoutError  # type: ignore[misc,assignment]


def open_view(browser: Any, path: Path, *, bypass_csp: bool = False) -> Page:
    """Open path from file://, blocking and recording every request that is not file://."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=bypass_csp)
    page = ctx.new_page()
    opened = Page(page)

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            opened.external.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    page.on("request", lambda req: None if req.url.startswith(("file:", "data:")) else
            opened.external.append(req.url))  # fmt: skip
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function("window.kgReady === true", timeout=30_000)
    return opened


def click_a_node(page: Any) -> str:
    """Hover a node until its tooltip shows, click its centre; return its id.

    A node whose centre lies under another node or under an edge label (which takes the
    hover, as it should) is skipped for the next one the pointer can reach.
    """
    box = page.locator("#kg-graph").bounding_box()
    candidates = page.evaluate(
        """() => {
            const net = kgView.network, found = [];
            for (const id of kgView.nodes.getIds()) {
                net.focus(id, {scale: 1.0, animation: false});
                const p = net.canvasToDOM(net.getPosition(id));
                if (net.getNodeAt(p) === id) { found.push(id); }
                if (found.length === 10) { break; }
            }
            return found;
        }"""
    )
    assert candidates, "no node could be hit"
    node_id = None
    for candidate in candidates:
        try:
            hover(page, candidate, timeout=2_000)
        except PlaywrightTimeout:
            continue
        node_id = candidate
        break
    assert node_id, f"no tooltip for any of {candidates}"
    assert node_id in page.inner_text("#kg-tip")
    point = page.evaluate(TO_DOM, node_id)
    x, y = box["x"] + point["x"], box["y"] + point["y"]
    page.mouse.click(x, y)
    assert page.evaluate("kgView.network.getSelectedNodes()") == [node_id]
    assert node_id in page.inner_text("#kg-details")
    return node_id


def hover(page: Any, node_id: str, timeout: int = 5_000) -> None:
    """Move the pointer onto a node and wait for its tooltip."""
    box = page.locator("#kg-graph").bounding_box()
    page.evaluate("id => kgView.network.focus(id, {scale: 1.0, animation: false})", node_id)
    point = page.evaluate(TO_DOM, node_id)
    page.mouse.move(box["x"] + point["x"] - 30, box["y"] + point["y"] - 30)
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"], steps=4)
    page.wait_for_function(
        "id => { const tip = document.getElementById('kg-tip');"
        " return !tip.hidden && tip.textContent.includes(id); }",
        arg=node_id,
        timeout=timeout,
    )


def counts(page: Any) -> tuple[int, int]:
    return tuple(page.evaluate("[kgView.nodes.length, kgView.edges.length]"))


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_every_view_opens_offline_and_responds(
    browser: Any, written: dict[str, Path], expected: dict[str, View], tmp_path: Path
) -> None:
    for slug, path in sorted(written.items()):
        if slug == "results":  # not a graph; tests/test_results_page.py opens it
            continue
        opened = open_view(browser, path)
        view = expected[slug]
        assert opened.external == [], slug
        assert counts(opened.page) == (len(view.graph.nodes), len(view.graph.edges)), slug
        if view.graph.nodes and slug in ("index", "ontology"):
            font = opened.page.evaluate(
                "kgView.network.getScale() * JSON.parse("
                "document.getElementById('kg-data').textContent).options.nodes.font.size"
            )
            assert font >= 11, f"{slug}: labels drawn at {font:.1f} px at the default zoom"
        if view.graph.nodes:
            click_a_node(opened.page)
        opened.page.screenshot(path=str(tmp_path / f"{slug}.png"))
        assert opened.errors == [], slug
        opened.page.context.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_search_and_category_filter(
    browser: Any, written: dict[str, Path], expected: dict[str, View]
) -> None:
    target = next(n for n in expected["index"].graph.nodes if n.name == "regulatory T cell")
    opened = open_view(browser, written["index"])
    page = opened.page
    page.fill("#kg-search", "regulatory T")
    assert "regulatory T cell" in page.inner_text("#kg-results")
    page.press("#kg-search", "Enter")
    assert page.evaluate("kgView.network.getSelectedNodes()") == [target.id]
    page.uncheck("#kg-collapse")  # the overview opens with each trial drawn as one node
    shown = page.evaluate("kgView.network.body.nodeIndices.length")
    assert shown == len(expected["index"].graph.nodes)
    page.uncheck(f'input[data-category="{target.category}"]')
    cells = sum(n.category == target.category for n in expected["index"].graph.nodes)
    assert page.evaluate("kgView.network.body.nodeIndices.length") == shown - cells
    page.click("#kg-all")
    assert page.evaluate("kgView.network.body.nodeIndices.length") == shown
    page.check("#kg-edge-labels")
    assert page.evaluate("kgView.edges.get().every(e => e.label === e.text)")
    page.uncheck("#kg-edge-labels")
    assert page.evaluate("kgView.edges.get().every(e => e.label === '' || e.info.statement)")
    page.check("#kg-physics")
    page.wait_for_timeout(300)
    page.uncheck("#kg-physics")
    page.click("#kg-fit")
    assert opened.errors == []


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-bypassed"])
def test_injected_markup_is_shown_as_text_and_never_runs(
    browser: Any, tmp_path: Path, bypass_csp: bool
) -> None:
    evil = Node(
        "X:evil", "javascript:window.__pwned=3", XSS_NAME, "<b>Cell</b>", ("Cell",),
        {"definition": XSS_DEFINITION, "synonyms": ("<script>window.__pwned=4</script>",),
         "xrefs": (), "curation_status": "verified"},
    )  # fmt: skip
    g = PropertyGraph(
        (evil, node("X:ok", "plain", term=False)),
        (Edge("X:e", "X:evil", "X:ok", "RELATED_TO", "RO:1", XSS_NAME, True,
              {"sources": ("X:ok",), "eco_codes": ("ECO:1",), "quotes": (XSS_DEFINITION,),
               "locators": ("<img src=y onerror=window.__pwned=5>",), "status": "verified"}),),
    )  # fmt: skip
    path = tmp_path / "evil.html"
    path.write_text(render(View("evil", XSS_NAME, XSS_DEFINITION, g)), "utf-8")
    opened = open_view(browser, path, bypass_csp=bypass_csp)
    page = opened.page
    page.evaluate("kgView.select('X:evil')")
    page.fill("#kg-search", "img")
    assert XSS_NAME in page.inner_text("#kg-details")
    assert XSS_DEFINITION in page.inner_text("#kg-details")
    assert XSS_NAME in page.inner_text("#kg-results")
    assert XSS_NAME in page.inner_text("h1")
    assert page.locator("#kg-details a").count() == 0, "a javascript: IRI must not become a link"
    page.evaluate("kgView.showEdge('X:e')")
    details = page.inner_text("#kg-details")
    assert "NOT " + XSS_NAME in details and "<img src=y onerror=window.__pwned=5>" in details
    hover(page, "X:evil")
    assert XSS_NAME in page.inner_text("#kg-tip")
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img, script:not([id])').length") == 2
    assert opened.external == []
    assert opened.errors == []


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_a_5000_node_view_opens_and_responds(browser: Any, tmp_path: Path) -> None:
    g = synthetic_graph(5000)
    path = tmp_path / "big.html"
    path.write_text(render(View("big", "5,000 nodes", "synthetic", g)), "utf-8")
    opened = open_view(browser, path)
    assert counts(opened.page) == (len(g.nodes), len(g.edges))
    assert opened.page.evaluate("window.kgReadyMs") < 15_000
    click_a_node(opened.page)
    assert opened.external == [] and opened.errors == []


# ------------------------------------------------------------------ overview and labels


def test_the_overview_clusters_trials_and_sets_unconnected_nodes_apart() -> None:
    trial = node("T:1", "TRIAL-1", term=False, category="ClinicalTrial")
    arm = node("T:1/arm", "arm a", term=False, category="TrialArm")
    result = node("T:1/r", "result", term=False, category="StudyResult")
    cells = [node(f"C:{i}", f"cell {i}") for i in range(6)]
    lonely = [node("G:1", "gene 1", category="Gene"), node("G:2", "gene 2", category="Gene"),
              node("P:1", "paper", term=False, category="Publication")]  # fmt: skip
    edges = (
        edge("T:1", "T:1/arm", "HAS_ARM"), edge("T:1", "T:1/r", "HAS_RESULT"),
        edge("T:1/r", "T:1/arm", "ARM"), edge("T:1", "C:0", "STUDIES_CONDITION"),
        *(edge(f"C:{i}", f"C:{i + 1}", "REGULATES") for i in range(5)),
    )  # fmt: skip
    g = PropertyGraph((trial, arm, result, *cells, *lonely), edges)
    positions, headings = clustered_layout(g, TRIAL_PARTS, spacing=100.0)
    assert set(positions) == {n.id for n in g.nodes}
    connected_bottom = max(positions[n.id][1] for n in (trial, arm, result, *cells))
    assert all(positions[n.id][1] > connected_bottom for n in lonely), "below the drawing"
    assert {h["text"] for h in headings} == {"Not connected: Gene (2)",
                                             "Not connected: Publication (1)"}  # fmt: skip
    for h in headings:
        assert connected_bottom < float(h["y"]) < min(positions[n.id][1] for n in lonely)
    # a trial's parts sit around it, closer than the biology it points at
    tx, ty = positions["T:1"]
    near = max(math.dist((tx, ty), positions[p]) for p in ("T:1/arm", "T:1/r"))
    assert near < math.dist((tx, ty), positions["C:5"])
    assert clustered_layout(g, TRIAL_PARTS, spacing=100.0) == (positions, headings)


def test_arms_and_results_are_named_with_their_trial(context: BuildContext) -> None:
    g = context.projection
    data = trial_data(g)
    trial = next(t for t in data.trials if any(r.is_comparison for r in t.results))
    arm = trial.arms[0]
    view = neighbourhood_view(g, [arm.id], 1)
    page = payload(render(view))
    names = {n["id"]: n["info"]["name"] for n in page["nodes"]}
    assert names[arm.id].startswith(f"{trial.name}: ")
    shown_results = [r for r in trial.results if r.id in names]
    assert shown_results
    assert all(names[r.id].startswith(f"{trial.name} · ") for r in shown_results)
    comparison = next(r for r in trial.results if r.is_comparison)
    label = display_names(data)[comparison.id]
    assert " vs " in label and comparison.p_value_text in label
    arm_labels = {display_names(data)[r.id] for r in trial.results if not r.is_comparison}
    assert label not in arm_labels, "a comparison is told apart from its arms' results"


def test_result_cards_link_to_the_results_page(expected: dict[str, View]) -> None:
    trial_page = next(v for s, v in expected.items() if s.startswith("trial-") and v.trial
                      and v.trial.results)  # fmt: skip
    data = payload(render(trial_page))
    assert data["meta"]["results_page"] == "results.html"
    assert ("results.html", "Results across trials") in trial_page.nav


def test_evidence_cards_link_to_the_numbers_of_their_source(
    expected: dict[str, View], context: BuildContext
) -> None:
    data = payload(render(expected["mechanism"]))
    links = data["meta"]["result_sources"]
    assert links, "some statement shares its source with a trial result"
    results = {r.id: r for t in trial_data(context.projection).trials for r in t.results}
    for source, result in links.items():
        assert source in {ev.source for ev in results[result].evidence}
    used = {ev["source"] for e in data["edges"] for ev in e["info"]["evidence"]}
    assert set(links) <= used


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_the_overview_opens_with_trials_collapsed_and_a_click_opens_one(
    browser: Any, written: dict[str, Path], expected: dict[str, View]
) -> None:
    opened = open_view(browser, written["index"])
    page = opened.page
    clusters = page.evaluate("kgView.meta.clusters")
    trials = [n for n in expected["index"].graph.nodes if n.category == "ClinicalTrial"]
    assert {c["trial"] for c in clusters} <= {t.id for t in trials} and clusters
    hidden = sum(len(c["members"]) + 1 for c in clusters)
    visible = page.evaluate("kgView.network.body.nodeIndices.length")
    assert visible == len(expected["index"].graph.nodes) - hidden + len(clusters)
    first = clusters[0]
    box = page.locator("#kg-graph").bounding_box()
    page.evaluate("id => kgView.network.focus(id, {scale: 1.0, animation: false})",
                  "cluster:" + first["trial"])  # fmt: skip
    point = page.evaluate(TO_DOM, "cluster:" + first["trial"])
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    indices = page.evaluate("kgView.network.body.nodeIndices")
    assert first["trial"] in indices and set(first["members"]) <= set(indices)
    assert page.evaluate("kgView.network.getSelectedNodes()") == [first["trial"]]
    assert opened.external == [] and opened.errors == []


def test_the_overview_leaves_evidence_items_to_the_cards(
    expected: dict[str, View], context: BuildContext
) -> None:
    index = expected["index"].graph
    assert not [n for n in index.nodes if n.category == "EvidenceItem"]
    statements = [e for e in index.edges if "statement" in e.properties]
    assert statements and all(e.properties.get("quotes") for e in statements)
    in_graph = [n for n in context.projection.nodes if n.category == "EvidenceItem"]
    if in_graph:  # the projection draws evidence items as nodes; trial pages keep them
        trial_pages = [v for s, v in expected.items() if s.startswith("trial-")]
        assert any(n.category == "EvidenceItem" for v in trial_pages for n in v.graph.nodes)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)
def test_fit_shows_every_mechanism_label_inside_the_canvas(
    browser: Any, written: dict[str, Path]
) -> None:
    """Fitting fits the nodes with their labels (vis-network's fit alone clipped 'targeted
    thera' at the right edge): a page small enough opens on all of it, and on any page the
    Fit button shows every node and label (a larger page first opens zoomed to read)."""
    opened = open_view(browser, written["mechanism"])
    opened.page.click("#kg-fit")
    outside = opened.page.evaluate(
        """() => { const net = kgView.network, box = document.getElementById('kg-graph');
             const w = box.clientWidth, h = box.clientHeight;
             return Object.keys(net.getPositions()).filter(id => {
               const b = net.getBoundingBox(id);
               const a = net.canvasToDOM({x: b.left, y: b.top});
               const z = net.canvasToDOM({x: b.right, y: b.bottom});
               return a.x < 0 || a.y < 0 || z.x > w || z.y > h; }); }"""
    )
    assert outside == []
    assert opened.errors == []
    opened.page.context.close()
