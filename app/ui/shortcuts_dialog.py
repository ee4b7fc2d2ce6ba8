"""Help > Keyboard shortcuts: a table that scrolls and fits the screen (a 768-px laptop included)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

PREFERRED_SIZE = (560, 640)
SCREEN_MARGIN = 80  # px left free above and below: title bar, taskbar


class ShortcutsDialog(QDialog):
    """The shortcuts as HTML in a scrolling browser; never taller than the screen it opens on."""

    def __init__(self, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("shortcuts_text")
        self.browser.setAccessibleName("Keyboard shortcuts")
        self.browser.setOpenLinks(False)
        self.browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.browser.setFocus(Qt.FocusReason.OtherFocusReason)  # arrows and Page Down scroll at once
        self._fit_screen(parent)

    def _fit_screen(self, parent: QWidget | None) -> None:
        screen = (parent.screen() if parent is not None else None) or self.screen()
        w, h = PREFERRED_SIZE
        if screen is not None:
            room = screen.availableGeometry()
            w = min(w, room.width() - 40)
            h = min(h, room.height() - SCREEN_MARGIN)
            self.setMaximumHeight(room.height() - SCREEN_MARGIN // 2)
        self.resize(w, h)

    @classmethod
    def show_for(cls, parent: QWidget, html: str) -> None:
        cls(html, parent).exec()
