"""The application's look: the bundled font, Fusion style, a light palette and resources/style.qss."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionComplex,
    QWidget,
)

from app.paths import resources_dir
from app.ui.fonts import use_interface_font

# Keyboard focus must show on a projector: a thick ring in a dark, saturated blue (contrast over 6:1
# on white and on the pale panel greys), the same colour as the :focus borders in style.qss.
FOCUS_COLOUR = QColor("#0047b3")
FOCUS_WIDTH = 3


class FocusRingStyle(QProxyStyle):
    """Fusion, with the faint dotted focus rectangle replaced by a thick, high-contrast ring
    (buttons, tick boxes, tabs, the current row of lists and tables)."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.PrimitiveElement.PE_FrameFocusRect:
            # The current row of a list keeps its text clear: a slightly thinner ring there.
            _ring(painter, option.rect, FOCUS_WIDTH - 1 if isinstance(widget, QAbstractItemView) else FOCUS_WIDTH)
            return
        super().drawPrimitive(element, option, painter, widget)

    def drawControl(
        self,
        element: QStyle.ControlElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawControl(element, option, painter, widget)
        # Fusion marks a focused push button with a 1 px tint only: ring it.
        if element == QStyle.ControlElement.CE_PushButtonBevel and option.state & QStyle.StateFlag.State_HasFocus:
            _ring(painter, option.rect)

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)
        # Drop-down lists, spin boxes and sliders get the same ring as everything else.
        if control in _RINGED and option.state & QStyle.StateFlag.State_HasFocus:
            _ring(painter, option.rect)


_RINGED = (
    QStyle.ComplexControl.CC_ComboBox,
    QStyle.ComplexControl.CC_SpinBox,
    QStyle.ComplexControl.CC_Slider,
)


def plain_style() -> QStyle:
    """Fusion without the Python proxy above, one per application, for a view that paints many cells
    (the entity list): every style call from C++ into Python costs, and a list repaint makes hundreds.
    Such a view draws its focus ring itself, with :func:`draw_focus_ring`."""
    app = QApplication.instance()
    style = app.findChild(QStyle, "plain_fusion") if app is not None else None
    if style is None:
        style = QStyleFactory.create("Fusion")
        style.setObjectName("plain_fusion")
        style.setParent(app)  # lives as long as the application (a widget does not own its style)
    return style


def draw_focus_ring(painter: QPainter, rect: QRect, width: int = FOCUS_WIDTH - 1) -> None:
    """The focus ring of :class:`FocusRingStyle` (a list's current row: a slightly thinner one)."""
    _ring(painter, rect, width)


def _ring(painter: QPainter, rect: QRect, width: int = FOCUS_WIDTH) -> None:
    painter.save()
    pen = QPen(FOCUS_COLOUR, width)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = width // 2
    painter.drawRect(rect.adjusted(half, half, -half - 1 + width % 2, -half - 1 + width % 2))
    painter.restore()


def apply_style(app: QApplication) -> None:
    use_interface_font(app)  # before any widget: one font from the first paint
    app.setStyle(FocusRingStyle(QStyleFactory.create("Fusion")))
    pal = app.palette()
    pal.setColor(QPalette.ColorRole.Window, QColor("#fbfcfd"))
    pal.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor("#f7f9fc"))
    pal.setColor(QPalette.ColorRole.Highlight, QColor("#2f6fd6"))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.Link, QColor("#1d5fbf"))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fffdf0"))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor("#111111"))
    app.setPalette(pal)
    qss = resources_dir() / "style.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
