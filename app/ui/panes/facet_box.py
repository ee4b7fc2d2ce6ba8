"""One facet of the filter pane: a checkable list of values with their counts, and its empty state."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.query.repository import FacetValue

MAX_VISIBLE_ROWS = 8  # every entity kind (eight) shows without scrolling
NONE_AMONG = "None among these entities"
NO_TAGS_YET = "No tags yet: tag entities from the list's context menu"


class FacetBox(QFrame):
    """One facet: a title and a list of checkable values with counts."""

    changed = Signal()

    def __init__(self, field: str, title: str, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.title = title
        self.setObjectName(f"facet_{field}")
        self.heading = QLabel(title)
        self.heading.setObjectName("facet_heading")
        self.list = QListWidget(self)
        self._shown: tuple[tuple[tuple[str, str, int], ...], tuple[str, ...]] | None = None  # last filled
        self.list.setObjectName(f"facet_list_{field}")
        self.list.setAccessibleName(f"{title} filter")
        self.list.setAccessibleDescription(description)
        self.list.setToolTip(f"{description}. Check values to filter; the numbers count matching entities.")
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.installEventFilter(self)
        self.empty = QLabel(NONE_AMONG)
        self.empty.setObjectName("facet_empty")
        self.extra = QHBoxLayout()
        self.extra.setContentsMargins(0, 0, 0, 0)
        self.extra.addWidget(self.heading, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self.extra)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)
        self._updating = False
        self._labels: dict[str, str] = {}
        self._checked: tuple[str, ...] | None = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Space toggles the current value, as a checkbox would.
        if (
            obj is self.list
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Space
            and self.list.currentItem() is not None
        ):
            item = self.list.currentItem()
            item.setCheckState(
                Qt.CheckState.Unchecked if item.checkState() == Qt.CheckState.Checked else Qt.CheckState.Checked
            )
            return True
        return super().eventFilter(obj, event)

    def set_values(self, values: list[FacetValue], checked: tuple[str, ...]) -> None:
        """Refill with counts; checked values stay listed (with 0) so they can be unchecked."""
        shown = (tuple((v.value, v.label, v.count) for v in values), tuple(checked))
        if shown == self._shown:
            return  # the same counts again (a keystroke that changed none): nothing to redraw
        self._shown = shown
        self._checked = None
        self._updating = True
        self.list.blockSignals(True)  # no itemChanged per cell while refilling
        try:
            current = self.list.currentItem().data(Qt.ItemDataRole.UserRole) if self.list.currentItem() else None
            rows = [(v.value, v.label, v.count) for v in values]
            listed = {r[0] for r in rows}
            for v in checked:
                if v not in listed:
                    rows.append((v, self._labels.get(v, v), 0))
            # The items are reused, not cleared and made again: a keystroke changes most counts.
            while self.list.count() > len(rows):
                self.list.takeItem(self.list.count() - 1)
            for i, (value, label, count) in enumerate(rows):
                item = self.list.item(i)
                if item is None:
                    item = QListWidgetItem()
                    item.setFlags(
                        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
                    )
                    self.list.addItem(item)
                self._labels[value] = label
                item.setText(f"{label}  ({count})")
                item.setData(Qt.ItemDataRole.UserRole, value)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{label}, {count} entities")
                item.setToolTip(f"{label}: {count} matching entit{'y' if count == 1 else 'ies'}")
                item.setCheckState(Qt.CheckState.Checked if value in checked else Qt.CheckState.Unchecked)
                if value == current:
                    self.list.setCurrentItem(item)
            if current is not None and current not in {r[0] for r in rows}:
                self.list.setCurrentRow(-1)
            self._fit_height()
            self.list.setVisible(bool(rows))
            self.empty.setVisible(not rows)
        finally:
            self.list.blockSignals(False)
            self._updating = False

    def _fit_height(self) -> None:
        """Show up to MAX_VISIBLE_ROWS values without scrolling, at the current text size."""
        rows = self.list.count()
        shown = min(max(rows, 1), MAX_VISIBLE_ROWS)
        row_h = self.list.sizeHintForRow(0) if rows else self.list.fontMetrics().height() + 6
        self.list.setFixedHeight(shown * row_h + 2 * self.list.frameWidth() + 2)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # View > Zoom: the list's own font changes next
            QTimer.singleShot(0, self, self._fit_height)

    def labels(self) -> dict[str, str]:
        return dict(self._labels)

    def checked(self) -> tuple[str, ...]:
        """The values ticked (kept until a tick changes: the filter reads every facet per keystroke)."""
        if self._checked is not None:
            return self._checked
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        self._checked = tuple(out)
        return self._checked

    def set_checked(self, values: tuple[str, ...]) -> None:
        self._checked = None
        self._updating = True
        try:
            for i in range(self.list.count()):
                item = self.list.item(i)
                value = item.data(Qt.ItemDataRole.UserRole)
                item.setCheckState(Qt.CheckState.Checked if value in values else Qt.CheckState.Unchecked)
        finally:
            self._updating = False

    def item_for(self, value: str) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == value:
                return self.list.item(i)
        return None

    def _on_item_changed(self, _item: QListWidgetItem) -> None:
        self._checked = None
        if not self._updating:
            self.changed.emit()
