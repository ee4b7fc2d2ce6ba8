"""NotesStore: notes with anchors, trash, full-text search, tags, exports; user data survives a rebuild."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from app.core.query.filters import FilterSpec
from app.core.reference.build import build_reference
from app.core.userdata.database import UserData
from app.core.userdata.notes import NotesError
from tests.conftest import SEEDS


@pytest.fixture
def store(data_paths):
    return UserData.open(data_paths.user_db).notes


def test_create_update_and_list_by_entity(store):
    a = store.create_note("nato", title="  Article   5 ", body="Collective *defence*.")
    b = store.create_note("nato", title="Second", body="")
    store.create_note("csto", title="Other", body="")
    assert re.fullmatch(r"[0-9a-f]{32}", a.id)
    assert a.title == "Article 5"
    assert a.created_at.endswith("Z") and a.created_at == a.updated_at
    updated = store.update_note(a.id, body="Collective defence, invoked 2001.")
    assert updated.updated_at > a.updated_at and updated.created_at == a.created_at
    assert [n.id for n in store.list_notes(entity_id="nato")] == [updated.id, b.id]
    assert store.get_note(a.id).body == "Collective defence, invoked 2001."
    assert store.notes_count_by_entity() == {"nato": 2, "csto": 1}


def test_unchanged_update_keeps_timestamp(store):
    a = store.create_note("nato", title="T", body="B")
    assert store.update_note(a.id, title="T", body="B").updated_at == a.updated_at


def test_stale_update_is_refused(store):
    a = store.create_note("nato", title="T", body="B")
    store.update_note(a.id, body="edited in window two")
    from app.core.userdata.notes import NoteConflict

    with pytest.raises(NoteConflict):
        store.update_note(a.id, body="edited in window one", expected_updated_at=a.updated_at)
    assert store.get_note(a.id).body == "edited in window two"


def test_passage_note(store):
    n = store.create_note(None, title="Quote", document_id="doc-1", start=10, end=42, quote="a quote")
    assert n.has_passage
    assert store.list_notes(document_id="doc-1") == [n]


def test_trash_restore_and_empty(store):
    a = store.create_note("nato", title="Keep me")
    b = store.create_note("nato", title="Bin me")
    store.delete_note(b.id)
    assert [n.id for n in store.list_notes(entity_id="nato")] == [a.id]
    assert [n.id for n in store.list_notes(trash=True)] == [b.id]
    assert store.search("Bin") == []
    assert store.restore_note(b.id)
    assert {n.id for n in store.list_notes(entity_id="nato")} == {a.id, b.id}
    store.delete_note(b.id)
    assert store.empty_trash() == 1
    assert store.get_note(b.id) is None
    assert store.get_note(a.id) is not None


@pytest.mark.parametrize(
    "query",
    ['"', "(", "NEAR(", "a OR", "-", "*", "AND", 'x"y', "title:", "^", "'", "\\", "NOT", "🙂", "   "],
)
def test_search_never_errors(store, query):
    store.create_note("nato", title="Alpha", body="Some text")
    assert isinstance(store.search(query), list)


def test_search_finds_title_body_prefix_and_marks_hits(store):
    a = store.create_note("nato", title="Burden sharing", body="Two percent of GDP target.")
    b = store.create_note("quad", title="Maritime", body="Indo-Pacific exercises, Malabar.")
    assert [h.note.id for h in store.search("burden")] == [a.id]
    assert [h.note.id for h in store.search("malab")] == [b.id]  # prefix while typing
    hit = store.search("percent")[0]
    assert "[[percent]]" in hit.snippet
    store.update_note(b.id, body="Now about something else.")
    assert store.search("malabar") == []
    assert [h.note.id for h in store.search("something")] == [b.id]


def test_tags_create_rename_colour_delete(store):
    t = store.create_tag("Lesson 3", "#FF0000")
    assert (t.name, t.color) == ("Lesson 3", "#ff0000")
    assert store.create_tag("lesson 3").id == t.id  # case-insensitive, no duplicate
    assert store.tag_entities("Lesson 3", ["nato", "csto", "nato"]) == 2
    assert store.entities_for_tag("lesson 3") == ["csto", "nato"]
    assert [x.name for x in store.tags_for_entity("nato")] == ["Lesson 3"]
    store.rename_tag("Lesson 3", "Lesson three")
    assert store.entities_for_tag("Lesson three") == ["csto", "nato"]
    store.create_tag("verify")
    with pytest.raises(NotesError):
        store.rename_tag("verify", "LESSON THREE")
    with pytest.raises(NotesError):
        store.create_tag("bad", "red")
    store.set_tag_color("verify", "#00aa00")
    assert store.get_tag("verify").color == "#00aa00"
    assert store.untag_entities("Lesson three", ["csto"]) == 1
    store.delete_tag("Lesson three")
    assert store.tags_for_entity("nato") == []
    assert [x.name for x in store.list_tags()] == ["verify"]


def test_tags_and_notes_drive_the_entity_filter(store, repo):
    store.tag_entities("watch list", ["nato", "quad"])
    store.create_note("csto", title="n")
    ids = {r.id for r in repo.list_entities(FilterSpec(tags=("watch list",)))}
    assert ids == {"nato", "quad"}
    rows = {r.id: r.notes for r in repo.list_entities(FilterSpec(has_notes=True))}
    assert rows == {"csto": 1}
    tag_facet = {v.value: v.count for v in repo.facet_counts(FilterSpec())["tags"]}
    assert tag_facet == {"watch list": 2}


def test_note_tags(store):
    n = store.create_note("nato", title="x", tags=["verify", "lesson 3"])
    assert n.tags == ("lesson 3", "verify")
    n = store.set_note_tags(n.id, ["verify"])
    assert n.tags == ("verify",)
    assert [x.id for x in store.list_notes(tag="verify")] == [n.id]
    store.tag_entities("lesson 3", ["nato"])  # a tag on the note's entity also selects it
    assert [x.id for x in store.list_notes(tag="lesson 3")] == [n.id]


def test_json_and_markdown_export(store, tmp_path):
    a = store.create_note("nato", title="A", body="**bold** body")
    store.create_note("quad", title="Q", body="")
    store.tag_entities("lesson 3", ["nato"])
    store.create_note(None, title="On a quote", document_id="d1", start=1, end=5, quote="Quote text")
    notes = store.select_for_export(tag="lesson 3")
    assert [n.id for n in notes] == [a.id]
    out = store.export_json(tmp_path / "n.json", notes, entity_names={"nato": "NATO"})
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "alliance-atlas-notes" and data["version"] == 1
    assert data["notes"][0]["entity_name"] == "NATO" and data["notes"][0]["body"] == "**bold** body"
    assert data["tags"] == [{"name": "lesson 3", "color": data["tags"][0]["color"], "entities": ["nato"]}]
    md = store.export_markdown(
        tmp_path / "n.md", store.select_for_export(), entity_names={"nato": "NATO"}, document_titles={"d1": "Doc One"}
    ).read_text(encoding="utf-8")
    assert "## NATO (`nato`)" in md and "### A" in md and "**bold** body" in md
    assert "`quad` (not in this catalogue)" in md
    assert "> Quote text" in md and "Doc One" in md


def test_export_for_list_of_entities(store):
    store.create_note("nato", title="A")
    store.create_note("quad", title="Q")
    store.create_note("csto", title="C")
    assert {n.entity_id for n in store.select_for_export(entity_ids=["nato", "csto"])} == {"nato", "csto"}


def test_notes_survive_reference_rebuild_and_detached_are_kept(atlas, store, data_paths):
    store.create_note("nato", title="Survives")
    store.create_note("gone-entity", title="Orphan")
    atlas.close()
    build_reference(SEEDS, data_paths.reference_db)
    assert {n.title for n in store.list_notes()} == {"Survives", "Orphan"}
    detached = store.detached_notes(set(atlas.repo.entity_names()))
    assert [n.title for n in detached] == ["Orphan"]


def test_fts_migration_indexes_existing_notes(tmp_path):
    """A version-1 database with notes gains a search index that already covers them."""
    from app.core.db import _statements, user_migrations

    db = tmp_path / "user.sqlite"
    con = sqlite3.connect(db, isolation_level=None)
    version, _name, sql = user_migrations()[0]
    for st in _statements(sql):
        con.execute(st)
    con.execute(f"PRAGMA user_version={version}")
    con.execute(
        "INSERT INTO note (id, entity_id, title, body, created_at, updated_at)"
        " VALUES ('abc', 'nato', 'Old note', 'written before search existed',"
        " '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"
    )
    con.close()
    store = UserData.open(db).notes
    assert [h.note.id for h in store.search("existed")] == ["abc"]


def test_note_search_finds_a_half_typed_word(store):
    store.create_note("nato", title="Lesson", body="Collective security in the Baltic")
    for typed in ("secur", "securi", "securit", "security"):
        assert [h.note.title for h in store.search(typed)] == ["Lesson"], typed


def test_update_refuses_a_note_in_the_trash_or_gone(store):
    """Another window trashed the note: text saved into it would vanish with it, so it is refused."""
    from app.core.userdata.notes import NoteDeleted

    n = store.create_note("nato", title="Shared", body="start")
    store.delete_note(n.id)
    with pytest.raises(NoteDeleted, match="in the trash") as info:
        store.update_note(n.id, body="typed after the delete", expected_updated_at=n.updated_at)
    assert not info.value.purged
    with pytest.raises(NoteDeleted):
        store.set_note_tags(n.id, ["verify"])
    assert store.get_note(n.id).body == "start"
    store.empty_trash()
    with pytest.raises(NoteDeleted) as info:
        store.update_note(n.id, body="again")
    assert info.value.purged


def test_tag_changes_apply_together_or_not_at_all(store):
    store.tag_entities("a", ["nato"])
    store.tag_entities("b", ["quad"])
    store.tag_entities("gone", ["csto"])
    store.apply_tag_changes(
        delete=["gone"], rename={"a": "b", "b": "a"}, create={"new": "#123456"}, recolor={"a": "#00aa00"}
    )
    assert store.entities_for_tag("b") == ["nato"] and store.entities_for_tag("a") == ["quad"]  # swapped
    assert store.get_tag("b").color == "#00aa00"  # recoloured by its name before the rename
    assert [t.name for t in store.list_tags()] == ["a", "b", "new"] and store.get_tag("new").color == "#123456"
    with pytest.raises(NotesError, match="already exists"):
        store.apply_tag_changes(delete=["new"], rename={"a": "B"})
    assert [t.name for t in store.list_tags()] == ["a", "b", "new"]  # nothing of it was applied


def test_own_writes_never_hide_another_instances_change(store, data_paths):
    other = UserData.open(data_paths.user_db).notes  # a second Alliance Atlas on the same database
    store.mark_seen()
    n = store.create_note("nato", title="mine")
    assert not store.changed_elsewhere()  # its own write moves the record on
    other.tag_entities("theirs", ["quad"])
    store.update_note(n.id, body="saved after the other instance wrote")
    assert store.changed_elsewhere()  # still seen after this store's own save
    store.mark_seen()
    assert not store.changed_elsewhere()
