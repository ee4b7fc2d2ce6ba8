"""Data exports, cell for cell and line for line, from hand-made entities (independent of the seed documents)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from app.core.exports import data as exports
from app.core.exports.data import (
    Cancelled,
    cited_value,
    collect,
    csv_paths,
    entity_json,
    export_data,
    neutralise,
    write_csv_citations,
    write_csv_entities,
    write_csv_members,
    write_json,
    write_markdown,
)
from app.core.query.filters import FilterSpec
from app.core.query.views import Citation, EntityDetail, FactView, Link


def cite(n: int, quote: str, section: str = "Intro", file: str = "doc.txt") -> Citation:
    return Citation(n, "doc", "The doc", file, section, n, 0, len(quote), quote)


C1 = cite(1, "Founded in 1949 by twelve states.")
C2 = cite(2, "=cmd|' /C calc'!A0", section="")
C3 = cite(3, "Armenia and Russia are members.", section="Members")
C4 = cite(4, "The alliance guards the north.", file="other.txt")


def fact(field, label, value=None, *cits, target=None, name=None, origin="reference") -> FactView:
    return FactView(field, label, value, target, name, None, tuple(cits), origin)


ALLIANCE = EntityDetail(
    id="pact",
    name="Northern Pact",
    aliases=("NP", "The Pact"),
    kind="alliance",
    category="collective defence",
    categories=("collective defence", "regional"),
    region="Europe",
    founded=1949,
    ended=1991,
    stated_members=12,
    facts=(
        fact("description", "Described as", None, C4),
        fact("founded", "Founded", "1949", C1),
        fact("region", "Region", "Europe", C1),
        fact("region", "Region", "Europe", C4),
        fact("region", "Region", "Arctic", C4),
        fact("member", "Member", None, C3, target="armenia", name="Armenia"),
        fact("member", "Member", None, C3, C2, target="russia", name="Russia"),
        fact("activity", "Activity", "=HYPERLINK(x)", C2, origin="user"),
        fact("note", "Remark", None),
    ),
    members=(
        Link("armenia", "Armenia", "country", "member", (C3,)),
        Link("russia", "Russia", "country", "member", (C2, C3)),
        Link("ghost", "@Ghost", "country", "party", ()),
    ),
    member_of=(),
    related=(),
    activities=("joint exercises", "-drills"),
    mentions=(),
)
BARE = EntityDetail(
    id="solo", name="Solo", aliases=(), kind="country", category=None, categories=(), region=None, founded=None,
    ended=None, stated_members=None, facts=(), members=(), member_of=(), related=(), activities=(), mentions=(),
    origin="user",
)  # fmt: skip


class StubRepo:
    """What the writers read from a repository: names for the filter line, documents, the seed hash."""

    def __init__(self, details=(ALLIANCE, BARE)) -> None:
        self.details = {d.id: d for d in details}
        self.batches: list[list[str]] = []

    def meta(self):
        return {"seed_hash": "abc123"}

    def entity_names(self):
        return {d.id: d.name for d in self.details.values()}

    def documents(self):
        return []

    def list_entities(self, spec):
        return [type("Row", (), {"id": i})() for i in spec.ids]

    def entity_details(self, ids, *, as_of=None):
        self.batches.append(list(ids))
        return [self.details[i] for i in ids]


def rows(writer, details) -> list[list[str]]:
    fh = io.StringIO()
    writer(fh, details)
    return list(csv.reader(io.StringIO(fh.getvalue())))


def test_the_entities_csv_row_by_row() -> None:
    assert rows(write_csv_entities, [ALLIANCE, BARE]) == [
        ["id", "name", "aliases", "kind", "category", "region", "founded", "ended", "stated_members", "members",
         "activities", "origin"],
        ["pact", "Northern Pact", "NP; The Pact", "alliance", "collective defence", "Europe", "1949", "1991", "12",
         "Armenia; Russia; @Ghost", "joint exercises; -drills", "reference"],
        ["solo", "Solo", "", "country", "", "", "", "", "", "", "", "user"],
    ]  # fmt: skip


def test_the_members_csv_names_the_first_citation_and_neutralises() -> None:
    assert rows(write_csv_members, [ALLIANCE, BARE]) == [
        ["entity_id", "entity", "role", "member_id", "member", "document", "quote"],
        ["pact", "Northern Pact", "member", "armenia", "Armenia", "doc.txt", "Armenia and Russia are members."],
        ["pact", "Northern Pact", "member", "russia", "Russia", "doc.txt", "'=cmd|' /C calc'!A0"],
        ["pact", "Northern Pact", "party", "ghost", "'@Ghost", "", ""],
    ]


def test_the_citations_csv_has_one_row_per_citation() -> None:
    assert rows(write_csv_citations, [ALLIANCE]) == [
        ["entity_id", "entity", "field", "value", "document", "section", "quote"],
        ["pact", "Northern Pact", "description", "", "other.txt", "Intro", "The alliance guards the north."],
        ["pact", "Northern Pact", "founded", "1949", "doc.txt", "Intro", "Founded in 1949 by twelve states."],
        ["pact", "Northern Pact", "region", "Europe", "doc.txt", "Intro", "Founded in 1949 by twelve states."],
        ["pact", "Northern Pact", "region", "Europe", "other.txt", "Intro", "The alliance guards the north."],
        ["pact", "Northern Pact", "region", "Arctic", "other.txt", "Intro", "The alliance guards the north."],
        ["pact", "Northern Pact", "member", "Armenia", "doc.txt", "Members", "Armenia and Russia are members."],
        ["pact", "Northern Pact", "member", "Russia", "doc.txt", "Members", "Armenia and Russia are members."],
        ["pact", "Northern Pact", "member", "Russia", "doc.txt", "", "'=cmd|' /C calc'!A0"],
        ["pact", "Northern Pact", "activity", "'=HYPERLINK(x)", "doc.txt", "", "'=cmd|' /C calc'!A0"],
    ]


def test_neutralise_leaves_safe_cells_and_non_text_alone() -> None:
    assert neutralise("NATO - the alliance") == "NATO - the alliance"
    assert neutralise(" =1") == " =1"
    assert neutralise(-5) == -5 and neutralise(None) is None
    assert neutralise("") == ""


def test_the_json_entity_keeps_regions_once_relations_and_every_citation() -> None:
    data = entity_json(ALLIANCE)
    assert data["regions"] == ["Europe", "Arctic"] and data["region"] == "Europe"
    assert data["aliases"] == ["NP", "The Pact"] and data["categories"] == ["collective defence", "regional"]
    assert data["members"] == ["Armenia", "Russia", "@Ghost"]
    assert (data["founded"], data["ended"], data["stated_members"]) == (1949, 1991, 12)
    assert data["origin"] == "reference" and data["kind"] == "alliance" and data["category"] == "collective defence"
    assert data["activities"] == ["joint exercises", "-drills"]
    assert data["relations"] == [
        {"relation": "member", "id": "armenia", "name": "Armenia",
         "sentence": "Armenia is a member of Northern Pact"},
        {"relation": "member", "id": "russia", "name": "Russia", "sentence": "Russia is a member of Northern Pact"},
    ]  # fmt: skip
    assert data["citations"][0] == {
        "field": "description", "value": "The alliance guards the north.", "document": "other.txt",
        "section": "Intro", "quote": "The alliance guards the north.", "origin": "reference",
    }  # fmt: skip
    assert [(c["field"], c["value"], c["origin"]) for c in data["citations"]][-1] == (
        "activity", "=HYPERLINK(x)", "user",
    )  # JSON is not a spreadsheet: nothing neutralised  # fmt: skip
    assert len(data["citations"]) == 9
    assert entity_json(BARE)["origin"] == "user" and entity_json(BARE)["relations"] == []


def test_what_a_citation_supports() -> None:
    assert cited_value(fact("description", "Described as", None), C4) == C4.quote
    assert cited_value(fact("description", "Described as", "Own words"), C4) == "Own words"
    assert cited_value(fact("member", "Member", "x", target="a", name="Armenia"), C3) == "Armenia"
    assert cited_value(fact("founded", "Founded", "1949"), C1) == "1949"
    assert cited_value(fact("note", "Note", None), C1) == ""


def test_the_markdown_export_line_by_line() -> None:
    fh = io.StringIO()
    write_markdown(fh, StubRepo(), FilterSpec(ids=("pact", "solo")), [ALLIANCE, BARE])
    assert fh.getvalue() == (
        "# Alliance Atlas export\n\n"
        "Entities selected: Northern Pact and Solo: 2 entities. Seed corpus abc123.\n\n"
        "## Northern Pact\n\n"
        "**Kind:** alliance · **Category:** collective defence, regional · **Region:** Europe, Arctic"
        " · **Founded:** 1949 · **Ended:** 1991\n\n"
        "Also called: NP, The Pact\n\n"
        "Members / parties: Armenia, Russia, @Ghost\n\n"
        "Activities: joint exercises, -drills\n\n"
        "- “The alliance guards the north.” [^1]\n"
        "- Founded: 1949 [^2]\n"
        "- Region: Europe [^3]\n"
        "- Region: Europe [^4]\n"
        "- Region: Arctic [^5]\n"
        "- Armenia is a member of Northern Pact [^6]\n"
        "- Russia is a member of Northern Pact [^7][^8]\n"
        "- Activity: =HYPERLINK(x) [^9]\n"
        "- Remark \n"
        "\n"
        "## Solo\n\n"
        "**Kind:** country · *from your documents*\n\n"
        "\n"
        "## Sources\n\n"
        "[^1]: other.txt, “Intro”: “The alliance guards the north.”\n"
        "[^2]: doc.txt, “Intro”: “Founded in 1949 by twelve states.”\n"
        "[^3]: doc.txt, “Intro”: “Founded in 1949 by twelve states.”\n"
        "[^4]: other.txt, “Intro”: “The alliance guards the north.”\n"
        "[^5]: other.txt, “Intro”: “The alliance guards the north.”\n"
        "[^6]: doc.txt, “Members”: “Armenia and Russia are members.”\n"
        "[^7]: doc.txt, “Members”: “Armenia and Russia are members.”\n"
        "[^8]: doc.txt, “opening”: “=cmd|' /C calc'!A0”\n"
        "[^9]: doc.txt, “opening”: “=cmd|' /C calc'!A0”\n"
    )


def test_a_markdown_export_of_one_uncited_entity_has_no_sources_list() -> None:
    fh = io.StringIO()
    regional = EntityDetail(**{**BARE.__dict__, "region": "Asia", "origin": "reference"})
    write_markdown(fh, StubRepo(), FilterSpec(ids=("solo",)), [regional])
    assert fh.getvalue() == (
        "# Alliance Atlas export\n\n"
        "Entities selected: Solo: 1 entity. Seed corpus abc123.\n\n"
        "## Solo\n\n**Kind:** country · **Region:** Asia\n\n\n"
    )


def test_json_ends_with_a_newline_and_keeps_accents() -> None:
    fh = io.StringIO()
    write_json(fh, {"name": "Café – Ñ"})
    assert fh.getvalue() == '{\n  "name": "Café – Ñ"\n}\n'


def test_the_companion_csv_files_are_named_after_the_chosen_file(tmp_path: Path) -> None:
    assert csv_paths(tmp_path / "out.CSV") == {
        "entities": tmp_path / "out.CSV",
        "members": tmp_path / "out-members.csv",
        "citations": tmp_path / "out-citations.csv",
    }
    assert csv_paths(tmp_path / "out") == {
        "entities": tmp_path / "out.csv",
        "members": tmp_path / "out-members.csv",
        "citations": tmp_path / "out-citations.csv",
    }
    assert csv_paths(tmp_path / "out.v2.txt")["entities"] == tmp_path / "out.v2.csv"
    assert csv_paths(tmp_path / "out.v2.txt")["members"] == tmp_path / "out.v2.txt-members.csv"


def test_a_long_export_reads_in_batches_reports_progress_and_can_be_cancelled(monkeypatch) -> None:
    monkeypatch.setattr(exports, "COLLECT_BATCH", 2)
    many = [EntityDetail(**{**BARE.__dict__, "id": f"e{i}", "name": f"E{i}"}) for i in range(5)]
    repo = StubRepo(many)
    seen: list[tuple[int, int]] = []
    spec = FilterSpec(ids=tuple(d.id for d in many))
    out = collect(repo, spec, lambda done, total: seen.append((done, total)) or True)
    assert [d.id for d in out] == ["e0", "e1", "e2", "e3", "e4"]
    assert repo.batches == [["e0", "e1"], ["e2", "e3"], ["e4"]]
    assert seen == [(0, 5), (2, 5), (4, 5)]
    with pytest.raises(Cancelled):
        collect(repo, FilterSpec(ids=("e0", "e1", "e2")), lambda done, total: done < 2)
    assert collect(StubRepo(many), FilterSpec(ids=("e0",))) == many[:1]  # no progress callback


def test_an_unknown_format_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^unknown data format 'xml'$"):
        export_data(StubRepo(), FilterSpec(ids=("solo",)), "xml", tmp_path / "x.xml")
    assert not (tmp_path / "x.xml").exists()


def test_every_format_writes_its_files_and_says_which(tmp_path: Path) -> None:
    repo = StubRepo()
    spec = FilterSpec(ids=("pact",))
    assert export_data(repo, spec, "json", tmp_path / "a.json") == [tmp_path / "a.json"]
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["entities"][0]["id"] == "pact"
    assert export_data(repo, spec, "md", tmp_path / "a.md") == [tmp_path / "a.md"]
    assert (tmp_path / "a.md").read_text(encoding="utf-8").startswith("# Alliance Atlas export\n")
    written = export_data(repo, spec, "csv", tmp_path / "a.csv")
    assert written == [tmp_path / "a.csv", tmp_path / "a-members.csv", tmp_path / "a-citations.csv"]
    # utf-8-sig: a byte-order mark first, so a spreadsheet reads the accents right.
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbfentity_id,") for p in written[1:])
    assert written[0].read_bytes().startswith(b"\xef\xbb\xbfid,name,")


def test_a_relation_to_an_unnamed_entity_names_its_id_and_an_unknown_corpus_is_a_question_mark() -> None:
    class NoHash(StubRepo):
        def meta(self):
            return {}

    unnamed = EntityDetail(**{**BARE.__dict__, "facts": (fact("member", "Member", None, C3, target="ghost-id"),)})
    fh = io.StringIO()
    write_markdown(fh, NoHash([unnamed]), FilterSpec(ids=("solo",)), [unnamed])
    text = fh.getvalue()
    assert "Entities selected: Solo: 1 entity. Seed corpus ?.\n\n" in text
    assert "- Ghost-id is a member of Solo [^1]\n" in text


def test_a_json_export_with_notes_carries_each_note_whole_oldest_first(tmp_path: Path) -> None:
    from app.core.userdata.database import UserData

    store = UserData.open(tmp_path / "user.sqlite").notes
    first = store.create_note("pact", title="First", body="older", tags=["lesson"])
    second = store.create_note("pact", title="Second", body="newer")
    store.create_note("other", title="Elsewhere")
    store.create_note(None, title="Passage", document_id="doc", start=1, end=5, quote="text")
    store.tag_entities("watch", ["pact", "solo"], color="#112233")
    user = exports.user_data_json(store, [ALLIANCE, BARE])
    assert user["by_entity"]["pact"]["notes"] == [
        {"id": first.id, "title": "First", "body": "older", "tags": ["lesson"], "document": None, "quote": None,
         "created_at": first.created_at, "updated_at": first.updated_at},
        {"id": second.id, "title": "Second", "body": "newer", "tags": [], "document": None, "quote": None,
         "created_at": second.created_at, "updated_at": second.updated_at},
    ]  # fmt: skip
    assert user["by_entity"]["pact"]["tags"] == ["watch"]
    assert user["by_entity"]["solo"] == {"tags": ["watch"], "notes": []}
    assert set(user["by_entity"]) == {"pact", "solo"}
    assert sorted((t["name"], t["color"]) for t in user["tags"])[1] == ("watch", "#112233")


def test_the_json_export_lists_every_document_with_its_sections(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from app.core.query.views import DocumentInfo

    seed = DocumentInfo("d1", "treaty.txt", "The Treaty", "treaty.txt", "seed", "0" * 64)
    mine = DocumentInfo("d2", "mine.md", "My notes", "mine.md", "user", "1" * 64, imported=True)
    gone = DocumentInfo("d3", "gone.txt", "Gone", "gone.txt", "seed", "2" * 64)
    sections = (SimpleNamespace(heading=""), SimpleNamespace(heading="Article 5"))

    class WithDocs(StubRepo):
        def meta(self):
            return {}

        def documents(self):
            return [seed, mine, gone]

        def get_document(self, doc_id):
            return None if doc_id == "d3" else SimpleNamespace(sections=sections)

    data = exports.to_json(WithDocs(), FilterSpec(ids=("solo",)), [BARE], extra={"note": "kept"})
    assert data["documents"] == [
        {"file": "treaty.txt", "title": "The Treaty", "origin": "seed", "imported": False,
         "sections": ["(opening)", "Article 5"]},
        {"file": "mine.md", "title": "My notes", "origin": "user", "imported": True,
         "sections": ["(opening)", "Article 5"]},
        {"file": "gone.txt", "title": "Gone", "origin": "seed", "imported": False, "sections": []},
    ]  # fmt: skip
    assert data["seed_hash"] == "" and data["note"] == "kept" and data["format"] == "alliance-atlas"
    assert data["filter"] == "Entities selected: Solo"


def test_a_relation_without_a_name_still_reads_as_a_sentence() -> None:
    # As in the Markdown export: the target's id stands in for a missing name (the sentence lost its subject).
    unnamed = EntityDetail(**{**BARE.__dict__, "facts": (fact("member", "Member", None, C3, target="ghost-id"),)})
    assert entity_json(unnamed)["relations"] == [
        {"relation": "member", "id": "ghost-id", "name": None, "sentence": "Ghost-id is a member of Solo"}
    ]


def test_a_csv_export_onto_a_named_pipe_is_refused_and_the_pipe_left_alone(tmp_path: Path) -> None:
    import os
    import stat

    from app.core.errors import UnwritablePath

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(UnwritablePath) as err:
        export_data(StubRepo(), FilterSpec(ids=("solo",)), "csv", pipe)
    assert str(err.value) == (
        f"Cannot write {pipe}: a CSV export is three files (PATH, PATH-members.csv, PATH-citations.csv), so it"
        " needs a file name, not a device or named pipe. Use --format json or md for one stream."
    )
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]
