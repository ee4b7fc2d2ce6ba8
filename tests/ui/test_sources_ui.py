"""Your own sources in the window: import with progress, drop, the Suggestions view, Cite as…, bad files in a dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

BRIEF = (
    "# Pacific briefing\n\n"
    "The Australia, New Zealand and United States Security Treaty (ANZUS) was signed in 1951 by Australia, "
    "New Zealand and the United States.\n\n"
    "The Pacific Maritime Dialogue met in 2020 with Japan.\n"
)


def _doc(tmp_path: Path, name: str = "brief.md", text: str = BRIEF) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(qtbot, window, paths: list[Path]) -> object:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.import_controller.finished, timeout=15000) as blocker:
        window.import_controller.start(paths)
    return blocker.args[0]


def test_file_menu_has_import_and_suggestions(window) -> None:  # type: ignore[no-untyped-def]
    names = [a.objectName() for a in window.menus["file"].actions()]
    assert "act_import_documents" in names and "act_suggestions" in names
    assert window.act_import_documents.shortcut().toString() == "Ctrl+Shift+I"
    assert window.acceptDrops()


def test_import_shows_the_document_and_suggestions(qtbot, window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    batch = _import(qtbot, window, [_doc(tmp_path)])
    assert not batch.errors and len(batch.imported) == 1
    doc_id = batch.imported[0].id
    picker = window.document_view.picker
    assert picker.findData(doc_id) >= 0  # the Documents tab lists it
    dlg = window.suggestions_dialog  # opened because the document named unknown entities
    qtbot.waitUntil(dlg.isVisible)
    assert dlg.document_id() == doc_id
    names = [dlg.list.item(i).text() for i in range(dlg.list.count())]
    assert any("Security Treaty" in n for n in names)
    dlg.list.setCurrentRow(next(i for i, n in enumerate(names) if "Security Treaty" in n))
    html = dlg.context.toHtml()
    assert "signed in 1951" in dlg.context.toPlainText() and "#ffe28a" in html  # its sentence, highlighted
    dlg.name_edit.setText("ANZUS alliance")
    dlg.kind_box.setCurrentText("alliance")
    with qtbot.waitSignal(dlg.entity_made, timeout=5000) as made:
        dlg.accept_button.click()
    eid = made.args[0]
    qtbot.waitUntil(lambda: window.current_entity_id() == eid, timeout=5000)
    detail = window.repo.get_entity(eid)
    assert detail.name == "ANZUS alliance" and detail.kind == "alliance" and detail.origin == "user"
    assert "from your documents" in window.detail_pane.browser.toPlainText()
    model = window.list_pane.model

    def listed() -> bool:
        return any(model.data(model.index(r, 0)) == "ANZUS alliance" for r in range(model.rowCount()))

    qtbot.waitUntil(listed, timeout=5000)  # the list refreshes off the GUI thread
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 0)) == "ANZUS alliance")
    assert model.data(model.index(row, 0), Qt.ItemDataRole.FontRole).italic()  # the list marks it too
    assert "From your documents" in model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    # Its citation opens the imported document at the quote, as the detail pane's link does.
    c = detail.facts[0].citations[0]
    window.detail_pane.open_passage_requested.emit(c.document_id, c.start, c.end, c.quote)
    assert window.document_view.document_id == doc_id
    assert window.document_view.highlighted_text().startswith("The Australia, New Zealand")
    # Rejecting the other one empties the list.
    while dlg.list.count():
        dlg.reject_button.click()
    assert "No open suggestions" in dlg.empty.text()
    dlg.close()


def test_drop_files_onto_the_window(qtbot, window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _doc(tmp_path, "dropped.txt", "Field notes.\n\nNATO met the United States in Brussels.\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(300, 300), *args)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()  # the window takes files
    # Qt delivers a Drop only during a real drag; hand it to the window's drop handler as Qt would.
    with qtbot.waitSignal(window.import_controller.finished, timeout=15000) as blocker:
        assert window.import_controller.drop_filter.eventFilter(window, QDropEvent(QPointF(300, 300), *args))
    assert [r.file for r in blocker.args[0].imported] == ["dropped.txt"]
    assert window.repo.get_entity("nato").mentions[-1].document_id == blocker.args[0].imported[0].id


def test_bad_files_are_named_in_a_dialog(qtbot, window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 8)
    batch = _import(qtbot, window, [empty, blob])
    assert len(batch.errors) == 2 and not batch.imported
    assert shown and "empty.txt is empty" in shown[0] and "binary" in shown[0]
    assert window.atlas.user_data.sources.documents() == []


def test_cancel_leaves_nothing_half_imported(qtbot, window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "Note {i}.\n\n" + "The Alpha Pact {i} was signed in 2001 by Japan and Australia. " * 400 + "\n"
    paths = [_doc(tmp_path, f"n{i}.txt", text.format(i=i)) for i in range(30)]
    ctl = window.import_controller
    with qtbot.waitSignal(ctl.finished, timeout=30000) as blocker:
        ctl.start(paths)
        assert ctl.dialog is not None and ctl.dialog.labelText()
        button = next(b for b in ctl.dialog.findChildren(QPushButton) if b.text() == "Cancel")
        button.click()  # the progress dialog's Cancel button
    batch = blocker.args[0]
    assert batch.cancelled and len(batch.imported) < len(paths)
    docs = window.atlas.user_data.sources.documents()
    assert len(docs) == len(batch.imported)  # the document in progress was rolled back
    assert all(d.passages == 1 for d in docs)  # and every one that stayed is whole
    assert not ctl.running and ctl.dialog is None


@pytest.mark.parametrize("what", ["entity", "founded"])
def test_cite_as_from_a_document_selection(qtbot, window, tmp_path: Path, monkeypatch, what: str) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QTextCursor

    from app.ui.sources import cite_dialog

    batch = _import(qtbot, window, [_doc(tmp_path)])
    window.suggestions_dialog.close()
    doc_id = batch.imported[0].id
    window.open_passage(doc_id, 0, 1)
    view = window.document_view
    text = view.text.toPlainText()
    sentence = "The Pacific Maritime Dialogue met in 2020 with Japan."
    start = text.index(sentence)
    cursor = view.text.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(sentence), QTextCursor.MoveMode.KeepAnchor)
    view.text.setTextCursor(cursor)

    def fake_exec(dlg) -> int:  # type: ignore[no-untyped-def]
        dlg.what.setCurrentIndex(dlg.what.findData(what))
        if what == "entity":
            dlg.name.setText("Pacific Maritime Dialogue")
            dlg.kind.setCurrentText("partnership")
        else:
            dlg.entity.setText("Japan")
            dlg.value.setText("2020")
        dlg._save()
        return int(dlg.result())

    monkeypatch.setattr(cite_dialog.CiteAsDialog, "exec", fake_exec)
    window.act_cite_as.trigger()
    if what == "entity":
        eid = window.repo.resolve("Pacific Maritime Dialogue")
        assert eid is not None and window.current_entity_id() == eid
    else:
        japan = window.repo.get_entity("japan")
        assert any(f.field == "founded" and f.origin == "user" for f in japan.facts)
