"""Salvage and restore, note for note: what is kept from a damaged notes file, and the sentences that say so."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from app.core.db import migrate_user_db
from app.core.userdata import recovery
from app.core.userdata.recovery import Recovery, SalvageReport, remove_stale_builds, salvage_notes, temp_name

T1, T2 = "2024-01-01T00:00:00.000000Z", "2024-02-01T00:00:00.000000Z"


def user_db(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    migrate_user_db(con)
    return con


def loose_db(path: Path) -> sqlite3.Connection:
    """A notes file as damage may leave it: the tables, none of the constraints."""
    con = sqlite3.connect(path, isolation_level=None)
    con.executescript(
        'CREATE TABLE note (id, entity_id, document_id, start, "end", quote, title, body, created_at, updated_at,'
        " deleted_at); CREATE TABLE tag (id INTEGER PRIMARY KEY, name, color);"
        " CREATE TABLE note_tag (note_id, tag_id); CREATE TABLE entity_tag (entity_id, tag_id);"
    )
    return con


def add_note(con, nid, title, body, *, updated=T2, entity="nato", tags=()) -> None:
    con.execute(
        'INSERT INTO note (id, entity_id, document_id, start, "end", quote, title, body, created_at, updated_at)'
        " VALUES (?, ?, NULL, NULL, NULL, NULL, ?, ?, ?, ?)",
        (nid, entity, title, body, T1, updated),
    )
    for name in tags:
        con.execute("INSERT OR IGNORE INTO tag (name) VALUES (?)", (name,))
        tid = con.execute("SELECT id FROM tag WHERE name = ?", (name,)).fetchone()[0]
        con.execute("INSERT INTO note_tag (note_id, tag_id) VALUES (?, ?)", (nid, tid))


def notes(con) -> dict[str, tuple[str, str, list[str]]]:
    out = {}
    for nid, title, body in con.execute("SELECT id, title, body FROM note ORDER BY id"):
        tags = [
            r[0]
            for r in con.execute(
                "SELECT t.name FROM note_tag nt JOIN tag t ON t.id = nt.tag_id WHERE nt.note_id = ? ORDER BY t.name",
                (nid,),
            )
        ]
        out[nid] = (title, body, tags)
    return out


def test_salvage_adds_what_the_backup_lacks_and_keeps_both_versions_of_a_changed_note(tmp_path: Path) -> None:
    damaged = loose_db(tmp_path / "damaged.sqlite")
    add_note(damaged, "same", "Same", "unchanged", tags=["lesson"])
    add_note(damaged, "newer", "Plan", "edited after the backup", updated="2024-03-01T00:00:00.000000Z")
    add_note(damaged, "only-here", "Fresh", "written after the backup", tags=["lesson", "draft"])
    add_note(damaged, "no-title", None, None)  # damage left no title or body: kept, empty
    damaged.execute("INSERT INTO tag (name) VALUES ('watch')")
    wid = damaged.execute("SELECT id FROM tag WHERE name = 'watch'").fetchone()[0]
    damaged.execute("INSERT INTO entity_tag (entity_id, tag_id) VALUES ('csto', ?)", (wid,))
    damaged.close()

    restored = user_db(tmp_path / "restored.sqlite")
    add_note(restored, "same", "Same", "unchanged", tags=["lesson"])
    add_note(restored, "newer", "Plan", "as backed up")
    report = salvage_notes(tmp_path / "damaged.sqlite", restored)

    assert (report.read, report.added, report.already, report.unreadable, report.bad_text) == (4, 3, 1, 0, 0)
    got = notes(restored)
    copy_id = next(k for k in got if k not in {"same", "newer", "only-here", "no-title"})
    assert got == {
        "same": ("Same", "unchanged", ["lesson"]),
        "newer": ("Plan", "as backed up", []),  # the backup's version stays
        copy_id: ("Plan (salvaged)", "edited after the backup", ["salvaged"]),
        "only-here": ("Fresh", "written after the backup", ["draft", "lesson", "salvaged"]),
        "no-title": ("", "", ["salvaged"]),
    }
    assert restored.execute(
        "SELECT et.entity_id, t.name FROM entity_tag et JOIN tag t ON t.id = et.tag_id"
    ).fetchall() == [("csto", "watch")]
    assert report.summary() == (
        "Salvaged 3 notes from the damaged file (tagged “salvaged”); 1 were already in the backup."
    )
    # Salvaging the same file again adds nothing: the copy's id derives from the note.
    again = salvage_notes(tmp_path / "damaged.sqlite", restored)
    assert (again.read, again.added, again.already) == (4, 0, 4)
    assert len(notes(restored)) == 5


def test_rows_that_cannot_be_notes_are_counted_and_bad_bytes_shown_as_replacement(tmp_path: Path) -> None:
    damaged = loose_db(tmp_path / "damaged.sqlite")
    add_note(damaged, "good", "Good", "fine")
    damaged.execute(
        "INSERT INTO note (id, title, body, created_at, updated_at)"
        " VALUES ('bytes', 'Bytes', CAST(x'636166e9' AS TEXT), ?, ?)",
        (T1, T2),
    )
    for bad in [(None, T1, T2), ("no-dates", None, T2), ("", T1, T2), (7, T1, T2), ("bad-update", T1, 5)]:
        damaged.execute("INSERT INTO note (id, title, body, created_at, updated_at) VALUES (?, 't', 'b', ?, ?)", bad)
    damaged.close()
    restored = user_db(tmp_path / "restored.sqlite")
    report = salvage_notes(tmp_path / "damaged.sqlite", restored)
    assert report.read == 2 and report.added == 2
    assert report.bad_text == 1 and report.unreadable == 5
    assert notes(restored)["bytes"][1] == "caf\ufffd"
    assert report.summary() == (
        "Salvaged 2 notes from the damaged file (tagged “salvaged”); 0 were already in the backup;"
        " 5 rows could not be read; 1 damaged character run shown as �."
    )


def test_a_file_with_nothing_readable_salvages_nothing_and_says_so(tmp_path: Path) -> None:
    restored = user_db(tmp_path / "restored.sqlite")
    report = salvage_notes(tmp_path / "missing.sqlite", restored)
    assert (report.read, report.added, report.unreadable) == (0, 0, 0)
    assert report.summary() == "Nothing could be read from the damaged file."
    assert notes(restored) == {}


def test_the_salvage_sentence_counts_in_words_a_person_reads() -> None:
    assert SalvageReport(read=1, added=1, already=0).summary() == (
        "Salvaged 1 note from the damaged file (tagged “salvaged”); 0 were already in the backup."
    )
    assert SalvageReport(read=3, added=2, already=1, unreadable=1, bad_text=2).summary() == (
        "Salvaged 2 notes from the damaged file (tagged “salvaged”); 1 were already in the backup;"
        " 1 row could not be read; 2 damaged character runs shown as �."
    )
    assert SalvageReport(unreadable=4).summary() == (
        "Salvaged 0 notes from the damaged file (tagged “salvaged”); 0 were already in the backup;"
        " 4 rows could not be read."
    )


def test_the_recovery_sentence_names_the_kept_file_and_the_backup(tmp_path: Path) -> None:
    aside = tmp_path / "user.sqlite.damaged-1"
    assert Recovery(aside, tmp_path / "backup-7.sqlite", None).summary() == (
        "The damaged notes database was set aside as user.sqlite.damaged-1; restored backup-7.sqlite."
    )
    assert Recovery(aside, None, SalvageReport(read=1, added=1)).summary() == (
        "The damaged notes database was set aside as user.sqlite.damaged-1; started a new notes database"
        " (no sound backup). Salvaged 1 note from the damaged file (tagged “salvaged”); 0 were already in"
        " the backup."
    )


def test_half_built_restores_of_dead_processes_are_removed_and_nothing_else(tmp_path: Path) -> None:
    live = tmp_path / "user.sqlite"
    assert temp_name(live) == tmp_path / f".user.sqlite.restoring-{os.getpid()}"
    dead_pid = 2**22 + 12345  # above pid_max: no such process
    files = {
        "dead": tmp_path / f".user.sqlite.restoring-{dead_pid}",
        "dead-suffix": tmp_path / f".user.sqlite.restoring-{dead_pid}-wal",
        "mine": temp_name(live),
        "odd": tmp_path / ".user.sqlite.restoring-abc",
        "other-db": tmp_path / f".other.sqlite.restoring-{dead_pid}",
        "live": live,
    }
    for p in files.values():
        p.write_bytes(b"x")
    remove_stale_builds(live)
    assert {k for k, p in files.items() if p.exists()} == {"mine", "odd", "other-db", "live"}
    remove_stale_builds(tmp_path / "missing-dir" / "user.sqlite")  # no folder: nothing to do, no error


def test_a_damaged_file_is_kept_under_its_new_name_with_its_journal(tmp_path: Path) -> None:
    live = tmp_path / "user.sqlite"
    live.write_bytes(b"damaged")
    Path(str(live) + "-wal").write_bytes(b"wal")
    Path(str(live) + "-shm").write_bytes(b"shm")
    new = tmp_path / "new.sqlite"
    new.write_bytes(b"restored")
    aside = tmp_path / "user.sqlite.damaged"
    recovery.swap_in(new, live, aside)
    assert live.read_bytes() == b"restored" and not new.exists()
    assert aside.read_bytes() == b"damaged"
    assert Path(str(aside) + "-wal").read_bytes() == b"wal" and Path(str(aside) + "-shm").read_bytes() == b"shm"
    assert not Path(str(live) + "-wal").exists() and not Path(str(live) + "-shm").exists()
    # No file to keep: stale journal files of the old database are removed, never applied to the new one.
    Path(str(live) + "-wal").write_bytes(b"stale")
    newer = tmp_path / "newer.sqlite"
    newer.write_bytes(b"second")
    recovery.swap_in(newer, live, None)
    assert live.read_bytes() == b"second" and not Path(str(live) + "-wal").exists()


def test_a_restore_over_a_sound_database_gives_it_the_new_content_and_leaves_the_build_alone(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a wrong (non-URI) open would leave a stray file here
    built = user_db(tmp_path / ".user.sqlite.restoring-1")
    add_note(built, "restored", "From the backup", "kept")
    built.close()
    live = user_db(tmp_path / "user.sqlite")
    add_note(live, "current", "Current", "replaced")
    live.close()
    recovery.copy_into_live(tmp_path / ".user.sqlite.restoring-1", tmp_path / "user.sqlite")
    con = sqlite3.connect(tmp_path / "user.sqlite")
    assert notes(con) == {"restored": ("From the backup", "kept", [])}
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".user.sqlite.restoring-1", "user.sqlite"]
