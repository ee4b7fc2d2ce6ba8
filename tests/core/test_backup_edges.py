"""Backups edge by edge (issue 19, mutation testing of userdata/backup): the label a person picks a backup
by, the file names, what rotation removes and reports, and the warnings about emptied notes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.core.userdata import backup as bk
from app.core.userdata.database import UserData
from app.paths import DataPaths

T0 = datetime(2026, 3, 1, 9, 30, 5)


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "home").ensure()


def _notes(paths: DataPaths, n: int) -> None:
    """Make the live database hold exactly ``n`` notes (trashed ones do not count)."""
    with UserData.open(paths.user_db) as user:
        for note in user.notes.list_notes():
            user.notes.delete_note(note.id)
        user.notes.empty_trash()
        for i in range(n):
            user.notes.create_note("nato", body=f"note {i}")
        if n:
            user.notes.delete_note(user.notes.create_note("nato", body="trashed").id)


def test_no_database_no_backup(paths: DataPaths) -> None:
    with pytest.raises(bk.BackupError, match=r"^There is no notes database to back up yet\.$"):
        bk.backup_user_db(paths)
    assert bk.daily_backup(paths) is None and bk.list_backups(paths) == []
    assert bk.notes_warning(paths) is None


def test_a_backup_label_reads_as_date_reason_and_notes() -> None:
    info = bk.BackupInfo(Path("x"), T0, "daily", 10)
    assert info.label == "2026-03-01 09:30:05 (daily)"
    assert bk.BackupInfo(Path("x"), T0, "manual", 10, 1).label == "2026-03-01 09:30:05 (manual, 1 note)"
    assert bk.BackupInfo(Path("x"), T0, "manual", 10, 0).label == "2026-03-01 09:30:05 (manual, 0 notes)"
    assert bk.BackupInfo(Path("x"), T0, "daily", 10, 12).label == "2026-03-01 09:30:05 (daily, 12 notes)"
    assert bk.time_stamp(T0) == "20260301-093005"
    assert len(bk.time_stamp()) == 15


def test_backup_names_carry_the_time_and_reason_and_never_overwrite(paths: DataPaths) -> None:
    _notes(paths, 2)
    first = bk.backup_user_db(paths, reason="manual", now=T0)
    second = bk.backup_user_db(paths, reason="manual", now=T0)
    third = bk.backup_user_db(paths, reason="manual", now=T0)
    daily = bk.backup_user_db(paths, now=T0)
    daily2 = bk.backup_user_db(paths, now=T0)
    assert [p.name for p in (first, second, third, daily, daily2)] == [
        "user-20260301-093005-manual.sqlite",
        "user-20260301-093005-2-manual.sqlite",
        "user-20260301-093005-3-manual.sqlite",
        "user-20260301-093005.sqlite",
        "user-20260301-093005-2.sqlite",
    ]
    (paths.backups / "notes.sqlite").write_bytes(b"x")  # not ours: ignored
    (paths.backups / "user-20260301-093005.sqlite.part").write_bytes(b"x")
    (paths.backups / "user-20260302-000000.sqlite").mkdir()
    found = bk.list_backups(paths, count_notes=True)
    assert len(found) == 5
    assert {b.reason for b in found} == {"manual", "daily"}
    assert all(b.created == T0 and b.notes == 2 and b.size > 0 for b in found)
    assert [b.notes for b in bk.list_backups(paths)] == [None] * 5


def test_rotation_reports_what_it_removed_and_keeps_the_richest(paths: DataPaths) -> None:
    _notes(paths, 5)
    rich = bk.backup_user_db(paths, now=T0, keep=10)
    _notes(paths, 1)
    made = [bk.backup_user_db(paths, now=T0 + timedelta(days=d), keep=10) for d in range(1, 5)]
    assert bk.rotate(paths, keep=4) == []  # five backups, the oldest the richest: kept
    assert rich.exists()
    removed = bk.rotate(paths, keep=2)
    assert removed == [made[1], made[0]]  # the older poorer ones, newest first; the richest stays
    assert [b.path for b in bk.list_backups(paths)] == [made[3], made[2], rich]
    assert bk.rotate(paths, keep=3) == []
    _notes(paths, 6)
    newest = bk.backup_user_db(paths, now=T0 + timedelta(days=9), keep=1)
    assert [b.path for b in bk.list_backups(paths)] == [newest]  # now the newest is the richest


def test_the_notes_warning_names_the_backup_that_holds_notes(paths: DataPaths) -> None:
    _notes(paths, 3)
    good = bk.backup_user_db(paths, now=T0)
    assert bk.notes_warning(paths) is None  # notes in the live database
    _notes(paths, 0)
    bk.backup_user_db(paths, now=T0 + timedelta(days=1))
    assert bk.notes_warning(paths) == (
        "Your notes database holds no notes, but the backup from 2026-03-01 09:30 holds 3. If you did not "
        f"delete them, restore it: `alliance-atlas notes restore --backup {good}` (or File ▸ Restore notes "
        "from backup…)."
    )


def test_no_warning_when_no_backup_holds_notes(paths: DataPaths) -> None:
    _notes(paths, 0)
    bk.backup_user_db(paths, now=T0)
    assert bk.notes_warning(paths) is None


def test_a_backup_with_fewer_notes_than_an_earlier_one_says_so(paths: DataPaths) -> None:
    _notes(paths, 4)
    first = bk.backup_user_db(paths, now=T0)
    assert bk.backup_warning(paths, first) is None
    _notes(paths, 1)
    fewer = bk.backup_user_db(paths, now=T0 + timedelta(hours=2))
    assert bk.backup_warning(paths, fewer) == (
        "This backup holds 1 note, fewer than the 4 in the backup from 2026-03-01 09:30; that backup is kept "
        "(rotation never removes the one with the most notes)."
    )
    _notes(paths, 2)
    two = bk.backup_user_db(paths, now=T0 + timedelta(hours=3))
    assert bk.backup_warning(paths, two).startswith("This backup holds 2 notes, fewer than the 4 ")
    _notes(paths, 4)
    same = bk.backup_user_db(paths, now=T0 + timedelta(hours=4))
    assert bk.backup_warning(paths, same) is None
    assert bk.backup_warning(paths, paths.backups / "missing.sqlite") is None


def test_daily_backup_waits_a_full_day(paths: DataPaths) -> None:
    _notes(paths, 1)
    assert bk.daily_backup(paths, now=T0) is not None
    assert bk.daily_backup(paths, now=T0 + bk.DAILY - timedelta(seconds=1)) is None
    made = bk.daily_backup(paths, now=T0 + bk.DAILY)
    assert made is not None and made.name == "user-20260302-093005.sqlite"
    assert bk.DAILY == timedelta(hours=24)


def test_a_pre_migration_backup_is_named_so(paths: DataPaths) -> None:
    _notes(paths, 1)
    made = bk.migration_backup(paths)()
    assert made.name.endswith("-pre-migration.sqlite")
    assert bk.list_backups(paths)[0].reason == "pre-migration"


def test_a_file_where_the_backup_folder_belongs_is_named(paths: DataPaths) -> None:
    _notes(paths, 1)
    if paths.backups.is_dir():
        paths.backups.rmdir()
    paths.backups.write_bytes(b"in the way")
    with pytest.raises(bk.BackupError) as err:
        bk.backup_user_db(paths)
    assert str(err.value).startswith(f"No backup was made: Cannot write the backup folder {paths.backups}: ")
    assert str(err.value).endswith(" The notes database was not changed.")


def test_rotation_survives_backups_that_cannot_be_read(paths: DataPaths) -> None:
    _notes(paths, 2)
    good = bk.backup_user_db(paths, now=T0)
    for d in (1, 2, 3):
        (paths.backups / f"user-2026030{1 + d}-093005.sqlite").write_bytes(b"not a database " * 100)
    removed = bk.rotate(paths, keep=2)
    assert [p.name for p in removed] == ["user-20260302-093005.sqlite"]
    assert good.exists()  # the only readable one, with notes: never pushed out by unreadable ones


def test_one_note_left_is_no_emptied_database(paths: DataPaths) -> None:
    _notes(paths, 3)
    bk.backup_user_db(paths, now=T0)
    _notes(paths, 1)
    assert bk.notes_warning(paths) is None


def test_recovering_a_sound_database_is_refused_and_moves_nothing(paths: DataPaths) -> None:
    """ "Start with no notes" or a recovery from a backup, asked for a database that is not damaged (it was
    repaired, or another window recovered it first): refused in a sentence, the notes left as they are."""
    from app.core.userdata import restore as rs

    _notes(paths, 2)
    with pytest.raises(
        bk.BackupError, match=r"^The notes database is not damaged, so it was not set aside\. Nothing was changed\.$"
    ):
        rs.recover(paths, None)
    assert not [p.name for p in paths.root.iterdir() if "damaged" in p.name]  # nothing set aside
    with UserData.open(paths.user_db) as user:
        assert len(user.notes.list_notes()) == 2
