"""Taking a quiz in the window (issue 20): keyboard only, every answer kept as it is given,
results with their quotes after submitting."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.lessons.model import Question, Quiz
from app.ui.lessons.quiz_view import QuizDialog, QuizDraft


def _quiz() -> Quiz:
    return Quiz(
        seed=7,
        questions=(
            Question(
                "When was NATO founded?", ("1945", "1949", "1955", "1961"), "1949",
                "The North Atlantic Treaty was signed in 1949.", "doc-a", 10, 55,
            ),
            Question(
                "Which is an alliance?", ("CSTO", "Japan", "Kazakhstan"), "CSTO",
                "The Collective Security Treaty Organization is a regional military alliance.", "doc-b",
            ),
        ),
    )  # fmt: skip


def _dialog(qtbot, draft: QuizDraft, saved: list[QuizDraft]) -> QuizDialog:  # type: ignore[no-untyped-def]
    def save(d: QuizDraft) -> None:
        saved.append(QuizDraft(dict(d.choices), d.notes, d.submitted))

    dlg = QuizDialog(_quiz(), title="Pacts", draft=draft, save=save, cite=lambda q: f"{q.document} cited")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow)
    return dlg


def test_answer_with_the_keyboard_saved_as_you_go(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    saved: list[QuizDraft] = []
    dlg = _dialog(qtbot, QuizDraft(), saved)
    first = dlg.cards[0]
    assert first.isVisible() and not dlg.cards[1].isVisible()  # one question a screen
    assert dlg.progress.text() == "Question 1 of 2  ·  0 of 2 answered"
    first.focus_first()
    qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_Space)  # picks A
    qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_Down)  # arrow moves and picks B
    assert first.choice() == "1949"
    assert saved[-1].choices == {0: "1949"}  # kept at once, nothing waits for a Save
    qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)  # next question
    assert dlg.cards[1].isVisible() and not first.isVisible()
    assert dlg.focusWidget() is dlg.cards[1].buttons[0]
    qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_Down)
    qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_Space)
    assert dlg.cards[1].choice() in ("Japan", "CSTO")
    dlg.notes.setFocus()
    qtbot.keyClicks(dlg.notes, "Ask about 1955")
    qtbot.waitUntil(lambda: saved[-1].notes == "Ask about 1955")
    assert dlg.progress.text().endswith("2 of 2 answered")

    qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Submit
    assert saved[-1].submitted
    assert dlg.cards[0].result.isVisible() and "Right" in dlg.cards[0].result.text()
    assert "The North Atlantic Treaty was signed in 1949." in dlg.cards[0].result.text()
    assert "doc-a cited" in dlg.cards[0].result.text()
    assert not dlg.cards[0].buttons[0].isEnabled()  # answers are locked once submitted
    assert dlg.all_check.isChecked() and dlg.cards[1].isVisible()


def test_a_saved_draft_comes_back_and_all_on_one_page(qtbot) -> None:  # type: ignore[no-untyped-def]
    saved: list[QuizDraft] = []
    dlg = _dialog(qtbot, QuizDraft(choices={0: "1955"}, notes="mine"), saved)
    assert dlg.cards[0].choice() == "1955" and dlg.notes.toPlainText() == "mine"
    assert dlg.index == 1  # opens on the first question not answered yet
    dlg.all_check.setFocus()
    qtbot.keyClick(dlg.all_check, Qt.Key.Key_Space)  # All questions on one page
    assert all(c.isVisible() for c in dlg.cards) and not dlg.next_button.isVisible()


def test_submitting_with_gaps_asks_first(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked: list[list[int]] = []
    monkeypatch.setattr(QuizDialog, "confirm_submit", staticmethod(lambda _p, missing: asked.append(missing) or False))
    saved: list[QuizDraft] = []
    dlg = _dialog(qtbot, QuizDraft(choices={0: "1945"}), saved)
    dlg.submit_button.click()
    assert asked == [[2]] and not dlg.cards[0].result.isVisible()


def test_a_failed_save_is_said(qtbot) -> None:  # type: ignore[no-untyped-def]
    messages: list[str] = []

    def fail(_d: QuizDraft) -> None:
        raise OSError(28, "No space left on device")

    dlg = QuizDialog(_quiz(), title="T", draft=QuizDraft(), save=fail, cite=str, status=messages.append)
    qtbot.addWidget(dlg)
    dlg.cards[0].buttons[2].click()
    assert messages and "No space left on device" in messages[-1]
    assert dlg.cards[0].choice() == "1955"  # still on screen
