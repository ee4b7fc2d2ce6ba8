"""Error classification: each environmental failure becomes one clear sentence; only real damage is damage."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.core.errors import (
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseReadOnly,
    DatabaseUnavailable,
    DiskFull,
    StorageError,
    UnwritablePath,
    classify,
    folder_unwritable,
    is_damage,
)


def test_disk_io_error_is_a_storage_problem_not_damage():
    err = classify(sqlite3.OperationalError("disk I/O error"), "the notes database")
    assert isinstance(err, StorageError) and isinstance(err, DiskFull)
    text = str(err)
    assert text.startswith("The notes database") and "full" in text and "nothing was lost" in text
    assert not is_damage(sqlite3.OperationalError("disk I/O error"))


@pytest.mark.parametrize(
    ("message", "kind", "start"),
    [
        ("database is locked", DatabaseLocked, "The notes database is busy"),
        ("attempt to write a readonly database", DatabaseReadOnly, "The notes database is on read-only"),
        ("database or disk is full", DiskFull, "The disk holding the notes database is full"),
        ("unable to open database file", DatabaseUnavailable, "The notes database cannot be opened"),
        ("database disk image is malformed", DatabaseCorrupt, "The notes database is damaged"),
        ("file is not a database", DatabaseCorrupt, "The notes database is damaged"),
    ],
)
def test_messages_are_sentences_starting_with_a_capital(message, kind, start):
    err = classify(sqlite3.OperationalError(message), "the notes database")
    assert isinstance(err, kind)
    assert str(err).startswith(start)


@pytest.mark.parametrize(
    ("message", "damaged"),
    [
        ("database disk image is malformed", True),
        ("file is not a database", True),
        ("file is encrypted or is not a database", True),
        ("disk I/O error", False),
        ("database or disk is full", False),
        ("unable to open database file", False),
        ("database is locked", False),
        ("attempt to write a readonly database", False),
    ],
)
def test_only_real_corruption_counts_as_damage(message, damaged):
    assert is_damage(sqlite3.DatabaseError(message)) is damaged


def test_the_sqlite_error_code_decides_when_there_is_one(tmp_path: Path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not sqlite at all " * 300)
    with pytest.raises(sqlite3.DatabaseError) as info:
        sqlite3.connect(bad).execute("PRAGMA quick_check").fetchall()
    assert is_damage(info.value)
    with pytest.raises(sqlite3.OperationalError) as info2:
        sqlite3.connect(f"file:{tmp_path / 'nope' / 'x.sqlite'}?mode=ro", uri=True).execute("SELECT 1")
    assert not is_damage(info2.value)
    assert isinstance(classify(info2.value), DatabaseUnavailable)


def test_a_path_that_is_a_folder_says_so():
    err = classify(IsADirectoryError(errno.EISDIR, "Is a directory", "/tmp/x"), "/tmp/x")
    assert isinstance(err, UnwritablePath)
    assert "is a folder" in str(err) and "does not exist" not in str(err)
    missing = classify(FileNotFoundError(errno.ENOENT, "No such file", "/nope/x"), "/nope/x")
    assert "does not exist" in str(missing)


def test_read_only_storage_and_a_file_in_the_way_are_named():
    assert "read-only" in str(classify(OSError(errno.EROFS, "Read-only file system"), "the data folder /d"))
    assert "file is in the way" in str(classify(FileExistsError(errno.EEXIST, "File exists"), "the data folder /d"))


def test_a_folder_on_read_only_storage_is_named_as_such(tmp_path: Path, monkeypatch) -> None:
    """What the messages say after a folder's name (e.g. "the backup folder X is on read-only storage"):
    a read-only mount is named as read-only storage, not as a missing permission."""
    from tests.core.mounts import read_only

    assert folder_unwritable(tmp_path) is None
    flags = os.statvfs(tmp_path).f_flag
    monkeypatch.setattr(os, "statvfs", lambda _f: SimpleNamespace(f_flag=flags | os.ST_RDONLY))
    assert folder_unwritable(tmp_path) == "is on read-only storage"
    monkeypatch.undo()
    with read_only(tmp_path) as view:  # a real read-only bind mount, where mounting is permitted
        assert folder_unwritable(view) == "is on read-only storage"


def test_sqlalchemy_wrapped_errors_are_classified():
    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError("INSERT ...", {}, sqlite3.OperationalError("database or disk is full"))
    assert isinstance(classify(wrapped, "the reference database"), DiskFull)
