"""The timeline draws only stated years, lists the rest, honours the filter and selects on click."""

from __future__ import annotations

from itertools import pairwise

import pytest
from PySide6.QtCore import Qt

from app.core.filters import FilterSpec
from app.ui.timeline_view import TimelineView


@pytest.fixture
def timeline(qtbot, repo):
    view = TimelineView(repo=repo)
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_only_stated_founding_years_are_drawn(repo, timeline):
    rows = repo.list_entities(FilterSpec())
    dated = {r.id for r in rows if r.founded is not None}
    assert set(timeline.drawn_ids) == dated
    assert {"nato", "csto", "warsaw-pact"} <= dated
    assert "five-eyes" in timeline.undated_ids and "five-eyes" not in timeline.drawn_ids
    assert set(timeline.undated_ids) | dated == {r.id for r in rows}
    assert timeline.bar_extents()["nato"] == (1949, None)  # no end year stated: open bar
    assert timeline.undated_label.text().startswith("Founding year &not stated (")


def test_rows_are_in_founding_order(timeline):
    years = [timeline.bar_extents()[i][0] for i in timeline.drawn_ids]
    assert years == sorted(years)


def test_filter_is_honoured(timeline):
    timeline.set_filter(FilterSpec(kinds=("alliance",)))
    assert set(timeline.drawn_ids) == {"nato", "csto", "warsaw-pact"}
    assert "treaty-of-westphalia" not in timeline.drawn_ids
    assert "five-eyes" in timeline.undated_ids and "armenia" not in timeline.undated_ids


def test_click_on_row_selects(qtbot, timeline):
    pos = timeline.plot.mapFromScene(timeline.row_scene_pos("csto"))
    with qtbot.waitSignal(timeline.entity_selected, timeout=2000) as sig:
        qtbot.mouseClick(timeline.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert sig.args == ["csto"]
    assert timeline.selected_id == "csto"


def test_click_on_undated_entity_selects(qtbot, timeline):
    item = timeline.undated_list.item(0)
    with qtbot.waitSignal(timeline.entity_selected, timeout=2000) as sig:
        timeline.undated_list.itemClicked.emit(item)
    assert sig.args == [item.data(Qt.ItemDataRole.UserRole)]


def test_window_filter_reaches_the_timeline_once_typing_pauses_and_it_is_shown(qtbot, window, settle):
    timeline = window.timeline_view
    redraws = []
    timeline.redrawn.connect(lambda: redraws.append(1))
    window.right_tabs.setCurrentIndex(0)  # the graph tab: the timeline is hidden
    qtbot.keyClicks(window.filter_pane.search, "CSTO")
    settle(window)
    qtbot.wait(200)
    assert redraws == []  # nothing drawn while hidden, however many keys were typed
    window.right_tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(redraws) == 1, timeout=2000)
    assert "csto" in timeline.drawn_ids and "nato" not in timeline.drawn_ids
    qtbot.keyClicks(window.filter_pane.search, "XYZ")  # visible now: one redraw after the pause
    qtbot.waitUntil(lambda: len(redraws) == 2, timeout=2000)
    qtbot.wait(300)
    assert len(redraws) == 2 and timeline.drawn_ids == []


def test_row_names_label_the_left_axis_without_overlapping(qtbot, timeline):
    labels = timeline.visible_row_labels()
    assert "NATO · 1949" in labels and any(label.startswith("Collective Security Treaty…") for label in labels)
    assert len(labels) == len(timeline.drawn_ids)  # a few rows: every one is named
    timeline.resize(1000, 120)  # now rows are thinner than a line of text: every n-th row is named
    qtbot.waitUntil(lambda: len(timeline.visible_row_labels()) < len(timeline.drawn_ids), timeout=2000)
    ticks = timeline._left_axis._tickLevels[0]
    rows = [int(pos) for pos, _text in ticks]
    px = timeline.view_box.height() / (timeline.view_box.viewRange()[1][1] - timeline.view_box.viewRange()[1][0])
    line = timeline.fontMetrics().height()
    assert all((b - a) * px >= line for a, b in pairwise(rows))
