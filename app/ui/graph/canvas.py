"""The graph pane's drawing pieces: node scatters, the selection halo, the label overlay, the legend, the canvas."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import QGraphicsObject, QWidget

from app.core.graph.labels import Rect
from app.core.graph.placement import PlacedLabel, TextAdvances
from app.ui.graph import graph_export as gx

if TYPE_CHECKING:
    from app.ui.graph.graph_pane import GraphPane


def cosmetic(colour: str, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour))
    pen.setCosmetic(True)
    pen.setWidthF(width)
    pen.setStyle(style)
    return pen


class NodeScatter(pg.ScatterPlotItem):
    """Nodes (spot data: the node's index in the graph) that can be dragged; a drag that starts on
    empty canvas pans the view."""

    node_dragging = Signal(int, float, float)
    node_dropped = Signal(int, float, float)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._drag: int | None = None
        self._offset = QPointF()

    def mouseDragEvent(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            pts = self.pointsAt(ev.buttonDownPos())
            if len(pts) == 0:
                ev.ignore()
                return
            self._drag = int(pts[0].data())
            self._offset = pts[0].pos() - ev.buttonDownPos()
        elif self._drag is None:
            ev.ignore()
            return
        p = ev.pos() + self._offset
        node = self._drag
        ev.accept()
        if ev.isFinish():
            self._drag = None
            self.node_dropped.emit(node, p.x(), p.y())
        else:
            self.node_dragging.emit(node, p.x(), p.y())

    def show_spots(self, visible: np.ndarray) -> None:
        """Show only these spots. pyqtgraph's setPointsVisible refetches every spot's symbol from its
        atlas (25 ms at 10,000 spots); visibility is only a mask at paint time, so set just that."""
        if len(visible) != len(self.data):
            raise ValueError("one visibility per spot")
        self.data["visible"] = visible
        self.invalidate()

    def move_spot(self, spot: int, x: float, y: float) -> None:
        """Move one spot without handing every spot over again (setData costs ~50 ms at 10,000)."""
        self.data["x"][spot] = x
        self.data["y"][spot] = y
        self.bounds = [None, None]
        self.prepareGeometryChange()
        self.informViewBoundsChanged()
        self.invalidate()


class Halo(pg.ScatterPlotItem):
    """The rings round the selected and the keyboard node: drawn on top, but clicks go through to
    the node beneath (a click on the selected node centres it again)."""

    def mouseClickEvent(self, ev: Any) -> None:
        ev.ignore()


class LabelLayer(QGraphicsObject):
    """Draws node labels in screen pixels over the view box, as the pane's label plan places them
    (:mod:`app.core.graph.placement`, planned off the GUI thread on big views). The hovered node's
    label is drawn last, on top of every other label."""

    def __init__(self, pane: GraphPane) -> None:
        super().__init__()
        self._pane = pane
        self._widths: dict[tuple[str, bool], float] = {}
        self.set_unit(1.0)
        self.setZValue(1000)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.last_labels: list[str] = []  # ids labelled in the last paint (tests, benchmarks)
        self.last_boxes: dict[str, tuple[Rect, bool]] = {}  # id: (label box, with a leader line)

    def set_unit(self, unit: float) -> None:
        """Label size follows the window's zoom (1.0 at 100 %: 12 px)."""
        self._font = QFont()
        self._font.setPixelSize(max(8, round(12 * unit)))
        self._bold = QFont(self._font)
        self._bold.setBold(True)
        self._metrics = QFontMetricsF(self._font)
        self._bold_metrics = QFontMetricsF(self._bold)
        self._widths.clear()
        self._advance: dict[str, float] = {}
        self._bold_advance: dict[str, float] = {}
        self.measure(chr(c) for c in range(32, 0x250))  # Latin: the rest when a plan meets them
        self.update()

    def measure(self, chars: Iterable[str]) -> None:
        """Learn these characters' advances (the label plans add them up, off the GUI thread)."""
        for c in chars:
            self._advance[c] = self._metrics.horizontalAdvance(c)
            self._bold_advance[c] = self._bold_metrics.horizontalAdvance(c)
        self._advances = TextAdvances(
            dict(self._advance),
            dict(self._bold_advance),
            self._metrics.averageCharWidth(),
            self._bold_metrics.averageCharWidth(),
            self._metrics.height() + 2.0,
        )

    def advances(self) -> TextAdvances:
        return self._advances

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
        if pane.show_labels is False or len(pane.visible_index) == 0:
            return
        plan = pane.current_plan()
        if not plan.labels:
            return
        ids = pane.data.ids
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setPen(cosmetic(gx.LEADER_COLOUR, 1.0, gx.LEADER_STYLE))
        for lab in plan.labels:
            if lab.leader is not None:  # away from its marker, or nearer another: say whose it is
                a, b, c, d = lab.leader
                painter.drawLine(QPointF(a, b), QPointF(c, d))
            self.last_boxes[ids[lab.node]] = (lab.rect, lab.leader is not None)
        top = [lab for lab in plan.labels if lab.on_top]
        for lab in plan.labels:
            if not lab.on_top:
                self._draw_label(painter, lab)
        for lab in top:  # on top of every other label
            self._draw_label(painter, lab, opaque=True)

    def _draw_label(self, painter: QPainter, lab: PlacedLabel, *, opaque: bool = False) -> None:
        r, name = lab.rect, lab.text
        box = QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1])
        painter.setPen(cosmetic("#777777") if opaque else Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 255 if opaque else 210))
        painter.drawRoundedRect(box, 3, 3)
        painter.setFont(self._bold if lab.bold else self._font)
        painter.setPen(QColor("#9a9a9a" if lab.faded else "#111111"))
        if box.width() < self._width(name, lab.bold) - 1.5:
            metrics = self._bold_metrics if lab.bold else self._metrics
            name = metrics.elidedText(name, Qt.TextElideMode.ElideRight, box.width() - 8.0)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), name)
        self.last_labels.append(self._pane.data.ids[lab.node])


class LegendStrip(QWidget):
    """The kinds on screen, with the same shape and colour as the markers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kinds: list[str] = []
        self._notes: list[str] = []
        self.unit = 1.0  # follows the window's zoom
        self.cap: int | None = None  # the most height it may take (the pane sets a share of its own)
        self.setAccessibleName("Graph legend")
        self.setMinimumHeight(24)

    def set_kinds(self, kinds: Sequence[str], notes: Sequence[str] = ()) -> None:
        kinds, notes = gx.legend_entries(kinds), list(notes)
        if kinds == self._kinds and notes == self._notes:
            return
        self._kinds, self._notes = kinds, notes
        self.setToolTip("Shapes and colours by kind. " + " ".join(self._notes))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        w = max(self.width(), 200)
        return QSize(w, self.heightForWidth(w))

    def heightForWidth(self, w: int) -> int:
        return int(self._height(w, self.fitted_unit(w)))

    def _height(self, w: int, unit: float) -> float:
        metrics = QFontMetricsF(gx.legend_font(unit))
        return gx.legend_height(w - 8, self._kinds, unit, metrics, self._notes)

    def fitted_unit(self, w: int) -> float:
        """The zoom the legend is drawn at: the window's, or smaller (never below 100 %) when at that
        zoom it would take more than its ``cap`` (a narrow pane at 250 % left the graph 66 px)."""
        unit = self.unit
        while self.cap is not None and unit > 1.0 and self._height(w, unit) > self.cap:
            unit = max(1.0, unit - 0.25)
        return unit

    def set_unit(self, unit: float) -> None:
        self.unit = unit
        self.updateGeometry()
        self.update()

    def set_cap(self, cap: int) -> None:
        if cap != self.cap:
            self.cap = cap
            self.updateGeometry()
            self.update()

    def hasHeightForWidth(self) -> bool:
        return True

    def paintEvent(self, _ev: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        unit = self.fitted_unit(self.width())
        gx.draw_legend(painter, QRectF(self.rect()).adjusted(4, 0, -4, 0), self._kinds, unit=unit, notes=self._notes)
        painter.end()


class GraphCanvas(pg.PlotWidget):
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
