"""Closing the window while background work still reads the databases: the read is stopped and
ended before the databases close (closing them under a running read can crash the process)."""

from __future__ import annotations

import sqlite3
import threading
import time

from app.core.errors import AtlasError
from app.ui.application import shut_down

# A read that runs for seconds unless interrupted (about 10^8 rows counted).
LONG_READ = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) FROM c"


def test_a_read_still_running_when_the_window_closes_is_stopped_before_the_databases_close(qtbot, window):
    started = threading.Event()
    outcome: dict[str, object] = {}

    def long_read() -> None:
        started.set()
        try:
            window.repo._raw(LONG_READ)
            outcome["result"] = "finished"
        except (sqlite3.Error, AtlasError) as exc:
            outcome["result"] = str(exc)
        outcome["ended"] = time.monotonic()

    closed: list[float] = []
    dispose = window.atlas.repo.dispose
    window.atlas.repo.dispose = lambda: (closed.append(time.monotonic()), dispose())[1]
    window.CLOSE_WAIT_MS = 200  # instead of 5 s: the read outlives it
    window.pool.start(long_read)
    assert started.wait(5)
    t0 = time.monotonic()
    window.close()
    shut_down(window, window.atlas)  # what the application does once its event loop has ended
    assert "interrupted" in str(outcome.get("result")), outcome  # stopped, not run to its end
    assert closed and float(outcome["ended"]) <= closed[0]  # ended before anything closed
    assert closed[0] - t0 < 5  # and the window did not wait the read out
