"""Lesson > Take quiz…: a student answers the lesson's quiz, one question a screen or all on one page,
with the keyboard alone. Every choice and note is saved on the spot (a draft file in the user's data
folder, keyed by the lesson), so closing the window or a crash loses nothing; after *Submit* each
answer says right or wrong with the quote and citation that decide it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtlasError
from app.core.lessons.model import Question, Quiz

NOTES_SAVE_MS = 400  # notes are saved this long after the last keystroke (and on close)


@dataclass
class QuizDraft:
    """A student's answers so far (question index -> the choice picked) and their notes."""

    choices: dict[int, str] = field(default_factory=dict)
    notes: str = ""
    submitted: bool = False


class QuestionCard(QGroupBox):
    """One question: its choices as radio buttons (arrow keys move between them), and after
    submitting, right or wrong with the quote and citation."""

    answered = Signal(int, str)

    def __init__(self, index: int, total: int, question: Question, *, cite: Callable[[Question], str]) -> None:
        super().__init__(f"Question {index + 1} of {total}")
        self.setObjectName(f"question_{index}")
        self.index, self.question = index, question
        lay = QVBoxLayout(self)
        self.text = QLabel(question.question, self)
        self.text.setObjectName("question_text")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.text.setFont(font)
        lay.addWidget(self.text)
        self.group = QButtonGroup(self)
        self.buttons: list[QRadioButton] = []
        for i, choice in enumerate(question.choices):
            b = QRadioButton(f"{chr(ord('A') + i)}. {choice}", self)
            b.setProperty("choice", choice)
            b.setAccessibleName(choice)
            bigger = b.font()
            bigger.setPointSizeF(bigger.pointSizeF() * 1.2)
            b.setFont(bigger)
            self.group.addButton(b, i)
            self.buttons.append(b)
            lay.addWidget(b)
        self.group.idToggled.connect(self._toggled)
        self.result = QLabel(self)
        self.result.setObjectName("question_result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        lay.addWidget(self.result)
        self._cite = cite

    def _toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self.answered.emit(self.index, self.question.choices[button_id])

    def choice(self) -> str | None:
        b = self.group.checkedButton()
        return str(b.property("choice")) if b is not None else None

    def set_choice(self, choice: str | None) -> None:
        for b in self.buttons:
            b.blockSignals(True)
            b.setChecked(b.property("choice") == choice)
            b.blockSignals(False)

    def focus_first(self) -> None:
        target = self.group.checkedButton() or (self.buttons[0] if self.buttons else None)
        if target is not None:
            target.setFocus(Qt.FocusReason.TabFocusReason)

    def show_result(self) -> None:
        """Lock the choices and say right or wrong, with the quote and where it is."""
        q, picked = self.question, self.choice()
        for b in self.buttons:
            b.setEnabled(False)
        right = picked == q.answer
        verdict = "✓ Right." if right else ("✗ Not answered." if picked is None else "✗ Wrong.")
        colour = "#1b5e20" if right else "#8a1c1c"
        from html import escape

        self.result.setText(
            f"<p style='color:{colour}'><b>{verdict}</b> The answer: <b>{escape(q.answer)}</b></p>"
            f"<p>“{escape(q.quote)}”<br><small>— {escape(self._cite(q))}</small></p>"
        )
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.show()


class QuizDialog(QDialog):
    """Takes ``quiz`` from ``draft``; ``save`` keeps every change (it raises OSError or AtlasError
    when it cannot: the dialog says so and keeps the answers on screen)."""

    export_requested = Signal()
    submitted = Signal()

    def __init__(
        self,
        quiz: Quiz,
        *,
        title: str,
        draft: QuizDraft,
        save: Callable[[QuizDraft], None],
        cite: Callable[[Question], str],
        status: Callable[[str], None] = lambda _m: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("quiz_dialog")
        self.setWindowTitle(f"Quiz — {title}")
        self.quiz = quiz
        self.draft = draft
        self._save = save
        self._status = status
        self.save_error = ""
        self.index = 0
        self.intro = QLabel(
            f"<b>{len(quiz.questions)} questions.</b> Pick one answer each: ↑/↓ move between the choices, "
            "Space picks, Ctrl+Page Down goes to the next question, Ctrl+Enter submits. "
            "Your answers are saved as you go.",
            self,
        )
        self.intro.setWordWrap(True)
        self.all_check = QCheckBox("&All questions on one page", self)
        self.all_check.setToolTip("Show every question at once, or one question a screen")
        self.cards = [
            QuestionCard(i, len(quiz.questions), q, cite=cite) for i, q in enumerate(quiz.questions)
        ]  # fmt: skip
        holder = QWidget(self)
        self.cards_box = QVBoxLayout(holder)
        for card in self.cards:
            card.set_choice(self.draft.choices.get(card.index))
            card.answered.connect(self._answered)
            self.cards_box.addWidget(card)
        self.cards_box.addStretch(1)
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(holder)
        self.prev_button = QPushButton("&Previous", self)
        self.prev_button.setToolTip("The question before (Alt+P, or Ctrl+Page Up)")
        self.prev_button.clicked.connect(lambda: self.go_to(self.index - 1))
        self.next_button = QPushButton("&Next", self)
        self.next_button.setToolTip("The next question (Alt+N, or Ctrl+Page Down)")
        self.next_button.clicked.connect(lambda: self.go_to(self.index + 1))
        QShortcut(QKeySequence("Ctrl+PgDown"), self, lambda: self.go_to(self.index + 1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, lambda: self.go_to(self.index - 1))
        self.progress = QLabel(self)
        self.progress.setObjectName("quiz_progress")
        self.submit_button = QPushButton("&Submit answers", self)
        self.submit_button.setToolTip("See which answers are right, with their quotes (Ctrl+Enter)")
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.submit)
        self.submit_button.clicked.connect(self.submit)
        self.export_button = QPushButton("&Export my answers…", self)
        self.export_button.setToolTip("Write your answers and notes to one small file for the trainer")
        self.export_button.clicked.connect(self.export_requested)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        notes_label = QLabel("Your n&otes (for you and the trainer):", self)
        self.notes = QPlainTextEdit(draft.notes, self)
        self.notes.setObjectName("quiz_notes")
        self.notes.setAccessibleName("Your notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(90)
        notes_label.setBuddy(self.notes)
        self.notes.textChanged.connect(self._noted)
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        nav.addWidget(self.progress, 1)
        nav.addWidget(self.submit_button)
        nav.addWidget(self.export_button)
        nav.addWidget(close)
        root = QVBoxLayout(self)
        root.addWidget(self.intro)
        root.addWidget(self.all_check)
        root.addWidget(self.scroller, 1)
        root.addWidget(notes_label)
        root.addWidget(self.notes)
        root.addLayout(nav)
        self._notes_timer = QTimer(self)
        self._notes_timer.setSingleShot(True)
        self._notes_timer.setInterval(NOTES_SAVE_MS)
        self._notes_timer.timeout.connect(self.save_draft)
        self.all_check.toggled.connect(self._show_mode)
        if not quiz.questions:
            self.intro.setText(
                "This lesson's quiz has no questions yet. The trainer makes one with Lesson > Make quiz…."
            )
        first_open = next((c.index for c in self.cards if c.choice() is None), 0)
        self.index = first_open
        self._show_mode(False)
        if self.draft.submitted:
            self._show_results()
        self.resize(760, 600)

    # ---- moving ----------------------------------------------------------------------------------
    def _show_mode(self, all_on_one: bool) -> None:
        for card in self.cards:
            card.setVisible(all_on_one or card.index == self.index)
        self.prev_button.setVisible(not all_on_one)
        self.next_button.setVisible(not all_on_one)
        self._update_progress()

    def go_to(self, index: int) -> None:
        if not 0 <= index < len(self.cards):
            return
        self.index = index
        if self.all_check.isChecked():
            self.scroller.ensureWidgetVisible(self.cards[index])
        else:
            self._show_mode(False)
        self.cards[index].focus_first()
        self._update_progress()

    def _update_progress(self) -> None:
        n = len(self.cards)
        done = sum(1 for c in self.cards if c.choice() is not None)
        where = "" if self.all_check.isChecked() or not n else f"Question {self.index + 1} of {n}  ·  "
        self.progress.setText(f"{where}{done} of {n} answered")
        self.prev_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index + 1 < n)

    # ---- saving as the student goes --------------------------------------------------------------
    def _answered(self, index: int, choice: str) -> None:
        self.draft.choices[index] = choice
        self.save_draft()
        self._update_progress()

    def _noted(self) -> None:
        self.draft.notes = self.notes.toPlainText()
        self._notes_timer.start()

    def save_draft(self) -> bool:
        self._notes_timer.stop()
        try:
            self._save(self.draft)
        except (OSError, AtlasError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.save_error = f"Your answers could not be saved: {reason}"
            self._status(self.save_error)
            return False
        self.save_error = ""
        return True

    # ---- submitting ------------------------------------------------------------------------------
    def submit(self) -> None:
        missing = [c.index + 1 for c in self.cards if c.choice() is None]
        if missing and not self.confirm_submit(self, missing):
            return
        self.draft.submitted = True
        self.save_draft()
        self._show_results()
        self.submitted.emit()

    def _show_results(self) -> None:
        for card in self.cards:
            card.show_result()
        right = sum(1 for c in self.cards if c.choice() == c.question.answer)
        self.submit_button.setEnabled(False)
        self.all_check.setChecked(True)
        self.intro.setText(f"<b>{right} of {len(self.cards)} right.</b> Each answer shows the quote that decides it.")

    def score(self) -> int:
        return sum(1 for c in self.cards if c.choice() == c.question.answer)

    @staticmethod
    def confirm_submit(parent: QWidget, missing: list[int]) -> bool:
        """Ask before submitting with questions unanswered (a seam tests patch)."""
        shown = ", ".join(str(m) for m in missing[:10]) + ("…" if len(missing) > 10 else "")
        answer = QMessageBox.question(
            parent,
            "Submit answers?",
            f"Question{'s' if len(missing) != 1 else ''} {shown} {'have' if len(missing) != 1 else 'has'} no "
            "answer. Submit anyway? Answers cannot be changed afterwards.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_draft()
        super().closeEvent(event)

    def done(self, result: int) -> None:  # Esc, or Close
        self.save_draft()
        super().done(result)
