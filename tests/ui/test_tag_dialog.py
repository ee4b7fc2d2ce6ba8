"""The tag dialog: every change waits for OK (Cancel undoes renames and deletions too), Enter adds a tag."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox

from app.core.userdata.database import UserData
from app.ui.notes.tag_dialog import TagDialog


@pytest.fixture
def store(atlas):
    return UserData.open(atlas.paths.user_db).notes


def _rename(dlg: TagDialog, monkeypatch, old: str, new: str) -> None:
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (new, True)))
    dlg.list.setCurrentItem(dlg._find(old))
    dlg.rename_button.click()


def _rename_and_delete(dlg: TagDialog, monkeypatch, rename: tuple[str, str], delete: str) -> None:
    _rename(dlg, monkeypatch, *rename)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    dlg.list.setCurrentItem(dlg._find(delete))
    dlg.delete_button.click()


def test_rename_and_delete_take_effect_only_on_ok(qtbot, store, monkeypatch):
    store.tag_entities("lesson 3", ["nato"])
    store.tag_entities("old", ["quad"])
    dlg = TagDialog(store, checked=["lesson 3"])
    qtbot.addWidget(dlg)
    _rename_and_delete(dlg, monkeypatch, ("lesson 3", "lesson 4"), "old")
    assert dlg.checked_names() == ["lesson 4"]
    assert "rename “lesson 3” to “lesson 4”" in dlg.pending_label.text() and "delete “old”" in dlg.pending_label.text()
    dlg.reject()
    assert [t.name for t in store.list_tags()] == ["lesson 3", "old"]  # Cancel changed nothing
    assert store.entities_for_tag("old") == ["quad"]

    dlg = TagDialog(store, checked=["lesson 3"])
    qtbot.addWidget(dlg)
    _rename_and_delete(dlg, monkeypatch, ("lesson 3", "lesson 4"), "old")
    dlg.accept()
    assert [t.name for t in store.list_tags()] == ["lesson 4"]
    assert store.entities_for_tag("lesson 4") == ["nato"]


def test_rename_to_a_name_in_use_is_refused_in_the_dialog(qtbot, store, monkeypatch):
    store.create_tag("a")
    store.create_tag("b")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: warnings.append(a[2])))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("B", True)))
    dlg = TagDialog(store)
    qtbot.addWidget(dlg)
    dlg.list.setCurrentItem(dlg._find("a"))
    dlg.rename_button.click()
    assert warnings and "already exists" in warnings[0]
    assert [dlg.list.item(i).text() for i in range(dlg.list.count())] == ["a", "b"]


def test_enter_in_the_new_tag_box_adds_the_tag_and_keeps_the_dialog_open(qtbot, store):
    dlg = TagDialog(store)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.new_name.setFocus()
    qtbot.keyClicks(dlg.new_name, "watch list")
    qtbot.keyClick(dlg.new_name, Qt.Key.Key_Return)
    assert dlg.isVisible() and dlg.result() != QDialog.DialogCode.Accepted
    assert dlg.checked_names() == ["watch list"] and dlg.new_name.text() == ""
    qtbot.keyClicks(dlg.new_name, "second")
    qtbot.keyClick(dlg.new_name, Qt.Key.Key_Enter)  # the keypad's Enter too
    assert dlg.isVisible() and dlg.checked_names() == ["watch list", "second"]
    assert store.get_tag("watch list") is None  # nothing written before OK
    qtbot.keyClick(dlg.new_name, Qt.Key.Key_Return)  # an empty box: Enter is OK
    assert not dlg.isVisible() and dlg.result() == QDialog.DialogCode.Accepted
    assert {t.name for t in store.list_tags()} == {"watch list", "second"}


def test_a_rename_in_the_dialog_shows_in_the_pane_and_the_tag_facet(qtbot, window, settle, store, monkeypatch):
    store.tag_entities("lesson 3", ["nato"])
    window.data_changed.emit()
    window.select_entity("nato")
    pane = window.notes_pane
    box = window.filter_pane.facets["tags"]

    def facet() -> list[str]:
        return [box.list.item(i).text() for i in range(box.list.count())]

    qtbot.waitUntil(lambda: any("lesson 3" in t for t in facet()), timeout=5000)

    def run(dlg: TagDialog, ok: bool) -> int:
        _rename(dlg, monkeypatch, "lesson 3", "lesson 4")
        if ok:
            dlg.accept()
        else:
            dlg.reject()
        return dlg.result()

    monkeypatch.setattr(TagDialog, "exec", lambda dlg: run(dlg, False))
    pane.tag_entity_button.click()
    assert [t.name for t in store.tags_for_entity("nato")] == ["lesson 3"]
    assert "lesson 3" in pane.entity_tags_label.text()

    monkeypatch.setattr(TagDialog, "exec", lambda dlg: run(dlg, True))
    pane.tag_entity_button.click()
    assert [t.name for t in store.tags_for_entity("nato")] == ["lesson 4"]
    assert "lesson 4" in pane.entity_tags_label.text() and "lesson 3" not in pane.entity_tags_label.text()
    settle(window)
    qtbot.waitUntil(lambda: any("lesson 4" in t for t in facet()), timeout=5000)
    assert not any("lesson 3" in t for t in facet())
