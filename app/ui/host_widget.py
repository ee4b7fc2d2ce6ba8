"""A place in the window that another feature fills later (the graph, the timeline)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
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

    def childEvent(self, event: Any) -> None:
        super().childEvent(event)
        if event.type() == QEvent.Type.ChildAdded:
            child = event.child()
            placeholder = getattr(self, "placeholder", None)
            if placeholder is not None and isinstance(child, QWidget) and child is not placeholder:
                placeholder.hide()
