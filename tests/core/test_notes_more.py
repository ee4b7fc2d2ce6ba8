"""Notes files, word for word: every refusal names the bad field exactly, what an import cleans, the Markdown export."""

from __future__ import annotations

import copy
import json
import re

import pytest

from app.core.userdata import notes_io
from app.core.userdata.notes_io import read_import_file, validate_import
from app.core.userdata.notes_model import Note, NotesImportError

PREFIX, SUFFIX = "This is not a valid notes file: ", " Nothing was changed."


def _doc() -> dict:
    return {
        "format": "alliance-atlas-notes",
        "version": 1,
        "notes": [
            {
                "id": "note-1",
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


def _with(path: str, value: object) -> dict:
    doc = _doc()
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = doc
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return doc


# (the bad document, the exact message between PREFIX and SUFFIX)
BAD = {
    "top-level list": ([], "the top level must be an object, not a list."),
    "top-level null": (None, "the top level must be an object, not null."),
    "top-level text": ("x", "the top level must be an object, not text."),
    "top-level bool": (True, "the top level must be an object, not true/false."),
    "top-level float": (1.5, "the top level must be an object, not a number."),
    "format": (_with("format", "other"), '“format” must be “alliance-atlas-notes” (found "other").'),
    "format missing": (_with("format", KeyError), "“format” must be “alliance-atlas-notes” (found null)."),
    "version text": (_with("version", "1"), "“version” must be a whole number."),
    "version bool": (_with("version", True), "“version” must be a whole number."),
    "notes object": (_with("notes", {}), "“notes” must be a list, not an object."),
    "notes missing": (_with("notes", KeyError), "“notes” must be a list, not null."),
    "tags text": (_with("tags", "x"), "“tags” must be a list, not text."),
    "note a list": (_with("notes.0", []), "notes[0] must be an object, not a list."),
    "id missing": (_with("notes.0.id", KeyError), "notes[0] has no “id”."),
    "id number": (_with("notes.0.id", 7), "notes[0].id must be text, not a number."),
    "id path": (_with("notes.0.id", "../x"), "notes[0].id “../x” is not a note id (letters, digits, - and _ only)."),
    "id long": (
        _with("notes.0.id", "a" * 65),
        f"notes[0].id “{'a' * 40}” is not a note id (letters, digits, - and _ only).",
    ),
    "date": (_with("notes.0.created_at", "soon"), "notes[0].created_at “soon” is not an ISO date and time."),
    "date missing": (_with("notes.0.updated_at", KeyError), "notes[0] has no “updated_at”."),
    "tags of note": (_with("notes.0.tags", "x"), "notes[0].tags must be a list, not text."),
    "tag blank": (_with("notes.0.tags", ["ok", " "]), "notes[0].tags[1] must be a tag name (text, 1–60 characters)."),
    "tag long": (_with("notes.0.tags", ["t" * 61]), "notes[0].tags[0] must be a tag name (text, 1–60 characters)."),
    "tag number": (_with("notes.0.tags", [1]), "notes[0].tags[0] must be a tag name (text, 1–60 characters)."),
    "start bool": (_with("notes.0.start", True), "notes[0].start must be a number or null, not true/false."),
    "start only": (_with("notes.0.start", 3), "notes[0] has an invalid passage span (start 3, end None)."),
    "title null": (_with("notes.0.title", None), "notes[0].title must be text, not null."),
    "entity float": (_with("notes.0.entity_id", 1.0), "notes[0].entity_id must be null or text, not a number."),
    "name number": (_with("notes.0.entity_name", 2), "notes[0].entity_name must be null or text, not a number."),
    "end text": (_with("notes.0.end", "9"), "notes[0].end must be a number or null, not text."),
    "document number": (_with("notes.0.document_id", 4), "notes[0].document_id must be null or text, not a number."),
    "quote list": (_with("notes.0.quote", ["q"]), "notes[0].quote must be null or text, not a list."),
    "long date": (
        _with("notes.0.updated_at", "y" * 50),
        f"notes[0].updated_at “{'y' * 40}” is not an ISO date and time.",
    ),
    "long format": (_with("format", "f" * 70), f'“format” must be “alliance-atlas-notes” (found "{"f" * 59}).'),
    "tag entry": (_with("tags.0", "x"), "tags[0] must be an object, not text."),
    "tag name missing": (_with("tags.0.name", KeyError), "tags[0] has no “name”."),
    "tag name blank": (_with("tags.0.name", "  "), "tags[0].name must be 1–60 characters."),
    "tag name long": (_with("tags.0.name", "n" * 61), "tags[0].name must be 1–60 characters."),
    "tag name invisible": (_with("tags.0.name", "\x1b\x07"), "tags[0].name holds no visible characters."),
    "colour": (_with("tags.0.color", "#12345g"), "tags[0].color “#12345g” is not a colour like #5b8def."),
    "colour long": (_with("tags.0.color", "x" * 30), f"tags[0].color “{'x' * 20}” is not a colour like #5b8def."),
    "tag entities": (_with("tags.0.entities", "nato"), "tags[0].entities must be a list, not text."),
    "tag entity empty": (_with("tags.0.entities", ["nato", ""]), "tags[0].entities[1] must be an entity id (text)."),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_notes_file_is_refused_naming_the_field_exactly(case: str) -> None:
    doc, message = BAD[case]
    with pytest.raises(NotesImportError) as err:
        validate_import(doc)
    assert str(err.value) == PREFIX + message + SUFFIX


def test_the_same_note_id_twice_is_refused() -> None:
    doc = _doc()
    doc["notes"].append(copy.deepcopy(doc["notes"][0]))
    with pytest.raises(NotesImportError) as err:
        validate_import(doc)
    assert str(err.value) == PREFIX + "the note id note-1 appears twice." + SUFFIX


@pytest.mark.parametrize(("start", "end"), [(-1, 4), (5, 4), (0, 10**9 + 1), (None, 4)])
def test_an_impossible_passage_span_is_refused(start, end) -> None:
    doc = _with("notes.0.start", start)
    doc["notes"][0]["end"] = end
    with pytest.raises(NotesImportError, match=re.escape(f"invalid passage span (start {start}, end {end})")):
        validate_import(doc)


def test_the_widest_valid_span_and_an_empty_one_are_accepted() -> None:
    for start, end in [(0, 10**9), (4, 4)]:
        doc = _with("notes.0.start", start)
        doc["notes"][0]["end"] = end
        (note,), _ = validate_import(doc)
        assert (note.start, note.end) == (start, end)


def test_a_newer_files_version_asks_to_update_an_older_one_does_not() -> None:
    with pytest.raises(NotesImportError) as err:
        validate_import(_with("version", 2))
    assert str(err.value) == (
        "This notes file has version 2; this Alliance Atlas reads version 1. It was written by a newer "
        "Alliance Atlas; please update. Nothing was changed."
    )
    with pytest.raises(NotesImportError) as err:
        validate_import(_with("version", 0))
    assert str(err.value) == "This notes file has version 0; this Alliance Atlas reads version 1. Nothing was changed."


def test_an_import_cleans_names_and_text_but_keeps_line_breaks() -> None:
    doc = _doc()
    note = doc["notes"][0]
    note.update(
        title="  Two\tlines\nin   a title\x1b ",
        body="para one\r\npara two\x07",
        quote="quoted\u202e\nline",
        entity_id="na\x00to",
        document_id="doc\n1",
        start=1,
        end=2,
        tags=["  lesson\t 3 ", "lesson 3", "\x1b[2J"],
        entity_name=None,
    )
    doc["tags"] = [
        {"name": " Watch\nlist ", "color": "#ABCDEF", "entities": ["nato", "csto", "nato"]},
        {"name": "plain"},
    ]
    (imported,), tags = validate_import(doc)
    assert imported.title == "Two lines in a title"
    assert imported.body == "para one\npara two"
    assert imported.quote == "quoted\nline"
    assert imported.entity_id == "nato" and imported.document_id == "doc 1"
    assert imported.tags == ("lesson 3", "[2J")
    assert imported.created_at == "2024-01-01T00:00:00.000000Z"
    assert imported.updated_at == "2024-01-02T00:00:00.000000Z"
    assert tags == [
        {"name": "Watch list", "color": "#abcdef", "entities": ["nato", "csto"]},
        {"name": "plain", "color": "#5b8def", "entities": []},
    ]


def test_a_file_without_tags_imports_its_notes() -> None:
    notes, tags = validate_import(_with("tags", KeyError))
    assert [n.id for n in notes] == ["note-1"] and tags == []


def test_only_id_title_body_and_times_are_required_of_a_note() -> None:
    doc = _doc()
    doc["notes"][0] = {
        k: v for k, v in doc["notes"][0].items() if k in ("id", "title", "body", "created_at", "updated_at")
    }
    (note,), _ = validate_import(doc)
    assert (note.entity_id, note.document_id, note.quote, note.start, note.end, note.tags) == (None,) * 5 + ((),)
    (note,), _ = validate_import(_with("notes.0.tags", ["t" * 60]))  # 60 characters: still a tag name
    assert note.tags == ("t" * 60,)


def test_control_characters_in_a_file_are_noticed_for_the_report() -> None:
    plain = _doc()["notes"][0]
    assert not notes_io.has_control_characters(plain)
    assert not notes_io.has_control_characters("not a note")
    assert not notes_io.has_control_characters(plain | {"body": "tab\tand\nnewline are fine in a body"})
    for key, value in [("title", "a\tb"), ("quote", "q\x1b"), ("entity_id", "n\x00"), ("document_id", "d\n"),
                       ("body", "b\x07"), ("tags", ["ok", "t\x1b"])]:  # fmt: skip
        assert notes_io.has_control_characters(plain | {key: value}), key
    assert not notes_io.has_control_characters(plain | {"tags": "x\x1b"})  # not a list: refused later anyway


def test_reading_a_notes_file_gives_one_clear_message(tmp_path, monkeypatch) -> None:
    def refused(path) -> str:
        with pytest.raises(NotesImportError) as err:
            read_import_file(path)
        return str(err.value)

    missing = tmp_path / "missing.json"
    assert refused(missing) == f"Cannot import {missing}: the file does not exist."
    assert refused(tmp_path) == f"Cannot import {tmp_path}: it is a folder, not a notes file."
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": 1,\n "b": }', encoding="utf-8")
    assert refused(bad) == (
        "Cannot import bad.json: it is not a JSON notes file (line 2, column 7: Expecting value). Nothing was changed."
    )
    bad.write_bytes(b"\xff\xfe\x00")
    assert refused(bad) == "Cannot import bad.json: it is not a text file (not UTF-8). Nothing was changed."
    bad.write_text("[" * 100_000, encoding="utf-8")
    assert refused(bad) == "Cannot import bad.json: the JSON is nested too deeply. Nothing was changed."
    bad.write_text('{"n": ' + "9" * 5000 + "}", encoding="utf-8")
    assert refused(bad) == (
        "Cannot import bad.json: it holds a number too long to be a notes field. Nothing was changed."
    )
    good = tmp_path / "good.json"
    good.write_bytes(b"\xef\xbb\xbf" + json.dumps(_doc()).encode())  # a byte-order mark is fine
    assert read_import_file(good) == _doc()
    monkeypatch.setattr(notes_io, "MAX_IMPORT_BYTES", 3 * 1024 * 1024)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (3 * 1024 * 1024 + 1))
    assert refused(big) == (
        "Cannot import big.json: the file is 3.1 MB, larger than the 3 MB limit for notes files. Nothing was changed."
    )
    big.write_bytes(b" " * (3 * 1024 * 1024))
    with pytest.raises(NotesImportError, match="not a JSON notes file"):  # at the limit: read, then parsed
        read_import_file(big)


def _note(nid: str, entity: str | None, **kw) -> Note:
    created, updated = "2024-03-04T05:06:07.000000Z", "2024-03-05T08:09:10.000000Z"
    base = dict(id=nid, entity_id=entity, document_id=None, start=None, end=None, quote=None, title="T",
                body="", created_at=created, updated_at=updated, tags=())  # fmt: skip
    return Note(**(base | kw))


def test_the_markdown_export_groups_notes_under_their_entity(monkeypatch) -> None:
    import io

    monkeypatch.setattr(notes_io, "now_iso", lambda: "2025-01-02T03:04:05.678901Z")
    notes = [
        _note("a", "nato", title="Article 5", body="Collective defence.\n\n", tags=("lesson", "cold war")),
        _note("b", "nato", title="Second"),
        _note("c", "gone", title="Orphan", body="   "),
        _note("d", None, title="On a passage", document_id="doc-1", start=10, end=42, quote="line one\nline two"),
        _note("e", None, title="Unknown doc", document_id="doc-9", start=1, end=2, quote="q"),
    ]
    fh = io.StringIO()
    notes_io.write_markdown(
        fh, notes, {"nato": "NATO"}, {"doc-1": "The treaty"}, {"nato": ["watch", "core"]}, description="tag lesson"
    )
    assert fh.getvalue() == (
        "# Alliance Atlas notes\n\n"
        "tag lesson: 5 notes. Exported 2025-01-02 03:04 UTC.\n\n"
        "## NATO (`nato`)\n\n"
        "Entity tags: watch, core\n\n"
        "### Article 5\n\n"
        "*Created 2024-03-04 05:06 UTC, updated 2024-03-05 08:09 UTC* · Tags: lesson, cold war\n\n"
        "Collective defence.\n\n"
        "### Second\n\n"
        "*Created 2024-03-04 05:06 UTC, updated 2024-03-05 08:09 UTC*\n\n"
        "## `gone` (not in this catalogue)\n\n"
        "### Orphan\n\n"
        "*Created 2024-03-04 05:06 UTC, updated 2024-03-05 08:09 UTC*\n\n"
        "## Notes on passages\n\n"
        "### On a passage\n\n"
        "*Created 2024-03-04 05:06 UTC, updated 2024-03-05 08:09 UTC*\n\n"
        "> line one\n> line two\n>\n> — The treaty, characters 10–42\n\n"
        "### Unknown doc\n\n"
        "*Created 2024-03-04 05:06 UTC, updated 2024-03-05 08:09 UTC*\n\n"
        "> q\n>\n> — doc-9, characters 1–2\n\n"
    )
    one = io.StringIO()
    notes_io.write_markdown(one, notes[1:2], {}, {}, {})
    assert one.getvalue().startswith("# Alliance Atlas notes\n\nall notes: 1 note. Exported 2025-01-02 03:04 UTC.\n\n")
    assert "## `nato` (not in this catalogue)\n\n### Second" in one.getvalue()


def test_a_hand_made_file_naming_entities_differently_attaches_its_notes(tmp_path) -> None:
    from app.core.userdata.database import UserData

    store = UserData.open(tmp_path / "user.sqlite").notes
    names = {"nato": "nato", "north atlantic treaty organization": "nato", "csto": "csto"}
    doc = _doc()
    base = doc["notes"][0]
    doc["notes"] = [
        base | {"id": "by-id", "entity_id": "nato"},  # already a catalogue id: kept
        base | {"id": "by-case", "entity_id": "NATO"},  # the id written differently
        base | {"id": "by-name", "entity_id": "old-id", "entity_name": "North Atlantic Treaty Organization"},
        base | {"id": "by-name-only", "entity_id": None, "entity_name": "CSTO"},
        base | {"id": "unknown", "entity_id": "mars", "entity_name": "Mars"},  # kept, reported detached
        base | {"id": "passage", "entity_id": None},  # a passage note stays without an entity
    ]
    asked: list[str] = []

    def resolve(key: str) -> str | None:
        asked.append(key)
        return names.get(key.casefold())

    report = store.import_data(doc, known_entities={"nato", "csto"}, resolve=resolve)
    attached = {n.id: n.entity_id for n in store.list_notes()}
    assert attached == {
        "by-id": "nato",
        "by-case": "nato",
        "by-name": "nato",
        "by-name-only": "csto",
        "unknown": "mars",
        "passage": None,
    }
    assert report.detached == [("unknown", "mars")] and report.added == 6
    assert "nato" not in asked  # a catalogue id is not looked up again
    # Without a catalogue to check against, every id is looked up (and kept when nothing matches).
    other = UserData.open(tmp_path / "other.sqlite").notes
    other.import_data(doc, resolve=lambda key: "nato" if key == "NATO" else None)
    assert {n.id: n.entity_id for n in other.list_notes()}["by-case"] == "nato"
    assert {n.id: n.entity_id for n in other.list_notes()}["by-id"] == "nato"


def test_the_markdown_export_starts_with_passage_notes_when_they_come_first(monkeypatch) -> None:
    import io

    monkeypatch.setattr(notes_io, "now_iso", lambda: "2025-01-02T03:04:05.678901Z")
    notes = [
        _note("p", None, title="Loose quote", quote="said once", start=0, end=9),
        _note("q", "nato", title="On NATO"),
    ]
    fh = io.StringIO()
    notes_io.write_markdown(fh, notes, {"nato": "NATO"}, {}, {})
    assert fh.getvalue().split("\n\n")[2:6] == [
        "## Notes on passages",
        "### Loose quote",
        "*Created 2024-03-04 05:06 UTC, updated 2024-03-05 08:09 UTC*",
        "> said once\n>\n> — , characters 0–9",
    ]
    assert "## NATO (`nato`)\n\n### On NATO" in fh.getvalue()


def test_the_import_report_says_what_happened_in_one_sentence_per_kind() -> None:
    from app.core.userdata.notes_model import ImportReport

    assert ImportReport(added=2, updated=1, unchanged=0).summary() == (
        "Imported notes: 2 added, 1 updated, 0 unchanged."
    )
    full = ImportReport(
        added=1,
        updated=0,
        unchanged=3,
        conflicts=[("a", "b", "T")],
        detached=[("n", "mars"), ("m", "venus")],
        tags_added=2,
        entity_tags_added=0,
        cleaned=4,
        future=[("f", "g", "2999-01-01T00:00:00Z")],
    )
    assert full.summary() == (
        "Imported notes: 1 added, 0 updated, 3 unchanged."
        " 1 conflict(s): the local note was newer, so the imported version was kept as a second note marked"
        " “(imported copy)”."
        " 2 note(s) refer to entities not in this catalogue; kept as detached."
        " Tags: 2 new, 0 entity tag(s) added."
        " 1 note(s) claimed to be edited in the future (a wrong clock or a forged file): never allowed to"
        " overwrite a local note; both versions are kept."
        " Control characters were removed from 4 note(s)."
    )
    assert ImportReport(entity_tags_added=5).summary() == (
        "Imported notes: 0 added, 0 updated, 0 unchanged. Tags: 0 new, 5 entity tag(s) added."
    )


def test_exporting_notes_as_markdown_names_the_selection_entities_tags_and_documents(tmp_path) -> None:
    from app.core.userdata.database import UserData

    store = UserData.open(tmp_path / "user.sqlite").notes
    store.create_note("nato", title="On NATO", body="Body text.")
    store.create_note(None, title="On a passage", document_id="doc-1", start=3, end=9, quote="quoted")
    store.tag_entities("watch", ["nato"])
    notes = store.select_for_export()
    plain = store.export_markdown(tmp_path / "all.md", notes)
    text = plain.read_text(encoding="utf-8")
    assert text.startswith("# Alliance Atlas notes\n\nall notes: 2 notes. Exported ")
    assert "## `nato` (not in this catalogue)\n\nEntity tags: watch\n\n### On NATO" in text
    assert "> quoted\n>\n> — doc-1, characters 3–9" in text
    named = store.export_markdown(
        tmp_path / "some.md",
        notes,
        entity_names={"nato": "NATO"},
        document_titles={"doc-1": "The Treaty"},
        description="tag “watch”",
    ).read_text(encoding="utf-8")
    assert named.startswith("# Alliance Atlas notes\n\ntag “watch”: 2 notes. Exported ")
    assert "## NATO (`nato`)\n\nEntity tags: watch\n\n" in named and "> — The Treaty, characters 3–9" in named


def test_a_notes_file_carries_only_the_tags_it_uses_and_the_links_in_scope(tmp_path) -> None:
    from app.core.userdata.database import UserData

    store = UserData.open(tmp_path / "user.sqlite").notes
    store.create_note("nato", title="On NATO", tags=["lesson"])
    store.tag_entities("watch", ["nato", "csto", "quad"])
    store.create_tag("unused")
    notes = store.select_for_export()
    data = store.export_dict(notes)
    assert data["selection"] == "all notes" and data["format"] == "alliance-atlas-notes" and data["version"] == 1
    assert {t["name"]: t["entities"] for t in data["tags"]} == {"lesson": [], "watch": ["csto", "nato", "quad"]}
    scoped = store.export_dict(notes, entity_scope=["nato", "quad"], description="entity NATO", all_tags=True)
    assert scoped["selection"] == "entity NATO"
    assert {t["name"]: t["entities"] for t in scoped["tags"]} == {
        "lesson": [],
        "unused": [],
        "watch": ["nato", "quad"],
    }
    assert store.export_dict(notes, entity_scope=[])["tags"][1]["entities"] == []


def test_importing_a_file_can_attach_notes_by_name(tmp_path) -> None:
    from app.core.userdata.database import UserData

    store = UserData.open(tmp_path / "user.sqlite").notes
    path = tmp_path / "in.json"
    path.write_text(json.dumps(_with("notes.0.entity_id", "The Alliance")), encoding="utf-8")
    store.import_file(path, known_entities={"nato"}, resolve=lambda key: "nato" if key == "The Alliance" else None)
    assert [n.entity_id for n in store.list_notes()] == ["nato"]


def test_a_notes_file_brings_the_users_own_entities_its_notes_tags_and_scope_are_on(tmp_path) -> None:
    from app.core.userdata.database import UserData

    user = UserData.open(tmp_path / "user.sqlite")
    with user.transaction() as con:
        for eid in ("my-noted", "my-tagged", "my-scoped", "my-other"):
            con.execute(
                "INSERT INTO user_entity (id, name, sort_name, kind, aliases, created_at)"
                " VALUES (?, ?, ?, 'alliance', '[]', '2024-01-01T00:00:00Z')",
                (eid, eid.title(), eid),
            )
    store = user.notes
    store.create_note("my-noted", title="Mine")
    store.tag_entities("watch", ["my-tagged"])
    data = store.export_dict(store.select_for_export(), all_tags=True)
    assert [e["id"] for e in data["sources"]["entities"]] == ["my-noted", "my-tagged"]
    # With a scope, only the tag links in scope travel, and the scope's own entities come along.
    data = store.export_dict(store.select_for_export(), entity_scope=["my-scoped"], all_tags=True)
    assert [e["id"] for e in data["sources"]["entities"]] == ["my-noted", "my-scoped"]
    assert "sources" not in store.export_dict([])


# ---- merging an import into local notes --------------------------------------------------------------
def _incoming(nid: str, **kw) -> dict:
    note = {"id": nid, "title": "T", "body": "B", "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-02T00:00:00Z", "tags": []} | kw  # fmt: skip
    return {"format": "alliance-atlas-notes", "version": 1, "notes": [note], "tags": []}


@pytest.fixture
def local(tmp_path):
    from app.core.userdata.database import UserData

    store = UserData.open(tmp_path / "user.sqlite").notes
    store.import_data(_incoming("n1", entity_id="nato", title="Plan", body="local", tags=["Mine"]))
    return store


def test_the_same_note_again_only_adds_the_tags_it_lacks(local) -> None:
    report = local.import_data(_incoming("n1", entity_id="nato", title="Plan", body="local", tags=["mine", "new"]))
    assert (report.added, report.updated, report.unchanged, report.conflicts) == (0, 0, 1, [])
    assert local.get_note("n1").tags == ("Mine", "new")  # "mine" is the same tag whatever the case


def test_a_newer_incoming_note_replaces_every_field_and_adds_its_tags(local) -> None:
    report = local.import_data(
        _incoming(
            "n1",
            entity_id="csto",
            document_id="doc",
            start=1,
            end=4,
            quote="quo",
            title="New",
            body="theirs",
            updated_at="2024-06-01T00:00:00Z",
            tags=["theirs"],
        )
    )
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    n = local.get_note("n1")
    assert (n.entity_id, n.document_id, n.start, n.end, n.quote, n.title, n.body) == (
        "csto", "doc", 1, 4, "quo", "New", "theirs",
    )  # fmt: skip
    assert n.updated_at == "2024-06-01T00:00:00.000000Z" and n.tags == ("Mine", "theirs")  # an import removes no tag


def test_an_older_different_note_is_kept_beside_the_local_one_once(local) -> None:
    older = _incoming("n1", entity_id="nato", title="", body="theirs", updated_at="2023-01-01T00:00:00Z")
    report = local.import_data(older)
    (kept, copy_id, title) = report.conflicts[0]
    assert kept == "n1" and title == "Plan" and report.updated == 0
    copy = local.get_note(copy_id)
    assert copy.title == "Plan (imported copy)" and copy.body == "theirs"  # no title of its own: the local one's
    assert local.get_note("n1").body == "local"
    again = local.import_data(older)
    assert again.conflicts == [] and again.unchanged == 1 and len(local.list_notes()) == 2


def test_a_note_from_the_future_never_wins_and_is_kept_once(local) -> None:
    future = _incoming("n1", entity_id="nato", title="Forged", body="theirs", updated_at="2999-01-01T00:00:00Z")
    report = local.import_data(future)
    assert report.updated == 0 and report.conflicts == []
    (nid, copy_id, when) = report.future[0]
    assert nid == "n1" and when == "2999-01-01T00:00:00.000000Z"
    copy = local.get_note(copy_id)
    assert copy.title == "Forged (imported copy, future date)" and copy.body == "theirs"
    assert copy.updated_at < "2999"  # stamped with the time of the import, not the forged one
    assert local.get_note("n1").body == "local"
    again = local.import_data(future)
    assert again.future == [] and again.unchanged == 1 and len(local.list_notes()) == 2


def test_an_import_counts_new_tags_links_and_cleaned_notes(local) -> None:
    doc = _incoming("n2", title="T\x1b[2J", tags=["Mine"])
    doc["notes"].append(_incoming("n3")["notes"][0] | {"body": "clean"})
    doc["tags"] = [
        {"name": "mine", "color": "#000000", "entities": ["nato"]},
        {"name": "fresh", "color": "#111111", "entities": ["nato", "csto", "nato"]},
    ]
    report = local.import_data(doc, known_entities={"nato"})
    assert (report.added, report.tags_added, report.entity_tags_added, report.cleaned) == (2, 1, 3, 1)
    assert report.detached == []  # notes without an entity are never detached
    again = local.import_data(doc)
    assert (again.tags_added, again.entity_tags_added, again.unchanged) == (0, 0, 2)


def test_a_notes_file_is_readable_json_with_every_field_of_each_note(tmp_path) -> None:
    from app import __version__
    from app.core.userdata.database import UserData

    store = UserData.open(tmp_path / "user.sqlite").notes
    n = store.create_note(None, title="Café", body="é", document_id="doc-1", start=2, end=7, quote="quote")
    store.create_tag("spare")
    path = store.export_json(tmp_path / "n.json", store.select_for_export(), entity_names={"x": "X"})
    text = path.read_text(encoding="utf-8")
    assert '\n  "notes": [\n    {\n      "id": ' in text and "Café" in text and text.endswith("}\n")
    data = json.loads(text)
    assert data["selection"] == "all notes" and data["app_version"] == __version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", data["exported_at"])
    assert data["notes"] == [
        {"id": n.id, "entity_id": None, "entity_name": None, "document_id": "doc-1", "start": 2, "end": 7,
         "quote": "quote", "title": "Café", "body": "é", "created_at": n.created_at, "updated_at": n.updated_at,
         "tags": []}
    ]  # fmt: skip
    assert data["tags"] == []  # only the tags the notes use, unless asked for all
    scoped = json.loads(
        store.export_json(tmp_path / "s.json", [], description="tag spare", entity_scope=[], all_tags=True).read_text(
            encoding="utf-8"
        )
    )
    assert scoped["selection"] == "tag spare" and [t["name"] for t in scoped["tags"]] == ["spare"]
