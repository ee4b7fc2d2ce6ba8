"""Choose, create, colour, rename and delete user tags: ``TagDialog.get_tags(parent, store, ...)``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtlasError
from app.core.notes import PALETTE, NotesStore

NameRole = Qt.ItemDataRole.UserRole + 1
ColorRole = Qt.ItemDataRole.UserRole + 2


def swatch(color: str, size: int = 14) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor(color))
    return QIcon(pix)


def tag_chips_html(tags: list[tuple[str, str]]) -> str:
    """Coloured tag 'chips' as rich text for a QLabel (names escaped)."""
    from html import escape

    out = []
    for name, color in tags:
        fg = "#000000" if QColor(color).lightness() > 150 else "#ffffff"
        out.append(f'<span style="background-color:{color}; color:{fg};">&nbsp;{escape(name)}&nbsp;</span>')
    return " ".join(out)


class TagDialog(QDialog):
    """A checkable list of tags. New tags and colour changes are written only on OK."""

    def __init__(
        self,
        store: NotesStore,
        *,
        checked: list[str] | tuple[str, ...] = (),
        title: str = "Tags",
        prompt: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(title)
        self.setMinimumWidth(340)
        self._pending: dict[str, str] = {}  # new tag name -> colour
        self._recolor: dict[str, str] = {}
        layout = QVBoxLayout(self)
        if prompt:
            label = QLabel(prompt)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.list = QListWidget()
        self.list.setAccessibleName("Tags")
        self.list.setToolTip("Check the tags to apply")
        layout.addWidget(self.list)
        wanted = {c.casefold() for c in checked}
        for t in store.list_tags():
            self._add_item(t.name, t.color, t.name.casefold() in wanted, f"{t.entities} entities, {t.notes} notes")

        row = QHBoxLayout()
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("New tag, e.g. lesson 3")
        self.new_name.setAccessibleName("New tag name")
        self.new_name.returnPressed.connect(self.add_new)
        self._new_color = PALETTE[self.list.count() % len(PALETTE)]
        self.new_color_button = QPushButton()
        self.new_color_button.setIcon(swatch(self._new_color))
        self.new_color_button.setToolTip("Colour of the new tag")
        self.new_color_button.setAccessibleName("New tag colour")
        self.new_color_button.clicked.connect(self._pick_new_color)
        self.add_button = QPushButton("&Add")
        self.add_button.setToolTip("Create the tag and check it")
        self.add_button.clicked.connect(self.add_new)
        row.addWidget(self.new_name, 1)
        row.addWidget(self.new_color_button)
        row.addWidget(self.add_button)
        layout.addLayout(row)

        manage = QHBoxLayout()
        self.color_button = QPushButton("&Colour…")
        self.color_button.setToolTip("Change the colour of the selected tag")
        self.color_button.clicked.connect(self.recolor_selected)
        self.rename_button = QPushButton("&Rename…")
        self.rename_button.setToolTip("Rename the selected tag everywhere")
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setToolTip("Delete the selected tag from every entity and note")
        self.delete_button.clicked.connect(self.delete_selected)
        for b in (self.color_button, self.rename_button, self.delete_button):
            manage.addWidget(b)
        manage.addStretch(1)
        layout.addLayout(manage)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    # ---- items -------------------------------------------------------------------------------
    def _add_item(self, name: str, color: str, checked: bool, tip: str = "") -> QListWidgetItem:
        item = QListWidgetItem(swatch(color), name)
        item.setData(NameRole, name)
        item.setData(ColorRole, color)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if tip:
            item.setToolTip(tip)
        self.list.addItem(item)
        return item

    def _find(self, name: str) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if str(item.data(NameRole)).casefold() == name.casefold():
                return item
        return None

    def checked_names(self) -> list[str]:
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(NameRole)))
        return out

    def add_new(self) -> None:
        name = " ".join(self.new_name.text().split())
        if not name:
            return
        if len(name) > 60:
            QMessageBox.warning(self, "Tag name too long", "A tag name can be at most 60 characters.")
            return
        item = self._find(name)
        if item is None:
            item = self._add_item(name, self._new_color, True, "new tag")
            self._pending[name] = self._new_color
            self._new_color = PALETTE[self.list.count() % len(PALETTE)]
            self.new_color_button.setIcon(swatch(self._new_color))
        item.setCheckState(Qt.CheckState.Checked)
        self.list.setCurrentItem(item)
        self.new_name.clear()

    @staticmethod
    def pick_color(parent: QWidget, initial: str) -> str | None:
        """Ask for a colour (a seam tests patch instead of driving QColorDialog)."""
        color = QColorDialog.getColor(QColor(initial), parent, "Tag colour")
        return color.name() if color.isValid() else None

    def _pick_new_color(self) -> None:
        color = self.pick_color(self, self._new_color)
        if color:
            self._new_color = color
            self.new_color_button.setIcon(swatch(color))

    def recolor_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        color = self.pick_color(self, str(item.data(ColorRole)))
        if not color:
            return
        name = str(item.data(NameRole))
        item.setData(ColorRole, color)
        item.setIcon(swatch(color))
        if name in self._pending:
            self._pending[name] = color
        else:
            self._recolor[name] = color

    def rename_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        old = str(item.data(NameRole))
        new, ok = QInputDialog.getText(self, "Rename tag", f"New name for “{old}”:", text=old)
        new = " ".join(new.split())
        if not ok or not new or new == old:
            return
        if old in self._pending:
            self._pending[new] = self._pending.pop(old)
        else:
            try:
                self.store.rename_tag(old, new)
            except AtlasError as exc:
                QMessageBox.warning(self, "Cannot rename the tag", str(exc))
                return
        item.setData(NameRole, new)
        item.setText(new)

    def delete_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        name = str(item.data(NameRole))
        if name not in self._pending:
            answer = QMessageBox.question(
                self,
                "Delete tag",
                f"Delete the tag “{name}” from every entity and note? The entities and notes themselves stay.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            try:
                self.store.delete_tag(name)
            except AtlasError as exc:
                QMessageBox.warning(self, "Cannot delete the tag", str(exc))
                return
        self._pending.pop(name, None)
        self.list.takeItem(self.list.row(item))

    def accept(self) -> None:
        if self.new_name.text().strip():
            self.add_new()  # a name typed but not added yet is clearly wanted
        try:
            for name, color in self._pending.items():
                self.store.create_tag(name, color)
            for name, color in self._recolor.items():
                self.store.set_tag_color(name, color)
        except AtlasError as exc:
            QMessageBox.warning(self, "Tags not saved", str(exc))
            return
        super().accept()

    @classmethod
    def get_tags(
        cls,
        parent: QWidget | None,
        store: NotesStore,
        *,
        checked: list[str] | tuple[str, ...] = (),
        title: str = "Tags",
        prompt: str = "",
    ) -> tuple[list[str], bool]:
        """Show the dialog; returns (checked tag names, accepted)."""
        dlg = cls(store, checked=checked, title=title, prompt=prompt, parent=parent)
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        return dlg.checked_names(), ok
