"""What a drawn network shows (Qt-free): visible nodes, fading, selection, a chain, as plain arrays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

    from app.core.query.filters import FilterSpec
    from app.core.query.repository import Repository
    from app.core.userdata.positions import GraphPositionsStore


@dataclass
class GraphPicture:
    """What is on the canvas: visible nodes (hidden ones are simply absent) and the edges between them."""

    ids: list[str]
    names: list[str]
    kinds: list[str]
    degrees: list[int]
    pos: npt.NDArray[np.float64]  # (n, 2) layout coordinates, y up
    faded: npt.NDArray[np.bool_]  # (n,) bool
    edges: npt.NDArray[np.int64]  # (m, 2) indices into ids
    edge_faded: npt.NDArray[np.bool_]  # (m,) bool
    selected: str | None = None
    path: list[str] = field(default_factory=list)  # a "why connected?" chain, in order (whole: links may be absent)
    title: str = "Alliance Atlas: network"
    subtitle: str = ""

    @property
    def visible_ids(self) -> list[str]:
        return list(self.ids)


def picture_from_graph(
    graph: nx.Graph,
    positions: dict[str, tuple[float, float]],
    *,
    visible: Iterable[str] | None = None,
    faded: Iterable[str] = (),
    selected: str | None = None,
    path: Sequence[str] = (),
    title: str = "Alliance Atlas: network",
    subtitle: str = "",
) -> GraphPicture:
    ids = [n for n in graph.nodes if n in positions and (visible is None or n in set(visible))]
    if visible is not None:
        vis = set(visible)
        ids = [n for n in graph.nodes if n in vis and n in positions]
    index = {n: i for i, n in enumerate(ids)}
    faded_set = set(faded)
    edges = [(index[u], index[v]) for u, v in graph.edges() if u in index and v in index]
    return GraphPicture(
        ids=ids,
        names=[str(graph.nodes[n].get("name", n)) for n in ids],
        kinds=[str(graph.nodes[n].get("kind", "")) for n in ids],
        degrees=[int(graph.degree(n)) for n in ids],
        pos=np.array([positions[n] for n in ids], dtype=float).reshape(-1, 2),
        faded=np.array([n in faded_set for n in ids], dtype=bool),
        edges=np.array(edges, dtype=np.int64).reshape(-1, 2),
        edge_faded=np.array([ids[a] in faded_set or ids[b] in faded_set for a, b in edges], dtype=bool),
        selected=selected if selected in index else None,
        path=list(path),  # whole: only ties between consecutive links that are both drawn show red
        title=title,
        subtitle=subtitle,
    )


def picture_from_repo(
    repo: Repository,
    spec: FilterSpec | None = None,
    *,
    layout: str = "spring",
    focus: str | None = None,
    depth: int = 0,
    positions: GraphPositionsStore | None = None,
    title: str = "Alliance Atlas: network",
    own_layout: bool = False,
    cache: Path | None = None,
) -> GraphPicture:
    """The picture the pane would show for ``spec`` (outside the filter hidden), optionally focused.

    With ``own_layout`` a subset is laid out afresh on its own (a PDF of a search), instead of
    keeping its places in the whole network, where it would sit scattered over an empty page.
    The network and its layout are the graph pane's own (arrays; ``cache``: the data folder's graph
    cache, read and written as the pane does), so a layout the pane has made is not made again and,
    then, networkx is never imported (a fifth of the seed summary's time from the command line)."""
    from app.core.graph import cache as kept
    from app.core.graph.layout import positions_array
    from app.core.graph.model import load_graph_data
    from app.core.query.filters import FilterSpec, describe

    spec = spec or FilterSpec()
    stamp = repo.network_stamp() if cache is not None else None
    data = kept.load_network(cache, stamp) if cache is not None and stamp else None
    if data is None:
        data = load_graph_data(repo)
        if cache is not None and stamp:
            kept.save_network(cache, stamp, data)
    chosen = data.mask_of(r.id for r in repo.list_entities(spec))
    nodes = np.flatnonzero(chosen)
    if own_layout and len(nodes) < data.n:
        placed = positions_array(data, nodes, layout, cache=cache)
    else:
        saved = positions.load(layout) if positions is not None else None
        placed = positions_array(data, np.arange(data.n), layout, saved, cache=cache)[nodes]
    start = data.index.get(focus) if focus else None
    focused = start is not None and depth > 0 and bool(chosen[start])
    visible = data.neighbourhood_mask(start, depth, within=chosen) if focused and start is not None else chosen
    subtitle = describe(spec, repo.entity_names()) if not spec.is_empty() else "All entities"
    if focused and start is not None:
        subtitle += f" · within {depth} step{'s' if depth > 1 else ''} of {data.names[start]}"
    # Degrees within the chosen entities (their ties to one another), as the drawing counts them.
    among = chosen[data.src] & chosen[data.dst]
    degree = np.bincount(data.src[among], minlength=data.n) + np.bincount(data.dst[among], minlength=data.n)
    shown = np.flatnonzero(visible)
    local = np.full(data.n, -1, dtype=np.int64)
    local[shown] = np.arange(len(shown))
    drawn = visible[data.src] & visible[data.dst]
    edges = np.stack([local[data.src[drawn]], local[data.dst[drawn]]], axis=1).reshape(-1, 2)
    where = np.full(data.n, -1, dtype=np.int64)
    where[nodes] = np.arange(len(nodes))
    return GraphPicture(
        ids=[data.ids[i] for i in shown],
        names=[data.names[i] for i in shown],
        kinds=[data.kinds[i] for i in shown],
        degrees=[int(degree[i]) for i in shown],
        pos=np.asarray(placed, dtype=float).reshape(-1, 2)[where[shown]],
        faded=np.zeros(len(shown), dtype=bool),
        edges=edges.astype(np.int64),
        edge_faded=np.zeros(len(edges), dtype=bool),
        selected=focus if start is not None and visible[start] else None,
        title=title,
        subtitle=subtitle,
    )
