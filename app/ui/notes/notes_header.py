"""The notes pane's header and tags: which entity (or passage) the notes are on, its tags, and the
tag dialogs. Part of :class:`app.ui.notes.notes_pane.NotesPane`."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import replace
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from app.core.errors import AtlasError
from app.core.userdata.notes import Note, NotesStore
from app.ui.notes.note_editor import NoteEditor
from app.ui.notes.notes_model import safe_rich_text
from app.ui.notes.notes_widgets import HintListView
from app.ui.notes.tag_dialog import TagDialog, tag_chips_html


class NotesHeaderMixin(QWidget):
    """The header and tag parts of the notes pane (state and widgets are the pane's)."""

    status_message = Signal(str)
    notes_changed = Signal()  # any edit to notes or tags (refresh counts, facets)

    store: NotesStore
    entity_id: str | None
    loose: bool
    loose_document: str | None
    note: Note | None
    editor: NoteEditor
    list: HintListView
    entity_label: QLabel
    entity_tags_label: QLabel
    tag_entity_button: QPushButton
    new_button: QPushButton
    _names: dict[str, str]
    _entity_names: Callable[[], dict[str, str]]
    _document_titles: Callable[[], dict[str, str]]
    _current_entity: Callable[[], str | None]

    def set_entity(self, entity_id: str | None) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        raise NotImplementedError

    def _show_note_meta(self, note: Note) -> None:
        raise NotImplementedError

    def _reload_list(self) -> None:
        raise NotImplementedError

    def save_now(self) -> bool:
        raise NotImplementedError

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

    def names(self) -> dict[str, str]:
        if not self._names:
            self._names = self._entity_names()
        return self._names

    def _loose_notes(self) -> builtins.list[Note]:
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
                back = f" <a href='back'>Show the notes on {escape(name)}</a>"
            self.entity_tags_label.setText(
                "<i>This note is on no entity; the notes browser lists it with all notes.</i>" + back
            )
        elif self.entity_id is None:
            self.entity_label.setText("<i>Select an entity to read and write notes on it.</i>")
            self.entity_tags_label.clear()
        else:
            known = self.names().get(self.entity_id)
            label = (
                f"<b>{escape(known)}</b>"
                if known
                else f"<b>{escape(self.entity_id)}</b> <i>(not in this catalogue)</i>"
            )
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
        return f"{what} in <b>{escape(title)}</b> <i>(no entity)</i>"

    def _on_header_link(self, href: str) -> None:
        current = self._current_entity()
        if href == "back" and current:
            self.set_entity(current)

    def _note_tag_colors(self, note: Note | None) -> builtins.list[tuple[str, str]]:
        if not note:
            return []
        colors = {t.name: t.color for t in self.store.list_tags()}
        return [(t, colors.get(t, "#888888")) for t in note.tags]

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
