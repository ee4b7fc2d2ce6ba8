"""The graph pane's dialogs: two countries to connect, and the size of an exported image."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget


class ConnectionDialog(QDialog):
    """Pick two countries: "Why are these connected?"."""

    def __init__(self, parent: QWidget | None, choices: Sequence[tuple[str, str]], first: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Why are these connected?")
        form = QFormLayout(self)
        self.first = QComboBox(self)
        self.second = QComboBox(self)
        for combo, label in ((self.first, "From"), (self.second, "To")):
            combo.setAccessibleName(f"{label} country")
            for eid, name in choices:
                combo.addItem(name, eid)
            form.addRow(f"&{label}:", combo)
        if first is not None and (i := self.first.findData(first)) >= 0:
            self.first.setCurrentIndex(i)
        self.second.setCurrentIndex(1 if self.first.currentIndex() == 0 and self.second.count() > 1 else 0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @classmethod
    def get_value(
        cls, parent: QWidget | None, choices: Sequence[tuple[str, str]], first: str | None = None
    ) -> tuple[tuple[str, str], bool]:
        dlg = cls(parent, choices, first)
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        return (str(dlg.first.currentData()), str(dlg.second.currentData())), ok


class ImageSizeDialog(QDialog):
    """The PNG resolution to export at."""

    def __init__(self, parent: QWidget | None, width: int, height: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export image size")
        form = QFormLayout(self)
        self.w = QSpinBox(self)
        self.h = QSpinBox(self)
        for spin, value, name in ((self.w, width, "Width"), (self.h, height, "Height")):
            spin.setRange(200, 12000)
            spin.setSuffix(" px")
            spin.setValue(value)
            spin.setAccessibleName(f"Image {name.lower()}")
            form.addRow(f"&{name}:", spin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @classmethod
    def get_value(cls, parent: QWidget | None, width: int = 2400, height: int = 1600) -> tuple[tuple[int, int], bool]:
        dlg = cls(parent, width, height)
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        return (dlg.w.value(), dlg.h.value()), ok
