"""What a drawn network shows (Qt-free): visible nodes, fading, selection, a chain, as plain arrays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
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
) -> GraphPicture:
    """The picture the pane would show for ``spec`` (outside the filter hidden), optionally focused.

    With ``own_layout`` a subset is laid out afresh on its own (a PDF of a search), instead of
    keeping its places in the whole network, where it would sit scattered over an empty page."""
    from app.core.graph.layout import compute_layout, positions_for, subgraph_for
    from app.core.graph.network import build_graph, neighbourhood
    from app.core.query.filters import FilterSpec, describe

    spec = spec or FilterSpec()
    full = build_graph(repo, with_citations=False)
    ids = {r.id for r in repo.list_entities(spec)}
    graph = subgraph_for(full, ids)
    if own_layout and graph.number_of_nodes() < full.number_of_nodes():
        placed = compute_layout(graph, layout)
    else:
        placed = positions_for(full, layout, positions)
    focused = bool(focus and depth > 0 and focus in graph)
    visible = neighbourhood(graph, str(focus), depth) if focused else set(graph.nodes)
    subtitle = describe(spec, repo.entity_names()) if not spec.is_empty() else "All entities"
    if focus and focus in graph and depth > 0:
        subtitle += f" · within {depth} step{'s' if depth > 1 else ''} of {graph.nodes[focus]['name']}"
    return picture_from_graph(graph, placed, visible=visible, selected=focus, title=title, subtitle=subtitle)
