"""The list's item model: a QAbstractTableModel over EntityMatches, its rows paged in as they are painted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont

from app.core.query.matches import PAGE as PAGE_ROWS
from app.core.query.matches import EntityMatches
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
_RECENT_PAGES = 6  # pages asked for and not yet read that are still worth reading (about two screens)
# Reads pages off the GUI thread: (matches, [(first row, ids), ...]) -> None; the rows come back by
# EntityTableModel.store_pages. None: read them at once, on this thread.
PageFetcher = Callable[[EntityMatches, list[tuple[int, list[str]]]], None]
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
    view asks for that row (a reset to 6,000 rows formats only the twenty on screen), then cached.

    The rows are an :class:`EntityMatches`: every id is known (the count, selection by id), the
    values of the rows painted are read a page at a time. A painted row not read yet shows blank
    while its page is read (by ``page_fetcher`` off the GUI thread, the answer through
    :meth:`store_pages`), then repaints."""

    sort_requested = Signal(str, bool)  # FilterSpec.sort key, descending

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._matches = EntityMatches.of_rows([])
        self._display: list[tuple[str, ...] | None] = []
        self.page_fetcher: PageFetcher | None = None
        # Ids of the entities whose name begins with a prefix (the repository's ids_named): typing a
        # name in the list finds rows not read yet. None: only rows already read are searched.
        self.name_finder: Callable[[str], set[str]] | None = None
        self._wanted: dict[int, None] = {}  # first rows of pages painted but not read, oldest first
        self._want_timer = QTimer(self)
        self._want_timer.setSingleShot(True)
        self._want_timer.setInterval(0)
        self._want_timer.timeout.connect(self._fetch_wanted)

    # ---- filling --------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[EntityRow]) -> None:
        """Show these rows (all known)."""
        self.set_matches(rows if isinstance(rows, EntityMatches) else EntityMatches.of_rows(rows))

    def set_matches(self, matches: EntityMatches) -> None:
        """Show these matches: one reset; rows not read yet are read when painted."""
        self.beginResetModel()
        self._matches = matches
        self._display = [None] * len(matches)
        self._wanted.clear()
        self.endResetModel()

    @property
    def matches(self) -> EntityMatches:
        return self._matches

    def rows(self) -> list[EntityRow]:
        """Every row, in list order (reads those not read yet: for tests and small lists)."""
        return list(self._matches)

    def row_for_id(self, entity_id: str) -> int | None:
        return self._matches.index_of(entity_id)

    def id_at(self, row: int) -> str | None:
        ids = self._matches.ids
        return ids[row] if 0 <= row < len(ids) else None

    def entity_at(self, row: int) -> EntityRow | None:
        """Row ``row``'s values (read now if they were not: a user action, not a paint)."""
        return self._matches[row] if 0 <= row < len(self._matches) else None

    def store_pages(self, matches: EntityMatches, pages: list[tuple[int, list[EntityRow]]]) -> None:
        """Pages read off the GUI thread for ``matches``: kept if it is still shown, their rows repainted."""
        if matches is not self._matches:
            return
        for start, rows in pages:
            matches.store(start, rows, len(matches.page_of(start)[1]))
            self._wanted.pop(start, None)
            end = start + len(matches.page_of(start)[1]) - 1
            self.dataChanged.emit(self.index(start, 0), self.index(end, len(HEADERS) - 1))
        if self._wanted:
            self._want_timer.start()

    def _want(self, row: int) -> None:
        start = row - row % PAGE_ROWS
        if start in self._wanted:
            return
        self._wanted[start] = None
        while len(self._wanted) > _RECENT_PAGES:  # scrolled past: not worth reading any more
            del self._wanted[next(iter(self._wanted))]
        self._want_timer.start()

    def _fetch_wanted(self) -> None:
        if not self._wanted:
            return
        matches = self._matches
        pages = [matches.page_of(start) for start in self._wanted]
        if self.page_fetcher is not None:
            self.page_fetcher(matches, pages)  # latest wins: it asks for every page still wanted
            return
        self.store_pages(matches, [(start, matches[start : start + len(ids)]) for start, ids in pages])

    # ---- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._display)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every painted cell (about forty calls a row): plain int
        # comparisons, the common roles first (Qt's enum members compare slowly from Python).
        r = index.row()
        if r < 0 or r >= len(self._display):
            return None
        if role == _ID:
            return self._matches.ids[r]
        row = self._matches.loaded(r)
        if row is None:
            if role == _ROW:
                return self._matches[r]
            if role in (_DISPLAY, _ACCESSIBLE):
                self._want(r)
                return ""
            return None
        c = index.column()
        if role in (_DISPLAY, _ACCESSIBLE):
            shown = self._display[r]
            if shown is None:
                shown = self._display[r] = _display(row)
            return shown[c]
        if role == _DECORATION:
            return kind_icon(row.kind) if c == COL_NAME else None
        if role == _FOREGROUND:
            return kind_colour(row.kind) if c == COL_KIND else None
        if role == _FONT:
            # From your documents: the name in italics (its tooltip says why).
            return _user_font() if c == COL_NAME and row.origin == "user" else None
        if role == _ALIGNMENT:
            return _RIGHT if c in NUMERIC else None
        if role == _TOOLTIP:
            return _tooltip(row)
        if role == _ROW:
            return row
        return None

    def match(
        self,
        start: Index,
        role: int,
        value: Any,
        hits: int = 1,
        flags: Qt.MatchFlag = Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchWrap,
    ) -> list[QModelIndex]:
        """Qt's type-ahead (a name typed in the list) asks for the next row whose name begins with
        the text: over rows not read yet too, by asking the repository which entities have such a
        name (Qt's own search reads every row's text, and unread rows have none)."""
        kind = flags & Qt.MatchFlag.MatchTypeMask
        if (
            self.name_finder is None
            or role != _DISPLAY
            or start.column() != COL_NAME
            or not isinstance(value, str)
            or not value
            or kind != Qt.MatchFlag.MatchStartsWith
            or self._matches.complete()
        ):
            return super().match(start, role, value, hits, flags)
        named = self.name_finder(value)
        ids = self._matches.ids
        n, first = len(ids), max(start.row(), 0)
        order = chain(range(first, n), range(first) if flags & Qt.MatchFlag.MatchWrap else ())
        found: list[QModelIndex] = []
        for k in order:
            if ids[k] in named:
                found.append(self.index(k, COL_NAME))
                if 0 < hits <= len(found):
                    break
        return found

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
