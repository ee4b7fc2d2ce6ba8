"""What a keystroke costs the GUI thread (issue 11): hidden results are not laid out, the list's focus
ring is drawn without the Python style, and the loaded window's heap is out of the collector's scans."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import Qt

from app.ui.panes.search_results import SearchResultsPane
from tests.ui.test_look import app_style  # noqa: F401  (the fixture: the application's real look)


def test_hidden_search_results_are_laid_out_when_shown(qtbot):
    pane = SearchResultsPane()
    qtbot.addWidget(pane)
    pane.show_results("zzqx", [], [])
    assert "No passage in the documents matches" not in pane.browser.toPlainText()  # hidden: not yet
    pane.show()
    qtbot.waitExposed(pane)
    assert "No passage in the documents matches “zzqx”" in pane.browser.toPlainText()
    pane.show_results("other", [], [])  # on screen: at once
    assert "matches “other”" in pane.browser.toPlainText()


def _ring_pixels(view, rect) -> int:
    from app.ui.style import FOCUS_COLOUR

    image = view.viewport().grab().toImage()
    n = 0
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            c = image.pixelColor(x, y)
            n += abs(c.red() - FOCUS_COLOUR.red()) + abs(c.green() - FOCUS_COLOUR.green()) < 40 and (
                abs(c.blue() - FOCUS_COLOUR.blue()) < 40
            )
    return n


@pytest.mark.usefixtures("app_style")
def test_the_lists_current_row_has_the_focus_ring_without_the_python_style(qtbot, window):
    from app.ui.style import FocusRingStyle

    view = window.list_pane.view
    assert not isinstance(view.style(), FocusRingStyle)  # plain Fusion paints the cells
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.select_entity("nato")
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus)
    row = view.visualRect(view.currentIndex())
    row.setLeft(0)
    row.setRight(view.viewport().width() - 1)
    ring = _ring_pixels(view, row)
    assert ring >= 2 * row.width() * 0.9  # a 2 px line along the top and bottom of the row at least
    window.filter_pane.search.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: not view.hasFocus())
    assert _ring_pixels(view, row) < ring / 4  # the ring goes with the focus


def test_the_loaded_windows_heap_is_left_out_of_full_collections(qtbot, window):
    assert window.graph_pane is not None and window.graph_pane.is_ready()
    assert gc.get_freeze_count() > 0
    window.close()
    assert gc.get_freeze_count() == 0  # closed: its objects can be collected again


def test_a_facet_list_whose_counts_did_not_change_is_not_refilled(qtbot):
    from app.core.query.views import FacetValue
    from app.ui.panes.facet_box import FacetBox

    box = FacetBox("kinds", "Kind", "What kind of entity it is")
    qtbot.addWidget(box)
    box.set_values([FacetValue("alliance", "Alliance", 3)], ())
    first = box.list.item(0)
    box.set_values([FacetValue("alliance", "Alliance", 3)], ())
    assert box.list.item(0) is first  # kept as it was
    box.set_values([FacetValue("alliance", "Alliance", 2)], ("alliance",))
    assert box.list.item(0).text() == "Alliance  (2)" and box.checked() == ("alliance",)
