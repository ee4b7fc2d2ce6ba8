"""A notes file written for a selection: its tag links and the user's own entities it carries."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.userdata.database import UserData


def _user_with_a_pact(tmp_path: Path) -> tuple[UserData, str]:
    user = UserData.open(tmp_path / "user.sqlite")
    with user.transaction() as con:
        eid = user.sources.create_entity(con, "My Pact", "alliance", ["MP"])
        user.sources.add_fact(con, eid, "member", None, "nato", "doc-x", 0, 4, "NATO")
    user.notes.create_note(eid, title="Mine")
    user.notes.tag_entities("watch", [eid, "nato", "csto"])
    return user, eid


def test_a_scoped_notes_file_links_its_tags_only_to_the_entities_in_scope(tmp_path: Path) -> None:
    user, eid = _user_with_a_pact(tmp_path)
    store = user.notes
    path = store.export_json(
        tmp_path / "pact.json",
        store.select_for_export(),
        entity_names={"nato": "NATO", eid: "My Pact"},
        description="2 entities",
        entity_scope=[eid, "nato"],
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["selection"] == "2 entities"
    # CSTO is tagged too, but outside the selection: a colleague importing the file gets no link to it.
    assert data["tags"] == [{"name": "watch", "color": data["tags"][0]["color"], "entities": [eid, "nato"]}]
    assert [n["entity_name"] for n in data["notes"]] == ["My Pact"]


def test_the_users_own_entity_in_a_notes_file_names_the_entities_its_facts_point_at(tmp_path: Path) -> None:
    user, eid = _user_with_a_pact(tmp_path)
    store = user.notes
    data = store.export_dict(store.select_for_export(), entity_names={"nato": "NATO", eid: "My Pact"})
    [entity] = data["sources"]["entities"]
    assert (entity["id"], entity["name"], entity["aliases"]) == (eid, "My Pact", ["MP"])
    [fact] = entity["facts"]
    assert (fact["field"], fact["target"], fact["target_name"], fact["quote"]) == ("member", "nato", "NATO", "NATO")
