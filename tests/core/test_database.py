"""The user database object (issue 19, mutation testing of userdata/database): an environmental
failure inside a read or a transaction reaches the user as one message naming the notes database,
a bug stays a bug, and a failed transaction leaves nothing half-written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.errors import DatabaseCorrupt, DatabaseLocked, DatabaseReadOnly
from app.core.userdata.database import UserData, raise_classified


def test_an_environmental_failure_is_named_for_the_notes_database() -> None:
    with pytest.raises(DatabaseLocked) as locked:
        raise_classified(sqlite3.OperationalError("database is locked"))
    assert str(locked.value) == "The notes database is busy in another program. Try again in a moment."
    assert isinstance(locked.value.__cause__, sqlite3.OperationalError)
    with pytest.raises(DatabaseReadOnly, match=r"^The notes database is on read-only storage"):
        raise_classified(sqlite3.OperationalError("attempt to write a readonly database"))


def test_a_bug_in_a_statement_is_raised_as_it_is() -> None:
    bug = sqlite3.OperationalError("no such table: nowhere")
    with pytest.raises(sqlite3.OperationalError) as raised:
        raise_classified(bug)
    assert raised.value is bug


def test_reads_and_transactions_classify_errors_and_roll_back(tmp_path: Path) -> None:
    with UserData.open(tmp_path / "user.sqlite") as ud:
        with pytest.raises(sqlite3.OperationalError, match="no such table"), ud.read() as con:
            con.execute("SELECT * FROM nowhere")
        with pytest.raises(DatabaseLocked, match=r"^The notes database is busy"), ud.read():
            raise sqlite3.OperationalError("database is locked")
        with pytest.raises(DatabaseLocked), ud.transaction() as con:
            con.execute("INSERT INTO tag (name, color) VALUES ('half', '#112233')")
            raise sqlite3.OperationalError("database is locked")
        with ud.read() as con:
            assert con.execute("SELECT count(*) FROM tag WHERE name = 'half'").fetchone()[0] == 0
            assert not con.in_transaction
        with ud.transaction() as con:
            con.execute("INSERT INTO tag (name, color) VALUES ('kept', '#112233')")
        assert not ud.closed
    assert ud.closed
    with sqlite3.connect(tmp_path / "user.sqlite") as check:
        assert check.execute("SELECT name FROM tag").fetchall() == [("kept",)]
    with pytest.raises(RuntimeError, match="closed"), ud.connection():
        pass


def test_a_file_that_is_not_a_database_is_refused_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    path.write_bytes(b"not a database " * 400)
    with pytest.raises(DatabaseCorrupt, match=r"^The notes database is damaged \(file is not a database\)\.$"):
        UserData.open(path)
    assert path.read_bytes() == b"not a database " * 400  # nothing written into it


def test_every_store_of_the_user_database_is_made_once(tmp_path: Path) -> None:
    with UserData.open(tmp_path / "user.sqlite") as ud:
        assert ud.path == tmp_path / "user.sqlite"
        assert ud.notes is ud.notes and ud.notes.list_notes() == []
        assert ud.saved_filters is ud.saved_filters and ud.saved_filters.list() == []
        assert ud.graph_positions is ud.graph_positions and ud.graph_positions.load("spring") == {}
        assert ud.sources is ud.sources and ud.sources.find_by_sha("0" * 64) is None
        assert ud.datasets is ud.datasets and ud.datasets.datasets() == []


def test_a_failed_migration_step_changes_nothing_and_says_what_failed(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite"
    UserData.open(path).close()
    with sqlite3.connect(path) as con:
        latest = con.execute("PRAGMA user_version").fetchone()[0]
        con.execute("PRAGMA user_version = 1")  # claims an old schema, holds the new tables
    backups: list[int] = []
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        UserData.open(path, backup=lambda: backups.append(1))
    assert backups == [1] and latest > 1  # the backup was taken before the first step
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 1
