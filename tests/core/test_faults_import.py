"""Fault injection, notes import: forged future timestamps, control characters, huge integers;
and searches over many notes that are filtered before any cut and never silently truncated."""

from __future__ import annotations

import json
import time

import pytest

from app.cli import main
from app.core.userdata.database import UserData
from app.core.userdata.notes import NotesImportError, read_import_file


def _file(tmp_path, notes, name="in.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"format": "alliance-atlas-notes", "version": 1, "notes": notes}), encoding="utf-8")
    return path


def _note(nid="a" * 32, **over):
    base = {
        "id": nid,
        "entity_id": "nato",
        "title": "t",
        "body": "b",
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00Z",
    }
    base.update(over)
    return base


def cli(data_paths, capsys, *argv):
    code = main(["--data-dir", str(data_paths.root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_forged_future_timestamp_never_overwrites_a_local_note(data_paths, capsys, tmp_path):
    with UserData.open(data_paths.user_db) as user:
        local = user.notes.create_note("nato", title="mine", body="my careful text")
    forged = _file(tmp_path, [_note(local.id, title="pwned", body="replaced", updated_at="9999-12-31T23:59:59Z")])
    code, out, _ = cli(data_paths, capsys, "notes", "import", str(forged))
    assert code == 0 and "1 updated" not in out and "in the future" in out and "future date" in out
    with UserData.open(data_paths.user_db) as user:
        mine = user.notes.get_note(local.id)
        assert mine is not None and mine.body == "my careful text"
        bodies = sorted(n.body for n in user.notes.list_notes())
    assert bodies == ["my careful text", "replaced"]  # both versions kept
    code, out, _ = cli(data_paths, capsys, "notes", "import", str(forged))  # a second import adds nothing
    with UserData.open(data_paths.user_db) as user:
        assert len(user.notes.list_notes()) == 2


def test_a_genuinely_newer_import_still_updates(data_paths, capsys, tmp_path):
    with UserData.open(data_paths.user_db) as user:
        local = user.notes.create_note("nato", title="mine", body="old")
    newer = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))  # within clock skew
    code, out, _ = cli(
        data_paths, capsys, "notes", "import", str(_file(tmp_path, [_note(local.id, body="new", updated_at=newer)]))
    )
    assert code == 0 and "1 updated" in out


ESCAPES = "\x1b]0;pwned\x07\x1b[31m"


def test_control_characters_are_stripped_on_import_and_reported(data_paths, capsys, tmp_path):
    notes = [
        _note(
            "b" * 32,
            title=f"{ESCAPES}Title\x00 \u202eevil",
            body=f"line one\n{ESCAPES}line\ttwo\x00",
            tags=["t\x1b[2J"],
        ),
        _note("c" * 32, title="clean", body="plain\nbody", quote=None),
        _note("d" * 32, title="lone \ud800 surrogate", body="x"),
    ]
    code, out, err = cli(data_paths, capsys, "notes", "import", str(_file(tmp_path, notes)))
    assert code == 0, err
    assert "Control characters were removed from 2 note(s)" in out
    with UserData.open(data_paths.user_db) as user:
        got = {n.id: n for n in user.notes.list_notes()}
    bad = got["b" * 32]
    for text in (bad.title, bad.body, *bad.tags):
        assert not any(c in text for c in "\x1b\x07\x00\u202e")
    assert bad.title == "]0;pwned[31mTitle evil" and bad.body == "line one\n]0;pwned[31mline\ttwo"
    assert got["c" * 32].body == "plain\nbody"
    assert got["d" * 32].title == "lone \ufffd surrogate"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ('{"format": "alliance-atlas-notes", "version": 1, "notes": [], "x": ' + "9" * 5000 + "}", "number too long"),
        (
            json.dumps(
                {"format": "alliance-atlas-notes", "version": 1, "notes": [_note(start=10**30, end=10**30 + 5)]}
            ),
            "invalid passage span",
        ),
        (
            json.dumps({"format": "alliance-atlas-notes", "version": 1, "notes": [_note(start=0, end=2**63)]}),
            "invalid passage span",
        ),
        (json.dumps({"format": "alliance-atlas-notes", "version": 10**30, "notes": []}), "version"),
    ],
)
def test_huge_integers_in_an_import_are_refused_cleanly(data_paths, capsys, tmp_path, raw, says):
    path = tmp_path / "big.json"
    path.write_text(raw, encoding="utf-8")
    code, _out, err = cli(data_paths, capsys, "notes", "import", str(path))
    assert code == 1 and says in err and "Traceback" not in err and "Nothing was changed" in err
    with pytest.raises(NotesImportError):
        from app.core.userdata.notes import validate_import

        validate_import(read_import_file(path))


# ---- scale: filtered before any cut, and all of it ----------------------------------------------
def test_notes_list_query_filters_before_any_limit_and_never_cuts(data_paths, capsys):
    with UserData.open(data_paths.user_db) as user, user.transaction() as con:
        for i in range(600):
            eid = "nato" if i % 3 == 0 else "csto"
            con.execute(
                "INSERT INTO note (id, entity_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    f"n{i:05d}",
                    eid,
                    f"alliance note {i}",
                    "about the alliance",
                    "2025-01-01T00:00:00Z",
                    "2025-01-01T00:00:00Z",
                ),
            )
    code, out, _ = cli(data_paths, capsys, "notes", "list", "--query", "alliance")
    assert code == 0 and out.strip().endswith("600 notes.")
    code, out, _ = cli(data_paths, capsys, "notes", "list", "--query", "alliance", "--entity", "nato")
    assert code == 0 and out.strip().endswith("200 notes.")
    code, out, _ = cli(data_paths, capsys, "notes", "list", "--query", "alliance", "--entity", "nato", "--json")
    assert len(json.loads(out)) == 200
    with UserData.open(data_paths.user_db) as user:
        assert len(user.notes.search("alliance")) == 600
        assert len(user.notes.search("alliance", entity_id="csto")) == 400
