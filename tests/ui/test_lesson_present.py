"""Presentation mode (issue 20): step through a lesson on the real window with real key events."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.lessons.model import Lesson, Step
from app.core.query.filters import FilterSpec


def _lesson() -> Lesson:
    return Lesson(
        title="Alliances of the Cold War",
        steps=(
            Step("entity", entity_id="nato", points="- The **North Atlantic** Treaty\n- 1949"),
            Step("focus", entity_id="nato", depth=1, points="Who is tied to NATO", trainer_notes="Ask the room"),
            Step("entity", entity_id="csto", question="Which alliance did Kazakhstan join in 1992?", points="The CSTO"),
            Step("filter", filter_json=FilterSpec(text="pact").to_json(), points="Every pact"),
        ),
    )


@pytest.fixture
def presenting(qtbot, window):  # type: ignore[no-untyped-def]
    feature = window.lesson_feature
    feature.view.animation_ms = 0
    feature.lesson = _lesson()
    feature._update_actions()
    window.select_entity("japan")
    window.show_tab("timeline")
    return window, feature


def _key(qtbot, window, key) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.focusWidget() or window, key)


def test_step_through_with_keys_and_leave_with_esc(qtbot, presenting) -> None:  # type: ignore[no-untyped-def]
    window, feature = presenting
    spec_before = window.current_spec()
    assert feature.present_action.shortcut().toString() == "F5"
    feature.present_action.trigger()
    show = feature.presentation
    assert show is not None and show.active
    panel = show.panel
    qtbot.waitUntil(panel.isVisible)
    assert not window.menuBar().isVisible() and not window.filter_pane.isVisible()
    assert panel.progress.text().startswith("1 of 4")
    assert window.current_entity_id() == "nato"
    assert "North Atlantic" in panel.points.toPlainText()
    assert panel.points.document().defaultFont().pixelSize() >= 22

    _key(qtbot, window, Qt.Key.Key_Right)  # the graph focused on NATO, one link out
    assert panel.progress.text().startswith("2 of 4")
    assert window.right_tabs.currentWidget() is window.graph_host
    assert window.graph_pane.focus_depth == 1 and window.graph_pane.selected_id == "nato"

    _key(qtbot, window, Qt.Key.Key_PageDown)  # a reveal step: the question first ...
    assert panel.progress.text().startswith("3 of 4")
    assert window.current_entity_id() == "csto"
    assert panel.question.text().startswith("Which alliance") and panel.points.toPlainText().strip() == ""
    _key(qtbot, window, Qt.Key.Key_Space)  # ... its points on the next press, same step
    assert panel.progress.text().startswith("3 of 4")
    assert "The CSTO" in panel.points.toPlainText()

    _key(qtbot, window, Qt.Key.Key_Space)
    assert panel.progress.text().startswith("4 of 4")
    assert window.current_spec().text == "pact"
    _key(qtbot, window, Qt.Key.Key_Right)  # the end: stays on the last step
    assert panel.progress.text().startswith("4 of 4")

    _key(qtbot, window, Qt.Key.Key_Left)
    assert panel.progress.text().startswith("3 of 4") and "The CSTO" in panel.points.toPlainText()

    with qtbot.waitSignal(show.finished):
        _key(qtbot, window, Qt.Key.Key_Escape)
    assert feature.presentation is None
    assert window.menuBar().isVisible() and window.filter_pane.isVisible() and window.list_pane.isVisible()
    assert window.current_entity_id() == "japan"
    assert window.current_spec() == spec_before
    assert window.right_tabs.currentWidget() is window.timeline_host
    assert not window.isFullScreen()
    assert feature.present_action.isEnabled()


def test_a_missing_entity_is_said_on_the_slide(qtbot, presenting) -> None:  # type: ignore[no-untyped-def]
    window, feature = presenting
    feature.lesson = Lesson(title="T", steps=(Step("entity", entity_id="no-such-thing", points="x"),))
    feature.present()
    panel = feature.presentation.panel
    assert "no entity 'no-such-thing'" in panel.problem.text()
    assert window.current_entity_id() == "japan"  # nothing changed
    _key(qtbot, window, Qt.Key.Key_Escape)
    assert feature.presentation is None


def test_second_screen_shows_trainer_notes_and_next_step(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QGuiApplication

    feature = window.lesson_feature
    feature.view.animation_ms = 0
    feature.lesson = _lesson()
    screen = QGuiApplication.primaryScreen()
    feature._screens = lambda: [screen, screen]
    feature.present(start=1)
    notes = feature.presentation.notes_view
    assert notes is not None and notes.isVisible()
    assert "Ask the room" in notes.notes.toPlainText()
    assert notes.next.text().startswith("Next: Entity")
    _key(qtbot, window, Qt.Key.Key_Escape)
    assert feature.presentation is None


def test_the_graph_glides_from_the_previous_view(qtbot, presenting) -> None:  # type: ignore[no-untyped-def]
    window, feature = presenting
    feature.view.animation_ms = 200
    feature.present()
    qtbot.waitUntil(lambda: window.graph_pane is not None and window.graph_pane.loaded)
    box = window.graph_pane.view_box
    before = box.viewRect()
    frames: list[object] = []
    box.sigRangeChanged.connect(lambda *_a: frames.append(box.viewRect()))
    _key(qtbot, window, Qt.Key.Key_Right)  # to the focus step: the view moves there over a few frames
    assert feature.view.animations
    qtbot.waitUntil(lambda: not feature.view.animations, timeout=3000)
    after = box.viewRect()
    assert after != before and len(frames) > 2
    assert frames[-1] == after
    _key(qtbot, window, Qt.Key.Key_Escape)
