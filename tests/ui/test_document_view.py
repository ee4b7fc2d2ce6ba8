"""The document viewer: outline, quote highlight, find, entity links, add-note request."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor


def test_outline_and_entity_links(qtbot, window):
    dv = window.document_view
    assert dv.open_document("military-alliances-and-partnerships")
    assert dv.outline.topLevelItemCount() > 0
    html = dv.text.toHtml()
    assert 'href="entity:nato"' in html
    with qtbot.waitSignal(window.entity_selected) as blocker:
        dv.entity_link_activated.emit("nato")
    assert blocker.args == ["nato"]


def test_text_positions_match_database_offsets(qtbot, window, repo):
    doc = repo.get_document("military-alliances-and-partnerships")
    dv = window.document_view
    dv.open_document(doc.info.id)
    m = doc.mentions[5]
    c = QTextCursor(dv.text.document())
    c.setPosition(m.start)
    c.setPosition(m.end, QTextCursor.MoveMode.KeepAnchor)
    assert c.selectedText() == doc.text[m.start : m.end]


def test_find_in_document(qtbot, window):
    dv = window.document_view
    dv.open_document("joint-military-exercises")
    window.show_tab("document")
    dv.text.setFocus()
    window.act_find.trigger()  # Ctrl+F while reading finds in the document
    assert dv.find_box.hasFocus()
    qtbot.keyClicks(dv.find_box, "exercise")
    assert "found" in dv.find_status.text() and not dv.find_status.text().startswith("0")
    first = dv.text.textCursor().selectionStart()
    assert dv.find_next()
    assert dv.text.textCursor().selectionStart() != first
    dv.find_box.setText("qqqzzz")
    assert dv.find_status.text() == "Not found"


def test_add_note_request_carries_span(qtbot, window, repo):
    dv = window.document_view
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
    assert "intelligence" in window.search_pane.browser.toPlainText().lower()
    window.search_pane.follow_link("passage:0")
    assert window.right_tabs.currentWidget() is window.document_view
    assert window.document_view.document_id == hit.document_id
    assert window.document_view.text.textCursor().selectionStart() == hit.start


def test_an_opened_passage_sits_in_the_upper_part_of_the_view(qtbot, window, repo):
    doc = repo.get_document("military-alliances-and-partnerships")
    start = doc.text.index("The Collective Security Treaty Organization is a regional")
    end = start + 60
    window.show_tab("document")
    dv = window.document_view
    assert dv.show_passage(doc.info.id, start, end, doc.text[start:end])
    c = QTextCursor(dv.text.document())
    c.setPosition(start)
    top = dv.text.cursorRect(c).top()
    assert 0 <= top < dv.text.viewport().height() / 2  # read with its context below, not on the bottom edge
