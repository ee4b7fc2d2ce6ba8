"""What the user reads when something goes wrong, and edges the other tests do not reach."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.atlas import read_only_snapshot
from app.core.errors import StorageError, classify
from app.core.reference.relations import relation_label
from app.core.timeline.layout import layout_timeline
from app.core.userdata.database import UserData
from app.core.userdata.notes import NoteConflict


def test_a_disk_io_error_tells_the_user_what_to_do_in_full_sentences() -> None:
    err = classify(sqlite3.OperationalError("disk I/O error"), "the notes database")
    assert isinstance(err, StorageError)
    assert str(err) == (
        "The notes database could not be read or written (disk I/O error): the disk is probably full, or the "
        "storage is failing. Free some space or check the drive, then try again; nothing was lost."
    )


def test_a_field_without_a_relation_is_headed_by_its_name_in_words() -> None:
    assert relation_label("stated_members") == "Stated members"
    assert relation_label("member") != "Member"  # a relation has its own label


def test_an_edit_from_a_stale_window_is_refused_naming_the_note(tmp_path: Path) -> None:
    store = UserData.open(tmp_path / "user.sqlite").notes
    note = store.create_note("nato", title="Article 5", body="first")
    store.update_note(note.id, body="second")
    with pytest.raises(NoteConflict) as caught:
        store.update_note(note.id, body="third", expected_updated_at=note.updated_at)
    assert str(caught.value) == "The note “Article 5” was changed in another window."
    assert store.get_note(note.id).body == "second"


def test_a_read_only_snapshot_carries_the_notes_still_in_the_write_ahead_log(tmp_path: Path) -> None:
    db = tmp_path / "user.sqlite"
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("CREATE TABLE note (id TEXT)")
    con.execute("INSERT INTO note VALUES ('in-the-wal')")
    con.commit()
    assert Path(f"{db}-wal").stat().st_size > 0  # the row is only in the -wal file yet
    try:
        copy = read_only_snapshot(db)
        snap = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            assert snap.execute("SELECT id FROM note").fetchall() == [("in-the-wal",)]
        finally:
            snap.close()
    finally:
        con.close()


@dataclass(frozen=True)
class _E:
    id: str
    name: str
    founded: int | None
    ended: int | None = None
    kind: str = "alliance"


def test_a_broken_axis_starts_two_years_before_its_first_year() -> None:
    lay = layout_timeline(
        [_E("wf", "Westphalia", 1648), _E("nato", "NATO", 1949), _E("csto", "CSTO", 1992)], this_year=2026
    )
    assert lay.scale.rest is not None
    assert lay.x_min == lay.scale.x(lay.scale.lo - 2)


def test_a_full_disk_while_building_the_reference_says_so_and_names_the_file(tmp_path: Path, monkeypatch) -> None:
    """The first start builds the reference database: a full disk then is a message naming the file."""
    import errno

    from app.core.atlas import open_atlas, reference_path
    from app.core.errors import DiskFull
    from app.core.reference import build
    from app.paths import DataPaths

    def full(seeds: Path, target: Path, **_kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(build, "build_reference", full)
    paths = DataPaths(tmp_path / "data")
    with pytest.raises(DiskFull) as caught:
        open_atlas(paths)
    where = f"the reference database at {reference_path(paths)}"
    assert str(caught.value) == f"The disk is full while writing {where}. Free some space and try again."
