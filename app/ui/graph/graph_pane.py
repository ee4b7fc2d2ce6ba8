"""The graph pane: the network of countries, alliances and partnerships (pyqtgraph), and install(window).

One GraphItem draws the nodes (entity ids in the spots' ``data``) and the edges among the nodes in
full colour, with one shared 1-px cosmetic pen; edges to faded nodes go in a second curve item with
its own shared pale pen (GraphItem draws per-edge pens line by line, 30× slower). Positions are
computed only when the data or the layout changes; filter, focus and selection only restyle.
Labels are painted by one overlay item in screen pixels, placed greedily so they do not overlap.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, QSettings, QSize, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QKeyEvent, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGraphicsObject,
    QLabel,
    QMenu,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtlasError
from app.core.graph.network import (
    COUNTRY_KINDS,
    LAYOUT_HINTS,
    LAYOUTS,
    build_graph,
    connection_path,
    neighbourhood,
    positions_for,
    write_graphml,
)
from app.core.query.filters import FilterSpec, describe
from app.core.userdata.positions import GraphPositionsStore
from app.ui.graph import graph_export as gx
from app.ui.jobs import JobRunner

ASYNC_NODES = 300  # lay out graphs this big on a worker thread
LABEL_SCREEN_LIMIT = 80  # label every node in view when no more than this many are in view
FOCUS_LABELS = ("All nodes", "Focus: 1 step", "Focus: 2 steps")
HUB_LABELS = 8  # the best-connected nodes in view whose labels may sit further out rather than be dropped
LAYOUT_KEY = "graph/layout"  # the window's settings: the layout chosen last time


def _cosmetic(colour: str, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour))
    pen.setCosmetic(True)
    pen.setWidthF(width)
    pen.setStyle(style)
    return pen


class _NetworkItem(pg.GraphItem):
    """GraphItem whose nodes can be dragged (a drag that starts on empty canvas pans the view)."""

    node_dragging = Signal(int, float, float)
    node_dropped = Signal(int, float, float)

    def __init__(self) -> None:
        super().__init__()
        self._drag: int | None = None
        self._offset = QPointF()

    def mouseDragEvent(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            pts = self.scatter.pointsAt(ev.buttonDownPos())
            if len(pts) == 0:
                ev.ignore()
                return
            self._drag = int(pts[0].index())
            self._offset = pts[0].pos() - ev.buttonDownPos()
        elif self._drag is None:
            ev.ignore()
            return
        p = ev.pos() + self._offset
        index = self._drag
        ev.accept()
        if ev.isFinish():
            self._drag = None
            self.node_dropped.emit(index, p.x(), p.y())
        else:
            self.node_dragging.emit(index, p.x(), p.y())


class _Halo(pg.ScatterPlotItem):
    """The rings round the selected and the keyboard node: drawn on top, but clicks go through to
    the node beneath (a click on the selected node centres it again)."""

    def mouseClickEvent(self, ev: Any) -> None:
        ev.ignore()


class _LabelLayer(QGraphicsObject):
    """Draws node labels in screen pixels over the view box, placed so they do not overlap."""

    def __init__(self, pane: GraphPane) -> None:
        super().__init__()
        self._pane = pane
        self._widths: dict[tuple[str, bool], float] = {}
        self.set_unit(1.0)
        self.setZValue(1000)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.last_labels: list[str] = []  # ids labelled in the last paint (tests, benchmarks)
        self.last_boxes: dict[str, tuple[gx.Rect, bool]] = {}  # id: (label box, with a leader line)

    def set_unit(self, unit: float) -> None:
        """Label size follows the window's zoom (1.0 at 100 %: 12 px)."""
        self._font = QFont()
        self._font.setPixelSize(max(8, round(12 * unit)))
        self._bold = QFont(self._font)
        self._bold.setBold(True)
        self._metrics = QFontMetricsF(self._font)
        self._bold_metrics = QFontMetricsF(self._bold)
        self._widths.clear()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._pane.view_box.sceneBoundingRect()

    def _width(self, text: str, bold: bool) -> float:
        w = self._widths.get((text, bold))
        if w is None:
            metrics = self._bold_metrics if bold else self._metrics
            w = self._widths[(text, bold)] = metrics.horizontalAdvance(text) + 8.0
        return w

    def paint(self, painter: QPainter, *_args: Any) -> None:
        pane = self._pane
        self.last_labels = []
        self.last_boxes = {}
        if pane.show_labels is False or not pane.visible_ids:
            return
        vb = pane.view_box
        rect = vb.sceneBoundingRect()
        tr = vb.childGroup.sceneTransform()
        pos = pane.visible_pos
        sx = tr.m11() * pos[:, 0] + tr.m21() * pos[:, 1] + tr.dx()
        sy = tr.m12() * pos[:, 0] + tr.m22() * pos[:, 1] + tr.dy()
        inside = (sx >= rect.left()) & (sx <= rect.right()) & (sy >= rect.top()) & (sy <= rect.bottom())
        idx_in = np.flatnonzero(inside)
        priority = pane.priority_ids()
        ids = pane.visible_ids
        prio_idx = [i for i in idx_in if ids[i] in priority]
        if len(idx_in) <= LABEL_SCREEN_LIMIT:
            rest = [i for i in idx_in if ids[i] not in priority]
        else:  # sparingly on big graphs: the best-connected few in view
            rest_all = [i for i in idx_in if ids[i] not in priority]
            rest = sorted(rest_all, key=lambda i: -pane.visible_degree[i])[:15]
        rank = {n: k for k, n in enumerate(pane.priority_order())}
        prio_idx.sort(key=lambda i: rank.get(ids[i], 99))
        rest.sort(key=lambda i: (pane.visible_faded[i], -pane.visible_degree[i], pane.visible_names[i]))
        order = prio_idx + rest
        if not order:
            return
        sizes = pane.visible_size
        h = self._metrics.height() + 2.0
        sel = pane.selected_id
        widest = max(40.0, rect.width() - 8.0)  # a longer name is elided rather than cut by the border
        anchors = [
            (
                float(sx[i]),
                float(sy[i]),
                float(sizes[i]) / 2,
                min(widest, self._width(pane.visible_names[i], ids[i] == sel)),
                h,
            )
            for i in order
        ]
        obstacles = (
            [(sx[i] - sizes[i] / 2, sy[i] - sizes[i] / 2, sx[i] + sizes[i] / 2, sy[i] + sizes[i] / 2) for i in idx_in]
            if len(idx_in) <= 600
            else []
        )
        force = [k < len(prio_idx) for k in range(len(order))]
        # The hubs (best connected first) may reach further out: they sit among their neighbours,
        # where every near spot is taken, and are the labels a reader looks for first.
        hubs = [False] * len(prio_idx)
        for k, i in enumerate(rest):
            hubs.append(k < HUB_LABELS and not pane.visible_faded[i] and pane.visible_degree[i] >= 2)
        bounds = (rect.left(), rect.top(), rect.right(), rect.bottom())
        placed = gx.place_labels(anchors, bounds=bounds, obstacles=obstacles, force=force, hubs=hubs)
        markers = np.column_stack([sx[idx_in], sy[idx_in]])
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        selected = pane.selected_id
        painter.setPen(_cosmetic(gx.LEADER_COLOUR, 1.0, gx.LEADER_STYLE))
        for i, (x, y, rad, _w, _h), r in zip(order, anchors, placed, strict=True):
            line = gx.leader_line(x, y, rad, r, markers) if r is not None else None
            if line is not None:  # away from its marker, or nearer another: say whose it is
                painter.drawLine(QPointF(line[0], line[1]), QPointF(line[2], line[3]))
            if r is not None:
                self.last_boxes[ids[i]] = (r, line is not None)
        for i, r in zip(order, placed, strict=True):
            if r is None:
                continue
            box = QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1])
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 210))
            painter.drawRoundedRect(box, 3, 3)
            bold = ids[i] == selected
            painter.setFont(self._bold if bold else self._font)
            painter.setPen(QColor("#9a9a9a" if pane.visible_faded[i] else "#111111"))
            name = pane.visible_names[i]
            if box.width() < self._width(name, bold) - 0.5:
                metrics = self._bold_metrics if bold else self._metrics
                name = metrics.elidedText(name, Qt.TextElideMode.ElideRight, box.width() - 8.0)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), name)
            self.last_labels.append(ids[i])


class _LegendStrip(QWidget):
    """The kinds on screen, with the same shape and colour as the markers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kinds: list[str] = []
        self._notes: list[str] = []
        self.unit = 1.0  # follows the window's zoom
        self.setAccessibleName("Graph legend")
        self.setMinimumHeight(24)

    def set_kinds(self, kinds: Sequence[str], notes: Sequence[str] = ()) -> None:
        self._kinds = gx.legend_entries(kinds)
        self._notes = list(notes)
        self.setToolTip("Shapes and colours by kind. " + " ".join(self._notes))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        w = max(self.width(), 200)
        return QSize(w, self.heightForWidth(w))

    def heightForWidth(self, w: int) -> int:
        metrics = QFontMetricsF(gx.legend_font(self.unit))
        return int(gx.legend_height(w - 8, self._kinds, self.unit, metrics, self._notes))

    def set_unit(self, unit: float) -> None:
        self.unit = unit
        self.updateGeometry()
        self.update()

    def hasHeightForWidth(self) -> bool:
        return True

    def paintEvent(self, _ev: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        gx.draw_legend(
            painter, QRectF(self.rect()).adjusted(4, 0, -4, 0), self._kinds, unit=self.unit, notes=self._notes
        )
        painter.end()


class _GraphCanvas(pg.PlotWidget):
    """The plot widget, with Tab/arrows/Enter/+/- handed to the pane."""

    def __init__(self, pane: GraphPane) -> None:
        super().__init__()
        self._pane = pane
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def keyPressEvent(self, ev: QKeyEvent) -> None:
        if not self._pane.handle_key(ev):
            super().keyPressEvent(ev)

    def focusNextPrevChild(self, forward: bool) -> bool:
        # Tab walks the nodes; past the last one focus leaves the graph as usual.
        if self.hasFocus() and self._pane.tab_move(forward):
            return True
        return super().focusNextPrevChild(forward)


class ConnectionDialog(QDialog):
    """Pick two countries: "Why are these connected?"."""

    def __init__(self, parent: QWidget | None, choices: Sequence[tuple[str, str]], first: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Why are these connected?")
        form = QFormLayout(self)
        self.first = QComboBox(self)
        self.second = QComboBox(self)
        for combo, label in ((self.first, "From"), (self.second, "To")):
            combo.setAccessibleName(f"{label} country")
            for eid, name in choices:
                combo.addItem(name, eid)
            form.addRow(f"&{label}:", combo)
        if first is not None and (i := self.first.findData(first)) >= 0:
            self.first.setCurrentIndex(i)
        self.second.setCurrentIndex(1 if self.first.currentIndex() == 0 and self.second.count() > 1 else 0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @classmethod
    def get_value(
        cls, parent: QWidget | None, choices: Sequence[tuple[str, str]], first: str | None = None
    ) -> tuple[tuple[str, str], bool]:
        dlg = cls(parent, choices, first)
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        return (str(dlg.first.currentData()), str(dlg.second.currentData())), ok


class ImageSizeDialog(QDialog):
    """The PNG resolution to export at."""

    def __init__(self, parent: QWidget | None, width: int, height: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export image size")
        form = QFormLayout(self)
        self.w = QSpinBox(self)
        self.h = QSpinBox(self)
        for spin, value, name in ((self.w, width, "Width"), (self.h, height, "Height")):
            spin.setRange(200, 12000)
            spin.setSuffix(" px")
            spin.setValue(value)
            spin.setAccessibleName(f"Image {name.lower()}")
            form.addRow(f"&{name}:", spin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @classmethod
    def get_value(cls, parent: QWidget | None, width: int = 2400, height: int = 1600) -> tuple[tuple[int, int], bool]:
        dlg = cls(parent, width, height)
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        return (dlg.w.value(), dlg.h.value()), ok


class GraphPane(QWidget):
    """Who is tied to whom: click a node to select it everywhere; the filter hides or fades the rest."""

    entity_selected = Signal(str)
    # (steps, (name a, name b)): the chain (list[app.core.graph.network.ConnectionStep]), [] when not
    # connected; ([], None) when the chain is cleared
    connection_found = Signal(object, object)
    status_message = Signal(str)
    layout_ready = Signal()  # positions applied (after a data change, layout switch or reset)
    redrawn = Signal()  # visible set or styles pushed to the canvas

    def __init__(
        self,
        *,
        repo: Any,
        positions: GraphPositionsStore | None,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._repo = repo
        self._saved_positions = positions  # where the user dragged nodes (None: not kept)
        self._settings = settings  # remembers the layout chosen (the window's settings when installed)
        self._spec = FilterSpec()
        self._in_filter: set[str] | None = None
        saved = str(settings.value(LAYOUT_KEY, "") or "") if settings is not None else ""
        self._layout = saved if saved in LAYOUTS else "spring"
        self._positions: dict[str, tuple[float, float]] = {}
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
        self._runner = JobRunner(QThreadPool.globalInstance(), on_error=self._layout_failed, parent=self)
        # visible arrays (index-aligned with the scatter's spots)
        self.visible_ids: list[str] = []
        self.visible_names: list[str] = []
        self.visible_pos = np.zeros((0, 2))
        self.visible_faded = np.zeros(0, dtype=bool)
        self.visible_size = np.zeros(0)
        self.visible_degree = np.zeros(0, dtype=int)
        self._unit = 1.0  # View > Zoom: markers grow with the text, as labels and legend do
        self._vis_index: dict[str, int] = {}
        self._brushes: dict[tuple[str, bool], Any] = {}
        self._pens = {False: _cosmetic("#222222"), True: _cosmetic("#bbbbbb")}
        self._edge_pen = _cosmetic(gx.EDGE_COLOUR)
        self._faded_edge_pen = _cosmetic(gx.FADED_EDGE_COLOUR)
        self._build_ui()
        self.reload()

    # ---- construction --------------------------------------------------------------------------
    def _build_ui(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(2)
        self.layout_combo = QComboBox(self)
        for key, label in LAYOUTS.items():
            self.layout_combo.addItem(label, key)
            self.layout_combo.setItemData(self.layout_combo.count() - 1, LAYOUT_HINTS[key], Qt.ItemDataRole.ToolTipRole)
        self.layout_combo.setCurrentIndex(self.layout_combo.findData(self._layout))  # before it is connected
        self.layout_combo.setAccessibleName("Graph layout")
        self.layout_combo.setToolTip("How nodes are arranged")
        self.layout_combo.currentIndexChanged.connect(lambda _i: self.set_layout(self.layout_combo.currentData()))
        self.focus_combo = QComboBox(self)
        self.focus_combo.addItems(FOCUS_LABELS)
        self.focus_combo.setAccessibleName("Focus depth")
        self.focus_combo.setToolTip("Show only the selected entity's neighbourhood, 1 or 2 steps deep")
        self.focus_combo.currentIndexChanged.connect(self.set_focus_depth)
        self.fade_check = QCheckBox("&Fade filtered-out", self)
        self.fade_check.setToolTip("Nodes outside the filter: hidden (off) or drawn pale (on)")
        self.fade_check.toggled.connect(self.set_fade_outside)
        self.why_button = QToolButton(self)
        self.why_button.setText("Why connected?")
        self.why_button.setToolTip("Pick two countries and see the chain of cited ties between them")
        self.why_button.setAccessibleName("Why are these connected?")
        self.why_button.clicked.connect(self.ask_connection)
        self.clear_chain_action = QAction("C&lear Chain", self)
        self.clear_chain_action.setToolTip("Take the red chain of ties off the graph (Esc on the graph)")
        self.clear_chain_action.setEnabled(False)
        self.clear_chain_action.triggered.connect(self.clear_connection)
        self.clear_chain_button = QToolButton(self)
        self.clear_chain_button.setText("Clear chain")
        self.clear_chain_button.setToolTip(self.clear_chain_action.toolTip())
        self.clear_chain_button.clicked.connect(self.clear_connection)
        self.clear_chain_button.setVisible(False)  # shown while a chain is drawn
        self.fit_action = QAction("&Fit Graph to View", self)
        # Home while the graph has the keyboard (Ctrl+0 is View > Actual size for the whole window;
        # two actions on one key make Qt run neither).
        self.fit_action.setShortcut(QKeySequence(Qt.Key.Key_Home))
        self.fit_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.fit_action.setToolTip("Fit the graph to the view (Home, in the graph)")
        self.fit_action.triggered.connect(self.fit_to_view)
        self.reset_action = QAction("&Reset Graph Layout", self)
        self.reset_action.setToolTip("Forget dragged positions of this layout")
        self.reset_action.triggered.connect(self.reset_layout)
        fit_button = QToolButton(self)
        fit_button.setDefaultAction(self.fit_action)
        fit_button.setText("Fit")
        reset_button = QToolButton(self)
        reset_button.setDefaultAction(self.reset_action)
        reset_button.setText("Reset layout")
        self.export_button = QToolButton(self)
        self.export_button.setText("Export")
        self.export_button.setAccessibleName("Export graph")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction("PNG image…", self.export_png_interactive)
        menu.addAction("SVG drawing…", lambda: self._export_interactive("svg"))
        menu.addAction("PDF page…", lambda: self._export_interactive("pdf"))
        menu.addAction("GraphML (Gephi)…", lambda: self._export_interactive("graphml"))
        self.export_button.setMenu(menu)
        # The controls wrap onto as many rows as the pane's width needs: it is often a narrow tab
        # beside the list, and at 200 % zoom on a projector the buttons keep their whole labels.
        from superqt import QFlowLayout

        controls = QWidget(self)
        flow = QFlowLayout(controls)
        flow.setContentsMargins(4, 4, 4, 0)
        for w in (
            self.layout_combo,
            self.focus_combo,
            self.fade_check,
            self.why_button,
            fit_button,
            reset_button,
            self.export_button,
            self.clear_chain_button,
        ):
            flow.addWidget(w)
        root.addWidget(controls)
        self.canvas = _GraphCanvas(self)
        self.canvas.addAction(self.fit_action)  # its Home key works while the canvas has focus
        self.canvas.setAccessibleName("Network graph")
        self.canvas.setToolTip("")
        self.canvas.setBackground("w")
        plot = self.canvas.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self.view_box: pg.ViewBox = plot.getViewBox()
        self.view_box.setAspectLocked(True)
        self.view_box.setDefaultPadding(0.06)
        self._faded_edges = pg.PlotCurveItem(pen=self._faded_edge_pen, connect="pairs", antialias=False)
        self._faded_edges.setZValue(-2)
        self._path_edges = pg.PlotCurveItem(pen=_cosmetic(gx.PATH_COLOUR, 3.0), connect="pairs", antialias=True)
        self._path_edges.setZValue(5)
        self.item = _NetworkItem()
        self.item.setZValue(0)
        self._halo = _Halo(pxMode=True, brush=None)
        self._halo.setZValue(6)
        for it in (self._faded_edges, self.item, self._path_edges, self._halo):
            self.view_box.addItem(it)
        self.item.scatter.sigClicked.connect(self._on_clicked)
        self.item.scatter.sigHovered.connect(self._on_hovered)
        self.item.node_dragging.connect(self._on_dragging)
        self.item.node_dropped.connect(self._on_dropped)
        self.labels = _LabelLayer(self)
        self.canvas.scene().addItem(self.labels)
        self.view_box.sigTransformChanged.connect(self._refresh_labels)
        self.view_box.sigResized.connect(self._refresh_labels)
        self.legend = _LegendStrip(self)
        root.addWidget(self.canvas, 1)
        root.addWidget(self.legend)
        self.busy_label = QLabel("", self)
        self.busy_label.setVisible(False)
        root.addWidget(self.busy_label)

    def _brush(self, kind: str, faded: bool) -> Any:
        key = (kind, faded)
        brush = self._brushes.get(key)
        if brush is None:
            colour = gx.kind_style(kind)[1]
            brush = self._brushes[key] = pg.mkBrush(gx.faded_colour(colour) if faded else QColor(colour))
        return brush

    # ---- data ----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Rebuild the graph from the repository (startup, data changes) and lay it out."""
        self.graph = build_graph(self._repo, with_citations=False)
        self._nodes = list(self.graph.nodes)
        self._names = {n: str(d.get("name", n)) for n, d in self.graph.nodes(data=True)}
        self._kinds = {n: str(d.get("kind", "")) for n, d in self.graph.nodes(data=True)}
        self._degree = {n: int(d) for n, d in self.graph.degree()}
        self._relayout(fit=True)

    def _relayout(self, *, fit: bool) -> None:
        graph, layout, saved = self.graph.copy(), self._layout, self._saved_positions

        def compute() -> dict[str, tuple[float, float]]:
            return positions_for(graph, layout, saved)

        def apply(positions: dict[str, tuple[float, float]]) -> None:
            self.busy_label.setVisible(False)
            self._positions = positions
            self._update_view()
            if fit:
                self.fit_to_view()
            self.layout_ready.emit()

        if graph.number_of_nodes() >= ASYNC_NODES:
            self.busy_label.setText(f"Laying out {graph.number_of_nodes():,} nodes…")
            self.busy_label.setVisible(True)
            self._runner.submit(compute, apply)
        else:
            apply(compute())

    def _layout_failed(self, exc: BaseException) -> None:
        self.busy_label.setVisible(False)
        self.status_message.emit(f"The graph could not be laid out: {exc}")

    # ---- what is visible -----------------------------------------------------------------------
    def _base_ids(self) -> set[str]:
        return set(self._nodes) if self._in_filter is None else self._in_filter & set(self._nodes)

    def _compute_visible(self) -> tuple[list[str], set[str]]:
        base = self._base_ids()
        if self._fade_outside:
            shown, faded = set(self._nodes), set(self._nodes) - base
        else:
            shown, faded = set(base), set()
        sel = self.selected_id
        self._hidden_selection = sel if sel is not None and sel not in shown else None
        self._focus_blocked = self._hidden_selection is not None and self._focus_depth > 0
        if sel is not None and sel in shown:
            if self._focus_depth > 0:
                scope = self.graph if self._fade_outside else self.graph.subgraph(base)
                shown &= neighbourhood(scope, sel, self._focus_depth)
            else:  # highlight the selection and its neighbours, fade (not hide) the rest
                faded |= shown - neighbourhood(self.graph, sel, 1)
        if self._path:
            # The chain stays whole: a link the filter or the focus leaves out is drawn pale rather
            # than dropped (a red line between the links that remain would be a tie nobody cited).
            chain = set(self._path)
            faded |= chain - shown
            shown |= chain
            faded -= chain & base
        order = [n for n in self._nodes if n in shown and n in self._positions]
        return order, faded & shown

    def _update_view(self) -> None:
        ids, faded = self._compute_visible()
        self.visible_ids = ids
        self._vis_index = {n: i for i, n in enumerate(ids)}
        self.visible_names = [self._names[n] for n in ids]
        kinds = [self._kinds[n] for n in ids]
        self.visible_degree = np.array([self._degree[n] for n in ids], dtype=int)
        self.visible_faded = np.array([n in faded for n in ids], dtype=bool)
        self.visible_size = self._unit * np.array(
            [gx.node_size(k, d) for k, d in zip(kinds, self.visible_degree, strict=True)]
        )
        self.visible_pos = np.array([self._positions[n] for n in ids], dtype=float).reshape(-1, 2)
        self._symbols = [gx.shape_path(gx.kind_style(k)[2]) for k in kinds]
        self._spot_brushes = [self._brush(k, f) for k, f in zip(kinds, self.visible_faded, strict=True)]
        self._spot_pens = [self._pens[bool(f)] for f in self.visible_faded]
        edges = [
            (self._vis_index[u], self._vis_index[v])
            for u, v in self.graph.edges()
            if u in self._vis_index and v in self._vis_index
        ]
        e = np.array(edges, dtype=np.int64).reshape(-1, 2)
        ef = self.visible_faded[e[:, 0]] | self.visible_faded[e[:, 1]] if len(e) else np.zeros(0, dtype=bool)
        self._strong_edges = e[~ef]
        self._weak_edges = e[ef]
        self._push()
        notes = []
        if self.visible_faded.any():
            notes.append("Pale: outside the filter or the selection's neighbourhood.")
        if self._path:
            outside = any(n not in self._base_ids() for n in self._path)
            notes.append(
                "Red: the chain of ties between the two chosen entities"
                + ("; its pale links are outside the filter" if outside else "")
                + " (Esc clears it)."
            )
        hidden = self._hidden_selection
        if hidden is not None:
            name = self._names.get(hidden, hidden)
            notes.append(
                f"Focus does not apply: {name} (selected) is outside the filter."
                if self._focus_blocked
                else f"{name} (selected) is outside the filter, so it is not drawn."
            )
        self.legend.set_kinds(kinds, notes)
        self.clear_chain_action.setEnabled(self._connection_shown)
        self.clear_chain_button.setVisible(bool(self._path))
        if hidden != self._announced_hidden:
            self._announced_hidden = hidden
            if hidden is not None:
                self.status_message.emit(self.hidden_selection_message())
        self.redrawn.emit()

    def hidden_selection_message(self) -> str:
        """Why the selection is not drawn (and focus mode shows no neighbourhood): the filter."""
        hidden = self._hidden_selection
        if hidden is None:
            return ""
        name = self._names.get(hidden, hidden)
        if self._focus_blocked:
            return (
                f"{name} is outside the filter, so focus does not apply: the graph shows every match. "
                f"Fade filtered-out draws {name} pale."
            )
        return f"{name} is outside the filter, so the graph does not show it. Fade filtered-out draws it pale."

    def _push(self) -> None:
        """Hand the current arrays to the canvas items (positions, styles, edges)."""
        pos = self.visible_pos
        if len(pos) == 0:
            self.item.setData(pos=np.zeros((0, 2)), adj=None, data=[], size=[], symbol=[], symbolBrush=[], symbolPen=[])
        else:
            self.item.setData(
                pos=pos,
                adj=self._strong_edges if len(self._strong_edges) else None,
                pen=self._edge_pen,
                size=self.visible_size,
                symbol=self._symbols,
                symbolBrush=self._spot_brushes,
                symbolPen=self._spot_pens,
                data=self.visible_ids,
                pxMode=True,
                hoverable=True,
                tip=self._tip,
            )
        if len(self._weak_edges):
            pts = pos[self._weak_edges.reshape(-1)]
            self._faded_edges.setData(x=pts[:, 0], y=pts[:, 1], connect="pairs")
        else:
            self._faded_edges.setData(x=np.zeros(0), y=np.zeros(0))
        self._push_overlays()

    def _push_overlays(self) -> None:
        # Only ties of the chain: two links with a hidden one between them are never joined.
        segments = [(u, v) for u, v in pairwise(self._path) if u in self._vis_index and v in self._vis_index]
        if segments:
            pts = np.array([self._positions[n] for pair in segments for n in pair])
            self._path_edges.setData(x=pts[:, 0], y=pts[:, 1], connect="pairs")
        else:
            self._path_edges.setData(x=np.zeros(0), y=np.zeros(0))
        spots = []
        for node, pen in (
            (self.selected_id, _cosmetic(gx.SELECTED_COLOUR, 2.5)),
            (self.keyboard_id, _cosmetic("#1f77ff", 2.0, Qt.PenStyle.DashLine)),
        ):
            if node is not None and node in self._vis_index and not (spots and node == self.selected_id):
                i = self._vis_index[node]
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
        self._refresh_labels()

    @Slot()
    def _refresh_labels(self) -> None:
        self.labels.prepareGeometryChange()
        self.labels.update()

    def _tip(self, x: float, y: float, data: Any) -> str:
        eid = str(data)
        kind = self._kinds.get(eid, "")
        deg = self._degree.get(eid, 0)
        label = gx.kind_style(kind)[0] if kind else "Entity"
        return f"{self._names.get(eid, eid)}\n{label}\n{deg} cited tie{'s' if deg != 1 else ''}"

    def priority_order(self) -> list[str]:
        """Nodes whose labels are always drawn, most important first."""
        out: list[str] = []
        for n in (self.selected_id, self.hovered_id, self.keyboard_id, *self._path):
            if n is not None and n not in out:
                out.append(n)
        for n in (self.selected_id, self.hovered_id):
            if n is not None and n in self.graph:
                out.extend(m for m in sorted(self.graph.neighbors(n), key=lambda m: -self._degree[m]) if m not in out)
        return out

    def priority_ids(self) -> set[str]:
        return set(self.priority_order())

    def changeEvent(self, event: QEvent) -> None:
        """View > Zoom: markers, labels and legend grow with the window's text (projectors)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            base = QApplication.font().pointSizeF()
            unit = self.font().pointSizeF() / base if base > 0 else 1.0
            self.labels.set_unit(unit)
            self.legend.set_unit(unit)
            if len(self.visible_size) and abs(unit - self._unit) > 1e-3:
                self.visible_size = self.visible_size * (unit / self._unit)
                self._unit = unit
                self._push()
            self._unit = unit

    # ---- public slots --------------------------------------------------------------------------
    @Slot(object)
    def set_filter(self, spec: FilterSpec) -> None:
        self._spec = spec
        self.set_filter_ids(None if spec.is_empty() else {r.id for r in self._repo.list_entities(spec)})

    @Slot(object, object)
    def set_matches(self, spec: FilterSpec, rows: list[Any]) -> None:
        """Like :meth:`set_filter` with the rows the list already fetched (no second query per keystroke)."""
        self._spec = spec
        self.set_filter_ids(None if spec.is_empty() else {r.id for r in rows})

    def set_filter_ids(self, ids: set[str] | None) -> None:
        """Like :meth:`set_filter` with the ids already known (benchmarks; no query)."""
        ids = None if ids is None else set(ids)
        changed = ids != self._in_filter
        self._in_filter = ids
        if self._positions:
            self._update_view()
            if changed:
                self._fit_if_lost()

    def _fit_if_lost(self) -> None:
        """After a filter change, fit the view when fewer than half the matches are on screen
        (a view zoomed in on one corner would otherwise look empty)."""
        if not self.visible_ids:
            return
        pos = self.visible_pos
        if self._in_filter is not None:
            pos = pos[[n in self._in_filter for n in self.visible_ids]]
        if len(pos) == 0:
            return
        vr = self.view_box.viewRect()
        inside = (
            (pos[:, 0] >= vr.left()) & (pos[:, 0] <= vr.right()) & (pos[:, 1] >= vr.top()) & (pos[:, 1] <= vr.bottom())
        )
        if 2 * int(inside.sum()) < len(pos):
            self.fit_to_view()

    @Slot(str)
    def select_entity(self, entity_id: str | None) -> None:
        """Centre the entity and highlight it with its neighbours (the rest faded). No signal is emitted.

        Selecting the selected entity again centres it again (after panning away). Selecting an
        entity that is not on the "why connected?" chain takes the chain away."""
        entity_id = entity_id if entity_id and entity_id in self.graph else None
        if entity_id == self.selected_id:
            self._centre_selection()
            return
        self.selected_id = entity_id
        self.keyboard_id = entity_id
        cleared = self._connection_shown and entity_id is not None and entity_id not in self._path
        if cleared:
            self._path = []
            self._connection_shown = False
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
        if eid is None or eid not in self._vis_index:
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
        if layout != self._layout or not self._positions:
            self._layout = layout
            if self._settings is not None:
                self._settings.setValue(LAYOUT_KEY, layout)
            self._relayout(fit=True)

    @property
    def layout_name(self) -> str:
        return self._layout

    @property
    def focus_depth(self) -> int:
        return self._focus_depth

    @Slot()
    def fit_to_view(self) -> None:
        if len(self.visible_pos) == 0:
            return
        lo, hi = self.visible_pos.min(axis=0), self.visible_pos.max(axis=0)
        pad = max(float((hi - lo).max()) * 0.08, 60.0)
        self.view_box.setRange(
            QRectF(lo[0] - pad, lo[1] - pad, hi[0] - lo[0] + 2 * pad, hi[1] - lo[1] + 2 * pad), padding=0
        )

    def centre_on(self, entity_id: str, *, zoom_to_neighbours: bool = False) -> None:
        """Centre the node; optionally zoom so its neighbours are all on screen: in, when that
        spreads them enough to label, or out, when some would be off screen."""
        if entity_id not in self._positions:
            return
        x, y = self._positions[entity_id]
        vr = self.view_box.viewRect()
        if zoom_to_neighbours:
            reach = [
                math.dist((x, y), self._positions[m])
                for m in self.graph.neighbors(entity_id)
                if m in self._positions and m in self._vis_index
            ]
            far = max(reach, default=0.0)
            half = max(far * 1.5, 150.0)
            now = min(vr.width(), vr.height()) / 2
            if half < now - 1e-6 or far * 1.15 > now:  # zoom in for labels, or out to show them all
                self.view_box.setRange(QRectF(x - half, y - half, 2 * half, 2 * half), padding=0)
                return
        c = vr.center()
        self.view_box.translateBy(x=x - c.x(), y=y - c.y())

    @Slot()
    def reset_layout(self) -> None:
        if self._saved_positions is not None:
            try:
                self._saved_positions.clear(self._layout)
            except (AtlasError, sqlite3.Error) as exc:
                self.status_message.emit(f"Could not reset the layout: {exc}")
                return
        self._relayout(fit=True)
        self.status_message.emit(f"{LAYOUTS[self._layout]} layout reset.")

    def node_scene_pos(self, entity_id: str) -> QPointF:
        """Where a node is drawn, in scene coordinates (tests click there)."""
        x, y = self._positions[entity_id]
        return self.view_box.mapViewToScene(QPointF(x, y))

    def node_position(self, entity_id: str) -> tuple[float, float]:
        return self._positions[entity_id]

    # ---- interaction ---------------------------------------------------------------------------
    def _on_clicked(self, _scatter: Any, points: Any, _ev: Any) -> None:
        if len(points) == 0:
            return
        eid = str(points[0].data())
        self.select_entity(eid)
        self.entity_selected.emit(eid)

    def _on_hovered(self, _scatter: Any, points: Any, _ev: Any) -> None:
        eid = str(points[0].data()) if len(points) else None
        if eid != self.hovered_id:
            self.hovered_id = eid
            self._refresh_labels()

    def _on_dragging(self, index: int, x: float, y: float) -> None:
        eid = self.visible_ids[index]
        self._positions[eid] = (x, y)
        self.visible_pos[index] = (x, y)
        self._push()

    def _on_dropped(self, index: int, x: float, y: float) -> None:
        self._on_dragging(index, x, y)
        eid = self.visible_ids[index]
        self.move_node(eid, x, y)

    def move_node(self, entity_id: str, x: float, y: float) -> None:
        """Place a node and keep the position in the user database (per layout)."""
        self._positions[entity_id] = (float(x), float(y))
        if entity_id in self._vis_index:
            self.visible_pos[self._vis_index[entity_id]] = (x, y)
            self._push()
        if self._saved_positions is None:
            return
        try:
            self._saved_positions.save(self._layout, {entity_id: (float(x), float(y))})
        except (AtlasError, sqlite3.Error) as exc:
            self.status_message.emit(f"The node moved, but its position could not be saved: {exc}")

    def _reading_order(self) -> list[str]:
        if not self.visible_ids:
            return []
        pos = self.visible_pos
        band = max(float(np.ptp(pos[:, 1])) / 12.0, 1e-6)
        order = sorted(range(len(pos)), key=lambda i: (self.visible_faded[i], round(-pos[i, 1] / band), pos[i, 0]))
        return [self.visible_ids[i] for i in order]

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
        x, y = self._positions[eid]
        if not self.view_box.viewRect().contains(QPointF(x, y)):
            self.centre_on(eid)
        self.status_message.emit(f"{self._names[eid]} ({gx.kind_style(self._kinds[eid])[0].lower()}) — Enter selects")

    def arrow_move(self, dx: float, dy: float) -> None:
        if not self.visible_ids:
            return
        if self.keyboard_id not in self._vis_index:
            self._set_keyboard(self._reading_order()[0])
            return
        here = self.visible_pos[self._vis_index[self.keyboard_id]]
        delta = self.visible_pos - here
        along = delta[:, 0] * dx + delta[:, 1] * dy
        across = np.abs(delta[:, 0] * dy - delta[:, 1] * dx)
        score = np.where(along > 1e-9, along + 2.0 * across, np.inf)
        best = int(np.argmin(score))
        if math.isfinite(score[best]):
            self._set_keyboard(self.visible_ids[best])

    def handle_key(self, ev: QKeyEvent) -> bool:
        key = ev.key()
        arrows = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, 1), Qt.Key.Key_Down: (0, -1)}
        if key in arrows:
            self.arrow_move(*arrows[key])
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
        ids = [n for n in self._nodes if self._kinds[n] in COUNTRY_KINDS]
        return sorted(((n, self._names[n]) for n in ids), key=lambda p: p[1].casefold().removeprefix("the "))

    @Slot()
    def ask_connection(self) -> None:
        first = self.selected_id if self.selected_id and self._kinds.get(self.selected_id) in COUNTRY_KINDS else None
        (a, b), ok = ConnectionDialog.get_value(self, self.country_choices(), first)
        if ok:
            self.show_connection(a, b)

    def show_connection(self, a: str, b: str) -> list[Any]:
        """Find the chain between two entities, draw it in red and emit :attr:`connection_found`."""
        steps = connection_path(self._repo, self.graph, a, b)
        self._connection_shown = True
        if steps:
            self._path = [steps[0].from_id] + [s.to_id for s in steps]
            self.status_message.emit(
                f"{self._names[a]} and {self._names[b]}: {len(steps)} cited step{'s' * (len(steps) != 1)}."
            )
        else:
            self._path = []
            msg = "the same entity" if a == b else "not connected by any cited tie in the documents"
            self.status_message.emit(f"{self._names.get(a, a)} and {self._names.get(b, b)}: {msg}.")
        self._update_view()
        if self._path:
            pts = np.array([self._positions[n] for n in self._path])
            lo, hi = pts.min(axis=0), pts.max(axis=0)
            vr = self.view_box.viewRect()
            if not (vr.contains(QPointF(*lo)) and vr.contains(QPointF(*hi))):
                self.fit_to_view()
        self.connection_found.emit(steps, (self._names.get(a, a), self._names.get(b, b)))
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
        sub = describe(self._spec, self._names) if not self._spec.is_empty() else "All entities"
        if self._focus_depth and self.selected_id:
            sub += (
                f" · within {self._focus_depth} step{'s' * (self._focus_depth > 1)} of {self._names[self.selected_id]}"
            )
        return gx.picture_from_graph(
            self.graph,
            self._positions,
            visible=self.visible_ids,
            faded=[n for n, f in zip(self.visible_ids, self.visible_faded, strict=True) if f],
            selected=self.selected_id,
            path=self._path,
            subtitle=sub,
        )

    def export(self, fmt: str, path: Path, *, size: tuple[int, int] = (2400, 1600)) -> Path:
        if fmt == "png":
            return gx.export_png(self.picture(), path, *size)
        if fmt == "svg":
            return gx.export_svg(self.picture(), path, *size)
        if fmt == "pdf":
            return gx.export_pdf(self.picture(), path)
        if fmt == "graphml":
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
            self._export_interactive("png", size=(w, h))

    def _export_interactive(self, fmt: str, size: tuple[int, int] = (1600, 1100)) -> None:
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


def install(window: Any) -> GraphPane:
    """Create the graph pane and the timeline in the window's hosts and wire them (composition root)."""
    from app.ui.timeline.timeline_view import TimelineView

    atlas = window.atlas
    pane = GraphPane(
        repo=atlas.repo,
        positions=atlas.user_data.graph_positions,
        settings=getattr(window, "settings", None),  # the layout chosen comes back next session
        parent=window.graph_host,
    )
    window.graph_host.layout().addWidget(pane)
    timeline = TimelineView(repo=atlas.repo, parent=window.timeline_host)
    window.timeline_host.layout().addWidget(timeline)
    pane.entity_selected.connect(window.select_entity)
    timeline.entity_selected.connect(window.select_entity)
    # Choosing the selected entity again re-centres the graph on it: the window answers a repeat
    # without entity_selected, so listen to where choices come from (after the window, which
    # connected first: a new choice is centred by select_entity, recentre then finds it in place).
    timeline.entity_selected.connect(pane.recentre)
    for source, signal in (
        ("list_pane", "entity_opened"),  # Enter or double-click on the current row
        ("detail_pane", "entity_link_activated"),
        ("document_view", "entity_link_activated"),
        ("search_pane", "entity_link_activated"),
    ):
        sig = getattr(getattr(window, source, None), signal, None)
        if sig is not None:
            sig.connect(pane.recentre)
    window.entity_selected.connect(pane.select_entity)
    window.entity_selected.connect(timeline.select_entity)
    # The list's finished query drives both: no extra query per keystroke on the GUI thread.
    window.matches_changed.connect(pane.set_matches)
    window.matches_changed.connect(timeline.queue_rows)
    pane.status_message.connect(window.show_status)
    detail = getattr(window, "detail_pane", None)
    if detail is not None and hasattr(detail, "show_connection"):
        pane.connection_found.connect(detail.show_connection)
    view_menu = getattr(window, "menus", {}).get("view")
    if view_menu is not None:
        view_menu.addSeparator()
        view_menu.addAction(pane.fit_action)
        view_menu.addAction(pane.reset_action)
        why = QAction("Why Are These &Connected?…", window)
        why.triggered.connect(pane.ask_connection)
        view_menu.addAction(why)
        view_menu.addAction(pane.clear_chain_action)
    spec = window.current_spec()
    pane.set_matches(spec, window.current_rows())
    timeline.queue_rows(spec, window.current_rows())
    current = window.current_entity_id()
    if current:
        pane.select_entity(current)
        timeline.select_entity(current)
    window.graph_pane = pane
    window.timeline_view = timeline
    return pane
