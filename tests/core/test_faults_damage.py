"""Fault injection, damaged databases: a zero-length notes file, bit flips that leave invalid UTF-8
(in notes and in the reference), a damaged page mid-file; backups that rotation must not lose."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from app.cli import main
from app.core.atlas import open_atlas
from app.core.userdata import backup as bk
from app.core.userdata import restore as rs
from app.core.userdata.database import UserData
from tests.conftest import SEEDS


def cli(data_paths, capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_paths.root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _notes(data_paths, n: int, prefix: str = "note") -> list[str]:
    with UserData.open(data_paths.user_db) as user:
        return [
            user.notes.create_note("nato", title=f"{prefix} {i}", body=f"MARK{prefix}{i:04d} text").id for i in range(n)
        ]


def _checkpoint(path) -> None:
    """Fold the WAL into the main file, as after quitting the app, so the bytes are where we flip them."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()


def _flip(path, marker: bytes, replace: bytes = b"\xff\xfe") -> int:
    """Overwrite the start of every copy of ``marker`` in the file (the note and its FTS copy)."""
    data = bytearray(path.read_bytes())
    count = 0
    at = data.find(marker)
    while at >= 0:
        data[at : at + len(replace)] = replace
        count += 1
        at = data.find(marker, at + 1)
    path.write_bytes(bytes(data))
    return count


# ---- zero-length notes database -----------------------------------------------------------------
def test_a_zero_byte_notes_database_is_damage_not_a_new_empty_one(data_paths, capsys):
    _notes(data_paths, 5)
    good = bk.backup_user_db(data_paths)
    data_paths.user_db.write_bytes(b"")
    for side in ("-wal", "-shm"):
        (data_paths.root / f"user.sqlite{side}").unlink(missing_ok=True)
    assert rs.check_user_db(data_paths).status == "damaged"
    code, _, err = cli(data_paths, capsys, "notes", "list")
    assert code == 1 and "empty file (0 bytes)" in err and "notes restore" in err
    code, _, err = cli(data_paths, capsys, "notes", "add", "-e", "nato", "-t", "new")
    assert code == 1 and data_paths.user_db.stat().st_size == 0  # nothing was written into it
    code, _, err = cli(data_paths, capsys, "notes", "backup")
    assert code == 1 and "No backup was made" in err and len(bk.list_backups(data_paths)) == 1
    code, out, _ = cli(data_paths, capsys, "notes", "restore")
    assert code == 0 and good.name in out and "set aside" in out
    code, out, _ = cli(data_paths, capsys, "notes", "list")
    assert code == 0 and "5 notes." in out


def test_rotation_never_drops_the_good_backup_for_empty_ones(data_paths, capsys):
    _notes(data_paths, 12)
    start = datetime(2026, 1, 1, 8, 0, 0)
    good = bk.backup_user_db(data_paths, now=start)
    with UserData.open(data_paths.user_db) as user:  # emptied by mistake
        for n in user.notes.list_notes():
            user.notes.delete_note(n.id)
        user.notes.empty_trash()
    for day in range(1, 9):
        bk.backup_user_db(data_paths, now=start + timedelta(days=day))
    kept = bk.list_backups(data_paths, count_notes=True)
    assert good in [b.path for b in kept] and max(b.notes or 0 for b in kept) == 12
    assert len(kept) == bk.KEEP + 1  # the seven newest and the one good one
    code, _, err = cli(data_paths, capsys, "notes", "backup")
    assert code == 0 and "holds 0 notes, fewer than the 12" in err
    code, _, err = cli(data_paths, capsys, "notes", "list")
    assert "holds no notes, but the backup from 2026-01-01 08:00 holds 12" in err


# ---- invalid UTF-8 -----------------------------------------------------------------------------
def test_invalid_utf8_in_a_note_is_shown_never_raised(data_paths, capsys, tmp_path):
    _notes(data_paths, 3)
    good = bk.backup_user_db(data_paths)
    _notes(data_paths, 2, prefix="late")
    _checkpoint(data_paths.user_db)
    assert _flip(data_paths.user_db, b"MARKlate0001") >= 1
    assert bk.quick_check(data_paths.user_db) != "ok"  # the text check sees what quick_check cannot
    code, out, err = cli(data_paths, capsys, "notes", "list")
    assert code == 0 and "5 notes." in out, err
    code, out, _ = cli(data_paths, capsys, "notes", "list", "--json")
    assert code == 0 and "\ufffd" in out
    out_json = tmp_path / "e.json"
    code, _, err = cli(data_paths, capsys, "export", "-f", "json", "--notes", "-o", str(out_json))
    assert code == 0, err
    code, _, err = cli(data_paths, capsys, "notes", "add", "-e", "nato", "-t", "more")
    assert code == 1 and "not valid UTF-8" in err and "Nothing was written" in err
    code, out, _ = cli(data_paths, capsys, "notes", "restore", "--backup", str(good))
    assert code == 0 and "Salvaged 2 notes" in out and "3 were already in the backup" in out
    with UserData.open(data_paths.user_db) as user:
        notes = user.notes.list_notes()
        assert len(notes) == 5
        salvaged = [n for n in notes if "salvaged" in n.tags]
        assert sorted(n.title for n in salvaged) == ["late 0", "late 1"]
        assert any("\ufffd" in n.body for n in salvaged)
    assert rs.check_user_db(data_paths).status == "ok"


def test_invalid_utf8_in_the_reference_rebuilds_it_from_the_seeds(data_paths):
    data = bytearray(data_paths.reference_db.read_bytes())
    at = data.find(b"North Atlantic Treaty")
    assert at > 0
    data[at : at + 2] = b"\xff\xfe"
    data_paths.reference_db.write_bytes(bytes(data))
    atlas = open_atlas(data_paths, seeds=SEEDS)
    try:
        assert atlas.warning and "rebuilt from the seeds" in atlas.warning
        assert atlas.repo.documents()  # the call that raised before
        assert "nato" in atlas.repo.entity_names()
    finally:
        atlas.close()
    assert list(data_paths.root.glob("reference.sqlite.damaged-*"))  # the damaged file is kept


def test_invalid_utf8_in_a_reference_that_cannot_be_rebuilt_says_what_is_wrong(data_paths, tmp_path):
    """No seeds to rebuild from: the message says what is damaged and how to rebuild it."""
    from app.core.errors import DatabaseCorrupt

    data = bytearray(data_paths.reference_db.read_bytes())
    at = data.find(b"North Atlantic Treaty")
    data[at : at + 2] = b"\xff\xfe"
    data_paths.reference_db.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorrupt) as caught:
        open_atlas(data_paths, seeds=tmp_path / "no-seeds")
    assert str(caught.value) == (
        "The reference database is damaged (1 text value is not valid UTF-8). "
        "It is rebuilt from the seed documents with 'alliance-atlas build-db'."
    )


def test_the_reference_text_is_read_once_per_state_of_the_file(data_paths, monkeypatch):
    """The full text check costs seconds at 100,000 entities: not at every start, but again whenever
    the file changed (the bit flip of the test above is found after a check that passed)."""
    import app.core.db as db

    calls: list[int] = []
    real = db.invalid_text_count
    monkeypatch.setattr(db, "invalid_text_count", lambda con, schema="main": calls.append(1) or real(con, schema))
    for _ in range(2):
        open_atlas(data_paths, seeds=SEEDS).close()
    assert len(calls) <= 1  # the first open may check (or the build's open did); the second does not
    data = bytearray(data_paths.reference_db.read_bytes())
    at = data.find(b"North Atlantic Treaty")
    data[at : at + 2] = b"\xff\xfe"
    data_paths.reference_db.write_bytes(bytes(data))
    calls.clear()
    atlas = open_atlas(data_paths, seeds=SEEDS)
    try:
        assert calls and atlas.warning and "rebuilt from the seeds" in atlas.warning
    finally:
        atlas.close()


# ---- damage mid-file: salvage ------------------------------------------------------------------
def _damage_index(path, index: str = "note_updated") -> None:
    """Overwrite the root page of an index with garbage: the notes table itself stays readable."""
    con = sqlite3.connect(path)
    page = con.execute("SELECT rootpage FROM sqlite_schema WHERE name = ?", (index,)).fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(path, "r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\x0d" + b"\xa5" * (size - 1))


def test_restore_salvages_the_notes_newer_than_the_backup(data_paths, capsys):
    _notes(data_paths, 205)
    good = bk.backup_user_db(data_paths)
    _notes(data_paths, 20, prefix="newer")
    _checkpoint(data_paths.user_db)
    _damage_index(data_paths.user_db)
    assert rs.check_user_db(data_paths).status == "damaged"
    code, _, err = cli(data_paths, capsys, "notes", "add", "-e", "nato", "-t", "into the damage")
    assert code == 1 and "damaged" in err and "Nothing was written" in err
    code, out, err = cli(data_paths, capsys, "notes", "restore")
    assert code == 0, err
    assert good.name in out and "Salvaged 20 notes" in out and "205 were already in the backup" in out
    with UserData.open(data_paths.user_db) as user:
        notes = user.notes.list_notes()
    assert len(notes) == 225
    assert {n.title for n in notes if "salvaged" in n.tags} == {f"newer {i}" for i in range(20)}
    assert list(data_paths.root.glob("user.sqlite.damaged-*"))


def test_a_page_of_notes_lost_costs_those_rows_only(data_paths):
    """Damage inside the notes table itself: the rows on other pages are still salvaged."""
    _notes(data_paths, 300)
    _checkpoint(data_paths.user_db)
    con = sqlite3.connect(data_paths.user_db)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    leaves = [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name = 'note' AND pagetype = 'leaf'")]
    con.close()
    assert len(leaves) > 4
    target = leaves[len(leaves) // 2]  # a leaf page of the notes table in the middle
    with open(data_paths.user_db, "r+b") as fh:
        fh.seek((target - 1) * size + 8)
        fh.write(b"\xa5" * (size - 8))
    assert rs.check_user_db(data_paths).status == "damaged"
    done = rs.recover(data_paths, None)
    assert done.salvage is not None and 200 < done.salvage.added < 300
    with UserData.open(data_paths.user_db) as user:
        assert len(user.notes.list_notes()) == done.salvage.added


@pytest.mark.parametrize("size", [0, 100, 4096])
def test_garbage_instead_of_a_database_never_raises_in_salvage(data_paths, size):
    data_paths.user_db.write_bytes(b"\xa5" * size)
    done = rs.recover(data_paths, None)
    assert done.salvage is not None and done.salvage.added == 0
    assert rs.check_user_db(data_paths).status == "ok"
