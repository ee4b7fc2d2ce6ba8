"""Benchmark: the graph from the repository's rows to pixels, graph library import included, against
networkx + matplotlib laying out and drawing the same graph; then redraws, filter changes, hit-tests.

Run on purpose: ``python tests/bench/bench_graph.py [--sizes 50,2000,10000,100000]`` (offscreen;
prints figures, asserts nothing). Each side runs in a fresh process, so each pays its own imports:
* ours: import the graph pane (pyqtgraph, numpy), read the rows and ties, lay out on the worker
  thread, draw, grab the canvas's pixels (an overview of 2,000 nodes above 20,000 entities);
* networkx + matplotlib (the ``bench`` extra): import both, read the same rows and ties into a
  networkx graph, ``spring_layout`` with the same seed, draw nodes and edges, render to pixels.
  From 500 nodes networkx's spring layout needs SciPy (not a dependency here), so it is not run there.
The QApplication and the database are opened before the clock starts on both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

OURS = r"""
import json, os, sys, time, statistics
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from pathlib import Path
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.core.atlas import open_atlas
from app.paths import DataPaths
atlas = open_atlas(DataPaths(Path(sys.argv[1])), rebuild_stale=False)
out = {}
t0 = time.perf_counter()
from app.ui.graph.graph_pane import GraphPane
out["import_ms"] = (time.perf_counter() - t0) * 1000
pane = GraphPane(repo=atlas.repo, positions=None)
pane.resize(1200, 800)
pane.show()
while not pane.is_ready():
    app.processEvents()
    time.sleep(0.001)
image = pane.canvas.grab()
out["total_ms"] = (time.perf_counter() - t0) * 1000
out["nodes"], out["ties"], out["overview"] = len(pane.visible_ids), int(pane.graph.m), pane.overview
vp, vb = pane.canvas.viewport(), pane.view_box
def timed(fn):
    s = time.perf_counter(); fn(); pane.canvas.grab(); return (time.perf_counter() - s) * 1000
out["pan_ms"] = statistics.median(
    timed(lambda k=k: vb.translateBy(x=15.0, y=-10.0) if k % 2 else vb.scaleBy((0.97, 0.97))) for k in range(20)
)
ids = pane.graph.ids
subsets = [ids[k::3] if k % 2 == 0 else None for k in range(10)]
out["filter_ms"] = statistics.median(timed(lambda s=s: pane.set_filter_ids(s)) for s in subsets)
pane.set_filter_ids(None)
hits = []
for k in range(200):
    x, y = pane.visible_pos[(k * 37) % len(pane.visible_pos)]
    s = time.perf_counter()
    pane._nodes.pointsAt(QPointF(float(x), float(y)))
    hits.append((time.perf_counter() - s) * 1000)
out["hit_ms"] = statistics.median(hits)
with open("/proc/self/status") as f:
    out["rss_mb"] = next(int(l.split()[1]) / 1024 for l in f if l.startswith("VmRSS:"))
print(json.dumps(out))
"""

MPL = r"""
import json, sys, time
from pathlib import Path
from app.core.atlas import open_atlas
from app.core.query.filters import FilterSpec
from app.paths import DataPaths
atlas = open_atlas(DataPaths(Path(sys.argv[1])), rebuild_stale=False)
t0 = time.perf_counter()
import networkx as nx
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
t_import = time.perf_counter()
graph = nx.Graph()
for r in sorted(atlas.repo.list_entities(FilterSpec()), key=lambda r: r.id):
    graph.add_node(r.id, name=r.name, kind=r.kind)
for s, t, f in atlas.repo.relation_pairs():
    if s in graph and t in graph and s != t and not graph.has_edge(s, t):
        graph.add_edge(s, t, field=f)
pos = nx.spring_layout(graph, seed=7)
t_layout = time.perf_counter()
fig = plt.figure(figsize=(12, 8), dpi=100)
nx.draw_networkx(graph, pos=pos, with_labels=graph.number_of_nodes() <= 150, node_size=20, width=0.5)
fig.canvas.draw()
t_draw = time.perf_counter()
ax = fig.axes[0]
x0, x1 = ax.get_xlim()
ax.set_xlim(x0 + 0.01, x1 + 0.01)
s = time.perf_counter()
fig.canvas.draw()
pan = (time.perf_counter() - s) * 1000
print(json.dumps({"import_ms": (t_import - t0) * 1000, "layout_ms": (t_layout - t_import) * 1000,
                  "total_ms": (t_draw - t0) * 1000, "pan_ms": pan}))
"""


def run(script: str, root: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", script, str(root)], capture_output=True, text=True, env=env, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="50,2000,10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data", type=Path, default=None, help="reuse data-<N> dirs kept here")
    args = ap.parse_args()
    from tests.bench.bench_search_keystroke import data_dir

    base = args.data or Path(tempfile.mkdtemp(prefix="atlas-bench-graph-"))
    try:
        import matplotlib
    except ImportError:
        matplotlib = None
    for size in (int(s) for s in args.sizes.split(",")):
        root = data_dir(size, base)
        ours = [run(OURS, root) for _ in range(args.runs)]
        o = {k: statistics.median(r[k] for r in ours) for k in ours[0]}
        print(
            f"\n{size:,} entities: {int(o['nodes']):,} nodes drawn{' (overview)' * bool(o['overview'])}, "
            f"{int(o['ties']):,} ties in all; median of {args.runs} fresh processes\n"
            f"  ours, rows → pixels incl. import: {o['total_ms']:8.0f} ms (import {o['import_ms']:.0f} ms); "
            f"process RSS {o['rss_mb']:.0f} MB\n"
            f"  redraw after pan/zoom {o['pan_ms']:.1f} ms, after a filter change {o['filter_ms']:.1f} ms, "
            f"click hit-test {o['hit_ms']:.2f} ms"
        )
        if matplotlib is None:
            print("  networkx + matplotlib: skipped (pip install -e '.[bench]')")
        elif size >= 500:
            print("  networkx + matplotlib: not run (from 500 nodes networkx's spring_layout needs SciPy)")
        else:
            mpl = [run(MPL, root) for _ in range(args.runs)]
            m = {k: statistics.median(r[k] for r in mpl) for k in mpl[0]}
            print(
                f"  networkx + matplotlib, same rows → pixels: {m['total_ms']:8.0f} ms (import {m['import_ms']:.0f}, "
                f"layout {m['layout_ms']:.0f} ms); ratio {m['total_ms'] / o['total_ms']:.1f}x; "
                f"redraw after pan {m['pan_ms']:.0f} ms ({m['pan_ms'] / max(o['pan_ms'], 1e-3):.0f}x ours)"
            )
    return 0


if __name__ == "__main__":
    t = time.perf_counter()
    code = main()
    print(f"\n(benchmark took {time.perf_counter() - t:.0f} s)")
    sys.exit(code)
