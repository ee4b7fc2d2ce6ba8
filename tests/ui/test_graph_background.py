"""Nothing heavy on the GUI thread: a slowed worker (graph read, layout, list query, facet counts)
leaves the window answering events, a superseded answer is dropped, and a graph above the size
limit is drawn as an overview that says so."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pytest
from PySide6.QtCore import QThreadPool, QTimer

from app.core.query.filters import FilterSpec
from app.ui.graph.graph_pane import GraphPane


@dataclass(frozen=True)
class _Row:
    id: str
    name: str
    kind: str


class _FakeRepo:
    """The two reads the graph pane makes, over a generated network; ``gate`` holds them back."""

    def __init__(self, hubs: int, leaves: int, per_leaf: int = 2) -> None:
        self.rows = [_Row(f"hub-{i:04d}", f"Hub {i}", "country") for i in range(hubs)]
        self.rows += [_Row(f"leaf-{i:05d}", f"Leaf {i}", "alliance") for i in range(leaves)]
        rng = np.random.default_rng(0)
        self.pairs = [
            (f"leaf-{i:05d}", f"hub-{int(h):04d}", "member")
            for i in range(leaves)
            for h in rng.choice(hubs, size=per_leaf, replace=False)
        ]
        self.gate: threading.Event | None = None
        self.reads = 0

    def list_entities(self, spec: FilterSpec, *, limit: int | None = None) -> list[_Row]:
        if spec.ids:
            return [r for r in self.rows if r.id in spec.ids]
        return list(self.rows)

    def relation_pairs(self) -> list[tuple[str, str, str]]:
        self.reads += 1
        if self.gate is not None:
            assert self.gate.wait(10), "the test never released the worker"
        return list(self.pairs)


class _SlowStore:
    """Graph positions whose load waits for the test (it runs inside the layout job)."""

    def __init__(self) -> None:
        self.gates: list[threading.Event] = []
        self.loads: list[str] = []

    def load(self, layout: str) -> dict[str, tuple[float, float]]:
        gate = threading.Event()
        self.gates.append(gate)
        assert gate.wait(10), "the test never released the layout"
        self.loads.append(layout)
        return {}

    def save(self, layout: str, positions: object) -> None:
        pass

    def clear(self, layout: str) -> int:
        return 0


@pytest.fixture
def pool():
    p = QThreadPool()
    yield p
    p.waitForDone(10000)


def _answers(qtbot) -> bool:
    """The GUI thread serves a timer event while the worker is held (a blocked thread never would)."""
    fired: list[bool] = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=3000)
    return bool(fired)


def test_reading_the_network_runs_off_the_gui_thread(qtbot, pool):
    repo = _FakeRepo(hubs=8, leaves=60)
    repo.gate = threading.Event()
    pane = GraphPane(repo=repo, pool=pool)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitUntil(lambda: repo.reads == 1)
    assert not pane.loaded and pane.busy_label.isVisible()
    assert "Reading the network" in pane.busy_label.text()
    assert _answers(qtbot)  # the read is blocked, the window is not
    pane.select_entity("hub-0003")  # a selection made meanwhile is kept
    repo.gate.set()
    qtbot.waitUntil(pane.is_ready, timeout=30000)
    assert len(pane.visible_ids) == 68 and pane.selected_id == "hub-0003"
    assert not pane.busy_label.isVisible()


def test_a_superseded_layout_is_dropped_and_the_gui_thread_stays_free(qtbot, pool, monkeypatch):
    import app.ui.graph.graph_pane as graph_pane

    monkeypatch.setattr(graph_pane, "ASYNC_NODES", 10)  # a small graph, laid out on a worker all the same
    repo = _FakeRepo(hubs=6, leaves=30)
    store = _SlowStore()
    pane = GraphPane(repo=repo, positions=store, pool=pool)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitUntil(lambda: len(store.gates) == 1)
    store.gates[0].set()  # the first layout (spring)
    qtbot.waitUntil(pane.is_ready, timeout=30000)
    spring = pane.node_position("hub-0001")
    ready: list[str] = []
    pane.layout_ready.connect(lambda: ready.append(pane.layout_name))
    pane.set_layout("shell")  # its job starts and waits in store.load ...
    qtbot.waitUntil(lambda: len(store.gates) == 2)
    pane.set_layout("bipartite")  # ... and is superseded before it answers
    assert _answers(qtbot)
    assert pane.node_position("hub-0001") == spring  # nothing applied yet
    store.gates[1].set()  # the shell layout finishes: stale, dropped
    qtbot.waitUntil(lambda: len(store.gates) == 3)
    assert ready == [] and pane.node_position("hub-0001") == spring
    store.gates[2].set()
    qtbot.waitUntil(lambda: ready == ["bipartite"], timeout=30000)
    assert store.loads == ["spring", "shell", "bipartite"]
    assert pane.node_position("hub-0001")[0] < 0 < pane.node_position("leaf-00001")[0]  # countries left


def test_above_the_size_limit_an_overview_says_showing_n_of_m_and_a_filter_narrows_it(qtbot, pool):
    repo = _FakeRepo(hubs=40, leaves=760)
    pane = GraphPane(repo=repo, pool=pool, overview_limit=500, overview_nodes=100)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitUntil(pane.is_ready, timeout=30000)
    assert pane.overview
    assert len(pane.visible_ids) == 100
    hubs = {r.id for r in repo.rows if r.id.startswith("hub-")}
    assert hubs <= set(pane.visible_ids)  # the best connected come first
    assert pane.overview_label.isVisibleTo(pane)
    assert "showing 100 of 800 entities" in pane.overview_label.text()
    # A filter small enough to draw whole: every match, laid out, and no overview note.
    few = [f"leaf-{i:05d}" for i in range(50)]
    pane.set_matches(FilterSpec(ids=tuple(few)), [_Row(i, i, "alliance") for i in few])
    qtbot.waitUntil(lambda: pane.is_ready() and set(pane.visible_ids) == set(few), timeout=30000)
    assert not pane.overview_label.isVisibleTo(pane)
    # Focus on a leaf outside the overview: its neighbourhood is laid out and drawn.
    pane.set_filter_ids(None)
    qtbot.waitUntil(lambda: pane.is_ready() and len(pane.visible_ids) == 100, timeout=30000)
    pane.select_entity("leaf-00700")
    pane.set_focus_depth(1)
    qtbot.waitUntil(lambda: pane.is_ready() and "leaf-00700" in pane.visible_ids, timeout=30000)
    assert set(pane.visible_ids) == {"leaf-00700", *pane.graph.neighbors("leaf-00700")}


def test_a_slow_facet_count_does_not_block_the_window_and_a_superseded_list_is_dropped(qtbot, window, settle):
    repo = window.repo
    gate = threading.Event()
    slow_facets = repo.facet_counts

    def facets(spec: FilterSpec):  # held back until the test has typed
        gate.wait(10)
        return slow_facets(spec)

    first = threading.Event()
    real_list = repo.list_matches

    def list_matches(spec: FilterSpec, **kwargs):
        if spec.text == "nat" and not first.is_set():  # the first query answers last
            first.set()
            gate.wait(10)
        return real_list(spec, **kwargs)

    window.repo.facet_counts = facets
    window.repo.list_matches = list_matches
    try:
        shown: list[str] = []
        window.matches_changed.connect(lambda spec, _rows: shown.append(spec.text))
        window.filter_pane.search.setText("nat")
        qtbot.waitUntil(first.is_set)
        window.filter_pane.search.setText("nato")  # supersedes "nat" while it runs
        assert _answers(qtbot)  # list and facet workers blocked, the window is not
        gate.set()
        settle(window)
        assert shown[-1] == "nato" and "nat" not in shown  # the stale answer never reached the list
        assert "nato" in [r.id for r in window.list_pane.model.rows()]
    finally:
        gate.set()
        window.repo.facet_counts = slow_facets
        window.repo.list_matches = real_list


def test_graph_data_masks_match_networkx(repo):
    """The array network answers as networkx does (neighbourhoods, ties, shortest chains)."""
    from app.core.graph import network as g
    from app.core.graph.model import load_graph_data

    data = load_graph_data(repo)
    graph = g.build_graph(repo, with_citations=False)
    assert sorted(data.ids) == sorted(graph.nodes) and data.m == graph.number_of_edges()
    for eid in ("csto", "islamic-nation", "united-states"):
        for depth in (1, 2):
            mask = data.neighbourhood_mask(data.index[eid], depth)
            assert {data.ids[i] for i in np.flatnonzero(mask)} == g.neighbourhood(graph, eid, depth)
    path = data.shortest_path(data.index["islamic-nation"], data.index["armenia"])
    assert len(path) == len(g.nx.shortest_path(graph, "islamic-nation", "armenia"))
    steps = g.connection_path(repo, data, "islamic-nation", "armenia")
    assert steps[-1].to_id == "armenia" and all(s.citations for s in steps)
