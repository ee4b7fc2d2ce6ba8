"""Application connections: a notes database damaged or unreadable while the window runs gives a clear AtlasError."""

from __future__ import annotations

import pytest

from app.core.db import connector
from app.core.errors import DatabaseCorrupt, DatabaseUnavailable
from app.core.query.filters import FilterSpec
from app.core.query.repository import Repository


def test_attaching_a_damaged_notes_database_is_a_clear_error(data_paths, atlas):
    atlas.close()
    data_paths.user_db.write_bytes(b"garbage" * 1000)
    for suffix in ("-wal", "-shm"):
        (data_paths.root / f"user.sqlite{suffix}").unlink(missing_ok=True)
    connect = connector(data_paths.reference_db, data_paths.user_db)
    with pytest.raises(DatabaseCorrupt, match=r"^The notes database is damaged \(file is not a database\)"):
        connect()
    repo = Repository(connect)  # what a worker thread runs: the same clear message, not a driver error
    try:
        with pytest.raises(DatabaseCorrupt, match="notes database is damaged"):
            repo.list_entities(FilterSpec())
    finally:
        repo.dispose()


def test_a_notes_database_that_vanished_is_a_clear_error(data_paths, atlas):
    atlas.close()
    connect = connector(data_paths.reference_db, data_paths.root / "gone" / "user.sqlite")
    with pytest.raises(DatabaseUnavailable, match=r"^The notes database cannot be opened"):
        connect()
