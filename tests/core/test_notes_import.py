"""Importing notes files: strict validation (nothing changes on a bad file), merge by id, conflicts, detached."""

from __future__ import annotations

import hashlib
import json

import pytest

from app.core.userdata import notes_io as notes_mod
from app.core.userdata.database import UserData
from app.core.userdata.notes import NotesImportError, NotesStore


@pytest.fixture
def store(data_paths):
    return UserData.open(data_paths.user_db).notes


def _db_digest(store: NotesStore) -> str:
    """Everything a user could notice, as one hash."""
    notes = store.list_notes() + store.list_notes(trash=True)
    tags = store.list_tags()
    links = {t.name: store.entities_for_tag(t.name) for t in tags}
    return hashlib.sha256(repr((notes, tags, links)).encode()).hexdigest()


def _export(store, tmp_path, name="n.json"):
    return store.export_json(tmp_path / name, store.select_for_export(), entity_names={}, all_tags=True)


def test_import_into_another_database_then_again_adds_no_duplicates(store, tmp_path):
    store.create_note("nato", title="Shared", body="For the class", tags=["lesson 3"])
    store.tag_entities("lesson 3", ["nato", "quad"])
    path = _export(store, tmp_path)
    other = UserData.open(tmp_path / "other.sqlite").notes
    first = other.import_file(path, known_entities={"nato", "quad"})
    assert (first.added, first.updated, first.unchanged) == (1, 0, 0)
    assert first.tags_added == 1 and first.entity_tags_added == 2
    second = other.import_file(path, known_entities={"nato", "quad"})
    assert (second.added, second.updated, second.unchanged, second.conflicts) == (0, 0, 1, [])
    [n] = other.list_notes()
    assert (n.title, n.body, n.tags) == ("Shared", "For the class", ("lesson 3",))
    assert other.entities_for_tag("lesson 3") == ["nato", "quad"]


def test_newer_incoming_updates_older_local(store, tmp_path):
    n = store.create_note("nato", title="v1", body="old")
    other = UserData.open(tmp_path / "other.sqlite").notes
    other.import_file(_export(store, tmp_path, "a.json"))
    store.update_note(n.id, body="new from the trainer")
    report = other.import_file(_export(store, tmp_path, "b.json"))
    assert report.updated == 1
    assert other.get_note(n.id).body == "new from the trainer"


def test_newer_local_edit_is_never_overwritten_conflict_kept_as_second_note(store, tmp_path):
    n = store.create_note("nato", title="Plan", body="trainer text")
    other = UserData.open(tmp_path / "other.sqlite").notes
    other.import_file(_export(store, tmp_path, "a.json"))
    store.update_note(n.id, body="trainer changed it")
    exported = _export(store, tmp_path, "b.json")
    other.update_note(n.id, body="my own newer words")  # local edit after the trainer's
    report = other.import_file(exported)
    assert len(report.conflicts) == 1 and report.conflicts[0][0] == n.id
    assert other.get_note(n.id).body == "my own newer words"
    bodies = sorted(x.body for x in other.list_notes())
    assert bodies == ["my own newer words", "trainer changed it"]
    copy = other.get_note(report.conflicts[0][1])
    assert copy.title == "Plan (imported copy)"
    again = other.import_file(exported)  # the same file again: the copy is found, not duplicated
    assert again.conflicts == [] and len(other.list_notes()) == 2
    assert "conflict" in report.summary()


def test_detached_notes_are_imported_and_reported(store, tmp_path):
    store.create_note("no-such-entity", title="Orphan")
    report = UserData.open(tmp_path / "o.sqlite").notes.import_file(_export(store, tmp_path), known_entities={"nato"})
    assert report.added == 1 and report.detached[0][1] == "no-such-entity"
    assert "detached" in report.summary()


def _valid_doc():
    return {
        "format": "alliance-atlas-notes",
        "version": 1,
        "notes": [
            {
                "id": "a" * 32,
                "entity_id": "nato",
                "title": "T",
                "body": "B",
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-02T00:00:00+00:00",
                "tags": ["x"],
            }
        ],
        "tags": [{"name": "x", "color": "#112233", "entities": ["nato"]}],
    }


def _mutate(path, value):
    doc = _valid_doc()
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


BAD_DOCS = {
    "top-level list": ([], "top level"),
    "wrong format": (_mutate(["format"], "something-else"), "format"),
    "newer version": (_mutate(["version"], 2), "version 2"),
    "version as text": (_mutate(["version"], "1"), "version"),
    "notes not a list": (_mutate(["notes"], {"a": 1}), "“notes” must be a list"),
    "title a number": (_mutate(["notes", 0, "title"], 5), "notes[0].title must be text, not a number"),
    "body missing": (_mutate(["notes", 0, "body"], KeyError), "notes[0] has no “body”"),
    "start a bool": (_mutate(["notes", 0, "start"], True), "start"),
    "bad id": (_mutate(["notes", 0, "id"], "../../etc"), "not a note id"),
    "bad date": (_mutate(["notes", 0, "updated_at"], "yesterday"), "ISO date"),
    "tags not list": (_mutate(["notes", 0, "tags"], "x"), "tags must be a list"),
    "bad colour": (_mutate(["tags", 0, "color"], "red"), "colour"),
    "entity id a number": (_mutate(["notes", 0, "entity_id"], 3), "entity_id"),
}


@pytest.mark.parametrize("case", list(BAD_DOCS))
def test_bad_files_give_a_clear_message_and_change_nothing(store, tmp_path, case):
    store.create_note("nato", title="Mine", body="untouched")
    store.tag_entities("keep", ["csto"])
    before = _db_digest(store)
    doc, expected = BAD_DOCS[case]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(NotesImportError) as err:
        store.import_file(path)
    assert expected in str(err.value)
    assert "Nothing was changed" in str(err.value)
    assert _db_digest(store) == before


def test_not_json_not_utf8_huge_missing(store, tmp_path, monkeypatch):
    before = _db_digest(store)
    cases = {
        "notes.md": ("# Not JSON at all\n", "not a JSON notes file"),
        "bin.json": (b"\xff\xfe\x00garbage", "not a text file"),
    }
    for name, (content, expected) in cases.items():
        p = tmp_path / name
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
        with pytest.raises(NotesImportError, match=expected):
            store.import_file(p)
    monkeypatch.setattr(notes_mod, "MAX_IMPORT_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_text(json.dumps(_valid_doc() | {"padding": "x" * 2000}), encoding="utf-8")
    with pytest.raises(NotesImportError, match="larger than"):
        store.import_file(big)
    with pytest.raises(NotesImportError, match="does not exist"):
        store.import_file(tmp_path / "missing.json")
    assert _db_digest(store) == before


def test_huge_real_file_refused_before_reading(store, tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as fh:
        fh.truncate(notes_mod.MAX_IMPORT_BYTES + 1)  # sparse: big on paper, instant to make
    with pytest.raises(NotesImportError, match="MB limit"):
        store.import_file(path)


def test_failure_midway_rolls_back_everything(store, tmp_path, monkeypatch):
    """One transaction: if writing the 2nd note fails, the 1st is not left behind."""
    doc = _valid_doc()
    second = dict(doc["notes"][0], id="b" * 32)
    doc["notes"].append(second)
    path = tmp_path / "two.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    real = NotesStore._insert
    calls = []

    def flaky(self, con, n):
        calls.append(n.id)
        if len(calls) == 2:
            raise RuntimeError("disk hiccup")
        real(self, con, n)

    monkeypatch.setattr(NotesStore, "_insert", flaky)
    with pytest.raises(RuntimeError):
        store.import_file(path)
    assert store.list_notes() == [] and store.list_tags() == []


def test_valid_doc_imports_with_normalised_times(store, tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(_valid_doc()), encoding="utf-8")
    report = store.import_file(path, known_entities={"nato"})
    assert report.added == 1 and report.detached == []
    n = store.get_note("a" * 32)
    assert n.updated_at == "2024-01-02T00:00:00.000000Z"
    assert store.get_tag("x").color == "#112233"


def test_an_incoming_note_as_new_as_the_local_one_but_different_never_overwrites_it(store, tmp_path):
    n = store.create_note("nato", title="Plan", body="my words")
    path = _export(store, tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    [raw] = data["notes"]
    assert raw["updated_at"] == store.get_note(n.id).updated_at
    raw["body"] = "the file's words, same timestamp"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = store.import_file(path)
    assert report.updated == 0 and len(report.conflicts) == 1
    assert store.get_note(n.id).body == "my words"
    assert sorted(x.body for x in store.list_notes()) == ["my words", "the file's words, same timestamp"]
