"""The window's look in use: one font from the first paint, a visible focus ring, panes that keep their room."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication


@pytest.fixture
def app_style(qapp):
    """The application's real look (font, palette, style sheet), as `alliance-atlas` starts with it."""
    from app.ui.style import apply_style

    font, palette = qapp.font(), qapp.palette()
    apply_style(qapp)
    yield
    qapp.setStyleSheet("")
    qapp.setFont(font)
    qapp.setPalette(palette)


def test_one_interface_font_from_the_first_paint(qtbot, app_style, window):
    """Issue 14: the first PDF export switched the interface font mid-session and clipped descenders."""
    from app.ui.report.report import load_fonts

    assert QApplication.font().family() == "Noto Sans"  # named, not a generic family resolved later
    facet = window.filter_pane.facets["kinds"].list
    before = (QFontInfo(facet.font()).family(), facet.font().pointSizeF(), facet.height())
    assert before[0] == "Noto Sans"
    load_fonts()  # what the first PDF export does
    QApplication.processEvents()
    assert (QFontInfo(facet.font()).family(), facet.font().pointSizeF(), facet.height()) == before
    for box in window.filter_pane.facets.values():  # every row tall enough for "g" and "y"
        lst = box.list
        for i in range(lst.count()):
            rect = lst.visualItemRect(lst.item(i))
            assert rect.height() >= lst.fontMetrics().height(), (box.field, lst.item(i).text())
            assert rect.bottom() <= lst.viewport().height() or i >= 6  # the visible rows are whole
