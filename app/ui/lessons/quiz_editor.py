"""Lesson > Quiz > Edit quiz…: the trainer edits, removes, reorders and adds questions. A question's
answer must be one of its choices; a new or re-quoted answer must quote a document word for word
(checked by ``app.core.lessons.quiz.cited_question``). Every change is one Undo step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtlasError
from app.core.lessons.model import Question, Quiz

# (question, choices, answer, document id, quote) -> a checked Question, or AtlasError saying why
MakeQuestion = Callable[[str, Sequence[str], str, str, str], Question]


class QuizCommand(QUndoCommand):
    def __init__(self, editor: QuizEditorDialog, before: Quiz, after: Quiz, text: str) -> None:
        super().__init__(text)
        self._editor, self.before, self.after = editor, before, after
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._editor.show_quiz(self.after)

    def undo(self) -> None:
        self._editor.show_quiz(self.before)


class QuizEditorDialog(QDialog):
    """Edits ``quiz``; ``changed`` carries each new version. ``documents`` are (id, title) pairs."""

    changed = Signal(object)  # Quiz

    def __init__(
        self,
        quiz: Quiz,
        *,
        documents: Sequence[tuple[str, str]],
        make_question: MakeQuestion,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("quiz_editor")
        self.setWindowTitle("Edit quiz")
        self.quiz = quiz
        self._make = make_question
        self.undo_stack = QUndoStack(self)
        self.list = QListWidget(self)
        self.list.setObjectName("quiz_questions")
        self.list.setAccessibleName("Questions")
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(self._show_question)
        self.question_edit = QLineEdit(self)
        self.question_edit.setAccessibleName("Question")
        self.choices_edit = QPlainTextEdit(self)
        self.choices_edit.setAccessibleName("Choices, one a line")
        self.choices_edit.setTabChangesFocus(True)
        self.choices_edit.setMaximumHeight(110)
        self.choices_edit.textChanged.connect(self._refill_answers)
        self.answer_combo = QComboBox(self)
        self.answer_combo.setAccessibleName("The right answer")
        self.document_combo = QComboBox(self)
        self.document_combo.setAccessibleName("Document the quote is in")
        for doc_id, title in documents:
            self.document_combo.addItem(title, doc_id)
        self.quote_edit = QPlainTextEdit(self)
        self.quote_edit.setAccessibleName("The quote that answers it, word for word")
        self.quote_edit.setTabChangesFocus(True)
        self.quote_edit.setMaximumHeight(110)
        self.problem = QLabel(self)
        self.problem.setObjectName("quiz_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #8a1c1c;")
        form_box = QWidget(self)
        form = QFormLayout(form_box)
        form.addRow("&Question:", self.question_edit)
        form.addRow("&Choices (one a line):", self.choices_edit)
        form.addRow("&Answer:", self.answer_combo)
        form.addRow("&Document:", self.document_combo)
        form.addRow("Q&uote:", self.quote_edit)
        form.addRow(self.problem)
        self.apply_button = QPushButton("A&pply", self)
        self.apply_button.setToolTip("Keep the changes to this question (the quote is checked in its document)")
        self.apply_button.clicked.connect(self.apply_current)
        self.add_button = QPushButton("Add as &new question", self)
        self.add_button.setToolTip("A new question from the boxes: its quote must be word for word in the document")
        self.add_button.clicked.connect(self.add_new)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.add_button)
        row.addWidget(self.apply_button)
        form.addRow(row)

        self.up_button = QPushButton("Move &up", self)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button = QPushButton("Move do&wn", self)
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.remove_button = QPushButton("&Remove", self)
        self.remove_button.setToolTip("Remove the question (Undo brings it back)")
        self.remove_button.clicked.connect(self.remove_current)
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.list, 1)
        lrow = QHBoxLayout()
        for b in (self.up_button, self.down_button, self.remove_button):
            lrow.addWidget(b)
        lv.addLayout(lrow)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(form_box)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)

        undo = QPushButton("Undo", self)
        undo.clicked.connect(self.undo_stack.undo)
        self.undo_stack.canUndoChanged.connect(undo.setEnabled)
        undo.setEnabled(False)
        self.undo_button = undo
        act = self.undo_stack.createUndoAction(self)
        act.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(act)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(undo)
        bottom.addStretch(1)
        bottom.addWidget(close)
        root = QVBoxLayout(self)
        root.addWidget(split, 1)
        root.addLayout(bottom)
        self.show_quiz(quiz)
        self.resize(960, 560)

    # ---- showing ---------------------------------------------------------------------------------
    def show_quiz(self, quiz: Quiz) -> None:
        row = self.list.currentRow()
        self.quiz = quiz
        self.list.blockSignals(True)
        self.list.clear()
        for i, q in enumerate(quiz.questions):
            self.list.addItem(f"{i + 1}. {q.question}")
        self.list.blockSignals(False)
        has = bool(quiz.questions)
        for b in (self.up_button, self.down_button, self.remove_button, self.apply_button):
            b.setEnabled(has)
        if has:
            self.list.setCurrentRow(min(max(row, 0), len(quiz.questions) - 1))
        self._show_question(self.list.currentRow())
        self.changed.emit(quiz)

    def _show_question(self, row: int) -> None:
        q = self.quiz.questions[row] if 0 <= row < len(self.quiz.questions) else None
        self.problem.clear()
        self.question_edit.setText(q.question if q else "")
        self.choices_edit.setPlainText("\n".join(q.choices) if q else "")
        self._refill_answers()
        if q is not None:
            self.answer_combo.setCurrentText(q.answer)
            i = self.document_combo.findData(q.document)
            if i >= 0:
                self.document_combo.setCurrentIndex(i)
        self.quote_edit.setPlainText(q.quote if q else "")

    def _refill_answers(self) -> None:
        current = self.answer_combo.currentText()
        self.answer_combo.clear()
        self.answer_combo.addItems(self._choices())
        if current:
            self.answer_combo.setCurrentText(current)

    def _choices(self) -> list[str]:
        return [c.strip() for c in self.choices_edit.toPlainText().splitlines() if c.strip()]

    # ---- changing --------------------------------------------------------------------------------
    def _push(self, after: Quiz, text: str) -> None:
        before = self.quiz
        self.undo_stack.push(QuizCommand(self, before, after, text))
        self.show_quiz(after)

    def _from_boxes(self, old: Question | None) -> Question | None:
        """The question the boxes describe, or None with the reason shown (nothing changes)."""
        text, choices, answer = self.question_edit.text(), self._choices(), self.answer_combo.currentText()
        doc, quote = str(self.document_combo.currentData() or ""), self.quote_edit.toPlainText().strip()
        try:
            if old is not None and (doc, quote) == (old.document, old.quote):  # the same quote: kept as cited
                return replace(old, question=text.strip(), choices=tuple(choices), answer=answer).check()
            return self._make(text, choices, answer, doc, quote)
        except AtlasError as exc:
            self.problem.setText(str(exc))
            return None

    def apply_current(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.quiz.questions):
            return
        q = self._from_boxes(self.quiz.questions[row])
        if q is not None and q != self.quiz.questions[row]:
            self._push(self.quiz.replaced_question(row, q), "edit question")

    def add_new(self) -> None:
        q = self._from_boxes(None)
        if q is not None:
            self._push(self.quiz.with_question(q), "add question")
            self.list.setCurrentRow(len(self.quiz.questions) - 1)

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.quiz.questions):
            self._push(self.quiz.without_question(row), "remove question")

    def move_current(self, delta: int) -> None:
        row, to = self.list.currentRow(), self.list.currentRow() + delta
        if 0 <= row < len(self.quiz.questions) and 0 <= to < len(self.quiz.questions):
            self._push(self.quiz.moved_question(row, to), "move question")
            self.list.setCurrentRow(to)
