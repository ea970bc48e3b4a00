"""A deterministic force-directed layout, computed before the page loads.

Why precompute: vis-network's own physics took ~25 s to settle 300 nodes with pyvis defaults,
while a page with fixed positions and physics off is drawn in about a second. Why our own
rounds and not networkx's spring_layout: the positions must depend only on the node ids and
edges (hash-derived starts, no random seed), and hubs must repel by their degree.

The algorithm is Fruchterman-Reingold per connected component (exact repulsion up to
`EXACT_LIMIT` nodes, grid-cell repulsion above it), started from hash-derived positions so the
result depends only on the node ids and edges, never on a random seed. Components are packed
in rows, largest first. Coordinates are rounded so the HTML is byte-identical across runs.
The force rounds are numpy array operations; `spring_layouts` runs the rounds of equally large
components of many pages as one stack. Both give exactly the positions of the plain loops
(tests/test_views.py checks it), so the pages' bytes do not depend on how they were batched.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kg.property_graph.graph import PropertyGraph

__all__ = [
    "LayoutRequest",
    "Position",
    "clustered_layout",
    "spring_layout",
    "spring_layouts",
    "trial_parts",
]

TRIAL = "ClinicalTrial"

Position = tuple[float, float]

#: components up to this size get exact all-pairs repulsion; larger ones a grid approximation
EXACT_LIMIT = 400
#: a large component starts from a radial tree and only gets this many smoothing rounds
LARGE_ITERATIONS = 12
#: after the forces, no two nodes stay closer than this (in median edge lengths)
MIN_DISTANCE = 1.0


def spring_layout(
    node_ids: Sequence[str],
    edges: Iterable[tuple[str, str]],
    *,
    spacing: float = 150.0,
    iterations: int | None = None,
) -> dict[str, Position]:
    """Positions (pixels, rounded to 0.1) for every node; `spacing` is the ideal edge length."""
    return spring_layouts([LayoutRequest(node_ids, edges, spacing, iterations)])[0]


@dataclass(frozen=True)
class LayoutRequest:
    """The arguments of one `spring_layout` call (for `spring_layouts`)."""

    node_ids: Sequence[str]
    edges: Iterable[tuple[str, str]]
    spacing: float = 150.0
    iterations: int | None = None


def spring_layouts(requests: Sequence[LayoutRequest]) -> list[dict[str, Position]]:
    """`spring_layout` of each request, computed together: the same positions, bit for bit.

    Why together: the force rounds of a small graph cost numpy's per-call overhead, not
    arithmetic. Components of the same size (and so the same rounds, cooling and gravity),
    from any of the requests, run their rounds as one stacked array, each element computed
    by exactly the operations it would get alone (see `_forces_numpy`).
    """
    jobs: list[list[_Component]] = []
    for request in requests:
        ids = sorted(set(request.node_ids))
        adjacency: dict[str, set[str]] = {n: set() for n in ids}
        for a, b in request.edges:
            if a != b and a in adjacency and b in adjacency:
                adjacency[a].add(b)
                adjacency[b].add(a)
        rounds = (
            request.iterations if request.iterations is not None else _default_iterations(len(ids))
        )
        jobs.append([_start(c, adjacency, rounds) for c in _components(ids, adjacency)])
    batches: dict[tuple[int, int, float, float], list[_Component]] = defaultdict(list)
    for component in (c for components in jobs for c in components):
        if component.exact and component.pairs:
            key = (len(component.nodes), component.iterations, component.temperature,
                   component.gravity)  # fmt: skip
            batches[key].append(component)
    for batch in batches.values():
        _forces_numpy(batch)
    out = []
    for request, components in zip(requests, jobs, strict=True):
        packed = _pack([(c.nodes, _finish(c)) for c in components])
        spacing = request.spacing
        out.append(
            {n: (round(x * spacing, 1), round(y * spacing, 1)) for n, (x, y) in packed.items()}
        )
    return out


def _default_iterations(total: int) -> int:
    if total <= 60:  # a small graph settles in fewer rounds (the cooling scales with them)
        return 60
    if total <= 200:
        return 120
    if total <= 1000:
        return 60
    return 25


def _components(ids: list[str], adjacency: dict[str, set[str]]) -> list[list[str]]:
    seen: set[str] = set()
    out: list[list[str]] = []
    for start in ids:
        if start in seen:
            continue
        seen.add(start)
        queue = [start]
        for node in queue:
            for nb in sorted(adjacency[node]):
                if nb not in seen:
                    seen.add(nb)
                    queue.append(nb)
        out.append(sorted(queue))
    out.sort(key=lambda c: (-len(c), c[0]))
    return out


def _hash_unit(node: str) -> Position:
    digest = hashlib.sha1(node.encode("utf-8")).digest()
    x = int.from_bytes(digest[:4], "big") / 0xFFFFFFFF
    y = int.from_bytes(digest[4:8], "big") / 0xFFFFFFFF
    return x - 0.5, y - 0.5


@dataclass
class _Component:
    """One connected component being laid out (Fruchterman-Reingold with ideal distance 1)."""

    nodes: list[str]
    xs: list[float]
    ys: list[float]
    pairs: list[tuple[int, int]]
    mass: list[float]
    iterations: int
    temperature: float
    gravity: float
    #: all-pairs repulsion (numpy rounds); else grid repulsion from a radial tree
    exact: bool


def _start(nodes: list[str], adjacency: dict[str, set[str]], iterations: int) -> _Component:
    """The component's start positions and force parameters (grid components run here)."""
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    exact = n <= EXACT_LIMIT
    side = math.sqrt(n) * 1.2
    if n == 1:
        start = {nodes[0]: (0.0, 0.0)}
    elif exact:
        start = {node: (hx * side, hy * side) for node in nodes for hx, hy in [_hash_unit(node)]}
    else:
        start = _radial_tree(nodes, adjacency)
        side = 2 * max(max(abs(x), abs(y)) for x, y in start.values()) + 1
        iterations = min(iterations, LARGE_ITERATIONS)
    xs = [start[node][0] for node in nodes]
    ys = [start[node][1] for node in nodes]
    pairs = sorted({(min(index[a], index[b]), max(index[a], index[b]))
                    for a in nodes for b in adjacency[a]})  # fmt: skip
    temperature = side / 8 if exact else 0.5
    # hubs repel in proportion to their degree (as in ForceAtlas2), so two hubs that share
    # many neighbours do not end up on top of each other
    mass = [math.sqrt(1 + len(adjacency[node])) for node in nodes]
    # large components: linear springs (not FR's d^2), so long edges cannot crush the grid
    gravity = (0.05 if exact else 0.002) if n > 2 else 0.0
    component = _Component(nodes, xs, ys, pairs, mass, iterations, temperature, gravity, exact)
    if n > 1 and not (exact and pairs):  # the numpy rounds run later, batched
        (_forces_python if exact else _forces_grid)(component)
    return component


def _forces_grid(c: _Component) -> None:
    """`_forces_python`'s rounds for a large component (grid repulsion), as array operations.

    The same positions, bit for bit: each node's repulsion terms are added one by one in the
    loop's order (its cell's 3 x 3 neighbourhood in order, each cell's nodes by index, via
    np.add.at), each spring's pull likewise in edge order, and the moves are elementwise.
    """
    import numpy as np

    x = np.asarray(c.xs, dtype=float)
    y = np.asarray(c.ys, dtype=float)
    n, iterations = len(x), c.iterations
    index = np.arange(n)
    first = np.asarray([i for i, _ in c.pairs], dtype=np.intp)
    second = np.asarray([j for _, j in c.pairs], dtype=np.intp)
    ends = np.column_stack([first, second]).reshape(-1)  # i0, j0, i1, j1, ...: edge order
    span = 1 << 32  # a cell (cx, cy) as cx * span + cy
    offsets = [ox * span + oy for ox in (-1, 0, 1) for oy in (-1, 0, 1)]
    for step in range(iterations):
        key = np.floor(x / 2).astype(np.int64) * span + np.floor(y / 2).astype(np.int64)
        order = np.lexsort((index, key))  # by cell, then by node index
        cells, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
        near_i, near_j = [], []
        for offset in offsets:
            wanted = key + offset
            at = np.minimum(np.searchsorted(cells, wanted), len(cells) - 1)
            count = np.where(cells[at] == wanted, counts[at], 0)
            node = np.repeat(index, count)
            within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
            near_i.append(node)
            near_j.append(order[np.repeat(starts[at], count) + within])
        i_all = np.concatenate(near_i)
        by_node = np.argsort(i_all, kind="stable")  # per node: offsets in order, then index
        i_all, j_all = i_all[by_node], np.concatenate(near_j)[by_node]
        ex, ey = x[i_all] - x[j_all], y[i_all] - y[j_all]
        d2 = ex * ex + ey * ey
        d2[d2 == 0] = 1e-9
        term = (i_all != j_all) & (d2 < 4)
        dx, dy = np.zeros(n), np.zeros(n)
        np.add.at(dx, i_all[term], ex[term] / d2[term])
        np.add.at(dy, i_all[term], ey[term] / d2[term])
        if len(ends):
            sx = x[first] - x[second]  # linear springs: force / d is 1
            sy = y[first] - y[second]
            np.add.at(dx, ends, np.column_stack([-sx, sx]).reshape(-1))
            np.add.at(dy, ends, np.column_stack([-sy, sy]).reshape(-1))
        cool = c.temperature * (1 - step / iterations) + 0.01
        fx = dx - c.gravity * x
        fy = dy - c.gravity * y
        length = np.sqrt(fx * fx + fy * fy)
        moving = length > 0
        move = np.minimum(length[moving], cool) / length[moving]
        x[moving] += fx[moving] * move
        y[moving] += fy[moving] * move
    c.xs, c.ys = x.tolist(), y.tolist()


def _forces_python(c: _Component) -> None:
    """The force rounds in pure Python: grid repulsion (large components), or exact."""
    xs, ys, n, iterations = c.xs, c.ys, len(c.nodes), c.iterations
    for step in range(iterations):
        if c.exact:
            dx, dy = _repulse_exact(xs, ys, c.mass)
        else:
            dx, dy = _repulse_grid(xs, ys)
        for i, j in c.pairs:
            ex, ey = xs[i] - xs[j], ys[i] - ys[j]
            f = math.sqrt(ex * ex + ey * ey) if c.exact else 1.0  # force / d, with k = 1
            dx[i] -= ex * f
            dy[i] -= ey * f
            dx[j] += ex * f
            dy[j] += ey * f
        cool = c.temperature * (1 - step / iterations) + 0.01
        for i in range(n):
            fx = dx[i] - c.gravity * xs[i]
            fy = dy[i] - c.gravity * ys[i]
            length = math.sqrt(fx * fx + fy * fy)
            if length > 0:
                move = min(length, cool) / length
                xs[i] += fx * move
                ys[i] += fy * move


def _finish(c: _Component) -> dict[str, Position]:
    """Positions after the forces, scaled and separated, with the min corner at 0."""
    if len(c.nodes) == 1:
        return {c.nodes[0]: (0.0, 0.0)}
    xs, ys, pairs = c.xs, c.ys, c.pairs
    if c.exact:  # the median edge becomes length 1, then overlaps are pushed apart
        lengths = sorted(math.hypot(xs[i] - xs[j], ys[i] - ys[j]) for i, j in pairs)
        unit = max(lengths[len(lengths) // 2], 1e-6)
        xs = [x / unit for x in xs]
        ys = [y / unit for y in ys]
        _separate(xs, ys, MIN_DISTANCE)
    min_x, min_y = min(xs), min(ys)
    return {node: (xs[i] - min_x, ys[i] - min_y) for i, node in enumerate(c.nodes)}


#: a batch of force rounds holds at most this many node pairs (k components of n nodes: k n^2)
BATCH_PAIRS = 1_000_000


def _forces_numpy(batch: list[_Component]) -> None:
    """The exact force rounds of components of one size, stacked, in place (same cooling).

    Why numpy: all-pairs repulsion in pure Python cost about a second per build for the
    trial pages; as array operations the same rounds take milliseconds. Deterministic, and
    each component gets exactly the positions it would get alone: only elementwise
    operations, sums along each component's own rows of n (numpy sums a row the same way
    whatever stacks beside it), and spring updates applied element by element in edge order.
    """
    import numpy as np

    n = len(batch[0].nodes)
    per_batch = max(1, BATCH_PAIRS // (n * n))
    for at in range(0, len(batch), per_batch):
        _forces_stacked(batch[at : at + per_batch], np)


def _forces_stacked(batch: list[_Component], np: Any) -> None:
    k, n = len(batch), len(batch[0].nodes)
    iterations, temperature, gravity = batch[0].iterations, batch[0].temperature, batch[0].gravity
    # positions as (component, x or y, node): each operation acts on every row at once
    p = np.asarray([[c.xs, c.ys] for c in batch], dtype=float)
    weight = np.empty((k, n, n))
    for m, c in enumerate(batch):
        masses = np.asarray(c.mass, dtype=float)
        weight[m] = np.outer(masses, masses)
        np.fill_diagonal(weight[m], 0.0)  # no force of a node on itself
    # each spring's ends in the flattened positions: component m, row r, node i at
    # (2m + r) n + i; x differences of every component first, then y (same order as e below)
    ends: list[list[int]] = [[], []]
    for m, c in enumerate(batch):
        for end, column in ((0, 0), (1, 1)):
            ends[end] += [2 * m * n + pair[column] for pair in c.pairs]
    first_x = np.asarray(ends[0], dtype=np.intp)
    second_x = np.asarray(ends[1], dtype=np.intp)
    first = np.concatenate([first_x, first_x + n])
    second = np.concatenate([second_x, second_x + n])
    half = len(first_x)
    # the all-pairs arrays are written in place each round (fresh arrays of this size cost
    # page faults every round); the arithmetic is the same
    delta = np.empty((k, 2, n, n))
    product = np.empty((k, 2, n, n))
    d2 = np.empty((k, n, n))
    zero = np.empty((k, n, n), dtype=bool)
    for step in range(iterations):
        np.subtract(p[:, :, :, None], p[:, :, None, :], out=delta)
        np.multiply(delta, delta, out=product)
        np.add(product[:, 0], product[:, 1], out=d2)
        np.equal(d2, 0, out=zero)
        np.putmask(d2, zero, 1e-9)
        np.divide(weight, d2, out=d2)  # d2 becomes the force / distance
        np.multiply(d2[:, None], delta, out=product)
        f = product.sum(axis=3)
        flat_p = p.reshape(-1)
        e = flat_p[first] - flat_p[second]
        e2 = e * e
        spring = e * np.tile(np.sqrt(e2[:half] + e2[half:]), 2)
        flat = f.reshape(-1)
        np.subtract.at(flat, first, spring)
        np.add.at(flat, second, spring)
        f -= gravity * p
        f2 = f * f
        length = np.sqrt(f2[:, 0] + f2[:, 1])
        cool = temperature * (1 - step / iterations) + 0.01
        scale = np.divide(np.minimum(length, cool), length, out=np.zeros_like(length),
                          where=length > 0)  # fmt: skip
        p += f * scale[:, None, :]
    for m, c in enumerate(batch):
        c.xs, c.ys = p[m, 0].tolist(), p[m, 1].tolist()


def _separate(xs: list[float], ys: list[float], gap: float, rounds: int = 20) -> None:
    """Push apart (in place) every two nodes closer than gap, so labels do not pile up.

    Each round visits the grid cells in order and each pair of nearby nodes once, moving both
    at once (so later pairs see the moved positions). A pair whose x or y distance alone is
    gap or more is skipped before the square root: then the distance is at least gap too
    (squares, sums and square roots round monotonically, and sqrt(gap * gap) == gap), so the
    skip never changes a position.
    """
    n = len(xs)
    sqrt, floor = math.sqrt, math.floor
    # a cell (cx, cy) as the one int cx * span + cy, ordered as the tuple (|cy| < span / 2:
    # coordinates are in median edge lengths); its 3 x 3 neighbourhood in the tuples' order
    span = 1 << 32
    offsets = [ox * span + oy for ox in (-1, 0, 1) for oy in (-1, 0, 1)]
    for _ in range(rounds):
        cells: dict[int, list[int]] = defaultdict(list)
        for i in range(n):
            cells[floor(xs[i] / gap) * span + floor(ys[i] / gap)].append(i)
        get = cells.get
        moved = False
        for key in sorted(cells):
            members = cells[key]
            near: list[int] = []
            for offset in offsets:
                found = get(key + offset)
                if found:
                    near += found
            for i in members:
                xi, yi = xs[i], ys[i]
                for j in near:
                    if j <= i:
                        continue
                    ex = xs[j] - xi
                    if ex >= gap or ex <= -gap:
                        continue
                    ey = ys[j] - yi
                    if ey >= gap or ey <= -gap:
                        continue
                    d = sqrt(ex * ex + ey * ey)
                    if d >= gap:
                        continue
                    if d < 1e-9:
                        ex, ey, d = 1.0, 0.0, 1.0
                    push = (gap - d) / 2 / d
                    xi = xs[i] = xi - ex * push
                    yi = ys[i] = yi - ey * push
                    xs[j] += ex * push
                    ys[j] += ey * push
                    moved = True
        if not moved:
            return


def _radial_tree(nodes: list[str], adjacency: dict[str, set[str]]) -> dict[str, Position]:
    """A BFS tree from the best-connected node, each subtree given an angle for its leaves."""
    root = min(nodes, key=lambda node: (-len(adjacency[node]), node))
    children: dict[str, list[str]] = defaultdict(list)
    depth = {root: 0}
    order = [root]
    for node in order:
        for nb in sorted(adjacency[node]):
            if nb not in depth:
                depth[nb] = depth[node] + 1
                children[node].append(nb)
                order.append(nb)
    leaves: dict[str, int] = {}
    for node in reversed(order):
        leaves[node] = sum(leaves[c] for c in children[node]) or 1
    per_depth: dict[int, int] = defaultdict(int)
    for d in depth.values():
        per_depth[d] += 1
    radius = {0: 0.0}
    for d in range(1, max(per_depth) + 1):
        radius[d] = max(radius[d - 1] + 1.5, per_depth[d] * 1.2 / (2 * math.pi))
    out: dict[str, Position] = {}
    wedge: dict[str, tuple[float, float]] = {root: (0.0, 2 * math.pi)}
    for node in order:
        lo, hi = wedge[node]
        mid, r = (lo + hi) / 2, radius[depth[node]]
        out[node] = (r * math.cos(mid), r * math.sin(mid))
        cursor = lo
        for c in children[node]:
            share = (hi - lo) * leaves[c] / leaves[node]
            wedge[c] = (cursor, cursor + share)
            cursor += share
    return out


def _repulse_exact(
    xs: list[float], ys: list[float], mass: list[float]
) -> tuple[list[float], list[float]]:
    n = len(xs)
    dx = [0.0] * n
    dy = [0.0] * n
    for i in range(n):
        xi, yi, mi = xs[i], ys[i], mass[i]
        fx = fy = 0.0
        for j in range(i + 1, n):
            ex, ey = xi - xs[j], yi - ys[j]
            d2 = (ex * ex + ey * ey or 1e-9) / (mi * mass[j])
            ex, ey = ex / d2, ey / d2  # m_i m_j k^2 / d along the unit vector
            fx += ex
            fy += ey
            dx[j] -= ex
            dy[j] -= ey
        dx[i] += fx
        dy[i] += fy
    return dx, dy


def _repulse_grid(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    """Repulsion only between nodes in neighbouring cells of side 2 (the FR grid variant)."""
    n = len(xs)
    dx = [0.0] * n
    dy = [0.0] * n
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in range(n):
        cells[(math.floor(xs[i] / 2), math.floor(ys[i] / 2))].append(i)
    for (cx, cy), members in cells.items():
        near = [
            j for ox in (-1, 0, 1) for oy in (-1, 0, 1) for j in cells.get((cx + ox, cy + oy), ())
        ]
        for i in members:
            xi, yi = xs[i], ys[i]
            fx = fy = 0.0
            for j in near:
                if j == i:
                    continue
                ex, ey = xi - xs[j], yi - ys[j]
                d2 = ex * ex + ey * ey or 1e-9
                if d2 < 4:
                    fx += ex / d2
                    fy += ey / d2
            dx[i] += fx
            dy[i] += fy
    return dx, dy


def _pack(placed: list[tuple[list[str], dict[str, Position]]]) -> dict[str, Position]:
    """Shelf-pack the component layouts (largest first) into rows, then centre on 0."""
    area = sum((max(x for x, _ in p.values()) + 1) * (max(y for _, y in p.values()) + 1)
               for _, p in placed)  # fmt: skip
    row_width = max(math.sqrt(area) * 1.3, 1.0)
    out: dict[str, Position] = {}
    cursor_x = cursor_y = row_height = 0.0
    for _, positions in placed:
        width = max(x for x, _ in positions.values()) + 1
        height = max(y for _, y in positions.values()) + 1
        if cursor_x > 0 and cursor_x + width > row_width:
            cursor_x, cursor_y, row_height = 0.0, cursor_y + row_height, 0.0
        for node, (x, y) in positions.items():
            out[node] = (x + cursor_x, y + cursor_y)
        cursor_x += width + 0.5
        row_height = max(row_height, height)
    if out:
        mid_x = (min(x for x, _ in out.values()) + max(x for x, _ in out.values())) / 2
        mid_y = (min(y for _, y in out.values()) + max(y for _, y in out.values())) / 2
        out = {node: (x - mid_x, y - mid_y) for node, (x, y) in out.items()}
    return out


def trial_parts(g: PropertyGraph, parts: frozenset[str]) -> dict[str, str]:
    """Part node id -> its trial: nodes of a `parts` category reached from a trial's out-edges.

    A part reached from two trials belongs to the first (trials in id order).
    """
    out_edges: dict[str, list[str]] = defaultdict(list)
    for e in g.edges:
        out_edges[e.source].append(e.target)
    category = {n.id: n.category for n in g.nodes}
    owner: dict[str, str] = {}
    for trial in sorted(n.id for n in g.nodes if n.category == TRIAL):
        queue = [trial]
        for node in queue:
            for nb in sorted(out_edges.get(node, ())):
                if category.get(nb) in parts and category.get(nb) != TRIAL and nb not in owner:
                    owner[nb] = trial
                    queue.append(nb)
    return owner


def clustered_layout(
    g: PropertyGraph, parts: frozenset[str], *, spacing: float = 150.0
) -> tuple[dict[str, Position], list[dict[str, object]]]:
    """An overview: each trial with its parts as one cluster, laid out among the other nodes.

    Why: a force layout of every node draws the 40-odd parts of a large trial as a hairball
    that pushes the biology apart. Here each trial's parts (categories in `parts`, reached from
    the trial) are laid out as a small cluster; the graph with every cluster contracted to one
    node is laid out by `spring_layout`; clusters and single nodes are then pushed apart as
    discs so no cluster covers another; nodes with no edge at all go into labelled blocks
    by category below the drawing. Returns positions (px) and the block headings
    (`{"text", "x", "y"}`, drawn by view.js as canvas text).
    """
    degree: dict[str, int] = defaultdict(int)
    for e in g.edges:
        degree[e.source] += 1
        degree[e.target] += 1
    category = {n.id: n.category for n in g.nodes}
    owner = trial_parts(g, parts)
    members: dict[str, list[str]] = defaultdict(list)
    for node, trial in owner.items():
        members[trial].append(node)
    isolated = sorted(n.id for n in g.nodes if degree[n.id] == 0)
    loose = set(isolated)
    rep = {n.id: owner.get(n.id, n.id) for n in g.nodes}
    contracted_ids = sorted({rep[n.id] for n in g.nodes if n.id not in loose})
    contracted_edges = sorted(
        {(rep[e.source], rep[e.target]) for e in g.edges if rep[e.source] != rep[e.target]}
    )
    # a cluster: its own small layout around the trial at (0, 0), and the disc that holds it
    # each cluster's own edges, in one pass over the edges (a node's cluster: its trial)
    cluster_of = {**{t: t for t in members}, **owner}
    inner_edges: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for e in g.edges:
        home = cluster_of.get(e.source)
        if home is not None and cluster_of.get(e.target) == home:
            inner_edges[home].append((e.source, e.target))
    trials = sorted(members)
    *inner_layouts, centres = spring_layouts(
        [
            *(LayoutRequest([t, *sorted(members[t])], inner_edges[t], spacing * 0.8)
              for t in trials),
            LayoutRequest(contracted_ids, contracted_edges, spacing * 1.4),
        ]
    )  # fmt: skip
    local: dict[str, dict[str, Position]] = {}
    radius: dict[str, float] = {}
    for trial, inner in zip(trials, inner_layouts, strict=True):
        tx, ty = inner[trial]
        local[trial] = {n: (x - tx, y - ty) for n, (x, y) in inner.items()}
        radius[trial] = max(math.hypot(x, y) for x, y in local[trial].values()) + spacing * 0.5
    discs = {node: radius.get(node, spacing * 0.45) for node in contracted_ids}
    # single nodes: labels are wide, so they keep 1.6 spacings apart side by side and 0.8
    # above each other (an ellipse); then clusters push them out of their discs; twice
    singles = sorted(n for n in contracted_ids if n not in local)
    across, down = spacing * 1.6, spacing * 0.8
    for _ in range(2):
        centres = _separate_discs(centres, discs)
        xs = [centres[n][0] / across for n in singles]
        ys = [centres[n][1] / down for n in singles]
        _separate(xs, ys, 1.0)
        centres.update({n: (xs[k] * across, ys[k] * down) for k, n in enumerate(singles)})
    centres = _separate_discs(centres, discs)
    positions: dict[str, Position] = {}
    for node, (x, y) in centres.items():
        if node in local:
            for member, (dx, dy) in local[node].items():
                positions[member] = (round(x + dx, 1), round(y + dy, 1))
        else:
            positions[node] = (round(x, 1), round(y, 1))
    annotations, blocks = _blocks(isolated, category, positions, spacing)
    positions.update(blocks)
    return positions, annotations


def _separate_discs(
    centres: dict[str, Position], radius: dict[str, float], rounds: int = 60
) -> dict[str, Position]:
    """Push every disc that overlaps a cluster's disc apart from it (the smaller moves more).

    Only clusters are large, and single nodes were already spaced by the layout, so each
    round compares each cluster with every disc (numpy, per cluster); deterministic.
    """
    import numpy as np

    ids = sorted(centres)
    pos = np.asarray([centres[n] for n in ids], dtype=float).reshape(-1, 2)
    rs = np.asarray([radius[n] for n in ids], dtype=float)
    big = [i for i in range(len(ids)) if rs[i] > rs.min() * 1.01] if len(ids) else []
    # per cluster, what every round reuses: the distance at which each disc touches it and
    # the share of an overlap each side moves (the same values as computed inside the round)
    reach = {i: rs[i] + rs for i in big}
    share = {i: rs[i] / reach[i] for i in big}  # the smaller disc moves more
    rest = {i: 1 - share[i] for i in big}
    for _ in range(rounds):
        moved = False
        for i in big:
            delta = pos - pos[i]
            d = np.sqrt((delta * delta).sum(axis=1))
            gap = reach[i] - d
            gap[i] = 0.0
            hit = np.flatnonzero(gap > 0)
            if not hit.size:
                continue
            moved = True
            d_hit, unit = d[hit], delta[hit]
            same = d_hit < 1e-9
            if same.any():
                unit[same] = (1.0, 0.0)
                d_hit[same] = 1.0
            unit /= d_hit[:, None]
            gap_hit = gap[hit]
            pos[hit] += unit * (gap_hit * share[i][hit])[:, None]
            pos[i] -= (unit * (gap_hit * rest[i][hit])[:, None]).sum(axis=0)
        if not moved:
            break
    return {n: (float(pos[k, 0]), float(pos[k, 1])) for k, n in enumerate(ids)}


def _blocks(
    isolated: list[str], category: dict[str, str], placed: dict[str, Position], spacing: float
) -> tuple[list[dict[str, object]], dict[str, Position]]:
    """Nodes without edges, in one labelled block per category below the drawing.

    Returns the block headings (`{"text", "x", "y"}`) and the isolated nodes' positions.
    """
    by_category: dict[str, list[str]] = defaultdict(list)
    for node in isolated:
        by_category[category[node]].append(node)
    if placed:
        left = min(x for x, _ in placed.values())
        right = max(x for x, _ in placed.values())
        top = max(y for _, y in placed.values()) + spacing * 1.5
    else:
        left = right = top = 0.0
    cursor_x, cursor_y, row_height = left, top, 0.0
    headings: list[dict[str, object]] = []
    positions: dict[str, Position] = {}
    columns = 4
    for cat, nodes in sorted(by_category.items()):
        width = min(columns, len(nodes)) * spacing * 1.2
        height = spacing * (1.0 + 0.5 * math.ceil(len(nodes) / columns))
        if cursor_x > left and cursor_x + width > max(right, left + width):
            cursor_x, cursor_y, row_height = left, cursor_y + row_height, 0.0
        headings.append({"text": f"Not connected: {cat} ({len(nodes)})",
                         "x": round(cursor_x + (width - spacing * 1.2) / 2, 1),
                         "y": round(cursor_y, 1)})  # fmt: skip
        for k, node in enumerate(sorted(nodes)):
            positions[node] = (
                round(cursor_x + (k % columns) * spacing * 1.2, 1),
                round(cursor_y + spacing * 0.5 + (k // columns) * spacing * 0.5, 1),
            )
        cursor_x += width + spacing * 0.6
        row_height = max(row_height, height)
    return headings, positions
