"""What the graph pane shows for a filter, selection, focus and chain (Qt-free, numpy only).

One function, :func:`compute_view`, turns the pane's state into the arrays the canvas takes as
they are: which nodes are drawn strong or pale, and the ties of each as point pairs. The pane runs
it on a worker thread while the user types (the GUI thread only swaps the arrays in) and at once
for a click; both give the same picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.core.graph.model import GraphData

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ViewInput:
    """The pane's state a view is computed from (plain values: safe to hand to a worker)."""

    data: GraphData
    pos: FloatArray  # (n, 2) layout positions, NaN where a node is not laid out
    laid_out: BoolArray  # (n,) nodes with a position (in the layout's scope)
    in_filter: BoolArray | None  # the filter's matches (None: every node)
    fade_outside: bool  # outside the filter: drawn pale (True) or hidden
    selected: str | None
    focus_depth: int
    path: tuple[str, ...]  # the "why connected?" chain
    tie_mask: BoolArray | None  # the As of year's ties in force (None: every tie)


@dataclass(frozen=True)
class ViewState:
    """The arrays the canvas needs: visible nodes (in node order) and both sets of ties."""

    shown: BoolArray  # (n,)
    faded: BoolArray  # (n,), a subset of shown
    visible_index: IntArray
    visible_pos: FloatArray
    visible_faded: BoolArray
    visible_degree: IntArray
    strong_ties: FloatArray  # (2k, 2): point pairs, ready for a "pairs" curve
    pale_ties: FloatArray
    hidden_selection: str | None  # the selection, when the filter hides it
    focus_blocked: bool  # focus mode on, but its centre is outside the filter


def view_masks(inp: ViewInput) -> tuple[BoolArray, BoolArray, str | None, bool]:
    """(shown, faded, hidden selection, focus blocked): the filter hides or fades; a selection fades
    all but its neighbourhood (focus: hides it); a chain stays whole, its outside links pale."""
    data = inp.data
    n = data.n
    base = inp.in_filter if inp.in_filter is not None else np.ones(n, dtype=bool)
    if inp.fade_outside:
        shown, faded = np.ones(n, dtype=bool), ~base
    else:
        shown, faded = base.copy(), np.zeros(n, dtype=bool)
    sel = data.index.get(inp.selected or "")
    hidden = inp.selected if sel is not None and not shown[sel] else None
    blocked = hidden is not None and inp.focus_depth > 0
    if sel is not None and shown[sel]:
        if inp.focus_depth > 0:
            shown &= data.neighbourhood_mask(sel, inp.focus_depth, None if inp.fade_outside else base)
        else:  # highlight the selection and its neighbours, fade (not hide) the rest
            faded |= shown & ~data.neighbourhood_mask(sel, 1)
    if inp.path:
        # The chain stays whole: a link the filter or the focus leaves out is drawn pale rather
        # than dropped (a red line between the links that remain would be a tie nobody cited).
        chain = data.mask_of(inp.path)
        faded |= chain & ~shown
        shown |= chain
        faded &= ~(chain & base)
    shown &= inp.laid_out
    return shown, faded & shown, hidden, blocked


def tie_points(data: GraphData, pos: FloatArray, mask: BoolArray) -> FloatArray:
    """The ties of ``mask`` as (2k, 2) point pairs (start, end, start, end, ...)."""
    s, t = data.src[mask], data.dst[mask]
    xy = np.empty((2 * len(s), 2))
    xy[0::2], xy[1::2] = pos[s], pos[t]
    return xy


def compute_view(inp: ViewInput) -> ViewState:
    """Every array of one picture, from masks over all nodes and ties (no loop over ties)."""
    data = inp.data
    shown, faded, hidden, blocked = view_masks(inp)
    vis = np.flatnonzero(shown)
    ties = shown[data.src] & shown[data.dst]
    if inp.tie_mask is not None and len(inp.tie_mask) == len(ties):
        ties &= inp.tie_mask
    pale = faded[data.src] | faded[data.dst]
    return ViewState(
        shown=shown,
        faded=faded,
        visible_index=vis,
        visible_pos=inp.pos[vis],
        visible_faded=faded[vis],
        visible_degree=data.degree[vis],
        strong_ties=tie_points(data, inp.pos, ties & ~pale),
        pale_ties=tie_points(data, inp.pos, ties & pale),
        hidden_selection=hidden,
        focus_blocked=blocked,
    )


def overview_scope(inp: ViewInput, count: int) -> IntArray:
    """The nodes an overview lays out: the ``count`` best connected of the filter's matches (of the
    selection's neighbourhood in focus mode), with the selection and the chain."""
    data = inp.data
    cand = inp.in_filter if inp.in_filter is not None else np.ones(data.n, dtype=bool)
    sel = data.index.get(inp.selected or "")
    if sel is not None and inp.focus_depth > 0 and cand[sel]:
        cand = data.neighbourhood_mask(sel, inp.focus_depth, None if inp.fade_outside else cand)
    scope = data.top_by_degree(cand, count)
    extra = [data.index[n] for n in (inp.selected, *inp.path) if n in data.index]
    return np.union1d(scope, np.array(extra, dtype=np.int64)) if extra else scope
