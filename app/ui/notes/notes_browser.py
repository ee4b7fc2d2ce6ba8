"""The notes browser (every note, full-text search, the trash) and the notes export and import dialogs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtlasError
from app.core.userdata.notes import Note, NotesStore
from app.ui.notes.notes_model import ENTITY, MATCH, TAGS, TITLE, UPDATED, NoteRow, NotesTableModel, safe_rich_text

SEARCH_DELAY_MS = 200


class NotesBrowserPane(QWidget):
    """All notes (or the trash) in a table; type to search titles and bodies."""

    entity_requested = Signal(str)
    note_requested = Signal(str, str)  # entity id ('' for none), note id
    passage_requested = Signal(str, int, int, str)
    notes_changed = Signal()
    status_message = Signal(str)

    def __init__(
        self,
        store: NotesStore,
        *,
        entity_names: Callable[[], dict[str, str]],
        document_titles: Callable[[], dict[str, str]] = dict,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._entity_names = entity_names
        self._document_titles = document_titles
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText('Search notes: words, "a phrase", -exclude, a OR b')
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search notes")
        self.search_edit.setToolTip("Full-text search over note titles and text")
        self.tag_combo = QComboBox()
        self.tag_combo.setAccessibleName("Only notes with this tag")
        self.tag_combo.setToolTip("Only notes with this tag (on the note or its entity)")
        self.trash_check = QCheckBox("Trash")
        self.trash_check.setToolTip("Show the notes in the trash (restore them or empty the trash)")
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the search text
        self.count_label.setAccessibleName("Number of notes shown")
        self.model = NotesTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Notes")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.doubleClicked.connect(self._on_double_click)
        self.open_button = QPushButton("Open note")
        self.open_button.setToolTip("Show the note in the notes pane, with its entity selected")
        self.open_button.clicked.connect(self.open_selected)
        self.entity_button = QPushButton("Go to entity")
        self.entity_button.clicked.connect(self.go_to_entity)
        self.passage_button = QPushButton("Open passage")
        self.passage_button.clicked.connect(self.open_passage)
        self.restore_button = QPushButton("Restore")
        self.restore_button.setToolTip("Take the selected notes out of the trash")
        self.restore_button.clicked.connect(self.restore_selected)
        self.purge_button = QPushButton("Delete forever")
        self.purge_button.clicked.connect(self.purge_selected)
        self.empty_button = QPushButton("Empty trash")
        self.empty_button.clicked.connect(self.empty_trash)

        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.tag_combo)
        top.addWidget(self.trash_check)
        buttons = QHBoxLayout()
        for b in (
            self.open_button,
            self.entity_button,
            self.passage_button,
            self.restore_button,
            self.purge_button,
            self.empty_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.reload)
        self.search_edit.textChanged.connect(lambda _t: self._timer.start())
        self.tag_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.trash_check.toggled.connect(lambda _on: self.reload())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    def _reload_tags(self) -> None:
        current = self.tag_combo.currentData()
        self.tag_combo.blockSignals(True)
        self.tag_combo.clear()
        self.tag_combo.addItem("All tags", None)
        for t in self.store.list_tags():
            self.tag_combo.addItem(t.name, t.name)
        i = self.tag_combo.findData(current)
        self.tag_combo.setCurrentIndex(max(i, 0))
        self.tag_combo.blockSignals(False)

    def reload(self) -> None:
        """Re-run the listing or search (cheap: notes are few compared with passages)."""
        self._timer.stop()
        try:
            self._reload_tags()
            names = self._entity_names()
            docs = self._document_titles()
            text = self.search_edit.text()
            tag = self.tag_combo.currentData()
            trash = self.trash_check.isChecked()
            if text.strip() and not trash:
                hits = self.store.search(text)
                if tag:
                    keep = {n.id for n in self.store.list_notes(tag=tag)}
                    hits = [h for h in hits if h.note.id in keep]
                rows = [NoteRow.make(h.note, names, docs, h.snippet) for h in hits]
            else:
                notes = self.store.list_notes(tag=tag, trash=trash)
                if text.strip():  # in the trash, a simple case-insensitive filter
                    needle = text.strip().casefold()
                    notes = [n for n in notes if needle in (n.title + " " + n.body).casefold()]
                rows = [NoteRow.make(n, names, docs) for n in notes]
        except AtlasError as exc:
            self.status_message.emit(str(exc))
            return
        self.model.set_rows(rows)
        self.table.setColumnHidden(MATCH, not (text.strip() and not trash))
        for col in (ENTITY, TAGS, UPDATED):
            self.table.resizeColumnToContents(col)
        searching = bool(text.strip())
        what = "in the trash" if trash else ("matching" if searching else "")
        self.count_label.setText(f"{len(rows)} note{'s' if len(rows) != 1 else ''} {what}".strip())
        if not rows and searching:
            self.count_label.setText(f"No notes match “{text.strip()}”.")
        self._update_buttons()

    def selected_notes(self) -> list[Note]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [n for n in (self.model.note_at(r) for r in rows) if n is not None]

    def _update_buttons(self) -> None:
        trash = self.trash_check.isChecked()
        notes = self.selected_notes()
        one = notes[0] if len(notes) == 1 else None
        self.open_button.setVisible(not trash)
        self.entity_button.setVisible(not trash)
        self.passage_button.setVisible(not trash)
        self.restore_button.setVisible(trash)
        self.purge_button.setVisible(trash)
        self.empty_button.setVisible(trash)
        self.open_button.setEnabled(one is not None)
        self.entity_button.setEnabled(one is not None and bool(one.entity_id))
        self.passage_button.setEnabled(one is not None and one.has_passage)
        self.restore_button.setEnabled(bool(notes))
        self.purge_button.setEnabled(bool(notes))
        self.empty_button.setEnabled(self.model.rowCount() > 0)

    def _on_double_click(self, index: QModelIndex) -> None:
        if self.trash_check.isChecked():
            return
        self.table.selectRow(index.row())
        self.open_selected()

    def open_selected(self) -> None:
        notes = self.selected_notes()
        if notes:
            self.note_requested.emit(notes[0].entity_id or "", notes[0].id)

    def go_to_entity(self) -> None:
        notes = self.selected_notes()
        if notes and notes[0].entity_id:
            self.entity_requested.emit(notes[0].entity_id)

    def open_passage(self) -> None:
        notes = self.selected_notes()
        n = notes[0] if notes else None
        if n and n.document_id is not None and n.start is not None and n.end is not None:
            self.passage_requested.emit(n.document_id, n.start, n.end, n.quote or "")

    def restore_selected(self) -> None:
        notes = self.selected_notes()
        error = None
        try:
            for n in notes:
                self.store.restore_note(n.id)
        except AtlasError as exc:
            error = exc
        self.reload()
        self.notes_changed.emit()  # the notes pane shows the restored notes; undo forgets them
        self.status_message.emit(
            str(error) if error else f"Restored {len(notes)} note{'s' if len(notes) != 1 else ''}."
        )

    def purge_selected(self) -> None:
        notes = self.selected_notes()
        if not notes or not confirm(
            self, "Delete forever", f"Delete {len(notes)} note(s) for good? This cannot be undone."
        ):
            return
        try:
            for n in notes:
                self.store.purge_note(n.id)
        except AtlasError as exc:
            self.status_message.emit(str(exc))
        self.reload()
        self.notes_changed.emit()

    def empty_trash(self) -> None:
        try:
            count = self.store.count_notes(trash=True)
        except AtlasError as exc:
            self.status_message.emit(str(exc))
            return
        if not count or not confirm(
            self, "Empty trash", f"Delete the {count} note(s) in the trash for good? This cannot be undone."
        ):
            return
        try:
            self.store.empty_trash()
        except AtlasError as exc:
            self.status_message.emit(str(exc))
            return
        self.reload()
        self.notes_changed.emit()
        self.status_message.emit(f"Emptied the trash ({count} notes).")


def confirm(parent: QWidget, title: str, text: str) -> bool:
    return QMessageBox.question(parent, title, text) == QMessageBox.StandardButton.Yes


# ---- export and import --------------------------------------------------------------------------
class ExportNotesDialog(QDialog):
    """Which notes (all, by tag, the current filter) and which format."""

    def __init__(self, store: NotesStore, filter_summary: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export notes")
        layout = QVBoxLayout(self)
        self.all_radio = QRadioButton("All notes")
        self.tag_radio = QRadioButton("Notes with the tag")
        self.filter_radio = QRadioButton(f"Notes on the entities of the current filter ({filter_summary})")
        self.all_radio.setChecked(True)
        self.tag_combo = QComboBox()
        self.tag_combo.setAccessibleName("Tag")
        for t in store.list_tags():
            self.tag_combo.addItem(t.name)
        self.tag_radio.setEnabled(self.tag_combo.count() > 0)
        group = QButtonGroup(self)
        for r in (self.all_radio, self.tag_radio, self.filter_radio):
            group.addButton(r)
        layout.addWidget(self.all_radio)
        row = QHBoxLayout()
        row.addWidget(self.tag_radio)
        row.addWidget(self.tag_combo, 1)
        layout.addLayout(row)
        layout.addWidget(self.filter_radio)
        self.format_combo = QComboBox()
        self.format_combo.setAccessibleName("Format")
        self.format_combo.addItem("Notes file to share (JSON, can be imported)", "json")
        self.format_combo.addItem("Markdown document (to read or print)", "md")
        layout.addWidget(QLabel("Format:"))
        layout.addWidget(self.format_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> dict[str, Any]:
        scope = "all" if self.all_radio.isChecked() else "tag" if self.tag_radio.isChecked() else "filter"
        return {"scope": scope, "tag": self.tag_combo.currentText(), "format": self.format_combo.currentData()}

    @classmethod
    def get_choice(cls, parent: QWidget | None, store: NotesStore, filter_summary: str) -> tuple[dict[str, Any], bool]:
        dlg = cls(store, filter_summary, parent)
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        return dlg.choice(), ok


def ask_save_path(parent: QWidget | None, fmt: str) -> Path | None:
    filt = "Notes file (*.json)" if fmt == "json" else "Markdown (*.md)"
    name, _ = QFileDialog.getSaveFileName(parent, "Export notes", f"notes.{fmt}", filt)
    return Path(name) if name else None


def ask_open_path(parent: QWidget | None) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Import notes", "", "Notes file (*.json);;All files (*)")
    return Path(name) if name else None


def export_notes_dialog(
    parent: QWidget | None,
    store: NotesStore,
    repo: Any,
    spec: Any,
    *,
    show_status: Callable[[str, int], None] | None = None,
) -> Path | None:
    from app.core.exports.data import filter_labels
    from app.core.query.filters import FilterSpec, describe

    summary = describe(spec, filter_labels(repo)) if spec is not None else "everything"
    choice, ok = ExportNotesDialog.get_choice(parent, store, summary)
    if not ok:
        return None
    path = ask_save_path(parent, choice["format"])
    if path is None:
        return None
    names = repo.entity_names()
    ids: list[str] | None = None
    tag = None
    if choice["scope"] == "tag":
        tag = choice["tag"]
        description = f"Notes tagged “{tag}”"
    elif choice["scope"] == "filter":
        ids = [r.id for r in repo.list_entities(spec or FilterSpec())]
        description = f"Notes on {summary}"
    else:
        description = "All notes"
    try:
        notes = store.select_for_export(tag=tag, entity_ids=ids)
        if choice["format"] == "json":
            store.export_json(
                path,
                notes,
                entity_names=names,
                description=description,
                entity_scope=ids,
                all_tags=choice["scope"] == "all",
            )
        else:
            docs = {d.id: d.title for d in repo.documents()}
            store.export_markdown(path, notes, entity_names=names, document_titles=docs, description=description)
    except AtlasError as exc:
        QMessageBox.warning(parent, "Export failed", f"The notes were not exported.\n\n{exc}")
        return None
    if show_status is not None:
        show_status(f"Exported {len(notes)} note{'s' if len(notes) != 1 else ''} to {path}", 8000)
    return path


def import_notes_dialog(
    parent: QWidget | None,
    store: NotesStore,
    repo: Any,
    path: Path | None = None,
    *,
    show_status: Callable[[str, int], None] | None = None,
) -> bool:
    """Ask for a file, import it, report what happened. True when something may have changed."""
    path = path or ask_open_path(parent)
    if path is None:
        return False
    try:
        from app.core.sources.exchange import import_sources
        from app.core.userdata.notes import read_import_file, validate_import

        data = read_import_file(path)
        validate_import(data)  # the whole file is checked before anything is written
        # Entities made from documents travel with the notes: added first, so the notes on them attach.
        sources = import_sources(repo, store.user_data.sources, data)
        report = store.import_data(data, known_entities=lambda: set(repo.entity_names()), resolve=repo.resolve)
    except AtlasError as exc:
        # The message may quote the file (an id, a field), so it is shown as escaped text.
        QMessageBox.warning(parent, "Import refused", safe_rich_text([str(exc)]))
        return False
    details = []
    for _local, _copy, title in report.conflicts[:10]:
        details.append(f"• Conflict on “{title}”: your newer version was kept; the imported one was added as a copy.")
    for note_id, entity_id in report.detached[:10]:
        details.append(f"• Note {note_id[:8]}… is on “{entity_id}”, which is not in this catalogue (kept, detached).")
    details += [f"• Left out: {line}" for line in sources.refused[:10]]
    summary = [report.summary(), *([sources.summary()] if sources.summary() else [])]
    QMessageBox.information(  # note titles from the file, shown as text
        parent, "Notes imported", safe_rich_text([*summary, *(["", *details] if details else [])])
    )
    if show_status is not None:
        show_status(report.summary(), 8000)
    return True
