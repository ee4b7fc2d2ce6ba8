"""Undoing a tag change: the difference between two tag states is applied both ways, nothing else."""

from __future__ import annotations

import pytest

from app.core.userdata.database import UserData


@pytest.fixture
def store(data_paths):
    ud = UserData.open(data_paths.user_db)
    yield ud.notes
    ud.close()


def test_tagging_entities_undoes_and_redoes(store):
    start = store.tag_state()
    store.tag_entities("lesson 3", ["nato", "csto"])
    end = store.tag_state()
    store.change_tags(end, start)
    assert store.entities_for_tag("lesson 3") == []
    assert store.tag_state() == start
    store.change_tags(start, end)
    assert store.entities_for_tag("lesson 3") == ["csto", "nato"]
    assert store.tag_state() == end


def test_undoing_a_delete_brings_back_the_tag_its_colour_and_its_links(store):
    store.tag_entities("watch", ["quad"], color="#3fa56b")
    note = store.create_note("nato", title="A", body="b", tags=["watch"])
    start = store.tag_state()
    store.apply_tag_changes(delete=["watch"])
    assert store.get_tag("watch") is None
    store.change_tags(store.tag_state(), start)
    tag = store.get_tag("watch")
    assert tag is not None and tag.color == "#3fa56b"
    assert store.entities_for_tag("watch") == ["quad"]
    assert [t for t in store.get_note(note.id).tags] == ["watch"]


def test_undoing_a_swap_of_names_and_keeping_later_changes(store):
    store.tag_entities("a", ["nato"])
    store.tag_entities("b", ["csto"])
    start = store.tag_state()
    store.apply_tag_changes(rename={"a": "b", "b": "a"})
    end = store.tag_state()
    store.tag_entities("later", ["quad"])  # after the change: undo must keep it
    store.change_tags(end, start)
    assert store.entities_for_tag("a") == ["nato"] and store.entities_for_tag("b") == ["csto"]
    assert store.entities_for_tag("later") == ["quad"]


def test_an_id_taken_since_gets_a_new_one(store):
    store.tag_entities("old", ["nato"])
    start = store.tag_state()
    store.delete_tag("old")
    end = store.tag_state()
    store.tag_entities("newer", ["csto"])  # may reuse the deleted tag's id
    store.change_tags(end, start)
    assert store.entities_for_tag("old") == ["nato"]
    assert store.entities_for_tag("newer") == ["csto"]
