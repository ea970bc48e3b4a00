"""Which part of the property graph each HTML view shows: pure functions PropertyGraph -> View.

Every view is an induced subgraph of the one projection (kg.property_graph.projection), so its node
and edge counts can be checked against the projection:

- `index`: the curated graph (entities, trials and their parts, publications, statements),
  without the ontology ancestry that MIREOT imports around the curated terms and without the
  evidence-item nodes (their quotes and sources are in the cards);
- `trial-<slug>`: one trial with its arms, doses, endpoints, results, adverse events,
  conditions, interventions and publications;
- `mechanism`: the curated statements connected to IL-2 (the IL-2 -> Treg mechanism);
- `ontology`: the SUBCLASS_OF hierarchy above the curated terms;
- `neighbourhood`: the N-hop neighbourhood of named entities (`kg view`).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from kg.errors import KGError, Problem
from kg.namespaces import iri_of_name
from kg.property_graph.graph import Edge, Node, PropertyGraph
from kg.views.labels import display_names
from kg.views.trialdata import Evidence, Trial, trial_data

__all__ = [
    "TRIAL_PARTS",
    "Lookups",
    "Subgraphs",
    "View",
    "all_views",
    "curated_view",
    "mechanism_view",
    "neighbourhood_view",
    "ontology_view",
    "resolve_entities",
    "trial_views",
]

SUBCLASS_OF = "SUBCLASS_OF"
#: categories of the nodes a trial is made of (expanded when collecting a trial's view)
TRIAL_PARTS = frozenset(
    {"ClinicalTrial", "TrialArm", "Dose", "Endpoint", "StudyResult", "AdverseEventCount"}
)
#: evidence records drawn as nodes in the property graph; the overview shows them in cards
EVIDENCE_CATEGORIES = frozenset({"EvidenceItem"})
#: categories that never take part in the biological mechanism
NOT_MECHANISM = TRIAL_PARTS | {"ClinicalMeasurement", "Publication", "Unit", "Agent"}
#: a node whose name or synonym contains one of these words seeds the mechanism view
MECHANISM_SEEDS = re.compile(r"\b(IL-?2|interleukin-2)\b", re.IGNORECASE)


@dataclass(frozen=True)
class View:
    """One page: its file stem, heading, one-line description, and the subgraph it draws.

    `source_names` names the evidence sources of its edges (publications that may lie
    outside the subgraph), so tooltips can show a title next to the CURIE.
    """

    slug: str
    title: str
    subtitle: str
    graph: PropertyGraph
    hierarchical: bool = False
    #: lay out as an overview: trials with their parts as clusters, unconnected nodes apart
    clustered: bool = False
    source_names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: node id -> the name to show (arms and results named with their trial and numbers)
    display_names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: node id -> evidence items of results and adverse events (their source at least)
    node_evidence: dict[str, tuple[Evidence, ...]] = field(
        default_factory=dict, compare=False, hash=False
    )
    #: the trial whose results table the page shows beside the graph
    trial: Trial | None = field(default=None, compare=False, hash=False)
    #: (file name, text) links to the other pages, shown in the header
    nav: tuple[tuple[str, str], ...] = ()
    #: the cross-trial results page, for links from result cards ("" in `kg view` pages)
    results_page: str = ""
    #: evidence source (publication CURIE) -> the first result it reports, for the link from
    #: an evidence card to the numbers from the same source on the results page
    result_sources: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def named_from(self, g: PropertyGraph, lookups: Lookups | None = None) -> View:
        """This view with evidence source names and display names looked up in g.

        lookups: the graph-wide names and evidence, computed once (`Lookups.of(g)`) when many
        views of one graph are named; without it they are computed here.
        """
        lookups = lookups or Lookups.of(g)
        sources = {s for e in self.graph.edges for s in _tuple(e.properties.get("sources"))}
        sources |= {s for n in self.graph.nodes for s in _tuple(n.properties.get("sources"))}
        names = {s: n.name for s in sorted(sources) if (n := g.node(s))}
        ids = [n.id for n in self.graph.nodes]
        shown = {k: v for k in ids if (v := lookups.display_names.get(k)) is not None}
        evidence = {k: v for k in ids if (v := lookups.evidence.get(k)) is not None}
        if self.trial is not None:  # on a trial's own page its name need not be repeated
            prefixes = (f"{self.trial.name} · ", f"{self.trial.name}: ")
            shown = {k: _without(v, prefixes) for k, v in shown.items()}
        return replace(self, source_names=names, display_names=shown, node_evidence=evidence)


@dataclass(frozen=True)
class Lookups:
    """What naming a view looks up in the whole graph, computed once per graph.

    Why: every page names its nodes from the same trial records; computed per page, the
    look-ups scanned the whole graph once per trial page (quadratic in the curation).
    """

    #: node id -> the name to show (kg.views.labels.display_names)
    display_names: dict[str, str]
    #: result or adverse-event node id -> its evidence items
    evidence: dict[str, tuple[Evidence, ...]]
    #: evidence source (publication CURIE) -> the first result it reports
    result_sources: dict[str, str]

    @classmethod
    def of(cls, g: PropertyGraph) -> Lookups:
        data = trial_data(g)
        evidence: dict[str, tuple[Evidence, ...]] = {}
        sources: dict[str, str] = {}
        for t in data.trials:
            for item in (*t.results, *t.adverse_events):
                evidence[item.id] = item.evidence  # as before: the last trial listing it wins
            for r in t.results:
                for ev in r.evidence:
                    sources.setdefault(ev.source, r.id)
        return cls(display_names(data, g), evidence, sources)


RESULTS_PAGE = "results.html"


def all_views(g: PropertyGraph) -> list[View]:
    """Every view the `html` sink writes, in a fixed order, linked to each other."""
    views = [curated_view(g), mechanism_view(g), ontology_view(g), *trial_views(g)]
    nav = (
        ("index.html", "Overview"),
        ("mechanism.html", "Mechanism"),
        ("ontology.html", "Ontology"),
        (RESULTS_PAGE, "Results across trials"),
    )
    lookups = Lookups.of(g)
    return [
        replace(v.named_from(g, lookups), nav=nav, results_page=RESULTS_PAGE,
                result_sources=lookups.result_sources)
        for v in views
    ]  # fmt: skip


def induced(g: PropertyGraph, keep: Iterable[str]) -> PropertyGraph:
    """The subgraph on the node ids in keep, with every edge between two kept nodes."""
    ids = set(keep)
    return PropertyGraph(
        tuple(n for n in g.nodes if n.id in ids),
        tuple(e for e in g.edges if e.source in ids and e.target in ids),
    )


class Subgraphs:
    """Induced subgraphs of one graph at the cost of their own size, not the graph's.

    Why: each trial page is a small subgraph; `induced` scans every node and edge of the
    graph, which per trial page made the pages quadratic in the curation. Here the graph is
    indexed once (node positions, each node's out-edges, edges by their two ends); a subgraph
    on k nodes then costs about k * min(out-degree, k). Nodes and edges keep the graph's order,
    so `Subgraphs(g).induced(keep) == induced(g, keep)`.
    """

    def __init__(self, g: PropertyGraph) -> None:
        self.graph = g
        self.position = {n.id: i for i, n in enumerate(g.nodes)}
        self.out: dict[str, list[int]] = defaultdict(list)
        self.between: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, e in enumerate(g.edges):
            self.out[e.source].append(i)
            self.between[(e.source, e.target)].append(i)

    def induced(self, keep: Iterable[str]) -> PropertyGraph:
        """The subgraph on the node ids in keep, with every edge between two kept nodes."""
        g, ids = self.graph, set(keep)
        nodes = sorted(self.position[i] for i in ids if i in self.position)
        edges: list[int] = []
        for source in ids:
            out = self.out.get(source, ())
            if len(out) <= len(ids):
                edges += (i for i in out if g.edges[i].target in ids)
            else:  # a hub (an entity in many statements): look its kept pairs up instead
                for target in ids:
                    edges += self.between.get((source, target), ())
        edges.sort()
        return PropertyGraph(tuple(g.nodes[i] for i in nodes), tuple(g.edges[i] for i in edges))


def _is_curated(node: Node) -> bool:
    return "curation_status" in node.properties or "OntologyClass" not in node.labels


def curated_view(g: PropertyGraph) -> View:
    """The curated graph: curated nodes, and the terms that curated records point at.

    An ontology class joins only as the end of a curated statement or of an edge from a
    curated record (a trial, arm, result, publication...), never through an ontology axiom
    (subclass, part of, mappings): that ancestry is the ontology view's. Evidence items (and
    the ECO classes only they point at) are left to the cards: every statement edge and
    result carries its evidence, and drawn they would be some sixty leaves on the publications.
    """
    evidence = {n.id for n in g.nodes if n.category in EVIDENCE_CATEGORIES}
    keep = {n.id for n in g.nodes if _is_curated(n) and n.id not in evidence}
    for e in g.edges:
        source = g.node(e.source)
        if e.source in evidence or e.target in evidence:
            continue
        if "statement" in e.properties or (source and "OntologyClass" not in source.labels):
            keep.update((e.source, e.target))
    sub = induced(g, keep)
    return View(
        "index",
        "IL-2 therapy in SLE: the curated graph",
        "Curated entities, trials, publications and statements with their evidence "
        f"({len(sub.nodes)} nodes, {len(sub.edges)} edges). The ontology ancestry of the "
        "curated terms is in the ontology view.",
        sub,
        clustered=True,
    )


def trial_views(g: PropertyGraph) -> list[View]:
    """One view per ClinicalTrial node: the trial and everything it is made of or refers to."""
    taken: set[str] = set()
    views: list[View] = []
    adjacency = _out_edges(g)
    subgraphs = Subgraphs(g)
    records = {t.id: t for t in trial_data(g).trials}
    for trial in (n for n in g.nodes if n.category == "ClinicalTrial"):
        keep = {trial.id}
        queue = [trial.id]
        for node_id in queue:
            node = g.node(node_id)
            if node is None or node.category not in TRIAL_PARTS:
                continue
            for e in adjacency[node_id]:
                if e.type != SUBCLASS_OF and e.target not in keep:
                    keep.add(e.target)
                    queue.append(e.target)
        sub = subgraphs.induced(keep)
        sub = PropertyGraph(sub.nodes, tuple(e for e in sub.edges if e.type != SUBCLASS_OF))
        slug = _unique(_first(trial.properties.get("curation_id")) or trial.name, taken)
        title = _first(trial.properties.get("title")) or trial.name
        views.append(
            View(
                slug,
                f"Trial {trial.name}",
                f"{title} ({trial.id}): arms, doses, endpoints, results, conditions, "
                "interventions and publications.",
                sub,
                trial=records.get(trial.id),
            )
        )
    return views


def mechanism_view(g: PropertyGraph) -> View:
    """The curated statements (edges with evidence) connected to an IL-2 node, and their nodes."""
    statements = [
        e for e in g.edges
        if "statement" in e.properties and not {_category(g, e.source), _category(g, e.target)}
        & NOT_MECHANISM
    ]  # fmt: skip
    seeds = sorted(
        n.id for n in g.nodes
        if n.category not in NOT_MECHANISM and any(
            MECHANISM_SEEDS.search(text) for text in (n.name, *_synonyms(n)))
    )  # fmt: skip
    neighbours: dict[str, set[str]] = defaultdict(set)
    for e in statements:
        neighbours[e.source].add(e.target)
        neighbours[e.target].add(e.source)
    seeds = [s for s in seeds if s in neighbours]
    keep = _reach(seeds, neighbours, hops=None)
    chosen = {e.id for e in statements if e.source in keep}
    sub = induced(g, keep)
    edges = tuple(e for e in sub.edges if e.id in chosen or e.type == SUBCLASS_OF)
    names = sorted({_name(g, s) for s in seeds}, key=str.casefold)
    subtitle = (
        f"Curated statements connected to {', '.join(names)}, with their evidence; "
        "negated findings are dashed red."
        if names
        else "No node named IL-2 or interleukin-2 takes part in a curated statement."
    )
    return View("mechanism", "Mechanism: IL-2 and regulatory T cells", subtitle,
                PropertyGraph(sub.nodes, edges))  # fmt: skip


def ontology_view(g: PropertyGraph) -> View:
    """The SUBCLASS_OF hierarchy above the curated terms (MIREOT ancestry), roots at the top."""
    parents: dict[str, set[str]] = defaultdict(set)
    for e in g.edges:
        if e.type == SUBCLASS_OF:
            parents[e.source].add(e.target)
    seeds = [n.id for n in g.nodes if _is_curated(n) and parents.get(n.id)]
    keep = set(seeds)
    queue = list(seeds)
    for node_id in queue:
        for parent in sorted(parents.get(node_id, ())):
            if parent not in keep:
                keep.add(parent)
                queue.append(parent)
    sub = induced(g, keep)
    edges = tuple(e for e in sub.edges if e.type == SUBCLASS_OF)
    return View(
        "ontology",
        "Ontology hierarchy around the curated terms",
        f"{len(seeds)} curated terms and their is-a ancestors from the ontology modules "
        "(curated terms have a thick border).",
        PropertyGraph(sub.nodes, edges),
        hierarchical=True,
    )


def neighbourhood_view(g: PropertyGraph, seeds: Sequence[str], hops: int) -> View:
    """Every node within `hops` edges (either direction) of the seeds, and the edges among them."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for e in g.edges:
        neighbours[e.source].add(e.target)
        neighbours[e.target].add(e.source)
    keep = _reach(seeds, neighbours, hops)
    names = ", ".join(n.name for s in seeds if (n := g.node(s)))
    return View(
        "neighbourhood",
        f"Neighbourhood of {names}",
        f"Everything within {hops} hop(s) of {', '.join(seeds)}.",
        induced(g, keep),
    ).named_from(g)


def resolve_entities(g: PropertyGraph, names: Sequence[str]) -> list[str]:
    """Node ids for CURIEs, IRIs, labels or else synonyms (case-insensitive); KGError if unknown.

    A CURIE is expanded by the project's converter first (prefix synonyms such as `NCT:`
    included; a bare registry id such as NCT02955615 too), so any spelling of a node's
    IRI finds it.

    Where a name fits several nodes but only one curated entity, that entity is meant.
    Every unknown or ambiguous name is reported, unknown ones with the closest matches.
    """
    primary: dict[str, set[str]] = defaultdict(set)
    synonyms: dict[str, set[str]] = defaultdict(set)
    for n in g.nodes:
        for key in (n.id, n.iri, n.name):
            primary[key.casefold()].add(n.id)
        for synonym in _synonyms(n):
            synonyms[synonym.casefold()].add(n.id)
    found: list[str] = []
    problems: list[Problem] = []
    for name in names:
        key = name.strip().casefold()
        iri = iri_of_name(name)  # NCT:NCT02955615, a bare NCT02955615: the node's IRI
        named = primary.get(iri.casefold(), set()) if iri is not None else set()
        hits = sorted(primary.get(key) or named or synonyms.get(key) or ())
        curated = [h for h in hits if (n := g.node(h)) and _is_curated(n)]
        if len(hits) > 1 and len(curated) == 1:  # a curated entity wins over imported terms
            hits = curated
        if len(hits) == 1:
            found.append(hits[0])
            continue
        if hits:
            message = f"{name!r} is ambiguous: it names {_described(g, hits)}; give a CURIE"
        else:
            keys = sorted(primary.keys() | synonyms.keys())
            close = difflib.get_close_matches(key, keys, n=5, cutoff=0.6)
            similar = sorted(
                {h for c in close for h in (*primary.get(c, ()), *synonyms.get(c, ()))}
            )
            message = f"no entity {name!r} in the graph" + (
                f"; close matches: {_described(g, similar)}" if similar else
                " (give a CURIE, an IRI, a label or a synonym)"
            )  # fmt: skip
        problems.append(Problem("kg view", None, "ENTITY", message))
    if problems:
        raise KGError(problems)
    return list(dict.fromkeys(found))


def _without(text: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _described(g: PropertyGraph, ids: Iterable[str]) -> str:
    return ", ".join(f"{i} ({_name(g, i)})" for i in ids)


def _reach(seeds: Iterable[str], neighbours: dict[str, set[str]], hops: int | None) -> set[str]:
    keep = set(seeds)
    frontier = sorted(keep)
    depth = 0
    while frontier and (hops is None or depth < hops):
        nxt = sorted({nb for node in frontier for nb in neighbours.get(node, ())} - keep)
        keep.update(nxt)
        frontier = nxt
        depth += 1
    return keep


def _out_edges(g: PropertyGraph) -> dict[str, list[Edge]]:
    out: dict[str, list[Edge]] = defaultdict(list)
    for e in g.edges:
        out[e.source].append(e)
    return out


def _category(g: PropertyGraph, node_id: str) -> str:
    node = g.node(node_id)
    return node.category if node else ""


def _name(g: PropertyGraph, node_id: str) -> str:
    node = g.node(node_id)
    return node.name if node else node_id


def _synonyms(n: Node) -> tuple[str, ...]:
    return _tuple(n.properties.get("synonyms"))


def _tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return tuple(map(str, value))
    return () if value in (None, "") else (str(value),)


def _first(value: object) -> str:
    if isinstance(value, tuple):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "trial"


def _unique(name: str, taken: set[str]) -> str:
    """trial-<slug of name>, with -2, -3... if two trials share a slug."""
    slug = base = f"trial-{_slug(name)}"
    i = 1
    while slug in taken:
        i += 1
        slug = f"{base}-{i}"
    taken.add(slug)
    return slug
