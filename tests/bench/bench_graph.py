"""Graph pane benchmark: a synthetic 2,000-node / ~10,000-edge reference (tests.synthetic), timed offscreen.

Run: python tests/bench/bench_graph.py   (prints figures; not collected by pytest)
Targets (issue 4): layout + first draw < 1.5 s, redraw after pan/zoom < 20 ms, redraw after a filter
change < 100 ms, click hit-test < 5 ms; networkx + matplotlib drawing the same graph as a ratio.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> int:
    from PySide6.QtCore import QEventLoop, QPointF, QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from app.core.atlas import open_atlas
    from app.paths import DataPaths
    from tests.synthetic import generate_reference

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="bench-graph-"))
    ref = tmp / "reference.sqlite"
    t = time.perf_counter()
    generate_reference(ref, entities=2000, countries=200, memberships=10_000, passages=2000, documents=5, seed=0)
    print(f"synthetic reference (2,000 entities, 10,000 membership draws): {ms(time.perf_counter() - t)}")
    atlas = open_atlas(DataPaths(tmp), rebuild_stale=False)

    import pyqtgraph  # noqa: F401  (import cost is not part of the draw)

    from app.core.graph.network import build_graph
    from app.ui.graph.graph_pane import GraphPane

    t = time.perf_counter()
    graph = build_graph(atlas.repo, with_citations=False)
    print(
        f"build graph from the database: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges: "
        f"{ms(time.perf_counter() - t)}"
    )

    def wait_for(signal, timeout_ms: int = 20_000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()

    # ---- layout + first draw (layout on a worker thread, pane responsive meanwhile)
    t0 = time.perf_counter()
    pane = GraphPane(repo=atlas.repo, positions=atlas.user_data.graph_positions)
    pane.resize(1200, 800)
    pane.show()
    if not pane.visible_ids:
        wait_for(pane.layout_ready)
    t_layout = time.perf_counter() - t0
    pane.canvas.viewport().repaint()
    app.processEvents()
    t_first = time.perf_counter() - t0
    print(
        f"layout + first draw ({len(pane.visible_ids):,} nodes): {ms(t_first)}   (layout alone {ms(t_layout)})"
        f"   target < 1500 ms"
    )

    vp = pane.canvas.viewport()
    vb = pane.view_box

    def redraw() -> float:
        s = time.perf_counter()
        vp.repaint()
        return time.perf_counter() - s

    redraw()
    pans = []
    for k in range(30):
        s = time.perf_counter()
        if k % 2:
            vb.translateBy(x=15.0, y=-10.0)
        else:
            vb.scaleBy((0.97, 0.97))
        vp.repaint()
        pans.append(time.perf_counter() - s)
    print(f"redraw after pan/zoom (median of 30): {ms(statistics.median(pans))}   max {ms(max(pans))}   target < 20 ms")

    ids = list(graph.nodes)
    filters = []
    for k in range(10):
        subset = set(ids[k::3]) if k % 2 == 0 else None
        s = time.perf_counter()
        pane.set_filter_ids(subset)
        vp.repaint()
        filters.append(time.perf_counter() - s)
    print(
        f"redraw after a filter change (median of 10): {ms(statistics.median(filters))}   max {ms(max(filters))}"
        f"   target < 100 ms"
    )
    from app.core.query.filters import FilterSpec

    s = time.perf_counter()
    pane.set_filter(FilterSpec(kinds=("alliance", "country")))
    vp.repaint()
    print(f"  same through the SQL filter (kinds alliance+country): {ms(time.perf_counter() - s)}")

    pane.set_filter_ids(None)
    pane.fit_to_view()
    vp.repaint()
    hits = []
    scatter = pane.item.scatter
    for k in range(200):
        x, y = pane.visible_pos[(k * 37) % len(pane.visible_pos)]
        s = time.perf_counter()
        pts = scatter.pointsAt(QPointF(float(x), float(y)))
        hits.append(time.perf_counter() - s)
        assert len(pts) >= 1
    print(f"click hit-test (median of 200): {ms(statistics.median(hits))}   max {ms(max(hits))}   target < 5 ms")

    # ---- networkx + matplotlib, same graph and positions, same pixel size
    try:
        import matplotlib
    except ImportError:
        print("comparison with networkx + matplotlib skipped: install it with  pip install -e '.[bench]'")
        return 0

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    pos = {n: pane.node_position(n) for n in graph.nodes}
    fig = plt.figure(figsize=(12, 8), dpi=100)
    s = time.perf_counter()
    nx.draw_networkx(graph, pos=pos, with_labels=False, node_size=20, width=0.5)
    fig.canvas.draw()
    t_mpl = time.perf_counter() - s
    ax = fig.axes[0]
    s = time.perf_counter()
    x0, x1 = ax.get_xlim()
    ax.set_xlim(x0 + 10, x1 + 10)
    fig.canvas.draw()
    t_mpl_pan = time.perf_counter() - s
    plt.close(fig)
    first_draw_only = t_first - t_layout
    print(
        f"networkx + matplotlib first draw: {ms(t_mpl)}  (ours, draw only: {ms(first_draw_only)};"
        f" ratio {t_mpl / max(first_draw_only, 1e-9):.0f}×)"
    )
    print(
        f"networkx + matplotlib redraw after pan: {ms(t_mpl_pan)}  (ours {ms(statistics.median(pans))};"
        f" ratio {t_mpl_pan / max(statistics.median(pans), 1e-9):.0f}×)"
    )
    pane.close()
    QThreadPool.globalInstance().waitForDone(5000)
    atlas.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
