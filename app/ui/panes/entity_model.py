"""The list's item model: a QAbstractTableModel over EntityRow values set in one set_rows() call."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from app.core.query.repository import EntityRow
from app.ui.icons import kind_colour, kind_icon

COL_NAME, COL_KIND, COL_CATEGORY, COL_FOUNDED, COL_MEMBERS, COL_REGION, COL_NOTES = range(7)
HEADERS = ("Name", "Kind", "Category", "Founded", "Members", "Region", "Notes")
# Column -> FilterSpec.sort key: sorting is a new SQL query, never a proxy over Python rows.
SORT_KEYS = ("name", "kind", "category", "founded", "members", "region", "notes")
HEADER_TIPS = (
    "Name of the alliance, organisation, partnership, treaty, event or country",
    "What kind of entity it is",
    "Category stated in the documents",
    "Year founded, as cited",
    "Members or parties listed in the documents (or the stated number when none are listed)",
    "Region stated in the documents",
    "Your notes on this entity",
)
NUMERIC = {COL_FOUNDED, COL_MEMBERS, COL_NOTES}

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the EntityRow
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the entity id

Index = QModelIndex | QPersistentModelIndex
# data() and flags() run for every painted cell: their constants as plain values, computed once.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ROW = int(ROW_ROLE)
_ID = int(ID_ROLE)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_ID_OF = attrgetter("id")
_USER_FONT: list[QFont] = []  # made on first use: a QFont needs the QGuiApplication


def _user_font() -> QFont:
    if not _USER_FONT:
        font = QFont()
        font.setItalic(True)
        _USER_FONT.append(font)
    return _USER_FONT[0]


def _display(row: EntityRow) -> tuple[str, ...]:
    founded = "" if row.founded is None else str(row.founded)
    if row.ended is not None and row.founded is not None:
        founded = f"{row.founded}–{row.ended}"
    members = row.members_display
    return (
        row.name,
        row.kind,
        row.category or "",
        founded,
        "" if not members else str(members),
        row.region or "",
        str(row.notes) if row.notes else "",
    )


def _tooltip(row: EntityRow) -> str:
    bits = [f"{row.name} ({row.kind})"]
    if row.category:
        bits.append(f"Category: {row.category}")
    if row.founded is not None:
        bits.append(f"Founded: {row.founded}")
    if row.member_count:
        bits.append(f"{row.member_count} members or parties listed")
    elif row.stated_members:
        bits.append(f"{row.stated_members} members stated (none listed by name)")
    if row.notes:
        bits.append(f"{row.notes} note{'s' if row.notes != 1 else ''}")
    if row.origin == "user":
        bits.append("From your documents (you accepted or cited it)")
    return "\n".join(bits)


class EntityTableModel(QAbstractTableModel):
    """data() only looks values up: a row's display strings are formatted once, the first time the
    view asks for that row (a reset to 6,000 rows formats only the twenty on screen), then cached."""

    sort_requested = Signal(str, bool)  # FilterSpec.sort key, descending

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[EntityRow] = []
        self._display: list[tuple[str, ...] | None] = []
        self._row_of: dict[str, int] | None = {}

    # ---- filling --------------------------------------------------------------------------
    def set_rows(self, rows: list[EntityRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._display = [None] * len(self._rows)
        self._row_of = None  # made when first asked (C-speed then; a Python loop per keystroke cost)
        self.endResetModel()

    def rows(self) -> list[EntityRow]:
        return list(self._rows)

    def row_for_id(self, entity_id: str) -> int | None:
        if self._row_of is None:
            self._row_of = dict(zip(map(_ID_OF, self._rows), range(len(self._rows)), strict=True))
        return self._row_of.get(entity_id)

    def entity_at(self, row: int) -> EntityRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # ---- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every painted cell (about forty calls a row): plain int
        # comparisons, the common roles first (Qt's enum members compare slowly from Python).
        r = index.row()
        if r < 0 or r >= len(self._rows):
            return None
        c = index.column()
        if role in (_DISPLAY, _ACCESSIBLE):
            shown = self._display[r]
            if shown is None:
                shown = self._display[r] = _display(self._rows[r])
            return shown[c]
        if role == _DECORATION:
            return kind_icon(self._rows[r].kind) if c == COL_NAME else None
        if role == _FOREGROUND:
            return kind_colour(self._rows[r].kind) if c == COL_KIND else None
        if role == _FONT:
            # From your documents: the name in italics (its tooltip says why).
            return _user_font() if c == COL_NAME and self._rows[r].origin == "user" else None
        if role == _ALIGNMENT:
            return _RIGHT if c in NUMERIC else None
        if role == _TOOLTIP:
            return _tooltip(self._rows[r])
        if role == _ROW:
            return self._rows[r]
        if role == _ID:
            return self._rows[r].id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else _NO_FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask for a new SQL query in this order (the rows arrive later through set_rows)."""
        if 0 <= column < len(SORT_KEYS):
            self.sort_requested.emit(SORT_KEYS[column], order == Qt.SortOrder.DescendingOrder)
