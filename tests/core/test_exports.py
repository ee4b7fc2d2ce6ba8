"""Data exports: CSV round-trips and formula neutralising, JSON schema, Markdown citations, GUI = CLI order."""

from __future__ import annotations

import csv
import errno
import json
import os
from dataclasses import replace

import pytest

from app.core import fileio
from app.core.errors import AtlasError, DiskFull
from app.core.exports import data as exports
from app.core.exports.data import (
    collect,
    csv_paths,
    export_data,
    neutralise,
    write_csv_citations,
    write_csv_entities,
    write_csv_members,
)
from app.core.query.filters import FilterSpec
from app.core.userdata.database import UserData


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell
    assert neutralise("NATO") == "NATO" and neutralise(1949) == 1949


def test_csv_round_trips_with_bom_and_three_files(repo, tmp_path):
    spec = FilterSpec(kinds=("alliance",))
    written = export_data(repo, spec, "csv", tmp_path / "out.csv")
    assert [p.name for p in written] == ["out.csv", "out-members.csv", "out-citations.csv"]
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 (accents, curly quotes) with a BOM
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == [r.id for r in repo.list_entities(spec)]
    nato = next(r for r in rows if r["id"] == "nato")
    assert nato["name"] == "NATO" and nato["founded"] == "1949" and "joint exercises" in nato["activities"]
    with open(tmp_path / "out-citations.csv", encoding="utf-8-sig", newline="") as fh:
        cites = list(csv.DictReader(fh))
    assert any(c["entity_id"] == "nato" and "1949" in c["quote"] for c in cites)
    with open(tmp_path / "out-members.csv", encoding="utf-8-sig", newline="") as fh:
        members = list(csv.DictReader(fh))
    assert {m["member_id"] for m in members if m["entity_id"] == "csto"} >= {"armenia", "russia"}


def test_csv_neutralises_a_hostile_value(repo, tmp_path):
    detail = collect(repo, FilterSpec(ids=("nato",)))[0]
    hostile = replace(detail, name='=HYPERLINK("http://x")', aliases=("@evil", "-1"))
    path = tmp_path / "h.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        write_csv_entities(fh, [hostile])
    with open(path, encoding="utf-8-sig", newline="") as fh:
        row = next(iter(csv.DictReader(fh)))
    assert row["name"].startswith("'=") and row["aliases"].startswith("'@")


def _hostile_csto(repo):
    """The CSTO with a formula in every text its members and citations rows carry."""
    detail = collect(repo, FilterSpec(ids=("csto",)))[0]

    def cites(citations, **hostile):
        return tuple(replace(c, **hostile) for c in citations)

    members = tuple(
        replace(m, name="=cmd|'/C calc'!A0", citations=cites(m.citations, quote="+1", file_name="@f"))
        for m in detail.members
    )
    facts = tuple(
        replace(
            f,
            value="-2+3" if f.value else f.value,
            target_name="=1+1" if f.target_name else None,
            citations=cites(f.citations, quote="@SUM(A1)", section="\tx", file_name="=d"),
        )
        for f in detail.facts
    )
    return replace(detail, name='=HYPERLINK("http://x")', members=members, facts=facts)


@pytest.mark.parametrize("writer", [write_csv_members, write_csv_citations])
def test_the_members_and_citations_writers_neutralise_every_hostile_cell(repo, tmp_path, writer):
    hostile = _hostile_csto(repo)
    path = tmp_path / "h.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer(fh, [hostile])
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    cells = [cell for row in rows for key, cell in row.items() if key != "entity_id"]
    hostile_cells = [cell for cell in cells if cell.lstrip("'")[:1] in ("=", "+", "-", "@", "\t")]
    assert hostile_cells, "the fixture must put formulas in the rows"
    # Every formula-like cell starts with the neutralising quote; nothing else was touched.
    assert all(cell.startswith("'") for cell in hostile_cells), [c for c in hostile_cells if c[0] != "'"]
    assert all(row["entity"] == '\'=HYPERLINK("http://x")' for row in rows)


def test_json_schema(repo, tmp_path):
    path = tmp_path / "e.json"
    export_data(repo, FilterSpec(ids=("nato", "islamic-nation-china")), "json", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "alliance-atlas" and data["version"] == 1
    assert data["seed_hash"] == repo.meta()["seed_hash"]
    assert data["filter"] == "Entities selected: NATO and Islamic Nation – China"
    ent = {e["id"]: e for e in data["entities"]}
    assert set(ent) == {"nato", "islamic-nation-china"}
    keys = {"id", "name", "aliases", "kind", "category", "categories", "region", "regions", "founded", "ended",
            "stated_members", "members", "relations", "activities", "citations"}  # fmt: skip
    assert keys <= set(ent["nato"])
    assert ent["islamic-nation-china"]["members"] == ["the Islamic Nation", "China"]
    assert all({"field", "value", "document", "section", "quote"} <= set(c) for c in ent["nato"]["citations"])
    assert len(data["documents"]) == 5


def test_json_keeps_every_cited_region_value_and_relation(repo, tmp_path):
    path = tmp_path / "r.json"
    export_data(repo, FilterSpec(ids=("nato", "african-standby-force", "csto")), "json", path)
    ent = {e["id"]: e for e in json.loads(path.read_text(encoding="utf-8"))["entities"]}
    nato = ent["nato"]
    assert nato["regions"] == ["North America", "Europe"] and nato["region"] == "North America"
    assert ent["csto"]["regions"] == [] and ent["csto"]["region"] is None
    for e in ent.values():
        assert e["citations"] and all(isinstance(c["value"], str) and c["value"].strip() for c in e["citations"])
    region_cites = {c["value"] for c in nato["citations"] if c["field"] == "region"}
    assert region_cites == {"North America", "Europe"}
    assert any(c["field"] == "founded" and c["value"] == "1949" for c in nato["citations"])
    descriptions = [c for c in nato["citations"] if c["field"] == "description"]
    assert descriptions and all(c["value"] == c["quote"] for c in descriptions)
    assert ent["african-standby-force"]["relations"] == [
        {
            "relation": "initiative_of",
            "id": "african-union",
            "name": "African Union",
            "sentence": "African Standby Force is an initiative of African Union",
        }
    ]
    assert any(
        c["field"] == "initiative_of" and c["value"] == "African Union"
        for c in ent["african-standby-force"]["citations"]
    )
    csto_members = [r for r in ent["csto"]["relations"] if r["relation"] == "member"]
    assert {r["id"] for r in csto_members} >= {"armenia", "russia"}
    assert [r["name"] for r in csto_members] == ent["csto"]["members"]
    # The documents list no NATO members, so none are invented; its stated ties are typed precisely.
    assert nato["members"] == [] and not any(r["relation"] == "member" for r in nato["relations"])
    assert {(r["relation"], r["id"]) for r in nato["relations"]} == {
        ("established_under", "north-atlantic-treaty"),
        ("responds_to", "russia"),
        ("responds_to", "north-korea"),
    }


def test_json_lists_every_section_once(repo, tmp_path):
    path = tmp_path / "out.json"
    export_data(repo, FilterSpec(ids=("nato",)), "json", path)
    docs = {d["file"]: d["sections"] for d in json.loads(path.read_text(encoding="utf-8"))["documents"]}
    for info in repo.documents():
        view = repo.get_document(info.id)
        assert view is not None and len(docs[info.file_name]) == len(view.sections)  # none left out
    alliances = docs["military-alliances-and-partnerships.txt"]
    assert alliances[0] == "(opening)" and alliances[-1] == "(closing summary)"
    stability = docs["strategic-partnerships-global-stability.txt"]
    assert stability.count("The Military’s Role in Strategic Partnerships for Global Stability") == 1
    assert not any("Total Military Insight" in s for s in stability)  # the title line is not a second section


def test_markdown_has_citations_as_footnotes(repo, tmp_path):
    path = tmp_path / "e.md"
    export_data(repo, FilterSpec(ids=("csto",)), "md", path)
    text = path.read_text(encoding="utf-8")
    assert "## Collective Security Treaty Organization" in text
    assert "[^1]" in text and "## Sources" in text and "[^1]: military-alliances-and-partnerships.txt" in text
    # A description is its own quoted sentence, not an empty "Described as".
    assert "Described as [^" not in text
    assert "- “The Collective Security Treaty Organization is a regional military alliance" in text
    assert ": 1 entity." in text


def test_gui_and_cli_filters_give_the_same_entities_in_the_same_order(repo):
    """The window's filter pane and `alliance-atlas export` build the same FilterSpec: same rows."""
    import argparse

    from app.cli import add_filter_options, spec_from_args

    parser = argparse.ArgumentParser()
    add_filter_options(parser)
    args = parser.parse_args(["--query", "defense", "--member", "U.S.", "--sort", "founded"])
    cli_spec = spec_from_args(args, repo)
    gui_spec = FilterSpec(text="defense", members=("united-states",), sort="founded")
    assert cli_spec == gui_spec
    exported = [d.id for d in collect(repo, cli_spec)]
    shown = [r.id for r in repo.list_entities(gui_spec)]
    assert len(exported) >= 2 and exported == shown


def test_csv_paths_name_the_companion_files(tmp_path):
    paths = csv_paths(tmp_path / "data")
    assert paths["entities"].name == "data.csv" and paths["members"].name == "data-members.csv"


def test_exported_files_get_ordinary_permissions_and_keep_a_replaced_files_mode(repo, tmp_path):
    import os
    import stat

    from app.core.exports.data import export_data
    from app.core.query.filters import FilterSpec

    umask = os.umask(0o022)
    try:
        new = export_data(repo, FilterSpec(text="NATO"), "json", tmp_path / "new.json")[0]
        assert stat.S_IMODE(new.stat().st_mode) == 0o644  # readable by the class, not 0600 like a temp file
        old = tmp_path / "old.md"
        old.write_text("x")
        old.chmod(0o640)
        export_data(repo, FilterSpec(text="NATO"), "md", old)
        assert stat.S_IMODE(old.stat().st_mode) == 0o640 and "NATO" in old.read_text(encoding="utf-8")
    finally:
        os.umask(umask)


def test_json_carries_notes_and_tags_only_when_asked(atlas, tmp_path):

    store = UserData.open(atlas.paths.user_db).notes
    store.create_note("nato", title="Lesson plan", body="Compare with **CSTO**", tags=["lesson 3"])
    store.tag_entities("watch list", ["nato", "csto"])
    spec = FilterSpec(ids=("nato", "csto", "five-eyes"))

    export_data(atlas.repo, spec, "json", tmp_path / "plain.json")
    plain = json.loads((tmp_path / "plain.json").read_text(encoding="utf-8"))
    assert "tags" not in plain and all("notes" not in e and "tags" not in e for e in plain["entities"])

    export_data(atlas.repo, spec, "json", tmp_path / "mine.json", notes=atlas.user_data.notes)
    mine = json.loads((tmp_path / "mine.json").read_text(encoding="utf-8"))
    by_id = {e["id"]: e for e in mine["entities"]}
    assert [n["title"] for n in by_id["nato"]["notes"]] == ["Lesson plan"]
    assert by_id["nato"]["notes"][0]["body"] == "Compare with **CSTO**"
    assert by_id["nato"]["notes"][0]["tags"] == ["lesson 3"]
    assert by_id["nato"]["tags"] == by_id["csto"]["tags"] == ["watch list"]
    assert by_id["five-eyes"]["notes"] == [] and by_id["five-eyes"]["tags"] == []
    assert {t["name"] for t in mine["tags"]} == {"lesson 3", "watch list"}
    assert all(t["color"].startswith("#") for t in mine["tags"])


# ---- CSV writes three files: all three or none ----


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "exports"  # tmp_path also holds the data dir
    folder.mkdir()
    return folder


def _old_csv_files(out):
    targets = csv_paths(out / "out.csv")
    for key, path in targets.items():
        path.write_text(f"old {key}\n", encoding="utf-8")
    return targets


def _no_space(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_csv_export_failing_on_the_second_file_changes_no_file(repo, out, monkeypatch):
    targets = _old_csv_files(out)
    monkeypatch.setattr(exports, "write_csv_members", _no_space)
    with pytest.raises(DiskFull):
        export_data(repo, FilterSpec(), "csv", out / "out.csv")
    for key, path in targets.items():
        assert path.read_text(encoding="utf-8") == f"old {key}\n"  # "No file was written" is true
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in targets.values())


def test_a_failed_new_csv_export_leaves_no_file(repo, out, monkeypatch):
    monkeypatch.setattr(exports, "write_csv_citations", _no_space)
    with pytest.raises(DiskFull):
        export_data(repo, FilterSpec(), "csv", out / "out.csv")
    assert list(out.iterdir()) == []


def test_a_rename_failing_half_way_puts_the_replaced_files_back(repo, out, monkeypatch):
    targets = _old_csv_files(out)
    real = os.replace
    calls = []

    def replace_fails_on_the_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", replace_fails_on_the_second)
    with pytest.raises(AtlasError):
        export_data(repo, FilterSpec(), "csv", out / "out.csv")
    monkeypatch.undo()
    for key, path in targets.items():
        assert path.read_text(encoding="utf-8") == f"old {key}\n"
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in targets.values())


def test_a_csv_export_to_a_folder_name_is_refused(repo, out):
    folder = out / "out.csv"
    folder.mkdir()
    with pytest.raises(AtlasError, match="is a folder"):
        export_data(repo, FilterSpec(), "csv", folder)
    assert list(folder.iterdir()) == [] and sorted(p.name for p in out.iterdir()) == ["out.csv"]
