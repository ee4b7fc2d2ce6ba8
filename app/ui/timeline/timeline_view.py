"""The timeline: one row per entity on a year axis (pyqtgraph), drawn from app.core.timeline's layout.

An entity is drawn only when the documents state its founding year. A bar ends at the stated end
year; when no end is stated it is drawn open (hatched, dashed outline, running to the edge) — which
says "no end year stated", not "still exists". Entities without a stated founding year are not
drawn at all: they are listed below the chart under "Founding year not stated", so nothing is
placed on the axis as if its date were known.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import (
    QEvent,
    QPointF,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QFontInfo, QFontMetrics, QKeySequence, QPen
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.query.filters import FilterSpec
from app.core.timeline.layout import (
    TimelineLayout,
    YearScale,
    labelled_rows,
    layout_timeline,
    row_label,
)
from app.ui.graph import graph_export as gx
from app.ui.timeline.memberships import MembershipsMixin
from app.ui.timeline.timeline_axis import UndatedDelegate, YearAxis

LABEL_SHARE = 0.5  # ... and at most this share of the chart's width, in the zoomed font
MARKER_PX = 12  # founding markers at 100 % zoom; they grow with the text, as the graph's do
MIN_ROWS_IN_VIEW = 8  # a handful of entities still get slim bars, not giant blocks
REDRAW_DELAY_MS = 120  # typing in the search box: redraw once the keys pause, never per keystroke


class TimelineView(MembershipsMixin, QWidget):
    """Founding (and stated end) years of the filtered entities; click a row to select the entity."""

    entity_selected = Signal(str)
    redrawn = Signal()

    def __init__(self, *, repo: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self.timeline: TimelineLayout[Any] = layout_timeline([])  # rows, bars and the year axis (app.core.timeline)
        self.selected_id: str | None = None
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Vertical, self)  # the chart keeps the pane's full width
        self.plot = pg.PlotWidget(self, axisItems={"bottom": YearAxis(lambda: self.scale, "bottom")})
        self.plot.setBackground("w")
        self.plot.setAccessibleName("Timeline of founding years")
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "Year")
        self.plot.showGrid(x=True, y=False, alpha=0.25)
        # Row names are the left axis' tick labels: they never cover a bar, and _label_rows thins
        # them to every n-th row when rows are denser than a line of text.
        self._left_axis: pg.AxisItem = self.plot.getAxis("left")
        self._left_axis.setPen(pg.mkPen("#888888"))
        self._left_axis.setTextPen(pg.mkPen("#111111"))
        self._bottom_axis: pg.AxisItem = self.plot.getAxis("bottom")
        self._row_labels: list[str] = []
        self._label_key: tuple[int, int] | None = None  # (font px, width budget) the labels were cut for
        self.unit = 0.0  # View > Zoom: axis text, row names and markers grow with the window's text
        self.tick_font = QFont()
        self._marker_size = MARKER_PX
        self.view_box: pg.ViewBox = self.plot.getViewBox()
        self.view_box.sigYRangeChanged.connect(self._label_rows)
        self.view_box.sigResized.connect(self._label_rows)
        self.view_box.invertY(True)
        # The wheel and a drag zoom and pan the years only: the rows stay put (issue 14).
        self.view_box.setMouseEnabled(x=True, y=False)
        self.fit_action = QAction("&Fit Timeline", self)
        self.fit_action.setShortcut(QKeySequence(Qt.Key.Key_Home))
        self.fit_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.fit_action.setToolTip("Show every year and row again (Home, in the timeline)")
        self.fit_action.triggered.connect(self.fit)
        self.addAction(self.fit_action)
        self.plot.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.plot.customContextMenuRequested.connect(self._context_menu)
        self._break_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#999999", style=Qt.PenStyle.DashLine))
        self._break_line.setVisible(False)
        self._break_line.setZValue(-5)
        self._closed = pg.BarGraphItem(x0=[], x1=[], y=[], height=0.6)
        self._open = pg.BarGraphItem(x0=[], x1=[], y=[], height=0.6)
        self._starts = pg.ScatterPlotItem(pxMode=True, size=9, symbol="s", pen=pg.mkPen("#222222"))
        self._highlight = pg.LinearRegionItem(
            orientation="horizontal", movable=False, brush=QBrush(QColor(255, 215, 0, 70))
        )
        self._highlight.setVisible(False)
        self._highlight.setZValue(-10)
        for item in (self._highlight, self._break_line, self._closed, self._open, self._starts):
            self.plot.addItem(item)
        self._starts.sigClicked.connect(self._on_spot_clicked)
        self.plot.scene().sigMouseClicked.connect(self._on_scene_clicked)
        split.addWidget(self.plot)
        side = QWidget(split)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 4, 0, 0)
        self.undated_label = QLabel("Founding year not stated", side)
        self.undated_list = QListWidget(side)
        self.undated_list.setAccessibleName("Entities whose founding year the documents do not state")
        self.undated_list.setToolTip("Not drawn on the axis: the documents give no founding year")
        self.undated_list.itemActivated.connect(self._on_undated)
        self.undated_list.itemClicked.connect(self._on_undated)
        self.undated_label.setBuddy(self.undated_list)
        side_layout.addWidget(self.undated_label)
        side_layout.addWidget(self.undated_list)
        # Names flow in columns, so the 45 undated seed entities fit a short strip under the chart.
        self.undated_list.setFlow(QListView.Flow.LeftToRight)
        self.undated_list.setWrapping(True)
        self.undated_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.undated_list.setUniformItemSizes(False)
        self.undated_list.setSpacing(2)
        # A name wider than the strip (at 200 % zoom, say) wraps onto a second line instead of being cut.
        self.undated_list.setWordWrap(True)
        self.undated_list.setItemDelegate(UndatedDelegate(self.undated_list))
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        split.setSizes([700, 220])  # proportions: the chart gets most of the height
        self._build_members_bar(root, self)  # membership mode's heading, above the chart
        root.addWidget(split, 1)
        note = QHBoxLayout()
        self.note = QLabel(
            "Bars start at the founding year the documents state. Hatched bars with a dashed outline: "
            "no end year stated (not a claim that it still exists).",
            self,
        )
        self.note.setWordWrap(True)
        note.addWidget(self.note)
        root.addLayout(note)
        self._pending: FilterSpec | Sequence[Any] | None = None
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_DELAY_MS)
        self._redraw_timer.timeout.connect(self.refresh)
        self._set_unit(self._font_unit())
        self.queue_filter(FilterSpec())

    @Slot(object)
    def queue_filter(self, spec: FilterSpec) -> None:
        """Follow the window's filter cheaply: redraw after a pause in typing, and only while the
        timeline is on screen (a hidden tab catches up when it is shown)."""
        self._pending = spec
        if self.isVisible():
            self._redraw_timer.start()

    @Slot(object, object)
    def queue_rows(self, _spec: FilterSpec, rows: Sequence[Any]) -> None:
        """Like :meth:`queue_filter` with the entities already fetched (the window's list rows)."""
        self.as_of = _spec.as_of
        self._pending = rows  # the window hands a fresh list per query: no copy per keystroke
        if self.isVisible():
            self._redraw_timer.start()

    @Slot()
    def refresh(self) -> None:
        """Draw what was queued now, if anything."""
        self._redraw_timer.stop()
        pending, self._pending = self._pending, None
        if isinstance(pending, FilterSpec):
            self.set_filter(pending)
        elif pending is not None:
            self.set_rows(pending)

    def changeEvent(self, event: QEvent) -> None:
        """View > Zoom: the axes' text, row names and markers grow with the window's text (projectors)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._set_unit(self._font_unit())

    def _font_unit(self) -> float:
        base = QApplication.font().pointSizeF()
        size = self.font().pointSizeF()
        return size / base if base > 0 and size > 0 else 1.0

    def _set_unit(self, unit: float) -> None:
        """Restyle for a zoom factor (1.0 at 100 %): cheap, nothing is queried or redrawn from scratch."""
        if abs(unit - self.unit) < 1e-3:
            return
        self.unit = unit
        base_px = QFontInfo(QApplication.font()).pixelSize()
        font = QFont(self.font())
        font.setPixelSize(max(8, round(base_px * unit)))
        self.tick_font = font
        for axis in (self._left_axis, self._bottom_axis):
            axis.setTickFont(font)
        style = dict(self._bottom_axis.labelStyle)
        style["font-size"] = f"{font.pixelSize()}px"
        self.plot.setLabel("bottom", "Year", **style)
        # room right of the chart for half of the last year label, which pyqtgraph would otherwise hide
        overflow = round(font.pixelSize() * 1.2)
        self.plot.getPlotItem().setContentsMargins(0, 0, overflow, 0)
        self._bottom_axis.setStyle(hideOverlappingLabels=overflow)
        self._label_key = None  # row names are cut again for the new text width
        self._label_rows()

    def _marker_px(self, px_per_row: float) -> int:
        """Marker size: grows with the zoom, but no taller than a row (markers never pile up)."""
        return max(6, min(round(MARKER_PX * self.unit), int(px_per_row * 0.8)))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._pending is not None:
            self.refresh()
        elif self._mode_stale:
            self._redraw_rows()

    @Slot(object)
    def set_filter(self, spec: FilterSpec) -> None:
        """Query and draw ``spec`` at once."""
        self.as_of = spec.as_of
        self.set_rows(self._repo.list_entities(spec))

    def set_rows(self, entities: Sequence[Any]) -> None:
        """Draw these entities (EntityRow: id, name, kind, founded, ended) at once."""
        self._pending = None
        self._redraw_timer.stop()
        self._all_rows = entities
        self._redraw_rows()

    @property
    def rows(self) -> list[Any]:
        """The drawn entities (EntityRow with a stated founding year), row by row."""
        return [b.entity for b in self.timeline.bars]

    @property
    def undated(self) -> list[Any]:
        return list(self.timeline.undated)

    @property
    def scale(self) -> YearScale:
        """Years <-> x, with the break the PDF also makes."""
        return self.timeline.scale

    def _draw(self) -> None:
        lay, rows = self.timeline, self.rows
        sc = lay.scale
        if sc.break_x is not None:  # one early outlier: a short stretch round it, a break, the rest in full
            self._break_line.setValue(sc.break_x)
            self._break_line.setToolTip(f"The axis is broken: it jumps from {sc.lo + sc.left_years} to {sc.rest}")
        self._break_line.setVisible(sc.break_x is not None)
        # A bar across the break is drawn in two pieces, as in the PDF.
        closed = [(b, p) for b in lay.bars if not b.is_open for p in b.pieces]
        opened = [(b, p) for b in lay.bars if b.is_open for p in b.pieces]

        def brushes(pieces: list[Any], hatched: bool) -> list[QBrush]:
            colours = [QColor(gx.kind_style(b.entity.kind)[1]) for b, _p in pieces]
            return [QBrush(c, Qt.BrushStyle.BDiagPattern) if hatched else QBrush(c) for c in colours]

        solid = QPen(QColor("#222222"))
        solid.setCosmetic(True)
        dashed = QPen(QColor("#444444"))
        dashed.setCosmetic(True)
        dashed.setStyle(Qt.PenStyle.DashLine)
        for item, pieces, hatched, pen in ((self._closed, closed, False, solid), (self._open, opened, True, dashed)):
            item.setOpts(
                x0=[p[0] for _b, p in pieces],
                x1=[p[1] for _b, p in pieces],
                y=[b.row for b, _p in pieces],
                height=0.5,
                brushes=brushes(pieces, hatched),
                pen=pen,
            )
        self._starts.setData(
            x=[b.x0 for b in lay.bars],
            y=list(range(len(rows))),
            data=[e.id for e in rows],
            brush=[pg.mkBrush(gx.kind_style(e.kind)[1]) for e in rows],
            symbol=[gx.shape_path(gx.kind_style(e.kind)[2]) for e in rows],
            size=self._marker_size,
            hoverable=True,
            tip=lambda x, y, data: self._tip(str(data)),
        )
        self._label_key = None  # new rows: _label_rows names them (and sizes the markers to the rows)
        self._full_x = (lay.x_min, lay.x_max)
        if rows:
            # Zoom no further out than everything, and no further in than a few years.
            span = self._full_x[1] - self._full_x[0]
            self.view_box.setLimits(
                xMin=self._full_x[0] - span * 0.05,
                xMax=self._full_x[1] + span * 0.05,
                minXRange=4,
                maxXRange=span * 1.1,
            )
        self.fit()
        self._label_rows()
        self.undated_list.clear()
        for e in self.undated:
            item = QListWidgetItem(e.name)
            item.setData(Qt.ItemDataRole.UserRole, e.id)
            item.setToolTip(f"{e.name}\n{gx.kind_style(e.kind)[0]}: founding year not stated in the documents")
            self.undated_list.addItem(item)
        self.undated_label.setText(f"Founding year &not stated ({len(self.undated)})")
        # Only when there is something to list: a dataset alliance's members (membership mode) all have
        # their years from the dataset, and a filter may select only dated entities.
        side = self.undated_list.parentWidget()
        if side is not None:
            side.setVisible(bool(self.undated) and getattr(self, "members_of", None) is None)
        self._show_highlight()
        self._show_as_of_line()
        self.redrawn.emit()

    @Slot()
    def fit(self) -> None:
        """Every year and every row in view (Home, or Fit all from the right-click menu)."""
        if not self.rows:
            return
        shown = max(len(self.rows), MIN_ROWS_IN_VIEW)
        self.view_box.setRange(xRange=self._full_x, yRange=(-0.6, shown - 0.4), padding=0.02)

    def _context_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        fit = menu.addAction("&Fit all")
        fit.setShortcut(self.fit_action.shortcut())
        fit.triggered.connect(self.fit)
        menu.popup(self.plot.mapToGlobal(pos))
        self.context_menu = menu  # tests

    def _label_rows(self, *_: Any) -> None:
        """Label the rows in view, every one when there is room, else every n-th, never overlapping."""
        labels = self._cut_row_labels()
        if not labels:
            self._left_axis.setTicks([[]])
            return
        top, bottom = self.view_box.viewRange()[1]
        px_per_row = self.view_box.height() / max(bottom - top, 1e-9)
        marker = self._marker_px(px_per_row)
        if marker != self._marker_size:
            self._marker_size = marker
            self._starts.setSize(marker)
        shown = labelled_rows(top, bottom, len(labels), px_per_row, QFontMetrics(self.tick_font).height())
        self._left_axis.setTicks([[(i, labels[i]) for i in shown]])

    def _cut_row_labels(self) -> list[str]:
        """Row names cut to fit LABEL_SHARE of the chart's width in the (zoomed) tick font; only
        recomputed when the font or that width changes, not on every pan."""
        metrics = QFontMetrics(self.tick_font)
        budget = max(metrics.horizontalAdvance("M") * 10, int(self.plot.width() * LABEL_SHARE))
        key = (self.tick_font.pixelSize(), budget)
        if key != self._label_key or len(self._row_labels) != len(self.timeline.bars):
            self._row_labels = [row_label(b, metrics.horizontalAdvance, budget) for b in self.timeline.bars]
            self._label_key = key
        return self._row_labels

    def visible_row_labels(self) -> list[str]:
        """The row names the left axis shows now (tests)."""
        ticks = self._left_axis._tickLevels or [[]]
        return [text for _pos, text in ticks[0]]

    def _tip(self, eid: str) -> str:
        member = self.member_tip(eid)
        if member is not None:
            return member
        for e in self.rows:
            if e.id == eid:
                end = f"ended {e.ended}" if e.ended is not None else "no end year stated"
                return f"{e.name}\n{gx.kind_style(e.kind)[0]}\nfounded {e.founded}; {end}"
        return eid

    def row_scene_pos(self, entity_id: str) -> QPointF:
        """Where an entity's founding marker is drawn, in scene coordinates (tests click there)."""
        i = next(k for k, e in enumerate(self.rows) if e.id == entity_id)
        pos: QPointF = self.view_box.mapViewToScene(QPointF(self.scale.x(self.rows[i].founded), float(i)))
        return pos

    def _on_spot_clicked(self, _item: Any, points: Any, ev: Any) -> None:
        if len(points):
            ev.accept()
            self._choose(str(points[0].data()))

    def _on_scene_clicked(self, ev: Any) -> None:
        if ev.isAccepted() or ev.button() != Qt.MouseButton.LeftButton:
            return
        pos = ev.scenePos()
        if not self.view_box.sceneBoundingRect().contains(pos):
            return
        p = self.view_box.mapSceneToView(pos)
        row = round(p.y())
        if 0 <= row < len(self.rows) and abs(p.y() - row) <= 0.4 and p.x() >= self.scale.x(self.rows[row].founded) - 1:
            self._choose(self.rows[row].id)

    def _on_undated(self, item: QListWidgetItem) -> None:
        self._choose(str(item.data(Qt.ItemDataRole.UserRole)))

    def _choose(self, eid: str) -> None:
        self.select_entity(eid)
        self.entity_selected.emit(eid)

    @Slot(str)
    def select_entity(self, entity_id: str | None) -> None:
        self._select(entity_id or None)  # an alliance's memberships may be drawn (app.ui.timeline.memberships)

    def _show_highlight(self) -> None:
        ids = [e.id for e in self.rows]
        if self.selected_id in ids:
            i = ids.index(self.selected_id)
            self._highlight.setRegion((i - 0.5, i + 0.5))
            self._highlight.setVisible(True)
        else:
            self._highlight.setVisible(False)
        for k in range(self.undated_list.count()):
            item = self.undated_list.item(k)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) == self.selected_id)

    @property
    def drawn_ids(self) -> list[str]:
        return [e.id for e in self.rows]

    @property
    def undated_ids(self) -> list[str]:
        return [e.id for e in self.undated]

    def bar_extents(self) -> dict[str, tuple[int, int | None]]:
        """id → (founded, ended or None when open-ended) of every drawn bar."""
        return {e.id: (int(e.founded), e.ended) for e in self.rows}
