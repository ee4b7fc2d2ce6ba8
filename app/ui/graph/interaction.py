"""What the user does with the graph pane: select, focus, fade, fit, drag, keyboard, why connected, export."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFileDialog

from app.core.errors import AtlasError
from app.core.graph.layout import LAYOUTS
from app.core.query.filters import FilterSpec, describe
from app.ui.graph import graph_export as gx
from app.ui.graph.dialogs import ConnectionDialog, ImageSizeDialog
from app.ui.graph.graph_parts import GraphParts

FIT_MARGIN_PX = 48.0  # room round a fitted selection for its markers, labels and the control rows
MIN_FIT_SPAN = 120.0  # layout units: fitting a single node shows at least this much round it


class InteractionMixin(GraphParts):
    """Slots and helpers of :class:`GraphPane` that answer the user (mixed into the pane)."""

    # ---- selection, focus, fading, layout ------------------------------------------------------
    @Slot(str)
    def select_entity(self, entity_id: str | None) -> None:
        """Centre the entity and highlight it with its neighbours (the rest faded). No signal is emitted.

        Selecting the selected entity again centres it again (after panning away). Selecting an
        entity that is not on the "why connected?" chain takes the chain away."""
        if not self.loaded:  # the network is still being read: kept, and shown once it is laid out
            self.selected_id = self.keyboard_id = entity_id or None
            return
        entity_id = entity_id if entity_id and entity_id in self.data else None
        if entity_id == self.selected_id:
            self._centre_selection()
            return
        self.selected_id = entity_id
        self.keyboard_id = entity_id
        cleared = self._connection_shown and entity_id is not None and entity_id not in self._path
        if cleared:
            self._path = []
            self._connection_shown = False
        if self.overview and not np.array_equal(self._layout_scope(), self._scope):
            self._relayout(fit=False)  # the selection (or its focus) is not in the overview yet
        elif len(self._drawn):
            self._update_view()
        if cleared:
            self.connection_found.emit([], None)
        self._centre_selection()

    @Slot(str)
    def recentre(self, entity_id: str) -> None:
        """Centre ``entity_id`` again if it is the selection (a repeated choice elsewhere)."""
        if entity_id and entity_id == self.selected_id:
            self._centre_selection()

    def _centre_selection(self) -> None:
        eid = self.selected_id
        if eid is None or self.visible_position(eid) is None:
            return  # nothing selected, or the filter hides it (the legend and status say so)
        if self._focus_depth > 0 and not self._focus_blocked:
            self.fit_to_view()
        else:
            self.centre_on(eid, zoom_to_neighbours=True)

    @Slot(int)
    def set_focus_depth(self, depth: int) -> None:
        depth = max(0, min(2, int(depth)))
        if self.focus_combo.currentIndex() != depth:
            self.focus_combo.setCurrentIndex(depth)  # re-enters through the signal
            return
        self._focus_depth = depth
        if self.overview and not np.array_equal(self._layout_scope(), self._scope):
            self._relayout(fit=True)
        else:
            self._update_view()
            self.fit_to_view()
        if depth and self.selected_id is None:
            self.status_message.emit("Focus mode shows a neighbourhood: select an entity first.")
        elif depth and self._focus_blocked:
            self.status_message.emit(self.hidden_selection_message())

    @Slot(bool)
    def set_fade_outside(self, fade: bool) -> None:
        if self.fade_check.isChecked() != fade:
            self.fade_check.setChecked(fade)
            return
        self._fade_outside = bool(fade)
        self._update_view()

    def set_layout(self, layout: str) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}")
        i = self.layout_combo.findData(layout)
        if self.layout_combo.currentIndex() != i:
            self.layout_combo.setCurrentIndex(i)  # re-enters through the signal
            return
        if layout != self._layout or not len(self._drawn):
            self._layout = layout
            if self._settings is not None:
                self._settings.setValue("graph/layout", layout)
            if self.loaded:
                self._relayout(fit=True)

    @property
    def layout_name(self) -> str:
        return str(getattr(self, "_layout", "spring"))

    @property
    def focus_depth(self) -> int:
        return self._focus_depth

    # ---- the view ------------------------------------------------------------------------------
    def _fit_rect(self, pos: np.ndarray, *, rel: float = 0.08, px: float = FIT_MARGIN_PX) -> None:
        """Show every point of ``pos`` with a margin: ``rel`` of the span, plus ``px`` screen pixels
        left and right and half that above and below (markers and labels stick out of their centres;
        labels sit beside a marker more often than above it). Each axis gets the scale it needs, so a
        tall picture (the bipartite columns) uses the pane's height."""
        lo, hi = pos.min(axis=0), pos.max(axis=0)
        span = np.maximum(hi - lo, 0.0)
        width, height = max(self.view_box.width(), 100.0), max(self.view_box.height(), 100.0)
        room = (max(width - 2 * px, 50.0), max(height - px, 50.0))
        need = [float(span[k]) * (1 + 2 * rel) / room[k] for k in (0, 1)]
        per_px = max(*need, MIN_FIT_SPAN / min(width, height))  # a lone node: a sensible zoom
        cx, cy = (lo + hi) / 2
        half_w, half_h = width * per_px / 2, height * per_px / 2
        self.view_box.setRange(QRectF(cx - half_w, cy - half_h, 2 * half_w, 2 * half_h), padding=0)

    @Slot()
    def fit_to_view(self) -> None:
        if len(self.visible_pos):
            self._fit_rect(self.visible_pos)

    def centre_on(self, entity_id: str, *, zoom_to_neighbours: bool = False) -> None:
        """Centre the node; optionally zoom so it and its neighbours are all on screen with a margin:
        in, when that spreads them enough to label, or out, when some would be near the edge."""
        k = self.visible_position(entity_id)
        if k is None:
            return
        x, y = (float(v) for v in self.visible_pos[k])
        vr = self.view_box.viewRect()
        if zoom_to_neighbours:
            nbrs = [self.visible_position(m) for m in self.data.neighbors(entity_id)]
            pts = self.visible_pos[[i for i in nbrs if i is not None]]
            reach = float(np.abs(pts - (x, y)).max()) if len(pts) else 0.0
            half = max(reach * 1.3, 150.0)
            now = min(vr.width(), vr.height()) / 2
            # Zoom when the neighbours would fill less than half the view (too small to label) or
            # reach into its outer fifth (at the edge, or under the controls).
            if half < now * 0.5 or reach > now * 0.8:
                self._fit_rect(np.array([[x - half, y - half], [x + half, y + half]]), rel=0.0)
                return
        c = vr.center()
        self.view_box.translateBy(x=x - c.x(), y=y - c.y())

    @Slot()
    def reset_layout(self) -> None:
        if self._store is not None:
            try:
                self._store.clear(self._layout)
            except (AtlasError, OSError, sqlite3.Error) as exc:
                self.status_message.emit(f"Could not reset the layout: {exc}")
                return
        self._relayout(fit=True)
        self.status_message.emit(f"{LAYOUTS[self._layout]} layout reset.")

    def node_scene_pos(self, entity_id: str) -> QPointF:
        """Where a node is drawn, in scene coordinates (tests click there)."""
        x, y = self.node_position(entity_id)
        return self.view_box.mapViewToScene(QPointF(x, y))

    def node_position(self, entity_id: str) -> tuple[float, float]:
        p = self._pos[self.data.index[entity_id]]
        if np.isnan(p[0]):
            raise KeyError(entity_id)
        return float(p[0]), float(p[1])

    def _fit_if_lost(self) -> None:
        """After a filter change, fit the view when fewer than half the matches are on screen
        (a view zoomed in on one corner would otherwise look empty)."""
        pos = self.visible_pos
        if self._in_filter is not None and len(pos):
            pos = pos[self._in_filter[self.visible_index]]
        if len(pos) == 0:
            return
        vr = self.view_box.viewRect()
        inside = (
            (pos[:, 0] >= vr.left()) & (pos[:, 0] <= vr.right()) & (pos[:, 1] >= vr.top()) & (pos[:, 1] <= vr.bottom())
        )
        if 2 * int(inside.sum()) < len(pos):
            self.fit_to_view()

    # ---- mouse ---------------------------------------------------------------------------------
    def on_clicked(self, _scatter: Any, points: Any, _ev: Any) -> None:
        if len(points) == 0:
            return
        eid = self.data.ids[int(points[0].data())]
        self.select_entity(eid)
        self.entity_selected.emit(eid)

    def on_hovered(self, _scatter: Any, points: Any, _ev: Any) -> None:
        eid = self.data.ids[int(points[0].data())] if len(points) else None
        if eid != self.hovered_id:
            self.hovered_id = eid
            self._refresh_labels()

    def on_dragging(self, node: int, x: float, y: float) -> None:
        self._pos[node] = (x, y)
        spot = int(self._spot[node])
        for item in (self._nodes, self._pale_nodes):
            item.move_spot(spot, x, y)
        k = self.visible_position(self.data.ids[node])
        if k is not None:
            self.visible_pos[k] = (x, y)
        self._update_view()

    def on_dropped(self, node: int, x: float, y: float) -> None:
        self.move_node(self.data.ids[node], x, y)

    def move_node(self, entity_id: str, x: float, y: float) -> None:
        """Place a node and keep the position in the user database (per layout)."""
        node = self.data.index[entity_id]
        if self._spot[node] >= 0:
            self.on_dragging(node, float(x), float(y))
        if self._store is None:
            return
        try:
            self._store.save(self._layout, {entity_id: (float(x), float(y))})
        except (AtlasError, OSError, sqlite3.Error) as exc:
            self.status_message.emit(f"The node moved, but its position could not be saved: {exc}")

    # ---- keyboard ------------------------------------------------------------------------------
    def _reading_order(self) -> list[str]:
        if not len(self.visible_index):
            return []
        pos = self.visible_pos
        band = max(float(np.ptp(pos[:, 1])) / 12.0, 1e-6)
        order = np.lexsort((pos[:, 0], np.round(-pos[:, 1] / band), self.visible_faded))
        ids = self.data.ids
        return [ids[self.visible_index[i]] for i in order]

    def tab_move(self, forward: bool) -> bool:
        """Move the keyboard focus to the next/previous node; False at the end (focus leaves)."""
        order = self._reading_order()
        if not order:
            return False
        if self.keyboard_id not in order:
            nxt = order[0] if forward else order[-1]
        else:
            k = order.index(self.keyboard_id) + (1 if forward else -1)
            if not 0 <= k < len(order):
                self.keyboard_id = None
                self._push_overlays()
                return False
            nxt = order[k]
        self._set_keyboard(nxt)
        return True

    def _set_keyboard(self, eid: str) -> None:
        self.keyboard_id = eid
        self._push_overlays()
        x, y = self.node_position(eid)
        if not self.view_box.viewRect().contains(QPointF(x, y)):
            self.centre_on(eid)
        kind = gx.kind_style(self.kind_of(eid))[0].lower()
        self.status_message.emit(f"{self.name_of(eid)} ({kind}) — Enter selects")

    def arrow_move(self, dx: float, dy: float) -> None:
        if not len(self.visible_index):
            return
        k = self.visible_position(self.keyboard_id)
        if k is None:
            self._set_keyboard(self._reading_order()[0])
            return
        delta = self.visible_pos - self.visible_pos[k]
        along = delta[:, 0] * dx + delta[:, 1] * dy
        across = np.abs(delta[:, 0] * dy - delta[:, 1] * dx)
        score = np.where(along > 1e-9, along + 2.0 * across, np.inf)
        best = int(np.argmin(score))
        if math.isfinite(score[best]):
            self._set_keyboard(self.data.ids[self.visible_index[best]])

    def handle_key(self, ev: QKeyEvent) -> bool:
        key = ev.key()
        arrows = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, 1), Qt.Key.Key_Down: (0, -1)}
        if key in arrows:
            self.arrow_move(*arrows[Qt.Key(key)])
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.keyboard_id:
            eid = self.keyboard_id
            self.select_entity(eid)
            self.entity_selected.emit(eid)
            return True
        if key == Qt.Key.Key_Escape and self._connection_shown:
            self.clear_connection()
            self.status_message.emit("Chain cleared.")
            return True
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.view_box.scaleBy((0.8, 0.8))
            return True
        if key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.view_box.scaleBy((1.25, 1.25))
            return True
        return False

    # ---- why connected -------------------------------------------------------------------------
    def country_choices(self) -> list[tuple[str, str]]:
        """The countries, as the button and the README say (not actors such as Greece or Mesopotamia)."""
        data = self.data
        pairs = [(data.ids[i], data.names[i]) for i in range(data.n) if data.kinds[i] == "country"]
        return sorted(pairs, key=lambda p: p[1].casefold().removeprefix("the "))

    @Slot()
    def ask_connection(self) -> None:
        sel = self.selected_id
        first = sel if sel and self.kind_of(sel) == "country" else None
        (a, b), ok = ConnectionDialog.get_value(self, self.country_choices(), first)
        if ok:
            self.show_connection(a, b)

    def show_connection(self, a: str, b: str) -> list[Any]:
        """Find the chain between two entities, draw it in red and emit :attr:`connection_found`."""
        from app.core.graph.network import connection_path  # networkx: not needed before this

        steps = connection_path(self._repo, self.data, a, b)
        self._connection_shown = True
        name_a, name_b = self.name_of(a), self.name_of(b)
        if steps:
            self._path = [steps[0].from_id] + [s.to_id for s in steps]
            self.status_message.emit(f"{name_a} and {name_b}: {len(steps)} cited step{'s' * (len(steps) != 1)}.")
        else:
            self._path = []
            msg = "the same entity" if a == b else "not connected by any cited tie in the documents"
            self.status_message.emit(f"{name_a} and {name_b}: {msg}.")
        if self.overview and not np.array_equal(self._layout_scope(), self._scope):
            self._relayout(fit=True)
        else:
            self._update_view()
        if self._path and len(self._drawn):
            idx = [self.data.index[n] for n in self._path]
            pts = self._pos[idx]
            pts = pts[~np.isnan(pts[:, 0])]
            vr = self.view_box.viewRect()
            if len(pts) and not all(vr.contains(QPointF(float(p[0]), float(p[1]))) for p in pts):
                self.fit_to_view()
        self.connection_found.emit(steps, (name_a, name_b))
        return steps

    @Slot()
    def clear_connection(self) -> None:
        """Take the chain (or the "not connected" answer) away: graph, legend and detail pane."""
        was = self._connection_shown
        self._path = []
        self._connection_shown = False
        self._update_view()
        if was:
            self.connection_found.emit([], None)

    # ---- export --------------------------------------------------------------------------------
    def picture(self) -> gx.GraphPicture:
        """What the canvas shows now (visible nodes, fading, selection, path), for export."""
        names = dict(zip(self.data.ids, self.data.names, strict=True))
        sub = describe(self._spec, names) if not self._spec.is_empty() else "All entities"
        if self._focus_depth and self.selected_id:
            steps = f"{self._focus_depth} step{'s' * (self._focus_depth > 1)}"
            sub += f" · within {steps} of {self.name_of(self.selected_id)}"
        vis = self.visible_index
        graph = self.data.to_networkx(vis)
        positions = {self.data.ids[i]: (float(p[0]), float(p[1])) for i, p in zip(vis, self.visible_pos, strict=True)}
        faded = [self.data.ids[i] for i, f in zip(vis, self.visible_faded, strict=True) if f]
        return gx.picture_from_graph(
            graph, positions, faded=faded, selected=self.selected_id, path=self._path, subtitle=sub
        )

    def export(self, fmt: str, path: Path, *, size: tuple[int, int] = (2400, 1600)) -> Path:
        if fmt == "png":
            return gx.export_png(self.picture(), path, *size)
        if fmt == "svg":
            return gx.export_svg(self.picture(), path, *size)
        if fmt == "pdf":
            return gx.export_pdf(self.picture(), path)
        if fmt == "graphml":
            from app.core.graph.network import write_graphml

            ids = tuple(self.visible_ids)
            return write_graphml(self._repo, FilterSpec(ids=ids) if ids else self._spec, path)
        raise ValueError(f"unknown export format {fmt!r}")

    def export_png_interactive(self) -> None:
        vb = self.view_box.sceneBoundingRect()
        scale = 2
        (w, h), ok = ImageSizeDialog.get_value(
            self, int(max(vb.width(), 600) * scale), int(max(vb.height(), 400) * scale)
        )
        if ok:
            self.export_interactive("png", size=(w, h))

    def export_interactive(self, fmt: str, size: tuple[int, int] = (1600, 1100)) -> None:
        filters = {
            "png": "PNG image (*.png)",
            "svg": "SVG drawing (*.svg)",
            "pdf": "PDF (*.pdf)",
            "graphml": "GraphML (*.graphml)",
        }
        path, _ = QFileDialog.getSaveFileName(self, "Export graph", f"alliance-atlas-graph.{fmt}", filters[fmt])
        if not path:
            return
        try:
            written = self.export(fmt, Path(path), size=size)
        except (AtlasError, OSError) as exc:
            self.status_message.emit(f"Export failed: {exc}")
            return
        self.status_message.emit(f"Wrote {written}")
