"""The window's start: the list is painted before the features it does not show are built, the graph
comes next, and everything deferred is built afterwards and works."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject

from app.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


class _FirstPaint(QObject):
    """Takes a snapshot of the window at the first paint of the list's viewport."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.seen: dict[str, object] | None = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.seen is None:
            w = self.window
            self.seen = {
                "rows": w.list_pane.model.rowCount(),
                "graph": w.graph_pane,
                "timeline": w.timeline_view,
                "notes": w.notes_feature,
                "exports": w.export_actions,
                "lessons": w.lesson_feature,
                "sources": "sources_feature" in vars(w),
                "datasets": "datasets_feature" in vars(w),
                "lesson_menu": len(w.menus["lesson"].actions()),
            }
        return False


def _file_menu(window: MainWindow) -> list[str]:
    return [a.text().replace("&", "") for a in window.menus["file"].actions() if a.text()]


def test_the_list_is_painted_before_the_deferred_features_which_then_work(qtbot, atlas, settings_path, monkeypatch):
    order: list[tuple[str, bool]] = []
    for name in ("_install_graph", "_install_timeline", "_install_notes", "_install_exports", "_install_sources"):
        original = getattr(MainWindow, name)

        def step(self, _original=original, _name=name):  # type: ignore[no-untyped-def]
            order.append((_name, self.graph_pane is not None))
            _original(self)

        monkeypatch.setattr(MainWindow, name, step)

    w = MainWindow(atlas, settings_path=settings_path)
    qtbot.addWidget(w)
    w.resize(1280, 800)  # narrower than WIDE_WINDOW: the notes dock starts closed, so it is deferred too
    first = _FirstPaint(w)
    w.list_pane.view.viewport().installEventFilter(first)
    w.show()
    qtbot.waitUntil(lambda: first.seen is not None, timeout=10000)
    seen = first.seen
    assert seen is not None
    assert seen["rows"] == w.repo.total_entities() > 0  # the list shows every entity at its first paint
    for feature in ("graph", "timeline", "notes", "exports", "lessons"):
        assert seen[feature] is None, f"{feature} was built before the list's first paint"
    assert seen["sources"] is False and seen["datasets"] is False
    assert seen["lesson_menu"] == 0  # the Lesson menu is in the menu bar, filled after the start

    qtbot.waitUntil(w.is_ready, timeout=20000)
    # The graph first (its layout runs on a worker), then the rest, once it is there.
    assert order[0] == ("_install_graph", False)
    assert all(graph_built for _name, graph_built in order[1:])
    assert {name for name, _ in order} == {
        "_install_graph",
        "_install_timeline",
        "_install_notes",
        "_install_exports",
        "_install_sources",
    }

    # Built afterwards, and working: the graph shows every entity, the menus hold every feature's actions.
    assert w.graph_pane is not None and len(w.graph_pane.visible_ids) == w.repo.total_entities()
    assert w.timeline_view is not None
    file_menu = _file_menu(w)
    for text in ("Import documents…", "Import dataset…", "Export PDF summary…", "Print…"):
        assert any(t.startswith(text.rstrip("…")) for t in file_menu), (text, file_menu)
    assert w.menus["lesson"].actions()
    assert w.lesson_feature is not None
    assert w.acceptDrops()  # files dropped on the window are imported (sources)
    assert w.notes_feature is not None
    w.notes_feature.pane.setVisible(True)
    nato = w.repo.resolve("NATO")
    assert nato is not None and w.select_entity(nato)
    assert w.notes_feature.pane.entity_id == nato  # the notes pane follows the selection


def _in_a_new_process(code: str, data_paths, tmp_path) -> dict:  # type: ignore[no-untyped-def]
    """Run ``code`` (a window on ``data_paths``) in a new interpreter; the JSON it printed last."""
    env = {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(data_paths.root), str(tmp_path / "settings.ini")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    seen: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_a_fresh_process_paints_the_list_without_loading_the_deferred_features(data_paths, tmp_path):
    """In a new interpreter (nothing imported by other tests): what the window has loaded at its
    first paint. The graph library, the layout, NumPy (the facet counts' too: they start after the
    graph's first picture) and the features in menus load after it."""
    code = r"""
import json, os, sys
from pathlib import Path
from app.cli import load_gui
app = load_gui().make_application()
from app.core.atlas import open_atlas
from app.paths import DataPaths
from app.ui.main_window import MainWindow
from PySide6.QtCore import QEvent, QObject
atlas = open_atlas(DataPaths(Path(sys.argv[1])), rebuild_stale=False)
window = MainWindow(atlas, settings_path=Path(sys.argv[2]))
window.resize(1280, 800)
watched = ["pyqtgraph", "networkx", "app.ui.graph.graph_pane", "app.ui.timeline.timeline_view",
           "app.ui.lessons", "app.ui.sources", "app.ui.notes.notes_feature", "app.ui.report.export_dialog",
           "app.core.sources.store", "app.core.datasets", "numpy", "superqt", "app.core.query.facet_index"]
class Paint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(json.dumps({"rows": window.list_pane.model.rowCount(),
                              "loaded": [m for m in watched if m in sys.modules]}), flush=True)
            os._exit(0)
        return False
paint = Paint()
window.list_pane.view.viewport().installEventFilter(paint)
window.show()
app.exec()
"""
    seen = _in_a_new_process(code, data_paths, tmp_path)
    assert seen["rows"] > 0
    assert seen["loaded"] == []


GRAPH_PICTURE = r"""
import json, os, sys
from pathlib import Path
from app.cli import load_gui
app = load_gui().make_application()
from app.core.atlas import open_atlas
from app.paths import DataPaths
from app.ui.main_window import MainWindow
from PySide6.QtCore import QEvent, QObject, QTimer
atlas = open_atlas(DataPaths(Path(sys.argv[1])), rebuild_stale=False)
window = MainWindow(atlas, settings_path=Path(sys.argv[2]))
window.resize(1280, 800)
class Paint(QObject):
    def eventFilter(self, obj, event):
        pane = window.graph_pane
        if event.type() == QEvent.Type.Paint and pane.is_ready() and pane.visible_ids:
            print(json.dumps({"nodes": len(pane.visible_ids), "slider": window.filter_pane.years is not None,
                              "loaded": [m for m in ("superqt", "networkx") if m in sys.modules]}), flush=True)
            os._exit(0)
        return False
paint = Paint()
def watch():
    if window.graph_pane is None:
        QTimer.singleShot(1, watch)
    else:
        window.graph_pane.canvas.viewport().installEventFilter(paint)
watch()
window.show()
app.exec()
"""


def test_the_graphs_first_picture_waits_for_no_library_it_does_not_draw_with(data_paths, tmp_path):
    """At the graph's first picture (in a new interpreter): superqt (the year slider's, built after
    it) is not loaded, and networkx only when the layout had to be computed, not when an earlier
    start kept it."""
    seen = []
    for run in ("first start: the layout is computed", "second start: the kept layout is read"):
        seen.append(_in_a_new_process(GRAPH_PICTURE, data_paths, tmp_path))
        assert seen[-1]["nodes"] > 0, run
        assert seen[-1]["slider"] is False, run  # the year slider comes after the picture
    assert seen[0]["loaded"] == ["networkx"]
    assert seen[1]["loaded"] == []
