"""The document viewer: outline, quote highlight, find, entity links, add-note request (most with the view alone)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.ui.panes.document_view import DocumentReaderView


@pytest.fixture
def dv(qtbot, repo):
    """The document view alone, over the real repository (no main window)."""
    view = DocumentReaderView(load_document=repo.get_document, documents=repo.documents())
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_outline_and_entity_links(qtbot, window):
    dv = window.document_view
    assert dv.open_document("military-alliances-and-partnerships")
    assert dv.outline.topLevelItemCount() > 0
    html = dv.text.toHtml()
    assert 'href="entity:nato"' in html
    with qtbot.waitSignal(window.entity_selected) as blocker:
        dv.entity_link_activated.emit("nato")
    assert blocker.args == ["nato"]


def test_text_positions_match_database_offsets(qtbot, dv, repo):
    doc = repo.get_document("military-alliances-and-partnerships")
    dv.open_document(doc.info.id)
    m = doc.mentions[5]
    c = QTextCursor(dv.text.document())
    c.setPosition(m.start)
    c.setPosition(m.end, QTextCursor.MoveMode.KeepAnchor)
    assert c.selectedText() == doc.text[m.start : m.end]


def test_document_tab_shows_the_pickers_document_when_first_shown(qtbot, window, repo):
    dv = window.document_view
    assert window.right_tabs.currentWidget() is not dv
    assert dv.document_id is None  # not loaded at startup
    window.show_tab("document")
    first = dv.picker.currentData()
    assert dv.document_id == first
    text = repo.get_document(first).text
    assert dv.text.toPlainText() == text
    assert dv.outline.topLevelItemCount() > 0


def test_a_passage_opened_before_the_tab_was_shown_wins(qtbot, window, repo):
    dv = window.document_view
    target = dv.picker.itemData(dv.picker.count() - 1)
    assert target != dv.picker.currentData()
    window.open_passage(target, 0, 20)
    assert dv.document_id == target
    assert dv.picker.currentData() == target


def _matches(repo, doc_id: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), repo.get_document(doc_id).text, re.IGNORECASE)]


def test_find_in_document(qtbot, window, repo):
    dv = window.document_view
    doc_id = "joint-military-exercises"
    starts = _matches(repo, doc_id, "exercise")
    n = len(starts)
    assert n >= 3
    dv.open_document(doc_id)
    window.show_tab("document")
    dv.text.setFocus()
    window.act_find.trigger()  # Ctrl+F while reading finds in the document
    assert dv.find_box.hasFocus()
    qtbot.keyClicks(dv.find_box, "exercise")
    assert dv.find_status.text() == f"1 of {n}"
    assert dv.text.textCursor().selectionStart() == starts[0]
    assert dv.text.textCursor().selectedText().lower() == "exercise"
    qtbot.keyClick(dv.find_box, Qt.Key.Key_Return)
    assert dv.find_status.text() == f"2 of {n}"
    assert dv.text.textCursor().selectionStart() == starts[1]
    qtbot.keyClick(dv.find_box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert dv.find_status.text() == f"1 of {n}"
    qtbot.keyClick(dv.find_box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # wraps to the last
    assert dv.find_status.text() == f"{n} of {n}"
    assert dv.text.textCursor().selectionStart() == starts[-1]
    qtbot.keyClick(dv.find_box, Qt.Key.Key_F3)  # wraps to the first
    assert dv.find_status.text() == f"1 of {n}"
    qtbot.mouseClick(dv.next_button, Qt.MouseButton.LeftButton)
    assert dv.find_status.text() == f"2 of {n}"
    qtbot.mouseClick(dv.prev_button, Qt.MouseButton.LeftButton)
    assert dv.find_status.text() == f"1 of {n}"
    assert dv.find_box.hasFocus() or dv.prev_button.hasFocus()
    dv.find_box.setText("qqqzzz")
    assert dv.find_status.text() == "Not found"


def test_escape_in_find_clears_the_highlights_and_returns_to_the_text(qtbot, dv, repo):
    dv.open_document("joint-military-exercises")
    dv.start_find()
    qtbot.keyClicks(dv.find_box, "exercise")
    assert len(dv.text.extraSelections()) > 1  # every match, and the current one
    qtbot.keyClick(dv.find_box, Qt.Key.Key_Return)
    assert dv.find_status.text().startswith("2 of ")
    qtbot.keyClick(dv.find_box, Qt.Key.Key_Escape)
    assert dv.text.extraSelections() == []
    assert dv.find_status.text() == ""
    assert dv.find_match_count == 0
    assert dv.text.hasFocus()
    qtbot.keyClick(dv.text, Qt.Key.Key_F3)  # the query stays: F3 finds again, after the reading position
    assert dv.find_status.text().startswith("3 of ")
    assert dv.text.extraSelections()


def test_add_note_request_carries_span(qtbot, dv, repo):
    doc = repo.get_document("joint-military-exercises")
    dv.open_document(doc.info.id)
    c = QTextCursor(dv.text.document())
    c.setPosition(10)
    c.setPosition(40, QTextCursor.MoveMode.KeepAnchor)
    dv.text.setTextCursor(c)
    with qtbot.waitSignal(dv.add_note_requested) as blocker:
        dv.add_note_action.trigger()
    assert blocker.args == [doc.info.id, 10, 40, doc.text[10:40]]


def test_search_passage_opens_in_viewer(qtbot, window, settle):
    window.filter_pane.search.setText("intelligence")
    settle(window)
    assert window.search_pane.hits
    assert window.right_tabs.tabText(3).startswith("Search (")
    hit = window.search_pane.hits[0]
    window.show_tab("search")  # laid out when shown (a hidden tab is not rendered per keystroke)
    assert "intelligence" in window.search_pane.browser.toPlainText().lower()
    window.search_pane.follow_link("passage:0")
    assert window.right_tabs.currentWidget() is window.document_view
    assert window.document_view.document_id == hit.document_id
    assert window.document_view.text.textCursor().selectionStart() == hit.start


def test_an_opened_passage_sits_in_the_upper_part_of_the_view(qtbot, dv, repo):
    doc = repo.get_document("military-alliances-and-partnerships")
    start = doc.text.index("The Collective Security Treaty Organization is a regional")
    end = start + 60
    assert dv.show_passage(doc.info.id, start, end, doc.text[start:end])
    c = QTextCursor(dv.text.document())
    c.setPosition(start)
    top = dv.text.cursorRect(c).top()
    assert 0 <= top < dv.text.viewport().height() / 2  # read with its context below, not on the bottom edge


def test_markdown_heading_marks_recede_and_headings_are_bold(qtbot, dv, repo):
    doc = next(d for d in repo.documents() if d.file_name.endswith(".md"))
    view = dv
    assert view.open_document(doc.id)
    text = view.text.toPlainText()
    start = text.index("## ")
    cursor = QTextCursor(view.text.document())
    cursor.setPosition(start + 1)  # the format of the character before this position: the first "#"
    assert cursor.charFormat().foreground().color().name() == "#b0b8c2"
    cursor.setPosition(start + 4)  # inside the heading's words
    assert cursor.charFormat().fontWeight() >= 600


def test_a_search_that_finds_nothing_leaves_no_old_match_highlighted(qtbot, dv, repo):
    """Issue 14: after "is" matched inside "historical", typing on to "islamic" (no match) must not
    leave the earlier partial match selected."""
    doc_id = "joint-military-exercises"
    dv.open_document(doc_id)
    dv.start_find()
    qtbot.keyClicks(dv.find_box, "is")
    assert dv.text.textCursor().hasSelection()
    assert dv.text.textCursor().selectedText().lower() == "is"
    qtbot.keyClicks(dv.find_box, "qqqzzz")
    assert dv.find_status.text() == "Not found"
    assert not dv.text.textCursor().hasSelection()
    assert dv.text.extraSelections() == []
