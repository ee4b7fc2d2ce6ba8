"""The main window: public API, menus, layout state across restarts, zoom, About, screenshot command."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QListWidget, QTextBrowser, QWidget

from app.core.vocab import REFERENCE_SCHEMA_VERSION
from app.ui.main_window import MainWindow


def test_public_api(qtbot, window):
    assert set(window.menus) == {"file", "edit", "view", "go", "lesson", "help"}
    assert [window.right_tabs.tabText(i) for i in range(4)] == ["Graph", "Timeline", "Document", "Search"]
    assert window.graph_host.layout() is not None and window.timeline_host.layout() is not None
    assert window.count_label.text() == "50 of 50 entities"
    with qtbot.waitSignal(window.entity_selected):
        assert window.select_entity("quad")
    assert window.current_entity_id() == "quad"
    assert window.selected_ids() == ["quad"]
    assert not window.select_entity("no-such-thing")
    dock = window.add_dock(QLabel("notes"), "Notes", "notes_dock")
    assert dock.toggleViewAction() in window.panels_menu.actions()


def test_host_placeholder_hides_when_filled(qtbot):
    from app.ui.host_widget import HostWidget

    host = HostWidget("graph_host", "The graph appears here.")
    qtbot.addWidget(host)
    assert not host.placeholder.isHidden()
    graph = QLabel("graph")
    host.fill(graph)
    assert host.placeholder.isHidden()
    assert graph.parent() is host and host.layout().indexOf(graph) >= 0


def test_every_control_has_an_accessible_name(qtbot, window):
    missing = []
    panes = (window.filter_pane, window.list_pane, window.detail_pane, window.document_view, window.search_pane)
    for w in [c for p in panes for c in p.findChildren(QWidget)]:
        if isinstance(w, (QLineEdit, QComboBox, QListWidget, QTextBrowser)) or (
            isinstance(w, QAbstractButton) and w.text()
        ):
            if isinstance(w, QAbstractButton) and w.text():
                continue  # a button's text is its accessible name
            if not w.accessibleName():
                missing.append((type(w).__name__, w.objectName()))
    assert missing == []


def test_filter_sort_and_entity_come_back_next_session(qtbot, atlas, settings_path):
    first = MainWindow(atlas, settings_path=settings_path)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitUntil(first.is_ready, timeout=10000)
    qtbot.keyClicks(first.filter_pane.search, "security")
    first.filter_pane.facets["kinds"].item_for("alliance").setCheckState(Qt.CheckState.Checked)
    first.list_pane.sort_requested.emit("founded", True)
    qtbot.waitUntil(lambda: not first.list_runner.busy and first.list_pane.model.rowCount() < 50)
    first.select_entity("csto")
    rows = [r.id for r in first.list_pane.model.rows()]
    first.close()
    first.pool.waitForDone()

    second = MainWindow(atlas, settings_path=settings_path)
    qtbot.addWidget(second)
    second.show()
    assert second.filter_pane.search.text() == "security"
    qtbot.waitUntil(second.is_ready, timeout=10000)  # facet counts come from a worker
    assert second.filter_pane.facets["kinds"].item_for("alliance").checkState() == Qt.CheckState.Checked
    assert [r.id for r in second.list_pane.model.rows()] == rows  # same filter, same order
    assert second.current_spec().sort == "founded" and second.current_spec().descending
    qtbot.waitUntil(lambda: second.current_entity_id() == "csto")
    assert "Collective Security Treaty Organization" in second.detail_pane.browser.toPlainText()
    second.close()
    second.pool.waitForDone()


def test_layout_and_zoom_restored_across_instances(qtbot, atlas, settings_path):
    first = MainWindow(atlas, settings_path=settings_path)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    for dock in first.docks.values():  # dock visibility is part of the saved state too
        dock.hide()

    # The offscreen screen is 800 px wide and restoreGeometry clamps to the screen: stay inside it.
    def resized() -> bool:
        first.resize(790, 640)  # applies once the hidden docks have released their width
        return first.width() == 790

    qtbot.waitUntil(resized)
    first.main_splitter.setSizes([200, 300, 270])
    first.act_show_detail.trigger()  # hide the details
    first.set_zoom(150)
    first.show_tab("search")
    sizes = first.main_splitter.sizes()
    first.close()
    first.pool.waitForDone()

    second = MainWindow(atlas, settings_path=settings_path)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert (second.width(), second.height()) == (790, 640)
    assert all(dock.isHidden() for dock in second.docks.values())
    assert second.main_splitter.sizes() == sizes
    assert second.zoom == 150
    assert abs(second.font().pointSizeF() - first.font().pointSizeF()) < 0.01
    assert second.detail_pane.isHidden() and not second.act_show_detail.isChecked()
    assert second.right_tabs.currentIndex() == 3
    second.reset_layout()
    assert not second.detail_pane.isHidden()
    second.close()
    second.pool.waitForDone()


@pytest.fixture
def app_style(qapp):
    """The application's real look (its style sheet), as `alliance-atlas` starts with it."""
    from app.ui.style import apply_style

    font, palette = qapp.font(), qapp.palette()
    apply_style(qapp)
    yield
    qapp.setStyleSheet("")
    qapp.setFont(font)
    qapp.setPalette(palette)


def test_zoom_scales_fonts_to_200(qtbot, app_style, window):
    base = window.list_pane.view.font().pointSizeF()
    for _ in range(20):
        window.zoom_in()
    assert window.zoom == 250
    window.set_zoom(200)
    for widget in (window.list_pane.view, window.filter_pane.search, window.detail_pane, window.notes_pane.title_edit):
        assert abs(widget.font().pointSizeF() - 2 * base) < 0.01, widget  # every pane, under the style sheet
    view = window.list_pane.view
    qtbot.waitUntil(lambda: view.verticalHeader().defaultSectionSize() >= view.fontMetrics().height() + 10)
    name_box = window.filter_pane.facets["kinds"].list  # facet lists grow too: every kind still shows
    qtbot.waitUntil(lambda: name_box.height() >= name_box.count() * name_box.fontMetrics().height())


def test_zoom_grows_tick_boxes_with_the_text(qtbot, window):
    from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton

    def indicator_width() -> int:
        box = window.findChildren(QCheckBox)[0]
        option = QStyleOptionButton()
        option.initFrom(box)
        return box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box).width()

    before = indicator_width()
    window.set_zoom(200)
    assert indicator_width() >= 2 * 13 - 1 > before


def test_zooming_in_widens_the_filter_pane_and_back(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    before = window.main_splitter.sizes()
    while window.zoom < 200:
        window.zoom_in()
    wider = window.main_splitter.sizes()
    assert wider[0] > before[0] * 1.5  # facet names and counts keep their room at 200 %
    assert wider[2] >= before[2]  # the graph keeps its width (or widens for its tab bar); the list gives the room
    assert wider[1] < before[1]
    window.act_zoom_reset.trigger()
    assert abs(window.main_splitter.sizes()[0] - before[0]) <= 0.05 * before[0] + 2


def test_about_names_database_and_documents(window):
    html = window.about_html()
    assert window.atlas.meta["seed_hash"] in html
    assert f"schema version {REFERENCE_SCHEMA_VERSION}" in html
    for d in window.repo.documents():
        assert d.file_name in html


def test_status_message(window):
    window.show_status("Hello there")
    assert window.statusBar().currentMessage() == "Hello there"


def test_screenshot_command_writes_png_of_size(tmp_path, data_paths, qapp):
    from app.cli import main

    out = tmp_path / "shot.png"
    rc = main(
        ["--data-dir", str(data_paths.root), "screenshot", str(out), "--size", "900x600", "--select", "Five Eyes"]
    )
    assert rc == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (900, 600)


def test_screenshot_bad_name_exits_2(tmp_path, data_paths, qapp, capsys):
    from app.cli import main

    rc = main(["--data-dir", str(data_paths.root), "screenshot", str(tmp_path / "x.png"), "--select", "Atlantis Pact"])
    assert rc == 2
    assert "no entity called 'Atlantis Pact'" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_startup_does_not_import_graph_libraries(qtbot, atlas, settings_path):
    import subprocess

    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen';"
        "from PySide6.QtWidgets import QApplication; app=QApplication([]);"
        "import app.ui.main_window;"
        "print('pyqtgraph' in sys.modules, 'networkx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


def test_a_background_query_on_a_damaged_database_is_reported_not_raised(window):
    import sqlite3

    window._on_error(sqlite3.DatabaseError("file is not a database"))
    assert "damaged" in window.statusBar().currentMessage()
    with pytest.raises(ZeroDivisionError):  # a bug still surfaces
        window._on_error(ZeroDivisionError("bug"))
