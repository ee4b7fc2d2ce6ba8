"""The list at scale: a 5,000-entity window reads its rows a page at a time, off the GUI thread."""

from __future__ import annotations

import csv
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.core.atlas import Atlas, open_atlas
from app.core.query.filters import FilterSpec
from app.core.query.matches import PAGE
from app.paths import DataPaths
from tests.synthetic import generate_reference

N = 5000


@pytest.fixture(scope="module")
def big_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "reference.sqlite"
    return generate_reference(path, entities=N, countries=100, memberships=10_000, passages=5000, documents=10)


@pytest.fixture
def big_atlas(tmp_path: Path, big_reference: Path) -> Iterator[Atlas]:
    paths = DataPaths(tmp_path / "big-home").ensure()
    shutil.copyfile(big_reference, paths.reference_db)
    atlas = open_atlas(paths, rebuild_stale=False)
    yield atlas
    atlas.close()


@pytest.fixture
def big_window(qtbot, big_atlas: Atlas, tmp_path: Path) -> Iterator[object]:
    from app.ui.main_window import MainWindow

    w = MainWindow(big_atlas, settings_path=tmp_path / "settings.ini")
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(w.is_ready, timeout=60000)
    yield w
    w.close()
    w.pool.waitForDone(5000)


def _loaded(window) -> int:
    matches = window.list_pane.model.matches
    return sum(matches.loaded(i) is not None for i in range(len(matches)))


def _answers(qtbot) -> bool:
    """The GUI thread serves a timer event while a worker is held (a blocked thread never would)."""
    fired: list[bool] = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=3000)
    return bool(fired)


def test_scrolling_reads_more_rows_off_the_gui_thread_and_the_count_says_the_total(qtbot, big_window):
    window = big_window
    model, view = window.list_pane.model, window.list_pane.view
    assert window.count_label.text() == f"{N:,} of {N:,} entities"
    assert model.rowCount() == N
    assert _loaded(window) <= 2 * PAGE  # the first page, not 5,000 rows
    threads: list[bool] = []
    real = window.repo.entity_rows

    def entity_rows(ids):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(ids)

    window.repo.entity_rows = entity_rows
    try:
        view.scrollToBottom()
        qtbot.waitUntil(lambda: model.matches.loaded(N - 1) is not None, timeout=10000)
    finally:
        window.repo.entity_rows = real
    assert threads and not any(threads)  # every page was read on a worker
    last = window.repo.list_entities(FilterSpec())[-1]
    qtbot.waitUntil(lambda: model.data(model.index(N - 1, 0)) == last.name, timeout=5000)
    assert _loaded(window) < N // 2  # the rows scrolled past were never read
    assert window.count_label.text() == f"{N:,} of {N:,} entities"


def test_end_key_goes_to_the_last_entity_and_selection_survives_a_refetch(qtbot, big_window):
    window = big_window
    view, pane = window.list_pane.view, window.list_pane
    view.setFocus()
    view.setCurrentIndex(pane.model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    last_id = window.repo.list_entities(FilterSpec())[-1].id
    qtbot.waitUntil(lambda: window.current_entity_id() == last_id, timeout=5000)
    assert window.detail_pane.detail is not None and window.detail_pane.detail.id == last_id
    # A new query (another sort) keeps it selected, wherever it now sits.
    window.list_pane.sort_requested.emit("founded", True)
    qtbot.waitUntil(lambda: not window.list_runner.busy and window.current_spec().sort == "founded", timeout=10000)
    qtbot.waitUntil(lambda: pane.current_id() == last_id, timeout=5000)
    row = pane.model.row_for_id(last_id)
    assert row is not None and view.selectionModel().isRowSelected(row)
    assert pane.selected_ids() == [last_id]
    # Its row is painted with its values once its page is read.
    name = window.detail_pane.detail.name
    qtbot.waitUntil(lambda: pane.model.data(pane.model.index(row, 0)) == name, timeout=5000)


def test_a_slowed_list_query_leaves_the_window_answering_and_a_superseded_answer_is_dropped(qtbot, big_window):
    window = big_window
    gate = threading.Event()
    held = threading.Event()
    real = window.repo.list_matches

    def list_matches(spec: FilterSpec, **kwargs):
        if spec.text == "allia":  # the first query answers last
            held.set()
            gate.wait(10)
        return real(spec, **kwargs)

    window.repo.list_matches = list_matches
    shown: list[str] = []
    window.matches_changed.connect(lambda spec, _rows: shown.append(spec.text))
    try:
        window.filter_pane.search.setText("allia")
        qtbot.waitUntil(held.is_set)
        assert _answers(qtbot)  # the list's worker is held, the window is not
        window.filter_pane.search.setText("zzzq")  # supersedes "allia" while it runs
        gate.set()
        qtbot.waitUntil(lambda: "zzzq" in shown, timeout=10000)
        qtbot.waitUntil(lambda: not window.list_runner.busy, timeout=10000)
    finally:
        gate.set()
        window.repo.list_matches = real
    assert "allia" not in shown  # the stale answer never reached the list
    assert window.list_pane.model.rowCount() == 0
    assert window.count_label.text() == f"0 of {N:,} entities"


def test_exporting_the_list_writes_every_matching_row_not_only_those_read(qtbot, big_window, tmp_path):
    window = big_window
    assert _loaded(window) < N
    relay = window.export_actions.start_data("csv", tmp_path / "all.csv")
    with qtbot.waitSignal(relay.finished, timeout=120000):
        pass
    with (tmp_path / "all.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    ids = {r.get("id") for r in rows}
    assert len(ids) == N and ids == set(window.current_rows().ids)


def test_the_timeline_on_show_gets_every_matching_row_read_off_the_gui_thread(qtbot, big_window):
    window = big_window
    window.show_tab("timeline")
    timeline = window.timeline_view
    qtbot.waitUntil(lambda: timeline.isVisible(), timeout=5000)
    threads: list[bool] = []
    real = window.repo.entity_rows

    def entity_rows(ids):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(ids)

    redraws: list[int] = []
    timeline.redrawn.connect(lambda: redraws.append(1))
    window.repo.entity_rows = entity_rows
    try:
        window.filter_pane.search.setText("alliance")
        qtbot.waitUntil(lambda: bool(redraws) and not window.timeline_runner.busy, timeout=20000)
    finally:
        window.repo.entity_rows = real
    assert threads and not any(threads)  # the list read its page, the timeline its rows: on workers
    matching = set(window.current_rows().ids)
    drawn = set(timeline.drawn_ids)
    assert len(drawn) > 2 * PAGE and drawn <= matching  # far more than the list has read


def test_typing_a_name_in_the_list_finds_rows_not_read_yet(qtbot, big_window):
    """Type-ahead in a long list: the first row (in the list's order) whose name begins with what
    was typed, even far below the rows read so far; text no name begins with moves nothing."""
    window = big_window
    view, pane = window.list_pane.view, window.list_pane
    rows = window.repo.list_entities(FilterSpec())  # every row, in the list's order
    target = next(k for k, r in enumerate(rows) if r.name.casefold().startswith("tr"))
    assert target > PAGE and pane.model.matches.loaded(target) is None  # not read: Qt's search misses it
    view.setFocus()
    view.setCurrentIndex(pane.model.index(0, 0))
    qtbot.keyClicks(view, "tr")
    qtbot.waitUntil(lambda: window.current_entity_id() == rows[target].id, timeout=5000)
    assert pane.model.data(pane.model.index(target, 0)) in ("", rows[target].name)  # its page is being read

    qtbot.wait(QApplication.keyboardInputInterval() + 50)  # what follows is a new search
    qtbot.keyClicks(view, "zq")  # a fresh search no name matches: the selection stays
    qtbot.wait(100)
    assert window.current_entity_id() == rows[target].id
