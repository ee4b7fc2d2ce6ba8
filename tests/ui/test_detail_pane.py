"""The detail pane: facts with citations; member links select; citations open the document."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_selecting_row_shows_detail_with_citation(qtbot, window):
    model = window.list_pane.model
    row = model.row_for_id("nato")
    window.list_pane.view.setCurrentIndex(model.index(row, 0))
    assert window.current_entity_id() == "nato"
    text = window.detail_pane.browser.toPlainText()
    assert "NATO" in text
    assert "North Atlantic Treaty Organization" in text
    quote = window.repo.get_entity("nato").citations[0].quote
    assert quote in text
    assert "Evidence" in text


def test_member_link_selects_entity(qtbot, window):
    window.select_entity("csto")
    detail = window.detail_pane.detail
    assert detail.members
    target = detail.members[0]
    with qtbot.waitSignal(window.entity_selected) as blocker:
        window.detail_pane.follow_link(f"entity:{target.id}")
    assert blocker.args == [target.id]
    assert window.current_entity_id() == target.id
    assert window.list_pane.current_id() == target.id
    assert target.name in window.detail_pane.browser.toPlainText()


def test_member_link_is_a_real_anchor(qtbot, window):
    window.select_entity("five-eyes")
    html = window.detail_pane.browser.toHtml()
    assert 'href="entity:united-states"' in html


def test_citation_opens_document_with_quote_selected(qtbot, window):
    window.select_entity("nato")
    cite = window.detail_pane.detail.citations[0]
    window.detail_pane.follow_link(f"cite:{cite.number}")
    assert window.right_tabs.currentWidget() is window.document_view
    assert window.document_view.document_id == cite.document_id
    selected = window.document_view.text.textCursor().selectedText()
    assert selected == cite.quote
    assert window.document_view.highlighted_text() == cite.quote


def test_back_and_forward(qtbot, window):
    window.select_entity("nato")
    window.select_entity("csto")
    window.select_entity("quad")
    assert not window.act_forward.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_entity_id() == "csto"
    window.act_back.trigger()
    assert window.current_entity_id() == "nato"
    assert not window.act_back.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.current_entity_id() == "csto"
    assert (
        "CSTO" in window.detail_pane.browser.toPlainText()
        or "Collective Security" in window.detail_pane.browser.toPlainText()
    )
    window.select_entity("five-eyes")  # a new visit drops the forward part
    assert not window.act_forward.isEnabled()


def test_mention_opens_passage(qtbot, window):
    window.select_entity("united-states")
    m = window.detail_pane.detail.mentions[0]
    window.detail_pane.follow_link("mention:0")
    assert window.document_view.document_id == m.document_id
    assert window.document_view.text.textCursor().selectionStart() == m.start


def test_show_connection_placeholder(qtbot, window):
    window.select_entity("nato")
    window.detail_pane.show_connection(["NATO has member United States", "United States is party to the Quad"])
    assert "How they connect" in window.detail_pane.browser.toPlainText()
