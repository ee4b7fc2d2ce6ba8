"""The document viewer: a seed document with its section outline, highlighted quotes and entity links."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.query.repository import DocumentInfo, DocumentView
from app.ui.panes.document_find import FIND_COLOUR, HIT_COLOUR, FindInDocumentMixin

QUOTE_COLOUR = QColor("#ffd84d")
LINK_COLOUR = QColor("#1d5fbf")
TEXT_MIN_WIDTH = 240  # px: below this the text column breaks words; the outline gives way first
TEXT_COMFORT = 340  # px: narrower than this (plus the outline), the outline folds away by itself
OUTLINE_WIDTH = 170


class DocumentReaderView(FindInDocumentMixin):
    """Shows one document. Character offsets in the database map 1:1 to positions in the view."""

    entity_link_activated = Signal(str)
    add_note_requested = Signal(str, int, int, str)  # document id, start, end, quote
    document_shown = Signal(str)

    def __init__(
        self,
        *,
        load_document: Callable[[str], DocumentView | None],
        documents: list[DocumentInfo],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._load = load_document
        self.extra_actions: list[QAction] = []  # added to the text's context menu by features
        self._doc: DocumentView | None = None
        self._quote_sel: list[QTextEdit.ExtraSelection] = []
        self._hit_sel: list[QTextEdit.ExtraSelection] = []
        self._find_sel: list[QTextEdit.ExtraSelection] = []
        self._find_starts: list[int] = []  # sorted start offsets of the find matches
        self._find_len = 0
        self._find_current: int | None = None  # index into _find_starts

        self.picker = QComboBox(self)
        self.picker.setObjectName("document_picker")
        self.picker.setAccessibleName("Document")
        self.picker.setToolTip("Choose a seed document to read")
        for d in documents:
            self.picker.addItem(d.title, d.id)
            self.picker.setItemData(self.picker.count() - 1, d.file_name, Qt.ItemDataRole.ToolTipRole)
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(18)
        self.picker.activated.connect(lambda i: self.open_document(str(self.picker.itemData(i))))

        self.find_box = QLineEdit(self)
        self.find_box.setObjectName("find_in_document")
        self.find_box.setPlaceholderText("Find in document")
        self.find_box.setAccessibleName("Find in document")
        self.find_box.setToolTip(
            "Find text in this document (Ctrl+F while reading; Enter or F3 for the next match, "
            "Shift+Enter or Shift+F3 for the previous one; Esc goes back to the text)"
        )
        self.find_box.setClearButtonEnabled(True)
        self.find_box.textChanged.connect(self._on_find_text)
        self.find_box.installEventFilter(self)  # Enter / Shift+Enter / Esc
        self.find_box.setMaximumWidth(260)
        self.find_status = QLabel("", self)
        self.find_status.setObjectName("find_status")
        self.find_status.setAccessibleName("Find matches")
        self.prev_button = prev_btn = QToolButton(self)
        prev_btn.setText("▲")
        prev_btn.setAccessibleName("Previous match")
        prev_btn.setToolTip("Previous match (Shift+F3)")
        prev_btn.clicked.connect(self.find_previous)
        self.next_button = next_btn = QToolButton(self)
        next_btn.setText("▼")
        next_btn.setAccessibleName("Next match")
        next_btn.setToolTip("Next match (F3)")
        next_btn.clicked.connect(self.find_next)

        # While the outline is folded away for lack of room, its sections are a menu here.
        self.sections_button = QToolButton(self)
        self.sections_button.setText("Sections")
        self.sections_button.setAccessibleName("Sections")
        self.sections_button.setToolTip("Go to a section (the outline is folded away in a narrow view)")
        self.sections_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.sections_menu = QMenu(self.sections_button)
        self.sections_menu.aboutToShow.connect(self._fill_sections_menu)
        self.sections_button.setMenu(self.sections_menu)
        self.sections_button.hide()

        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 2)
        bar.addWidget(self.sections_button)
        bar.addWidget(self.picker, 1)
        bar.addWidget(self.find_box)
        bar.addWidget(prev_btn)
        bar.addWidget(next_btn)
        bar.addWidget(self.find_status)

        self.outline = QTreeWidget(self)
        self.outline.setObjectName("document_outline")
        self.outline.setHeaderHidden(True)
        self.outline.setAccessibleName("Sections")
        self.outline.setToolTip("Sections of the document; choose one to go there")
        self.outline.itemActivated.connect(self._on_outline)
        self.outline.itemClicked.connect(self._on_outline)

        self.text = QTextBrowser(self)
        self.text.setObjectName("document_text")
        self.text.setAccessibleName("Document text")
        self.text.setOpenLinks(False)
        self.text.anchorClicked.connect(self._on_anchor)
        self.text.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.text.customContextMenuRequested.connect(self._context_menu)
        self.text.document().setDocumentMargin(12)

        self.add_note_action = QAction("Add note on selection…", self)
        self.add_note_action.setToolTip("Write a note anchored to the selected text")
        self.add_note_action.triggered.connect(self.request_note)

        for key, slot in (
            (QKeySequence.StandardKey.FindNext, self.find_next),
            (QKeySequence.StandardKey.FindPrevious, self.find_previous),
        ):
            act = QAction(self)
            act.setShortcut(key)
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.addAction(act)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("document_splitter")
        self.splitter.addWidget(self.outline)
        self.splitter.addWidget(self.text)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([OUTLINE_WIDTH, 600])
        self.splitter.setChildrenCollapsible(False)
        self.text.setMinimumWidth(TEXT_MIN_WIDTH)
        self._outline_width = OUTLINE_WIDTH  # its width before it folded away for lack of room
        self._outline_pinned = False  # shown from the Sections menu: stays until the view widens

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)

    # ---- width ----------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_outline()

    def fit_outline(self) -> None:
        """A narrow view (a dock opened beside it, a laptop) folds the outline away so the text keeps a
        readable column, and its sections become the Sections menu; widened again, it comes back."""
        width = self.width()  # the splitter fills the view; its own size may not have caught up yet
        if self.outline.isHidden():
            if not self._outline_pinned and width >= self._outline_width + TEXT_COMFORT:
                self._show_outline()
        elif self._outline_pinned:
            self._outline_pinned = width < self._outline_width + TEXT_COMFORT  # room enough: unpinned
        else:
            # A splitter never laid out (the tab not shown yet) reports 0: count the outline's width.
            current = self.splitter.sizes()[0] or self._outline_width
            if width - current < TEXT_COMFORT:
                self._outline_width = max(current, 80)
                self.outline.hide()
        self.sections_button.setVisible(self.outline.isHidden())

    def _show_outline(self, *, pinned: bool = False) -> None:
        self._outline_pinned = pinned
        self.outline.show()
        self.splitter.setSizes([self._outline_width, max(TEXT_MIN_WIDTH, self.width() - self._outline_width)])
        self.sections_button.setVisible(False)

    @property
    def outline_folded(self) -> bool:
        return self.outline.isHidden()

    def _fill_sections_menu(self) -> None:
        self.sections_menu.clear()
        show = self.sections_menu.addAction("Show the outline beside the text")
        show.triggered.connect(lambda: self._show_outline(pinned=True))
        self.sections_menu.addSeparator()
        root = self.outline.invisibleRootItem()
        stack = [(c, 0) for i in range(root.childCount()) if (c := root.child(i)) is not None]
        while stack:
            item, depth = stack.pop(0)
            act = self.sections_menu.addAction("    " * depth + item.text(0))
            act.triggered.connect(lambda _=False, it=item: self._on_outline(it))
            stack[0:0] = [(c, depth + 1) for i in range(item.childCount()) if (c := item.child(i)) is not None]
        if self.outline.topLevelItemCount() == 0:
            self.sections_menu.addAction("No sections").setEnabled(False)

    # ---- loading --------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        # The picker names its first document from the start; the text is loaded only when the
        # tab is first shown (a few ms, before that first paint) so startup does not pay for it.
        # When a passage opens the tab, this loads the picker's document just before the passage's
        # own: a few ms, once, and it keeps the tab from ever painting blank.
        if self._doc is None and self.picker.count():
            self.open_document(str(self.picker.currentData()))
        super().showEvent(event)
        self.fit_outline()  # resized while hidden (a dock opened beside another tab)

    @property
    def document_id(self) -> str | None:
        return self._doc.info.id if self._doc else None

    def open_document(self, document_id: str) -> bool:
        if self._doc is not None and self._doc.info.id == document_id:
            return True
        doc = self._load(document_id)
        if doc is None:
            return False
        self._doc = doc
        self._render(doc)
        i = self.picker.findData(document_id)
        if i >= 0:
            self.picker.setCurrentIndex(i)
        self.document_shown.emit(document_id)
        return True

    def _render(self, doc: DocumentView) -> None:
        qdoc = self.text.document()
        qdoc.clear()
        self._quote_sel, self._hit_sel, self._find_sel = [], [], []
        cursor = QTextCursor(qdoc)
        plain = QTextCharFormat()
        link = QTextCharFormat()
        link.setForeground(LINK_COLOUR)
        link.setAnchor(True)
        pos = 0
        text = doc.text
        for m in doc.mentions:
            if m.start < pos:  # overlapping mention: keep the first
                continue
            cursor.insertText(text[pos : m.start], plain)
            fmt = QTextCharFormat(link)
            fmt.setAnchorHref(f"entity:{m.entity_id}")
            fmt.setToolTip("Select this entity")
            cursor.insertText(text[m.start : m.end], fmt)
            pos = m.end
        cursor.insertText(text[pos:], plain)
        # Headings: bold, slightly larger (positions unchanged).
        heading = QTextCharFormat()
        heading.setFontWeight(QFont.Weight.Bold)
        heading.setFontPointSize(0)  # keep the size; only weight
        self.outline.clear()
        parents: list[tuple[int, QTreeWidgetItem]] = []
        for s in doc.sections:
            if not s.heading:
                continue
            line_end = text.find("\n", s.start)
            line_end = len(text) if line_end < 0 else line_end
            c = QTextCursor(qdoc)
            c.setPosition(s.start)
            c.setPosition(line_end, QTextCursor.MoveMode.KeepAnchor)
            if s.heading.strip("# ").lower() in text[s.start : line_end].lower():
                fmt = QTextCharFormat()
                fmt.setFontWeight(QFont.Weight.Bold)
                c.mergeCharFormat(fmt)
                # A Markdown heading's "## " stays (the text is the document's own, offsets and
                # all) but recedes, so the heading reads as a heading.
                marks = len(text[s.start : line_end]) - len(text[s.start : line_end].lstrip("# "))
                if text.startswith("#", s.start) and marks:
                    c.setPosition(s.start)
                    c.setPosition(s.start + marks, QTextCursor.MoveMode.KeepAnchor)
                    pale = QTextCharFormat()
                    pale.setForeground(QColor("#b0b8c2"))
                    pale.setFontWeight(QFont.Weight.Normal)
                    c.mergeCharFormat(pale)
            item = QTreeWidgetItem([s.heading])
            item.setData(0, Qt.ItemDataRole.UserRole, s.start)
            item.setToolTip(0, s.heading)
            while parents and parents[-1][0] >= s.level:
                parents.pop()
            if parents:
                parents[-1][1].addChild(item)
            else:
                self.outline.addTopLevelItem(item)
            parents.append((s.level, item))
        self.outline.expandAll()
        # Air between paragraphs (block formats only: character positions stay the document's own).
        block = QTextBlockFormat()
        block.setBottomMargin(max(4.0, self.text.fontMetrics().height() * 0.45))
        all_text = QTextCursor(qdoc)
        all_text.select(QTextCursor.SelectionType.Document)
        all_text.mergeBlockFormat(block)
        self.text.moveCursor(QTextCursor.MoveOperation.Start)
        self._collect_matches(self.find_box.text())  # the find box keeps its text: count it here

    # ---- highlighting ---------------------------------------------------------------------
    def _selection(self, start: int, end: int, colour: QColor) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        c = QTextCursor(self.text.document())
        c.setPosition(max(0, start))
        c.setPosition(min(end, self.text.document().characterCount() - 1), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = c
        fmt = QTextCharFormat()
        fmt.setBackground(colour)
        sel.format = fmt
        return sel

    def _apply_selections(self) -> None:
        current = []
        if self._find_current is not None:
            s = self._find_starts[self._find_current]
            current = [self._selection(s, s + self._find_len, FIND_COLOUR)]
        self.text.setExtraSelections(self._hit_sel + self._quote_sel + self._find_sel + current)

    def show_passage(self, document_id: str, start: int, end: int, quote: str = "", *, terms: str = "") -> bool:
        """Open the document, highlight and select [start, end) and scroll it into view.

        With ``terms`` (a search), the words of the search are also highlighted in the document.
        """
        if not self.open_document(document_id):
            return False
        self._quote_sel = [self._selection(start, end, QUOTE_COLOUR if quote else HIT_COLOUR)]
        self._hit_sel = self._term_selections(terms) if terms else []
        self._apply_selections()
        c = QTextCursor(self.text.document())
        c.setPosition(end)
        self.text.setTextCursor(c)
        self.text.ensureCursorVisible()
        c.setPosition(start, QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(c)
        self.text.ensureCursorVisible()
        self._scroll_near_top(start)
        self._select_outline(start)
        return True

    def _scroll_near_top(self, pos: int) -> None:
        """Put character ``pos`` a quarter of the way down the view, so the passage reads with its
        context below it instead of sitting on the bottom edge."""
        c = QTextCursor(self.text.document())
        c.setPosition(pos)
        top = self.text.cursorRect(c).top()
        bar = self.text.verticalScrollBar()
        bar.setValue(bar.value() + top - self.text.viewport().height() // 4)

    def highlighted_text(self) -> str:
        if not self._quote_sel:
            return ""
        return self._quote_sel[0].cursor.selectedText().replace("\u2029", "\n")

    def _term_selections(self, terms: str) -> list[QTextEdit.ExtraSelection]:
        words = [w for w in re.findall(r"\w+", terms) if len(w) > 1]
        if not words or self._doc is None:
            return []
        pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)
        return [self._selection(m.start(), m.end(), HIT_COLOUR) for m in pattern.finditer(self._doc.text)][:2000]

    def _select_outline(self, pos: int) -> None:
        best = None
        it = self.outline.invisibleRootItem()
        stack = [c for i in range(it.childCount()) if (c := it.child(i)) is not None]
        while stack:
            item = stack.pop(0)
            if item.data(0, Qt.ItemDataRole.UserRole) <= pos:
                best = item
            stack[0:0] = [c for i in range(item.childCount()) if (c := item.child(i)) is not None]
        if best is not None:
            self.outline.blockSignals(True)
            self.outline.setCurrentItem(best)
            self.outline.blockSignals(False)

    def _on_outline(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        pos = int(item.data(0, Qt.ItemDataRole.UserRole))
        c = QTextCursor(self.text.document())
        c.movePosition(QTextCursor.MoveOperation.End)
        self.text.setTextCursor(c)
        c.setPosition(pos)
        self.text.setTextCursor(c)
        self.text.ensureCursorVisible()

    # ---- links and notes ------------------------------------------------------------------
    def _on_anchor(self, url: QUrl) -> None:
        scheme, _, rest = url.toString().partition(":")
        if scheme == "entity" and rest:
            self.entity_link_activated.emit(rest)

    def selection_span(self) -> tuple[int, int, str] | None:
        c = self.text.textCursor()
        if not c.hasSelection() or self._doc is None:
            return None
        start, end = c.selectionStart(), c.selectionEnd()
        return start, end, self._doc.text[start:end]

    def request_note(self) -> None:
        span = self.selection_span()
        if span is not None and self._doc is not None:
            self.add_note_requested.emit(self._doc.info.id, *span)

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.text.createStandardContextMenu(pos)
        menu.addSeparator()
        self.add_note_action.setEnabled(self.selection_span() is not None)
        menu.addAction(self.add_note_action)
        for act in self.extra_actions:  # e.g. Cite as… (app.ui.sources)
            act.setEnabled(self.selection_span() is not None)
            menu.addAction(act)
        find = menu.addAction("Find in document…")
        find.triggered.connect(self.start_find)
        menu.exec(self.text.viewport().mapToGlobal(pos))
        menu.deleteLater()
