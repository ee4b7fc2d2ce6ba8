"""The window's look in use: one font from the first paint, a visible focus ring, panes that keep their room."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
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


def _dock_laid_out(qtbot, window, dock) -> None:
    dock.toggleViewAction().trigger() if dock.isHidden() else None
    qtbot.waitUntil(lambda: dock.isVisible() and dock.width() > 100, timeout=5000)
    QApplication.processEvents()
    QApplication.processEvents()


def test_opening_the_notes_dock_at_1280_keeps_every_pane_usable(qtbot, app_style, window):
    """Issue 14: at 1280x800 the Notes dock squeezed the document column to ~100 px (words broken),
    the side tabs needed scroll arrows and the list was cut."""
    from app.ui.panes.document_view import TEXT_MIN_WIDTH

    window.resize(1280, 800)
    dv = window.document_view
    dock = window.docks["notes"]
    assert dock.isHidden()  # narrow window: it starts closed
    _dock_laid_out(qtbot, window, dock)  # opened while the graph tab shows...
    window.show_tab("document")  # ...then the document
    qtbot.waitUntil(lambda: dv.document_id is not None)
    qtbot.waitUntil(lambda: dv.text.width() >= 300, timeout=5000)  # a readable column, not a sliver
    assert dv.text.width() >= TEXT_MIN_WIDTH
    assert dv.outline_folded and dv.sections_button.isVisible()  # the outline gave way first
    bar = window.right_tabs.tabBar()
    assert bar.width() >= bar.sizeHint().width() - 2  # every tab in full: no scroll arrows
    assert all(bar.tabRect(i).right() <= bar.width() for i in range(bar.count()))
    sizes = window.main_splitter.sizes()
    assert sizes[0] >= 180 and sizes[1] >= 300 and sizes[2] >= 360, sizes
    assert dock.width() >= 240
    # The list's name column keeps its room (its minimum: 18 average characters), and no column is
    # cut by the right edge: each is wholly in view or wholly past the edge (scroll to it).
    view = window.list_pane.view
    header = view.horizontalHeader()
    assert header.sectionSize(0) >= view.fontMetrics().averageCharWidth() * 18
    room = view.viewport().width()
    for col in range(header.count()):
        left = header.sectionViewportPosition(col)
        right = left + header.sectionSize(col)
        assert right <= room or left >= room, (col, left, right, room)
    # Closing the dock gives the room back and the outline returns.
    dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: not dv.outline_folded, timeout=5000)
    assert not dv.sections_button.isVisible()


def test_sections_menu_goes_to_a_section_while_the_outline_is_folded(qtbot, window):
    dv = window.document_view
    window.show_tab("document")
    qtbot.waitUntil(lambda: dv.document_id is not None)
    dv.resize(380, 600)  # narrow: the outline folds away
    dv.fit_outline()
    assert dv.outline_folded and dv.sections_button.isVisible()
    dv.sections_menu.aboutToShow.emit()
    names = [a.text().strip() for a in dv.sections_menu.actions() if a.text()]
    last_section = dv.outline.topLevelItem(dv.outline.topLevelItemCount() - 1)
    assert last_section.text(0) in names
    go = next(a for a in dv.sections_menu.actions() if a.text().strip() == last_section.text(0))
    go.trigger()
    assert dv.text.textCursor().position() == int(last_section.data(0, Qt.ItemDataRole.UserRole))
    show = dv.sections_menu.actions()[0]  # "Show the outline beside the text"
    show.trigger()
    assert not dv.outline_folded and not dv.sections_button.isVisible()
    dv.fit_outline()
    assert not dv.outline_folded  # pinned by the user: it stays while the view is narrow


def test_shortcuts_dialog_fits_the_screen_and_scrolls(qtbot, window, monkeypatch):
    """Issue 14: F1's dialog was 928 px tall, its OK button below a 768-px screen."""
    from PySide6.QtWidgets import QDialog

    from app.ui.shortcuts_dialog import ShortcutsDialog

    seen = {}

    def fake_exec(dlg):
        dlg.show()
        qtbot.waitExposed(dlg)
        room = dlg.screen().availableGeometry()
        seen.update(
            type=type(dlg),
            bottom=dlg.frameGeometry().height(),
            room=room.height(),
            button=dlg.close_button.isVisible(),
            text=dlg.browser.toPlainText(),
        )
        dlg.browser.resize(dlg.browser.width(), 200)  # a short screen: the table scrolls
        QApplication.processEvents()
        seen["scrolls"] = dlg.browser.verticalScrollBar().maximum() > 0
        dlg.close()
        return 0

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    window.act_shortcuts.trigger()
    assert seen["type"] is ShortcutsDialog
    assert seen["bottom"] <= seen["room"]  # the whole dialog, Close button included, on screen
    assert seen["button"] and seen["scrolls"]
    assert "Ctrl+Shift+M" in seen["text"] or "Notes" in seen["text"]
    assert "Zoom in" in seen["text"] and "Esc" in seen["text"]


def _focus_pixels(widget) -> int:
    from app.ui.style import FOCUS_COLOUR

    image = widget.grab().toImage()
    target = FOCUS_COLOUR
    n = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if abs(c.red() - target.red()) + abs(c.green() - target.green()) + abs(c.blue() - target.blue()) < 40:
                n += 1
    return n


def test_keyboard_focus_shows_a_thick_high_contrast_ring(qtbot, app_style, window):
    """Issue 14: keyboard focus was a faint 1 px dotted line, invisible on a projector."""
    from PySide6.QtCore import Qt

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    fp = window.filter_pane
    facet = fp.facets["kinds"].list
    facet.setCurrentRow(0)
    window.show_tab("document")
    qtbot.waitUntil(lambda: getattr(window, "notes_pane", None) is not None, timeout=5000)
    window.docks["notes"].show()
    widgets = (
        fp.clear_button,
        fp.search,
        facet,
        fp.members_mode,
        window.list_pane.view,
        window.document_view.text,  # a text browser
        window.notes_pane.editor.body_edit,  # a plain text editor
    )
    for widget in widgets:
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus)
        w, h = widget.width(), widget.height()
        ring = _focus_pixels(widget)
        assert ring >= 2 * (w + h) * 2 * 0.8, (type(widget).__name__, ring, w, h)  # >= 2 px all round
        fp.saved_button.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda: not widget.hasFocus())
        assert _focus_pixels(widget) < ring / 4, type(widget).__name__  # the ring goes with the focus
