"""Benchmark: a keystroke in the search box → the list updated, at the 10,000-entity synthetic scale.

Run on purpose: ``python tests/bench/bench_search_keystroke.py``. Types a word one key at a time
into the real MainWindow (offscreen) and times each key press until the list model holds the new
rows (query on the worker thread + model reset on the GUI thread). Target: < 50 ms per keystroke.
Facet counts and the passage search are debounced separately and are reported on their own.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

WORDS = ["alliance", "security", "naval", "cyber peace", "joint exercise", "zzz"]


def wait(done, timeout_s: float = 10.0) -> None:
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    timer = QTimer()
    timer.timeout.connect(lambda: (done() or time.monotonic() > deadline) and loop.quit())
    timer.start(1)  # poll every millisecond: a 0 ms busy loop would starve the worker thread of the GIL
    loop.exec()
    timer.stop()


def main() -> int:
    try:
        from tests.synthetic import generate_reference
    except ImportError:
        print("tests.synthetic is missing: cannot build the 10,000-entity database")
        return 1
    app = QApplication.instance() or QApplication([])
    from app.core.atlas import open_atlas
    from app.paths import DataPaths
    from app.ui.main_window import MainWindow
    from app.ui.style import apply_style

    apply_style(app)
    root = Path(tempfile.mkdtemp(prefix="atlas-keystroke-"))
    paths = DataPaths(root).ensure()
    t0 = time.perf_counter()
    generate_reference(paths.reference_db)
    print(f"synthetic reference generated in {time.perf_counter() - t0:.1f} s")
    atlas = open_atlas(paths, rebuild_stale=False)
    if "--list-only" in sys.argv:
        # The list path alone, without the graph, timeline and notes reacting to each filter change.
        MainWindow._wire_features = lambda self: None  # type: ignore[method-assign]
    window = MainWindow(atlas, settings_path=root / "settings.ini")
    window.resize(1280, 800)
    window.show()
    wait(lambda: window.is_ready() if "--list-only" not in sys.argv else window._painted, 60)
    print(f"list at start: {window.list_pane.model.rowCount():,} rows")

    search = window.filter_pane.search
    key_ms: list[float] = []
    rows_seen: list[int] = []
    for word in WORDS:
        search.clear()
        wait(lambda: not window.list_runner.busy)
        for i in range(1, len(word) + 1):
            before = window.list_runner.finished
            got = []
            before.connect(lambda: got.append(1))
            t = time.perf_counter()
            search.setText(word[:i])
            wait(lambda: bool(got) and not window.list_runner.busy)
            key_ms.append((time.perf_counter() - t) * 1000)
            rows_seen.append(window.list_pane.model.rowCount())
            if "-v" in sys.argv:
                print(f"  {word[:i]!r:18} {key_ms[-1]:6.1f} ms  {rows_seen[-1]:>6,} rows")
            before.disconnect()
        wait(lambda: not (window.facet_runner.busy or window.search_runner.busy or window._facet_timer.isActive()))
    key_ms_sorted = sorted(key_ms)
    p95 = key_ms_sorted[int(0.95 * (len(key_ms_sorted) - 1))]
    print(
        f"keystroke -> list updated: median {statistics.median(key_ms):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(key_ms):.1f} ms over {len(key_ms)} keystrokes (rows shown {min(rows_seen):,}-{max(rows_seen):,}); "
        "target < 50 ms"
    )
    print(
        f"last worker query time: {window.list_runner.last_ms:.1f} ms; facets {window.facet_runner.last_ms:.1f} ms; "
        f"passage search {window.search_runner.last_ms:.1f} ms (debounced {window._facet_timer.interval()} ms)"
    )
    window.close()
    atlas.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
