"""The notes feature: the notes pane, the notes browser, tags, import/export and backups, as actions
and signals the main window places and connects. It receives the few things it uses, never the window."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from app.core.errors import AtlasError
from app.core.query.filters import FilterSpec
from app.core.query.passages import entities_in_span, snap_to_words
from app.core.query.repository import Repository
from app.core.userdata.notes import NotesStore
from app.paths import DataPaths
from app.ui.notes.notes_browser import NotesBrowserPane
from app.ui.notes.notes_pane import NotesPane
from app.ui.notes.tag_dialog import TagDialog

BACKUP_CHECK_MS = 60 * 60 * 1000  # how often an open window checks whether the daily backup is due
NO_ENTITY = "No entity: a note on the passage only"


class PassageEntityDialog:
    """Which entity a passage note belongs to, when the passage mentions several (a seam tests patch)."""

    @classmethod
    def get_entity(
        cls, parent: QWidget | None, choices: Sequence[tuple[str, str]], default: str | None
    ) -> tuple[str | None, bool]:
        """``choices`` are (entity id, name); returns (the id picked or None for no entity, ok)."""
        labels = [name for _eid, name in choices] + [NO_ENTITY]
        ids = [eid for eid, _name in choices]
        current = ids.index(default) if default in ids else 0
        label, ok = QInputDialog.getItem(
            parent, "Add note on selection", "This passage mentions several entities. File the note under:",
            labels, current, False,
        )  # fmt: skip
        if not ok:
            return None, False
        return (ids[labels.index(label)] if label in labels[:-1] else None), True


class NotesFeature(QObject):
    """Builds the notes pane and its actions; says what changed by its own signals."""

    user_data_changed = Signal()  # notes or tags changed: list counts and facets refresh
    status_message = Signal(str, int)  # message, milliseconds to show it
    entity_requested = Signal(str)
    passage_requested = Signal(str, int, int, str)  # document id, start, end, quote
    pane_requested = Signal()  # show and raise the notes pane
    browser_requested = Signal()  # show and raise the notes browser (browser_pane() builds it)

    def __init__(
        self,
        *,
        store: NotesStore,
        repo: Repository,
        paths: DataPaths,
        dialog_parent: QWidget,
        current_entity: Callable[[], str | None],
        selected_ids: Callable[[], list[str]],
        current_spec: Callable[[], FilterSpec],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.repo = repo
        self.paths = paths
        self._dialog_parent = dialog_parent
        self._current_entity = current_entity
        self._selected_ids = selected_ids
        self._current_spec = current_spec
        self.pane = NotesPane(
            store, entity_names=repo.entity_names, document_titles=self._doc_titles, current_entity=current_entity
        )
        self.browser: NotesBrowserPane | None = None
        self.pane.entity_requested.connect(self.entity_requested)
        self.pane.saved.connect(lambda _id: self.status_message.emit("Note saved", 2000))
        self.pane.notes_changed.connect(self._changed)
        self.pane.status_message.connect(self._status)
        self.pane.passage_requested.connect(self.passage_requested)
        self._build_actions()
        # What this window has read. The store moves it on with this window's own writes only
        # when nothing else wrote in between, so a save here never hides another instance's change.
        try:
            store.mark_seen()
        except AtlasError:
            pass  # on_activate then reloads once the database can be read
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_CHECK_MS)
        self.backup_timer.timeout.connect(self.daily_backup)

    def _action(
        self, text: str, slot: Callable[[], object], shortcut: QKeySequence | None = None, tip: str = ""
    ) -> QAction:
        act = QAction(text, self._dialog_parent)
        if shortcut is not None:
            act.setShortcut(shortcut)
        if tip:
            act.setToolTip(tip)
            act.setStatusTip(tip)
        act.triggered.connect(lambda _checked=False: slot())
        return act

    def _build_actions(self) -> None:
        K = QKeySequence
        self.undo_delete_action = self._action(
            "Undo delete note", self.undo_delete, K("Ctrl+Alt+Z"), "Bring back the note deleted last"
        )
        # Slots of Qt objects, not lambdas: Qt drops these connections when the action or the
        # feature goes, so the undo stack emptied at quit never reaches a deleted action.
        self.pane.undo_stack.canUndoChanged.connect(self.undo_delete_action.setEnabled)
        self.pane.undo_stack.undoTextChanged.connect(self._undo_text_changed)
        self.undo_delete_action.setEnabled(False)
        self.new_note_action = self._action("New note", self.new_note, K("Ctrl+Shift+N"))
        self.tag_action = self._action(
            "Tag selected…", self.tag_selected, K("Ctrl+T"), "Add or remove tags on the selected entities"
        )
        self.browser_action = self._action(
            "Notes browser",
            self.browser_requested.emit,
            K("Ctrl+Shift+B"),
            "All notes, with full-text search and the trash",
        )
        self.export_action = self._action("Export notes…", self.export_notes)
        self.import_action = self._action("Import notes…", self.import_notes)
        self.restore_action = self._action("Restore notes from backup…", self.restore_backup)
        self.reload_action = self._action(
            "Reload", self.reload, K("Ctrl+R"), "Re-read notes and tags (changes made in another window)"
        )

    def _undo_text_changed(self, text: str) -> None:
        self.undo_delete_action.setText(f"Undo {text[:1].lower()}{text[1:]}" if text else "Undo delete note")

    @property
    def edit_actions(self) -> list[QAction]:
        """For the Edit menu."""
        return [self.undo_delete_action, self.new_note_action, self.tag_action]

    @property
    def file_actions(self) -> list[QAction]:
        """For the File menu, above Quit."""
        return [self.export_action, self.import_action, self.restore_action, self.reload_action]

    def start(self) -> None:
        """Once the window is shown: the daily backup now, and again each day a window stays open."""
        self.pane.set_entity(self._current_entity())
        QTimer.singleShot(0, self.daily_backup)  # after the first paint; the db is small
        self.backup_timer.start()

    # ---- what changed ---------------------------------------------------------------------------
    def _status(self, message: str, timeout_ms: int = 4000) -> None:
        self.status_message.emit(message, timeout_ms)

    def _changed(self) -> None:
        self.user_data_changed.emit()
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
            self._status(str(exc))
        self.pane.reload()
        if self.browser is not None:
            self.browser.reload()
        self.user_data_changed.emit()
        self._status("Reloaded notes and tags from the database.")

    def on_activate(self) -> None:
        """The window was activated: another instance may have written."""
        try:
            changed = self.store.changed_elsewhere()
        except AtlasError:
            return
        if changed:
            self.reload()

    def confirm_close(self) -> bool:
        """The window is closing: save the open note (False: the user keeps the window open)."""
        return self.pane.confirm_close()

    # ---- the browser ----------------------------------------------------------------------------
    def browser_pane(self) -> NotesBrowserPane:
        """The notes browser, built on first use; reloaded each time it is asked for."""
        if self.browser is None:
            self.browser = NotesBrowserPane(
                self.store, entity_names=self.repo.entity_names, document_titles=self._doc_titles
            )
            self.browser.entity_requested.connect(self.entity_requested)
            self.browser.note_requested.connect(self._open_note)
            self.browser.passage_requested.connect(self.passage_requested)
            self.browser.notes_changed.connect(self._browser_changed)
            self.browser.status_message.connect(self._status)
        self.browser.reload()
        return self.browser

    def _doc_titles(self) -> dict[str, str]:
        return {d.id: d.title for d in self.repo.documents()}

    def _open_note(self, entity_id: str, note_id: str) -> None:
        if entity_id:
            self.entity_requested.emit(entity_id)
        self.pane.select_note(note_id)
        self.pane_requested.emit()

    # ---- commands -------------------------------------------------------------------------------
    def new_note(self) -> None:
        self.pane_requested.emit()
        self.pane.new_note()

    def undo_delete(self) -> None:
        if self.pane.undo_stack.canUndo():
            self.pane.undo_stack.undo()
        else:
            self._status("No deleted note to bring back.")

    def add_passage_note(self, document_id: str, start: int, end: int, quote: str) -> None:
        """A note on a selected passage. It belongs to the passage: it is filed under the entity
        the selection (or else its section) mentions, the one the user picks when there are
        several, or none; never under whatever entity happened to be selected before. The quote
        is widened to whole words."""
        doc = self.repo.get_document(document_id)
        if doc is not None:
            start, end = snap_to_words(doc.text, start, end)
            quote = doc.text[start:end]
            candidates = entities_in_span(doc, start, end)
        else:
            candidates = []
        entity_id: str | None = None
        if len(candidates) == 1:
            entity_id = candidates[0]
        elif candidates:
            names = self.repo.entity_names()
            choices = [(eid, names.get(eid, eid)) for eid in candidates]
            entity_id, ok = PassageEntityDialog.get_entity(self._dialog_parent, choices, self._current_entity())
            if not ok:
                return
        self.pane_requested.emit()
        self.pane.add_passage_note(document_id, start, end, quote, entity_id)

    def tag_selected(self, ids: list[str] | None = None) -> None:
        ids = list(ids if ids is not None else self._selected_ids())
        if not ids:
            self._status("Select one or more entities in the list first.")
            return
        names = self.repo.entity_names()
        common: set[str] | None = None
        tags_by = self.store.tags_for_entities(ids)
        for eid in ids:
            have = set(tags_by.get(eid, []))
            common = have if common is None else common & have
        label = names.get(ids[0], ids[0]) if len(ids) == 1 else f"{len(ids)} entities"
        chosen, ok = TagDialog.get_tags(
            self._dialog_parent,
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
            self._status(str(exc))
            return
        self.pane.reload()
        self._changed()
        self._status(f"Tagged {label}: {', '.join(chosen) or 'no tags'}.")

    def add_list_actions(self, ids: list[str], menu: QMenu) -> None:
        """The list's context menu: tag the entities under the mouse, or remove one of their tags."""
        if not ids:
            return
        menu.addSeparator()
        action = menu.addAction("Tag selected…" if len(ids) > 1 else "Tag…")
        action.triggered.connect(lambda _=False: self.tag_selected(ids))
        tags = sorted({t for ts in self.store.tags_for_entities(ids).values() for t in ts}, key=str.casefold)
        if tags:
            sub = menu.addMenu("Remove tag")
            for name in tags:
                act = sub.addAction(name)
                act.triggered.connect(lambda _=False, n=name: self.untag(n, ids))

    def untag(self, name: str, ids: list[str]) -> None:
        try:
            n = self.store.untag_entities(name, ids)
        except AtlasError as exc:
            self._status(str(exc))
            return
        self.pane.reload()
        self._changed()
        self._status(f"Removed “{name}” from {n} entit{'y' if n == 1 else 'ies'}.")

    def export_notes(self) -> None:
        from app.ui.notes.notes_browser import export_notes_dialog

        export_notes_dialog(self._dialog_parent, self.store, self.repo, self._current_spec(), show_status=self._status)

    def import_notes(self) -> None:
        from app.ui.notes.notes_browser import import_notes_dialog

        if import_notes_dialog(self._dialog_parent, self.store, self.repo, show_status=self._status):
            self.pane.reload()
            self._changed()

    def restore_backup(self) -> None:
        from app.ui.notes.backup_dialog import restore_backup_dialog

        self.pane.save_now()
        if restore_backup_dialog(self._dialog_parent, self.paths):
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
            self._status(f"Automatic backup failed: {exc}", 8000)
