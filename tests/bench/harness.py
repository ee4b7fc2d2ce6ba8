"""The benchmarks' shared window-timing harness: data folders, the real window, waiting, paints and keys.

Used by bench_startup.py, bench_search_keystroke.py and bench_datasets.py (and bench_graph.py's data
folders). Qt is imported only inside the functions that need it, so a parent process that only spawns
children (bench_startup) stays Qt-free.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def use_display() -> None:
    """Put the project on sys.path and fall back to the offscreen platform when there is no X display."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def display_name() -> str:
    return f"X11 {os.environ['DISPLAY']}" if os.environ.get("DISPLAY") else "offscreen"


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def data_dir(size: int, base: Path, *, note_prefix: str = "") -> Path:
    """``base/data-<size>``, made once and reused: the seed build (50 or fewer) or a synthetic reference."""
    root = base / f"data-{size}"
    if (root / "reference.sqlite").exists():
        return root
    if size <= 50:
        subprocess.run([sys.executable, "-m", "app", "--data-dir", str(root), "build-db"], check=True, cwd=ROOT)
        return root
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from app.paths import DataPaths
    from tests.synthetic import generate_reference

    paths = DataPaths(root).ensure()
    t = time.perf_counter()
    generate_reference(
        paths.reference_db,
        entities=size,
        countries=max(200, size // 100),
        memberships=5 * size,
        passages=min(10 * size, 200_000),
        documents=max(50, size // 1000),
    )
    print(f"{note_prefix}(synthetic reference of {size:,} entities generated in {time.perf_counter() - t:.1f} s)")
    return root


# ---- in this process: the real window --------------------------------------------------------------


def open_window(root: Path, *, size: tuple[int, int] = (1280, 800)) -> tuple[Any, Any, Any]:
    """The application, the opened atlas and the shown MainWindow on ``root`` (fresh settings):
    ``(qapp, atlas, window)``, in the order `alliance-atlas` builds them."""
    from app.cli import load_gui

    qapp = load_gui().make_application()
    from app.core.atlas import open_atlas
    from app.paths import DataPaths
    from app.ui.main_window import MainWindow

    atlas = open_atlas(DataPaths(root), rebuild_stale=False)
    window = MainWindow(atlas, settings_path=Path(tempfile.mkdtemp()) / "settings.ini")
    window.resize(*size)
    window.show()
    window.raise_()
    window.activateWindow()
    return qapp, atlas, window


def wait(done: Callable[[], object], timeout_s: float = 120.0) -> None:
    """Run the event loop until ``done()`` is true or ``timeout_s`` passed.

    Polled every 5 ms: the times come from event filters and signals, not from this poll, which only
    has to notice the end cheaply (a 1 ms Python poll took GUI-thread time from the app)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    timer = QTimer()
    timer.timeout.connect(lambda: (done() or time.monotonic() > deadline) and loop.quit())
    timer.start(5)
    loop.exec()
    timer.stop()


def paint_recorder(widget: Any) -> tuple[Any, list[float]]:
    """Record the perf_counter time of every Paint event of ``widget``: ``(filter, times)``; keep the
    filter object alive as long as the times are wanted."""
    from PySide6.QtCore import QEvent, QObject

    times: list[float] = []

    class Paints(QObject):
        def eventFilter(self, obj: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                times.append(time.perf_counter())
            return False

    watcher = Paints()
    widget.installEventFilter(watcher)
    return watcher, times


def window_idle(window: Any) -> bool:
    """Nothing queued or running: no list, facet or passage query, no pending facet refresh, graph ready."""
    graph = window.graph_pane
    return window.is_idle() and (graph is None or graph.is_ready())


def post_key(target: Any, key: Any, modifiers: Any = None, text: str = "") -> None:
    """A key press and release posted to ``target`` through the event queue (the path a key from the
    window system takes)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    mods = Qt.KeyboardModifier.NoModifier if modifiers is None else modifiers
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, key, mods, text) if text else QKeyEvent(kind, key, mods)
        QApplication.postEvent(target, event)


class JobTrace:
    """Every background job of the window, timed: (name, queued, started, ended, cpu ms) in ``jobs``.

    Patches ``app.ui.jobs._Runnable`` for the whole process (a benchmark's only): a job is named by
    the window attribute holding its JobRunner (``list_runner``, ``graph._view_runner``...). The CPU
    time is the worker thread's own (``time.thread_time``): wall time well above it is time spent
    waiting for a core or for the GIL."""

    def __init__(self, window: Any) -> None:
        import threading

        from app.ui import jobs

        self.jobs: list[tuple[str, float, float, float, float]] = []
        self._window = window
        self._names: dict[int, str] = {}
        lock = threading.Lock()
        trace = self
        init = jobs._Runnable.__init__

        def traced_init(runnable: Any, generation: int, fn: Any, relay: Any, *more: Any) -> None:
            name, queued = trace.name_of(relay.parent()), time.perf_counter()

            def timed() -> Any:  # the work alone: the hand-over to the GUI thread comes after it
                t0, c0 = time.perf_counter(), time.thread_time()
                try:
                    return fn()
                finally:
                    cpu, t1 = (time.thread_time() - c0) * 1000, time.perf_counter()
                    with lock:
                        trace.jobs.append((name, queued, t0, t1, cpu))

            init(runnable, generation, timed, relay, *more)

        jobs._Runnable.__init__ = traced_init  # type: ignore[method-assign]

    def name_of(self, runner: Any) -> str:
        key = id(runner)
        if key not in self._names:
            for owner, prefix in ((self._window, ""), (self._window.graph_pane, "graph.")):
                for attr, value in vars(owner).items() if owner is not None else ():
                    if value is runner:
                        self._names[key] = prefix + attr
            self._names.setdefault(key, type(runner.parent()).__name__ if runner.parent() else "?")
        return self._names[key]

    def clear(self) -> None:
        self.jobs.clear()

    def summary(self) -> str:
        """Per job name: how many, median wait in the pool, median and p95 wall, median CPU."""
        by: dict[str, list[tuple[float, float, float]]] = {}
        for name, queued, t0, t1, cpu in self.jobs:
            by.setdefault(name, []).append(((t0 - queued) * 1000, (t1 - t0) * 1000, cpu))
        lines = []
        for name, vals in sorted(by.items(), key=lambda kv: -sum(v[1] for v in kv[1])):
            waits, walls, cpus = ([v[i] for v in vals] for i in range(3))
            lines.append(
                f"  {name:24} {len(vals):4} jobs  wait {pct(waits, 0.5):7.1f}  wall {pct(walls, 0.5):7.1f}"
                f" / p95 {pct(walls, 0.95):7.1f}  cpu {pct(cpus, 0.5):7.1f} ms (total wall {sum(walls):,.0f})"
            )
        return "\n".join(lines)


# ---- in a fresh process: spawn → first paints ------------------------------------------------------

CHILD = r"""
import json, os, sys, time
mode, root = sys.argv[1], sys.argv[2]
from pathlib import Path
marks = {}

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

if mode == "atlas":  # in the order of `alliance-atlas` (app.cli.cmd_gui → run_gui)
    from app.cli import load_gui
    app = load_gui().make_application()
    from app.core.atlas import open_atlas
    from app.paths import DataPaths
    t = time.time()
    atlas = open_atlas(DataPaths(Path(root)), rebuild_stale=False)
    marks["open_atlas"] = time.time() - t  # opening and checking the databases, before any window
    from app.ui.main_window import MainWindow
    window = MainWindow(atlas, settings_path=Path(sys.argv[3]))
else:
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication.instance() or QApplication([])
    window = QMainWindow()
window.resize(1280, 800)
from PySide6.QtCore import QEvent, QObject, QTimer

def done():
    if mode == "atlas" and not window.is_ready():  # memory once every deferred part is built
        QTimer.singleShot(5, done)
        return
    marks["rss_mb"] = rss_mb()
    print(json.dumps(marks), flush=True)
    os._exit(0)

class FirstPaint(QObject):
    def __init__(self, name, then):
        super().__init__()
        self.name, self.then = name, then
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.name not in marks:
            marks[self.name] = time.time()
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.then)
        return False

class GraphDrawn(QObject):
    # The first paint of the graph canvas with the network read, laid out and on it.
    def eventFilter(self, obj, event):
        pane = getattr(window, "graph_pane", None)  # an older window sets it later
        if event.type() == QEvent.Type.Paint and "graph" not in marks and ready(pane):
            marks["graph"] = time.time()
            marks["nodes"] = len(pane.visible_ids)
            marks["overview"] = getattr(pane, "overview", False)
            obj.removeEventFilter(self)
            QTimer.singleShot(0, done)
        return False

def ready(pane):
    # An older checkout's pane (--compare) may have no is_ready: its layout_busy says whether the network is laid out.
    is_ready = getattr(pane, "is_ready", None)
    busy = getattr(pane, "layout_busy", False)
    done = is_ready() if is_ready is not None else not (busy() if callable(busy) else busy)
    return pane is not None and done and bool(pane.visible_ids)

def watch_graph():
    # Watch the canvas from the moment the pane exists: the time is that of the paint that first
    # shows the graph, whatever the window does next.
    pane = getattr(window, "graph_pane", None)  # an older window sets it later
    if pane is None:
        QTimer.singleShot(5, watch_graph)
        return
    vp = pane.canvas.viewport()
    watcher.graph = GraphDrawn()
    vp.installEventFilter(watcher.graph)
    if ready(pane):  # laid out before this poll saw the pane: ask for a paint
        vp.update()

if mode == "atlas":
    marks["rows"] = window.list_pane.model.rowCount()
    watcher = FirstPaint("list", watch_graph)
    window.list_pane.view.viewport().installEventFilter(watcher)
else:
    watcher = FirstPaint("list", done)
    window.installEventFilter(watcher)
window.show()
QTimer.singleShot(120_000, lambda: os._exit(3))
app.exec()
"""


def measure_start(mode: str, root: Path, *, project: Path = ROOT) -> dict[str, float]:
    """One fresh process of ``mode`` ("atlas" or "empty") on the data folder ``root``, timed from this
    process's clock just before the spawn: seconds to the list's first paint ("list"), from there to the
    graph drawn ("graph"), the resident memory then ("rss_mb"), and what the window held. ``project``
    is the checkout whose ``app`` the child imports (an exported older commit, to compare)."""
    env = dict(os.environ, PYTHONPATH=str(project))
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app runs from cached bytecode
    with tempfile.TemporaryDirectory() as tmp:
        settings = str(Path(tmp) / "settings.ini")  # no saved layout, filter or selection
        t0 = time.time()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, mode, str(root), settings],
            capture_output=True,
            text=True,
            env=env,
            cwd=project,
            check=True,
            timeout=300,
        ).stdout
    marks = json.loads(out.strip().splitlines()[-1])
    res = {"list": marks["list"] - t0, "rss_mb": marks["rss_mb"]}
    if "graph" in marks:
        res["graph"] = marks["graph"] - marks["list"]
        res["nodes"] = marks["nodes"]
        res["rows"] = marks["rows"]
        res["overview"] = marks["overview"]
        res["open_atlas"] = marks["open_atlas"]
    return res
