"""The lesson editor (issue 20): reorder steps by drag and by keyboard, edit points, undo."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from app.core.lessons.model import Lesson, Step
from app.ui.lessons.editor import LessonEditorDialog


def _lesson() -> Lesson:
    return Lesson(
        title="Pacts",
        steps=(
            Step("entity", entity_id="nato", points="first"),
            Step("entity", entity_id="csto", points="second"),
            Step("focus", entity_id="japan", depth=1, points="third"),
        ),
    )


def _editor(qtbot, lesson: Lesson | None = None, read_only: str = "") -> LessonEditorDialog:  # type: ignore[no-untyped-def]
    dlg = LessonEditorDialog(lesson or _lesson(), describe=lambda s: f"{s.kind} {s.entity_id}", read_only=read_only)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow)  # shortcuts (Ctrl+Z) work in the active window
    return dlg


def _points(dlg: LessonEditorDialog) -> list[str]:
    return [s.points for s in dlg.lesson.steps]


def test_drag_a_step_to_another_place(qtbot) -> None:  # type: ignore[no-untyped-def]
    dlg = _editor(qtbot)
    model = dlg.model
    changed = []
    dlg.changed.connect(changed.append)
    # What the list view does on a drop: the dragged row's data, dropped before row 3 (the end).
    mime = model.mimeData([model.index(0)])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 3, 0, QModelIndex()) is False  # the editor moves it
    assert _points(dlg) == ["second", "third", "first"]
    assert changed[-1] == dlg.lesson
    assert model.data(model.index(2)).startswith("3. entity nato")
    assert dlg.current_row() == 2
    dlg.undo_button.click()
    assert _points(dlg) == ["first", "second", "third"]
    dlg.redo_button.click()
    assert _points(dlg) == ["second", "third", "first"]


def test_reorder_and_remove_with_the_keyboard(qtbot) -> None:  # type: ignore[no-untyped-def]
    dlg = _editor(qtbot)
    dlg.list.setFocus()
    dlg.select_step(0)
    qtbot.keyClick(dlg.list, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert _points(dlg) == ["second", "first", "third"]
    assert dlg.current_row() == 1
    qtbot.keyClick(dlg.list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert _points(dlg) == ["first", "second", "third"]
    dlg.select_step(1)
    qtbot.keyClick(dlg.list, Qt.Key.Key_Delete)
    assert _points(dlg) == ["first", "third"]
    assert "remove step" in dlg.undo_button.text()
    qtbot.keyClick(dlg.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _points(dlg) == ["first", "second", "third"]


def test_edit_points_is_one_undo_step_and_previews_safely(qtbot) -> None:  # type: ignore[no-untyped-def]
    dlg = _editor(qtbot)
    dlg.select_step(1)
    dlg.points_edit.setFocus()
    dlg.points_edit.selectAll()
    qtbot.keyClicks(dlg.points_edit, "- **Bold** <img src=file:///etc/passwd>")
    assert dlg.lesson.steps[1].points == "- **Bold** <img src=file:///etc/passwd>"
    qtbot.waitUntil(lambda: "Bold" in dlg.preview.toPlainText())
    assert "<img" in dlg.preview.toPlainText()  # raw HTML stays text, nothing loaded
    qtbot.keyClicks(dlg.question_edit, "Who?")
    assert dlg.lesson.steps[1].reveal
    assert dlg.model.data(dlg.model.index(1)).endswith("(question first)")
    dlg.undo_button.click()  # the question
    assert not dlg.lesson.steps[1].reveal
    dlg.undo_button.click()  # all the typing in the points box, at once
    assert dlg.lesson.steps[1].points == "second"
    assert dlg.points_edit.toPlainText() == "second"


def test_read_only_lesson_says_so_and_offers_save_as(qtbot) -> None:  # type: ignore[no-untyped-def]
    dlg = _editor(qtbot, read_only="lesson.atlaslesson is on read-only media.")
    assert dlg.banner.isVisible() and "read-only" in dlg.banner.text()
    assert not dlg.save_button.isEnabled() and dlg.save_as_button.isEnabled()
    with qtbot.waitSignal(dlg.save_as_requested):
        dlg.save_as_button.click()


def test_an_empty_lesson_says_how_to_add_steps(qtbot) -> None:  # type: ignore[no-untyped-def]
    dlg = _editor(qtbot, Lesson(title="Empty"))
    assert dlg.empty_label.isVisible() and "Add current view as step" in dlg.empty_label.text()
    assert not dlg.remove_button.isEnabled() and not dlg.points_edit.isEnabled()
