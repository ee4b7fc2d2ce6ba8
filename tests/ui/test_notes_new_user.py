"""Issue 14, the notes items a new user hit: menu text after a delete, Write for a new note, image
placeholders and link feedback in the preview, the hit in the browser's Match column. Panes are
built alone over a fresh user database, except where the window's menus are the point."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from app.core.userdata.database import UserData
from app.ui.markdown import SafeTextBrowser
from app.ui.notes.notes_browser import NotesBrowserPane
from app.ui.notes.notes_model import MATCH
from app.ui.notes.notes_pane import NotesPane

NAMES = {"nato": "NATO", "csto": "CSTO"}


@pytest.fixture
def store(tmp_path):
    user = UserData.open(tmp_path / "user.sqlite")
    yield user.notes
    user.close()


@pytest.fixture
def pane(qtbot, store):
    p = NotesPane(store, entity_names=lambda: NAMES)
    qtbot.addWidget(p)
    p.show()
    return p


def test_deleting_a_note_leaves_the_notes_browser_menu_item_alone(qtbot, window):
    """Item 1: the undo-text lambda captured a reused variable and renamed View > Notes browser."""
    feature = window.notes_feature
    window.select_entity("nato")
    window.docks["notes"].show()
    qtbot.keyClicks(window.notes_pane.title_edit, "Doomed")
    assert window.notes_pane.save_now()
    window.notes_pane.delete_current()
    texts = [a.text() for a in window.menus["view"].actions()]
    assert "Notes browser" in texts and not any(t.startswith("Undo") for t in texts)
    undo = feature.undo_delete_action.text()
    assert undo.startswith("Undo delete note") and "Doomed" in undo
    assert feature.browser_action.text() == "Notes browser"


def test_a_new_note_opens_on_write(qtbot, pane, store):
    """Item 12: on the Preview tab, an entity with no notes said "start typing" where typing does nothing."""
    store.create_note("nato", title="Read me", body="*text*")
    pane.set_entity("nato")
    pane.tabs.setCurrentWidget(pane.preview)
    pane.set_entity("csto")  # no notes: a new one, ready to type
    assert "start typing" in pane.state_label.text()
    assert pane.tabs.currentWidget() is pane.body_edit
    pane.set_entity("nato")
    pane.tabs.setCurrentWidget(pane.preview)
    pane.new_note()
    assert pane.tabs.currentWidget() is pane.body_edit


def test_an_image_shows_a_placeholder_in_the_preview(qtbot, pane):
    """Item 13: ![map](file:///tmp/map.png) vanished silently from the preview."""
    pane.set_entity("nato")
    pane.body_edit.setPlainText("Before ![the map](file:///tmp/map.png) after, and ![img](http://x/y.png).")
    pane.tabs.setCurrentWidget(pane.preview)
    shown = pane.preview.toPlainText()
    assert "[image: the map]" in shown and "[image: img]" in shown and "Before" in shown and "after" in shown


def test_every_link_click_says_what_happened(qtbot, pane, monkeypatch):
    """Item 13: a link click gave no feedback."""
    messages: list[str] = []
    pane.status_message.connect(messages.append)
    monkeypatch.setattr(SafeTextBrowser, "confirm_external", staticmethod(lambda parent, url: False))
    pane.preview.anchorClicked.emit(QUrl("https://example.com/"))
    assert messages[-1] == "Link not opened: https://example.com/"
    monkeypatch.setattr(SafeTextBrowser, "confirm_external", staticmethod(lambda parent, url: True))
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))  # no web browser
    pane.preview.anchorClicked.emit(QUrl("https://example.com/"))
    assert "no web browser" in messages[-1]
    pane.preview.anchorClicked.emit(QUrl("notes.md"))
    assert messages[-1].startswith("Links of this kind are not opened")


def test_the_match_column_shows_the_hit(qtbot, store):
    """Item 14: a search for "collective" showed "…points…" in the Match column."""
    store.create_note(
        "nato",
        title="Burden sharing",
        body="Three points to remember before the exam, with many words in between, about the "
        "collective defense clause and what it asks of every member.",
    )
    browser = NotesBrowserPane(store, entity_names=lambda: NAMES)
    qtbot.addWidget(browser)
    browser.show()
    browser.search_edit.setText("collective")
    qtbot.waitUntil(lambda: bool(browser.model.rowCount() and browser.model.index(0, MATCH).data()), timeout=3000)
    match = browser.model.index(0, MATCH).data()
    assert match.index("collective") <= 20, match
    assert "points" not in match
