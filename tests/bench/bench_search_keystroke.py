"""Benchmark: a keystroke in the search box → the list repainted, in the real window with every pane live.

Run on purpose, ideally under Xvfb for a real X window and real X key events::

    xvfb-run -a python tests/bench/bench_search_keystroke.py [--entities 10000] [--xdotool]

``--entities 50`` uses the seed database; larger numbers a synthetic one (tests.synthetic).
The window opens at 1280×800 on the Graph tab, and typing starts only once it is ready: the list
filled, the facet counts in, the graph read, laid out and drawn (an overview above 20,000).

Keys go through the event queue, never ``setText``: by default as QKeyEvents posted to the focused
search box (QApplication.postEvent: the same path a key from the window system takes); with
``--xdotool`` (needs X) as real X key events from the xdotool program. Two rhythms:
* one key at a time: press, wait until the list has repainted and everything is idle, next key;
* a typist: a key every 150 ms, whatever the window is doing.
A key's time runs from the moment it is sent to the first paint of the list's viewport after the
rows for that text (or a longer one, when a later key superseded it) were set.
"""

from __future__ import annotations

import argparse
import bisect
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.harness import (  # noqa: E402
    JobTrace,
    data_dir,
    open_window,
    paint_recorder,
    pct,
    post_key,
    use_display,
    wait,
)
from tests.bench.harness import window_idle as idle_window  # noqa: E402

use_display()

WORDS = ["alliance", "security", "naval", "cyber peace", "joint exercise", "zzz"]
SEED_WORDS = ["nato", "collective", "russia", "treaty of", "zzz"]
TARGETS = {50: (30, 60), 10_000: (50, 100), 100_000: (80, 150)}
RHYTHM_MS = 150
__all__ = ["data_dir", "pct"]  # bench_graph.py takes data_dir from here


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", type=int, default=10_000)
    ap.add_argument("--data", type=Path, default=None, help="reuse data-<N> dirs kept here")
    ap.add_argument("--xdotool", action="store_true", help="send real X key events with xdotool")
    ap.add_argument("--profile", type=Path, default=None, help="cProfile the GUI thread while typing; stats here")
    ap.add_argument("--trace", action="store_true", help="time every background job and each key's stages")
    args = ap.parse_args()
    if args.xdotool and not (os.environ.get("DISPLAY") and shutil.which("xdotool")):
        print("--xdotool needs an X display (xvfb-run) and the xdotool program")
        return 2
    root = data_dir(args.entities, args.data or Path(tempfile.mkdtemp(prefix="atlas-keys-")))

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    _qapp, atlas, window = open_window(root)  # the application is kept alive for the whole run

    t = time.perf_counter()
    wait(window.is_ready)
    graph = window.graph_pane
    print(
        f"window ready in {time.perf_counter() - t:.1f} s: {window.list_pane.model.rowCount():,} rows, graph "
        f"{'overview of ' * bool(graph and graph.overview)}{len(graph.visible_ids) if graph else 0:,} nodes; "
        f"display {'X11' if os.environ.get('DISPLAY') else 'offscreen'}; keys by "
        f"{'xdotool' if args.xdotool else 'QKeyEvent through the event queue'}"
    )

    if args.xdotool:  # X input focus on the window (Xvfb runs no window manager to give it)
        subprocess.run(["xdotool", "windowfocus", "--sync", str(int(window.winId()))], check=False, timeout=10)

    arrivals: list[tuple[float, str]] = []
    _watcher, paints = paint_recorder(window.list_pane.view.viewport())  # kept alive: it records
    window.matches_changed.connect(lambda spec, _rows: arrivals.append((time.perf_counter(), spec.text)))
    search = window.filter_pane.search
    trace = JobTrace(window) if args.trace else None
    handled: list[tuple[float, str]] = []  # the window's handling of each text (its slot ran first)
    window.filter_pane.spec_changed.connect(lambda spec: handled.append((time.perf_counter(), spec.text)))
    stages: dict[str, dict[str, list[float]]] = {"one key at a time": {}, f"a key every {RHYTHM_MS} ms": {}}

    def note_stages(rhythm: str, t_sent: float, text: str, longer_ok: bool) -> None:
        """Where a key's time went: handling the key, waiting for the list's worker, its query, the
        hand-over to the GUI thread, the paint (only with --trace)."""
        if trace is None:
            return
        got = next((a for a, s in arrivals if a >= t_sent and (s == text or (longer_ok and s.startswith(text)))), None)
        seen = next((h for h, s in handled if h >= t_sent and s == text), None)
        listed = (j for j in trace.jobs if j[0] == "list_runner" and j[3] <= (got or 0))
        job = max(listed, default=None, key=lambda j: j[3])
        if got is None or seen is None or job is None:
            return
        k = bisect.bisect_left(paints, got)
        if k >= len(paints):
            return
        _name, _queued, t0, t1, cpu = job
        for stage, ms in (
            ("key handled", seen - t_sent),
            ("to the list's worker", max(0.0, t0 - seen)),
            ("list query (wall)", t1 - t0),
            ("rows to the GUI thread", got - t1),
            ("rows set to painted", paints[k] - got),
        ):
            stages[rhythm].setdefault(stage, []).append(ms * 1000)
        stages[rhythm].setdefault("list query (cpu)", []).append(cpu)

    def idle() -> bool:
        return idle_window(window)

    def send(ch: str) -> None:
        if args.xdotool:
            subprocess.Popen(["xdotool", "type", "--delay", "0", ch])
            return
        key = Qt.Key.Key_Space if ch == " " else Qt.Key(ord(ch.upper()))
        post_key(QApplication.focusWidget() or search, key, text=ch)

    def repainted_after(t_sent: float, text: str, longer_ok: bool) -> float | None:
        got = next((a for a, s in arrivals if a >= t_sent and (s == text or (longer_ok and s.startswith(text)))), None)
        if got is None:
            return None
        k = bisect.bisect_left(paints, got)
        return paints[k] if k < len(paints) else None

    def reset() -> None:
        search.clear()
        search.setFocus()
        wait(idle)
        paints.clear()  # short lists: a word's keys, so the checks above stay cheap
        arrivals.clear()
        handled.clear()

    words = SEED_WORDS if args.entities <= 50 else WORDS
    if trace is not None:
        trace.clear()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    one: list[float] = []
    for word in words:
        reset()
        for i in range(1, len(word) + 1):
            t0 = time.perf_counter()
            send(word[i - 1])
            wait(lambda i=i, t0=t0: repainted_after(t0, word[:i], False) is not None, 30)
            done = repainted_after(t0, word[:i], False)
            if done is not None:
                one.append((done - t0) * 1000)
            note_stages("one key at a time", t0, word[:i], False)
            wait(idle)
    typist: list[float] = []
    for word in words:
        reset()
        sent: list[float] = []
        for i in range(len(word)):
            QTimer.singleShot(RHYTHM_MS * i, lambda ch=word[i]: (sent.append(time.perf_counter()), send(ch)))
        wait(lambda word=word: len(sent) == len(word) and search.text() == word, 30)
        wait(lambda word=word: repainted_after(sent[-1], word, False) is not None, 30)
        wait(idle)
        for i, t0 in enumerate(sent):
            done = repainted_after(t0, word[: i + 1], True)
            if done is not None:
                typist.append((done - t0) * 1000)
            note_stages(f"a key every {RHYTHM_MS} ms", t0, word[: i + 1], True)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    target = TARGETS.get(args.entities)
    goal = f"   target median < {target[0]} ms, p95 < {target[1]} ms" if target else ""
    for label, values in (("one key at a time", one), (f"a key every {RHYTHM_MS} ms", typist)):
        print(
            f"keystroke → list repainted, {label}: median {statistics.median(values):.1f} ms, "
            f"p95 {pct(values, 0.95):.1f} ms, max {max(values):.1f} ms over {len(values)} keys{goal}"
        )
    for rhythm, by_stage in stages.items():
        if by_stage:
            print(f"where a key's time went, {rhythm} (median / p95 ms):")
            for stage, values in by_stage.items():
                print(f"  {stage:24} {pct(values, 0.5):7.1f} / {pct(values, 0.95):7.1f}")
    if trace is not None:
        print("background jobs while typing (ms; wall well above cpu: waiting for a core or the GIL):")
        print(trace.summary())
    print(
        f"worker times of the last queries: list {window.list_runner.last_ms:.1f} ms, facets "
        f"{window.facet_runner.last_ms:.1f} ms, passage search {window.search_runner.last_ms:.1f} ms"
    )
    window.close()
    atlas.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
