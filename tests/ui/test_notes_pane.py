"""Notes: the notes pane alone (real widget over the real notes store) for typing, saving, undo, tags and
quotes; in the window for autosave across a restart, undo delete, tags from the list, the browser, import,
passages from the document view, and a safe preview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument
from PySide6.QtWidgets import QMessageBox, QTextBrowser

from app.core.atlas import open_atlas
from app.core.userdata.database import UserData
from app.ui.markdown import SafeTextBrowser, SafeTextDocument, set_safe_markdown
from app.ui.notes import notes_browser
from app.ui.notes.notes_model import NoteRow, NotesTableModel
from app.ui.notes.notes_pane import NotesPane
from app.ui.notes.tag_dialog import TagDialog
from tests.conftest import SEEDS


@pytest.fixture
def store(atlas):
    return UserData.open(atlas.paths.user_db).notes


@pytest.fixture
def alone(qtbot, store, repo):
    """The notes pane by itself, as the notes feature builds it; ``alone.set_entity`` is the window's selection."""
    pane = NotesPane(
        store,
        entity_names=repo.entity_names,
        document_titles=lambda: {d.id: d.title for d in repo.documents()},
    )
    qtbot.addWidget(pane)
    pane.resize(420, 600)
    pane.show()
    return pane


def _select_rows(window, ids):
    from PySide6.QtCore import QItemSelectionModel

    view = window.list_pane.view
    model = window.list_pane.model
    sel = view.selectionModel()
    sel.clearSelection()
    for eid in ids:
        row = model.row_for_id(eid)
        assert row is not None, eid
        sel.select(
            model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def test_notes_model_passes_qtmodeltester(qtmodeltester, store):
    store.create_note("nato", title="A", tags=["x"])
    store.create_note("gone", title="B")
    model = NotesTableModel()
    model.set_rows([NoteRow.make(n, {"nato": "NATO"}, {}) for n in store.list_notes()])
    qtmodeltester.check(model, force_py=True)
    assert model.index(model.row_of(store.list_notes()[0].id), 1).data() in ("NATO", "gone (detached)")


def test_typed_note_autosaves_and_is_there_after_restart(qtbot, window, settle, data_paths, settings_path):
    pane = window.notes_pane
    window.select_entity("nato")
    assert "NATO" in pane.entity_label.text()
    qtbot.keyClicks(pane.title_edit, "Burden sharing")
    with qtbot.waitSignal(pane.saved, timeout=1500):  # within a second after typing stops
        qtbot.keyClicks(pane.body_edit, "Two **percent** of GDP.")
    assert "Saved" in pane.state_label.text()
    assert window.statusBar().currentMessage() == "Note saved"
    settle(window)
    assert window.list_pane.model.rows()[window.list_pane.model.row_for_id("nato")].notes == 1
    window.close()

    atlas2 = open_atlas(data_paths, seeds=SEEDS)
    from app.ui.main_window import MainWindow

    w2 = MainWindow(atlas2, settings_path=settings_path)
    qtbot.addWidget(w2)
    try:
        w2.show()
        qtbot.waitUntil(w2.is_ready, timeout=10000)
        w2.select_entity("nato")
        pane2 = w2.notes_pane
        assert [r.title for r in pane2.model.rows()] == ["Burden sharing"]
        assert pane2.body_edit.toPlainText() == "Two **percent** of GDP."
        pane2.tabs.setCurrentWidget(pane2.preview)
        assert "percent" in pane2.preview.toPlainText() and "**" not in pane2.preview.toPlainText()
    finally:
        w2.close()
        w2.pool.waitForDone(5000)
        atlas2.close()


def test_switching_entity_saves_at_once(qtbot, alone, store):
    pane = alone
    pane.set_entity("quad")
    qtbot.keyClicks(pane.body_edit, "typed then left immediately")
    pane.set_entity("nato")  # no wait: the selection change saves
    assert [n.body for n in store.list_notes(entity_id="quad")] == ["typed then left immediately"]
    assert pane.entity_id == "nato" and pane.body_edit.toPlainText() == ""


def test_a_failed_save_never_loses_the_text(qtbot, window, store, monkeypatch):
    """Full disk: opening another note, deleting, reloading or closing keep what was typed."""
    from app.core.errors import DiskFull

    pane = window.notes_pane
    other = store.create_note("csto", title="Other note", body="x")
    window.select_entity("nato")
    qtbot.keyClicks(pane.body_edit, "words that must survive")

    def full(*_args, **_kwargs):
        raise DiskFull("The disk holding the notes database is full. Free some space; nothing was lost.")

    monkeypatch.setattr(pane.store, "create_note", full)
    monkeypatch.setattr(pane.store, "update_note", full)
    assert pane.select_note(other.id) is False  # e.g. from the notes browser
    pane.delete_current()
    pane.reload()
    assert pane.body_edit.toPlainText() == "words that must survive"
    assert "full" in pane.state_label.text()

    # Closing asks; "Keep the window open" keeps it open with the text.
    answers = iter(["Keep the window open", "Copy the text and close"])
    monkeypatch.setattr(QMessageBox, "exec", lambda box: _click(box, next(answers)))
    window.show()
    window.close()
    assert window.isVisible() and pane.body_edit.toPlainText() == "words that must survive"
    window.close()  # this time: copy and close
    assert not window.isVisible()
    from PySide6.QtWidgets import QApplication

    assert "words that must survive" in QApplication.clipboard().text()


def _click(box, label: str) -> int:
    button = next(b for b in box.buttons() if b.text() == label)
    button.click()
    return 0


def test_editor_undo_survives_autosave(qtbot, alone, store):
    pane = alone
    pane.set_entity("nato")
    qtbot.keyClicks(pane.body_edit, "abc")
    with qtbot.waitSignal(pane.saved, timeout=1500):
        pass
    pane.body_edit.undo()
    assert pane.body_edit.toPlainText() != "abc"
    with qtbot.waitSignal(pane.saved, timeout=1500):
        pass
    assert store.list_notes(entity_id="nato")[0].body == pane.body_edit.toPlainText()


def test_delete_is_undoable_and_trash_can_be_emptied(qtbot, window, store, monkeypatch):
    note = store.create_note("nato", title="Precious")
    window.select_entity("nato")
    pane = window.notes_pane
    feature = window.notes_feature
    assert pane.note is not None and pane.note.id == note.id
    pane.delete_current()
    assert pane.model.rowCount() == 0 and store.list_notes() == []
    assert feature.undo_delete_action.isEnabled()
    feature.undo_delete_action.trigger()
    assert [r.note.id for r in pane.model.rows()] == [note.id]
    assert pane.title_edit.text() == "Precious"
    pane.delete_current()
    window.show_notes_browser()
    browser = feature.browser
    browser.trash_check.setChecked(True)
    assert [r.note.id for r in browser.model.rows()] == [note.id]
    browser.table.selectRow(0)
    browser.restore_button.click()
    assert store.get_note(note.id).deleted_at is None
    store.delete_note(note.id)
    browser.reload()
    monkeypatch.setattr(notes_browser, "confirm", lambda *a: True)
    browser.empty_button.click()
    assert store.get_note(note.id) is None and browser.model.rowCount() == 0


def test_tag_two_entities_from_the_list_then_filter_by_tag(qtbot, window, settle, store, monkeypatch):
    settle(window)
    _select_rows(window, ["nato", "quad"])
    assert set(window.selected_ids()) == {"nato", "quad"}
    monkeypatch.setattr(TagDialog, "get_tags", classmethod(lambda cls, parent, st, **kw: (["lesson 3"], True)))
    menu = window.list_pane.build_context_menu()
    action = next(a for a in menu.actions() if a.text() == "Tag selected…")
    action.trigger()
    assert store.entities_for_tag("lesson 3") == ["nato", "quad"]
    box = window.filter_pane.facets["tags"]
    qtbot.waitUntil(lambda: box.list.count() == 1 and "(2)" in box.list.item(0).text(), timeout=5000)
    from PySide6.QtCore import Qt

    box.list.item(0).setCheckState(Qt.CheckState.Checked)
    settle(window)
    qtbot.waitUntil(lambda: {r.id for r in window.list_pane.model.rows()} == {"nato", "quad"}, timeout=5000)
    # ...and the "Remove tag" submenu takes it off one of them.
    _select_rows(window, ["quad"])
    menu = window.list_pane.build_context_menu()
    sub = next(a.menu() for a in menu.actions() if a.menu() is not None and a.text() == "Remove tag")
    sub.actions()[0].trigger()
    assert store.entities_for_tag("lesson 3") == ["nato"]


def test_entity_tags_from_the_pane(qtbot, alone, store, monkeypatch):
    alone.set_entity("csto")
    monkeypatch.setattr(TagDialog, "get_tags", classmethod(lambda cls, parent, st, **kw: (["verify"], True)))
    alone.tag_entity_button.click()
    assert [t.name for t in store.tags_for_entity("csto")] == ["verify"]
    assert "verify" in alone.entity_tags_label.text()


def test_tag_dialog_creates_tag_with_colour(qtbot, store, monkeypatch):
    monkeypatch.setattr(TagDialog, "pick_color", staticmethod(lambda parent, initial: "#123456"))
    dlg = TagDialog(store, checked=[])
    qtbot.addWidget(dlg)
    dlg.new_color_button.click()
    dlg.new_name.setText("watch list")
    dlg.add_button.click()
    assert dlg.checked_names() == ["watch list"]
    assert store.get_tag("watch list") is None  # nothing written until OK
    dlg.accept()
    assert store.get_tag("watch list").color == "#123456"


def test_search_notes_in_the_browser(qtbot, window, store):
    store.create_note("nato", title="Burden sharing", body="Two percent target")
    store.create_note("quad", title="Maritime", body="Malabar exercise")
    window.notes_feature.browser_action.trigger()
    browser = window.notes_feature.browser
    assert browser.model.rowCount() == 2
    qtbot.keyClicks(browser.search_edit, "malab")
    qtbot.waitUntil(lambda: [r.title for r in browser.model.rows()] == ["Maritime"], timeout=3000)
    assert "Malabar" in browser.model.rows()[0].match
    browser.search_edit.setText('"( NEAR(')
    qtbot.waitUntil(lambda: browser.model.rowCount() == 0, timeout=3000)
    assert "No notes match" in browser.count_label.text()
    browser.search_edit.setText("percent")
    qtbot.waitUntil(lambda: browser.model.rowCount() == 1, timeout=3000)
    browser.table.selectRow(0)
    with qtbot.waitSignal(window.entity_selected):
        browser.entity_button.click()
    assert window.current_entity_id() == "nato"


def test_import_same_file_twice_no_duplicates_and_bad_file_changes_nothing(qtbot, window, store, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text: messages.append(text)))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: messages.append(text)))
    other = UserData.open(tmp_path / "trainer.sqlite").notes
    other.create_note("nato", title="From the trainer", body="Read section 2", tags=["lesson 3"])
    shared = other.export_json(tmp_path / "lesson.json", other.select_for_export(), all_tags=True)
    for _ in range(2):
        monkeypatch.setattr(notes_browser, "ask_open_path", lambda parent: shared)
        window.notes_feature.import_action.trigger()
    assert [n.title for n in store.list_notes()] == ["From the trainer"]
    assert "1 added" in messages[0] and "0 added" in messages[1] and "1 unchanged" in messages[1]
    window.select_entity("nato")
    assert [r.title for r in window.notes_pane.model.rows()] == ["From the trainer"]

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "alliance-atlas-notes", "version": 1, "notes": [{"id": 5}]}), encoding="utf-8")
    monkeypatch.setattr(notes_browser, "ask_open_path", lambda parent: bad)
    window.notes_feature.import_action.trigger()
    assert "notes[0].id must be text" in messages[-1] and "Nothing was changed" in messages[-1]
    assert [n.title for n in store.list_notes()] == ["From the trainer"]


def test_a_passage_note_belongs_to_its_passage_not_to_the_selected_entity(qtbot, window, store, repo):
    """Issue 14: with Russia selected, a note on a NATO passage was filed under Russia, its quote cut mid-word."""
    window.select_entity("russia")
    doc_id = "strategic-partnerships-global-stability"
    text = repo.get_document(doc_id).text
    start = text.index("global defense alliances, such as NATO") + 3  # "bal defense…": cut mid-word
    end = text.index("such as NATO") + len("such as NA")
    window.document_view.add_note_requested.emit(doc_id, start, end, text[start:end])
    assert store.list_notes(entity_id="russia") == []
    [note] = store.list_notes(entity_id="nato")
    assert note.quote == "global defense alliances, such as NATO"
    assert (note.document_id, note.start, note.end) == (doc_id, start - 3, end + 2)
    pane = window.notes_pane
    assert pane.entity_id == "nato" and "such as NATO" in pane.quote_label.text()
    assert pane.tabs.currentWidget() is pane.body_edit


def test_a_passage_naming_several_entities_asks_which_one(qtbot, window, store, repo, monkeypatch):
    from app.ui.notes.notes_feature import PassageEntityDialog

    asked = []

    def pick(cls, parent, choices, default):
        asked.append([eid for eid, _name in choices])
        return choices[-1][0], True

    monkeypatch.setattr(PassageEntityDialog, "get_entity", classmethod(pick))
    doc = repo.get_document("islamic-nation-military-relations")
    first, china = doc.mentions[0], next(m for m in doc.mentions if m.entity_id == "china")
    window.document_view.add_note_requested.emit(doc.info.id, first.start, china.end, "")
    assert asked == [["islamic-nation", "china"]]
    assert len(store.list_notes(entity_id="china")) == 1 and store.list_notes(entity_id="islamic-nation") == []


def test_two_windows_see_each_others_edits_after_reload(qtbot, window, data_paths, settings_path, store):
    from app.ui.main_window import MainWindow

    atlas2 = open_atlas(data_paths, seeds=SEEDS)
    w2 = MainWindow(atlas2, settings_path=settings_path.with_name("two.ini"))
    qtbot.addWidget(w2)
    try:
        w2.show()
        qtbot.waitUntil(w2.is_ready, timeout=10000)
        window.select_entity("nato")
        w2.select_entity("nato")
        qtbot.keyClicks(window.notes_pane.body_edit, "written in window one")
        window.notes_pane.save_now()
        assert w2.notes_pane.model.rowCount() == 0
        w2.notes_feature.reload_action.trigger()
        assert w2.notes_pane.body_edit.toPlainText() == "written in window one"
        # Both editing the same note: the second save keeps both versions (no silent overwrite, no lock error).
        from PySide6.QtGui import QTextCursor

        w2.notes_pane.body_edit.moveCursor(QTextCursor.MoveOperation.End)
        qtbot.keyClicks(w2.notes_pane.body_edit, " + two")
        qtbot.keyClicks(window.notes_pane.body_edit, " + one")
        assert w2.notes_pane.save_now() and window.notes_pane.save_now()
        bodies = sorted(n.body for n in store.list_notes(entity_id="nato"))
        assert bodies == ["written in window one + one", "written in window one + two"]
    finally:
        w2.close()
        w2.pool.waitForDone(5000)
        atlas2.close()


def test_preview_never_loads_local_files_or_raw_html(qtbot, tmp_path):
    secret = tmp_path / "secret.png"
    img = QImage(40, 30, QImage.Format.Format_RGB32)
    img.fill(QColor("red"))
    img.save(str(secret))
    url = QUrl.fromLocalFile(str(secret))
    text = f'![s]({url.toString()})\n\n<img src="{url.toString()}">\n\nplain'
    control = QTextBrowser()  # proves the test can fail: a plain browser does load the file
    safe = SafeTextBrowser()
    for b in (control, safe):
        qtbot.addWidget(b)
        b.show()
        set_safe_markdown(b.document(), text)
        b.grab()
    image = QTextDocument.ResourceType.ImageResource.value
    assert not control.document().resource(image, url).isNull()
    assert safe.document().resource(image, url).isNull()
    assert f'<img src="{url.toString()}">' in safe.toPlainText()  # raw HTML shown as text
    doc = SafeTextDocument()
    set_safe_markdown(doc, text)
    doc.size()
    assert doc.resource(image, url).isNull()


def test_external_links_need_confirmation(qtbot, store, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda u: opened.append(u.toString())))
    pane = NotesPane(store, entity_names=lambda: {"nato": "NATO"})
    qtbot.addWidget(pane)
    answers = iter([False, True])
    monkeypatch.setattr(SafeTextBrowser, "confirm_external", staticmethod(lambda parent, url: next(answers)))
    pane.preview.anchorClicked.emit(QUrl("https://example.com/"))
    assert opened == []
    pane.preview.anchorClicked.emit(QUrl("https://example.com/"))
    assert opened == ["https://example.com/"]
    with qtbot.waitSignal(pane.entity_requested) as blocker:
        pane.preview.anchorClicked.emit(QUrl("entity:quad"))
    assert blocker.args == ["quad"]
    pane.preview.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert opened == ["https://example.com/"]


def test_restore_from_backup_in_the_window(qtbot, window, store, data_paths, monkeypatch):
    from app.core.userdata.backup import backup_user_db
    from app.ui.notes.backup_dialog import RestoreBackupDialog

    store.create_note("nato", title="kept in the backup")
    path = backup_user_db(data_paths, reason="manual")
    store.create_note("nato", title="after")
    monkeypatch.setattr(RestoreBackupDialog, "get_backup", classmethod(lambda cls, parent, paths, **kw: (path, True)))
    window.select_entity("nato")
    window.notes_feature.restore_action.trigger()
    assert [r.title for r in window.notes_pane.model.rows()] == ["kept in the backup"]
    assert "Restored notes" in window.statusBar().currentMessage()


def test_damaged_db_at_start_offers_newest_backup(qtbot, data_paths, monkeypatch):
    from app.core.userdata.backup import backup_user_db
    from app.ui.notes import backup_dialog

    s = UserData.open(data_paths.user_db).notes
    s.create_note("nato", title="safe")
    backup_user_db(data_paths)
    data_paths.user_db.write_bytes(b"not a database" * 100)
    for side in ("-wal", "-shm"):
        Path(str(data_paths.user_db) + side).unlink(missing_ok=True)
    shown = []

    def fake_exec(box):
        shown.append(box.text())
        box.buttons()[0].click()  # "Restore that backup"
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a: shown.append(a[2])))
    assert backup_dialog.offer_recovery(None, data_paths)
    assert "damaged" in shown[0] and "newest good backup" in shown[0]
    assert [n.title for n in UserData.open(data_paths.user_db).notes.list_notes()] == ["safe"]
    assert list(data_paths.root.glob("user.sqlite.damaged-*"))


def test_notes_dock_starts_closed_on_a_narrow_window_and_the_toolbar_opens_it(qtbot, window):
    from PySide6.QtWidgets import QToolButton

    dock = window.docks["notes"]
    assert window.width() < 1500 and not dock.isVisible()  # the graph keeps its width at 1280 px
    toggle = dock.toggleViewAction()
    button = window.toolbar.widgetForAction(toggle)
    assert isinstance(button, QToolButton) and button.text() == "Notes"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dock.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not dock.isVisible()
    window.select_entity("nato")
    window.notes_feature.new_note_action.trigger()  # starting a note always shows where it is typed
    assert dock.isVisible() and window.notes_pane.title_edit.hasFocus()


def test_notes_dock_is_open_after_reset_layout_on_a_wide_window(qtbot, window):
    dock = window.docks["notes"]
    window.resize(1700, 950)
    window.reset_layout()
    assert dock.isVisible()
    window.resize(1280, 800)
    window.reset_layout()
    assert not dock.isVisible()


# ---- review fixes: tooltips, quote link, trash and undo, other windows, tags, loose notes ------------
def _red_image(path: Path) -> Path:
    img = QImage(200, 100, QImage.Format.Format_RGB32)
    img.fill(QColor("red"))
    img.save(str(path))
    return path


def _hover_tooltip(view, index):
    """Hover ``index`` in an item view (a real ToolTip event) and return the tooltip label shown."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    QToolTip.hideText()
    pos = view.visualRect(index).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos)))
    return next(w for w in QApplication.topLevelWidgets() if w.objectName() == "qtooltip_label" and w.isVisible())


def _red_pixels(widget) -> int:
    image = widget.grab().toImage()
    red = QColor("red")
    return sum(image.pixelColor(x, y) == red for x in range(image.width()) for y in range(image.height()))


def test_note_tooltips_show_a_title_as_text_never_loading_an_image(qtbot, window, store, tmp_path):
    """A title like <img src=...> (e.g. from an imported notes file) must not load a local file on hover."""
    from PySide6.QtWidgets import QToolTip

    from app.ui.notes.notes_model import TITLE

    graph = _red_image(tmp_path / "graph.png")
    title = f'<img src="{graph}" width=300>'
    store.create_note("nato", title=title, body="x", quote="a <b>quote</b>", document_id="d", start=0, end=5)
    window.select_entity("nato")
    pane = window.notes_pane
    window.docks["notes"].show()
    window.show_notes_browser()
    browser = window.notes_feature.browser
    try:
        for view, model in ((pane.list, pane.model), (browser.table, browser.model)):
            tip = _hover_tooltip(view, model.index(0, TITLE))
            assert _red_pixels(tip) == 0
            shown = QTextDocument()
            shown.setHtml(tip.text())
            assert title in shown.toPlainText() and "a <b>quote</b>" in shown.toPlainText()
    finally:
        QToolTip.hideText()


def _find_link(qtbot, label):
    """Where the mouse turns into a pointing hand over ``label`` (a link), or None."""
    from PySide6.QtCore import QPoint

    for y in range(2, label.height(), 3):
        for x in range(2, label.width(), 5):
            qtbot.mouseMove(label, QPoint(x, y))
            if label.cursor().shape() == Qt.CursorShape.PointingHandCursor:
                return QPoint(x, y)
    return None


def test_a_multi_line_passage_quote_shows_a_working_open_link(qtbot, alone, repo):
    pane = alone
    pane.set_entity("nato")
    doc = repo.documents()[0].id
    pane.add_passage_note(doc, 10, 60, "First line of the passage\nsecond <b>line</b>", "nato")
    label = pane.quote_label
    assert label.isVisible() and label.textFormat() == Qt.TextFormat.RichText
    assert "&lt;b&gt;line&lt;/b&gt;" in label.text()  # the quote is text, the link is a link
    spot = _find_link(qtbot, label)
    assert spot is not None, "no clickable 'Open passage' link"
    with qtbot.waitSignal(pane.passage_requested) as blocker:
        qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=spot)
    assert blocker.args[:3] == [doc, 10, 60]


def test_browser_trash_actions_keep_the_pane_and_undo_in_step(qtbot, window, store, data_paths, monkeypatch):
    a = store.create_note("nato", title="Alpha")
    b = store.create_note("nato", title="Beta")
    window.select_entity("nato")
    pane, feature = window.notes_pane, window.notes_feature
    undo = feature.undo_delete_action

    def titles():
        return sorted(r.title for r in pane.model.rows())

    pane.select_note(a.id)
    pane.delete_current()
    assert titles() == ["Beta"] and undo.isEnabled()
    window.show_notes_browser()
    browser = feature.browser
    browser.trash_check.setChecked(True)
    browser.table.selectRow(0)
    browser.restore_button.click()
    assert titles() == ["Alpha", "Beta"]  # the pane shows the note the browser restored
    assert not undo.isEnabled()  # and undo does not offer to restore it again

    pane.select_note(a.id)
    pane.delete_current()
    assert undo.isEnabled()
    monkeypatch.setattr(notes_browser, "confirm", lambda *args: True)
    browser.trash_check.setChecked(True)
    browser.empty_button.click()
    assert store.get_note(a.id) is None and not undo.isEnabled()

    # Another window empties the trash: undo says the note is gone and drops the step.
    pane.select_note(b.id)
    pane.delete_current()
    UserData.open(data_paths.user_db).notes.empty_trash()
    assert undo.isEnabled()  # this window cannot know yet
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    undo.trigger()
    assert "deleted for good" in messages[-1] and not any("restored" in m.lower() for m in messages)
    assert pane.model.rowCount() == 0 and not undo.isEnabled()


def test_text_typed_into_a_note_trashed_in_another_window_is_kept_as_a_new_note(qtbot, window, store, data_paths):
    from PySide6.QtGui import QTextCursor

    note = store.create_note("nato", title="Shared", body="start", tags=["verify"])
    window.select_entity("nato")
    pane = window.notes_pane
    UserData.open(data_paths.user_db).notes.delete_note(note.id)  # the other instance moves it to the trash
    pane.body_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(pane.body_edit, " and more")
    assert pane.save_now()
    [kept] = store.list_notes(entity_id="nato")
    assert kept.id != note.id and (kept.title, kept.body, kept.tags) == ("Shared", "start and more", ("verify",))
    assert store.get_note(note.id).body == "start"  # the trashed note was not written to
    assert "deleted in another window" in pane.state_label.text()
    assert "kept as a new note" in window.statusBar().currentMessage()
    assert pane.note.id == kept.id and pane.body_edit.toPlainText() == "start and more"


def test_own_save_never_hides_another_windows_change_from_the_focus_check(
    qtbot, window, store, data_paths, monkeypatch
):
    window.select_entity("nato")
    pane, feature = window.notes_pane, window.notes_feature
    UserData.open(data_paths.user_db).notes.tag_entities("from the other window", ["nato"])
    qtbot.keyClicks(pane.body_edit, "my own words")
    assert pane.save_now()  # this window's save comes after the other window's change
    assert "from the other window" not in pane.entity_tags_label.text()
    feature.on_activate()  # the window gets the focus back
    assert "from the other window" in pane.entity_tags_label.text()
    reloads = []
    monkeypatch.setattr(feature, "reload", lambda: reloads.append(1))
    qtbot.keyClicks(pane.body_edit, "!")
    assert pane.save_now()
    feature.on_activate()  # only this window wrote since: no reload
    assert reloads == []


def test_changing_a_notes_tags_keeps_the_editor_and_its_undo_history(qtbot, alone, store, monkeypatch):
    pane = alone
    pane.set_entity("nato")
    qtbot.keyClicks(pane.body_edit, "first draft")
    assert pane.save_now()
    assert pane.note_tags_button.isEnabled() and pane.delete_button.isEnabled()  # the new note exists now
    monkeypatch.setattr(TagDialog, "get_tags", classmethod(lambda cls, parent, st, **kw: (["verify"], True)))
    pane.note_tags_button.click()
    assert pane.note.tags == ("verify",) and "verify" in pane.note_tags_label.text()
    assert store.get_note(pane.note.id).tags == ("verify",)
    assert pane.body_edit.document().isUndoAvailable()
    pane.body_edit.undo()
    assert pane.body_edit.toPlainText() != "first draft"
    assert pane.save_now()
    assert [n.body for n in store.list_notes(entity_id="nato")] == [pane.body_edit.toPlainText()]  # no conflict copy
    # Tags changed by another window: a reload takes them without resetting the editor either.
    qtbot.keyClicks(pane.body_edit, "second")
    assert pane.save_now()
    UserData.open(store.user_db).notes.set_note_tags(pane.note.id, ["lesson 3"])
    pane.reload()  # File > Reload notes, or the window regaining focus
    assert "lesson 3" in pane.note_tags_label.text() and pane.body_edit.document().isUndoAvailable()


def test_a_passage_note_added_with_no_entity_selected_has_a_coherent_pane(qtbot, window, store, repo):
    from html import escape

    assert window.current_entity_id() is None
    doc = repo.documents()[0]
    window.notes_pane.add_passage_note(doc.id, 10, 40, "a quoted passage")  # a passage that names no entity
    pane, feature = window.notes_pane, window.notes_feature
    [note] = store.list_notes()
    assert note.entity_id is None
    header = pane.entity_label.text()
    assert "Note on a passage in" in header and escape(doc.title) in header and "Select an entity" not in header
    assert [r.note.id for r in pane.model.rows()] == [note.id] and pane.list.isEnabled()
    assert pane.list.currentIndex().row() == 0
    assert pane.body_edit.isEnabled() and pane.delete_button.isEnabled() and not pane.new_button.isEnabled()
    qtbot.keyClicks(pane.body_edit, "my thoughts")
    assert pane.save_now() and store.get_note(note.id).body == "my thoughts"
    assert "Note on a passage in" in pane.entity_label.text() and pane.model.rowCount() == 1

    window.select_entity("nato")
    assert "NATO" in pane.entity_label.text() and pane.model.rowCount() == 0
    # Reachable: the notes browser opens it again, with the same header and a way back.
    window.show_notes_browser()
    browser = feature.browser
    browser.table.selectRow(browser.model.row_of(note.id))
    browser.open_button.click()
    assert pane.note.id == note.id and pane.body_edit.toPlainText() == "my thoughts"
    assert "Note on a passage in" in pane.entity_label.text() and pane.list.currentIndex().row() == 0
    assert "Show the notes on NATO" in pane.entity_tags_label.text()
    pane.entity_tags_label.linkActivated.emit("back")
    assert pane.entity_id == "nato" and "NATO" in pane.entity_label.text()


def test_file_restore_over_a_damaged_database_salvages_and_says_how_many(qtbot, data_paths, monkeypatch):
    """File > Restore notes from backup… on a database damaged mid-session: the notes newer than the
    backup are salvaged, and the dialog says so (it used to restore silently and lose them)."""
    from app.core.userdata import backup as bk
    from app.ui.notes import backup_dialog
    from tests.core.test_faults_damage import _checkpoint, _damage_index, _notes

    _notes(data_paths, 5)
    good = bk.backup_user_db(data_paths)
    _notes(data_paths, 3, prefix="newer")
    _checkpoint(data_paths.user_db)
    _damage_index(data_paths.user_db)
    shown: list[str] = []
    monkeypatch.setattr(backup_dialog.RestoreBackupDialog, "get_backup", classmethod(lambda cls, *a, **k: (good, True)))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a: shown.append(a[2])))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: shown.append("WARNING " + a[2])))
    assert backup_dialog.restore_backup_dialog(None, data_paths)
    assert len(shown) == 1 and "Salvaged 3 notes" in shown[0] and good.name in shown[0]
    with UserData.open(data_paths.user_db) as user:
        titles = {n.title for n in user.notes.list_notes()}
    assert {f"newer {i}" for i in range(3)} <= titles and len(titles) == 8
