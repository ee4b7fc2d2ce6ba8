"""A dataset record's row as stored at import: its file, line, every column and value, the cited one marked."""

from __future__ import annotations

from collections.abc import Callable, Collection
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

HIGHLIGHT = "#ffe28a"  # as the cited passage in the document view
# record_fields(record_id) -> (file, line, [(column, value), ...]) or None (DatasetStore.record_fields)
RecordFields = Callable[[int], tuple[str, int, list[tuple[str, str]]] | None]


class RecordDialog(QDialog):
    """The row a dataset citation points to ("ATOP 3180, defense = 1" opens atop5_1a.csv, line 3)."""

    def __init__(
        self,
        *,
        file: str,
        line: int,
        fields: list[tuple[str, str]],
        cited: Collection[str] = (),
        title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("record_dialog")
        self.setWindowTitle(title or f"{file}, line {line}")
        self.cited = tuple(cited)
        self.heading = QLabel(self)
        self.heading.setObjectName("record_heading")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        names = ", ".join(f"<b>{escape(c)}</b>" for c in self.cited)
        cite_note = (
            f" The cited variable{'s' if len(self.cited) > 1 else ''}, {names}, "
            f"{'are' if len(self.cited) > 1 else 'is'} highlighted."
            if self.cited
            else ""
        )
        self.heading.setText(
            f"{'<b>' + escape(title) + '</b><br>' if title else ''}Row as imported from <b>{escape(file)}</b>, "
            f"line {line:,} (the header is line 1).{cite_note}"
        )
        self.table = QTableWidget(len(fields), 2, self)
        self.table.setObjectName("record_table")
        self.table.setAccessibleName("The record's columns and values")
        self.table.setHorizontalHeaderLabels(["Column", "Value"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        bold = QFont(self.font())
        bold.setBold(True)
        cited_rows: list[int] = []
        for r, (column, value) in enumerate(fields):
            items = (QTableWidgetItem(column), QTableWidgetItem(value))
            if column in self.cited:
                cited_rows.append(r)
                for item in items:
                    item.setBackground(QBrush(QColor(HIGHLIGHT)))
                    item.setForeground(QBrush(QColor("#111111")))
                    item.setFont(bold)
                    item.setToolTip("The variable the citation names")
            for c, item in enumerate(items):
                self.table.setItem(r, c, item)
        self.cited_rows = cited_rows
        if cited_rows:
            self.table.setCurrentCell(cited_rows[0], 0)  # keyboard starts there; the colour marks them all
            self.table.scrollTo(
                self.table.model().index(cited_rows[0], 0), QAbstractItemView.ScrollHint.PositionAtCenter
            )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.table, 1)
        lay.addWidget(buttons)
        self.resize(440, 520)

    def values(self) -> dict[str, str]:
        """Column → value as shown (tests)."""
        model = self.table.model()
        return {str(model.index(r, 0).data()): str(model.index(r, 1).data()) for r in range(model.rowCount())}

    @classmethod
    def for_record(
        cls,
        record_fields: RecordFields,
        record_id: int,
        *,
        cited: Collection[str] = (),
        title: str = "",
        parent: QWidget | None = None,
    ) -> RecordDialog | None:
        """The dialog for a stored record, or None when it is not stored (the dataset was removed)."""
        found = record_fields(record_id)
        if found is None:
            return None
        file, line, fields = found
        return cls(file=file, line=line, fields=fields, cited=cited, title=title, parent=parent)
