"""The notes dock: notes on the selected entity with an autosaving Markdown editor, a safe preview, tags and trash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QUndoStack,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtlasError
from app.core.userdata.notes import Note, NoteConflict, NoteDeleted, NotesStore
from app.ui.notes.note_editor import NoteEditor
from app.ui.notes.notes_header import NotesHeaderMixin
from app.ui.notes.notes_model import TITLE, NoteRow, NotesTableModel, safe_rich_text, short_time
from app.ui.notes.notes_widgets import DeleteNoteCommand, HintListView
from app.ui.notes.tag_dialog import tag_chips_html

AUTOSAVE_MS = 700


class NotesPane(NotesHeaderMixin):
    """Notes on one entity: a list and an editor that saves itself.

    Autosave: ~0.7 s after typing stops, and whenever focus leaves the editor, another note or
    entity is chosen, or the window closes (call :meth:`save_now`). Saving never touches the
    editor's own undo history, so Ctrl+Z keeps working across saves.
    """

    saved = Signal(str)  # note id, after every successful save
    entity_requested = Signal(str)
    passage_requested = Signal(str, int, int, str)  # document id, start, end, quote

    def __init__(
        self,
        store: NotesStore,
        *,
        entity_names: Callable[[], dict[str, str]],
        document_titles: Callable[[], dict[str, str]] = dict,
        current_entity: Callable[[], str | None] = lambda: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._entity_names = entity_names
        self._document_titles = document_titles
        self._current_entity = current_entity  # the window's selected entity (a way back from a loose note)
        self._names: dict[str, str] = {}
        self.entity_id: str | None = None
        # A note on no entity (a passage note added with no entity selected, or opened from the
        # notes browser) is shown "loose": the list holds the notes on no entity in its document.
        self.loose = False
        self.loose_document: str | None = None
        self.note: Note | None = None
        self._dirty = False
        self.last_error = ""  # why the last save failed, for the close dialog
        self._loading = False
        self.undo_stack = QUndoStack(self)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save_now)

        # header: entity + its tags
        # Labels showing note or tag text have an explicit format: a label left to guess would
        # render a title like <img src=...> (e.g. from an imported notes file) as HTML.
        self.entity_label = QLabel()
        self.entity_label.setTextFormat(Qt.TextFormat.RichText)
        self.entity_label.setWordWrap(True)
        self.entity_label.setAccessibleName("Entity of these notes")
        self.entity_tags_label = QLabel()
        self.entity_tags_label.setTextFormat(Qt.TextFormat.RichText)
        self.entity_tags_label.setAccessibleName("Entity tags")
        self.entity_tags_label.setWordWrap(True)
        self.entity_tags_label.linkActivated.connect(self._on_header_link)
        self.tag_entity_button = QPushButton("Tag entity…")
        self.tag_entity_button.setToolTip("Add or remove tags on this entity (they become a filter)")
        self.tag_entity_button.clicked.connect(self.edit_entity_tags)

        # list + buttons
        self.model = NotesTableModel(self)
        self.list = HintListView()
        self.list.setModel(self.model)
        self.list.setModelColumn(TITLE)
        self.list.setUniformItemSizes(True)
        self.list.setAccessibleName("Notes on this entity")
        self.list.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.new_button = QPushButton("&New note")
        self.new_button.setToolTip("Start a new note on this entity (Ctrl+Shift+N)")
        self.new_button.clicked.connect(self.new_note)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Move this note to the trash (Edit > Undo delete note brings it back)")
        self.delete_button.clicked.connect(self.delete_current)

        # editor (the pane keeps names for its widgets: tests and the window reach them here)
        self.editor = NoteEditor()
        ed = self.editor
        self.quote_label, self.title_edit, self.body_edit = ed.quote_label, ed.title_edit, ed.body_edit
        self.preview, self.tabs, self.state_label = ed.preview, ed.tabs, ed.state_label
        self.note_tags_label, self.note_tags_button = ed.note_tags_label, ed.note_tags_button
        ed.passage_clicked.connect(self._open_passage)
        ed.tags_clicked.connect(self.edit_note_tags)
        ed.entity_requested.connect(self.entity_requested)
        ed.status_message.connect(self.status_message)
        ed.edited.connect(self._on_edited)
        for w in (self.title_edit, self.body_edit):
            w.installEventFilter(self)

        header = QHBoxLayout()
        header.addWidget(self.entity_label, 1)
        header.addWidget(self.tag_entity_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.list)
        top_layout.addLayout(buttons)
        self.splitter = QSplitter()
        self.splitter.setOrientation(self.splitter.orientation().Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([140, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.entity_tags_label)
        layout.addWidget(self.splitter, 1)
        self.set_entity(None)

    # ---- entity ------------------------------------------------------------------------------
    def set_entity(self, entity_id: str | None) -> None:
        """Show the notes of ``entity_id`` (saving the note being edited first)."""
        if not self.save_now() and self._dirty:
            return  # could not save: stay, so nothing typed is lost
        self.entity_id = entity_id
        self.loose = False
        self.loose_document = None
        self.note = None
        self._refresh_header()
        self._reload_list()
        rows = self.model.rows()
        self._load(rows[0].note if rows else None)

    def _show_loose(self, document_id: str | None) -> None:
        """Show the notes on no entity (in ``document_id``'s passages): the header says so."""
        self.entity_id = None
        self.loose = True
        self.loose_document = document_id
        self._refresh_header()

    def _reload_list(self) -> None:
        try:
            if self.entity_id:
                notes = self.store.list_notes(entity_id=self.entity_id)
            else:
                notes = self._loose_notes() if self.loose else []
        except AtlasError as exc:
            self.status_message.emit(str(exc))
            notes = []
        names = self.names()
        self.list.selectionModel().blockSignals(True)
        self.model.set_rows([NoteRow.make(n, names, {}) for n in notes])
        row = self.model.row_of(self.note.id) if self.note else -1
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row, TITLE))
        self.list.selectionModel().blockSignals(False)

    # ---- loading and saving ---------------------------------------------------------------------
    def _load(self, note: Note | None) -> None:
        self._timer.stop()
        self._loading = True
        try:
            self.note = note
            self._dirty = False
            self.title_edit.setText(note.title if note else "")
            self.body_edit.setPlainText(note.body if note else "")  # also resets the editor's undo history
            self.editor.show_anchor(note)
            self.note_tags_label.setText(tag_chips_html(self._note_tag_colors(note)) if note and note.tags else "")
            can_edit = self.entity_id is not None or note is not None
            for w in (self.title_edit, self.body_edit, self.tabs):
                w.setEnabled(can_edit)
            self.delete_button.setEnabled(note is not None)
            self.note_tags_button.setEnabled(note is not None)
            if note:
                self.state_label.setText(f"Saved · updated {short_time(note.updated_at)} UTC")
            else:
                self.state_label.setText("New note: start typing; it saves itself." if can_edit else "")
                if can_edit:
                    self.editor.show_write()  # "start typing" is only true on the Write tab
            row = self.model.row_of(note.id) if note else -1
            self.list.selectionModel().blockSignals(True)
            if row >= 0:
                self.list.setCurrentIndex(self.model.index(row, TITLE))
            else:
                self.list.clearSelection()
            self.list.selectionModel().blockSignals(False)
            self.editor.refresh_preview()
        finally:
            self._loading = False

    def _on_edited(self, *_args: object) -> None:
        if self._loading:
            return
        self._dirty = True
        self.state_label.setText("Editing…")
        self._timer.start()

    def save_now(self) -> bool:
        """Save the editor if it changed. Returns False when saving failed (the text stays in the editor)."""
        self._timer.stop()
        if not self._dirty:
            return True
        title, body = self.title_edit.text(), self.body_edit.toPlainText()
        kept = notice = ""
        try:
            if self.note is None:
                if not title.strip() and not body.strip():
                    self._dirty = False
                    return True
                if self.entity_id is None:
                    return False
                note = self.store.create_note(self.entity_id, title=title, body=body)
            else:
                try:
                    note = self.store.update_note(
                        self.note.id, title=title, body=body, expected_updated_at=self.note.updated_at
                    )
                except NoteConflict:
                    # Another window changed this note since we loaded it: keep both versions.
                    note = self._save_as_new(f"{title or self.note.display_title} (conflict copy)", body)
                    notice = "This note was changed in another window; your version was saved as a conflict copy."
                except NoteDeleted:
                    # Another window moved it to the trash (or deleted it for good) while this one typed:
                    # saving into it would hide the text in the trash. Keep the text as a new note.
                    note = self._save_as_new(title, body)
                    kept = "the note was deleted in another window; your text was kept as a new note"
                    notice = kept[:1].upper() + kept[1:] + "."
        except AtlasError as exc:
            self.last_error = str(exc)
            self.state_label.setText(f"Not saved: {exc}")
            self.status_message.emit(f"Note not saved: {exc}")
            return False
        self.last_error = ""
        self.note = note
        self._dirty = False
        self.state_label.setText(f"Saved · {short_time(note.updated_at)} UTC" + (f" · {kept}" if kept else ""))
        self.delete_button.setEnabled(True)  # a new note exists now: it can be deleted and tagged
        self.note_tags_button.setEnabled(True)
        self._reload_list()
        self.editor.refresh_preview()
        self.saved.emit(note.id)
        self.notes_changed.emit()
        if notice:
            self.status_message.emit(notice)  # after "Note saved", so it is the one that stays
        return True

    def _save_as_new(self, title: str, body: str) -> Note:
        """Save the editor as a new note with the open note's entity, passage and tags."""
        old = self.note
        assert old is not None
        return self.store.create_note(
            old.entity_id,
            title=title,
            body=body,
            document_id=old.document_id,
            start=old.start,
            end=old.end,
            quote=old.quote,
            tags=old.tags,
        )

    def confirm_close(self) -> bool:
        """On closing the window: save; if that fails, ask (try again, copy the text and close, or
        keep the window open). True when the window may close."""
        from PySide6.QtWidgets import QApplication

        while not self.save_now():
            box = QMessageBox(self)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("Note not saved")
            box.setText("The note you are writing could not be saved.")
            box.setInformativeText(safe_rich_text([self.last_error or "The notes database refused the change."]))
            retry = box.addButton("Try again", QMessageBox.ButtonRole.AcceptRole)
            copy = box.addButton("Copy the text and close", QMessageBox.ButtonRole.DestructiveRole)
            box.addButton("Keep the window open", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(retry)
            box.exec()
            clicked = box.clickedButton()
            if clicked is retry:
                continue
            if clicked is copy:
                title, body = self.title_edit.text(), self.body_edit.toPlainText()
                QApplication.clipboard().setText(f"{title}\n\n{body}" if title else body)
                return True
            return False
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and watched in (self.title_edit, self.body_edit):
            self.save_now()
        return super().eventFilter(watched, event)

    def _on_current_row(self, current: Any, _previous: Any) -> None:
        note = self.model.note_at(current.row()) if current.isValid() else None
        if note is None or (self.note is not None and note.id == self.note.id):
            return
        if not self.save_now():
            return
        fresh = self.store.get_note(note.id)
        self._load(fresh)

    def select_note(self, note_id: str) -> bool:
        """Show a note (switching entity if needed)."""
        note = self.store.get_note(note_id)
        if note is None:
            return False
        if not self.save_now():
            return False  # the unsaved text stays in the editor; the state line says why
        note = self.store.get_note(note_id) or note  # saving may have changed it
        if note.entity_id is None:
            if not (self.entity_id is None and self.loose and self.loose_document == note.document_id):
                self._show_loose(note.document_id)
        elif note.entity_id != self.entity_id:
            self.set_entity(note.entity_id)
        self._reload_list()
        self._load(note)
        if self.loose:
            self._refresh_header()
        return True

    def new_note(self) -> None:
        if self.entity_id is None:
            if self.loose:
                self.status_message.emit("This note is on no entity: select an entity to start a new note on it.")
            return
        if not self.save_now():
            return
        self._load(None)
        self.editor.show_write()
        self.title_edit.setFocus()

    def add_passage_note(
        self, document_id: str, start: int, end: int, quote: str, entity_id: str | None = None
    ) -> Note | None:
        """Create a note anchored to a passage (on ``entity_id`` if given) and open it for writing."""
        if not self.save_now():
            return None
        title = " ".join(quote.split())
        title = f"On “{title[:60]}{'…' if len(title) > 60 else ''}”"
        try:
            note = self.store.create_note(
                entity_id, title=title, document_id=document_id, start=start, end=end, quote=quote
            )
        except AtlasError as exc:
            self.status_message.emit(f"Note not created: {exc}")
            return None
        if entity_id is None:
            self._show_loose(document_id)
        elif entity_id != self.entity_id:
            self.entity_id = entity_id
            self.loose = False
            self._refresh_header()
        self._reload_list()
        self._load(note)
        if self.loose:
            self._refresh_header()  # "Note" or "Notes" on passages, now that this one exists
        self.editor.show_write()
        self.body_edit.setFocus()
        self.notes_changed.emit()
        self.status_message.emit("Note added on the selected passage.")
        return note

    def delete_current(self) -> None:
        if self.note is None:
            return
        if not self.save_now():
            return  # deleting would load another note over the unsaved text
        note = self.note
        try:
            self.store.delete_note(note.id)  # first, so a failure leaves no undo step behind
        except AtlasError as exc:
            self.status_message.emit(str(exc))
            return
        self.undo_stack.push(self._delete_command(note.id, note.display_title, done=True))
        self._after_trash_change(None)
        self.status_message.emit(f"Moved “{note.display_title}” to the trash. Edit > Undo delete note brings it back.")

    def _delete_command(self, note_id: str, title: str, *, done: bool) -> DeleteNoteCommand:
        return DeleteNoteCommand(
            self.store, note_id, title, self._after_trash_change, self.status_message.emit, done=done
        )

    def _after_trash_change(self, restored_id: str | None) -> None:
        if restored_id is not None:
            self.select_note(restored_id)
        else:
            self.note = None
            self._reload_list()
            rows = self.model.rows()
            self._load(rows[0].note if rows else None)
            if self.loose:
                self._refresh_header()
        self.notes_changed.emit()

    def prune_undo(self) -> None:
        """Keep only the undo steps whose note is still in the trash (after the notes browser or
        another window restored it, deleted it for good or emptied the trash)."""
        stack = self.undo_stack
        steps = [stack.command(i) for i in range(stack.index())]
        wanted = [(c.note_id, c.title) for c in steps if isinstance(c, DeleteNoteCommand)]
        if not wanted and stack.count() == 0:
            return
        try:
            in_trash = {n.id for n in self.store.list_notes(trash=True, ids=[i for i, _ in wanted])}
        except AtlasError:
            return  # keep them; an undo that fails says why
        keep = [(i, t) for i, t in wanted if i in in_trash]
        if len(keep) == len(steps) == stack.count():
            return
        stack.clear()
        for note_id, title in keep:
            stack.push(self._delete_command(note_id, title, done=True))

    def reload(self) -> None:
        """Re-read from the database (another window may have written). Unsaved typing is saved first;
        if it cannot be, the editor is left as it is."""
        saved = self.save_now()
        self._names = {}
        self._refresh_header()
        current = self.note
        self._reload_list()
        self.prune_undo()
        if not saved:
            return
        if current is None:
            rows = self.model.rows()
            if rows and not self.title_edit.text() and not self.body_edit.toPlainText():
                self._load(rows[0].note)
            return
        try:
            fresh = self.store.get_note(current.id)
        except AtlasError as exc:
            self.status_message.emit(str(exc))
            return
        if fresh is None or fresh.deleted_at is not None or fresh.entity_id != self.entity_id:
            rows = self.model.rows()
            self._load(rows[0].note if rows else None)
            if self.loose:
                self._refresh_header()
        elif (fresh.title, fresh.body) == (current.title, current.body):
            self._show_note_meta(fresh)  # only tags or times changed: the editor and its undo history stay
        elif fresh != current:
            self._load(fresh)

    def _show_note_meta(self, note: Note) -> None:
        """Take ``note`` as the open note without touching the editor text (its undo history stays)."""
        self.note = note
        self.note_tags_label.setText(tag_chips_html(self._note_tag_colors(note)) if note.tags else "")
        self.editor.show_anchor(note)
        row = self.model.row_of(note.id)
        if row >= 0:
            self.list.selectionModel().blockSignals(True)
            self.list.setCurrentIndex(self.model.index(row, TITLE))
            self.list.selectionModel().blockSignals(False)

    def _open_passage(self) -> None:
        n = self.note
        if n and n.document_id is not None and n.start is not None and n.end is not None:
            self.passage_requested.emit(n.document_id, n.start, n.end, n.quote or "")
