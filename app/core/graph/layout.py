"""Graph layouts (Qt-free): force-directed (packed by component), circular shells, bipartite columns.

Deterministic: the same graph and seed give the same picture in every run. Small components use
networkx's spring model refined by stress majorization (labels need even spacing); components of
SMALL_GRAPH nodes or more use :func:`spring_arrays`, whose memory grows linearly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

    from app.core.graph.model import GraphData
    from app.core.userdata.positions import GraphPositionsStore

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SEED = 7  # fixed: the same data always gives the same picture
SCALE = 1000.0  # layout coordinates span roughly [-SCALE, SCALE]
LAYOUTS: dict[str, str] = {
    "spring": "Force-directed",
    "shell": "Circular",
    "bipartite": "Bipartite",
}
LAYOUT_HINTS: dict[str, str] = {
    "spring": "Tied entities pulled together (fixed seed: the same picture every time)",
    "shell": "Rings by kind: alliances, organisations and treaties inside, partnerships, then countries",
    "bipartite": "Countries and other actors on the left, alliances, organisations and the rest on the right",
}
COUNTRY_KINDS = ("country", "actor")
# Shells from the centre outwards in the circular layout.
SHELLS: tuple[tuple[str, ...], ...] = (
    ("alliance", "organisation", "treaty", "provision"),
    ("partnership", "event"),
    ("country", "actor"),
)
SMALL_GRAPH = 500  # below this networkx's dense spring_layout is fast; above it, our numpy version


# ---- layouts -------------------------------------------------------------------------------------
Positions = dict[str, tuple[float, float]]


def subgraph_for(graph: nx.Graph, ids: Iterable[str]) -> nx.Graph:
    """The induced subgraph on ``ids`` (a copy), degrees recomputed within it.

    Nodes and edges keep the graph's order: networkx's own ``subgraph`` iterates a set, whose order
    changes with Python's string hashing from one run to the next, and so would the layout."""
    import networkx as nx  # here, not at the top: the GUI thread never pays for its import

    keep = {i for i in ids if i in graph}
    sub = nx.Graph(**graph.graph)
    sub.add_nodes_from((n, dict(d)) for n, d in graph.nodes(data=True) if n in keep)
    sub.add_edges_from((u, v, dict(d)) for u, v, d in graph.edges(data=True) if u in keep and v in keep)
    for node, deg in sub.degree():
        sub.nodes[node]["degree"] = int(deg)
    return sub


def compute_layout(graph: nx.Graph, layout: str = "spring", *, seed: int = SEED) -> Positions:
    """Deterministic positions for every node (same graph + same seed → same picture)."""
    if graph.number_of_nodes() == 0:
        return {}
    if layout == "shell":
        return _shell_layout(graph)
    if layout == "bipartite":
        return _bipartite_layout(graph)
    if layout != "spring":
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    return _spring_packed(graph, seed)


def _spring_packed(graph: nx.Graph, seed: int) -> Positions:
    """Force-directed layout per connected component, components packed in rows, isolated nodes in a grid.

    Running the spring model on the whole disconnected graph flings isolated entities to a ring
    far from everything; packing keeps the picture compact and readable.
    """
    import networkx as nx  # here, not at the top: the GUI thread never pays for its import

    comps = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    multi = [c for c in comps if len(c) > 1]
    single = sorted(
        (c[0] for c in comps if len(c) == 1),
        key=lambda n: (graph.nodes[n].get("kind", ""), graph.nodes[n].get("name", n)),
    )
    blocks: list[tuple[float, Positions]] = []  # (radius, positions centred on 0)
    for comp in multi:
        sub = subgraph_for(graph, comp)
        if len(comp) < SMALL_GRAPH:
            raw = nx.spring_layout(sub, seed=seed, iterations=100)
            pos = stress_refine(sub, {n: (float(p[0]), float(p[1])) for n, p in raw.items()})
        else:
            pos = fast_spring_layout(sub, seed=seed)
        radius = 75.0 * math.sqrt(len(comp))
        blocks.append((radius, _fit_circle(pos, radius)))
    out: Positions = {}
    total = sum((2 * r) ** 2 for r, _ in blocks) + len(single) * 80.0**2
    row_width = max(math.sqrt(total * 2.4), 400.0)  # wider than tall, like a screen or a landscape page
    x = y = 0.0
    row_h = 0.0
    for radius, pos in blocks:
        d = 2 * radius
        if x > 0 and x + d > row_width:
            x, y, row_h = 0.0, y - row_h - 60.0, 0.0
        for n, (px, py) in pos.items():
            out[n] = (x + radius + px, y - radius + py)
        x += d + 60.0
        row_h = max(row_h, d)
    if single:
        y = y - row_h - (100.0 if blocks else 0.0)
        cols = max(1, int(row_width // 260.0))
        for i, n in enumerate(single):
            out[n] = (130.0 + (i % cols) * 260.0, y - (i // cols) * 90.0)
    return _normalise(out)


def _fit_circle(pos: Mapping[str, tuple[float, float]], radius: float) -> Positions:
    arr = np.array(list(pos.values()), dtype=float)
    arr -= arr.mean(axis=0)
    r = float(np.sqrt((arr**2).sum(axis=1)).max()) or 1.0
    arr *= radius / r
    return {n: (float(a), float(b)) for n, (a, b) in zip(pos, arr, strict=True)}


def _normalise(pos: Positions) -> Positions:
    """Centre on 0 and scale so the larger side spans 2·SCALE (aspect kept)."""
    arr = np.array(list(pos.values()), dtype=float)
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    span = float((hi - lo).max()) or 1.0
    arr = (arr - (lo + hi) / 2) * (2 * SCALE / span)
    return {n: (round(float(a), 3), round(float(b), 3)) for n, (a, b) in zip(pos, arr, strict=True)}


def stress_refine(graph: nx.Graph, pos: Mapping[str, tuple[float, float]], *, iterations: int = 120) -> Positions:
    """Refine a spring layout by stress majorization: screen distances follow hop distances.

    The plain spring model crowds a hub's neighbours into its centre and flings leaves out, so
    labels collide; majorizing stress (as Kamada–Kawai does, without needing scipy) spreads them evenly.
    """
    import networkx as nx  # here, not at the top: the GUI thread never pays for its import

    nodes = list(pos)
    n = len(nodes)
    if n < 3:
        return dict(pos)
    index = {node: i for i, node in enumerate(nodes)}
    d = np.full((n, n), float(n), dtype=float)
    # Ties of a hub are made longer so its many neighbours get a circle wide enough for their labels.
    deg = dict(graph.degree())

    def length(u: str, v: str, _data: Any) -> float:
        return 1.0 + 0.12 * max(0, max(int(deg[u]), int(deg[v])) - 3)

    for src, lengths in nx.all_pairs_dijkstra_path_length(graph, weight=length):
        for dst, hops in lengths.items():
            d[index[src], index[dst]] = float(hops)
    np.fill_diagonal(d, 0.0)
    w = np.zeros_like(d)
    mask = d > 0
    w[mask] = d[mask] ** -2.0
    x = np.array([pos[node] for node in nodes], dtype=float)
    x *= 1.0 / max(float(np.abs(x).max()), 1e-9) * math.sqrt(n)
    wsum = w.sum(axis=1)[:, None]
    for _ in range(iterations):
        diff = x[:, None, :] - x[None, :, :]
        dist = np.sqrt((diff**2).sum(axis=2)) + 1e-9
        coef = w * d / dist
        x = ((w[:, :, None] * x[None, :, :]).sum(axis=1) + (coef[:, :, None] * diff).sum(axis=1)) / wsum
    return {node: (float(x[i, 0]), float(x[i, 1])) for node, i in index.items()}


def fast_spring_layout(graph: nx.Graph, *, seed: int = SEED, iterations: int = 80) -> Positions:
    """:func:`spring_arrays` on a networkx graph (components of SMALL_GRAPH nodes or more)."""
    nodes = list(graph.nodes())
    index = {node: i for i, node in enumerate(nodes)}
    pairs = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64).reshape(-1, 2)
    pos = spring_arrays(len(nodes), pairs[:, 0], pairs[:, 1], seed=seed, iterations=iterations)
    return {node: (float(pos[i, 0]), float(pos[i, 1])) for node, i in index.items()}


def spring_arrays(n: int, src: IntArray, dst: IntArray, *, seed: int = SEED, iterations: int = 50) -> FloatArray:
    """Fruchterman–Reingold with their grid variant: repulsion only from the 3 × 3 grid cells
    around a node (cells 2k wide, each summed to its centroid), attraction along every tie.

    Memory and time per step grow linearly with nodes + ties (no n × n or n × cells array; the
    dense networkx model needs n² memory and was killed at 100,000 nodes), deterministic for a seed.
    """
    if n == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    if n == 1:
        return pos
    k = math.sqrt(1.0 / n)
    g = max(1, int(1.0 / (2 * k)))
    t = 0.1
    dt = t / (iterations + 1)
    shifts = [(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)]
    for _ in range(iterations):
        cell = np.clip((pos * g).astype(np.int64), 0, g - 1)
        flat = cell[:, 0] * g + cell[:, 1]
        count = np.bincount(flat, minlength=g * g).astype(np.float64)
        sx = np.bincount(flat, weights=pos[:, 0], minlength=g * g)
        sy = np.bincount(flat, weights=pos[:, 1], minlength=g * g)
        disp = np.zeros_like(pos)
        for ox, oy in shifts:
            cx, cy = cell[:, 0] + ox, cell[:, 1] + oy
            ok = (cx >= 0) & (cx < g) & (cy >= 0) & (cy < g)
            j = np.where(ok, cx * g + cy, 0)
            c = np.where(ok, count[j], 0.0)
            mx: FloatArray = sx[j].astype(np.float64)
            my: FloatArray = sy[j].astype(np.float64)
            if ox == 0 and oy == 0:  # its own cell: the others in it, without itself
                c = c - 1.0
                mx, my = mx - pos[:, 0], my - pos[:, 1]
            live = c > 0
            safe = np.where(live, c, 1.0)
            dx = pos[:, 0] - mx / safe
            dy = pos[:, 1] - my / safe
            d2 = dx * dx + dy * dy + (0.01 * k) ** 2
            w = np.where(live, k * k * c / d2, 0.0)
            disp[:, 0] += dx * w
            disp[:, 1] += dy * w
        if len(src):
            ev = pos[src] - pos[dst]
            dist = np.sqrt((ev**2).sum(axis=1)) + 1e-12
            pull = ev * (dist / k)[:, None]
            # bincount, not np.add.at: the latter is ~20x slower for scatter-adds.
            for axis in (0, 1):
                disp[:, axis] -= np.bincount(src, weights=pull[:, axis], minlength=n)
                disp[:, axis] += np.bincount(dst, weights=pull[:, axis], minlength=n)
        length = np.sqrt((disp**2).sum(axis=1)) + 1e-12
        pos += disp * (np.minimum(length, t) / length)[:, None]
        np.clip(pos, 0.0, 1.0, out=pos)
        t -= dt
    return pos


def _kind(graph: nx.Graph, n: str) -> str:
    return str(graph.nodes[n].get("kind", ""))


def _name_key(graph: nx.Graph, n: str) -> tuple[str, str]:
    return (str(graph.nodes[n].get("name", n)).casefold(), n)


def _barycentre_order(graph: nx.Graph, nodes: list[str], anchor: Mapping[str, float]) -> list[str]:
    """Order ``nodes`` by the mean anchor value of their neighbours (fewer crossings); unattached last."""

    def key(n: str) -> tuple[int, float, tuple[str, str]]:
        vals = [anchor[m] for m in graph.neighbors(n) if m in anchor]
        return (0, sum(vals) / len(vals), _name_key(graph, n)) if vals else (1, 0.0, _name_key(graph, n))

    return sorted(nodes, key=key)


def _shell_layout(graph: nx.Graph) -> Positions:
    groups: list[list[str]] = []
    placed = set()
    for kinds in SHELLS:
        members = [n for n in graph if _kind(graph, n) in kinds]
        placed.update(members)
        groups.append(members)
    groups[-1].extend(n for n in graph if n not in placed)  # any unknown kind: the outer shell
    groups = [g for g in groups if g]
    # Inner shell by kind then name; each outer shell by the angle of its neighbours further in.
    ordered: list[list[str]] = []
    angle: dict[str, float] = {}
    for gi, members in enumerate(groups):
        if gi == 0:
            order = sorted(members, key=lambda n: (_kind(graph, n), _name_key(graph, n)))
        else:
            order = _barycentre_order(graph, members, angle)
        ordered.append(order)
        for i, n in enumerate(order):
            angle[n] = 2 * math.pi * i / max(1, len(order))
    out: Positions = {}
    for gi, order in enumerate(ordered):
        radius = SCALE * (gi + 1) / len(ordered) if len(order) > 1 or gi > 0 else 0.0
        for i, n in enumerate(order):
            a = math.pi / 2 - 2 * math.pi * i / max(1, len(order))
            out[n] = (round(radius * math.cos(a), 3), round(radius * math.sin(a), 3))
    return out


def _bipartite_layout(graph: nx.Graph) -> Positions:
    """Countries (and other actors) in the left column, alliances, organisations and the rest on the right."""
    left = [n for n in graph if _kind(graph, n) in COUNTRY_KINDS]
    right = [n for n in graph if _kind(graph, n) not in COUNTRY_KINDS]
    right = sorted(right, key=lambda n: (-graph.degree(n), _name_key(graph, n)))
    # Two sweeps of barycentre ordering: right anchored by left and back.
    for _ in range(2):
        rank_r = {n: float(i) for i, n in enumerate(right)}
        left = _barycentre_order(graph, left, rank_r)
        rank_l = {n: float(i) for i, n in enumerate(left)}
        right = _barycentre_order(graph, right, rank_l)
    out: Positions = {}
    for column, x in ((left, -0.35 * SCALE), (right, 0.35 * SCALE)):
        count = len(column)
        for i, n in enumerate(column):
            y = SCALE - (2 * SCALE * i / (count - 1)) if count > 1 else 0.0
            out[n] = (x, round(y, 3))
    return out


ARRAY_LAYOUT = 2000  # from this many nodes the force-directed layout skips networkx altogether


def layout_nodes(data: GraphData, nodes: IntArray, layout: str, *, seed: int = SEED) -> FloatArray:
    """Positions (len(nodes) × 2) for ``nodes`` of ``data``, laid out on their own.

    Up to ARRAY_LAYOUT nodes (and for the circular and bipartite layouts) through networkx, the
    same picture as :func:`compute_layout` gives the exports; above, force-directed straight on the
    arrays with :func:`spring_arrays` (linear memory), scaled like the others."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    nodes = np.asarray(nodes, dtype=np.int64)
    if len(nodes) == 0:
        return np.zeros((0, 2))
    if layout != "spring" or len(nodes) < ARRAY_LAYOUT:
        pos = compute_layout(data.to_networkx(nodes), layout, seed=seed)
        return np.array([pos[data.ids[i]] for i in nodes], dtype=np.float64).reshape(-1, 2)
    local = np.full(data.n, -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    keep = (local[data.src] >= 0) & (local[data.dst] >= 0)
    raw = spring_arrays(len(nodes), local[data.src[keep]], local[data.dst[keep]], seed=seed)
    lo, hi = raw.min(axis=0), raw.max(axis=0)
    span = float((hi - lo).max()) or 1.0
    out: FloatArray = (raw - (lo + hi) / 2) * (2 * SCALE / span)
    return out


def positions_array(
    data: GraphData,
    nodes: IntArray,
    layout: str,
    saved: Mapping[str, tuple[float, float]] | None = None,
    *,
    cache: Path | None = None,
) -> FloatArray:
    """:func:`layout_nodes` with the user's dragged positions (``saved``, by id) on top; with a
    ``cache`` folder a layout computed before for the same network and nodes is read, not computed."""
    from app.core.graph import cache as kept

    pos = kept.load_layout(cache, kept.content_hash(data), layout, nodes) if cache is not None else None
    if pos is None:
        pos = layout_nodes(data, nodes, layout)
        if cache is not None:
            kept.save_layout(cache, kept.content_hash(data), layout, nodes, pos)
    if saved:
        for k, i in enumerate(nodes):
            p = saved.get(data.ids[int(i)])
            if p is not None:
                pos[k] = p
    return pos


def positions_for(
    graph: nx.Graph, layout: str, saved: GraphPositionsStore | None = None, *, seed: int = SEED
) -> Positions:
    """Computed layout with the user's dragged positions (``saved``) on top."""
    pos = compute_layout(graph, layout, seed=seed)
    if saved is not None:
        pos.update({k: v for k, v in saved.load(layout).items() if k in pos})
    return pos
