"""The lesson feature's small dialogs, each with a classmethod tests patch instead of clicking:
New lesson (title, author), Add current view as step (which view, talking points), Make quiz
(how many questions, seed), and the student's name for an answers file."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

LESSON_FILTER = "Lessons (*.atlaslesson);;All files (*)"
ANSWERS_FILTER = "Answers (*.atlasanswers);;All files (*)"


class FileDialogs:
    """The file choosers (a seam tests patch): each returns a path, or None when cancelled."""

    @staticmethod
    def open_lesson(parent: QWidget) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Open lesson", "", LESSON_FILTER)
        return Path(name) if name else None

    @staticmethod
    def save(parent: QWidget, title: str, suggested: str, file_filter: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
        return Path(name) if name else None

    @staticmethod
    def answers_files(parent: QWidget) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(parent, "Collect answers", "", ANSWERS_FILTER)
        return [Path(n) for n in names]


def with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


class _FormDialog(QDialog):
    def __init__(self, title: str, intro: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        root = QVBoxLayout(self)
        if intro:
            label = QLabel(intro, self)
            label.setWordWrap(True)
            root.addWidget(label)
        root.addLayout(self.form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        root.addWidget(self.buttons)


class NewLessonDialog(_FormDialog):
    """Lesson > New lesson…: a title (required) and the author."""

    def __init__(self, parent: QWidget | None, author: str = "") -> None:
        super().__init__("New lesson", "A lesson is one file you can copy to a USB stick.", parent)
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText("e.g. Alliances of the Cold War")
        self.author_edit = QLineEdit(author, self)
        self.form.addRow("&Title:", self.title_edit)
        self.form.addRow("&Author:", self.author_edit)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.title_edit.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))

    @classmethod
    def get_value(cls, parent: QWidget | None, author: str = "") -> tuple[tuple[str, str], bool]:
        dlg = cls(parent, author)
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        title = dlg.title_edit.text().strip()
        return (title, dlg.author_edit.text().strip()), ok and bool(title)


class AddStepDialog(_FormDialog):
    """Lesson > Add current view as step: which of the views on show, and its talking points."""

    def __init__(self, parent: QWidget | None, choices: Sequence[str]) -> None:
        super().__init__("Add current view as step", "", parent)
        self.choice = QComboBox(self)
        self.choice.addItems(list(choices))
        self.choice.setAccessibleName("What the step shows")
        self.points = QPlainTextEdit(self)
        self.points.setTabChangesFocus(True)
        self.points.setPlaceholderText("- What to say (Markdown; you can edit it later)")
        self.points.setAccessibleName("Talking points")
        self.form.addRow("&Show:", self.choice)
        self.form.addRow("Talking &points:", self.points)
        self.resize(520, 280)

    @classmethod
    def get_value(cls, parent: QWidget | None, choices: Sequence[str]) -> tuple[tuple[int, str], bool]:
        dlg = cls(parent, choices)
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        return (dlg.choice.currentIndex(), dlg.points.toPlainText().strip()), ok


class MakeQuizDialog(_FormDialog):
    """Lesson > Quiz > Make quiz…: how many questions and the seed (the same seed, the same quiz)."""

    def __init__(self, parent: QWidget | None, replacing: int) -> None:
        intro = "Multiple-choice questions from cited facts; every answer carries its quote."
        if replacing:
            intro += f"\nThis replaces the lesson's quiz of {replacing} question{'s' if replacing != 1 else ''}."
        super().__init__("Make quiz", intro, parent)
        self.count = QSpinBox(self)
        self.count.setRange(1, 100)
        self.count.setValue(10)
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 999_999)
        self.seed.setValue(random.randint(1, 9999))
        self.seed.setToolTip("The same seed gives the same questions on the same data")
        self.form.addRow("&Questions:", self.count)
        self.form.addRow("&Seed:", self.seed)

    @classmethod
    def get_value(cls, parent: QWidget | None, replacing: int = 0) -> tuple[tuple[int, int], bool]:
        dlg = cls(parent, replacing)
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        return (dlg.count.value(), dlg.seed.value()), ok


class StudentNameDialog:
    """Lesson > Quiz > Export my answers…: the name the trainer sees in the results."""

    @classmethod
    def get_value(cls, parent: QWidget | None, default: str = "") -> tuple[str, bool]:
        name, ok = QInputDialog.getText(parent, "Export my answers", "Your name (the trainer sees it):", text=default)
        return name.strip(), ok and bool(name.strip())
