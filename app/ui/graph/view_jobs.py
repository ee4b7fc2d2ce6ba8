"""The graph pane's redraws: what is visible and where its labels go, computed off the GUI thread.

A filter change from typing is coalesced (DEBOUNCE_MS after the last key, or up to TYPING_S when the
last redraw took longer: ``GraphPane.set_matches``) and computed on a worker
(:func:`app.core.graph.view.compute_view` and :func:`app.core.graph.placement.plan_labels`: match
mask, node and tie arrays, label rectangles); the GUI thread swaps the finished arrays into the
canvas. A click (select, focus, fade) is answered at once with the same functions. Labels follow the
view: after a pan or zoom the last plan is drawn moved with its nodes, and a new one is planned on a
worker once the view rests (LABEL_REST_MS). Small views (SYNC_LABELS visible nodes or fewer) plan
their labels right in the paint, as cheap as drawing them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from PySide6.QtCore import QThreadPool, QTimer

from app.core.graph.placement import EMPTY_PLAN, LabelPlan, LabelScene, Transform, plan_labels
from app.core.graph.view import ViewInput, ViewState, compute_view, overview_scope
from app.core.query.interrupt import check
from app.ui.graph.graph_parts import GraphParts
from app.ui.jobs import JobRunner

DEBOUNCE_MS = 40  # typing: the graph redraws this long after the last key's rows (the list first)
TYPING_S = 0.3  # matches closer together than this are typing (coalesced); a lone change goes at once


def redraw_wait(gap_s: float, redraw_ms: float) -> int:
    """How long (ms) the graph waits to redraw for new matches that came ``gap_s`` after the last ones,
    when a redraw last took ``redraw_ms``. A lone change goes at once. While typing (matches less than
    TYPING_S apart) the redraw goes shortly after the list's repaint if it fits in a quarter of the gap
    between keys, so it is over before the next key; a costlier one (100,000 entities) waits for a
    pause, never running beside the list's query for the next key."""
    if gap_s >= TYPING_S:
        return 0
    return DEBOUNCE_MS if redraw_ms * 4 <= gap_s * 1000 else int(TYPING_S * 1000)


LABEL_REST_MS = 60  # a pan or zoom: labels are planned again once the view rests this long
SYNC_LABELS = 400  # plan labels in the paint itself up to this many visible nodes


class ViewJobsMixin(GraphParts):
    """Part of :class:`GraphPane`: the view and label workers and their hand-over."""

    def _start_view_jobs(self, pool: QThreadPool) -> None:
        # Stopped between its steps when a newer filter is asked for (filter_changing): it would run
        # beside the list's query for the next key.
        self._view_runner = JobRunner(pool, on_error=self._layout_failed, interrupt=True, parent=self)
        self._label_runner = JobRunner(pool, on_error=self._layout_failed, parent=self)
        self._view_gen = 0  # every view computed or asked for; an older answer is dropped
        self._label_gen = 0  # what the labels depend on, but for the view's transform
        self._plan_gen = -1  # the label generation self._plan was made for
        self._plan: LabelPlan = EMPTY_PLAN
        self._plan_data: Any = None  # the network the plan is for
        self._shown = np.zeros(0, dtype=bool)
        self.sync_labels = SYNC_LABELS
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(LABEL_REST_MS)
        self._label_timer.timeout.connect(self._submit_labels)

    def view_jobs_busy(self) -> bool:
        return self._view_runner.busy or self._label_runner.busy or self._label_timer.isActive()

    # ---- the view ------------------------------------------------------------------------------
    def _view_input(self, in_filter: np.ndarray | None) -> ViewInput:
        return ViewInput(
            data=self.data,
            pos=self._pos,
            laid_out=self._spot >= 0,
            in_filter=in_filter,
            fade_outside=self._fade_outside,
            selected=self.selected_id,
            focus_depth=self._focus_depth,
            path=tuple(self._path),
            tie_mask=self._tie_mask,
        )

    def _update_view(self) -> None:
        """Redraw now (a click, a drag, the As of year): the same arrays a worker would compute.
        While typed matches are on their way the change goes with them instead (one redraw)."""
        if self._filter_pending and self.loaded:
            if not self._matches_timer.isActive():
                self._submit_filter()  # again, with this change (the one computing is dropped)
            return
        self._view_gen += 1
        self._apply_view(compute_view(self._view_input(self._in_filter)), None)

    def _submit_filter(self) -> None:
        """The pending typed filter (``_pending_ids``): mask, view and labels on a worker."""
        self._view_gen += 1
        gen, ids, inp0 = self._view_gen, self._pending_ids, self._view_input(None)
        scene = {**self._scene_params(), "sizes": self._base_size * self._unit}
        self._filter_pending = True

        overview, count = self.overview, self.overview_nodes

        def compute() -> tuple[np.ndarray | None, ViewState, LabelPlan, np.ndarray | None]:
            mask = None if ids is None else inp0.data.mask_of(ids)
            check()  # superseded by a newer filter: stop here, leave the cores to the list's query
            inp = replace(inp0, in_filter=mask)
            scope = overview_scope(inp, count) if overview else None  # an overview's nodes for these matches
            check()
            state = compute_view(inp)
            check()
            return mask, state, plan_labels(_scene(inp0.data, state, scene)), scope

        def apply(result: tuple[np.ndarray | None, ViewState, LabelPlan, np.ndarray | None]) -> None:
            if gen != self._view_gen or inp0.data is not self.data or inp0.pos is not self._pos:
                return  # the network, its layout or the view changed meanwhile
            self._filter_pending = False
            mask, state, plan, scope = result
            old = self._in_filter
            self._in_filter = mask
            if scope is not None and not np.array_equal(scope, self._scope):
                self._relayout(fit=True, scope=scope)  # other nodes to lay out (on a worker)
                return
            same = (old is None and mask is None) or (
                old is not None and mask is not None and np.array_equal(old, mask)
            )
            if same and np.array_equal(state.shown, self._shown):
                return  # the same matches: nothing to redraw
            self._apply_view(state, plan)
            self._fit_if_lost()

        self._view_runner.submit(compute, apply)

    def filter_changing(self) -> None:
        """A newer filter is being queried (a key): the redraw for the older matches is not wanted
        any more; stop it, and wait for the new matches, so the list's query has the cores."""
        if self._filter_pending:
            self._matches_timer.stop()
            self._view_runner.cancel()

    def _apply_view(self, state: ViewState, plan: LabelPlan | None) -> None:
        """Swap the computed arrays into the canvas (a few setData calls)."""
        self._shown = state.shown
        self.visible_index = state.visible_index
        self.visible_pos = state.visible_pos
        self.visible_faded = state.visible_faded
        self.visible_degree = state.visible_degree
        self.visible_size = self._base_size[state.visible_index] * self._unit
        self._hidden_selection, self._focus_blocked = state.hidden_selection, state.focus_blocked
        d = self._drawn
        if len(d):
            self._nodes.show_spots((state.shown & ~state.faded)[d])
            self._pale_nodes.show_spots(state.faded[d])
        for item, xy in ((self._edges, state.strong_ties), (self._faded_edges, state.pale_ties)):
            item.setData(x=xy[:, 0], y=xy[:, 1], connect="pairs")
        usable = plan is not None and plan.transform == self._transform() and plan.bounds == self._bounds()
        self._push_overlays(replan=not usable)
        if plan is not None and usable:
            self._set_plan(plan)
        self._update_notes(state.visible_index)
        self.redrawn.emit()

    # ---- labels --------------------------------------------------------------------------------
    def _transform(self) -> Transform:
        t = self.view_box.childGroup.sceneTransform()
        return (t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy())

    def _bounds(self) -> tuple[float, float, float, float]:
        r = self.view_box.sceneBoundingRect()
        return (r.left(), r.top(), r.right(), r.bottom())

    def _scene_params(self) -> dict[str, Any]:
        """What a label plan needs besides the visible arrays (read on the GUI thread)."""
        return {
            "transform": self._transform(),
            "bounds": self._bounds(),
            "selected": self.selected_id,
            "hovered": self.hovered_id,
            "keyboard": self.keyboard_id,
            "path": tuple(self._path),
            "text": self.labels.advances(),
        }

    def _label_scene(self) -> LabelScene:
        vis = self.visible_index
        return LabelScene(
            data=self.data,
            visible_index=vis,
            visible_pos=self.visible_pos,
            visible_faded=self.visible_faded,
            visible_degree=self.visible_degree,
            visible_size=self.visible_size,
            **self._scene_params(),
        )

    def _set_plan(self, plan: LabelPlan) -> None:
        self._plan, self._plan_gen, self._plan_data = plan, self._label_gen, self.data
        if plan.unknown_chars:
            self.labels.measure(plan.unknown_chars)

    def _refresh_labels(self, *, replan: bool = True) -> None:
        """What the labels show changed (visible set, selection, hover, chain, zoom): plan again
        (``replan`` False: a plan for the change comes with it)."""
        self._label_gen += 1
        if replan and len(self.visible_index) > self.sync_labels:
            self._submit_labels()
        self.labels.prepareGeometryChange()
        self.labels.update()

    def _view_moved(self) -> None:
        """Pan, zoom or resize: the labels move with their nodes now and are planned again soon."""
        self.labels.prepareGeometryChange()
        self.labels.update()

    def current_plan(self) -> LabelPlan:
        """The labels to paint now: planned here for a small view, else the newest plan moved with
        its nodes (a fresh one is asked of a worker)."""
        t = self._transform()
        plan = self._plan
        fresh = self._plan_gen == self._label_gen and self._plan_data is self.data
        if fresh and plan.transform == t and plan.bounds == self._bounds():
            return plan
        if len(self.visible_index) <= self.sync_labels:
            self._set_plan(plan_labels(self._label_scene()))
            return self._plan
        if not self._label_runner.busy:
            self._label_timer.start()  # restarted by every move: planned once the view rests
        if self._plan_data is not self.data or not plan.labels:
            return EMPTY_PLAN
        nodes = np.array([lab.node for lab in plan.labels], dtype=np.int64)
        keep = self._shown[nodes] if len(self._shown) == self.data.n else np.zeros(len(nodes), dtype=bool)
        if not keep.all():
            idx = np.flatnonzero(keep)
            plan = LabelPlan(
                plan.transform, plan.bounds, tuple(plan.labels[i] for i in idx), plan.anchors[idx], plan.unknown_chars
            )
            nodes = nodes[idx]
        return plan.moved(t, self._pos[nodes])

    def _submit_labels(self) -> None:
        gen, data, scene = self._label_gen, self.data, self._label_scene()

        def apply(plan: LabelPlan) -> None:
            if gen != self._label_gen or data is not self.data:
                return  # planned for a view since changed (a newer plan is asked for by its paint)
            self._set_plan(plan)
            self.labels.update()

        self._label_runner.submit(lambda: plan_labels(scene), apply)


def _scene(data: Any, state: ViewState, p: dict[str, Any]) -> LabelScene:
    """A label scene for a view computed on a worker (``p``: the pane's :meth:`_scene_params` and
    ``sizes``, every node's marker size)."""
    vis = state.visible_index
    params = {k: v for k, v in p.items() if k != "sizes"}
    return LabelScene(
        data=data,
        visible_index=vis,
        visible_pos=state.visible_pos,
        visible_faded=state.visible_faded,
        visible_degree=state.visible_degree,
        visible_size=p["sizes"][vis],
        **params,
    )
