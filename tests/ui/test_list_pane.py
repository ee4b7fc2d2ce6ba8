"""The entity list: model correctness, SQL sorting, type-ahead, Enter, empty state, context menu hook."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from app.core.query.filters import FilterSpec
from app.ui.panes.entity_model import COL_FOUNDED, COL_NAME, EntityTableModel
from app.ui.panes.list_pane import ListPane


@pytest.fixture
def pane(qtbot, repo):
    """The list alone (no main window), with every entity."""
    p = ListPane()
    qtbot.addWidget(p)
    p.set_rows(repo.list_entities(FilterSpec()))
    p.resize(600, 500)
    p.show()
    qtbot.waitExposed(p)
    return p


def test_model_passes_qtmodeltester(qtmodeltester, repo):
    model = EntityTableModel()
    model.set_rows(repo.list_entities(FilterSpec()))
    qtmodeltester.check(model, force_py=True)
    model.set_rows([])
    qtmodeltester.check(model, force_py=True)


def test_model_shows_precomputed_values(repo):
    model = EntityTableModel()
    model.set_rows(repo.list_entities(FilterSpec(text="nato")))
    row = model.row_for_id("nato")
    assert row is not None
    assert model.index(row, COL_NAME).data() == "NATO"
    assert model.index(row, COL_FOUNDED).data() == "1949"
    assert model.index(row, COL_NAME).data(Qt.ItemDataRole.DecorationRole) is not None


def test_header_click_asks_for_sql_sort(qtbot, repo):
    pane = ListPane()
    qtbot.addWidget(pane)
    pane.set_rows(repo.list_entities(FilterSpec()))
    with qtbot.waitSignal(pane.sort_requested) as blocker:
        pane.view.sortByColumn(COL_FOUNDED, Qt.SortOrder.DescendingOrder)
    assert blocker.args == ["founded", True]


def test_sort_by_founded_reorders_list(qtbot, window, settle):
    window.list_pane.view.sortByColumn(COL_FOUNDED, Qt.SortOrder.AscendingOrder)
    settle(window)
    years = [r.founded for r in window.list_pane.model.rows() if r.founded is not None]
    assert years == sorted(years) and len(years) > 3
    assert window.current_spec().sort == "founded"


def test_type_ahead_and_enter_open(qtbot, window):
    view = window.list_pane.view
    view.setFocus()
    view.setCurrentIndex(window.list_pane.model.index(0, COL_NAME))
    qtbot.keyClicks(view, "NAT")
    assert window.current_entity_id() == "nato"
    with qtbot.waitSignal(window.list_pane.entity_opened) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args == ["nato"]
    assert window.detail_pane.browser.hasFocus()


def test_type_ahead_finds_names_from_any_column(qtbot, pane):
    view = pane.view
    view.setFocus()
    view.setCurrentIndex(pane.model.index(0, 1))  # a cell in the Kind column
    with qtbot.waitSignal(pane.entity_chosen) as blocker:
        qtbot.keyClicks(view, "NAT")
    assert blocker.args == ["nato"] and pane.current_id() == "nato"


def test_arrow_keys_move_selection(qtbot, pane):
    view = pane.view
    pane.set_current("nato")
    view.setFocus()
    below = pane.model.entity_at(pane.model.row_for_id("nato") + 1)
    with qtbot.waitSignal(pane.entity_chosen) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Down)
    assert blocker.args == [below.id]


def test_empty_result_offers_clear(qtbot, window, settle):
    window.filter_pane.search.setText("zzzqqqnothing")
    settle(window)
    assert window.list_pane.stack.currentIndex() == 1
    assert "No entities match" in window.list_pane.empty_label.text()
    assert window.count_label.text() == "0 of 50 entities"
    qtbot.mouseClick(window.list_pane.clear_button, Qt.MouseButton.LeftButton)
    settle(window)
    assert window.filter_pane.search.text() == ""
    assert window.list_pane.model.rowCount() == 50
    assert window.list_pane.stack.currentIndex() == 0


def test_context_menu_hook_gets_selection(qtbot, pane):
    pane.set_current("nato")
    seen = []

    def add(ids, menu):
        seen.append(list(ids))
        menu.addAction("Tag selected…")

    pane.context_menu_requested.connect(add)
    menu = pane.build_context_menu()
    assert isinstance(menu, QMenu)
    assert seen == [["nato"]]
    assert "Tag selected…" in [a.text() for a in menu.actions()]


def test_ctrl_click_builds_a_multi_selection_for_tagging(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    view = window.list_pane.view
    model = window.list_pane.model

    def click(row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        rect = view.visualRect(model.index(row, 0))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())

    click(0)
    click(2, Qt.KeyboardModifier.ControlModifier)
    click(4, Qt.KeyboardModifier.ControlModifier)
    rows = model.rows()
    assert window.selected_ids() == [rows[0].id, rows[2].id, rows[4].id]
    assert window.current_entity_id() == rows[4].id  # the last click is shown in the details
    click(2, Qt.KeyboardModifier.ControlModifier)  # Ctrl+click again takes one out
    assert window.selected_ids() == [rows[0].id, rows[4].id]
