"""The Suggestions view: per imported document, the entities it names that the atlas does not know,
each with its sentence highlighted in its paragraph; accept (after editing name and kind) or reject."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.vocab import KINDS


class SuggestionsDialog(QDialog):
    """Accept, edit or reject what the atlas proposes from your documents."""

    entity_made = Signal(str)

    def __init__(self, repo: Any, store: Any, *, document_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suggestions_dialog")
        self.setWindowTitle("Suggestions from your documents")
        self.resize(980, 560)
        self.repo, self.store = repo, store
        self._names = repo.entity_names()
        self.doc_picker = QComboBox(self)
        self.doc_picker.setObjectName("suggestions_document")
        self.doc_picker.setAccessibleName("Document")
        self.doc_picker.setToolTip("The imported document whose suggestions are shown")
        for d in store.documents():
            self.doc_picker.addItem(f"{d.title} ({d.open_suggestions})", d.id)
        if document_id is not None and self.doc_picker.findData(document_id) >= 0:
            self.doc_picker.setCurrentIndex(self.doc_picker.findData(document_id))
        self.doc_picker.currentIndexChanged.connect(self._load)

        self.list = QListWidget(self)
        self.list.setObjectName("suggestions_list")
        self.list.setAccessibleName("Suggestions")
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.currentItemChanged.connect(self._show)
        self.context = QTextBrowser(self)
        self.context.setObjectName("suggestion_context")
        self.context.setAccessibleName("The sentence in its paragraph")
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("suggestion_name")
        self.name_edit.setToolTip("Edit the name before accepting")
        self.kind_box = QComboBox(self)
        self.kind_box.setObjectName("suggestion_kind")
        self.kind_box.addItems(list(KINDS))
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Kind:", self.kind_box)
        form.addRow("Proposed:", self.facts)
        self.accept_button = QPushButton("&Accept", self)
        self.accept_button.setObjectName("accept_suggestion")
        self.accept_button.setToolTip("Add it to the atlas with its cited facts (Ctrl+Enter)")
        self.accept_button.setShortcut("Ctrl+Return")
        self.accept_button.clicked.connect(self.accept_current)
        self.reject_button = QPushButton("&Reject", self)
        self.reject_button.setObjectName("reject_suggestion")
        self.reject_button.setToolTip("Drop this suggestion (Ctrl+Delete)")
        self.reject_button.setShortcut("Ctrl+Delete")
        self.reject_button.clicked.connect(self.reject_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(form)
        rl.addWidget(self.context, 1)
        rl.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.list)
        split.addWidget(right)
        split.setSizes([330, 650])
        self.empty = QLabel("", self)
        self.empty.setObjectName("suggestions_empty")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        doc_label = QLabel("&Document:", self)
        doc_label.setBuddy(self.doc_picker)
        top.addWidget(doc_label)
        top.addWidget(self.doc_picker, 1)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        layout.addWidget(close)
        self._load()

    def document_id(self) -> str | None:
        data = self.doc_picker.currentData()
        return None if data is None else str(data)

    def _load(self) -> None:
        self.list.clear()
        doc = self.document_id()
        items = self.store.suggestions(doc) if doc is not None else []
        for s in items:
            label = s.name + (f" ({', '.join(s.aliases)})" if s.aliases else "")
            item = QListWidgetItem(f"{label}  · {s.kind}")
            item.setData(Qt.ItemDataRole.UserRole, s)
            item.setToolTip(s.quote)
            self.list.addItem(item)
        if doc is None:
            self.empty.setText("No imported documents yet: use File > Import documents… or drop files on the window.")
        elif not items:
            self.empty.setText("No open suggestions from this document: every name it uses is known or decided.")
        else:
            plural = "s" if len(items) != 1 else ""
            self.empty.setText(f"{len(items)} suggestion{plural}: check each against its sentence.")
        self.accept_button.setEnabled(bool(items))
        self.reject_button.setEnabled(bool(items))
        if items:
            self.list.setCurrentRow(0)
        else:
            self.context.clear()
            self.name_edit.clear()
            self.facts.clear()

    def current(self) -> Any:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _show(self, item: QListWidgetItem | None, _prev: Any = None) -> None:
        if item is None:
            return
        s = item.data(Qt.ItemDataRole.UserRole)
        self.name_edit.setText(s.name)
        self.kind_box.setCurrentText(s.kind)
        facts = []
        if s.founded:
            facts.append(f"founded <b>{s.founded}</b>")
        if s.members:
            who = ", ".join(self._names.get(m, m) for m in s.members)
            facts.append(f"members / parties: <b>{escape(who)}</b>")
        if s.aliases:
            facts.append("also called <b>" + escape(", ".join(s.aliases)) + "</b>")
        self.facts.setText("; ".join(facts) or "<i>only its description (the sentence)</i>")
        doc = self.store.document_text(s.document_id)
        if doc is None:
            return
        text = doc[1]
        a = text.rfind("\n\n", 0, s.start)
        b = text.find("\n\n", s.end)
        a = 0 if a < 0 else a + 2
        b = len(text) if b < 0 else b
        html = (
            escape(text[a : s.start])
            + f'<span style="background-color:#ffe28a">{escape(text[s.start : s.end])}</span>'
            + escape(text[s.end : b])
        )
        self.context.setHtml(f"<p style='font-size:11pt'>{html}</p><p><i>{escape(doc[0])}</i></p>")

    def accept_current(self) -> None:
        from app.core.errors import AtlasError
        from app.core.sources.service import accept

        s = self.current()
        if s is None:
            return
        try:
            eid = accept(self.repo, self.store, s.id, name=self.name_edit.text(), kind=self.kind_box.currentText())
        except AtlasError as exc:
            QMessageBox.warning(self, "Not accepted", str(exc))
            return
        self._names = self.repo.entity_names()
        self._load()
        self.entity_made.emit(eid)

    def reject_current(self) -> None:
        from app.core.errors import AtlasError

        s = self.current()
        if s is None:
            return
        try:
            self.store.reject(s.id)
        except AtlasError as exc:
            QMessageBox.warning(self, "Not rejected", str(exc))
            return
        self._load()
