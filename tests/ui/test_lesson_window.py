"""The Lesson menu in the window (issue 20): add the current view as a step, the menu's state."""

from __future__ import annotations

from app.core.lessons.model import Lesson
from app.core.query.filters import FilterSpec
from app.ui.lessons.dialogs import AddStepDialog


def test_lesson_menu_lists_every_action_with_keys(window) -> None:  # type: ignore[no-untyped-def]
    menu = window.menus["lesson"]
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts[:3] == ["New lesson…", "Open lesson…", "Save lesson as…"]
    assert {"Add current view as step", "Edit lesson…", "Present", "Quiz"} <= set(texts)
    quiz = next(a.menu() for a in menu.actions() if a.menu() is not None)
    assert [a.text().replace("&", "") for a in quiz.actions() if not a.isSeparator()] == [
        "Make quiz…", "Edit quiz…", "Take quiz…", "Export my answers…", "Collect answers…",
        "Student handout PDF…", "Answer key PDF…",
    ]  # fmt: skip
    feature = window.lesson_feature
    assert feature.new_action.isEnabled() and feature.open_action.isEnabled()
    # No lesson yet: what needs one waits, and says why in its tooltip.
    assert not feature.present_action.isEnabled() and not feature.take_quiz_action.isEnabled()
    assert all(a.toolTip() for a in [*feature.menu_actions, *feature.quiz_actions] if a is not None)
    assert "F5" in window.shortcuts_html()


def test_add_current_view_offers_what_the_window_shows(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    feature = window.lesson_feature
    feature.lesson = Lesson(title="Pacts")
    feature._update_actions()
    offered: list[list[str]] = []

    def choose(_parent, choices):  # type: ignore[no-untyped-def]
        offered.append(list(choices))
        return (0, "- Founded in 1949"), True

    monkeypatch.setattr(AddStepDialog, "get_value", classmethod(lambda cls, p, c: choose(p, c)))
    window.select_entity("nato")
    window.show_tab("graph")
    qtbot.waitUntil(lambda: window.graph_pane is not None and window.graph_pane.loaded)
    window.graph_pane.set_focus_depth(2)
    feature.add_step_action.trigger()
    step = feature.lesson.steps[-1]
    assert (step.kind, step.entity_id, step.depth, step.points) == ("focus", "nato", 2, "- Founded in 1949")
    assert offered[-1][0] == "Graph focus: NATO, 2 links out"
    assert "Entity: NATO" in offered[-1]
    assert feature.present_action.isEnabled()

    window.filter_pane.set_spec(FilterSpec(text="treaty"))
    window.graph_pane.set_focus_depth(0)
    window.show_tab("timeline")
    feature.add_step_action.trigger()
    assert feature.lesson.steps[-1].kind == "timeline" and any(o.startswith("Filter: “treaty”") for o in offered[-1])
    assert len(feature.lesson.steps) == 2
    assert "Step 2 added" in window.statusBar().currentMessage()


def test_nothing_to_add_says_what_to_do(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text: said.append(text))
    feature = window.lesson_feature
    feature.add_current_view()  # no lesson open
    assert "New lesson" in said[-1]
    feature.lesson = Lesson(title="Pacts")
    monkeypatch.setattr(feature.view, "capture", lambda: [])
    feature.add_current_view()
    assert "Select an entity" in said[-1] and feature.lesson.steps == ()


def test_a_chain_and_a_passage_become_steps_that_show_again(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    feature = window.lesson_feature
    feature.lesson = Lesson(title="Pacts")
    monkeypatch.setattr(AddStepDialog, "get_value", classmethod(lambda cls, p, c: ((0, ""), True)))
    window.show_tab("graph")
    qtbot.waitUntil(lambda: window.graph_pane is not None and window.graph_pane.loaded)
    window.graph_pane.show_connection("japan", "kazakhstan")
    feature.add_current_view()
    chain = feature.lesson.steps[-1]
    assert (chain.kind, chain.entity_id, chain.other_id) == ("chain", "japan", "kazakhstan")

    cite = window.repo.get_entity("nato").citations[0]
    window.open_passage(cite.document_id, cite.start, cite.end, cite.quote)
    feature.add_current_view()
    passage = feature.lesson.steps[-1]
    assert (passage.kind, passage.document_id, passage.start, passage.end) == (
        "passage", cite.document_id, cite.start, cite.end,
    )  # fmt: skip

    window.graph_pane.clear_connection()
    window.show_tab("timeline")
    feature.view.animation_ms = 0
    assert feature.view.apply(chain) == ""
    assert window.right_tabs.currentWidget() is window.graph_host and feature.view.chain == ("japan", "kazakhstan")
    assert feature.view.apply(passage) == ""
    assert window.right_tabs.currentWidget() is window.document_view
    assert window.document_view.selection_span()[:2] == (cite.start, cite.end)


def test_a_step_added_with_the_editor_open_is_one_undo_step_there(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    feature = window.lesson_feature
    feature.lesson = Lesson(title="Pacts")
    monkeypatch.setattr(AddStepDialog, "get_value", classmethod(lambda cls, p, c: ((0, "first"), True)))
    feature.edit_lesson()
    editor = feature.editor
    window.select_entity("nato")
    feature.add_current_view()
    assert editor.model.rowCount() == 1 and editor.current_row() == 0
    editor.points_edit.setPlainText("first, edited")
    window.select_entity("japan")
    feature.add_current_view()
    assert [s.points for s in feature.lesson.steps] == ["first, edited", "first"]
    assert editor.lesson == feature.lesson and editor.current_row() == 1
    editor.undo_button.click()  # the second step goes, the edit stays
    assert [s.points for s in feature.lesson.steps] == ["first, edited"]
    editor.undo_button.click()
    assert [s.points for s in feature.lesson.steps] == ["first"]
    editor.close()


def test_enter_in_the_editor_shows_the_step_in_the_window(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from app.core.lessons.model import Step

    feature = window.lesson_feature
    feature.lesson = Lesson(title="Pacts", steps=(Step("entity", entity_id="nato"), Step("entity", entity_id="japan")))
    feature.edit_lesson()
    editor = feature.editor
    editor.select_step(1)
    editor.list.setFocus()
    qtbot.keyClick(editor.list, Qt.Key.Key_Return)
    assert window.current_entity_id() == "japan"
    assert "Showing: Entity: Japan" in window.statusBar().currentMessage()
    editor.close()
