"""Alliance datasets in the window: File > Import dataset… (preview, progress, report; bad files refused
with one message), Remove dataset…, the toolbar's As of year, membership years on the timeline and the
record behind a dataset citation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.datasets import import_dataset
from app.ui.datasets.feature import DatasetsFeature, RemoveDatasetDialog
from tests.datasets_fixtures import ATOP_ALLIANCE_COLUMNS, ATOP_MEMBER_COLUMNS, atop_rows, write_atop

LEFT_CODE = 700  # a member the tests add to ATOP 3180 (1949) and take out again (1955)


def _atop_with_a_leaver(folder: Path) -> tuple[Path, Path]:
    """The fixture's ATOP files plus one member of 3180 who left in 1955 (test data, not history)."""
    alliances, members = atop_rows()
    members.append([3180, LEFT_CODE, 1949, 8, 24, 1955, 6, 30, 1])
    folder.mkdir(parents=True, exist_ok=True)
    a, m = folder / "atop5_1a.csv", folder / "atop5_1m.csv"
    for path, columns, rows in ((a, ATOP_ALLIANCE_COLUMNS, alliances), (m, ATOP_MEMBER_COLUMNS, members)):
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            w.writerows(rows)
    return a, m


def _imported(qtbot, window, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """Import the files (as the CLI would) and tell the window; returns the leaver's entity id."""
    a, m = _atop_with_a_leaver(tmp_path / "atop")
    import_dataset(window.repo, window.atlas.user_data, "atop", alliances=a, members=m)
    window.datasets_feature.datasets_changed.emit()
    qtbot.waitUntil(lambda: window.list_pane.model.row_for_id("atop-3180") is not None, timeout=10000)
    detail = window.repo.get_entity("atop-3180")
    return next(link.id for link in detail.members if link.end_year == 1955)


def _listed(window) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.id for r in window.current_rows()}


def test_file_menu_and_toolbar(window) -> None:  # type: ignore[no-untyped-def]
    names = [a.objectName() for a in window.menus["file"].actions()]
    assert "act_import_dataset" in names and "act_remove_dataset" in names
    control = window.as_of_control
    assert control.action in window.toolbar.actions()
    assert not control.action.isChecked() and not control.spin.isEnabled()  # off by default
    assert control.action.shortcut().toString() == "Ctrl+Shift+Y"
    assert "in force" in control.action.toolTip() and "in force" in control.spin.toolTip()
    assert window.current_spec().as_of is None


def test_import_dialog_previews_then_imports_with_progress(qtbot, window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, m = write_atop(tmp_path / "atop", size=120)  # several chunks of rows: the bar moves
    dlg = window.datasets_feature.open_import()
    assert window.list_pane.model.row_for_id("atop-3180") is None
    with qtbot.waitSignal(dlg.previewed, timeout=15000) as got:
        dlg.set_files("atop", alliances=a, members=m)
    plan = got.args[0]
    summary = dlg.preview_view.summary.text()
    assert f"Will import ATOP 5.1:</b> {len(plan.alliances)} alliances" in summary
    assert "260" in summary  # the code no library knows, listed
    table = dlg.preview_view.table
    assert table.rowCount() == len(plan.alliances)
    shown = {table.item(r, 0).text() for r in range(table.rowCount())}
    assert "ATOP 1005" in shown  # the 1815 alliance: earliest first
    assert window.atlas.user_data.datasets.datasets() == []  # a preview writes nothing
    values: list[int] = []
    dlg.progress.valueChanged.connect(values.append)
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    assert dlg.import_button.isEnabled()
    with qtbot.waitSignal(dlg.imported, timeout=20000) as done:
        dlg.import_button.click()
    report = done.args[0]
    assert report["alliances"] == len(plan.alliances) and report["unknown_codes"] == [260]
    assert any(0 < v < 100 for v in values)  # the bar moved while it worked
    assert "Imported ATOP 5.1" in dlg.preview_view.summary.text() and dlg.cancel_button.text() == "Close"
    # The window read everything again: the list, the count, the status bar.
    qtbot.waitUntil(lambda: window.list_pane.model.row_for_id("atop-3180") is not None, timeout=10000)
    assert any("Imported ATOP" in m for m in said)
    assert f"of {window.repo.total_entities():,} entities" in window.count_label.text()
    qtbot.waitUntil(lambda: "atop-3180" in window.graph_pane.graph, timeout=30000)


@pytest.mark.parametrize("fault", ["non-numeric year", "files swapped"])
def test_a_bad_file_gets_one_message_and_nothing_is_imported(qtbot, atlas, tmp_path: Path, monkeypatch, fault) -> None:  # type: ignore[no-untyped-def]
    a, m = write_atop(tmp_path / "atop")
    if fault == "non-numeric year":
        lines = m.read_text(encoding="utf-8").splitlines()
        lines[4] = lines[4].replace("1949", "19x9", 1)
        m.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        a, m = m, a
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *args: shown.append((title, text)))
    parent = QWidget()
    qtbot.addWidget(parent)
    pool = QThreadPool()
    feature = DatasetsFeature(repo=atlas.repo, store=atlas.user_data.datasets, pool=pool, dialog_parent=parent)
    dlg = feature.open_import()
    with qtbot.waitSignal(dlg.failed, timeout=15000) as failed:
        dlg.set_files("atop", alliances=a, members=m)
    message = failed.args[0]
    assert len(shown) == 1 and shown[0][1] == message  # one clear dialog
    if fault == "non-numeric year":
        assert "atop5_1m.csv" in message and "line 5" in message
    else:
        assert "atop5_1" in message
    assert not dlg.import_button.isEnabled() and dlg.plan is None
    assert atlas.user_data.datasets.datasets() == [] and atlas.repo.get_entity("atop-3180") is None
    pool.waitForDone(5000)


def test_as_of_year_changes_the_list_details_and_graph(qtbot, window, tmp_path: Path, settle) -> None:  # type: ignore[no-untyped-def]
    leaver = _imported(qtbot, window, tmp_path)
    assert {"atop-1005", "atop-3180"} <= _listed(window)
    window.select_entity("atop-3180")
    assert "Spain" in window.detail_pane.browser.toPlainText()
    control = window.as_of_control
    control.spin.setValue(1953)
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert control.action.isChecked() and window.current_spec().as_of == 1953
    settle(window)
    listed = _listed(window)
    assert "atop-3180" in listed and "atop-1005" not in listed  # ended in 1815
    assert window.as_of_label.text() == "As of 1953" and "1953" in window.statusBar().currentMessage()

    def details() -> str:
        return window.detail_pane.browser.toPlainText()

    leaver_name = window.repo.get_entity(leaver).name
    qtbot.waitUntil(lambda: "Spain" not in details(), timeout=5000)  # the details follow once the list has its rows
    assert leaver_name in details()  # in 1953: the leaver still in, Spain not yet
    control.spin.setValue(1960)
    settle(window)
    qtbot.waitUntil(lambda: leaver_name not in details(), timeout=5000)  # left in 1955
    graph = window.graph_pane
    qtbot.waitUntil(lambda: graph.is_ready() and graph._tie_mask is not None, timeout=30000)
    data = graph.graph
    i, j = data.index["atop-3180"], data.index[leaver]
    tie = int(((data.src == i) & (data.dst == j) | (data.src == j) & (data.dst == i)).nonzero()[0][0])
    assert not graph._tie_mask[tie]  # the tie to the member who left is not drawn
    control.action.trigger()  # off again
    settle(window)
    assert "atop-1005" in _listed(window) and window.current_spec().as_of is None
    assert not window.as_of_label.isVisible()
    qtbot.waitUntil(lambda: graph._tie_mask is None, timeout=5000)


def test_as_of_year_is_remembered(qtbot, window, atlas, settings_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.ui.main_window import MainWindow

    window.as_of_control.spin.setValue(1990)
    window.as_of_control.action.setChecked(True)
    window.save_settings()
    again = MainWindow(atlas, settings_path=settings_path)
    qtbot.addWidget(again)
    assert again.as_of_control.action.isChecked() and again.as_of_control.spin.value() == 1990
    assert again.current_spec().as_of == 1990
    again.pool.waitForDone(5000)


def test_timeline_shows_each_membership_years(qtbot, window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    leaver = _imported(qtbot, window, tmp_path)
    window.show_tab("timeline")
    timeline = window.timeline_view
    window.select_entity("atop-3180")
    qtbot.waitUntil(lambda: timeline.members_of == "atop-3180", timeout=5000)
    assert timeline.members_bar.isVisible() and "members" in timeline.members_heading.text()
    assert "(from ATOP 5.1's records, which run to 2018)" in timeline.members_heading.text()
    assert timeline.drawn_ids[0] == "atop-3180"  # the alliance's own row, then its members
    extents = timeline.bar_extents()
    assert extents[leaver] == (1949, 1955)
    spain = next(e.id for e in timeline.rows if e.name == "Spain")
    assert extents[spain] == (1982, None)  # still a member at the dataset's end: an open bar
    assert "1949–1955" in timeline._tip(leaver)
    window.select_entity(spain)  # a member of the alliance on show: its row is highlighted, the mode stays
    assert timeline.members_of == "atop-3180"
    undated = timeline.undated_list.parentWidget()
    assert not undated.isVisible()  # every member has its years from the dataset: no empty "not stated" panel
    timeline.all_button.click()
    assert timeline.members_of is None and not timeline.members_bar.isVisible()
    assert "atop-1005" in timeline.drawn_ids
    assert undated.isVisible() and timeline.undated_ids  # the seeds' entities with no stated founding year


def test_the_not_stated_panel_shows_only_when_it_lists_something(qtbot, window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.core.query.filters import FilterSpec

    _imported(qtbot, window, tmp_path)
    window.show_tab("timeline")
    timeline = window.timeline_view
    timeline.set_filter(FilterSpec(origins=("dataset",), kinds=("alliance",)))
    assert set(timeline.drawn_ids) == {"atop-1005", "atop-3180"} and timeline.undated_ids == []
    assert not timeline.undated_list.parentWidget().isVisible()
    timeline.set_filter(FilterSpec(kinds=("alliance",)))
    assert "five-eyes" in timeline.undated_ids and timeline.undated_list.parentWidget().isVisible()
    assert timeline.undated_label.text() == f"Founding year &not stated ({len(timeline.undated_ids)})"


def test_record_viewer_opens_the_cited_row(qtbot, window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _imported(qtbot, window, tmp_path)
    window.select_entity("atop-3180")
    detail = window.repo.get_entity("atop-3180")
    record_id = next(r.record_id for r in detail.records if r.field == "defense")
    window.detail_pane.follow_link(f"record:{record_id}")
    dlg = window.datasets_feature.record_dialog
    qtbot.waitUntil(dlg.isVisible)
    values = dlg.values()
    assert values["atopid"] == "3180" and values["defense"] == "1" and values["begyr"] == "1949"
    assert "ATOP 3180" in dlg.heading.text() and "defense = 1" in dlg.heading.text()
    assert "atop5_1a.csv" in dlg.heading.text()
    cited = [dlg.table.item(r, 0).text() for r in dlg.cited_rows]
    assert "defense" in cited and "offense" not in cited
    dlg.close()


def test_remove_dataset_asks_first(qtbot, window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _imported(qtbot, window, tmp_path)
    asked: list[str] = []
    monkeypatch.setattr(RemoveDatasetDialog, "confirm", classmethod(lambda cls, p, text: asked.append(text) or False))
    assert not window.datasets_feature.remove_action.trigger() and len(asked) == 1
    assert "ATOP" in asked[0] and "notes" in asked[0]
    assert window.repo.get_entity("atop-3180") is not None  # said no: nothing removed
    monkeypatch.setattr(RemoveDatasetDialog, "confirm", classmethod(lambda cls, p, text: True))
    window.datasets_feature.remove_action.trigger()
    qtbot.waitUntil(lambda: window.list_pane.model.row_for_id("atop-3180") is None, timeout=10000)
    assert window.atlas.user_data.datasets.datasets() == []
    assert "Removed ATOP" in window.statusBar().currentMessage()


def test_cancel_stops_the_import_and_imports_nothing(qtbot, atlas, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import threading

    from app.core.datasets import ImportCancelled, plan_files
    from app.ui.datasets.import_dialog import ImportDatasetDialog

    a, m = write_atop(tmp_path / "atop")
    started = threading.Event()

    def preview(name, members, alliances, states, cancelled):  # type: ignore[no-untyped-def]
        return plan_files({}, name, members=members, alliances=alliances, states=states, cancelled=cancelled)

    def slow_import(plan, progress, cancelled):  # type: ignore[no-untyped-def]
        progress(1, 4)
        started.set()
        while not cancelled():  # a long import, until the user cancels
            threading.Event().wait(0.01)
        raise ImportCancelled("The import was cancelled; nothing was imported.")

    pool = QThreadPool()
    dlg = ImportDatasetDialog(preview=preview, import_plan=slow_import, pool=pool)
    qtbot.addWidget(dlg)
    dlg.show()
    with qtbot.waitSignal(dlg.previewed, timeout=10000):
        dlg.set_files("atop", alliances=a, members=m)
    dlg.import_button.click()
    qtbot.waitUntil(lambda: started.is_set() and dlg.progress.value() == 25, timeout=5000)
    assert dlg.progress.isVisible() and dlg.cancel_button.text() == "Cancel" and not dlg.preview_button.isEnabled()
    with qtbot.waitSignal(dlg.task.finished, timeout=5000):
        dlg.cancel_button.click()
    assert dlg.status.text() == "Cancelled: nothing was imported." and dlg.report is None
    assert dlg.isVisible() and dlg.import_button.isEnabled()  # the preview stays: Import can be tried again
    pool.waitForDone(5000)
