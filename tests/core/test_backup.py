"""Backups through the SQLite backup API: made, checked, rotated, restored; a damaged database is set aside."""

from __future__ import annotations

import errno
import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.core.atlas import open_atlas
from app.core.db import ensure_user_db
from app.core.errors import AtlasError
from app.core.userdata import backup as bk
from app.core.userdata import integrity
from app.core.userdata import restore as rs
from app.core.userdata.database import UserData
from tests.conftest import SEEDS


@pytest.fixture
def store(data_paths):
    user = UserData.open(data_paths.user_db)
    yield user.notes
    user.close()


def _titles(store):
    if store.user_data.closed:  # the window was closed before: look as a new window would
        with UserData.open(store.user_db) as user:
            return sorted(n.title for n in user.notes.list_notes())
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
    safety = rs.restore_backup(data_paths, path)
    assert _titles(store) == ["before"]
    assert safety is not None and bk.quick_check(safety) == "ok"
    rs.restore_backup(data_paths, safety)  # a restore can itself be undone
    assert _titles(store) == ["after the backup", "before"]
    assert store.search("after")  # the search index came back with the data


def test_restore_refuses_a_damaged_backup(data_paths, store):
    store.create_note("nato", title="mine")
    bad = data_paths.backups / "user-20260101-000000.sqlite"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"not sqlite" * 500)
    with pytest.raises(bk.BackupError, match="damaged"):
        rs.restore_backup(data_paths, bad)
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
    assert rs.check_user_db(data_paths).status == "ok"
    damaged_bytes = b"SQLite format 3\x00" + b"\x13" * 8000
    store.user_data.close()  # the window was closed
    data_paths.user_db.write_bytes(damaged_bytes)
    health = rs.check_user_db(data_paths)
    assert health.status == "damaged" and not health.ok
    assert "damaged" in health.message
    assert health.newest_good is not None and health.newest_good.path == newest
    assert health.newest_good.notes == 2
    aside = rs.recover_user_db(data_paths, health.newest_good.path)
    assert aside.name.startswith("user.sqlite.damaged-")
    assert aside.read_bytes() == damaged_bytes  # kept, not overwritten
    assert _titles(store) == ["newer", "old"]
    assert rs.check_user_db(data_paths).status == "ok"
    assert older.exists()


def test_damaged_database_with_no_backup_starts_fresh_but_keeps_the_file(data_paths):
    data_paths.user_db.write_bytes(b"garbage" * 100)
    health = rs.check_user_db(data_paths)
    assert health.status == "damaged" and health.newest_good is None
    aside = rs.recover_user_db(data_paths, None)
    assert aside.read_bytes() == b"garbage" * 100
    assert UserData.open(data_paths.user_db).notes.list_notes() == []


def test_missing_database_is_not_damaged(data_paths):
    assert rs.check_user_db(data_paths).status == "missing"
    assert rs.check_user_db(data_paths).ok


# ---- a sound database that cannot be opened (full disk, read-only storage) is never "damaged" ----


def _failing_connect(monkeypatch, message: str, path_part: str = "user.sqlite"):
    """sqlite3.connect that fails with ``message`` for the user database only (as a full disk does)."""
    real = sqlite3.connect

    def connect(target, *args, **kwargs):
        if path_part in str(target) and ".damaged-" not in str(target):
            raise sqlite3.OperationalError(message)
        return real(target, *args, **kwargs)

    monkeypatch.setattr(bk.sqlite3, "connect", connect)


def _files(folder):
    return sorted(p.name for p in folder.iterdir() if p.is_file())


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ("disk I/O error", "full"),
        ("unable to open database file", "cannot be opened"),
        ("database is locked", "busy"),
        ("database or disk is full", "full"),
    ],
)
def test_an_unreadable_sound_database_is_reported_as_what_it_is_and_never_moved(
    data_paths, store, monkeypatch, message, says
):
    store.create_note("nato", title="keep me")
    bk.backup_user_db(data_paths)
    before = _files(data_paths.root)
    _failing_connect(monkeypatch, message)
    with pytest.raises(AtlasError, match=says) as info:
        bk.quick_check(data_paths.user_db, "the notes database")
    assert str(info.value)[0].isupper()
    health = rs.check_user_db(data_paths)
    assert health.status == "unavailable" and health.ok and says in health.message
    assert isinstance(health.error, AtlasError)
    with pytest.raises(AtlasError, match=says):
        rs.recover_user_db(data_paths, None)  # "Start with no notes" must not set it aside
    [backup] = bk.list_backups(data_paths)
    with pytest.raises(AtlasError):
        rs.restore_backup(data_paths, backup.path)
    monkeypatch.undo()
    assert _files(data_paths.root) == before
    assert not any(".damaged-" in name for name in _files(data_paths.root))
    assert _titles(store) == ["keep me"]


def test_an_unopenable_database_in_a_read_only_folder_says_read_only(data_paths, store, monkeypatch):
    store.create_note("nato", title="x")
    _failing_connect(monkeypatch, "unable to open database file")
    monkeypatch.setattr(integrity, "folder_unwritable", lambda _folder: "is on read-only storage")
    health = rs.check_user_db(data_paths)
    assert health.status == "unavailable" and "read-only" in health.message


def test_a_recovery_that_fails_half_way_puts_the_damaged_file_back(data_paths, monkeypatch):
    damaged = b"garbage" * 100
    data_paths.user_db.write_bytes(damaged)

    def no_space(*_a, **_k):
        raise sqlite3.OperationalError("database or disk is full")

    from app.core.userdata import recovery

    monkeypatch.setattr(recovery, "migrate_user_db", no_space)  # while the new database is built
    with pytest.raises(bk.BackupError, match=r"disk .*full.*still where it was") as info:
        rs.recover_user_db(data_paths, None)
    assert "nothing was lost" in str(info.value)
    assert data_paths.user_db.read_bytes() == damaged
    assert not any(".damaged-" in name for name in _files(data_paths.root))


def test_a_restore_that_fails_during_recovery_puts_the_damaged_file_back(data_paths, store, monkeypatch):
    store.create_note("nato", title="in the backup")
    good = bk.backup_user_db(data_paths)
    damaged = b"garbage" * 100
    store.user_data.close()  # the window was closed
    data_paths.user_db.write_bytes(damaged)
    for side in ("-wal", "-shm"):
        Path(str(data_paths.user_db) + side).unlink(missing_ok=True)
    real = sqlite3.connect

    def connect(target, *args, **kwargs):
        if ".restoring-" in str(target):  # the new database being built beside the damaged one
            real(target).close()  # the new file exists, as when the disk fills up half-way
            raise sqlite3.OperationalError("disk I/O error")
        return real(target, *args, **kwargs)

    monkeypatch.setattr(bk.sqlite3, "connect", connect)
    with pytest.raises(bk.BackupError, match="still where it was"):
        rs.recover_user_db(data_paths, good)
    monkeypatch.undo()
    assert data_paths.user_db.read_bytes() == damaged
    assert not any(".damaged-" in name or ".restoring-" in name for name in _files(data_paths.root))


def test_setting_aside_on_read_only_storage_is_a_clear_error_and_moves_nothing(data_paths, monkeypatch):
    data_paths.user_db.write_bytes(b"garbage" * 100)
    Path(str(data_paths.user_db) + "-wal").write_bytes(b"wal")

    def read_only(src, dst):
        raise OSError(errno.EROFS, "Read-only file system", str(src))

    monkeypatch.setattr(bk.os, "replace", read_only)
    with pytest.raises(bk.BackupError, match=r"could not be set aside.*read-only.*nothing was moved"):
        rs.set_aside_damaged(data_paths)
    with pytest.raises(bk.BackupError, match="read-only"):
        rs.recover_user_db(data_paths, None)
    monkeypatch.undo()
    assert data_paths.user_db.read_bytes() == b"garbage" * 100
    assert Path(str(data_paths.user_db) + "-wal").read_bytes() == b"wal"


def test_setting_aside_is_all_or_nothing(data_paths, monkeypatch):
    """The main file moved, its -wal could not be: the main file is moved back."""
    data_paths.user_db.write_bytes(b"garbage" * 100)
    wal = Path(str(data_paths.user_db) + "-wal")
    wal.write_bytes(b"wal")
    real = os.replace

    def second_fails(src, dst):
        if str(src).endswith("-wal"):
            raise OSError(errno.EIO, "Input/output error", str(src))
        real(src, dst)

    monkeypatch.setattr(bk.os, "replace", second_fails)
    with pytest.raises(bk.BackupError, match="nothing was moved"):
        rs.set_aside_damaged(data_paths)
    monkeypatch.undo()
    assert data_paths.user_db.read_bytes() == b"garbage" * 100 and wal.read_bytes() == b"wal"
    assert not any(".damaged-" in name for name in _files(data_paths.root))


def test_a_backup_into_a_read_only_folder_says_so(data_paths, store, monkeypatch):
    store.create_note("nato", title="x")
    data_paths.backups.mkdir(exist_ok=True)
    monkeypatch.setattr(bk, "folder_unwritable", lambda _folder: "is on read-only storage")
    with pytest.raises(bk.BackupError, match=r"backup folder .* is on read-only storage"):
        bk.backup_user_db(data_paths)


def test_restoring_over_a_damaged_database_sets_it_aside_first(data_paths, store):
    store.create_note("nato", title="in the backup")
    good = bk.backup_user_db(data_paths)
    store.user_data.close()  # the window was closed
    data_paths.user_db.write_bytes(b"garbage" * 100)
    for side in ("-wal", "-shm"):
        Path(str(data_paths.user_db) + side).unlink(missing_ok=True)
    kept = rs.restore_backup(data_paths, good)
    assert kept is not None and kept.read_bytes() == b"garbage" * 100  # never overwritten
    assert _titles(store) == ["in the backup"]


def test_full_disk_for_real_the_notes_database_is_not_set_aside(tmp_path, seed_reference):
    """The reviewer's repro: a full tmpfs makes SQLite say "disk I/O error" for a sound database."""
    import shutil

    from app.paths import DataPaths
    from tests.core.mounts import fill, tmpfs

    with tmpfs(tmp_path / "disk", "4m") as disk:
        paths = DataPaths(disk / "data").ensure()
        shutil.copyfile(seed_reference, paths.reference_db)
        with UserData.open(paths.user_db) as user:
            user.notes.create_note("nato", title="keep")
        filler = fill(disk)
        health = rs.check_user_db(paths)
        assert health.status == "unavailable", health
        with pytest.raises(AtlasError):
            rs.recover_user_db(paths, None)
        filler.unlink()
        assert not any(".damaged-" in p.name for p in paths.root.iterdir())
        assert [n.title for n in UserData.open(paths.user_db).notes.list_notes()] == ["keep"]


def test_read_only_storage_for_real_backup_and_recovery_say_so(tmp_path, data_paths, store):
    from app.paths import DataPaths
    from tests.core.mounts import read_only

    store.create_note("nato", title="keep")
    bk.backup_user_db(data_paths)
    store.user_data.close()
    ensure_user_db(data_paths.user_db)  # closed cleanly: no -wal/-shm left, as after quitting the app
    with read_only(data_paths.root) as view:
        paths = DataPaths(view)
        with pytest.raises(bk.BackupError, match="read-only"):
            bk.backup_user_db(paths)
        health = rs.check_user_db(paths)
        assert health.status == "unavailable" and "read-only" in health.message
        with pytest.raises(AtlasError, match="read-only"):
            rs.recover_user_db(paths, None)


def test_rotation_keeps_seven_by_default(data_paths, store):
    store.create_note("nato", title="x")
    start = datetime(2026, 1, 1, 8, 0, 0)
    for day in range(9):
        bk.backup_user_db(data_paths, now=start + timedelta(days=day))
    assert bk.KEEP == 7
    assert len(bk.list_backups(data_paths)) == 7
    for day in range(9, 12):
        bk.daily_backup(data_paths, now=start + timedelta(days=day))
    names = [b.path.name for b in bk.list_backups(data_paths)]
    assert len(names) == 7 and names[0] == "user-20260112-080000.sqlite" and names[-1] == "user-20260106-080000.sqlite"


def test_a_new_backup_that_fails_its_check_is_discarded_and_the_old_ones_kept(data_paths, store, monkeypatch):
    store.create_note("nato", title="x")
    first = bk.backup_user_db(data_paths, now=datetime(2026, 1, 1, 8, 0, 0))
    checked: list[str] = []
    real = bk.quick_check

    def damaged_copy(path, what=None):
        checked.append(path.name)
        if path.name.endswith(".part"):  # the fresh copy, before it gets its name
            return "row 3 missing from index note_entity"
        return real(path, what)

    monkeypatch.setattr(bk, "quick_check", damaged_copy)
    with pytest.raises(bk.BackupError, match="failed its check"):
        bk.backup_user_db(data_paths, now=datetime(2026, 1, 2, 8, 0, 0))
    assert any(name.endswith(".part") for name in checked)
    assert sorted(p.name for p in data_paths.backups.iterdir()) == [first.name]
