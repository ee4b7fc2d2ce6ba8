"""The entity network as numpy arrays (Qt-free): nodes, ties, neighbourhoods, shortest chains, overview.

The pane redraws on every keystroke, so what it asks of the network is answered with array
operations over node and edge indices (a boolean mask per question), never with a Python loop over
the ties. networkx is only used to hand a small graph to the layouts and the exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from app.core.query.filters import FilterSpec

if TYPE_CHECKING:
    import networkx as nx

    from app.core.query.repository import EntityRow

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FIELDS = ("member", "party", "part_of", "partner")


class GraphSource(Protocol):
    """What the network is read from (the repository): the entities and their cited ties."""

    def list_entities(self, spec: FilterSpec, *, limit: int | None = None) -> list[EntityRow]: ...

    def relation_pairs(self) -> list[tuple[str, str, str]]: ...


@dataclass
class GraphData:
    """Nodes in id order; ties as index pairs, in the catalogue's direction (``src`` states the fact)."""

    ids: list[str]
    names: list[str]
    kinds: list[str]
    src: IntArray
    dst: IntArray
    fields: list[str]  # one per tie: member, party, part_of, partner
    index: dict[str, int] = field(init=False)
    degree: IntArray = field(init=False)
    _indptr: IntArray | None = field(default=None, init=False, repr=False)
    _adj: IntArray | None = field(default=None, init=False, repr=False)
    content_key: str = field(default="", init=False, repr=False)  # app.core.graph.cache.content_hash, once

    def __post_init__(self) -> None:
        self.index = dict(zip(self.ids, range(len(self.ids)), strict=True))  # C speed (100,000 ids)
        n = len(self.ids)
        self.degree = (np.bincount(self.src, minlength=n) + np.bincount(self.dst, minlength=n)).astype(np.int64)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return len(self.src)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.index

    # ---- adjacency (CSR, built once) -----------------------------------------------------------
    def _csr(self) -> tuple[IntArray, IntArray]:
        if self._indptr is None or self._adj is None:
            a = np.concatenate([self.src, self.dst])
            b = np.concatenate([self.dst, self.src])
            order = np.argsort(a, kind="stable")
            self._adj = b[order].astype(np.int64)
            self._indptr = np.concatenate([[0], np.cumsum(np.bincount(a, minlength=self.n))]).astype(np.int64)
        return self._indptr, self._adj

    def neighbour_indices(self, i: int) -> IntArray:
        indptr, adj = self._csr()
        return adj[indptr[i] : indptr[i + 1]]

    def neighbors(self, entity_id: str) -> list[str]:
        """The entity's neighbours' ids (networkx's spelling, so tests read alike)."""
        i = self.index.get(entity_id)
        return [] if i is None else [self.ids[j] for j in self.neighbour_indices(i)]

    def has_edge(self, a: str, b: str) -> bool:
        i, j = self.index.get(a), self.index.get(b)
        return i is not None and j is not None and bool((self.neighbour_indices(i) == j).any())

    def degree_of(self, entity_id: str) -> int:
        i = self.index.get(entity_id)
        return 0 if i is None else int(self.degree[i])

    # ---- masks ---------------------------------------------------------------------------------
    def mask_of(self, ids: Iterable[str]) -> BoolArray:
        """A node mask from entity ids (unknown ids are ignored)."""
        # map() over dict.get runs in C: a generator here cost tens of ms per keystroke at 10,000.
        idx = np.fromiter(map(self.index.get, ids, repeat(-1)), dtype=np.int64)
        mask = np.zeros(self.n, dtype=bool)
        mask[idx[idx >= 0]] = True
        return mask

    def pair_mask(self, pairs: Iterable[tuple[str, str, str]]) -> BoolArray:
        """A tie mask: the ties between two entities that ``pairs`` (subject, object, field) join,
        either way round (the As of year's ties in force, from ``relation_pairs(as_of=...)``)."""
        index, n = self.index, max(self.n, 1)
        keys = [
            min(a, b) * n + max(a, b)
            for s, t, _f in pairs
            if (a := index.get(s)) is not None and (b := index.get(t)) is not None
        ]
        ties = np.minimum(self.src, self.dst) * n + np.maximum(self.src, self.dst)
        return np.isin(ties, np.array(keys, dtype=np.int64))

    def edge_mask(self, nodes: BoolArray) -> BoolArray:
        """Ties with both ends in ``nodes``."""
        return nodes[self.src] & nodes[self.dst]

    def neighbourhood_mask(self, start: int, depth: int, within: BoolArray | None = None) -> BoolArray:
        """``start`` and every node within ``depth`` ties of it (through ``within`` nodes only)."""
        seen = np.zeros(self.n, dtype=bool)
        if not 0 <= start < self.n:
            return seen
        seen[start] = True
        frontier = seen.copy()
        ok = within if within is not None else np.ones(self.n, dtype=bool)
        for _ in range(depth):
            nxt = np.zeros(self.n, dtype=bool)
            live = frontier[self.src] & ok[self.dst]
            nxt[self.dst[live]] = True
            live = frontier[self.dst] & ok[self.src]
            nxt[self.src[live]] = True
            nxt &= ~seen
            if not nxt.any():
                break
            seen |= nxt
            frontier = nxt
        return seen

    def shortest_path(self, a: int, b: int) -> list[int]:
        """The shortest chain of ties from ``a`` to ``b`` (breadth first, lowest index first); [] if none."""
        if a == b or not (0 <= a < self.n and 0 <= b < self.n):
            return []
        parent = np.full(self.n, -1, dtype=np.int64)
        parent[a] = a
        frontier = np.array([a], dtype=np.int64)
        indptr, adj = self._csr()
        while len(frontier) and parent[b] < 0:
            starts, ends = indptr[frontier], indptr[frontier + 1]
            counts = ends - starts
            if counts.sum() == 0:
                break
            owner = np.repeat(frontier, counts)
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            nbrs = adj[np.repeat(starts, counts) + offsets]
            fresh = parent[nbrs] < 0
            nbrs, owner = nbrs[fresh], owner[fresh]
            nbrs, first = np.unique(nbrs, return_index=True)  # the first parent found wins
            parent[nbrs] = owner[first]
            frontier = nbrs
        if parent[b] < 0:
            return []
        path = [b]
        while path[-1] != a:
            path.append(int(parent[path[-1]]))
        return path[::-1]

    def tie(self, i: int, j: int) -> tuple[int, int, str]:
        """(subject, object, field) of the tie between nodes ``i`` and ``j``, in the catalogue's direction."""
        hit = np.flatnonzero(((self.src == i) & (self.dst == j)) | ((self.src == j) & (self.dst == i)))
        if not len(hit):
            raise KeyError((self.ids[i], self.ids[j]))
        k = int(hit[0])
        return int(self.src[k]), int(self.dst[k]), self.fields[k]

    # ---- subsets -------------------------------------------------------------------------------
    def top_by_degree(self, nodes: BoolArray, count: int) -> IntArray:
        """The ``count`` best-connected of ``nodes`` (ties broken by id order), in id order."""
        idx = np.flatnonzero(nodes)
        if len(idx) <= count:
            return idx
        order = np.lexsort((idx, -self.degree[idx]))[:count]
        return np.sort(idx[order])

    def to_networkx(self, nodes: Sequence[int] | IntArray | None = None) -> nx.Graph:
        """The (induced) graph as networkx, in the order :func:`network.build_graph` builds it."""
        import networkx as nx

        keep = np.ones(self.n, dtype=bool) if nodes is None else np.zeros(self.n, dtype=bool)
        if nodes is not None:
            keep[np.asarray(nodes, dtype=np.int64)] = True
        graph = nx.Graph()
        ids, names, kinds = self.ids, self.names, self.kinds
        graph.add_nodes_from(
            (ids[i], {"name": names[i], "kind": kinds[i], "citations": ""}) for i in np.flatnonzero(keep)
        )
        em = self.edge_mask(keep)
        attrs: list[tuple[str, str, dict[str, Any]]] = []
        for k in np.flatnonzero(em):
            s, d = ids[int(self.src[k])], ids[int(self.dst[k])]
            attrs.append((s, d, {"field": self.fields[k], "source": s, "target": d}))
        graph.add_edges_from(attrs)
        for node, deg in graph.degree():
            graph.nodes[node]["degree"] = int(deg)
        return graph


def graph_data(rows: Sequence[EntityRow], pairs: Iterable[tuple[str, str, str]]) -> GraphData:
    """Build the arrays from entity rows and (subject, object, field) facts; a second fact between
    the same two entities (either direction) and ties to unknown entities are left out."""
    ordered = sorted(rows, key=lambda r: r.id)  # id order: layouts must not depend on the list's sort
    return network_arrays([r.id for r in ordered], [r.name for r in ordered], [r.kind for r in ordered], pairs)


def network_arrays(
    ids: list[str], names: list[str], kinds: list[str], pairs: Iterable[tuple[str, str, str]]
) -> GraphData:
    """:func:`graph_data` from nodes already in id order: the ties are mapped to node indices at C
    speed (``map`` over ``dict.get``; a Python loop took 0.9 s for 500,000 ties)."""
    index = dict(zip(ids, range(len(ids)), strict=True))
    pairs = pairs if isinstance(pairs, list) else list(pairs)
    m = len(pairs)
    src = np.fromiter(map(index.get, map(itemgetter(0), pairs), repeat(-1)), dtype=np.int64, count=m)
    dst = np.fromiter(map(index.get, map(itemgetter(1), pairs), repeat(-1)), dtype=np.int64, count=m)
    ok = np.flatnonzero((src >= 0) & (dst >= 0) & (src != dst))
    src, dst = src[ok], dst[ok]
    n = len(ids)
    if len(src):
        key = np.minimum(src, dst) * max(n, 1) + np.maximum(src, dst)
        _u, first = np.unique(key, return_index=True)
        keep = np.sort(first)  # the first fact between a pair, in the repository's order
    else:
        keep = np.zeros(0, dtype=np.int64)
    fields = np.array(list(map(itemgetter(2), pairs)), dtype=object)[ok[keep]].tolist() if len(keep) else []
    return GraphData(ids=list(ids), names=list(names), kinds=list(kinds), src=src[keep], dst=dst[keep], fields=fields)


def load_graph_data(source: GraphSource) -> GraphData:
    """Every entity and every cited tie, read from the repository (run it off the GUI thread)."""
    nodes = getattr(source, "network_nodes", None)  # the repository's lean read (a test's fake has none)
    if nodes is None:
        return graph_data(source.list_entities(FilterSpec()), source.relation_pairs())
    rows: list[tuple[str, str, str]] = nodes()
    return network_arrays([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], source.relation_pairs())
