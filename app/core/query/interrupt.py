"""Stopping superseded work early: a job's stop flag, and SQLite's interrupt for the query it is running.

A background channel (``app.ui.jobs.JobRunner``) runs one query at a time and only the newest
request's answer is wanted. When a keystroke supersedes a query that is still running, waiting for it
to finish delays the new one by the old one's whole cost (a prefix match over 100,000 entities). So a
job runs under a :class:`Stop`: the query layer registers the connection it is reading with
(``Repository._raw`` through :func:`reading`), and :meth:`Stop.set` from another thread calls
``sqlite3.Connection.interrupt`` on it (thread-safe, and it needs no GIL in the worker: SQLite checks
the flag between its own steps). The statement then fails with "interrupted", which
:func:`reading` turns into :class:`Superseded`; a query started after the flag was set raises it at
once, and Python loops between queries may call :func:`check`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Stop", "Superseded", "check", "current", "reading", "running"]


class Superseded(Exception):
    """The work was stopped because a newer request replaced it; nobody wants its answer."""


class Stop:
    """One job's stop flag; set from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set = False
        self._connection: sqlite3.Connection | None = None

    @property
    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        """Stop the job: its running query is interrupted, its next one is not started."""
        with self._lock:
            self._set = True
            if self._connection is not None:
                self._connection.interrupt()

    def _enter(self, con: sqlite3.Connection) -> sqlite3.Connection | None:
        with self._lock:
            if self._set:
                raise Superseded()
            before, self._connection = self._connection, con
            return before

    def _leave(self, before: sqlite3.Connection | None) -> None:
        with self._lock:
            self._connection = before


_local = threading.local()


def current() -> Stop | None:
    """The stop flag of the job running on this thread, if any."""
    stop: Stop | None = getattr(_local, "stop", None)
    return stop


@contextmanager
def running(stop: Stop | None) -> Iterator[None]:
    """Run the block as the job ``stop`` belongs to (on this thread)."""
    before = current()
    _local.stop = stop
    try:
        yield
    finally:
        _local.stop = before


def check() -> None:
    """Raise :class:`Superseded` if this thread's job was stopped (between steps of Python work)."""
    stop = current()
    if stop is not None and stop.is_set:
        raise Superseded()


@contextmanager
def reading(con: sqlite3.Connection) -> Iterator[None]:
    """Read with ``con`` (execute and fetch inside the block) so that stopping this thread's job
    interrupts it; an interrupted read raises :class:`Superseded`."""
    stop = current()
    if stop is None:
        yield
        return
    before = stop._enter(con)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if stop.is_set:
            raise Superseded() from exc
        raise
    finally:
        stop._leave(before)
