"""The timeline's year axis (labels that never collide, and none in a break) and the undated list's
wrapping delegate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.core.timeline.layout import YearScale, least_label_years, nice_spacing, ticks_across_break


class YearAxis(pg.AxisItem):
    """The year axis: labelled years stay a quarter of a label's width apart in the (zoomed) tick font, and
    the last one may run into the plot's right margin (pyqtgraph hides a label that passes the axis'
    end, and with the grid on it ignores its own tolerance for that). Across a break the labels are
    the years the scale maps back to, and no tick sits in the gap."""

    def __init__(self, scale: Callable[[], YearScale], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._scale = scale

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        sc = self._scale()
        levels = super().tickValues(minVal, maxVal, size)
        if sc.rest is None or not levels:
            return levels
        # The short part before the break: its first year only, as in the PDF (more would overlap).
        out = [(spacing, [v for v in values if v >= sc.rest]) for spacing, values in levels]
        out[0] = (levels[0][0], ticks_across_break(sc, levels[0][1], minVal, maxVal))
        return out

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [str(round(self._scale().year(v))) for v in values]

    def boundingRect(self) -> QRectF:
        m = self.style["hideOverlappingLabels"]
        m = m if isinstance(m, int) and not isinstance(m, bool) else 0
        return super().boundingRect().adjusted(-m, 0, m, 0)

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        levels = super().tickSpacing(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        if not levels or span == 0 or size <= 0:
            return levels
        font = self.style["tickFont"] or QFont()
        least = least_label_years(span, size, QFontMetricsF(font).horizontalAdvance("0000"))
        if levels[0][0] >= least:
            return levels
        major, minor = nice_spacing(least)
        return [(major, 0), (minor, 0)]


class UndatedDelegate(QStyledItemDelegate):
    """Undated names are never cut: a name wider than the list wraps onto more lines."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        view = self.parent()
        if not isinstance(view, QListView):
            return hint
        room = view.viewport().width() - 2 * view.spacing() - 2
        if room <= 0 or hint.width() <= room:
            return hint
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        opt.rect = QRect(0, 0, room, 1 << 16)
        wrapped = view.style().sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), view)
        return QSize(room, max(hint.height(), wrapped.height()))
