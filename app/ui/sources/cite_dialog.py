"""Cite as…: make a new entity, or add one fact to an entity, from the sentence selected in a document."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from app.core.vocab import KINDS

CHOICES = (
    ("New entity", "entity"),
    ("Founded year", "founded"),
    ("Member", "member"),
    ("Party", "party"),
    ("Activity", "activity"),
    ("Category", "category"),
    ("Region", "region"),
)


class CiteAsDialog(QDialog):
    """The selected text is the quote; the rules (verbatim, year in quote, member named) are checked."""

    def __init__(
        self,
        repo: Any,
        store: Any,
        *,
        document_id: str,
        start: int,
        quote: str,
        entity_id: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cite_as_dialog")
        self.setWindowTitle("Cite as…")
        self.repo, self.store = repo, store
        self.document_id, self.start, self.quote = document_id, start, quote
        self.entity_id: str | None = None
        self.message = ""
        self.what = QComboBox(self)
        self.what.setObjectName("cite_what")
        for label, key in CHOICES:
            self.what.addItem(label, key)
        self.name = QLineEdit(self)
        self.name.setObjectName("cite_name")
        self.kind = QComboBox(self)
        self.kind.addItems(list(KINDS))
        self.entity = QLineEdit(self)
        self.entity.setObjectName("cite_entity")
        self.entity.setPlaceholderText("entity name, alias or id")
        names = repo.entity_names()
        if entity_id:
            self.entity.setText(names.get(entity_id, entity_id))
        self.value = QLineEdit(self)
        self.value.setObjectName("cite_value")
        self.value.setPlaceholderText("year, member, activity, category or region")
        shown = QLabel(f"“{quote.strip()}”", self)
        shown.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Quote:", shown)
        form.addRow("&Cite as:", self.what)
        form.addRow("&Name:", self.name)
        form.addRow("&Kind:", self.kind)
        form.addRow("&Entity:", self.entity)
        form.addRow("&Value:", self.value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.what.currentIndexChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        new = self.what.currentData() == "entity"
        self.name.setEnabled(new)
        self.kind.setEnabled(new)
        self.entity.setEnabled(not new)
        self.value.setEnabled(not new)

    def _save(self) -> None:
        from app.core.errors import AtlasError
        from app.core.sources.service import add_entity, cite

        try:
            if self.what.currentData() == "entity":
                self.entity_id = add_entity(
                    self.repo,
                    self.store,
                    name=self.name.text(),
                    kind=self.kind.currentText(),
                    document=self.document_id,
                    quote=self.quote,
                    near=self.start,
                )
                self.message = f"Added {self.name.text().strip()} from your document."
            else:
                field = str(self.what.currentData())
                cite(
                    self.repo,
                    self.store,
                    entity=self.entity.text(),
                    field_name=field,
                    value=self.value.text(),
                    document=self.document_id,
                    quote=self.quote,
                    near=self.start,
                )
                self.entity_id = self.repo.resolve(self.entity.text())
                self.message = f"Added a cited {self.what.currentText().lower()} to {self.entity.text().strip()}."
        except AtlasError as exc:
            QMessageBox.warning(self, "Not added", str(exc))
            return
        self.accept()
