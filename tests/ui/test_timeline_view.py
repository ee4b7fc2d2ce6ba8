"""The timeline draws only stated years, lists the rest, honours the filter and selects on click."""

from __future__ import annotations

from itertools import pairwise

import pytest
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QFont, QFontInfo, QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle

from app.core.query.filters import FilterSpec
from app.ui.timeline.timeline_view import TimelineView


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
    line = QFontMetrics(_tick_font(timeline)).height()
    assert all((b - a) * px >= line for a, b in pairwise(rows))


def _tick_font(view) -> QFont:
    """The font the row names and years are drawn in (pyqtgraph's default when none is set)."""
    return view.plot.getAxis("left").style["tickFont"] or QApplication.font()


def _ink_height(view, axis, *, skip_right=0, skip_top=0) -> int:
    """Tallest run of pixel rows with dark text in the axis' area of the rendered plot: the text's
    height on screen, whatever font object drew it."""
    rect = view.plot.mapFromScene(axis.mapRectToScene(QRectF(0, 0, axis.width(), axis.height()))).boundingRect()
    rect = rect.adjusted(0, skip_top, -skip_right, 0) & QRect(0, 0, view.plot.viewport().width(), 10**6)
    image = view.plot.viewport().grab().toImage()
    best = run = 0
    for y in range(rect.top(), rect.bottom() + 1):
        inked = any(image.pixelColor(x, y).value() < 170 for x in range(rect.left(), rect.right() + 1))
        run = run + 1 if inked else 0
        best = max(best, run)
    return best


def _text_heights(qtbot, window):
    view = window.timeline_view
    qtbot.wait(300)  # the style sheet's font reaches the panes, pyqtgraph repaints
    left = _ink_height(view, view.plot.getAxis("left"), skip_right=12)  # not the axis line and its ticks
    bottom = _ink_height(view, view.plot.getAxis("bottom"), skip_top=8)
    return left, bottom


def test_zoom_grows_the_timeline_text_and_back(qtbot, window):
    window.resize(1920, 1080)
    window.show_tab("timeline")
    view = window.timeline_view
    qtbot.waitUntil(lambda: "NATO · 1949" in view.visible_row_labels(), timeout=3000)
    left, bottom = _text_heights(qtbot, window)
    assert left >= 7 and bottom >= 7
    window.set_zoom(200)
    big_left, big_bottom = _text_heights(qtbot, window)
    assert big_left >= 1.6 * left and big_bottom >= 1.6 * bottom  # ~doubled, like the text elsewhere
    assert abs(_tick_font(view).pixelSize() - QFontInfo(window.font()).pixelSize()) <= 1  # as big as the rest
    assert "NATO · 1949" in view.visible_row_labels()
    # the zoomed names still leave the bars room: each fits half the chart's width in the zoomed font
    metrics = QFontMetrics(_tick_font(view))
    assert all(metrics.horizontalAdvance(t) <= view.plot.width() * 0.5 + 1 for t in view.visible_row_labels())
    assert view.plot.getAxis("left").width() < view.plot.width() * 0.6
    window.set_zoom(100)
    assert _text_heights(qtbot, window) == (left, bottom)


def test_zoomed_rows_are_named_no_closer_than_a_zoomed_line(qtbot, window):
    window.set_zoom(200)
    window.show_tab("timeline")
    view = window.timeline_view
    qtbot.waitUntil(lambda: bool(view.visible_row_labels()), timeout=3000)
    window.resize(1280, 500)  # rows thinner than a 24 px line: every n-th row is named
    qtbot.waitUntil(lambda: len(view.visible_row_labels()) < len(view.drawn_ids), timeout=3000)
    ticks = view._left_axis._tickLevels[0]
    top, bottom = view.view_box.viewRange()[1]
    px = view.view_box.height() / (bottom - top)
    line = QFontMetrics(_tick_font(view)).height()
    assert line >= 20
    assert all((b - a) * px >= line for a, b in pairwise(int(pos) for pos, _t in ticks))


def _undated_items_readable(view) -> None:
    lst = view.undated_list
    room = lst.viewport().width()
    metrics = lst.fontMetrics()
    margin = lst.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, lst) + 1  # the item's text margin
    assert lst.count() == len(view.undated_ids) > 0
    for k in range(lst.count()):
        item = lst.item(k)
        rect = lst.visualItemRect(item)
        assert rect.width() <= room, item.text()  # never runs past the list's edge
        wrap = QRect(0, 0, rect.width() - 2 * margin, 10**6)
        text_rect = metrics.boundingRect(wrap, Qt.TextFlag.TextWordWrap, item.text())
        assert text_rect.height() <= rect.height() + 1, item.text()  # every line of the name is shown
        assert text_rect.width() <= wrap.width(), item.text()
    assert all(lst.item(k).text() in lst.item(k).toolTip() for k in range(lst.count()))  # the full name


def test_undated_names_are_readable_at_any_zoom(qtbot, window):
    window.show_tab("timeline")
    view = window.timeline_view
    qtbot.waitUntil(lambda: view.undated_list.count() > 0, timeout=3000)
    _undated_items_readable(view)
    for zoom in (200, 300):
        window.set_zoom(zoom)
        qtbot.wait(300)  # the list lays its items out again
        _undated_items_readable(view)
    lst = view.undated_list
    longest = max(
        (lst.item(k) for k in range(lst.count())), key=lambda i: lst.fontMetrics().horizontalAdvance(i.text())
    )
    assert lst.fontMetrics().horizontalAdvance(longest.text()) > lst.viewport().width()  # too long for one line...
    assert lst.visualItemRect(longest).height() > 1.5 * lst.fontMetrics().height()  # ...so it wraps


def test_a_narrow_undated_strip_wraps_long_names(qtbot, timeline):
    timeline.resize(180, 500)
    qtbot.wait(300)
    _undated_items_readable(timeline)


def _wheel(widget, pos, delta: int) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    ev = QWheelEvent(
        QPointF(pos),
        QPointF(widget.mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, ev)


def test_the_axis_breaks_after_an_early_outlier_so_modern_years_get_the_width(timeline):
    """Westphalia (1648) must not squeeze 1949–2006 into the right tenth: the axis breaks, as in the PDF."""
    sc = timeline.scale
    assert sc.rest is not None and sc.lo <= 1648 < sc.lo + sc.left_years < sc.rest <= 1949
    x0, x1 = timeline.view_box.viewRange()[0]
    modern = (sc.x(2006) - sc.x(1949)) / (x1 - x0)
    assert modern > 0.4  # not a sliver
    assert sc.x(1648) < sc.x(sc.rest) and round(sc.year(sc.x(1648))) == 1648
    assert timeline._break_line.isVisible()
    axis = timeline._bottom_axis
    values = [v for _s, vs in axis.tickValues(x0, x1, 800) for v in vs]
    labels = axis.tickStrings(values, 1.0, 10)
    assert str(sc.lo) in labels and not any(sc.in_gap(v) for v in values)


def test_the_wheel_zooms_the_years_only_and_home_or_fit_all_brings_everything_back(qtbot, timeline):
    vp = timeline.plot.viewport()
    rows_before = timeline.view_box.viewRange()[1]
    years_before = timeline.view_box.viewRange()[0]
    for _ in range(6):
        _wheel(vp, vp.rect().center(), 120)
    qtbot.waitUntil(lambda: timeline.view_box.viewRange()[0] != years_before)
    x0, x1 = timeline.view_box.viewRange()[0]
    assert x1 - x0 < (years_before[1] - years_before[0]) * 0.8  # zoomed into the years
    assert timeline.view_box.viewRange()[1] == pytest.approx(rows_before)  # the rows did not move
    timeline.plot.setFocus()
    qtbot.keyClick(timeline.plot, Qt.Key.Key_Home)
    assert timeline.view_box.viewRange()[0] == pytest.approx(years_before, abs=1)
    for _ in range(6):
        _wheel(vp, vp.rect().center(), 120)
    timeline.plot.customContextMenuRequested.emit(vp.rect().center())
    fit = [a for a in timeline.context_menu.actions() if a.text() == "&Fit all"]
    assert fit
    fit[0].trigger()
    assert timeline.view_box.viewRange()[0] == pytest.approx(years_before, abs=1)
    timeline.context_menu.close()
