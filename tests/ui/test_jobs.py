"""The background-jobs module: latest wins, errors reach the GUI thread, tasks report progress and cancel."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread, QThreadPool

from app.core.errors import AtlasError
from app.ui.jobs import Cancelled, JobRunner, Task


@pytest.fixture
def pool():
    p = QThreadPool()
    yield p
    p.waitForDone(5000)


def test_latest_request_wins_and_results_arrive_on_the_gui_thread(qtbot, pool):
    runner = JobRunner(pool)
    gate = threading.Event()
    got: list[tuple[str, bool]] = []
    gui = QThread.currentThread()

    def slow():
        gate.wait(5)
        return "first"

    runner.submit(slow, lambda r: got.append((r, QThread.currentThread() is gui)))
    runner.submit(lambda: "second", lambda r: got.append((r, QThread.currentThread() is gui)))
    runner.submit(lambda: "third", lambda r: got.append((r, QThread.currentThread() is gui)))
    assert runner.busy
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert got == [("third", True)]  # "first" was superseded, "second" never ran


def test_an_error_goes_to_on_error(qtbot, pool):
    errors: list[BaseException] = []
    runner = JobRunner(pool, on_error=errors.append)

    def fail():
        raise AtlasError("the database is locked")

    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.submit(fail, lambda _r: None)
    assert [str(e) for e in errors] == ["the database is locked"]


def test_cancel_drops_a_running_result(qtbot, pool):
    runner = JobRunner(pool)
    gate = threading.Event()
    got = []
    runner.submit(lambda: gate.wait(5) and "late", got.append)
    runner.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert got == []


def test_task_reports_progress_and_its_result(qtbot, pool):
    def work(progress):
        for i in range(3):
            progress(i * 50, f"step {i}")
        return 42

    task = Task(work, pool=pool)
    seen = []
    task.progress.connect(lambda p, m: seen.append((p, m)))
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:
        task.start()
    assert blocker.args == ["done"] and task.state == "done"
    assert seen == [(0, "step 0"), (50, "step 1"), (100, "step 2")]


def test_task_cancel_stops_between_steps_and_delivers_nothing(qtbot, pool):
    started = threading.Event()
    release = threading.Event()
    steps = []

    def work(progress):
        started.set()
        release.wait(5)
        for i in range(100):
            if not progress(i, "page"):
                raise Cancelled()
            steps.append(i)
        return "written"

    task = Task(work, pool=pool)
    results = []
    task.succeeded.connect(results.append)
    task.start()
    assert started.wait(5)
    task.cancel()
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        release.set()
    assert results == [] and steps == [] and task.state == "cancelled"


def test_task_failure_carries_the_exception(qtbot, pool):
    def work(_progress):
        raise AtlasError("The disk is full.")

    task = Task(work, pool=pool)
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        task.start()
    assert str(blocker.args[0]) == "The disk is full."
    qtbot.waitUntil(lambda: task.state == "failed", timeout=5000)


def _endless_query(started: threading.Event) -> str:
    """Count far beyond any test's patience unless interrupted (the first row says it started)."""
    import sqlite3

    from app.core.query.interrupt import reading

    con = sqlite3.connect(":memory:", check_same_thread=False)
    con.create_function("started", 0, lambda: started.set() or 0)
    with reading(con):
        con.execute(
            "WITH RECURSIVE c(x) AS (SELECT started() UNION ALL SELECT x + 1 FROM c WHERE x < 400000000)"
            " SELECT count(*) FROM c"
        ).fetchone()
    return "finished"


def test_a_superseded_query_is_interrupted_and_the_newest_is_delivered(qtbot, pool):
    runner = JobRunner(pool, interrupt=True)
    started = threading.Event()
    got: list[str] = []
    runner.submit(lambda: _endless_query(started), got.append)
    assert started.wait(5)
    runner.submit(lambda: "newest", got.append)  # supersedes: the endless count is stopped
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)
    assert got == ["newest"]


def test_cancel_interrupts_the_running_query_and_delivers_nothing(qtbot, pool):
    runner = JobRunner(pool, interrupt=True)
    started = threading.Event()
    got: list[str] = []
    runner.submit(lambda: _endless_query(started), got.append)
    assert started.wait(5)
    runner.cancel()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10000)  # without the interrupt: never
    assert got == []
    runner.submit(lambda: "next", got.append)  # the channel works on
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert got == ["next"]
