"""Which graph labels to draw and where, for one view of the canvas (Qt-free, safe on a worker).

The graph pane hands :func:`plan_labels` a snapshot (the visible nodes, the view's transform and
rectangle, the selection, text advances per character) and gets back finished rectangles; painting
them is a short loop. At 10,000 nodes planning takes tens of milliseconds of Python (greedy
placement among the markers), so the pane runs it on a worker thread and, while a newer plan is on
its way, draws the last one moved with its nodes (:meth:`LabelPlan.moved`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from app.core.graph.labels import Rect, leader_line, place_labels
from app.core.graph.model import GraphData

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
Transform = tuple[float, float, float, float, float, float]  # m11, m12, m21, m22, dx, dy (Qt's QTransform)

LABEL_SCREEN_LIMIT = 80  # label every node in view when no more than this many are in view
HUB_LABELS = 8  # the best-connected nodes in view whose labels may sit further out rather than be dropped
BIG_VIEW_LABELS = 25  # on a crowded view: the best-connected few (beyond those that must show)
OBSTACLE_LIMIT = 600  # every marker in view is an obstacle up to this many; above, only the labelled
TEXT_PAD = 8.0  # a label box is its text's advance plus this


@dataclass(frozen=True)
class TextAdvances:
    """Text widths without Qt: each character's advance, measured on the GUI thread for the
    characters seen so far (``fallback`` for any other; the plan reports those, to be measured)."""

    normal: Mapping[str, float]
    bold: Mapping[str, float]
    fallback: float
    bold_fallback: float
    height: float  # a label box's height

    def width(self, text: str, bold: bool) -> float:
        table, other = (self.bold, self.bold_fallback) if bold else (self.normal, self.fallback)
        return sum(table.get(c, other) for c in text) + TEXT_PAD


@dataclass(frozen=True)
class LabelScene:
    """A snapshot of what the canvas shows, for planning its labels."""

    data: GraphData
    visible_index: IntArray
    visible_pos: FloatArray  # layout coordinates
    visible_faded: BoolArray
    visible_degree: IntArray
    visible_size: FloatArray  # marker diameters in pixels
    transform: Transform  # layout → screen
    bounds: Rect  # the view's rectangle on screen
    selected: str | None
    hovered: str | None
    keyboard: str | None
    path: tuple[str, ...]
    text: TextAdvances


@dataclass(frozen=True)
class PlacedLabel:
    node: int
    text: str
    rect: Rect
    leader: tuple[float, float, float, float] | None  # from the marker's edge to the label
    faded: bool
    bold: bool  # the selection
    on_top: bool  # the hovered node: drawn last, opaque


@dataclass(frozen=True)
class LabelPlan:
    """Rectangles in screen pixels for ``transform``; :meth:`moved` follows the nodes elsewhere."""

    transform: Transform
    bounds: Rect
    labels: tuple[PlacedLabel, ...]
    anchors: FloatArray  # (k, 2) each label's marker centre on screen when planned
    unknown_chars: frozenset[str] = frozenset()

    def moved(self, transform: Transform, pos: FloatArray) -> LabelPlan:
        """The same labels, each kept at its offset from its marker, for a changed view
        (``pos``: the labelled nodes' layout positions, in label order)."""
        if transform == self.transform or not self.labels:
            return self
        now = screen_points(transform, pos)
        out = []
        for lab, (ax, ay), (bx, by) in zip(self.labels, self.anchors, now, strict=True):
            dx, dy = float(bx - ax), float(by - ay)
            r = lab.rect
            line = lab.leader
            out.append(
                replace(
                    lab,
                    rect=(r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy),
                    leader=None if line is None else (line[0] + dx, line[1] + dy, line[2] + dx, line[3] + dy),
                )
            )
        return replace(self, transform=transform, labels=tuple(out), anchors=now)


EMPTY_PLAN = LabelPlan((1.0, 0.0, 0.0, 1.0, 0.0, 0.0), (0.0, 0.0, 0.0, 0.0), (), np.zeros((0, 2)))


def screen_points(t: Transform, pos: FloatArray) -> FloatArray:
    """Layout coordinates → screen pixels through a QTransform's six numbers."""
    pos = np.asarray(pos, dtype=np.float64).reshape(-1, 2)
    x = t[0] * pos[:, 0] + t[2] * pos[:, 1] + t[4]
    y = t[1] * pos[:, 0] + t[3] * pos[:, 1] + t[5]
    return np.column_stack([x, y])


def outward_sides(xs: FloatArray, tolerance: float = 1e-3) -> IntArray:
    """:func:`app.core.graph.labels.outward_sides` over an array (once per layout, not per paint)."""
    keys = np.round(np.asarray(xs, dtype=np.float64) / tolerance)
    values = np.unique(keys)
    if len(values) != 2:
        return np.zeros(len(keys), dtype=np.int64)
    return np.where(keys == values[0], -1, 1).astype(np.int64)


def priority_nodes(
    data: GraphData, selected: str | None, hovered: str | None, keyboard: str | None, path: tuple[str, ...]
) -> list[int]:
    """Nodes whose labels are always drawn, most important first: the selection, the hovered node,
    the keyboard's, the chain, then the neighbours of the selection and of the hovered node (best
    connected first)."""
    out: list[int] = []
    seen: set[int] = set()
    for n in (selected, hovered, keyboard, *path):
        i = data.index.get(n) if n is not None else None
        if i is not None and i not in seen:
            seen.add(i)
            out.append(i)
    for n in (selected, hovered):
        i = data.index.get(n) if n is not None else None
        if i is None:
            continue
        nbrs = data.neighbour_indices(i)
        nbrs = nbrs[np.argsort(-data.degree[nbrs], kind="stable")]
        for j in nbrs.tolist():
            if j not in seen:
                seen.add(j)
                out.append(j)
    return out


def plan_labels(scene: LabelScene) -> LabelPlan:
    """What must show (the selection, the hovered node and their neighbours, the keyboard node, a
    chain) is placed first and always; then, on a crowded view, the best-connected few; each clear
    of the markers and of each other (:func:`app.core.graph.labels.place_labels`)."""
    data, shown = scene.data, scene.visible_index
    t, (left, top, right, bottom) = scene.transform, scene.bounds
    if len(shown) == 0:
        return replace(EMPTY_PLAN, transform=t, bounds=scene.bounds)
    screen = screen_points(t, scene.visible_pos)
    sx, sy = screen[:, 0], screen[:, 1]
    inside = (sx >= left) & (sx <= right) & (sy >= top) & (sy <= bottom)
    idx_in = np.flatnonzero(inside)  # positions in the visible arrays
    prio_nodes = priority_nodes(data, scene.selected, scene.hovered, scene.keyboard, scene.path)
    rank = np.full(data.n, len(prio_nodes), dtype=np.int64)
    if prio_nodes:
        rank[np.array(prio_nodes, dtype=np.int64)] = np.arange(len(prio_nodes))
    node_in = shown[idx_in]
    is_prio = rank[node_in] < len(prio_nodes)
    prio_idx = idx_in[is_prio]
    prio_idx = prio_idx[np.argsort(rank[shown[prio_idx]], kind="stable")]
    rest_idx = idx_in[~is_prio]
    faded, degree = scene.visible_faded, scene.visible_degree
    # Strong before faded, best connected first, then by name (stable: the same view, the same labels).
    order_rest = rest_idx[np.lexsort((rest_idx, -degree[rest_idx], faded[rest_idx]))]
    if len(idx_in) > LABEL_SCREEN_LIMIT:  # sparingly on big graphs: the best-connected few in view
        order_rest = order_rest[:BIG_VIEW_LABELS]
    order = prio_idx.tolist() + order_rest.tolist()
    if not order:
        return replace(EMPTY_PLAN, transform=t, bounds=scene.bounds)
    sizes = scene.visible_size
    h = scene.text.height
    sel_node = data.index.get(scene.selected or "", -1)
    names, ids = data.names, data.ids
    widest = max(40.0, right - left - 8.0)  # a longer name is elided rather than cut by the border
    unknown: set[str] = set()
    anchors = []
    for i in order:
        node = int(shown[i])
        name = names[node]
        unknown.update(c for c in name if c not in scene.text.normal)
        width = scene.text.width(name, node == sel_node)
        anchors.append((float(sx[i]), float(sy[i]), float(sizes[i]) / 2, min(widest, width), h))
    # Every marker in view is an obstacle on a readable view; on a crowded one only the labelled
    # few (placing among 2,000 obstacles took 0.4 s).
    obs = idx_in if len(idx_in) <= OBSTACLE_LIMIT else np.array(order, dtype=np.int64)
    half = sizes[obs] / 2
    if sel_node >= 0:  # the selection's ring (5 px wider) is an obstacle too
        half = np.where(shown[obs] == sel_node, half + 5.0, half)
    obstacles = list(zip(sx[obs] - half, sy[obs] - half, sx[obs] + half, sy[obs] + half, strict=True))
    force = [True] * len(prio_idx)
    # The hubs (best connected first) may reach further out: they sit among their neighbours,
    # where every near spot is taken, and are the labels a reader looks for first.
    hubs = [False] * len(prio_idx)
    for k, i in enumerate(order_rest.tolist()):
        hub = k < HUB_LABELS and not faded[i] and degree[i] >= 2
        hubs.append(hub)
        force.append(hub)  # hubs are always labelled: the labels a reader looks for first
    # Two columns (the bipartite layout): each label on the side away from the other column.
    sides = outward_sides(scene.visible_pos[:, 0])[order].tolist()
    # Only the selection, the hovered node, the keyboard's and the chain may cover another name.
    chosen = {scene.selected, scene.hovered, scene.keyboard, *scene.path}
    covers = [ids[int(shown[i])] in chosen for i in order]
    placed = place_labels(
        anchors, bounds=scene.bounds, obstacles=obstacles, force=force, hubs=hubs, sides=sides, may_cover=covers
    )
    markers = np.column_stack([sx[obs], sy[obs]])
    out: list[PlacedLabel] = []
    kept: list[int] = []
    for (x, y, rad, _w, _h), r, i in zip(anchors, placed, order, strict=True):
        if r is None:
            continue
        node = int(shown[i])
        out.append(
            PlacedLabel(
                node=node,
                text=names[node],
                rect=r,
                leader=leader_line(x, y, rad, r, markers),
                faded=bool(faded[i]),
                bold=node == sel_node,
                on_top=ids[node] == scene.hovered,
            )
        )
        kept.append(i)
    return LabelPlan(t, scene.bounds, tuple(out), screen[kept].reshape(-1, 2), frozenset(unknown))
