"""The graph's redraws off the GUI thread: a slowed label plan or view leaves the window answering,
a superseded redraw is dropped, hubs are labelled and hovering labels the rest, and the network and
its layout come back from the cache on the next start."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QThreadPool

import app.ui.graph.view_jobs as view_jobs
from app.core.graph.placement import plan_labels
from app.core.graph.view import compute_view
from app.core.query.filters import FilterSpec
from app.ui.graph.graph_pane import GraphPane
from tests.ui.test_graph_background import _answers, _FakeRepo, _Row


@pytest.fixture
def pool():
    p = QThreadPool()
    yield p
    p.waitForDone(10000)


def _pane(qtbot, pool, repo, **kwargs) -> GraphPane:
    pane = GraphPane(repo=repo, pool=pool, **kwargs)
    qtbot.addWidget(pane)
    pane.resize(900, 700)
    pane.show()
    qtbot.waitUntil(pane.is_ready, timeout=60000)
    return pane


def _painted_labels(qtbot, pane: GraphPane) -> set[str]:
    """Labels in the picture once every plan asked for has arrived."""
    pane.canvas.grab()
    qtbot.waitUntil(pane.is_ready, timeout=60000)
    pane.canvas.grab()
    return set(pane.labels.last_labels)


def test_a_slowed_label_plan_does_not_block_the_window(qtbot, pool, monkeypatch):
    repo = _FakeRepo(hubs=12, leaves=150)
    pane = _pane(qtbot, pool, repo)
    pane.sync_labels = 0  # plan every view on a worker, as on a big graph
    gate = threading.Event()
    calls: list[str | None] = []

    def slow(scene):
        calls.append(scene.selected)
        assert gate.wait(10), "the test never released the label plan"
        return plan_labels(scene)

    monkeypatch.setattr(view_jobs, "plan_labels", slow)
    pane.select_entity("leaf-00140")
    qtbot.waitUntil(lambda: "leaf-00140" in calls)
    assert _answers(qtbot)  # the plan is held on its worker, the GUI thread is free
    assert not pane.is_ready()
    pane.canvas.grab()  # meanwhile the last plan is drawn, moved with its nodes: no label of the new choice
    assert "leaf-00140" not in pane.labels.last_labels
    gate.set()
    assert "leaf-00140" in _painted_labels(qtbot, pane)


def test_typing_computes_the_view_on_a_worker_and_a_superseded_one_is_dropped(qtbot, pool, monkeypatch):
    repo = _FakeRepo(hubs=12, leaves=150)
    pane = _pane(qtbot, pool, repo)
    gates: list[threading.Event] = []
    matched: list[int] = []

    def slow(inp):
        gate = threading.Event()
        gates.append(gate)
        matched.append(int(inp.in_filter.sum()) if inp.in_filter is not None else -1)
        assert gate.wait(10), "the test never released the view"
        return compute_view(inp)

    monkeypatch.setattr(view_jobs, "compute_view", slow)
    redraws: list[int] = []
    pane.redrawn.connect(lambda: redraws.append(len(pane.visible_ids)))
    first = [f"leaf-{i:05d}" for i in range(40)]
    second = [f"leaf-{i:05d}" for i in range(10)]
    pane.set_matches(FilterSpec(text="le"), [_Row(i, i, "alliance") for i in first])
    qtbot.waitUntil(lambda: len(gates) == 1)
    assert _answers(qtbot) and len(pane.visible_ids) == 162  # the old picture stays until the new one is ready
    pane.set_matches(FilterSpec(text="lea"), [_Row(i, i, "alliance") for i in second])
    gates[0].set()  # the first view finishes: superseded, dropped
    qtbot.waitUntil(lambda: len(gates) == 2, timeout=10000)
    gates[1].set()
    qtbot.waitUntil(lambda: pane.is_ready() and set(pane.visible_ids) == set(second), timeout=10000)
    assert matched == [40, 10]
    assert 40 not in redraws and redraws[-1] == 10  # the stale view never reached the canvas


def test_hubs_are_labelled_and_hovering_a_node_labels_it(qtbot, pool):
    repo = _FakeRepo(hubs=10, leaves=150)
    pane = _pane(qtbot, pool, repo)
    pane.sync_labels = 0
    labels = _painted_labels(qtbot, pane)
    hubs = {f"hub-{i:04d}" for i in range(10)}
    assert len(hubs & labels) >= 8  # the best connected are the labels a reader looks for first
    assert len(labels) <= 40  # a crowded view: not every leaf
    leaf = next(n for n in pane.visible_ids if n.startswith("leaf-") and n not in labels)
    scatter = pane._nodes
    spot = int(pane._spot[pane.graph.index[leaf]])
    pane.on_hovered(scatter, [scatter.points()[spot]], None)
    assert leaf in _painted_labels(qtbot, pane)
    pane.on_hovered(scatter, [], None)
    assert leaf not in _painted_labels(qtbot, pane)


def test_labels_follow_their_nodes_while_the_view_moves(qtbot, pool):
    repo = _FakeRepo(hubs=10, leaves=150)
    pane = _pane(qtbot, pool, repo)
    pane.sync_labels = 0
    _painted_labels(qtbot, pane)
    before = dict(pane.labels.last_boxes)
    hub = next(n for n in before if n.startswith("hub-"))
    tr = pane.view_box.childGroup.sceneTransform()
    old = tr.map(QPointF(*pane.node_position(hub)))
    pane.view_box.translateBy(x=-pane.view_box.viewRect().width() * 0.1, y=0)
    pane.canvas.grab()  # at once: the previous plan, moved with the view
    new = pane.view_box.childGroup.sceneTransform().map(QPointF(*pane.node_position(hub)))
    box, moved = before[hub][0], pane.labels.last_boxes[hub][0]
    assert moved[0] - box[0] == pytest.approx(new.x() - old.x(), abs=0.5)
    assert moved[1] - box[1] == pytest.approx(new.y() - old.y(), abs=0.5)
    qtbot.waitUntil(pane.is_ready, timeout=10000)  # and planned again once the view rests


def test_the_network_and_its_layout_come_back_from_the_cache(qtbot, pool, tmp_path):
    class StampedRepo(_FakeRepo):
        stamp = "reference v1"

        def network_stamp(self) -> str:
            return self.stamp

    repo = StampedRepo(hubs=8, leaves=200)
    first = _pane(qtbot, pool, repo, cache_dir=tmp_path / "cache")
    assert repo.reads == 1
    pos = {n: first.node_position(n) for n in first.visible_ids}
    again = _pane(qtbot, pool, repo, cache_dir=tmp_path / "cache")
    assert repo.reads == 1  # read from the cache, not from the tables
    assert {n: again.node_position(n) for n in again.visible_ids} == pos
    assert again.graph.m == first.graph.m and again.graph.fields == first.graph.fields
    repo.stamp = "reference v2"  # the reference was rebuilt: read again
    _pane(qtbot, pool, repo, cache_dir=tmp_path / "cache")
    assert repo.reads == 2
    (tmp_path / "cache" / "network.npz").write_bytes(b"damaged")
    damaged = _pane(qtbot, pool, repo, cache_dir=tmp_path / "cache")
    assert repo.reads == 3 and len(damaged.visible_ids) == 208  # a damaged cache is only ignored


def test_a_view_computed_on_a_worker_equals_one_computed_at_once(qtbot, pool):
    repo = _FakeRepo(hubs=6, leaves=120)
    pane = _pane(qtbot, pool, repo)
    ids = [f"leaf-{i:05d}" for i in range(0, 120, 3)] + ["hub-0002"]
    pane.select_entity("hub-0002")
    pane.set_matches(FilterSpec(text="x"), [_Row(i, i, "alliance") for i in ids])
    qtbot.waitUntil(lambda: pane.is_ready() and len(pane.visible_ids) != 126, timeout=10000)
    worker = (pane.visible_index.copy(), pane.visible_faded.copy(), pane._edges.getData()[0].copy())
    pane.set_filter_ids(None)
    pane.set_filter_ids(ids)  # at once, on the GUI thread
    assert np.array_equal(worker[0], pane.visible_index) and np.array_equal(worker[1], pane.visible_faded)
    assert np.array_equal(worker[2], pane._edges.getData()[0])


def _counting_views(qtbot, pool, monkeypatch):  # type: ignore[no-untyped-def]
    """A pane whose every view computed is counted by its matches: (pane, the counts in order)."""
    pane = _pane(qtbot, pool, _FakeRepo(hubs=12, leaves=150))
    computed: list[int] = []

    def counted(inp):
        computed.append(int(inp.in_filter.sum()) if inp.in_filter is not None else -1)
        return compute_view(inp)

    monkeypatch.setattr(view_jobs, "compute_view", counted)
    return pane, computed


def test_an_expensive_redraw_while_typing_waits_for_the_pause_and_draws_the_last_matches(qtbot, pool, monkeypatch):
    pane, computed = _counting_views(qtbot, pool, monkeypatch)
    pane._view_runner.last_ms = 5000.0  # the last redraw took seconds (a very large network)
    for n in (40, 30, 20, 10):  # keys faster than the pause the graph waits for
        pane.set_matches(FilterSpec(text="l" * n), [_Row(f"leaf-{i:05d}", "x", "alliance") for i in range(n)])
    qtbot.waitUntil(lambda: pane.is_ready() and len(pane.visible_ids) == 10, timeout=10000)
    assert computed == [10]  # one redraw, for the last matches


@pytest.mark.parametrize(("redraw_ms", "follows"), [(5.0, True), (60.0, False)])
def test_at_a_typists_rhythm_only_a_redraw_that_fits_between_keys_follows_the_typing(
    qtbot, pool, monkeypatch, redraw_ms, follows
):
    """Keys 150 ms apart: a redraw that fits in a quarter of the gap is drawn after each key's rows
    (the graph follows the typing); a costlier one (60 ms: 100,000 entities) would still be running
    when the next key's query starts, so it waits for the pause and draws the last matches once."""
    pane, computed = _counting_views(qtbot, pool, monkeypatch)
    for n in (40, 30, 20, 10):
        pane._view_runner.last_ms = redraw_ms  # what the last real redraw cost
        pane.set_matches(FilterSpec(text="l" * n), [_Row(f"leaf-{i:05d}", "x", "alliance") for i in range(n)])
        qtbot.wait(150)
    qtbot.waitUntil(lambda: pane.is_ready() and len(pane.visible_ids) == 10, timeout=10000)
    # The first key after a pause goes at once; then the rhythm decides.
    assert computed == ([40, 30, 20, 10] if follows else [40, 10])
    assert view_jobs.redraw_wait(1.0, 5000.0) == 0  # a lone change: at once, whatever it costs


def test_a_newer_filter_stops_the_redraw_for_older_matches_before_its_next_step(qtbot, pool, monkeypatch):
    """A key pressed while the graph computes the previous key's picture: that work stops at its next
    step (it would run beside the list's query for the new key) and the new matches are drawn."""
    repo = _FakeRepo(hubs=12, leaves=150)
    pane = _pane(qtbot, pool, repo)
    gate = threading.Event()
    labels_planned: list[int] = []
    views: list[int] = []

    def held(inp):
        views.append(int(inp.in_filter.sum()) if inp.in_filter is not None else -1)
        if len(views) == 1:
            assert gate.wait(10), "the test never released the view"
        return compute_view(inp)

    def counted(scene):
        labels_planned.append(len(scene.visible_index))
        return plan_labels(scene)

    monkeypatch.setattr(view_jobs, "compute_view", held)
    monkeypatch.setattr(view_jobs, "plan_labels", counted)
    first = [f"leaf-{i:05d}" for i in range(40)]
    pane.set_matches(FilterSpec(text="le"), [_Row(i, i, "alliance") for i in first])
    qtbot.waitUntil(lambda: len(views) == 1)
    planned = len(labels_planned)
    pane.filter_changing()  # the window's next key: its list query starts
    gate.set()
    qtbot.waitUntil(lambda: not pane._view_runner.busy, timeout=10000)
    assert len(labels_planned) == planned  # stopped after the view, before planning its labels
    assert len(pane.visible_ids) == 162  # nothing of the stopped picture was drawn
    second = [f"leaf-{i:05d}" for i in range(10)]
    pane.set_matches(FilterSpec(text="lea"), [_Row(i, i, "alliance") for i in second])
    qtbot.waitUntil(lambda: pane.is_ready() and set(pane.visible_ids) == set(second), timeout=10000)
    assert views == [40, 10]
