"""Backups through the SQLite backup API: made, checked, rotated, restored; a damaged database is set aside."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from app.core import backup as bk
from app.core.atlas import open_atlas
from app.core.db import ensure_user_db
from app.core.notes import NotesStore
from tests.conftest import SEEDS


@pytest.fixture
def store(data_paths):
    return NotesStore(data_paths.user_db)


def _titles(store):
    return sorted(n.title for n in store.list_notes())


def test_backup_is_a_checked_snapshot_including_uncheckpointed_wal(data_paths, store):
    store.create_note("nato", title="in the WAL")
    # Hold a connection open so the WAL is not checkpointed away: a file copy of user.sqlite
    # alone would miss this note; the backup API must not.
    holder = sqlite3.connect(data_paths.user_db)
    holder.execute("PRAGMA wal_autocheckpoint=0")
    store.create_note("quad", title="also in the WAL")
    path = bk.backup_user_db(data_paths, now=datetime(2026, 3, 1, 9, 30, 0))
    holder.close()
    assert path.name == "user-20260301-093000.sqlite"
    assert bk.quick_check(path) == "ok"
    assert sorted(r[0] for r in sqlite3.connect(path).execute("SELECT title FROM note")) == [
        "also in the WAL",
        "in the WAL",
    ]
    assert not path.with_name(path.name + "-wal").exists()  # one self-contained file


def test_rotation_keeps_the_newest(data_paths, store):
    store.create_note("nato", title="x")
    start = datetime(2026, 1, 1, 8, 0, 0)
    for day in range(10):
        bk.backup_user_db(data_paths, now=start + timedelta(days=day), keep=7)
    names = [b.path.name for b in bk.list_backups(data_paths)]
    assert len(names) == 7
    assert names[0] == "user-20260110-080000.sqlite" and names[-1] == "user-20260104-080000.sqlite"


def test_daily_backup_only_once_a_day(data_paths, store):
    store.create_note("nato", title="x")
    t0 = datetime(2026, 2, 1, 9, 0, 0)
    assert bk.daily_backup(data_paths, now=t0) is not None
    assert bk.daily_backup(data_paths, now=t0 + timedelta(hours=5)) is None
    assert bk.daily_backup(data_paths, now=t0 + timedelta(hours=25)) is not None
    assert len(bk.list_backups(data_paths)) == 2


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(data_paths, store):
    store.create_note("nato", title="before")
    path = bk.backup_user_db(data_paths)
    store.create_note("nato", title="after the backup")
    safety = bk.restore_backup(data_paths, path)
    assert _titles(store) == ["before"]
    assert safety is not None and bk.quick_check(safety) == "ok"
    bk.restore_backup(data_paths, safety)  # a restore can itself be undone
    assert _titles(store) == ["after the backup", "before"]
    assert store.search("after")  # the search index came back with the data


def test_restore_refuses_a_damaged_backup(data_paths, store):
    store.create_note("nato", title="mine")
    bad = data_paths.backups / "user-20260101-000000.sqlite"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"not sqlite" * 500)
    with pytest.raises(bk.BackupError, match="damaged"):
        bk.restore_backup(data_paths, bad)
    assert _titles(store) == ["mine"]


def test_backup_before_migration(data_paths, tmp_path):
    """An older user database is backed up (still at its old version) before it is migrated."""
    from app.core.db import _statements, user_migrations

    version, _name, sql = user_migrations()[0]
    con = sqlite3.connect(data_paths.user_db, isolation_level=None)
    for st in _statements(sql):
        con.execute(st)
    con.execute(f"PRAGMA user_version={version}")
    con.close()
    atlas = open_atlas(data_paths, seeds=SEEDS, user_backup=bk.migration_backup(data_paths))
    atlas.close()
    [b] = bk.list_backups(data_paths)
    assert b.reason == "pre-migration"
    assert sqlite3.connect(b.path).execute("PRAGMA user_version").fetchone()[0] == version
    ensure_user_db(data_paths.user_db, backup=bk.migration_backup(data_paths))  # current: no new backup
    assert len(bk.list_backups(data_paths)) == 1


def test_damaged_database_is_set_aside_and_newest_good_backup_offered(data_paths, store):
    store.create_note("nato", title="old")
    older = bk.backup_user_db(data_paths, now=datetime(2026, 1, 1, 8, 0, 0))
    store.create_note("nato", title="newer")
    newest = bk.backup_user_db(data_paths, now=datetime(2026, 1, 2, 8, 0, 0))
    assert bk.check_user_db(data_paths).status == "ok"
    damaged_bytes = b"SQLite format 3\x00" + b"\x13" * 8000
    data_paths.user_db.write_bytes(damaged_bytes)
    health = bk.check_user_db(data_paths)
    assert health.status == "damaged" and not health.ok
    assert "damaged" in health.message
    assert health.newest_good is not None and health.newest_good.path == newest
    assert health.newest_good.notes == 2
    aside = bk.recover_user_db(data_paths, health.newest_good.path)
    assert aside.name.startswith("user.sqlite.damaged-")
    assert aside.read_bytes() == damaged_bytes  # kept, not overwritten
    assert _titles(store) == ["newer", "old"]
    assert bk.check_user_db(data_paths).status == "ok"
    assert older.exists()


def test_damaged_database_with_no_backup_starts_fresh_but_keeps_the_file(data_paths):
    data_paths.user_db.write_bytes(b"garbage" * 100)
    health = bk.check_user_db(data_paths)
    assert health.status == "damaged" and health.newest_good is None
    aside = bk.recover_user_db(data_paths, None)
    assert aside.read_bytes() == b"garbage" * 100
    assert NotesStore(data_paths.user_db).list_notes() == []


def test_missing_database_is_not_damaged(data_paths):
    assert bk.check_user_db(data_paths).status == "missing"
    assert bk.check_user_db(data_paths).ok
