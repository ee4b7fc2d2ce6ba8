"""The PDF summary's timeline: the Timeline view's layout (app.core.timeline) painted with a QPainter."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from app.core.query.views import EntityDetail
from app.core.timeline.layout import layout_timeline, least_label_years, nice_spacing, row_label


def _metrics(width: int, rows: int) -> tuple[int, int, int, int]:
    """(text px, top, bottom, row height): text about 8 pt at the text width, smaller only when that
    many rows would make the figure taller than a page can hold."""
    text_px = round(width / 60)
    top, bottom = text_px // 2, text_px * 2
    row = min(round(text_px * 1.5), (int(width * 1.15) - top - bottom) // max(1, rows))
    return min(text_px, int(row * 0.72)), top, bottom, row


def timeline_height(rows: int, width: int) -> int:
    _text, top, bottom, row = _metrics(width, rows)
    return top + bottom + row * rows


def paint_timeline(painter: QPainter, dated: Sequence[EntityDetail], width: int, families: Sequence[str]) -> None:
    """Horizontal bars from founding to end (open when none is stated), earliest first, names on the left."""
    lay = layout_timeline(dated)
    text_px, top, _bottom, row = _metrics(width, len(lay.bars))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.fillRect(QRectF(0, 0, width, timeline_height(len(lay.bars), width)), QColor("white"))
    font = QFont()
    font.setFamilies(list(families))
    font.setPixelSize(text_px)
    painter.setFont(font)
    fm = painter.fontMetrics()
    label_w = min(max((fm.horizontalAdvance(b.entity.name) for b in lay.bars), default=0) + 16, int(width * 0.42))
    x0, x1 = label_w, width - 2 * text_px  # room for the last year's label
    per_unit = (x1 - x0) / max(lay.x_max - lay.x_min, 1e-9)

    def px(x: float) -> float:
        return x0 + (x - lay.x_min) * per_unit

    axis_y = top + row * len(lay.bars)
    span = lay.x_max - lay.x_min
    major, _minor = nice_spacing(least_label_years(span, x1 - x0, fm.horizontalAdvance("0000")))
    for x in lay.ticks(lay.x_min, lay.x_max, major):
        painter.setPen(QPen(QColor("#dddddd"), 1))
        painter.drawLine(QPointF(px(x), top), QPointF(px(x), axis_y))
        painter.setPen(QColor("#444444"))
        box = QRectF(px(x) - 2 * text_px, axis_y + text_px / 4, 4 * text_px, 1.5 * text_px)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignHCenter), str(round(lay.scale.year(x))))
    if lay.scale.break_x is not None:  # the break: a double slash where the axis jumps
        mid = px(lay.scale.break_x)
        painter.setPen(QPen(QColor("#444444"), max(1.0, text_px / 8)))
        for dx in (-text_px / 4, text_px / 4):
            painter.drawLine(
                QPointF(mid + dx - text_px / 4, axis_y + text_px / 3),
                QPointF(mid + dx + text_px / 4, axis_y - text_px / 3),
            )
    for bar in lay.bars:
        y = top + bar.row * row
        painter.setPen(QColor("#1a1a1a"))
        name = row_label(bar, fm.horizontalAdvance, label_w - 12, with_years=False)
        painter.drawText(
            QRectF(0, y, label_w - 10, row), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), name
        )
        # As in the Timeline view: a stated end closes a solid bar; without one the bar is drawn
        # open (hatched, dashed outline, to the edge): "no end year stated", not "still exists".
        inset = row * 0.25
        if bar.is_open:
            painter.setPen(QPen(QColor("#12355b"), max(1.0, text_px / 10), Qt.PenStyle.DashLine))
            painter.setBrush(QBrush(QColor("#5b7fa8"), Qt.BrushStyle.BDiagPattern))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#12355b"))
        for left, right in bar.pieces:  # a bar across the break is drawn in both parts
            rect = QRectF(px(left), y + inset, max(6.0, px(right) - px(left)), row - 2 * inset)
            painter.drawRoundedRect(rect, 4, 4)
