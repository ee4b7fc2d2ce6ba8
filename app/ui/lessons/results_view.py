"""Lesson > Quiz > Collect answers…: the collected answers as a table per question and per student,
printable as a PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)


def _table(headers: list[str], rows: list[list[str]], parent: QWidget, name: str) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if len(headers) > 1:
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()
    return table


class CollectionDialog(QDialog):
    """Shows an ``app.core.lessons.answers.Collection``; ``print_pdf`` writes the results PDF."""

    def __init__(self, collection: Any, *, print_pdf: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("collection_dialog")
        self.setWindowTitle(f"Collected answers — {collection.pack.lesson.title}")
        n = len(collection.students)
        what = [f"{n} student{'s' if n != 1 else ''}"]
        if collection.added:
            what.append(f"{len(collection.added)} new")
        if collection.updated:
            what.append(f"{len(collection.updated)} updated")
        if collection.unchanged:
            what.append(f"{len(collection.unchanged)} already collected (nothing added)")
        if not collection.kept:
            what.append("shown only: the lesson file is read-only, so nothing was kept in it")
        self.summary = QLabel(" · ".join(what), self)
        self.summary.setObjectName("collection_summary")
        self.summary.setWordWrap(True)
        per_q = collection.per_question()
        q_rows = [
            [
                str(r.index + 1),
                r.question,
                r.answer,
                f"{r.correct} of {r.answered}",
                "; ".join(f"{choice}: {count}" for choice, count in r.counts),
            ]
            for r in per_q
        ]
        self.questions_table = _table(
            ["#", "Question", "Answer", "Right", "Choices picked"], q_rows, self, "per_question_table"
        )
        per_s = collection.per_student()
        answers = [q.answer for q in collection.questions]
        s_rows = []
        for s in per_s:
            marks = [
                "–" if c is None else ("✓" if c == a else f"✗ {c}")
                for c, a in zip(s.choices, answers, strict=False)
            ]  # fmt: skip
            s_rows.append([s.student, f"{s.correct} of {s.total}", *marks, s.notes])
        self.students_table = _table(
            ["Student", "Right", *[f"Q{i + 1}" for i in range(len(answers))], "Notes"],
            s_rows,
            self,
            "per_student_table",
        )
        self.students_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        tabs = QTabWidget(self)
        tabs.addTab(self.questions_table, "Per &question")
        tabs.addTab(self.students_table, "Per &student")
        self.tabs = tabs
        empty = QLabel("No answers collected yet: choose the students' answers files.", self)
        empty.setVisible(n == 0)
        self.print_button = QPushButton("&Print as PDF…", self)
        self.print_button.setToolTip("Both tables as a PDF to print or keep")
        self.print_button.clicked.connect(print_pdf)
        self.print_button.setEnabled(n > 0)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.print_button)
        row.addWidget(close)
        root = QVBoxLayout(self)
        root.addWidget(self.summary)
        root.addWidget(empty)
        root.addWidget(tabs, 1)
        root.addLayout(row)
        self.resize(900, 560)
        close.setFocus(Qt.FocusReason.OtherFocusReason)
