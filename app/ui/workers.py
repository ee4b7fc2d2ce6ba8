"""Background queries: a QRunnable per job, results relayed to the GUI thread, stale ones dropped.

Each :class:`QueryRunner` is one channel (the list, the facets, the passage search). It keeps at most
one job in flight: a request made while one runs replaces any pending request (latest wins), so
fast typing never floods the pool, and a generation counter drops any result that is no longer
the newest. The callable gets only immutable values (a FilterSpec) and the repository, which opens
its own Session per call on the worker thread.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from a worker are queued to it."""

    done = Signal(int, object, float)
    failed = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, generation: int, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._generation = generation
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        t0 = time.perf_counter()
        try:
            try:
                result = self._fn()
            except Exception as exc:
                self._relay.failed.emit(self._generation, exc)
                return
            self._relay.done.emit(self._generation, result, (time.perf_counter() - t0) * 1000)
        except RuntimeError:
            # The window closed while this query ran: its receiver is gone, and nobody waits for it.
            return


class QueryRunner(QObject):
    """Run callables off the GUI thread; deliver only the newest result, on the GUI thread."""

    finished = Signal()  # after a result was delivered (tests and benchmarks wait on it)

    def __init__(
        self,
        pool: QThreadPool,
        *,
        on_error: Callable[[BaseException], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = pool
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self._generation = 0
        self._in_flight: int | None = None
        self._pending: tuple[Callable[[], Any], Callable[[Any], None]] | None = None
        self._callbacks: dict[int, Callable[[Any], None]] = {}
        self._on_error = on_error
        self.last_ms = 0.0

    @property
    def busy(self) -> bool:
        return self._in_flight is not None or self._pending is not None

    def submit(self, fn: Callable[[], Any], on_result: Callable[[Any], None]) -> int:
        """Queue ``fn``; ``on_result(value)`` runs on the GUI thread if no newer request was made."""
        self._generation += 1
        if self._in_flight is not None:
            self._pending = (fn, on_result)
            return self._generation
        self._start(self._generation, fn, on_result)
        return self._generation

    def _start(self, generation: int, fn: Callable[[], Any], on_result: Callable[[Any], None]) -> None:
        self._in_flight = generation
        self._callbacks = {generation: on_result}
        self._pool.start(_Job(generation, fn, self._relay))

    def _next(self) -> None:
        self._in_flight = None
        if self._pending is not None:
            fn, cb = self._pending
            self._pending = None
            self._start(self._generation, fn, cb)

    def _on_done(self, generation: int, result: Any, ms: float) -> None:
        cb = self._callbacks.pop(generation, None)
        stale = generation != self._generation
        self._next()
        if stale or cb is None:
            return
        self.last_ms = ms
        cb(result)
        self.finished.emit()

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        self._callbacks.pop(generation, None)
        stale = generation != self._generation
        self._next()
        if stale:
            return
        if self._on_error is not None:
            self._on_error(exc)
        else:
            traceback.print_exception(exc, file=sys.stderr)
        self.finished.emit()
