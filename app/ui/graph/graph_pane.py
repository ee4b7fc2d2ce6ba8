"""The graph pane: the network of countries, alliances and partnerships (pyqtgraph).

The network is read and laid out off the GUI thread (latest request wins). Every placed node is
handed to two scatter items once per layout (one drawn in full colour, one pale); a filter,
focus or selection change only flips their per-spot visibility and redraws the ties from numpy
masks, so a keystroke costs a few milliseconds at 10,000 nodes. Above OVERVIEW_LIMIT nodes the
pane lays out an overview (the best-connected OVERVIEW_NODES of what the filter matches) and says
"showing N of M"; a narrower filter or focus on a selection shows every tie of what remains.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSettings, Qt, QThreadPool, QTimer, Slot
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.core.graph import cache as kept
from app.core.graph.layout import LAYOUTS, positions_array
from app.core.graph.model import GraphData, graph_data, load_graph_data
from app.core.graph.view import overview_scope
from app.core.query.filters import FilterSpec
from app.ui.graph import graph_export as gx
from app.ui.graph.as_of_ties import AsOfTiesMixin, crowding_scale
from app.ui.graph.canvas import cosmetic
from app.ui.graph.controls import build_controls
from app.ui.graph.dialogs import ConnectionDialog, ImageSizeDialog
from app.ui.graph.interaction import InteractionMixin
from app.ui.graph.view_jobs import DEBOUNCE_MS, ViewJobsMixin, redraw_wait
from app.ui.jobs import JobRunner

if TYPE_CHECKING:
    from pathlib import Path

    from app.core.query.repository import Repository
    from app.core.userdata.positions import GraphPositionsStore

__all__ = ["ConnectionDialog", "GraphPane", "ImageSizeDialog"]

OVERVIEW_LIMIT = 20_000  # above this many entities the pane draws an overview, not every node
OVERVIEW_NODES = 2_000  # ... of this many, the best connected of the filter's matches
ASYNC_NODES = 300  # lay out graphs this big on a worker thread (smaller ones at once: tests, seeds)
LEGEND_SHARE = 0.2  # the legend takes at most this share of the pane's height (it shrinks to 100 %)
LAYOUT_KEY = "graph/layout"  # the window's settings: the layout chosen last time


_ID_OF = attrgetter("id")


class GraphPane(ViewJobsMixin, AsOfTiesMixin, InteractionMixin, QWidget):
    """Who is tied to whom: click a node to select it everywhere; the filter hides or fades the rest."""

    # Its signals (entity_selected, connection_found, status_message, layout_ready, redrawn) are
    # declared in app/ui/graph/graph_parts.py, where every part of the pane sees them.

    def __init__(
        self,
        *,
        repo: Repository,
        positions: GraphPositionsStore | None = None,
        settings: QSettings | None = None,
        pool: QThreadPool | None = None,
        overview_limit: int = OVERVIEW_LIMIT,
        overview_nodes: int = OVERVIEW_NODES,
        cache_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._repo = repo
        self._cache = cache_dir  # the network and layouts computed before (app.core.graph.cache)
        self._store = positions
        self._settings = settings  # remembers the layout chosen (the window's settings when installed)
        self.overview_limit = overview_limit
        self.overview_nodes = overview_nodes
        self._spec = FilterSpec()
        self._in_filter: np.ndarray | None = None  # node mask of the filter's matches (None: all)
        self._pending_ids: list[str] | None = None
        saved = str(settings.value(LAYOUT_KEY, "") or "") if settings is not None else ""
        self._layout = saved if saved in LAYOUTS else "spring"
        self._focus_depth = 0
        self._fade_outside = False
        self.selected_id: str | None = None
        self.hovered_id: str | None = None
        self.keyboard_id: str | None = None
        self._path: list[str] = []
        self._connection_shown = False  # a chain, or a "not connected" answer, is on show (Esc clears)
        self._hidden_selection: str | None = None  # the selection, when the filter hides it
        self._announced_hidden: str | None = None
        self._focus_blocked = False  # focus mode on, but its centre is outside the filter
        self.show_labels = True
        self.loaded = False
        self.overview = False  # drawing the best-connected part of a graph too big to draw whole
        self._scope = np.zeros(0, dtype=np.int64)  # the nodes laid out (all, or the overview's)
        pool = pool or QThreadPool.globalInstance()
        self._loader = JobRunner(pool, on_error=self._layout_failed, parent=self)
        self._runner = JobRunner(pool, on_error=self._layout_failed, parent=self)
        self._unit = 1.0  # View > Zoom: markers grow with the text, as labels and legend do
        self._as_of_runner = self._start_as_of(pool)  # the As of year's ties (app.ui.graph.as_of_ties)
        self._start_view_jobs(pool)  # the typed filter's view and the labels (app.ui.graph.view_jobs)
        self._filter_pending = False  # a typed filter is being computed on a worker
        self._last_matches = 0.0  # when the list last handed over its matches (time.monotonic)
        self._set_data(graph_data([], []))
        self._pens = {False: cosmetic("#222222"), True: cosmetic("#bbbbbb")}
        self._matches_timer = QTimer(self)
        self._matches_timer.setSingleShot(True)
        self._matches_timer.setInterval(DEBOUNCE_MS)  # after the list has repainted; coalesces typing
        self._matches_timer.timeout.connect(self._apply_matches)
        build_controls(self)
        self.reload()

    # ---- data ----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the network again (start-up, data changes) on a worker thread, then lay it out."""
        repo, layout, store, cache = self._repo, self._layout, self._store, self._cache
        limit, top = self.overview_limit, self.overview_nodes

        def read_and_lay_out() -> tuple[GraphData, np.ndarray, np.ndarray]:
            # One job: the first picture needs both, and neither may wait on the GUI thread.
            stamp = repo.network_stamp() if cache is not None and hasattr(repo, "network_stamp") else None
            data = kept.load_network(cache, stamp) if cache is not None and stamp else None
            if data is None:
                data = load_graph_data(repo)
                if cache is not None and stamp:
                    kept.save_network(cache, stamp, data)  # the next start reads this, not the tables
            everyone = np.ones(data.n, dtype=bool)
            scope = np.arange(data.n) if data.n <= limit else data.top_by_degree(everyone, top)
            saved = store.load(layout) if store is not None else None
            return data, scope, positions_array(data, scope, layout, saved, cache=cache)

        self.busy_label.setText("Reading the network…")
        self.busy_label.setVisible(True)
        self._loader.submit(read_and_lay_out, self._on_data)

    def is_ready(self) -> bool:
        """The network is read and laid out, with nothing newer on the way (tests, screenshots)."""
        return (
            self.loaded
            and not self._loader.busy
            and not self._runner.busy
            and not self._as_of_runner.busy
            and not self._matches_timer.isActive()
            and not self.view_jobs_busy()
        )

    def _on_data(self, result: tuple[GraphData, np.ndarray, np.ndarray]) -> None:
        data, scope, pos = result
        self._set_data(data)
        self.loaded = True
        self.busy_label.setVisible(False)
        self._scope = scope
        self._tie_mask = None  # for the network replaced; read again for the As of year
        if self._as_of is not None:
            self._read_ties_in_force(self._as_of)
        self._apply_positions(scope, pos)
        self.fit_to_view()
        self._centre_selection()
        if self.overview and not np.array_equal(self._layout_scope(), scope):
            self._relayout(fit=True)  # the filter or a focus asks for another part of a big graph
        else:
            self.layout_ready.emit()

    def _set_data(self, data: GraphData) -> None:
        self.data = data
        n = data.n
        self._pos = np.full((n, 2), np.nan)
        self._drawn = np.zeros(0, dtype=np.int64)  # node index of each scatter spot
        self._spot = np.full(n, -1, dtype=np.int64)  # scatter spot of each node (-1: not laid out)
        kinds = sorted(set(data.kinds))
        code = {k: i for i, k in enumerate(kinds)}
        self._kind_names = kinds
        self._kind_code = np.fromiter(map(code.__getitem__, data.kinds), dtype=np.int64, count=n)
        self._base_size = gx.node_sizes(kinds, self._kind_code, data.degree)
        # A crowded graph (both alliance datasets: 1,700 nodes) draws its markers smaller, so the hubs
        # and the labels stay readable instead of one solid blob; zooming in separates the rest.
        self._base_size *= crowding_scale(n)
        self.overview = n > self.overview_limit
        if self._in_filter is not None and len(self._in_filter) != n:
            self._in_filter = None if self._pending_ids is None else data.mask_of(self._pending_ids)
        self._clear_visible()

    def _clear_visible(self) -> None:
        self._shown = np.zeros(self.data.n, dtype=bool)
        self.visible_index = np.zeros(0, dtype=np.int64)
        self.visible_pos = np.zeros((0, 2))
        self.visible_faded = np.zeros(0, dtype=bool)
        self.visible_size = np.zeros(0)
        self.visible_degree = np.zeros(0, dtype=np.int64)

    @property
    def visible_ids(self) -> list[str]:
        ids = self.data.ids
        return [ids[i] for i in self.visible_index]

    @property
    def graph(self) -> GraphData:
        return self.data

    def _layout_scope(self) -> np.ndarray:
        """The nodes to lay out: all, or in an overview the filter's (or the focus') best connected."""
        if not self.overview:
            return np.arange(self.data.n)
        return overview_scope(self._view_input(self._in_filter), self.overview_nodes)

    def _relayout(self, *, fit: bool, scope: np.ndarray | None = None) -> None:
        scope = self._layout_scope() if scope is None else scope
        data, layout, store, cache = self.data, self._layout, self._store, self._cache

        def compute() -> tuple[np.ndarray, np.ndarray]:
            saved = store.load(layout) if store is not None else None
            return scope, positions_array(data, scope, layout, saved, cache=cache)

        def apply(result: tuple[np.ndarray, np.ndarray]) -> None:
            if data is not self.data:
                return  # laid out for a network since replaced
            self.busy_label.setVisible(False)
            self._apply_positions(*result)
            if fit:
                self.fit_to_view()
                self._centre_selection()
            self.layout_ready.emit()

        self._scope = scope
        if len(scope) >= ASYNC_NODES or not self.loaded:
            self.busy_label.setText(f"Laying out {len(scope):,} nodes…")
            self.busy_label.setVisible(True)
            self._runner.submit(compute, apply)
        else:
            apply(compute())

    def _apply_positions(self, scope: np.ndarray, pos: np.ndarray) -> None:
        self._pos = np.full((self.data.n, 2), np.nan)
        self._pos[scope] = pos
        self._drawn = np.asarray(scope, dtype=np.int64)
        self._spot = np.full(self.data.n, -1, dtype=np.int64)
        self._spot[self._drawn] = np.arange(len(self._drawn))
        self._push_nodes()
        self._update_view()

    def _layout_failed(self, exc: BaseException) -> None:
        self.busy_label.setVisible(False)
        self.status_message.emit(f"The graph could not be laid out: {exc}")

    def _push_nodes(self) -> None:
        """Hand every laid-out node to both scatters (once per layout or zoom step)."""
        d = self._drawn
        symbols = [gx.shape_path(gx.kind_style(k)[2]) for k in self._kind_names]
        normal = [pg.mkBrush(QColor(gx.kind_style(k)[1])) for k in self._kind_names]
        pale = [pg.mkBrush(gx.faded_colour(gx.kind_style(k)[1])) for k in self._kind_names]
        codes = self._kind_code[d]
        sym = _objects(symbols)[codes]
        for item, brushes, faded in ((self._nodes, normal, False), (self._pale_nodes, pale, True)):
            if not len(d):
                item.setData(pos=np.zeros((0, 2)), data=[])
                continue
            item.setData(
                pos=self._pos[d],
                size=self._base_size[d] * self._unit,
                symbol=sym,
                brush=_objects(brushes)[codes],
                pen=self._pens[faded],
                data=d,
                pxMode=True,
                hoverable=True,
                tip=self._tip,
            )

    # ---- what is visible: app.ui.graph.view_jobs ----------------------------------------------
    def _update_notes(self, vis: np.ndarray) -> None:
        notes = []
        if self.visible_faded.any():
            notes.append("Pale: outside the filter or the selection's neighbourhood.")
        if self._path:
            base = self._in_filter
            outside = base is not None and not base[[self.data.index[n] for n in self._path]].all()
            notes.append(
                "Red: the chain of ties between the two chosen entities"
                + ("; its pale links are outside the filter" if outside else "")
                + " (Esc clears it)."
            )
        hidden = self._hidden_selection
        if hidden is not None:
            name = self.name_of(hidden)
            notes.append(
                f"Focus does not apply: {name} (selected) is outside the filter."
                if self._focus_blocked
                else f"{name} (selected) is outside the filter, so it is not drawn."
            )
        # bincount, not np.unique: its first call imports numpy.ma (0.4 s on the GUI thread)
        codes: Any = np.flatnonzero(np.bincount(self._kind_code[vis], minlength=len(self._kind_names)))
        self.legend.set_kinds([self._kind_names[c] for c in codes], notes)
        self._update_overview_label()
        self.clear_chain_action.setEnabled(self._connection_shown)
        self.clear_chain_button.setVisible(bool(self._path))
        if hidden != self._announced_hidden:
            self._announced_hidden = hidden
            if hidden is not None:
                self.status_message.emit(self.hidden_selection_message())

    def _update_overview_label(self) -> None:
        if not self.overview:
            self.overview_label.setVisible(False)
            return
        cand = self._in_filter if self._in_filter is not None else np.ones(self.data.n, dtype=bool)
        total, drawn = int(cand.sum()), len(self.visible_index)
        self.overview_label.setVisible(drawn < total)
        self.overview_label.setText(
            f"Overview: showing {drawn:,} of {total:,} entities, the best connected. Narrow the filter, "
            "or select an entity and choose Focus, to see every tie."
        )

    def hidden_selection_message(self) -> str:
        """Why the selection is not drawn (and focus mode shows no neighbourhood): the filter."""
        hidden = self._hidden_selection
        if hidden is None:
            return ""
        name = self.name_of(hidden)
        if self._focus_blocked:
            return (
                f"{name} is outside the filter, so focus does not apply: the graph shows every match. "
                f"Fade filtered-out draws {name} pale."
            )
        return f"{name} is outside the filter, so the graph does not show it. Fade filtered-out draws it pale."

    def name_of(self, entity_id: str) -> str:
        i = self.data.index.get(entity_id)
        return entity_id if i is None else self.data.names[i]

    def kind_of(self, entity_id: str) -> str:
        i = self.data.index.get(entity_id)
        return "" if i is None else self.data.kinds[i]

    def _push_overlays(self, *, replan: bool = True) -> None:
        # Only ties of the chain: two links with a hidden one between them are never joined.
        idx = self.data.index
        shown = set(self.visible_ids) if self._path else set()
        segments = [(u, v) for u, v in zip(self._path, self._path[1:], strict=False) if u in shown and v in shown]
        if segments:
            pts = np.array([self._pos[idx[n]] for pair in segments for n in pair])
            self._path_edges.setData(x=pts[:, 0], y=pts[:, 1], connect="pairs")
        else:
            self._path_edges.setData(x=np.zeros(0), y=np.zeros(0))
        spots: list[dict[str, Any]] = []
        for node, pen in (
            (self.selected_id, cosmetic(gx.SELECTED_COLOUR, 2.5)),
            (self.keyboard_id, cosmetic("#1f77ff", 2.0, Qt.PenStyle.DashLine)),
        ):
            i = self.visible_position(node)
            if i is not None and not (spots and node == self.selected_id):
                spots.append(
                    {
                        "pos": tuple(self.visible_pos[i]),
                        "size": float(self.visible_size[i]) + 10,
                        "pen": pen,
                        "brush": None,
                        "symbol": "o",
                    }
                )
        self._halo.setData(spots)
        self._refresh_labels(replan=replan)

    def visible_position(self, entity_id: str | None) -> int | None:
        """Where ``entity_id`` sits in the visible arrays, or None when it is not drawn."""
        i = self.data.index.get(entity_id or "")
        if i is None:
            return None
        k = int(np.searchsorted(self.visible_index, i))
        return k if k < len(self.visible_index) and self.visible_index[k] == i else None

    def _tip(self, x: float, y: float, data: Any) -> str:
        i = int(data)
        kind, deg = self.data.kinds[i], int(self.data.degree[i])
        label = gx.kind_style(kind)[0] if kind else "Entity"
        return f"{self.data.names[i]}\n{label}\n{deg} cited tie{'s' if deg != 1 else ''}"

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.legend.set_cap(max(40, int(self.height() * LEGEND_SHARE)))

    def changeEvent(self, event: QEvent) -> None:
        """View > Zoom: markers, labels and legend grow with the window's text (projectors)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "labels"):
            base = QApplication.font().pointSizeF()
            unit = self.font().pointSizeF() / base if base > 0 else 1.0
            self.labels.set_unit(unit)
            self.legend.set_unit(unit)
            if abs(unit - self._unit) > 1e-3:
                self._unit = unit
                self.visible_size = self._base_size[self.visible_index] * unit
                for item in (self._nodes, self._pale_nodes):
                    if len(self._drawn):
                        item.setSize(self._base_size[self._drawn] * unit)
                self._push_overlays()

    # ---- the filter ----------------------------------------------------------------------------
    @Slot(object)
    def set_filter(self, spec: FilterSpec) -> None:
        """Query ``spec`` and show its matches at once (tests, exports; the window uses set_matches)."""
        self._spec = spec
        rows = None if spec.is_empty() else [r.id for r in self._repo.list_entities(spec)]
        self.set_filter_ids(rows)

    @Slot(object, object)
    def set_matches(self, spec: FilterSpec, rows: Sequence[Any]) -> None:
        """The list's finished query: applied just after the list has repainted (latest wins)."""
        self._spec = spec
        ids = getattr(rows, "ids", None)  # the list's EntityMatches: its ids, without reading its rows
        self._pending_ids = None if spec.is_empty() else list(ids if ids is not None else map(_ID_OF, rows))
        if spec.as_of != self._as_of:
            self.set_as_of(spec.as_of)
        self._view_gen += 1  # a view still computing for older matches is dropped (app.ui.graph.view_jobs)
        self._filter_pending = True
        now = time.monotonic()
        self._matches_timer.setInterval(redraw_wait(now - self._last_matches, self._view_runner.last_ms))
        self._last_matches = now
        self._matches_timer.start()

    def _apply_matches(self) -> None:
        if not self.loaded:
            self.set_filter_ids(self._pending_ids)  # kept for the network on its way
            return
        self._submit_filter()  # mask, arrays and labels on a worker; the GUI thread swaps them in

    def set_filter_ids(self, ids: Any) -> None:
        """Show these entity ids as the filter's matches (None: everything)."""
        self._matches_timer.stop()
        self._filter_pending = False
        self._pending_ids = None if ids is None else list(ids)
        mask = None if ids is None else self.data.mask_of(self._pending_ids or [])
        old = self._in_filter
        changed = (old is None) != (mask is None) or (mask is not None and old is not None and (mask != old).any())
        self._in_filter = mask
        if not changed or not self.loaded:
            return
        if self.overview and not np.array_equal(self._layout_scope(), self._scope):
            self._relayout(fit=True)
            return
        if len(self._drawn):
            self._update_view()
            self._fit_if_lost()


def _objects(items: list[Any]) -> np.ndarray:
    """A 1-D object array of Qt values (np.array would try to unpack some of them)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out
