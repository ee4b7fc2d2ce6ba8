"""The File menu's export actions on a real main window: options dialog, background PDF/data exports, cancel."""

from __future__ import annotations

import json

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from app.core.exports.report_data import ExportOptions
from app.core.query.filters import FilterSpec
from app.ui.report.export_dialog import ExportActions, ExportOptionsDialog


@pytest.fixture
def window(qtbot, atlas, data_paths):
    from app.ui.main_window import MainWindow

    w = MainWindow(atlas, settings_path=data_paths.settings_file)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(w.is_ready, timeout=10000)
    yield w
    w.pool.waitForDone(5000)


def test_file_menu_has_export_and_print_actions(window):
    texts = [a.text() for a in window.menus["file"].actions()]
    for t in ("Export PDF &summary…", "Export &data…", "&Print…", "Print pre&view…"):
        assert t in texts
    assert window.export_actions.pdf_action.shortcut().toString() == "Ctrl+E"
    assert window.export_actions.print_action.shortcut().toString() == "Ctrl+P"


def test_get_options_returns_the_choices(qtbot, monkeypatch):
    def fake_exec(self):
        self.title_edit.setText("My handout")
        self.handout.setChecked(True)
        self.scope_selection.setChecked(True)
        self.page_combo.setCurrentText("Letter")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportOptionsDialog, "exec", fake_exec)
    opts, ok = ExportOptionsDialog.get_options(None, selected=2, filter_text="All entities")
    assert ok and opts == ExportOptions(title="My handout", handout=True, page_size="Letter", use_selection=True)
    monkeypatch.setattr(ExportOptionsDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    _opts, ok = ExportOptionsDialog.get_options(None, selected=0)
    assert not ok


def test_dialog_says_what_it_is_for(qtbot):
    for purpose, title, button in (("export", "Export PDF summary", "Export…"), ("print", "Print summary", "Print…"),
                                   ("preview", "Print preview", "Preview…")):  # fmt: skip
        d = ExportOptionsDialog(None, purpose=purpose)
        qtbot.addWidget(d)
        ok = d.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        assert (d.windowTitle(), ok.text()) == (title, button)


@pytest.fixture
def actions(qtbot, atlas):
    """The export actions alone, with fakes for what the window would give them."""
    parent = QWidget()
    qtbot.addWidget(parent)
    messages: list[str] = []
    acts = ExportActions(
        parent,
        repo=atlas.repo,
        user_data=atlas.user_data,
        current_spec=lambda: FilterSpec(),
        selected_ids=lambda: ["nato", "csto"],
        show_status=lambda m, _t: messages.append(m),
    )
    acts.messages = messages
    return acts


def test_background_pdf_export_without_a_window(qtbot, actions, tmp_path):
    relay = actions.start_pdf(ExportOptions(use_selection=True, handout=True), tmp_path / "sel.pdf")
    with qtbot.waitSignal(relay.finished, timeout=60000) as blocker:
        pass
    assert blocker.args == ["done"] and actions.messages == [f"Wrote {tmp_path / 'sel.pdf'}"]
    reader = pypdf.PdfReader(str(tmp_path / "sel.pdf"))
    entities = next(i for i in reader.outline if isinstance(i, list))
    assert {i.title for i in entities} == {"NATO", "Collective Security Treaty Organization"}


def test_print_preview_shows_the_typeset_pages(qtbot, actions, monkeypatch):
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    seen = {}

    def fake_exec(self):
        seen["title"] = self.windowTitle()
        printer = QPrinter()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(seen["path"]))
        self.paintRequested.emit(printer)
        return 0

    import tempfile

    seen["path"] = __import__("pathlib").Path(tempfile.mkdtemp()) / "preview.pdf"
    monkeypatch.setattr(QPrintPreviewDialog, "exec", fake_exec)
    relay = actions.start_print(ExportOptions(title="Class handout", use_selection=True), preview=True)
    with qtbot.waitSignal(relay.finished, timeout=60000) as blocker:
        pass
    assert blocker.args == ["done"] and seen["title"] == "Print preview: Class handout"
    assert len(pypdf.PdfReader(str(seen["path"])).pages) >= 3


def test_selection_scope_disabled_without_a_selection(qtbot):
    d = ExportOptionsDialog(None, selected=0)
    qtbot.addWidget(d)
    assert not d.scope_selection.isEnabled() and d.scope_filter.isChecked()


def test_pdf_export_runs_in_the_background_and_writes_the_selection(qtbot, window, tmp_path):
    window.select_entity("nato")
    relay = window.export_actions.start_pdf(ExportOptions(title="Bg", use_selection=True), tmp_path / "bg")
    with qtbot.waitSignal(relay.finished, timeout=60000) as blocker:
        pass
    assert blocker.args == ["done"]
    qtbot.waitUntil(lambda: "Wrote" in window.statusBar().currentMessage(), timeout=10000)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(tmp_path / "bg.pdf")).pages)
    assert "Entities selected: NATO" in " ".join(text.split())


def test_cancel_leaves_no_file_and_stale_parts_are_cleaned(qtbot, window, tmp_path):
    # A part left by a killed export (its process is gone) goes at the next export of that name;
    # another program's file that merely looks alike stays.
    stale = tmp_path / ".c.pdf.999999999.abcd1234.part"
    stale.write_bytes(b"left by a killed export")
    other = tmp_path / ".c.pdf.notes.part"
    other.write_bytes(b"someone else's")
    relay = window.export_actions.start_pdf(ExportOptions(include_graph=False), tmp_path / "c.pdf")
    with qtbot.waitSignal(relay.finished, timeout=60000):
        pass
    assert (tmp_path / "c.pdf").exists() and not stale.exists() and other.exists()
    other.unlink()
    (tmp_path / "c.pdf").unlink()
    relay = window.export_actions.start_pdf(ExportOptions(), tmp_path / "c.pdf")
    relay.cancel()
    with qtbot.waitSignal(relay.finished, timeout=60000) as blocker:
        pass
    assert blocker.args == ["cancelled"]
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=10000)
    assert list(tmp_path.glob("c.pdf*")) == [] and not list(tmp_path.glob(".c.pdf*"))


def test_data_export_json(qtbot, window, tmp_path):
    relay = window.export_actions.start_data("json", tmp_path / "d.json")
    with qtbot.waitSignal(relay.finished, timeout=30000):
        pass
    data = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert len(data["entities"]) == 50


def test_gui_and_cli_export_the_same_entities_in_the_same_order(qtbot, window, settle, tmp_path):
    from app.cli import main as cli_main

    fp = window.filter_pane
    qtbot.keyClicks(fp.search, "security")
    fp.facets["kinds"].item_for("alliance").setCheckState(Qt.CheckState.Checked)
    window.list_pane.sort_requested.emit("founded", True)  # a second click on the Founded header
    settle(window)
    rows = window.list_pane.model.rows()
    shown = [r.id for r in rows]
    assert len(shown) >= 2 and {r.kind for r in rows} == {"alliance"}
    years = [r.founded for r in rows if r.founded]
    assert len(years) >= 2 and years == sorted(years, reverse=True)
    relay = window.export_actions.start_data("json", tmp_path / "gui.json")
    with qtbot.waitSignal(relay.finished, timeout=30000):
        pass
    gui = [e["id"] for e in json.loads((tmp_path / "gui.json").read_text(encoding="utf-8"))["entities"]]
    args = ["--data-dir", str(window.atlas.paths.root), "export", "-f", "json", "-o", str(tmp_path / "cli.json")]
    args += ["--query", "security", "--kind", "alliance", "--sort", "founded", "--descending"]
    assert cli_main(args) == 0
    cli = [e["id"] for e in json.loads((tmp_path / "cli.json").read_text(encoding="utf-8"))["entities"]]
    assert gui == cli == shown


def test_typed_extension_wins_and_json_can_carry_notes(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    # The file-type list says JSON, the name says .csv: the name wins (three CSV files).
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "out.csv"), "JSON (*.json)"))
    window.export_actions.export_data()
    with qtbot.waitSignal(window.export_actions.relay.finished, timeout=30000):
        pass
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbfid,name")
    assert (tmp_path / "out-members.csv").exists()

    window.atlas.user_data.notes.create_note("nato", title="For class", body="…")
    chosen = "JSON with my notes and tags (*.json)"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "mine.json"), chosen))
    window.export_actions.export_data()
    with qtbot.waitSignal(window.export_actions.relay.finished, timeout=30000):
        pass
    data = json.loads((tmp_path / "mine.json").read_text(encoding="utf-8"))
    nato = next(e for e in data["entities"] if e["id"] == "nato")
    assert [n["title"] for n in nato["notes"]] == ["For class"]
