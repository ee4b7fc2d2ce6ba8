"""Background work, one way: a QRunnable on a QThreadPool, results relayed by signal to the GUI thread.

Two shapes, both built on :class:`_Runnable`:

* :class:`JobRunner` is a channel for repeated queries (the list, the facets, the passage search,
  a graph layout). It keeps at most one job in flight; a request made while one runs replaces any
  pending request (latest wins), so fast typing never floods the pool, and a generation counter
  drops any result that is no longer the newest. With ``interrupt=True`` the job in flight is also
  stopped when a newer request (or :meth:`JobRunner.cancel`) supersedes it: its SQLite query is
  interrupted (``app.core.query.interrupt``), so the newer one starts at once instead of after it.
* :class:`Task` is one long, cancellable job with progress (an export, reading data for printing):
  ``work(progress)`` calls ``progress(percent, message)``, which returns False once the user asked
  to cancel; the work then raises :class:`Cancelled` and nothing is delivered but ``cancelled``.

The callable gets only immutable values (a FilterSpec) and objects that open their own connection
per thread (the repository) or serialise access (the user data). Results and errors are emitted from
the worker thread on a QObject that lives on the GUI thread, so Qt queues them there.

Errors: a worker's exception is the outermost layer of that thread. It is handed to the GUI thread
(``on_error`` / ``failed``); anything that is not an :class:`AtlasError` (a bug) has its traceback
logged here, where it is still available.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.core.errors import AtlasError
from app.core.exports.data import Cancelled
from app.core.query.interrupt import Stop, Superseded
from app.core.query.interrupt import running as stoppable

__all__ = ["Cancelled", "JobRunner", "Progress", "Task", "drain"]

log = logging.getLogger(__name__)

Progress = Callable[[int, str], bool]  # (percent 0-100, what is happening) -> keep going?


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from a worker are queued to it."""

    done = Signal(int, object, float)  # generation, result, milliseconds
    failed = Signal(int, object)  # generation, exception
    cancelled = Signal(int)
    progress = Signal(int, int, str)  # generation, percent, message


class _Runnable(QRunnable):
    """Runs ``fn`` on a pool thread and reports through ``relay``."""

    def __init__(self, generation: int, fn: Callable[[], Any], relay: _Relay, stop: Stop | None = None) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._generation = generation
        self._fn = fn
        self._relay = relay
        self._stop = stop
        self.finished = threading.Event()

    def run(self) -> None:
        t0 = time.perf_counter()
        try:
            try:
                with stoppable(self._stop):
                    result = self._fn()
            except (Cancelled, Superseded):
                self._relay.cancelled.emit(self._generation)
                return
            except Exception as exc:  # the outermost layer of this thread: hand it to the GUI thread
                if not isinstance(exc, AtlasError):
                    log.error("background job failed", exc_info=exc)
                self._relay.failed.emit(self._generation, exc)
                return
            self._relay.done.emit(self._generation, result, (time.perf_counter() - t0) * 1000)
        except RuntimeError:
            # The window closed while this job ran: its receiver is gone, and nobody waits for it.
            return
        finally:
            self.finished.set()


class JobRunner(QObject):
    """Run callables off the GUI thread; deliver only the newest result, on the GUI thread."""

    finished = Signal()  # after a result (or error) was delivered (tests and benchmarks wait on it)

    def __init__(
        self,
        pool: QThreadPool,
        *,
        on_error: Callable[[BaseException], None] | None = None,
        interrupt: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = pool
        self._interrupt = interrupt
        self._stop: Stop | None = None  # the job in flight's, when it may be interrupted
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self._relay.cancelled.connect(self._on_cancelled)
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
            self._stop_in_flight()
            return self._generation
        self._start(self._generation, fn, on_result)
        return self._generation

    def cancel(self) -> None:
        """Drop whatever is pending or running: no result of it will be delivered (with ``interrupt``,
        the running job is stopped too)."""
        self._generation += 1
        self._pending = None
        self._stop_in_flight()

    def _stop_in_flight(self) -> None:
        if self._stop is not None:
            self._stop.set()

    def _start(self, generation: int, fn: Callable[[], Any], on_result: Callable[[Any], None]) -> None:
        self._in_flight = generation
        self._callbacks = {generation: on_result}
        self._stop = Stop() if self._interrupt else None
        self._pool.start(_Runnable(generation, fn, self._relay, self._stop))

    def _next(self) -> None:
        self._in_flight = None
        self._stop = None
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
        if self._on_error is None:
            raise exc  # a bug with nobody to tell: raise it on the GUI thread
        self._on_error(exc)
        self.finished.emit()

    def _on_cancelled(self, generation: int) -> None:
        self._callbacks.pop(generation, None)
        self._next()


class Task(QObject):
    """One cancellable background job with progress (see the module docstring).

    Connect to the signals, then :meth:`start`. Exactly one of ``succeeded``, ``failed`` or
    ``cancelled`` follows, then ``finished`` with "done", "failed" or "cancelled"."""

    progress = Signal(int, str)  # percent, message (not after cancel was asked)
    succeeded = Signal(object)  # the result
    failed = Signal(object)  # the exception (an AtlasError says what to tell the user)
    cancelled = Signal()
    finished = Signal(str)

    def __init__(
        self, work: Callable[[Progress], Any], *, pool: QThreadPool | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._work = work
        self._pool = pool or QThreadPool.globalInstance()
        self._cancel = threading.Event()
        self._relay = _Relay(self)
        self._relay.progress.connect(self._on_progress)
        self._relay.done.connect(self._on_done)
        self._relay.failed.connect(self._on_failed)
        self._relay.cancelled.connect(self._on_cancelled)
        self._runnable: _Runnable | None = None
        self.state = "new"  # then "running", "done", "failed" or "cancelled"

    def start(self) -> None:
        relay, cancel = self._relay, self._cancel

        def report(percent: int, message: str) -> bool:
            if not cancel.is_set():
                relay.progress.emit(0, int(percent), message)
            return not cancel.is_set()

        def run() -> Any:
            result = self._work(report)
            if cancel.is_set():
                raise Cancelled()
            return result

        self.state = "running"
        self._runnable = _Runnable(0, run, relay)
        self._pool.start(self._runnable)

    def cancel(self) -> None:
        """Ask the work to stop (a thread-safe flag it checks between steps and pages)."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return self.state == "running"

    def wait(self, timeout_ms: int = 5000) -> bool:
        """Block until the work returned (teardown and tests); True if it did."""
        return self._runnable is None or self._runnable.finished.wait(timeout_ms / 1000)

    def _on_progress(self, _generation: int, percent: int, message: str) -> None:
        if not self._cancel.is_set():
            self.progress.emit(percent, message)

    def _finish(self, state: str) -> None:
        self.state = state
        self.finished.emit(state)

    def _on_done(self, _generation: int, result: Any, _ms: float) -> None:
        self.succeeded.emit(result)
        self._finish("done")

    def _on_failed(self, _generation: int, exc: BaseException) -> None:
        self.failed.emit(exc)
        self._finish("failed")

    def _on_cancelled(self, _generation: int) -> None:
        self.cancelled.emit()
        self._finish("cancelled")


def drain(pool: QThreadPool, interrupt: Callable[[], None], *, wait_ms: int = 5000, then_ms: int = 60_000) -> bool:
    """Wait for a closing window's background work; True once none runs.

    After ``wait_ms`` what still runs (work that cannot be interrupted between its reads: a facet
    index, a layout) has its database reads interrupted (``interrupt``) and is waited for up to
    ``then_ms`` more: closing the databases under a read still running can crash the process. False
    when it still runs then: the databases are left open for the process's exit to close."""
    if pool.waitForDone(wait_ms):
        return True
    interrupt()
    return bool(pool.waitForDone(then_ms))
