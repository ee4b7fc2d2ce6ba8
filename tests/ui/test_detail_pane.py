"""The detail pane: facts with citations; member links select; citations open the document."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from app.core.userdata.database import UserData
from app.core.userdata.notes import Tag
from app.ui.notes.tag_dialog import TagDialog
from app.ui.panes.detail_pane import DetailPane


@pytest.fixture
def pane(qtbot):
    """The detail pane alone (no main window): it is given entities and emits what the user asks."""
    p = DetailPane()
    qtbot.addWidget(p)
    p.resize(600, 700)
    p.show()
    qtbot.waitExposed(p)
    return p


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


def test_member_link_is_a_real_anchor(qtbot, pane, repo):
    pane.show_entity(repo.get_entity("five-eyes"))
    html = pane.browser.toHtml()
    assert 'href="entity:united-states"' in html
    with qtbot.waitSignal(pane.entity_link_activated) as blocker:
        pane.follow_link("entity:united-states")
    assert blocker.args == ["united-states"]


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


def test_show_connection_placeholder(qtbot, pane, repo):
    pane.show_entity(repo.get_entity("nato"))
    pane.show_connection(["NATO has member United States", "United States is party to the Quad"])
    assert "How they connect" in pane.browser.toPlainText()


def test_mention_count_is_singular_for_one_passage(qtbot, pane, repo):
    detail = repo.get_entity("united-states")
    pane.show_entity(detail)
    assert len(detail.mentions) > 1
    assert f"Mentioned in ({len(detail.mentions)} passages)" in pane.browser.toPlainText()
    pane.show_entity(replace(detail, mentions=detail.mentions[:1]))
    text = pane.browser.toPlainText()
    assert "Mentioned in (1 passage)" in text
    assert "1 passages" not in text


def test_tag_chips_show_under_the_name_and_follow_changes(qtbot, window):
    pane = window.detail_pane
    window.select_entity("nato")
    assert pane.tag_names == []
    assert "lesson 3" not in pane.browser.toPlainText()
    UserData.open(window.atlas.paths.user_db).notes.tag_entities("lesson 3", ["nato"], color="#3fa56b")
    window.data_changed.emit()
    assert pane.tag_names == ["lesson 3"]
    text = pane.browser.toPlainText()
    name_at, tag_at, link_at = text.index("NATO"), text.index("lesson 3"), text.index("Tags…")
    assert name_at < tag_at < link_at < text.index("Kind")  # under the name, above the facts
    assert "background-color:#3fa56b" in pane.browser.toHtml()
    window.select_entity("csto")  # another entity has its own (no) tags
    assert pane.tag_names == []
    assert "lesson 3" not in pane.browser.toPlainText()


def _click_text(qtbot, browser, needle: str) -> None:
    cursor = browser.document().find(needle)
    assert not cursor.isNull()
    cursor.setPosition((cursor.selectionStart() + cursor.selectionEnd()) // 2)
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=browser.cursorRect(cursor).center())


def test_clicking_tags_link_edits_the_entitys_tags(qtbot, window, monkeypatch):
    chosen = []

    def get_tags(cls, parent, store, *, checked=(), **kw):
        chosen.append(list(checked))
        return ["exam", "lesson 3"], True

    monkeypatch.setattr(TagDialog, "get_tags", classmethod(get_tags))
    pane = window.detail_pane
    window.select_entity("nato")
    with qtbot.waitSignal(pane.tags_requested):
        _click_text(qtbot, pane.browser, "Tags…")
    assert chosen == [[]]  # the dialog opened on NATO's (no) tags
    assert [t.name for t in UserData.open(window.atlas.paths.user_db).notes.tags_for_entity("nato")] == [
        "exam",
        "lesson 3",
    ]
    assert pane.tag_names == ["exam", "lesson 3"]  # refreshed through data_changed


def test_tags_link_works_from_the_keyboard(qtbot, pane, repo):
    pane.set_tag_provider(lambda entity_id: [])
    pane.show_entity(repo.get_entity("nato"))
    pane.browser.setFocus()
    qtbot.keyClick(pane.browser, Qt.Key.Key_Tab)  # the first link in the pane
    assert pane.browser.textCursor().selectedText() == "Tags…"
    with qtbot.waitSignal(pane.tags_requested):
        qtbot.keyClick(pane.browser, Qt.Key.Key_Return)


def test_no_tags_link_without_a_tag_provider(qtbot, repo):
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show_entity(repo.get_entity("nato"))
    assert "Tags…" not in pane.browser.toPlainText()
    pane.set_tag_provider(lambda entity_id: [Tag(1, f"{entity_id} tag", "#5b8def")])
    assert pane.tag_names == ["nato tag"]
    assert "Tags…" in pane.browser.toPlainText()


def test_connection_shows_with_no_entity_loaded_and_says_when_there_is_none(qtbot, repo):
    from app.core.graph.network import build_graph, connection_path

    pane = DetailPane()
    qtbot.addWidget(pane)
    steps = connection_path(repo, build_graph(repo, with_citations=False), "armenia", "china")
    pane.show_connection(steps, ("Armenia", "China"))
    text = pane.browser.toPlainText()
    assert "How they connect (6 cited steps)" in text
    assert "Armenia is a member of Collective Security Treaty Organization" in text
    assert steps[0].citations[0].quote in text
    c = steps[0].citations[0]
    with qtbot.waitSignal(pane.open_passage_requested) as sig:
        pane.follow_link("conncite:0.0")
    assert sig.args == [c.document_id, c.start, c.end, c.quote]
    pane.show_connection([], ("Armenia", "Haiti"))
    text = pane.browser.toPlainText()
    assert "Armenia and Haiti are not connected by any cited tie in the documents." in text
    assert "Select an entity" in text  # the placeholder is still there below
    pane.show_connection([])  # cleared
    assert "How they connect" not in pane.browser.toPlainText()


def test_a_connection_stays_above_an_entity_on_it_and_goes_with_another(qtbot, repo):
    from app.core.graph.network import build_graph, connection_path

    pane = DetailPane()
    qtbot.addWidget(pane)
    steps = connection_path(repo, build_graph(repo, with_citations=False), "armenia", "china")
    pane.show_connection(steps, ("Armenia", "China"))
    pane.show_entity(repo.get_entity("russia"))
    assert "How they connect" in pane.browser.toPlainText()
    assert pane.connection_shown
    pane.show_entity(repo.get_entity("nato"))
    assert "How they connect" not in pane.browser.toPlainText()
    assert not pane.connection_shown
