"""Notes core edge by edge (issue 19, mutation testing of userdata/notes_core and tags): a search
filtered by tag or entity, the trash (count, purge, tags on a trashed note), listing by ids, the
snippet of a title-only hit, the tag palette, and seeing another window's change."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.userdata.database import UserData
from app.core.userdata.notes import NotesStore
from app.core.userdata.notes_model import PALETTE, NoteDeleted, NotesError


@pytest.fixture
def store(tmp_path: Path) -> NotesStore:
    return UserData.open(tmp_path / "user.sqlite").notes


def test_a_search_filters_by_the_notes_tag_or_its_entitys_tag_and_by_entity(store: NotesStore) -> None:
    a = store.create_note("nato", title="Article five", body="treaty text", tags=["core"])
    b = store.create_note("csto", title="Other", body="treaty too")
    c = store.create_note("nato", title="Third", body="treaty again")
    store.tag_entities("east", ["csto"])
    assert {h.note.id for h in store.search("treaty")} == {a.id, b.id, c.id}
    assert [h.note.id for h in store.search("treaty", tag="core")] == [a.id]
    assert [h.note.id for h in store.search("treaty", tag="east")] == [b.id]
    assert {h.note.id for h in store.search("treaty", entity_id="nato")} == {a.id, c.id}
    assert [h.note.id for h in store.search("treaty", entity_id="nato", tag="core")] == [a.id]
    assert store.search("treaty", entity_id="csto", tag="core") == []
    assert len(store.search("treaty", limit=2)) == 2
    assert store.search("   ") == []


def test_a_hit_in_the_title_only_shows_the_title_as_its_snippet(store: NotesStore) -> None:
    store.create_note("nato", title="Warsaw memo", body="nothing to see")
    (hit,) = store.search("warsaw")
    assert hit.snippet == "Warsaw memo"  # the body has no match to show: the title stands in
    store.create_note("nato", title="", body="Mentions the Warsaw summit")
    hits = {h.note.body: h for h in store.search("warsaw")}
    assert "[[Warsaw]]" in hits["Mentions the Warsaw summit"].snippet
    assert all(h.score > 0 for h in hits.values())


def test_the_trash_counts_restores_and_purges(store: NotesStore) -> None:
    a = store.create_note("nato", body="one")
    b = store.create_note("nato", body="two")
    assert (store.count_notes(), store.count_notes(trash=True)) == (2, 0)
    store.delete_note(a.id)
    assert (store.count_notes(), store.count_notes(trash=True)) == (1, 1)
    assert [n.id for n in store.list_notes(trash=True)] == [a.id]
    store.purge_note(b.id)  # not in the trash: kept
    assert store.get_note(b.id) is not None
    assert store.restore_note(a.id) and not store.restore_note(a.id)
    store.delete_note(a.id)
    store.purge_note(a.id)
    assert store.get_note(a.id) is None and store.count_notes(trash=True) == 0
    store.delete_note(b.id)
    assert store.empty_trash() == 1 and store.count_notes() == 0


def test_tags_cannot_be_set_on_a_trashed_or_purged_note(store: NotesStore) -> None:
    a = store.create_note("nato", title="Memo", body="x")
    tagged = store.set_note_tags(a.id, ["b", "a", "b"])
    assert sorted(tagged.tags) == ["a", "b"] and tagged.updated_at > a.updated_at
    assert sorted(store.set_note_tags(a.id, ["c"]).tags) == ["c"]
    store.delete_note(a.id)
    with pytest.raises(NoteDeleted, match=r"^The note “Memo” is in the trash") as trashed:
        store.set_note_tags(a.id, ["d"])
    assert not trashed.value.purged
    store.purge_note(a.id)
    with pytest.raises(NoteDeleted, match=r"^This note no longer exists") as gone:
        store.set_note_tags(a.id, ["d"])
    assert gone.value.purged


def test_notes_are_listed_by_id_and_by_document(store: NotesStore) -> None:
    a = store.create_note("nato", body="a")
    b = store.create_note(None, body="b", document_id="doc-1", start=0, end=3, quote="abc")
    store.create_note("csto", body="c")
    assert {n.id for n in store.list_notes(ids=[a.id, b.id])} == {a.id, b.id}
    assert store.list_notes(ids=[]) == []
    assert [n.id for n in store.list_notes(document_id="doc-1")] == [b.id]
    assert {n.id for n in store.list_notes(entity_ids=["nato", "csto"])} - {b.id} == {
        n.id for n in store.list_notes() if n.entity_id
    }


def test_new_tags_take_the_next_palette_colour_and_a_bad_colour_is_refused(store: NotesStore) -> None:
    first = store.create_tag("one")
    second = store.create_tag("two")
    assert (first.color, second.color) == (PALETTE[0], PALETTE[1])
    assert store.create_tag("ONE").id == first.id
    assert store.create_tag("three", "#123abc").color == "#123abc"
    with pytest.raises(NotesError):
        store.create_tag("four", "red; drop table")
    for i in range(len(PALETTE)):
        store.create_tag(f"t{i}")
    colours = [t.color for t in store.list_tags()]
    assert set(colours) >= set(PALETTE)


def test_the_store_knows_its_file_and_sees_another_windows_change(store: NotesStore, tmp_path: Path) -> None:
    assert store.user_db == tmp_path / "user.sqlite"
    assert store.changed_elsewhere()  # never looked
    store.mark_seen()
    assert not store.changed_elsewhere()
    store.create_note("nato", body="mine")
    assert not store.changed_elsewhere()  # this window's own write
    other = UserData.open(tmp_path / "user.sqlite").notes
    other.create_note("nato", body="theirs")
    assert store.changed_elsewhere()
    store.mark_seen()
    other.tag_entities("x", ["nato"])
    assert store.changed_elsewhere()
    store.mark_seen()
    other.create_tag("y")
    store.create_note("nato", body="after theirs")
    assert store.changed_elsewhere()  # my write does not hide theirs


def test_each_tag_counts_its_entities_and_its_notes_apart(store: NotesStore) -> None:
    store.tag_entities("cold war", ["nato", "warsaw-pact"])
    a = store.create_note("nato", body="x", tags=["cold war"])
    trashed = store.create_note("nato", body="y", tags=["cold war"])
    store.delete_note(trashed.id)
    store.create_note(None, body="z", tags=["other"])
    tags = {t.name: (t.entities, t.notes) for t in store.list_tags()}
    assert tags == {"cold war": (2, 1), "other": (0, 1)}
    assert list(a.tags) == ["cold war"]


def test_an_entitys_tags_are_set_exactly(store: NotesStore) -> None:
    store.tag_entities("keep", ["csto"])
    store.set_entity_tags("nato", ["b", "a"])
    assert [t.name for t in store.tags_for_entity("nato")] == ["a", "b"]
    store.set_entity_tags("nato", ["c", "a"])
    assert [t.name for t in store.tags_for_entity("nato")] == ["a", "c"]
    assert store.entities_for_tag("b") == [] and store.entities_for_tag("keep") == ["csto"]
    store.set_entity_tags("nato", [])
    assert store.tags_for_entity("nato") == [] and store.tags_for_entities(["nato", "csto"]) == {"csto": ["keep"]}


def test_undo_refuses_to_bring_back_a_tag_whose_name_was_taken_since(store: NotesStore) -> None:
    store.tag_entities("old", ["nato"])
    start = store.tag_state()
    store.delete_tag("old")
    end = store.tag_state()
    store.tag_entities("old", ["csto"])  # a new tag of the same name
    with pytest.raises(NotesError, match=r"^A tag called “old” exists again, so the change cannot be undone\.$"):
        store.change_tags(end, start)
    assert store.entities_for_tag("old") == ["csto"]  # nothing changed


def test_undo_gives_a_note_back_its_tag_under_the_new_id(store: NotesStore) -> None:
    note = store.create_note("nato", body="x", tags=["old"])
    store.tag_entities("old", ["nato"])
    start = store.tag_state()
    store.delete_tag("old")
    end = store.tag_state()
    newer = store.create_tag("newer")  # takes the deleted tag's id
    assert newer.id == next(iter(start.tags))[0]
    store.change_tags(end, start)
    assert list(store.get_note(note.id).tags) == ["old"]
    assert store.entities_for_tag("old") == ["nato"] and store.entities_for_tag("newer") == []


def test_a_word_typed_past_where_its_forms_part_still_finds_the_note(store: NotesStore) -> None:
    a = store.create_note("nato", title="Pact", body="The treaty of 1949")
    store.create_note("nato", title="Other", body="treatment")
    assert [h.note.id for h in store.search("treaty")] == [a.id]
    # "treati" (on the way to "treaties") is no prefix of "treaty": the search falls back to "treat"
    assert {h.note.body for h in store.search("treati")} == {"The treaty of 1949", "treatment"}
    assert store.search("treatyx") == []


def test_undoing_a_rename_is_refused_when_the_old_name_was_taken_since(store: NotesStore) -> None:
    store.create_tag("old")
    start = store.tag_state()
    store.rename_tag("old", "new")
    end = store.tag_state()
    store.create_tag("old")  # another tag took the old name
    with pytest.raises(NotesError, match=r"^A tag called “old” exists again, so the change cannot be undone\.$"):
        store.change_tags(end, start)
    assert sorted(t.name for t in store.list_tags()) == ["new", "old"]
