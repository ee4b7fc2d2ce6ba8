"""Choose, create, colour, rename and delete user tags: ``TagDialog.get_tags(parent, store, ...)``."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPixmap
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
from app.core.userdata.notes import PALETTE, NotesStore
from app.ui.notes.notes_model import safe_rich_text

NameRole = Qt.ItemDataRole.UserRole + 1
ColorRole = Qt.ItemDataRole.UserRole + 2
OriginalRole = Qt.ItemDataRole.UserRole + 3  # the stored name ("" for a tag new in this dialog)
StoredColorRole = Qt.ItemDataRole.UserRole + 4


def swatch(color: str, size: int = 14) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor(color))
    return QIcon(pix)


def tag_chips_html(tags: list[tuple[str, str]]) -> str:
    """Coloured tag 'chips' as rich text for a QLabel (names escaped)."""
    out = []
    for name, color in tags:
        fg = "#000000" if QColor(color).lightness() > 150 else "#ffffff"
        out.append(f'<span style="background-color:{color}; color:{fg};">&nbsp;{escape(name)}&nbsp;</span>')
    return " ".join(out)


@dataclass
class TagChanges:
    """What the dialog writes on OK: ``delete`` (stored names), ``rename`` (stored → new name),
    ``create`` (name → colour) and ``recolor`` (stored name → colour)."""

    delete: list[str] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)
    create: dict[str, str] = field(default_factory=dict)
    recolor: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        parts = []
        if self.delete:
            parts.append("delete " + ", ".join(f"“{n}”" for n in self.delete))
        if self.rename:
            parts.append("rename " + ", ".join(f"“{a}” to “{b}”" for a, b in self.rename.items()))
        if self.recolor:
            parts.append("recolour " + ", ".join(f"“{n}”" for n in self.recolor))
        return ("On OK: " + "; ".join(parts) + ".") if parts else ""


class TagDialog(QDialog):
    """A checkable list of tags. Every change (new tags, colours, renames, deletions) is written
    only on OK, in one transaction; Cancel leaves the tags as they were."""

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
        self._deleted: list[str] = []  # stored names of the tags deleted in the dialog
        layout = QVBoxLayout(self)
        if prompt:
            label = QLabel(prompt)
            label.setTextFormat(Qt.TextFormat.PlainText)  # it may name entities
            label.setWordWrap(True)
            layout.addWidget(label)
        self.list = QListWidget()
        self.list.setAccessibleName("Tags")
        self.list.setToolTip("Check the tags to apply")
        layout.addWidget(self.list)
        wanted = {c.casefold() for c in checked}
        for t in store.list_tags():
            item = self._add_item(
                t.name, t.color, t.name.casefold() in wanted, f"{t.entities} entities, {t.notes} notes"
            )
            item.setData(OriginalRole, t.name)
            item.setData(StoredColorRole, t.color)

        row = QHBoxLayout()
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("New tag, e.g. lesson 3")
        self.new_name.setAccessibleName("New tag name")
        # Enter adds the tag and keeps the dialog open (it does not also press OK): see eventFilter.
        self.new_name.installEventFilter(self)
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
        self.rename_button.setToolTip("Rename the selected tag everywhere (on OK)")
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setToolTip("Delete the selected tag from every entity and note (on OK)")
        self.delete_button.clicked.connect(self.delete_selected)
        for b in (self.color_button, self.rename_button, self.delete_button):
            manage.addWidget(b)
        manage.addStretch(1)
        layout.addLayout(manage)
        self.pending_label = QLabel()
        self.pending_label.setTextFormat(Qt.TextFormat.PlainText)
        self.pending_label.setWordWrap(True)
        self.pending_label.setAccessibleName("Changes made on OK")
        layout.addWidget(self.pending_label)

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
            item.setData(OriginalRole, "")
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
        item.setData(ColorRole, color)
        item.setIcon(swatch(color))
        self._show_pending()

    def rename_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        old = str(item.data(NameRole))
        new, ok = QInputDialog.getText(self, "Rename tag", safe_rich_text([f"New name for “{old}”:"]), text=old)
        new = " ".join(new.split())
        if not ok or not new or new == old:
            return
        if len(new) > 60:
            QMessageBox.warning(self, "Tag name too long", "A tag name can be at most 60 characters.")
            return
        clash = self._find(new)
        if clash is not None and clash is not item:
            QMessageBox.warning(
                self, "Cannot rename the tag", safe_rich_text([f"A tag called “{new}” already exists."])
            )
            return
        item.setData(NameRole, new)
        item.setText(new)
        self._show_pending()

    def delete_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        name = str(item.data(NameRole))
        original = str(item.data(OriginalRole) or "")
        if original:
            answer = QMessageBox.question(
                self,
                "Delete tag",
                safe_rich_text(
                    [
                        f"Delete the tag “{name}” from every entity and note when you click OK?"
                        " The entities and notes themselves stay."
                    ]
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            self._deleted.append(original)
        self.list.takeItem(self.list.row(item))
        self._show_pending()

    # ---- pending changes -----------------------------------------------------------------------
    def changes(self) -> TagChanges:
        """What OK will write."""
        c = TagChanges(delete=list(self._deleted))
        for i in range(self.list.count()):
            item = self.list.item(i)
            name, color = str(item.data(NameRole)), str(item.data(ColorRole))
            original = str(item.data(OriginalRole) or "")
            if not original:
                c.create[name] = color
                continue
            if name != original:
                c.rename[original] = name
            if color != item.data(StoredColorRole):
                c.recolor[original] = color
        return c

    def _show_pending(self) -> None:
        self.pending_label.setText(self.changes().describe())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.new_name
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.new_name.text().strip()
        ):
            self.add_new()  # and not OK: the dialog stays open for more tags
            return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        if self.new_name.text().strip():
            self.add_new()  # a name typed but not added yet is clearly wanted
        c = self.changes()
        try:
            self.store.apply_tag_changes(delete=c.delete, rename=c.rename, create=c.create, recolor=c.recolor)
        except AtlasError as exc:
            QMessageBox.warning(self, "Tags not saved", safe_rich_text([str(exc)]))
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
