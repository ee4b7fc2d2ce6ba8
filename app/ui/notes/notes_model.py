"""The notes item model shared by the notes pane and the notes browser: a table over precomputed rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.core.query.repository import plain_snippet
from app.core.userdata.notes import Note

NoteRole = Qt.ItemDataRole.UserRole + 1
NoteIdRole = Qt.ItemDataRole.UserRole + 2

TITLE, ENTITY, TAGS, UPDATED, CREATED, MATCH = range(6)
HEADERS = ("Title", "Entity / passage", "Tags", "Updated", "Created", "Match")


def match_text(snippet: str, words_before: int = 2) -> str:
    """A search snippet for the narrow Match column: from a couple of words before the first hit,
    so the hit itself shows even when the column cuts the end off (not "…points…")."""
    at = snippet.find("[[")
    if at < 0:
        return plain_snippet(snippet)
    before = snippet[:at].split()
    lead = before[-words_before:] if words_before else []
    cut = len(before) > len(lead) or snippet.startswith("…")
    prefix = ("…" if cut and not (lead and lead[0].startswith("…")) else "") + " ".join(lead)
    return plain_snippet((prefix + " " if lead else prefix) + snippet[at:])


def short_time(iso: str | None) -> str:
    """'2026-03-01 09:30' from an ISO UTC stamp (display only; sorting uses the stamp)."""
    return (iso or "")[:16].replace("T", " ")


def safe_rich_text(lines: Iterable[str]) -> str:
    """Text from notes or tags (possibly from an imported file) as rich text that is only text.

    Tooltips and labels guess plain or rich text from the content, so a title like
    ``<img src="/path/graph.png">`` would load a local image on hover. Every line is escaped and
    the whole is marked as rich text (``<qt>``), so it shows exactly as written.
    """
    return "<qt>" + "<br>".join(escape(line).replace("\n", "<br>") for line in lines) + "</qt>"


@dataclass(frozen=True)
class NoteRow:
    """One displayed note with every string data() returns already computed."""

    note: Note
    title: str
    anchor: str
    detached: bool
    tags: str
    updated: str
    created: str
    match: str
    tooltip: str

    @classmethod
    def make(cls, note: Note, names: dict[str, str], doc_titles: dict[str, str], snippet: str = "") -> NoteRow:
        detached = bool(note.entity_id) and note.entity_id not in names
        if note.entity_id:
            anchor = names.get(note.entity_id) or f"{note.entity_id} (detached)"
        elif note.document_id:
            anchor = f"Passage in {doc_titles.get(note.document_id, note.document_id)}"
        else:
            anchor = "(no entity)"
        if note.quote and note.entity_id:
            anchor += " · passage"
        tip = [note.display_title, anchor]
        if detached:
            tip.append("This entity is no longer in the catalogue; the note is kept.")
        if note.quote:
            tip.append(f"“{note.quote[:200]}”")
        if snippet:
            tip.append(plain_snippet(snippet))
        return cls(
            note=note,
            title=note.display_title,
            anchor=anchor,
            detached=detached,
            tags=", ".join(note.tags),
            updated=short_time(note.updated_at),
            created=short_time(note.created_at),
            match=match_text(snippet),
            tooltip=safe_rich_text(tip),
        )


class NotesTableModel(QAbstractTableModel):
    """Notes as rows; set in one call; ``data()`` is a lookup."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[NoteRow] = []
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_rows(self, rows: list[NoteRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[NoteRow]:
        return list(self._rows)

    def row_of(self, note_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.note.id == note_id), -1)

    def note_at(self, row: int) -> Note | None:
        return self._rows[row].note if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (r.title, r.anchor, r.tags, r.updated, r.created, r.match)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.tooltip
        if role == NoteRole:
            return r.note
        if role == NoteIdRole:
            return r.note.id
        if role == Qt.ItemDataRole.FontRole and col == ENTITY and r.detached:
            return self._italic
        return None
