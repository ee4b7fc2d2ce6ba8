"""Small widgets of the notes pane: a list that says what to do when empty, and the undoable delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPalette, QUndoCommand
from PySide6.QtWidgets import QListView, QWidget

from app.core.errors import AtlasError
from app.core.userdata.notes import NotesStore


class HintListView(QListView):
    """A list that says what to do when it is empty, instead of showing a blank box."""

    def __init__(self, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = hint

    def set_hint(self, hint: str) -> None:
        self.hint = hint
        self.viewport().update()

    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        model = self.model()
        if self.hint and (model is None or model.rowCount() == 0):
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            rect = self.viewport().rect().adjusted(8, 8, -8, -8)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.hint)
            painter.end()


class DeleteNoteCommand(QUndoCommand):
    """Move a note to the trash; undo restores it.

    With ``done`` the note is already in the trash: the first ``redo`` (run by ``push``) does
    nothing. When undo finds the note no longer in the trash (restored in the notes browser,
    deleted for good, the trash emptied, perhaps in another window), it says so and marks itself
    obsolete, so the undo stack drops it instead of offering it again.
    """

    def __init__(
        self,
        store: NotesStore,
        note_id: str,
        title: str,
        on_change: Callable[[str | None], None],
        on_message: Callable[[str], None],
        *,
        done: bool = False,
    ) -> None:
        super().__init__(f"Delete note “{title[:40]}”")
        self.store = store
        self.note_id = note_id
        self.title = title
        self.on_change = on_change
        self.on_message = on_message
        self._done = done

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        try:
            self.store.delete_note(self.note_id)
        except AtlasError as exc:
            self.on_message(str(exc))
            return
        self.on_change(None)

    def undo(self) -> None:
        try:
            restored = self.store.restore_note(self.note_id)
            note = None if restored else self.store.get_note(self.note_id)
        except AtlasError as exc:
            self.on_message(f"Note not restored: {exc}")
            return
        if restored:
            self.on_change(self.note_id)
            self.on_message(f"Restored “{self.title}”.")
            return
        self.setObsolete(True)  # nothing left to undo: the stack deletes this step
        if note is None:
            self.on_message(f"“{self.title}” cannot be brought back: it was deleted for good (the trash was emptied).")
        else:
            self.on_change(self.note_id)
            self.on_message(f"“{self.title}” is not in the trash any more: it was already restored.")
