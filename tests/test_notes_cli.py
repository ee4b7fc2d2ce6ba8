"""``alliance-atlas notes``: add by id, name or alias; list; export by tag; import twice; clear errors."""

from __future__ import annotations

import json

from app.cli import main


def run(data_paths, capsys, *args):
    code = main(["--data-dir", str(data_paths.root), "notes", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_resolves_names_and_aliases_case_insensitively(data_paths, capsys):
    code, out, _ = run(
        data_paths, capsys, "add", "--entity", "FIVE EYES", "--title", "Check", "--body", "Hi", "--tag", "verify"
    )
    assert code == 0 and "Five Eyes (five-eyes)" in out
    code, out, _ = run(data_paths, capsys, "add", "--entity", "the islamic nation", "--title", "Second")
    assert code == 0 and "(islamic-nation)" in out
    code, out, _ = run(data_paths, capsys, "list", "--json")
    rows = json.loads(out)
    assert {(r["entity_id"], r["title"]) for r in rows} == {("five-eyes", "Check"), ("islamic-nation", "Second")}
    assert next(r for r in rows if r["title"] == "Check")["tags"] == ["verify"]
    code, out, _ = run(data_paths, capsys, "list", "--entity", "five-eyes")
    assert "Five Eyes: Check  [verify]" in out and "Second" not in out and "1 note." in out
    code, out, _ = run(data_paths, capsys, "list", "--query", "seco")
    assert "Second" in out and "Check" not in out


def test_unknown_entity_and_empty_note_are_clear_errors(data_paths, capsys):
    code, _, err = run(data_paths, capsys, "add", "--entity", "Atlantis Pact", "--title", "x")
    assert code != 0 and "No entity called 'Atlantis Pact'" in err
    code, _, err = run(data_paths, capsys, "add", "--entity", "nato")
    assert code != 0 and "needs a --title or a --body" in err
    code, out, _ = run(data_paths, capsys, "list")
    assert "No notes yet." in out


def test_export_by_tag_and_import_twice(data_paths, capsys, tmp_path):
    run(data_paths, capsys, "add", "--entity", "nato", "--title", "Tagged", "--tag", "lesson 3")
    run(data_paths, capsys, "add", "--entity", "quad", "--title", "Untagged")
    out_file = tmp_path / "lesson.json"
    code, out, _ = run(data_paths, capsys, "export", "--tag", "lesson 3", "-o", str(out_file))
    assert code == 0 and "Wrote 1 note" in out
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert [n["title"] for n in data["notes"]] == ["Tagged"]
    md = tmp_path / "all.md"
    code, out, _ = run(data_paths, capsys, "export", "-o", str(md))
    assert code == 0 and "### Tagged" in md.read_text(encoding="utf-8")
    code, _, err = run(data_paths, capsys, "export", "--tag", "nope", "-o", str(tmp_path / "x.json"))
    assert code != 0 and "No tag called 'nope'" in err

    # A second data dir (another student's machine): import twice, no duplicates.
    import shutil

    from app.paths import DataPaths

    other = DataPaths(tmp_path / "other").ensure()
    shutil.copyfile(data_paths.reference_db, other.reference_db)
    code, out, _ = run(other, capsys, "import", str(out_file))
    assert code == 0 and "1 added" in out
    code, out, _ = run(other, capsys, "import", str(out_file))
    assert code == 0 and "0 added" in out and "1 unchanged" in out
    code, out, _ = run(other, capsys, "list", "--json")
    assert [n["title"] for n in json.loads(out)] == ["Tagged"]


def test_bad_import_file_exits_non_zero_with_message(data_paths, capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "alliance-atlas-notes", "version": 9, "notes": []}', encoding="utf-8")
    code, _, err = run(data_paths, capsys, "import", str(bad))
    assert code == 1 and "version 9" in err and "Nothing was changed" in err
    code, _, err = run(data_paths, capsys, "import", str(tmp_path / "missing.json"))
    assert code == 1 and "does not exist" in err


def test_export_to_missing_folder_is_refused(data_paths, capsys, tmp_path):
    code, _, err = run(data_paths, capsys, "export", "-o", str(tmp_path / "no" / "such" / "n.json"))
    assert code == 2 and "does not exist" in err


def _damage(path) -> None:
    raw = bytearray(path.read_bytes())
    raw[100:8000] = b"\x5a" * (8000 - 100)
    path.write_bytes(bytes(raw))


def test_damaged_notes_database_points_to_the_backup_and_restore_brings_it_back(data_paths, capsys):
    assert run(data_paths, capsys, "add", "--entity", "nato", "--title", "Keep me")[0] == 0
    assert run(data_paths, capsys, "backup")[0] == 0
    code, out, _ = run(data_paths, capsys, "backups")
    assert code == 0 and "manual" in out and "1 note " in out
    _damage(data_paths.user_db)

    code, _out, err = run(data_paths, capsys, "list")
    assert code == 1
    assert "damaged" in err and "alliance-atlas notes restore" in err and "sound backup" in err

    code, out, _ = run(data_paths, capsys, "restore")
    assert code == 0 and "set aside" in out
    assert list(data_paths.root.glob("user.sqlite.damaged-*"))  # never deleted
    code, out, _ = run(data_paths, capsys, "list")
    assert code == 0 and "NATO: Keep me" in out


def test_restore_of_a_sound_database_keeps_the_current_notes_as_a_backup(data_paths, capsys):
    run(data_paths, capsys, "add", "--entity", "nato", "--title", "First")
    run(data_paths, capsys, "backup")
    run(data_paths, capsys, "add", "--entity", "csto", "--title", "Second")
    code, out, _ = run(data_paths, capsys, "restore")
    assert code == 0 and "before-restore" in out
    _code, out, _ = run(data_paths, capsys, "list")
    assert "First" in out and "Second" not in out
    assert run(data_paths, capsys, "restore", "--backup", "/nonexistent.sqlite")[0] == 2


def test_import_attaches_notes_by_id_name_or_alias_ignoring_case(data_paths, capsys, tmp_path):
    def note(i: int, **fields) -> dict:
        stamp = "2026-01-01T00:00:00+00:00"
        return {"id": f"{i:032x}", "title": f"N{i}", "body": "", "created_at": stamp, "updated_at": stamp, **fields}

    doc = {
        "format": "alliance-atlas-notes",
        "version": 1,
        "notes": [
            note(1, entity_id="CSTO"),  # an alias, in capitals
            note(2, entity_id=None, entity_name="five eyes"),  # a name, in lower case
            note(3, entity_id="nato"),  # the id itself
            note(4, entity_id="atlantis", entity_name="Atlantis"),  # not in the catalogue: kept, detached
        ],
    }
    path = tmp_path / "class.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = run(data_paths, capsys, "import", str(path))
    assert code == 0 and "detached: note" in out and "'atlantis'" in out
    _code, out, _ = run(data_paths, capsys, "list", "--json")
    by_title = {r["title"]: r["entity_id"] for r in json.loads(out)}
    assert by_title == {"N1": "csto", "N2": "five-eyes", "N3": "nato", "N4": "atlantis"}
    code, out, _ = run(data_paths, capsys, "import", str(path))  # again: nothing new, nothing changed
    _code, again, _ = run(data_paths, capsys, "list", "--json")
    assert len(json.loads(again)) == 4


def test_restore_on_a_full_disk_reports_it_and_moves_nothing(data_paths, capsys, monkeypatch):
    """The reviewer's data-loss repro: "disk I/O error" is a full disk, not a damaged database."""
    import sqlite3

    import app.core.userdata.backup as bk

    assert run(data_paths, capsys, "add", "--entity", "nato", "--title", "Keep me")[0] == 0
    real = sqlite3.connect

    def full_disk(target, *args, **kwargs):
        if "user.sqlite" in str(target):
            raise sqlite3.OperationalError("disk I/O error")
        return real(target, *args, **kwargs)

    monkeypatch.setattr(bk.sqlite3, "connect", full_disk)
    code, out, err = run(data_paths, capsys, "restore")
    assert code == 1 and "full" in err and "Nothing was restored or moved" in err
    assert "set aside" not in out
    monkeypatch.undo()
    assert not list(data_paths.root.glob("user.sqlite.damaged-*"))
    code, out, _ = run(data_paths, capsys, "list")
    assert code == 0 and "NATO: Keep me" in out


def test_a_disk_io_error_opening_the_notes_is_a_clear_message(data_paths, capsys, monkeypatch):
    import sqlite3

    import app.core.atlas as atlas_mod

    def io_error(*_args, **_kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(atlas_mod, "open_user_data", io_error)
    code, _, err = run(data_paths, capsys, "list")
    assert code == 1 and "The notes database could not be read or written" in err and "full" in err
    assert "Traceback" not in err and "damaged" not in err


def test_backup_on_read_only_storage_says_the_folder_is_read_only(data_paths, capsys, monkeypatch):
    import app.core.userdata.backup as bk

    assert run(data_paths, capsys, "add", "--entity", "nato", "--title", "Keep me")[0] == 0
    monkeypatch.setattr(bk, "folder_unwritable", lambda _folder: "is on read-only storage")
    code, _, err = run(data_paths, capsys, "backup")
    assert code == 1 and "backup folder" in err and "read-only" in err


def test_backup_and_restore_for_real_on_read_only_storage(data_paths, capsys):
    from app.core.db import ensure_user_db
    from tests.core.mounts import read_only

    assert run(data_paths, capsys, "add", "--entity", "nato", "--title", "Keep me")[0] == 0
    ensure_user_db(data_paths.user_db)  # closed cleanly, as after quitting
    with read_only(data_paths.root) as view:
        code = main(["--data-dir", str(view), "notes", "backup"])
        err = capsys.readouterr().err
        assert code == 1 and "read-only" in err
        code = main(["--data-dir", str(view), "notes", "restore"])
        err = capsys.readouterr().err
        assert code == 1 and "read-only" in err and "Traceback" not in err
    assert not list(data_paths.root.glob("user.sqlite.damaged-*"))


def test_restore_for_real_on_a_full_disk_moves_nothing(tmp_path, seed_reference, capsys):
    import shutil

    from app.paths import DataPaths
    from tests.core.mounts import fill, tmpfs

    with tmpfs(tmp_path / "disk", "4m") as disk:
        paths = DataPaths(disk / "data").ensure()
        shutil.copyfile(seed_reference, paths.reference_db)
        assert run(paths, capsys, "add", "--entity", "nato", "--title", "Keep me")[0] == 0
        filler = fill(disk)
        code, _, err = run(paths, capsys, "list")
        assert code == 1 and "full" in err
        code, out, err = run(paths, capsys, "restore")
        assert code == 1 and "set aside" not in out
        filler.unlink()
        code, out, _ = run(paths, capsys, "list")
        assert code == 0 and "NATO: Keep me" in out
        assert not list(paths.root.glob("user.sqlite.damaged-*"))
