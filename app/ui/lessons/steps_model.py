"""The lesson editor's list of steps: a list model over the lesson's steps that reorders by drag."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.core.lessons.model import Step

MIME = "application/x-atlas-lesson-step"
Index = QModelIndex | QPersistentModelIndex


class StepListModel(QAbstractListModel):
    """One row per step ("3. Graph focus: NATO, 2 links out"). A drop asks for a move through
    ``move_requested`` (the editor makes it an undoable change and then calls :meth:`set_steps`)."""

    move_requested = Signal(int, int)  # from row, to row (the row it ends up at)
    STEP_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, describe: Callable[[Step], str]) -> None:
        super().__init__()
        self._describe = describe
        self._steps: list[Step] = []
        self._labels: list[str] = []

    def set_steps(self, steps: Sequence[Step]) -> None:
        self.beginResetModel()
        self._steps = list(steps)
        self._labels = [self._label(i, s) for i, s in enumerate(self._steps)]
        self.endResetModel()

    def describe(self, row: int) -> str:
        """The step at ``row`` in words, without its number."""
        return self._describe(self._steps[row]) if 0 <= row < len(self._steps) else ""

    def _label(self, i: int, step: Step) -> str:
        mark = "  (question first)" if step.reveal else ""
        return f"{i + 1}. {self._describe(step)}{mark}"

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._steps)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._steps):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._labels[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            step = self._steps[index.row()]
            extra = f"\nReveal question: {step.question}" if step.reveal else ""
            return f"{self._labels[index.row()]}{extra}\nDrag to reorder, or Ctrl+Up / Ctrl+Down."
        if role == self.STEP_ROLE:
            return self._steps[index.row()]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime.setData(MIME, QByteArray(str(rows[0] if rows else -1).encode()))
        return mime

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        return data.hasFormat(MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            source = int(bytes(data.data(MIME).data()).decode())
        except ValueError:
            return False
        if not 0 <= source < len(self._steps):
            return False
        if row < 0:  # dropped on an item (or below the last): before that item, or at the end
            row = parent.row() if parent.isValid() else len(self._steps)
        target = row - 1 if row > source else row  # where the step ends up once taken out
        if target != source:
            self.move_requested.emit(source, target)
        # False: the view must not remove the dragged row itself; the move is the editor's to make.
        return False
