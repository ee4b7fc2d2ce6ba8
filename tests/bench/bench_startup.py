"""Benchmark: process start → first painted main window with the list filled, vs an empty QMainWindow.

Run on purpose: ``python tests/bench/bench_startup.py``. Each measurement is a fresh process
(imports included, as a user feels it), offscreen, median of several runs. Target: ratio ≤ 3×.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUNS = 7

CHILD = r"""
import time
t0 = time.perf_counter()
import os, sys
mode = sys.argv[1]
if mode == "atlas":  # in the order of `alliance-atlas gui` (app.cli.cmd_gui)
    from pathlib import Path
    from app.cli import load_gui
    from app.paths import DataPaths
    load_gui().make_application()
    from app.core.atlas import open_atlas
    from app.ui.main_window import MainWindow
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication.instance() or QApplication([])
if mode == "atlas":
    root = Path(sys.argv[2])
    atlas = open_atlas(DataPaths(root))
    window = MainWindow(atlas, settings_path=root / "settings.ini")
    filled = window.list_pane.model.rowCount()
else:
    window = QMainWindow()
    window.resize(1280, 800)
    filled = 0

class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(f"{(time.perf_counter() - t0) * 1000:.1f} {filled} {'pyqtgraph' in sys.modules}", flush=True)
            os._exit(0)
        return False

target = window.centralWidget() or window
f = Painted()
(window.list_pane.view.viewport() if mode == "atlas" else window).installEventFilter(f)
window.show()
app.exec()
"""


def measure(mode: str, root: Path) -> tuple[float, int, bool]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app runs from cached bytecode
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(root)], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]), out[2] == "True"


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="atlas-startup-"))
    # Build the reference database once, outside the measurement (first-run cost is not startup).
    subprocess.run([sys.executable, "-m", "app", "--data-dir", str(root), "build-db"], check=True, capture_output=True)
    measure("atlas", root)  # warm the OS file cache for both
    measure("empty", root)
    empty = [measure("empty", root)[0] for _ in range(RUNS)]
    atlas_runs = [measure("atlas", root) for _ in range(RUNS)]
    full = [r[0] for r in atlas_runs]
    rows = atlas_runs[0][1]
    graph_loaded = any(r[2] for r in atlas_runs)
    me, ma = statistics.median(empty), statistics.median(full)
    print(f"empty QMainWindow, process start to first paint: median {me:.0f} ms (min {min(empty):.0f})")
    print(f"Alliance Atlas window, list filled ({rows} rows): median {ma:.0f} ms (min {min(full):.0f})")
    print(f"pyqtgraph imported before first paint: {graph_loaded}")
    print(f"ratio: {ma / me:.2f}x (target <= 3x)")
    # On a shared machine the fastest runs are the least disturbed: their ratio is the steadier figure.
    print(f"ratio of the fastest runs: {min(full) / min(empty):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
