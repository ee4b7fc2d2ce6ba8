"""Lesson files from the window (issue 20): new, saved as edited, opened read-only, a bad file
refused with one dialog, a quiz made, taken with the keyboard, exported, collected, printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.core.lessons.model import Lesson, Step
from app.ui.lessons.dialogs import AddStepDialog, MakeQuizDialog, NewLessonDialog, StudentNameDialog
from app.ui.lessons.feature import FileDialogs


@pytest.fixture
def dialogs(monkeypatch):  # type: ignore[no-untyped-def]
    """Every dialog answered by the test: ``said`` collects the message boxes shown."""
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: said.append((title, text)))
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text: said.append((title, text)))
    return said


def _make(tmp_path: Path, lesson: Lesson) -> Path:
    from app.core.lessons.pack import create_lesson

    return create_lesson(tmp_path / "lesson.atlaslesson", lesson).path


def test_new_lesson_then_steps_are_saved_atomically(qtbot, window, tmp_path, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    from app.core.lessons.pack import open_lesson

    feature = window.lesson_feature
    target = tmp_path / "cold war"  # the suffix is added
    monkeypatch.setattr(NewLessonDialog, "get_value", classmethod(lambda cls, p, a="": (("Cold War", "Ana"), True)))
    monkeypatch.setattr(FileDialogs, "save", staticmethod(lambda *_a: target))
    monkeypatch.setattr(AddStepDialog, "get_value", classmethod(lambda cls, p, c: ((0, "- 1949"), True)))
    feature.new_action.trigger()
    path = tmp_path / "cold war.atlaslesson"
    assert feature.pack.path == path and open_lesson(path).lesson.title == "Cold War"
    window.select_entity("nato")
    feature.add_step_action.trigger()
    qtbot.waitUntil(lambda: not feature.dirty, timeout=5000)
    saved = open_lesson(path).lesson
    assert [(s.kind, s.entity_id, s.points) for s in saved.steps] == [("entity", "nato", "- 1949")]
    assert saved.author == "Ana" and saved.corpus
    assert not dialogs


def test_a_bad_lesson_file_is_one_dialog_and_changes_nothing(qtbot, window, tmp_path, dialogs) -> None:  # type: ignore[no-untyped-def]
    feature = window.lesson_feature
    good = _make(tmp_path, Lesson("Kept", steps=(Step("entity", entity_id="nato"),)))
    assert feature.open_lesson(good)
    window.select_entity("japan")
    bad = tmp_path / "broken.atlaslesson"
    bad.write_bytes(good.read_bytes()[:200])  # truncated on the way
    before = bad.read_bytes()
    assert not feature.open_lesson(bad)
    assert len(dialogs) == 1 and dialogs[0][0] == "Cannot open the lesson" and "broken.atlaslesson" in dialogs[0][1]
    assert feature.lesson is not None and feature.lesson.title == "Kept" and feature.pack.path == good
    assert bad.read_bytes() == before and window.current_entity_id() == "japan"


def test_a_read_only_lesson_says_so_and_saves_only_as_a_copy(qtbot, window, tmp_path, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    from app.core.lessons.pack import open_lesson
    from tests.core.mounts import read_only

    folder = tmp_path / "usb"
    folder.mkdir()
    path = _make(folder, Lesson("From the stick", steps=(Step("entity", entity_id="nato", points="one"),)))
    before = path.read_bytes()
    feature = window.lesson_feature
    with read_only(folder) as view:
        assert feature.open_lesson(view / path.name)
        assert feature.pack.read_only
        assert "read-only" in window.statusBar().currentMessage()
        feature.edit_action.trigger()
        editor = feature.editor
        assert editor.banner.isVisible() and "read-only" in editor.banner.text()
        assert not editor.save_button.isEnabled() and editor.save_as_button.isEnabled()
        editor.points_edit.setPlainText("changed here")
        assert not feature.save()  # nothing written to read-only media
        assert "Save lesson as" in window.statusBar().currentMessage()
        copy = tmp_path / "mine.atlaslesson"
        monkeypatch.setattr(FileDialogs, "save", staticmethod(lambda *_a: copy))
        editor.save_as_button.click()
        assert feature.pack.path == copy and not feature.pack.read_only and not editor.banner.isVisible()
        reopened = open_lesson(copy)
        assert reopened.lesson.steps[0].points == "changed here"
        assert reopened.lesson_id == open_lesson(view / path.name).lesson_id  # students' answers still match
    assert path.read_bytes() == before
    assert not dialogs


def test_quiz_made_taken_by_keyboard_exported_and_collected(qtbot, window, tmp_path, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    from app.core.lessons.answers import load_local_answers, read_answers

    feature = window.lesson_feature
    assert feature.open_lesson(_make(tmp_path, Lesson("Quiz me", steps=(Step("entity", entity_id="nato"),))))
    monkeypatch.setattr(MakeQuizDialog, "get_value", classmethod(lambda cls, p, r=0: ((3, 42), True)))
    feature.make_quiz_action.trigger()
    qtbot.waitUntil(lambda: feature.lesson.quiz is not None, timeout=20000)
    quiz = feature.lesson.quiz
    assert len(quiz.questions) == 3 and quiz.seed == 42 and feature.take_quiz_action.isEnabled()
    qtbot.waitUntil(lambda: not feature.dirty, timeout=5000)

    feature.take_quiz_action.trigger()
    dlg = feature.quiz_dialog
    qtbot.waitExposed(dlg)
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow)
    for i, question in enumerate(quiz.questions):
        assert dlg.cards[i].isVisible()
        right = question.choices.index(question.answer)
        for _ in range(right):  # arrows move down the choices, space picks one
            qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_Down)
        qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_Space)
        assert dlg.cards[i].choice() == question.answer
        qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    kept = load_local_answers(window.atlas.paths.root, feature.pack)
    assert dict(kept.answers) == {i: q.answer for i, q in enumerate(quiz.questions)}  # saved as answered
    qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "3 of 3 right" in dlg.intro.text()
    assert quiz.questions[0].quote in dlg.cards[0].result.text()
    dlg.close()
    feature.take_quiz_action.trigger()  # opened again: still submitted, the results shown
    dlg = feature.quiz_dialog
    assert "3 of 3 right" in dlg.intro.text() and not dlg.cards[0].buttons[0].isEnabled()

    out = tmp_path / "ana"
    monkeypatch.setattr(StudentNameDialog, "get_value", classmethod(lambda cls, p, d="": ("Ana", True)))
    monkeypatch.setattr(FileDialogs, "save", staticmethod(lambda *_a: out))
    dlg.export_button.click()
    exported = read_answers(tmp_path / "ana.atlasanswers")
    assert exported.student == "Ana" and len(exported.answers) == 3
    dlg.close()

    feature.collect_answers([tmp_path / "ana.atlasanswers"])
    table = feature.collection_dialog.students_table
    assert table.rowCount() == 1 and table.item(0, 0).text() == "Ana" and table.item(0, 1).text() == "3 of 3"
    feature.collect_answers([tmp_path / "ana.atlasanswers"])  # the same file again adds nothing
    assert feature.collection_dialog.students_table.rowCount() == 1
    assert "already collected" in feature.collection_dialog.summary.text()
    results = tmp_path / "results.pdf"
    monkeypatch.setattr(FileDialogs, "save", staticmethod(lambda *_a: results))
    feature.collection_dialog.print_button.click()
    qtbot.waitUntil(lambda: feature.pdf_task is not None and not feature.pdf_task.running, timeout=30000)
    assert results.read_bytes().startswith(b"%PDF")

    pdf = tmp_path / "handout.pdf"
    monkeypatch.setattr(FileDialogs, "save", staticmethod(lambda *_a: pdf))
    feature.student_pdf_action.trigger()  # typeset off the GUI thread: the window stays responsive
    assert feature.pdf_task is not None and feature.pdf_task.running and not pdf.exists()
    qtbot.waitUntil(lambda: not feature.pdf_task.running, timeout=30000)
    assert pdf.read_bytes().startswith(b"%PDF")
    key = tmp_path / "key.pdf"
    monkeypatch.setattr(FileDialogs, "save", staticmethod(lambda *_a: key))
    feature.key_pdf_action.trigger()
    qtbot.waitUntil(lambda: not feature.pdf_task.running, timeout=30000)
    assert key.read_bytes().startswith(b"%PDF") and key.read_bytes() != pdf.read_bytes()
    assert not dialogs


def test_a_handout_pdf_cancelled_or_failing_writes_no_file(qtbot, window, tmp_path, monkeypatch, dialogs) -> None:  # type: ignore[no-untyped-def]
    from app.core.lessons.model import Question, Quiz

    quiz = Quiz(1, (Question("Which “alliance” #is $this?", ("a", "b"), "a", "a quote", "doc"),))
    feature = window.lesson_feature
    assert feature.open_lesson(_make(tmp_path, Lesson("Mine", quiz=quiz)))
    old = tmp_path / "handout.pdf"
    old.write_bytes(b"an earlier file")
    monkeypatch.setattr(FileDialogs, "save", staticmethod(lambda *_a: old))
    feature.student_pdf_action.trigger()
    feature.pdf_task.cancel()  # the dialog's Cancel
    qtbot.waitUntil(lambda: not feature.pdf_task.running, timeout=30000)
    assert feature.pdf_task.state == "cancelled" and old.read_bytes() == b"an earlier file"
    assert "cancelled" in window.statusBar().currentMessage() and not dialogs

    monkeypatch.setattr(FileDialogs, "save", staticmethod(lambda *_a: tmp_path / "no such folder" / "h.pdf"))
    feature.student_pdf_action.trigger()
    qtbot.waitUntil(lambda: not feature.pdf_task.running, timeout=30000)
    assert feature.pdf_task.state == "failed" and len(dialogs) == 1 and "PDF" in dialogs[0][0]
    assert not (tmp_path / "no such folder").exists()


def test_answers_to_another_lesson_are_refused(qtbot, window, tmp_path, dialogs) -> None:  # type: ignore[no-untyped-def]
    from app.core.lessons.answers import new_answers, write_answers
    from app.core.lessons.model import Question, Quiz
    from app.core.lessons.pack import create_lesson

    quiz = Quiz(1, (Question("Q?", ("a", "b"), "a", "a quote", "doc"),))
    other = create_lesson(tmp_path / "other.atlaslesson", Lesson("Other", quiz=quiz))
    stray = write_answers(tmp_path / "stray.atlasanswers", new_answers(other, "Ben").with_answer(0, "a"))
    feature = window.lesson_feature
    assert feature.open_lesson(_make(tmp_path, Lesson("Mine", quiz=quiz)))
    feature.collect_answers([stray])
    assert len(dialogs) == 1 and "another lesson" in dialogs[0][1]
    assert feature.collection_dialog is None


def test_a_step_on_an_entity_this_machine_lacks_shows_the_lessons_copy(qtbot, window, tmp_path, dialogs) -> None:  # type: ignore[no-untyped-def]
    from app.core.lessons.pack import create_lesson
    from app.core.lessons.payload import EntityCopy, FactCopy, Payload, QuoteCopy

    quote = QuoteCopy("doc-x", "Field notes", 0, 30, "The Pact was founded in 1961.")
    fact = FactCopy("founded", "Founded", "1961", None, (quote,))
    payload = Payload(entities=(EntityCopy("my-pact", "The Pact", "alliance", (), (fact,)),))
    lesson = Lesson("Elsewhere", steps=(Step("entity", entity_id="my-pact", points="Made on my machine"),))
    path = create_lesson(tmp_path / "elsewhere.atlaslesson", lesson, payload=payload).path
    feature = window.lesson_feature
    assert feature.open_lesson(path)
    assert len(dialogs) == 1 and "my-pact" in dialogs[0][1]  # said once, on opening
    window.select_entity("japan")
    feature.view.animation_ms = 0
    feature.present()
    panel = feature.presentation.panel
    assert "no entity 'my-pact'" in panel.problem.text()
    shown = panel.points.toPlainText()
    assert "The Pact" in shown and "The Pact was founded in 1961." in shown and "Field notes" in shown
    assert window.current_entity_id() == "japan"
    feature.presentation.stop()


def test_the_trainer_edits_removes_and_adds_questions(qtbot, window, tmp_path, dialogs) -> None:  # type: ignore[no-untyped-def]
    from app.core.lessons.model import Question, Quiz
    from app.core.lessons.pack import open_lesson

    cite = window.repo.get_entity("nato").citations[0]
    first = Question("Founded?", ("1949", "1955"), "1949", cite.quote, cite.document_id, cite.start, cite.end)
    second = Question("Which?", ("NATO", "CSTO"), "NATO", cite.quote, cite.document_id, cite.start, cite.end)
    path = _make(tmp_path, Lesson("Edit me", quiz=Quiz(3, (first, second))))
    feature = window.lesson_feature
    assert feature.open_lesson(path)
    feature.edit_quiz_action.trigger()
    dlg = feature.quiz_editor
    dlg.list.setCurrentRow(0)
    dlg.question_edit.setText("When was NATO founded?")
    dlg.choices_edit.setPlainText("1949\n1955\n1961")
    dlg.answer_combo.setCurrentText("1949")
    dlg.apply_button.click()
    assert feature.lesson.quiz.questions[0].question == "When was NATO founded?"
    assert feature.lesson.quiz.questions[0].choices == ("1949", "1955", "1961")

    dlg.quote_edit.setPlainText("words that are in no document at all")
    dlg.add_button.click()  # refused, said in the dialog, nothing added
    assert "word for word" in dlg.problem.text() and len(feature.lesson.quiz.questions) == 2
    dlg.quote_edit.setPlainText(cite.quote)
    dlg.question_edit.setText("Our own question?")
    dlg.add_button.click()
    assert [q.question for q in feature.lesson.quiz.questions][-1] == "Our own question?"
    assert feature.lesson.quiz.questions[-1].start == cite.start

    dlg.list.setCurrentRow(1)
    dlg.remove_button.click()
    assert [q.question for q in feature.lesson.quiz.questions] == ["When was NATO founded?", "Our own question?"]
    dlg.undo_button.click()
    assert len(feature.lesson.quiz.questions) == 3
    qtbot.waitUntil(lambda: not feature.dirty, timeout=5000)
    assert len(open_lesson(path).lesson.quiz.questions) == 3
    dlg.close()
    assert not dialogs
