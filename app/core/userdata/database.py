"""The user database as one object: opened and migrated once, one connection, the stores built on it.

``UserData.open(path, backup=...)`` creates or migrates the file (calling ``backup`` before the
first migration step of an existing database), then keeps ONE sqlite3 connection for the life of
the window or command. Every store (notes and tags, saved filters, graph positions) reads and
writes through it.

Thread rules: the connection is made with ``check_same_thread=False`` and every use holds
:attr:`UserData.lock` (see :meth:`UserData.connection`), so the GUI thread and a background job
(an export reading notes, a graph layout reading dragged positions) take turns; each use is one
short statement batch, never held across a slow step. Reads of the reference data go through the
repository's own connections (``app.core.db.connector``), which attach this file read-only.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.db import closed_on_failure, migrate_user_db, open_user_connection
from app.core.errors import classify

if TYPE_CHECKING:
    from app.core.datasets.store import DatasetStore
    from app.core.sources.store import SourcesStore
    from app.core.userdata.notes import NotesStore
    from app.core.userdata.positions import GraphPositionsStore
    from app.core.userdata.saved_filters import SavedFiltersStore


class UserData:
    """The opened, migrated user database and the stores that live in it."""

    def __init__(self, path: Path, con: sqlite3.Connection) -> None:
        self.path = path
        self._con: sqlite3.Connection | None = con
        self.lock = threading.RLock()
        self._notes: NotesStore | None = None
        self._filters: SavedFiltersStore | None = None
        self._positions: GraphPositionsStore | None = None
        self._sources: SourcesStore | None = None
        self._datasets: DatasetStore | None = None

    @classmethod
    def open(cls, path: Path, *, backup: Callable[[], Any] | None = None) -> UserData:
        """Create or migrate the user database at ``path`` (``backup`` runs before migrating an
        existing one) and keep its connection. Raises a classified AtlasError for environmental
        failures (damaged, read-only, full disk)."""
        path = Path(path)
        con = open_user_connection(path)
        with closed_on_failure(con):
            migrate_user_db(con, backup=backup)
        return cls(path, con)

    # ---- the connection ---------------------------------------------------------------------
    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The connection, held under :attr:`lock` for one short batch of statements."""
        with self.lock:
            if self._con is None:
                raise RuntimeError("the user database was closed")
            yield self._con

    def close(self) -> None:
        with self.lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    @property
    def closed(self) -> bool:
        return self._con is None

    def __enter__(self) -> UserData:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- the stores ---------------------------------------------------------------------------
    @property
    def notes(self) -> NotesStore:
        """Notes and tags."""
        if self._notes is None:
            from app.core.userdata.notes import NotesStore

            self._notes = NotesStore(self)
        return self._notes

    @property
    def saved_filters(self) -> SavedFiltersStore:
        if self._filters is None:
            from app.core.userdata.saved_filters import SavedFiltersStore

            self._filters = SavedFiltersStore(self)
        return self._filters

    @property
    def graph_positions(self) -> GraphPositionsStore:
        """Where the user dragged graph nodes, per layout."""
        if self._positions is None:
            from app.core.userdata.positions import GraphPositionsStore

            self._positions = GraphPositionsStore(self)
        return self._positions

    @property
    def sources(self) -> SourcesStore:
        """The user's own sources: imported documents, suggestions, user entities and facts."""
        if self._sources is None:
            from app.core.sources.store import SourcesStore

            self._sources = SourcesStore(self)
        return self._sources

    @property
    def datasets(self) -> DatasetStore:
        """Imported alliance datasets (ATOP, COW) and same-as links."""
        if self._datasets is None:
            from app.core.datasets.store import DatasetStore

            self._datasets = DatasetStore(self)
        return self._datasets

    # ---- helpers for the stores ---------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads; database errors become a classified AtlasError."""
        try:
            with self.connection() as con:
                yield con
        except sqlite3.Error as exc:
            raise_classified(exc)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction (the write lock up front, so two instances queue on
        the busy timeout instead of failing a read-to-write upgrade), committed on success."""
        try:
            with self.connection() as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    yield con
                    con.execute("COMMIT")
                except BaseException:
                    if con.in_transaction:
                        con.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise_classified(exc)


def raise_classified(exc: sqlite3.Error) -> None:
    """Raise the user-facing error for an environmental failure, or ``exc`` itself (a bug)."""
    err = classify(exc, "the notes database")
    if err is not None:
        raise err from exc
    raise exc
