"""Find in the document view: every match highlighted, the current one marked, F3 / Shift+F3 and Esc.
Part of :class:`app.ui.panes.document_view.DocumentReaderView`."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QTextBrowser,
    QTextEdit,
    QWidget,
)

from app.core.query.repository import DocumentView

HIT_COLOUR = QColor("#c9e3ff")
FIND_COLOUR = QColor("#ffb35c")  # the current find match; the others get HIT_COLOUR
MAX_FIND_MATCHES = 5000


class FindInDocumentMixin(QWidget):
    """The find bar's behaviour (its widgets and the text are the view's)."""

    text: QTextBrowser
    find_box: QLineEdit
    find_status: QLabel
    _doc: DocumentView | None
    _find_sel: list[QTextEdit.ExtraSelection]
    _find_starts: list[int]
    _find_len: int
    _find_current: int | None

    def _apply_selections(self) -> None:
        raise NotImplementedError

    def _selection(self, start: int, end: int, colour: QColor) -> QTextEdit.ExtraSelection:
        raise NotImplementedError

    # ---- find -----------------------------------------------------------------------------
    def start_find(self) -> None:
        cursor_text = self.text.textCursor().selectedText()
        if cursor_text and len(cursor_text) < 60 and "\u2029" not in cursor_text:
            self.find_box.setText(cursor_text)
        elif self.find_box.text() and not self._find_starts:  # highlights were cleared with Esc
            self._collect_matches(self.find_box.text())
        self.find_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_box.selectAll()

    @property
    def find_match_count(self) -> int:
        return len(self._find_starts)

    def _collect_matches(self, text: str) -> None:
        """Find every match of ``text`` (ignoring case) and highlight them all; none is current yet."""
        self._find_current = None
        self._find_starts, self._find_sel = [], []
        if text and self._doc is not None:
            # A regex on the original text keeps offsets exact (casefold() can change lengths).
            pattern = re.compile(re.escape(text), re.IGNORECASE)
            for m in pattern.finditer(self._doc.text):
                self._find_starts.append(m.start())
                if len(self._find_starts) >= MAX_FIND_MATCHES:
                    break
            self._find_len = len(text)
            self._find_sel = [self._selection(s, s + len(text), HIT_COLOUR) for s in self._find_starts]
        self._show_find_status()
        self._apply_selections()

    def _show_find_status(self) -> None:
        n = len(self._find_starts)
        if not self.find_box.text():
            status = ""
        elif not n:
            status = "Not found"
        elif self._find_current is None:
            status = "1 match" if n == 1 else f"{n} matches"
        else:
            status = f"{self._find_current + 1} of {n}"
        self.find_status.setText(status)

    def _on_find_text(self, text: str) -> None:
        had_match = self._find_current is not None
        self._collect_matches(text)
        if self._find_starts:
            self._go_to_match(0)  # as you type, the first match in the document
        elif had_match:
            # The text cursor still selects the previous match ("is" in "historical" while
            # "Islamic" finds nothing): drop that selection, keep the reading position.
            c = self.text.textCursor()
            c.clearSelection()
            self.text.setTextCursor(c)

    def _go_to_match(self, index: int) -> None:
        self._find_current = index
        start = self._find_starts[index]
        c = QTextCursor(self.text.document())
        c.setPosition(start)
        c.setPosition(start + self._find_len, QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(c)
        self.text.ensureCursorVisible()
        self._show_find_status()
        self._apply_selections()

    def _find(self, *, forward: bool) -> bool:
        """Move to the next (or previous) match after the text cursor, wrapping around the ends."""
        if not self.find_box.text():
            return False
        if not self._find_starts:
            self._collect_matches(self.find_box.text())
            if not self._find_starts:
                return False
        c = self.text.textCursor()
        pos = c.selectionStart()
        n = len(self._find_starts)
        if forward:  # a match under a bare cursor counts as next; a selected one does not
            i = bisect_right(self._find_starts, pos) if c.hasSelection() else bisect_left(self._find_starts, pos)
            index = i % n
        else:
            index = (bisect_left(self._find_starts, pos) - 1) % n
        self._go_to_match(index)
        return True

    def find_next(self) -> bool:
        return self._find(forward=True)

    def find_previous(self) -> bool:
        return self._find(forward=False)

    def clear_find(self) -> None:
        """Esc in the find box: drop the find highlights (the text stays for F3) and go back to reading."""
        self._find_starts, self._find_sel, self._find_current = [], [], None
        self.find_status.setText("")
        self._apply_selections()
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.find_box and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.find_previous()
                else:
                    self.find_next()
                return True
            if key == Qt.Key.Key_Escape:
                self.clear_find()
                return True
        return super().eventFilter(obj, event)
