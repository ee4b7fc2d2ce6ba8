"""The application's look: the bundled font, Fusion style, a light palette and resources/style.qss."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.paths import resources_dir
from app.ui.fonts import use_interface_font


def apply_style(app: QApplication) -> None:
    use_interface_font(app)  # before any widget: one font from the first paint
    app.setStyle("Fusion")
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
