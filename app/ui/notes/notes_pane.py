"""The notes dock: notes on the selected entity with an autosaving Markdown editor, a safe preview, tags and trash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QKeySequence,
    QPainter,
    QPalette,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtlasError
from app.core.userdata.notes import Note, NoteConflict, NoteDeleted, NotesStore
from app.ui.markdown import SafeTextBrowser, set_safe_markdown
from app.ui.notes.notes_model import TITLE, NoteRow, NotesTableModel, safe_rich_text, short_time
from app.ui.notes.tag_dialog import TagDialog, tag_chips_html

AUTOSAVE_MS = 700
BACKUP_CHECK_MS = 60 * 60 * 1000  # how often an open window checks whether the daily backup is due


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


class NotesPane(QWidget):
    """Notes on one entity: a list and an editor that saves itself.

    Autosave: ~0.7 s after typing stops, and whenever focus leaves the editor, another note or
    entity is chosen, or the window closes (call :meth:`save_now`). Saving never touches the
    editor's own undo history, so Ctrl+Z keeps working across saves.
    """

    saved = Signal(str)  # note id, after every successful save
    notes_changed = Signal()  # any edit to notes or tags (refresh counts, facets)
    entity_requested = Signal(str)
    passage_requested = Signal(str, int, int, str)  # document id, start, end, quote
    status_message = Signal(str)

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

        # editor
        self.quote_label = QLabel()
        self.quote_label.setTextFormat(Qt.TextFormat.RichText)  # never guessed from a (multi-line) quote
        self.quote_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.quote_label.setWordWrap(True)
        self.quote_label.setAccessibleName("Quoted passage")
        self.quote_label.setToolTip("The passage this note is anchored to; click to open it")
        self.quote_label.linkActivated.connect(lambda _href: self._open_passage())
        self.quote_label.hide()
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Title")
        self.title_edit.setAccessibleName("Note title")
        self.title_edit.setMaxLength(500)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setPlaceholderText("Write in Markdown: **bold**, *italic*, - lists, [links](https://…)")
        self.body_edit.setAccessibleName("Note text (Markdown)")
        self.body_edit.setTabChangesFocus(True)
        self.preview = SafeTextBrowser()
        self.preview.setAccessibleName("Note preview")
        self.preview.link_activated.connect(self._on_internal_link)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.body_edit, "Write")
        self.tabs.addTab(self.preview, "Preview")
        self.tabs.currentChanged.connect(self._on_tab)
        self.note_tags_label = QLabel()
        self.note_tags_label.setTextFormat(Qt.TextFormat.RichText)
        self.note_tags_label.setAccessibleName("Note tags")
        self.note_tags_button = QPushButton("Note tags…")
        self.note_tags_button.setToolTip("Tag this note")
        self.note_tags_button.clicked.connect(self.edit_note_tags)
        self.state_label = QLabel()
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)  # error messages may quote a title
        self.state_label.setAccessibleName("Save state")

        self.title_edit.textEdited.connect(self._on_edited)
        self.body_edit.textChanged.connect(self._on_edited)
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
        editor = QWidget()
        ed = QVBoxLayout(editor)
        ed.setContentsMargins(0, 0, 0, 0)
        ed.addWidget(self.quote_label)
        ed.addWidget(self.title_edit)
        ed.addWidget(self.tabs, 1)
        tags_row = QHBoxLayout()
        tags_row.addWidget(self.note_tags_label, 1)
        tags_row.addWidget(self.note_tags_button)
        ed.addLayout(tags_row)
        ed.addWidget(self.state_label)
        self.splitter = QSplitter()
        self.splitter.setOrientation(self.splitter.orientation().Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(editor)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([140, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.entity_tags_label)
        layout.addWidget(self.splitter, 1)
        self.set_entity(None)

    # ---- entity ------------------------------------------------------------------------------
    def names(self) -> dict[str, str]:
        if not self._names:
            self._names = self._entity_names()
        return self._names

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

    def _loose_notes(self) -> list[Note]:
        notes = self.store.list_notes(document_id=self.loose_document)
        return [n for n in notes if n.entity_id is None and n.document_id == self.loose_document]

    def _refresh_header(self) -> None:
        enabled = self.entity_id is not None
        self.entity_tags_label.setToolTip("")
        if self.entity_id is None and self.loose:
            self.entity_label.setText(self._loose_header())
            current = self._current_entity()
            back = ""
            if current:
                name = self.names().get(current, current)
                back = f" <a href='back'>Show the notes on {_esc(name)}</a>"
            self.entity_tags_label.setText(
                "<i>This note is on no entity; the notes browser lists it with all notes.</i>" + back
            )
        elif self.entity_id is None:
            self.entity_label.setText("<i>Select an entity to read and write notes on it.</i>")
            self.entity_tags_label.clear()
        else:
            name = self.names().get(self.entity_id)
            label = f"<b>{_esc(name)}</b>" if name else f"<b>{_esc(self.entity_id)}</b> <i>(not in this catalogue)</i>"
            self.entity_label.setText(f"Notes on {label}")
            try:
                tags = self.store.tags_for_entity(self.entity_id)
            except AtlasError as exc:
                self.status_message.emit(str(exc))
                tags = []
            self.entity_tags_label.setText(tag_chips_html([(t.name, t.color) for t in tags]) if tags else "")
            self.entity_tags_label.setToolTip(
                safe_rich_text(["Tags: " + ", ".join(t.name for t in tags)]) if tags else "No tags yet"
            )
        for w in (self.tag_entity_button, self.new_button):
            w.setEnabled(enabled)
        self.list.setEnabled(enabled or self.loose)
        if enabled:
            self.list.set_hint("No notes on this entity yet.\nStart typing below, or New note (Ctrl+Shift+N).")
        else:
            self.list.set_hint(
                "No notes here any more.\nSelect an entity to read and write notes on it." if self.loose else ""
            )

    def _loose_header(self) -> str:
        if self.loose_document is None:
            return "Notes on <b>no entity</b>"
        title = self._document_titles().get(self.loose_document, self.loose_document)
        try:
            many = len(self._loose_notes()) > 1
        except AtlasError:
            many = False
        what = "Notes on passages" if many else "Note on a passage"
        return f"{what} in <b>{_esc(title)}</b> <i>(no entity)</i>"

    def _on_header_link(self, href: str) -> None:
        current = self._current_entity()
        if href == "back" and current:
            self.set_entity(current)

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
            self._show_anchor(note)
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
            row = self.model.row_of(note.id) if note else -1
            self.list.selectionModel().blockSignals(True)
            if row >= 0:
                self.list.setCurrentIndex(self.model.index(row, TITLE))
            else:
                self.list.clearSelection()
            self.list.selectionModel().blockSignals(False)
            if self.tabs.currentWidget() is self.preview:
                self.render_preview()
        finally:
            self._loading = False

    def _note_tag_colors(self, note: Note | None) -> list[tuple[str, str]]:
        if not note:
            return []
        colors = {t.name: t.color for t in self.store.list_tags()}
        return [(t, colors.get(t, "#888888")) for t in note.tags]

    def _show_anchor(self, note: Note | None) -> None:
        if note and note.quote:
            quote = " ".join(note.quote.split())  # one paragraph, whatever the lines of the passage
            quote = quote if len(quote) < 300 else quote[:300] + "…"
            self.quote_label.setText(f"On the passage: “{_esc(quote)}” <a href='open'>Open passage</a>")
            self.quote_label.show()
        else:
            self.quote_label.hide()

    def _on_edited(self, *_args: object) -> None:
        if self._loading:
            return
        self._dirty = True
        self.state_label.setText("Editing…")
        self._timer.start()

    def is_dirty(self) -> bool:
        return self._dirty

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
        if self.tabs.currentWidget() is self.preview:
            self.render_preview()
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
        self.tabs.setCurrentWidget(self.body_edit)
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
        self.tabs.setCurrentWidget(self.body_edit)
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
        self._show_anchor(note)
        row = self.model.row_of(note.id)
        if row >= 0:
            self.list.selectionModel().blockSignals(True)
            self.list.setCurrentIndex(self.model.index(row, TITLE))
            self.list.selectionModel().blockSignals(False)

    def _refresh_tags_shown(self) -> None:
        """After the tag dialog (tags may have been renamed or deleted): the header and note chips."""
        self._refresh_header()
        if self.note is None:
            return
        try:
            fresh = self.store.get_note(self.note.id)
        except AtlasError:
            return
        if fresh is not None:
            self._show_note_meta(replace(self.note, tags=fresh.tags))

    # ---- tags --------------------------------------------------------------------------------
    def edit_entity_tags(self) -> None:
        if self.entity_id is None:
            return
        name = self.names().get(self.entity_id, self.entity_id)
        current = [t.name for t in self.store.tags_for_entity(self.entity_id)]
        chosen, ok = TagDialog.get_tags(self, self.store, checked=current, title=f"Tags on {name}")
        if not ok:
            return
        try:
            self.store.set_entity_tags(self.entity_id, chosen)
        except AtlasError as exc:
            self.status_message.emit(str(exc))
        else:
            self.status_message.emit(f"Tags on {name}: {', '.join(chosen) or 'none'}.")
        self._refresh_tags_shown()  # also after an error: the dialog's renames and deletions are in
        self.notes_changed.emit()

    def edit_note_tags(self) -> None:
        if self.note is None:
            return
        self.save_now()
        chosen, ok = TagDialog.get_tags(self, self.store, checked=list(self.note.tags), title="Tags on this note")
        if not ok or self.note is None:
            return
        try:
            note = self.store.set_note_tags(self.note.id, chosen)
        except AtlasError as exc:
            self.status_message.emit(str(exc))
            self._refresh_tags_shown()
        else:
            # Not _load(): that would reset the editor and wipe its undo history.
            self._reload_list()
            self._refresh_header()
            self._show_note_meta(note)
        self.notes_changed.emit()

    # ---- preview and links ---------------------------------------------------------------------
    def _on_tab(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.preview:
            self.render_preview()

    def render_preview(self) -> None:
        set_safe_markdown(self.preview.document(), self.body_edit.toPlainText())

    def _on_internal_link(self, url: QUrl) -> None:
        # [NATO](entity:nato) or atlas:entity/nato links jump to an entity; anything else is ignored.
        if url.scheme() == "entity":
            self.entity_requested.emit(url.path())
        elif url.scheme() == "atlas" and url.path().startswith("entity/"):
            self.entity_requested.emit(url.path()[len("entity/") :])
        else:
            self.status_message.emit(f"Links of this kind are not opened: {url.toDisplayString()[:80]}")

    def _open_passage(self) -> None:
        n = self.note
        if n and n.document_id is not None and n.start is not None and n.end is not None:
            self.passage_requested.emit(n.document_id, n.start, n.end, n.quote or "")


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


# ---- integration with the main window ----------------------------------------------------------
class _WindowWatcher(QObject):
    """Saves on close; re-reads user data when the window is activated (another instance may have written)."""

    def __init__(self, window: Any, on_close: Callable[[], bool], on_activate: Callable[[], None]) -> None:
        super().__init__(window)
        self._on_close = on_close
        self._on_activate = on_activate
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            if not self._on_close():  # the note could not be saved and the user keeps the window
                event.ignore()
                return True
        elif event.type() == QEvent.Type.WindowActivate:
            self._on_activate()
        return False


class NotesFeature(QObject):
    """Everything the notes feature adds to a window, built by :func:`install`."""

    def __init__(self, window: Any, store: NotesStore, paths: Any, repo: Any) -> None:
        super().__init__(window)
        self.window = window
        self.store = store
        self.paths = paths
        self.repo = repo
        self.pane = NotesPane(
            store,
            entity_names=repo.entity_names,
            document_titles=self._doc_titles,
            current_entity=getattr(window, "current_entity_id", lambda: None),
        )
        self.browser: Any = None
        self.backup_timer: QTimer | None = None
        # What this window has read. The store moves it on with this window's own writes only
        # when nothing else wrote in between, so a save here never hides another instance's change.
        try:
            store.mark_seen()
        except AtlasError:
            pass  # on_activate then reloads once the database can be read

    def _changed(self) -> None:
        self.window.data_changed.emit()
        if self.browser is not None:
            self.browser.reload()

    def _browser_changed(self) -> None:
        """The notes browser restored, deleted for good or emptied the trash: the pane shows the
        restored notes, and undo no longer offers notes that are back or gone."""
        self.pane.reload()
        self._changed()

    def reload(self) -> None:
        """File > Reload: re-read notes and tags and refresh lists and facets."""
        try:
            self.store.mark_seen()  # before reading, so a write in between shows up next time
        except AtlasError as exc:
            self.window.show_status(str(exc))
        self.pane.reload()
        if self.browser is not None:
            self.browser.reload()
        self.window.data_changed.emit()
        self.window.show_status("Reloaded notes and tags from the database.")

    def on_activate(self) -> None:
        try:
            changed = self.store.changed_elsewhere()
        except AtlasError:
            return
        if changed:
            self.reload()

    def show_browser(self) -> None:
        from app.ui.notes.notes_browser import NotesBrowserPane

        if self.browser is None:
            self.browser = NotesBrowserPane(
                self.store, entity_names=self.repo.entity_names, document_titles=self._doc_titles
            )
            self.browser.entity_requested.connect(self.window.select_entity)
            self.browser.note_requested.connect(self._open_note)
            self.browser.passage_requested.connect(self._open_passage)
            self.browser.notes_changed.connect(self._browser_changed)
            self.browser.status_message.connect(self.window.show_status)
            self.browser_dock = self.window.add_dock(self.browser, "Notes browser", "notes_browser", _bottom())
        dock = self.browser_dock
        dock.show()
        dock.raise_()
        self.browser.reload()
        self.browser.search_edit.setFocus()

    def _doc_titles(self) -> dict[str, str]:
        return {d.id: d.title for d in self.repo.documents()}

    def _open_note(self, entity_id: str, note_id: str) -> None:
        if entity_id:
            self.window.select_entity(entity_id)
        self.pane.select_note(note_id)
        self.notes_dock.show()
        self.notes_dock.raise_()

    def _open_passage(self, document_id: str, start: int, end: int, quote: str) -> None:
        opener = getattr(self.window, "open_passage", None)
        if callable(opener):
            opener(document_id, start, end, quote)
        else:
            self.window.show_status("This window cannot open passages.")

    def undo_delete(self) -> None:
        if self.pane.undo_stack.canUndo():
            self.pane.undo_stack.undo()
        else:
            self.window.show_status("No deleted note to bring back.")

    def tag_selected(self, ids: list[str] | None = None) -> None:
        ids = list(ids if ids is not None else self.window.selected_ids())
        if not ids:
            self.window.show_status("Select one or more entities in the list first.")
            return
        names = self.repo.entity_names()
        common = None
        tags_by = self.store.tags_for_entities(ids)
        for eid in ids:
            have = set(tags_by.get(eid, []))
            common = have if common is None else common & have
        label = names.get(ids[0], ids[0]) if len(ids) == 1 else f"{len(ids)} entities"
        chosen, ok = TagDialog.get_tags(
            self.window,
            self.store,
            checked=sorted(common or []),
            title=f"Tag {label}",
            prompt=f"Checked tags are added to {label}. Unchecking a tag they all have removes it from them.",
        )
        if not ok:
            return
        try:
            for name in chosen:
                self.store.tag_entities(name, ids)
            for name in (common or set()) - set(chosen):
                self.store.untag_entities(name, ids)
        except AtlasError as exc:
            self.window.show_status(str(exc))
            return
        self.pane.reload()
        self._changed()
        self.window.show_status(f"Tagged {label}: {', '.join(chosen) or 'no tags'}.")

    def export_notes(self) -> None:
        from app.ui.notes.notes_browser import export_notes_dialog

        export_notes_dialog(self.window, self.store, self.repo, self.window.current_spec())

    def import_notes(self) -> None:
        from app.ui.notes.notes_browser import import_notes_dialog

        if import_notes_dialog(self.window, self.store, self.repo):
            self.pane.reload()
            self._changed()

    def restore_backup(self) -> None:
        from app.ui.notes.backup_dialog import restore_backup_dialog

        self.pane.save_now()
        if restore_backup_dialog(self.window, self.paths):
            self.pane.undo_stack.clear()  # its commands refer to notes that may not exist now
            try:
                self.store.mark_seen()
            except AtlasError:
                pass
            self.pane.reload()
            self._changed()

    def daily_backup(self) -> None:
        from app.core.userdata.backup import daily_backup

        try:
            daily_backup(self.paths)
        except AtlasError as exc:
            self.window.show_status(f"Automatic backup failed: {exc}", 8000)


def _bottom() -> Any:
    from PySide6.QtCore import Qt

    return Qt.DockWidgetArea.BottomDockWidgetArea


def install(window: Any) -> NotesPane:
    """Add the notes dock, browser, menu actions and context-menu entries to a MainWindow."""
    from PySide6.QtCore import Qt

    atlas = window.atlas
    store = atlas.user_data.notes
    feature = NotesFeature(window, store, atlas.paths, atlas.repo)
    pane = feature.pane
    window.notes_feature = feature
    feature.notes_dock = window.add_dock(
        pane, "Notes", "notes", Qt.DockWidgetArea.RightDockWidgetArea, hide_when_narrow=True
    )
    toggle = feature.notes_dock.toggleViewAction()
    toggle.setText("&Notes")
    toggle.setShortcut(QKeySequence("Ctrl+Shift+M"))
    toggle.setToolTip("Show or hide the notes on the selected entity (Ctrl+Shift+M)")
    toggle.setStatusTip("Show or hide the notes on the selected entity")
    toolbar = getattr(window, "toolbar", None)
    if toolbar is not None:
        toolbar.addSeparator()
        toolbar.addAction(toggle)

    window.entity_selected.connect(pane.set_entity)  # set_entity saves the open note first
    pane.entity_requested.connect(window.select_entity)
    pane.saved.connect(lambda _id: window.show_status("Note saved", 2000))
    pane.notes_changed.connect(feature._changed)
    pane.status_message.connect(window.show_status)
    pane.passage_requested.connect(feature._open_passage)

    menus = window.menus
    feature.undo_delete_action = a = QAction("Undo delete note", window)
    a.setToolTip("Bring back the note deleted last")
    a.setShortcut(QKeySequence("Ctrl+Alt+Z"))
    a.triggered.connect(feature.undo_delete)
    pane.undo_stack.canUndoChanged.connect(a.setEnabled)
    pane.undo_stack.undoTextChanged.connect(
        lambda t: a.setText(f"Undo {t[:1].lower()}{t[1:]}" if t else "Undo delete note")
    )
    a.setEnabled(False)
    menus["edit"].addSeparator()
    menus["edit"].addAction(a)
    feature.new_note_action = a = QAction("New note", window)
    a.setShortcut(QKeySequence("Ctrl+Shift+N"))
    a.triggered.connect(lambda: (feature.notes_dock.show(), pane.new_note()))
    menus["edit"].addAction(a)
    feature.tag_action = a = QAction("Tag selected…", window)
    a.setShortcut(QKeySequence("Ctrl+T"))
    a.setToolTip("Add or remove tags on the selected entities")
    a.triggered.connect(lambda: feature.tag_selected())
    menus["edit"].addAction(a)

    feature.browser_action = a = QAction("Notes browser", window)
    a.setShortcut(QKeySequence("Ctrl+Shift+B"))
    a.setToolTip("All notes, with full-text search and the trash")
    a.triggered.connect(feature.show_browser)
    menus["view"].addAction(a)
    menus["view"].addAction(feature.notes_dock.toggleViewAction())

    file_menu = menus["file"]
    # Before the separator above Quit, where the window keeps file actions.
    anchor = getattr(window, "_file_quit_separator", None) or _first_quit_action(file_menu)
    feature.export_action = QAction("Export notes…", window)
    feature.export_action.triggered.connect(feature.export_notes)
    feature.import_action = QAction("Import notes…", window)
    feature.import_action.triggered.connect(feature.import_notes)
    feature.restore_action = QAction("Restore notes from backup…", window)
    feature.restore_action.triggered.connect(feature.restore_backup)
    feature.reload_action = QAction("Reload", window)
    feature.reload_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
    feature.reload_action.setToolTip("Re-read notes and tags (changes made in another window)")
    feature.reload_action.triggered.connect(feature.reload)
    actions = [feature.export_action, feature.import_action, feature.restore_action, feature.reload_action]
    if anchor is not None:
        file_menu.insertActions(anchor, actions)
    else:
        file_menu.addActions(actions)

    list_pane = getattr(window, "list_pane", None)
    if list_pane is not None and hasattr(list_pane, "context_menu_requested"):
        list_pane.context_menu_requested.connect(lambda ids, menu: _add_list_actions(feature, ids, menu))
    document_view = _document_view(window)
    if document_view is not None:
        document_view.add_note_requested.connect(
            lambda doc, start, end, quote: (
                feature.notes_dock.show(),
                feature.notes_dock.raise_(),
                pane.add_passage_note(doc, start, end, quote, window.current_entity_id()),
            )
        )
    detail = getattr(window, "detail_pane", None)
    if detail is not None and hasattr(detail, "tags_requested"):
        detail.tags_requested.connect(pane.edit_entity_tags)
        detail.set_tag_provider(store.tags_for_entity)

    feature.watcher = _WindowWatcher(window, pane.confirm_close, feature.on_activate)
    pane.set_entity(window.current_entity_id())
    QTimer.singleShot(0, feature.daily_backup)  # after the first paint; the db is small
    # A window left open for days still makes its daily backup (the check is a directory listing).
    feature.backup_timer = QTimer(window, interval=BACKUP_CHECK_MS, timeout=feature.daily_backup)
    feature.backup_timer.start()
    return pane


def _first_quit_action(menu: Any) -> Any:
    for action in menu.actions():
        if action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit) or action.text().replace(
            "&", ""
        ).lower().startswith(("quit", "exit")):
            return action
    return None


def _document_view(window: Any) -> Any:
    for name in ("document_view", "document_pane", "reader"):
        view = getattr(window, name, None)
        if view is not None and hasattr(view, "add_note_requested"):
            return view
    return None


def _add_list_actions(feature: NotesFeature, ids: list[str], menu: Any) -> None:
    if not ids:
        return
    menu.addSeparator()
    action = menu.addAction("Tag selected…" if len(ids) > 1 else "Tag…")
    action.triggered.connect(lambda: feature.tag_selected(ids))
    tags = sorted({t for ts in feature.store.tags_for_entities(ids).values() for t in ts}, key=str.casefold)
    if tags:
        sub = menu.addMenu("Remove tag")
        for name in tags:
            act = sub.addAction(name)
            act.triggered.connect(lambda _=False, n=name: _untag(feature, n, ids))


def _untag(feature: NotesFeature, name: str, ids: list[str]) -> None:
    try:
        n = feature.store.untag_entities(name, ids)
    except AtlasError as exc:
        feature.window.show_status(str(exc))
        return
    feature.pane.reload()
    feature._changed()
    feature.window.show_status(f"Removed “{name}” from {n} entit{'y' if n == 1 else 'ies'}.")
