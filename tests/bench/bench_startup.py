"""Benchmark: process spawn → list painted → graph drawn, against an empty PySide6 window started the
same way, at the seed scale and at synthetic scales; with the process's resident memory after start.

Run on purpose: ``python tests/bench/bench_startup.py [--sizes 50,10000,100000] [--runs 7]``, under
Xvfb for a real X window (``xvfb-run -a python tests/bench/bench_startup.py``), offscreen otherwise.
Each run is a fresh process (imports included, as a user feels it); empty-window and Atlas runs
alternate, so a busy moment on a shared machine hits both; medians of ``--runs`` each.

What is timed, from the parent's clock just before it spawns the child:
* list painted: the first Paint event of the list's viewport (the rows are filled before it);
* graph drawn: the first Paint of the graph canvas once the graph is read, laid out and on it
  (an overview above 20,000 entities);
* the empty baseline: the first Paint of a bare QMainWindow of the same size.
Memory: the child's resident set (VmRSS) once the graph is drawn and every part deferred past the first
paint is built (the empty window's at its paint).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.harness import data_dir as _data_dir  # noqa: E402
from tests.bench.harness import display_name, measure_start  # noqa: E402

TARGETS = {50: (2.5, 0.5, 180), 10_000: (3.0, 1.5, 350), 100_000: (4.0, 3.0, 800)}  # ratio, s to graph, MB


def measure(mode: str, root: Path) -> dict[str, float]:
    """One fresh process ("atlas" or "empty") on ``root``: see tests/bench/harness.py (measure_start)."""
    return measure_start(mode, root)


def data_dir(size: int, base: Path) -> Path:
    """A data dir with the seed build (50) or a synthetic reference of ``size`` entities."""
    return _data_dir(size, base, note_prefix="  ")


def report(label: str, size: int, runs: int, empty: list[dict[str, float]], atlas: list[dict[str, float]]) -> None:
    """Print the medians of one tree's runs against the empty window's."""
    me = statistics.median(r["list"] for r in empty)
    ml = statistics.median(r["list"] for r in atlas)
    mg = statistics.median(r["graph"] for r in atlas)
    rss = statistics.median(r["rss_mb"] for r in atlas)
    ratio_t, graph_t, rss_t = TARGETS.get(size, (None, None, None))
    first = atlas[0]
    print(
        f"{label}{first['rows']:,} entities "
        f"({'overview of ' * bool(first['overview'])}{first['nodes']:,} nodes drawn), "
        f"median of {runs} alternating runs:\n"
        f"  empty PySide6 window, spawn → painted:  {me * 1000:7.0f} ms\n"
        f"  Alliance Atlas, spawn → list painted:   {ml * 1000:7.0f} ms   ratio {ml / me:.2f}x"
        f"   (target ≤ {ratio_t}x)\n"
        f"  of which opening the databases (open_atlas): "
        f"{statistics.median(r['open_atlas'] for r in atlas) * 1000:7.0f} ms\n"
        f"  list painted → graph drawn:             {mg * 1000:7.0f} ms   (target ≤ {graph_t} s)\n"
        f"  resident memory after start:            {rss:7.0f} MB   (target ≤ {rss_t} MB;"
        f" empty window {statistics.median(r['rss_mb'] for r in empty):.0f} MB)",
        flush=True,
    )


def compare_data(project: Path, size: int, base: Path) -> Path | None:
    """The data folder the compared checkout starts on: its own reference, built by its own code from
    its own seeds (an older schema cannot read ours). Only for the seed data: the synthetic databases are
    written in today's schema."""
    if size != 50:
        print(f"  (--compare: {size:,} entities skipped; only the seed data is built by the other checkout)")
        return None
    root = base / f"compare-data-{size}"
    if not (root / "reference.sqlite").exists():
        root.mkdir(parents=True, exist_ok=True)
        build = (
            "import sys; from pathlib import Path; from app.core.atlas import open_atlas; "
            "from app.paths import DataPaths; open_atlas(DataPaths(Path(sys.argv[1])), seeds=Path('seeds')).close()"
        )
        env = dict(os.environ, PYTHONPATH=str(project))
        subprocess.run([sys.executable, "-c", build, str(root)], cwd=project, env=env, check=True, timeout=600)
    return root


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="50,10000,100000")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--data", type=Path, default=None, help="reuse data-<size> dirs kept here")
    ap.add_argument(
        "--compare",
        type=Path,
        default=None,
        help="also start the app of this checkout (e.g. an older commit from git archive), alternating in the same run",
    )
    ap.add_argument(
        "--cold-graph",
        action="store_true",
        help="remove the graph's cache (network and layouts, DIR/graph-cache) before each run: a first start",
    )
    args = ap.parse_args()
    base = args.data or Path(tempfile.mkdtemp(prefix="atlas-startup-"))
    print(f"display: {display_name()}")
    for size in (int(s) for s in args.sizes.split(",")):
        root = data_dir(size, base)
        measure("atlas", root)  # warm the OS file cache for both
        measure("empty", root)
        empty, atlas, other = [], [], []
        other_root = compare_data(args.compare, size, base) if args.compare else None
        if other_root is not None:
            measure_start("atlas", other_root, project=args.compare)
        for _ in range(args.runs):  # alternating: a busy moment of a shared machine hits both
            empty.append(measure("empty", root))
            if args.cold_graph:
                shutil.rmtree(root / "graph-cache", ignore_errors=True)
            atlas.append(measure("atlas", root))
            if other_root is not None:
                if args.cold_graph:
                    shutil.rmtree(other_root / "graph-cache", ignore_errors=True)
                other.append(measure_start("atlas", other_root, project=args.compare))
        report("", size, args.runs, empty, atlas)
        if other_root is not None:
            report(f"{args.compare}: ", size, args.runs, empty, other)
    return 0


if __name__ == "__main__":
    sys.exit(main())
