"""The entity network (Qt-free): graph building, layouts, neighbourhoods, connection paths, GraphML.

Representation of bilateral partnerships: they are **small nodes**, not edges between the two parties.
A partnership is an entity of its own in the catalogue (``islamic-nation-china``): it has its own
citations, can carry notes and tags, is matched by the filter (kind "partnership") and is selected
from the list like any other entity, so it needs a place on the canvas to be clicked, centred and
highlighted. Some "partnerships" are not between two countries either (``united-states-nato`` ties a
country to the member countries of an alliance; ``france-germany`` is set within the EU), which an edge cannot
express. The pane draws them small (diamonds) so they read as connectors rather than hubs.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from app.core.fileio import atomic_path
from app.core.query.filters import FilterSpec, describe
from app.core.reference.relations import relation_sentence

if TYPE_CHECKING:
    from app.core.query.repository import Citation, Repository
    from app.core.userdata.positions import GraphPositionsStore

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


@dataclass(frozen=True)
class ConnectionStep:
    """One edge of a "why are these connected?" chain, with the citations of the fact behind it."""

    from_id: str
    from_name: str
    to_id: str
    to_name: str
    field: str  # member, party, part_of, partner (the catalogue's fact field)
    text: str  # "Armenia is a member of Collective Security Treaty Organization"
    citations: tuple[Citation, ...] = ()

    def __str__(self) -> str:
        c = self.citations[0] if self.citations else None
        return f"{self.text} ({c.document_title}, {c.section}: “{c.quote}”)" if c else self.text

    @property
    def html(self) -> str:
        """The step and its citations, escaped, for the detail pane."""
        cites = "".join(
            f'<br><span class="src">{escape(c.document_title)} › {escape(c.section)}: “{escape(c.quote)}”</span>'
            for c in self.citations
        )
        return f"{escape(self.text)}{cites}"


# ---- building ------------------------------------------------------------------------------------
def build_graph(repo: Repository, spec: FilterSpec | None = None, *, with_citations: bool = True) -> nx.Graph:
    """Nodes: the entities matching ``spec`` (all when None). Edges: relation facts between them.

    Node attributes: name, kind, degree, citations (text: one "document § section: “quote”" per
    line; empty when ``with_citations`` is False). Edge attributes: field, source, target (the
    fact's direction), quote, document_id.
    """
    rows = repo.list_entities(spec or FilterSpec())
    graph = nx.Graph()
    if spec is not None:
        graph.graph["filter"] = describe(spec)
    cites = repo.entity_citations() if with_citations else {}
    for r in sorted(rows, key=lambda r: r.id):  # id order: layouts must not depend on the list's sort
        lines = [f"{t} § {s}: “{q}”" if s else f"{t}: “{q}”" for t, s, q in cites.get(r.id, [])]
        graph.add_node(r.id, name=r.name, kind=r.kind, citations="\n".join(lines))
    for e in repo.edges():
        if e.source == e.target or e.source not in graph or e.target not in graph:
            continue
        if graph.has_edge(e.source, e.target):
            continue  # a second fact between the same pair (both directions): keep the first cited one
        graph.add_edge(
            e.source,
            e.target,
            field=e.field,
            source=e.source,
            target=e.target,
            quote=e.quote,
            document_id=e.document_id,
        )
    for node, deg in graph.degree():
        graph.nodes[node]["degree"] = int(deg)
    return graph


def subgraph_for(graph: nx.Graph, ids: Iterable[str]) -> nx.Graph:
    """The induced subgraph on ``ids`` (a copy), degrees recomputed within it.

    Nodes and edges keep the graph's order: networkx's own ``subgraph`` iterates a set, whose order
    changes with Python's string hashing from one run to the next, and so would the layout."""
    keep = {i for i in ids if i in graph}
    sub = nx.Graph(**graph.graph)
    sub.add_nodes_from((n, dict(d)) for n, d in graph.nodes(data=True) if n in keep)
    sub.add_edges_from((u, v, dict(d)) for u, v, d in graph.edges(data=True) if u in keep and v in keep)
    for node, deg in sub.degree():
        sub.nodes[node]["degree"] = int(deg)
    return sub


def neighbourhood(graph: nx.Graph, entity_id: str, depth: int) -> set[str]:
    """``entity_id`` and every node within ``depth`` hops (depth 0: the entity alone)."""
    if entity_id not in graph:
        return set()
    seen = {entity_id}
    frontier = deque([(entity_id, 0)])
    while frontier:
        node, d = frontier.popleft()
        if d >= depth:
            continue
        for nb in graph.neighbors(node):
            if nb not in seen:
                seen.add(nb)
                frontier.append((nb, d + 1))
    return seen


def relation_text(graph: nx.Graph, source: str, target: str, field_: str, *, subject_first: bool | None = None) -> str:
    """The fact as a sentence (``source`` states it about ``target``); see relation_sentence."""
    s = graph.nodes[source].get("name", source)
    t = graph.nodes[target].get("name", target)
    return relation_sentence(field_, s, t, subject_first=subject_first)


def connection_path(repo: Repository, graph: nx.Graph, a: str, b: str) -> list[ConnectionStep]:
    """The shortest chain of cited ties from ``a`` to ``b``; [] when they are not connected.

    Each step carries the full citations (document, section, passage span, quote) of its fact,
    read from the repository so the detail pane can open the passage.
    """
    if a not in graph or b not in graph or a == b:
        return []
    try:
        path = nx.shortest_path(graph, a, b)
    except nx.NetworkXNoPath:
        return []
    details: dict[str, Any] = {}
    steps = []
    for u, v in pairwise(path):
        data = graph.edges[u, v]
        src, tgt, fld = data["source"], data["target"], data["field"]
        if src not in details:
            details[src] = repo.get_entity(src)
        detail = details[src]
        citations: tuple[Citation, ...] = ()
        if detail is not None:
            for link in (*detail.members, *detail.related):
                if link.id == tgt and link.role == fld:
                    citations = link.citations
                    break
        steps.append(
            ConnectionStep(
                from_id=u,
                from_name=graph.nodes[u]["name"],
                to_id=v,
                to_name=graph.nodes[v]["name"],
                field=fld,
                # Read along the chain: the step's first entity starts the sentence.
                text=relation_text(graph, src, tgt, fld, subject_first=u == src),
                citations=citations,
            )
        )
    return steps


# ---- layouts -------------------------------------------------------------------------------------
Positions = dict[str, tuple[float, float]]


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


def fast_spring_layout(graph: nx.Graph, *, seed: int = SEED, iterations: int = 60) -> Positions:
    """Fruchterman–Reingold in numpy with grid-approximated repulsion, O(n·cells + edges) per step.

    networkx's spring_layout needs scipy above 500 nodes and its dense fallback is O(n²) per
    iteration (about 3 s for 2,000 nodes); repulsion from grid-cell centroids is plenty for a picture.
    """
    nodes = list(graph.nodes())
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)).astype(np.float64)
    if graph.number_of_edges():
        edges = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64)
    else:
        edges = np.zeros((0, 2), dtype=np.int64)
    k = math.sqrt(1.0 / n)
    t = 0.1
    dt = t / (iterations + 1)
    g = max(4, int(math.sqrt(n) / 3))
    for _ in range(iterations):
        lo = pos.min(axis=0)
        span = np.maximum(pos.max(axis=0) - lo, 1e-9)
        cell = np.minimum(((pos - lo) / span * g).astype(np.int64), g - 1)
        flat = cell[:, 0] * g + cell[:, 1]
        counts = np.bincount(flat, minlength=g * g).astype(np.float64)
        cx = np.bincount(flat, weights=pos[:, 0], minlength=g * g)
        cy = np.bincount(flat, weights=pos[:, 1], minlength=g * g)
        occupied = counts > 0
        cent = np.stack([cx[occupied] / counts[occupied], cy[occupied] / counts[occupied]], axis=1)
        cnt = counts[occupied]
        dx = pos[:, 0:1] - cent[None, :, 0]  # n × cells
        dy = pos[:, 1:2] - cent[None, :, 1]
        w = (k * k) * cnt[None, :] / (dx * dx + dy * dy + (k * 0.05) ** 2)
        disp = np.stack([(dx * w).sum(axis=1), (dy * w).sum(axis=1)], axis=1)
        if len(edges):
            ev = pos[edges[:, 0]] - pos[edges[:, 1]]
            dist = np.sqrt((ev**2).sum(axis=1)) + 1e-9
            pull = ev * (dist / k)[:, None]
            # bincount, not np.add.at: the latter is ~20x slower for scatter-adds.
            for axis in (0, 1):
                disp[:, axis] -= np.bincount(edges[:, 0], weights=pull[:, axis], minlength=n)
                disp[:, axis] += np.bincount(edges[:, 1], weights=pull[:, axis], minlength=n)
        length = np.sqrt((disp**2).sum(axis=1)) + 1e-9
        pos += disp * (np.minimum(length, t) / length)[:, None]
        t -= dt
    return {node: (float(pos[i, 0]), float(pos[i, 1])) for node, i in index.items()}


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
    for column, x in ((left, -0.6 * SCALE), (right, 0.6 * SCALE)):
        count = len(column)
        for i, n in enumerate(column):
            y = SCALE - (2 * SCALE * i / (count - 1)) if count > 1 else 0.0
            out[n] = (x, round(y, 3))
    return out


def positions_for(
    graph: nx.Graph, layout: str, saved: GraphPositionsStore | None = None, *, seed: int = SEED
) -> Positions:
    """Computed layout with the user's dragged positions (``saved``) on top."""
    pos = compute_layout(graph, layout, seed=seed)
    if saved is not None:
        pos.update({k: v for k, v in saved.load(layout).items() if k in pos})
    return pos


# ---- GraphML -------------------------------------------------------------------------------------
def graphml_graph(repo: Repository, spec: FilterSpec) -> nx.Graph:
    """The filtered graph with string/number attributes only, as GraphML and Gephi want them."""
    graph = build_graph(repo, spec)
    out = nx.Graph(filter=graph.graph.get("filter", "") or "all entities", generator="Alliance Atlas")
    docs = {d.id: d.title for d in repo.documents()}
    for n, data in graph.nodes(data=True):
        out.add_node(
            n,
            label=data["name"],
            name=data["name"],
            kind=data["kind"],
            degree=data["degree"],
            citations=data["citations"],
        )
    for u, v, data in graph.edges(data=True):
        title = docs.get(data["document_id"], data["document_id"])
        out.add_edge(
            u,
            v,
            field=data["field"],
            relation=relation_text(graph, data["source"], data["target"], data["field"]),
            source_id=data["source"],
            target_id=data["target"],
            quote=data["quote"],
            document_id=data["document_id"],
            citation=f"{title}: “{data['quote']}”",
        )
    return out


def write_graphml(repo: Repository, spec: FilterSpec, path: Path) -> Path:
    """Write the filtered network as GraphML (atomic: a failed write leaves no partial file)."""
    path = Path(path)
    graph = graphml_graph(repo, spec)
    with atomic_path(path) as tmp:
        nx.write_graphml(graph, str(tmp), encoding="utf-8", prettyprint=True)
    return path


def random_graph(nodes: int = 2000, edges: int = 10_000, *, seed: int = 0) -> nx.Graph:
    """A synthetic graph with the catalogue's shape (countries ↔ groups) for benchmarks and tests."""
    rng = random.Random(seed)
    kinds = ("alliance", "organisation", "partnership", "treaty", "event")
    countries = max(2, nodes // 10)
    graph = nx.Graph()
    for i in range(nodes):
        kind = "country" if i < countries else kinds[i % len(kinds)]
        graph.add_node(f"n{i:05d}", name=f"{kind.title()} {i}", kind=kind, citations="")
    ids = list(graph.nodes())
    while graph.number_of_edges() < edges:
        a, b = ids[rng.randrange(countries)], ids[rng.randrange(countries, nodes)]
        graph.add_edge(b, a, field="member", source=b, target=a, quote="", document_id="synthetic")
    for n, deg in graph.degree():
        graph.nodes[n]["degree"] = int(deg)
    return graph
