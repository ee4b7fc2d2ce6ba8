"""A place in the window that another feature fills later (the graph, the timeline)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class HostWidget(QWidget):
    """A place another feature fills (graph, timeline); shows a quiet note until a widget arrives."""

    def __init__(self, name: str, note: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(name.replace("_", " "))
        self.box = lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.placeholder = QLabel(note, self)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        lay.addWidget(self.placeholder)

    def fill(self, widget: QWidget) -> None:
        """Put ``widget`` in this place, instead of the note.

        (Not by watching child events: asking a child event for its child makes PySide6 build the
        Python types, enums and all, of every Qt widget class, about 40 ms before the first paint.)"""
        self.placeholder.hide()
        self.box.addWidget(widget)
