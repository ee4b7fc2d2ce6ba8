"""The entity list: a QTableView over EntityTableModel, with an empty state that offers to clear filters."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QFocusEvent, QGuiApplication, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.query.repository import EntityRow
from app.ui.panes.entity_model import COL_NAME, HEADERS, ID_ROLE, SORT_KEYS, EntityTableModel
from app.ui.style import draw_focus_ring, plain_style


class EntityTableView(QTableView):
    """Enter opens the current entity (Qt's own activated() also fires on double-click).

    Painted with plain Fusion (a repaint after each keystroke draws hundreds of cells, and the
    application's Python focus-ring style cost a call into Python for each); the current row's
    focus ring is drawn here instead, once per paint."""

    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyle(plain_style())

    def _row_rect(self, index: QModelIndex | QPersistentModelIndex) -> QRect:
        cell = self.visualRect(index)
        return QRect(0, cell.top(), self.viewport().width(), cell.height()) if cell.isValid() else QRect()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        current = self.currentIndex()
        if not (self.hasFocus() and current.isValid()):
            return
        row = self._row_rect(current)
        if row.isEmpty() or not event.rect().intersects(row):
            return
        painter = QPainter(self.viewport())
        draw_focus_ring(painter, row)
        painter.end()

    def currentChanged(
        self, current: QModelIndex | QPersistentModelIndex, previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().currentChanged(current, previous)
        for index in (previous, current):  # the ring spans the row: repaint all of it
            if index.isValid():
                self.viewport().update(self._row_rect(index))

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.currentIndex().isValid():
            self.viewport().update(self._row_rect(self.currentIndex()))

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.currentIndex().isValid():
            self.viewport().update(self._row_rect(self.currentIndex()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def keyboardSearch(self, search: str) -> None:
        """Type-ahead matches names, whichever column the current cell is in (Qt searches that column)."""
        current = self.currentIndex()
        if current.isValid() and current.column() != COL_NAME:
            self.setCurrentIndex(current.siblingAtColumn(COL_NAME))
        super().keyboardSearch(search)


class ListPane(QWidget):
    """Shows the matching entities. Emits ids; knows nothing of the other panes."""

    entity_chosen = Signal(str)  # the current row changed (select it everywhere)
    entity_opened = Signal(str)  # Enter or double-click
    selection_changed = Signal(list)  # ids of all selected rows
    sort_requested = Signal(str, bool)
    clear_filters_requested = Signal()
    # Emitted while a context menu is being built, so features can add actions for the selection.
    context_menu_requested = Signal(list, QMenu)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EntityTableModel(self)
        self.view = EntityTableView(self)
        self.view.setObjectName("entity_table")
        self.view.setAccessibleName("Entities")
        self.view.setAccessibleDescription("The entities matching the filter. Enter opens the details.")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(self._on_section_resized)
        self.view.viewport().installEventFilter(self)
        header.setMinimumSectionSize(40)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.activated.connect(self._on_activated)
        self.view.open_requested.connect(self._open_current)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.sort_requested.connect(self.sort_requested)

        self.empty_label = QLabel("No entities match these filters.")
        self.empty_label.setObjectName("empty_message")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.setToolTip("Remove every filter and show all entities")
        self.clear_button.clicked.connect(self.clear_filters_requested)
        empty = QWidget()
        lay = QVBoxLayout(empty)
        lay.addStretch(1)
        lay.addWidget(self.empty_label)
        lay.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._suppress = False
        self._from_view = False  # inside entity_chosen emitted by the list's own current-row change
        self._apply_metrics()
        self.setFocusProxy(self.view)

    # ---- filling --------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[EntityRow], *, keep: str | None = None) -> None:
        """Show ``rows`` (a list, or EntityMatches whose rows are read as they are painted); keep
        ``keep`` (an entity id) current if it is still listed."""
        first_fill = self.model.rowCount() == 0
        self._suppress = True
        try:
            self.model.set_rows(rows)
            if keep is not None:
                self.set_current(keep)
        finally:
            self._suppress = False
        self.stack.setCurrentIndex(0 if rows else 1)
        if first_fill and rows:
            self._fit_columns()

    def paint_now(self) -> None:
        """Paint the rows just set at once: posted work (the graph's redraw of the same matches,
        queued by a zero timer) otherwise ran first and kept the new rows off the screen for it."""
        if self.isVisible() and self.stack.currentIndex() == 0:
            self.view.doItemsLayout()
            self.view.viewport().repaint()

    def set_empty_message(self, text: str) -> None:
        self.empty_label.setText(text)

    def set_sort_indicator(self, key: str, descending: bool) -> None:
        if key in SORT_KEYS:
            header = self.view.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(
                SORT_KEYS.index(key), Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            )
            header.blockSignals(False)

    def _fit_columns(self) -> None:
        """Compact columns sized to header and content (capped); the name column takes the rest."""
        fm = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        caps = {1: 11, 2: 13, 5: 11}  # kind, category, region: at most this many average characters
        model = self.model
        rows = range(min(model.rowCount(), 200))  # as the header's own fitting: a sample is enough
        for col in range(1, len(HEADERS)):
            # Measured from the display text (no icons outside the name column): the view's own
            # sizeHintForColumn asks the delegate for every role of every cell, a cost at startup.
            texts = (model.data(model.index(r, col)) for r in rows)
            content = max((fm.horizontalAdvance(str(t)) for t in texts if t not in (None, "")), default=0)
            want = max(fm.horizontalAdvance(HEADERS[col]) + 26, content + 20)
            if col in caps:
                want = min(want, fm.averageCharWidth() * caps[col] + 16)
            header.resizeSection(col, want)
        header.setMinimumSectionSize(fm.horizontalAdvance("Notes") + 20)
        self._fit_name()

    def _fit_name(self) -> None:
        """The name column fills the width left over, but never below a readable minimum (then scroll)."""
        header = self.view.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(1, len(HEADERS)) if not header.isSectionHidden(c))
        minimum = self.view.fontMetrics().averageCharWidth() * 18 + 24
        room = self.view.viewport().width()
        width = max(minimum, room - others)
        if room - others < minimum:
            # Not all fit (a narrow window, a dock beside the list): no column is cut by the right
            # edge; the name column takes that room and the columns past the edge scroll into view.
            x = minimum
            for visual in range(header.count()):
                col = header.logicalIndex(visual)
                if col == COL_NAME or header.isSectionHidden(col):
                    continue
                if x + header.sectionSize(col) > room:
                    break
                x += header.sectionSize(col)
            width = minimum + max(0, room - x)
        self._fitting = True
        header.resizeSection(COL_NAME, width)
        self._fitting = False

    def _on_section_resized(self, section: int, _old: int, _new: int) -> None:
        if section != COL_NAME and not getattr(self, "_fitting", False):
            self._fit_name()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_name()
        return super().eventFilter(obj, event)

    def _apply_metrics(self) -> None:
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        self.view.setIconSize(
            self.view.iconSize().scaled(
                self.view.fontMetrics().height(), self.view.fontMetrics().height(), Qt.AspectRatioMode.KeepAspectRatio
            )
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            # Under a style sheet each child gets its new font separately: measure once they have.
            QTimer.singleShot(0, self, self._refit)
        super().changeEvent(event)

    def _refit(self) -> None:
        self._apply_metrics()
        if self.model.rowCount():
            self._fit_columns()

    # ---- selection ------------------------------------------------------------------------
    def current_id(self) -> str | None:
        idx = self.view.currentIndex()
        return str(idx.data(ID_ROLE)) if idx.isValid() else None

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        ids = [i for i in map(self.model.id_at, rows) if i is not None]
        if not ids and self.current_id():
            ids = [self.current_id() or ""]
        return ids

    def set_current(self, entity_id: str | None) -> bool:
        """Make ``entity_id`` the current, selected row without emitting entity_chosen. False if not listed."""
        row = self.model.row_for_id(entity_id) if entity_id else None
        if self._from_view and row is not None and self.view.currentIndex().row() == row:
            return True  # the list itself made it current: leave the selection as the click makes it
        sel = self.view.selectionModel()
        was = self._suppress
        self._suppress = True
        try:
            if row is None:
                sel.clearSelection()
                sel.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate)
                return False
            idx = self.model.index(row, COL_NAME)
            if self.view.currentIndex().row() != row or not sel.isRowSelected(row):
                sel.setCurrentIndex(
                    idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                )
            self.view.scrollTo(idx)
            return True
        finally:
            self._suppress = was

    def enter_from_search(self, open_it: bool, prefer: str | None = None) -> None:
        """Down or Enter in the search box: move into the list, choosing the ``prefer`` row (an
        entity id) if listed, else the current row, else the first; with Enter, open it too."""
        if not self.model.rowCount():
            return
        self.view.setFocus(Qt.FocusReason.TabFocusReason)
        wanted = self.model.row_for_id(prefer) if prefer else None
        current = self.view.currentIndex()
        row = wanted if wanted is not None else current.row() if current.isValid() else 0
        if row != current.row():
            self.view.setCurrentIndex(self.model.index(row, COL_NAME))  # emits entity_chosen
        else:
            self._on_current_changed(current, QModelIndex())
        if open_it:
            self._open_current()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._suppress or not current.isValid():
            return
        # The window answers by selecting the entity everywhere, this list included; the user's own
        # click (Ctrl+click adding to a multi-selection) must keep the selection it is making.
        self._from_view = True
        try:
            self.entity_chosen.emit(str(current.data(ID_ROLE)))
        finally:
            self._from_view = False

    def _on_selection_changed(self, *_args: object) -> None:
        if not self._suppress:
            self.selection_changed.emit(self.selected_ids())

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.entity_opened.emit(str(index.data(ID_ROLE)))

    def _open_current(self) -> None:
        cid = self.current_id()
        if cid:
            self.entity_opened.emit(cid)

    # ---- context menu ---------------------------------------------------------------------
    def build_context_menu(self) -> QMenu:
        """The menu for the current selection; features add their actions via context_menu_requested."""
        ids = self.selected_ids()
        menu = QMenu(self)
        open_action = QAction("Open", menu)
        open_action.setEnabled(len(ids) == 1)
        open_action.triggered.connect(lambda: self.entity_opened.emit(ids[0]))
        menu.addAction(open_action)
        copy = QAction("Copy names", menu)
        copy.setEnabled(bool(ids))
        copy.triggered.connect(self.copy_names)
        menu.addAction(copy)
        menu.addSeparator()
        self.context_menu_requested.emit(ids, menu)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.build_context_menu()
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def copy_names(self) -> None:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        names = [self.model.entity_at(r).name for r in rows if self.model.entity_at(r) is not None]  # type: ignore[union-attr]
        if names:
            QGuiApplication.clipboard().setText("\n".join(names))
