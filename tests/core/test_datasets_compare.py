"""Disagreements at a year: a stated member count is compared at the year its quote is about (founding,
a year it names, now = the dataset's end), never beyond what the quote says; ATOP against COW for the
same alliance, each value with its record citation; dataset alliances found by their citation name."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.core.atlas import Atlas
from app.core.datasets import import_dataset
from app.core.datasets.compare import DatasetEnd, disagreements
from app.core.datasets.timing import count_time
from app.core.exports.data import export_data
from app.core.exports.report_data import ExportOptions, collect_report
from app.core.exports.report_typst import build_source
from app.core.query.filters import FilterSpec
from app.core.query.views import Citation, DatasetCitation, EntityDetail, FactView, Link
from tests.datasets_fixtures import (
    ATOP_ALLIANCE_COLUMNS,
    ATOP_MEMBER_COLUMNS,
    COW_MEMBER_COLUMNS,
    atop_rows,
    cow_rows,
    write_atop,
    write_cow,
)


@pytest.mark.parametrize(
    ("quote", "kind", "year"),
    [
        ("It includes 31 countries from North America and Europe.", "now", None),
        ("The alliance had 12 founding members in 1949.", "founding", 1949),
        ("Its original members were twelve states.", "founding", None),
        ("By 1990 it had 16 members.", "year", 1990),
        ("Today it counts 32 members.", "now", None),
        # "founded in 1949" dates the alliance, not the count; "has" is the present.
        ("NATO, founded in 1949, has 12 members.", "now", None),
    ],
)
def test_count_time_reads_when_a_count_holds_from_its_quote(quote: str, kind: str, year: int | None) -> None:
    when = count_time(quote)
    assert when is not None and (when.kind, when.year) == (kind, year)


@pytest.mark.parametrize("quote", ["It had 12 members.", "The pact was signed in 1955 by eight states."])
def test_count_time_claims_nothing_a_quote_does_not_say(quote: str) -> None:
    assert count_time(quote) is None


# ---- the documents against a dataset alliance, built by hand ---------------------------------------
def _cite(quote: str) -> Citation:
    return Citation(1, "doc-1", "Briefing", "briefing.md", "", 1, 0, len(quote), quote)


def _rec(record_id: int, field: str, value: str) -> DatasetCitation:
    return DatasetCitation(record_id, "ATOP", "5.1", "atop5_1m.csv", "3180", field, value)


def _member(cid: str, start: int, end: int | None, rid: int) -> Link:
    recs = (_rec(rid, "member", cid), _rec(rid, "yrent", str(start)), _rec(rid, "yrexit", str(end or 0)))
    return Link(cid, cid.title(), "country", "member", (), "member", True, "", recs, start, end)


def _detail(
    eid: str, facts: tuple[FactView, ...], members: tuple[Link, ...] = (), origin: str = "user"
) -> EntityDetail:
    return EntityDetail(
        eid, eid, (), "alliance", None, (), None, None, None, None, facts, members, (), (), (), (), origin=origin
    )


def _count(value: str, quote: str) -> FactView:
    return FactView("member_count", "Members", value, None, None, None, (_cite(quote),), origin="user")


# ATOP 3180 as the fixture has it: 12 members in 1949, Greece and Turkey in 1952, Spain in 1982.
DATASET = _detail(
    "atop-3180",
    (FactView("founded", "Founded", "1949", None, None, None, (), "dataset", (_rec(1, "begyr", "1949"),)),),
    (
        *(_member(f"c{i}", 1949, None, 10 + i) for i in range(12)),
        *(_member("greece", 1952, None, 30), _member("turkey", 1952, None, 31), _member("spain", 1982, None, 32)),
    ),
    origin="dataset",
)
FOUNDED_1949 = FactView("founded", "Founded", "1949", None, None, None, (_cite("Founded in 1949."),), origin="user")


def test_founding_members_are_compared_at_the_founding_year_not_the_dataset_end() -> None:
    ours = _detail("my-pact", (FOUNDED_1949, _count("10", "The pact had 10 founding members.")))
    (x,) = disagreements(ours, DATASET, DatasetEnd(2018, "its end (2018)"))
    assert x.what == "Founding members (1949)"
    assert (x.catalogue.value, x.catalogue.source) == ("10", "your documents, at founding")
    assert (x.dataset.value, x.dataset.source) == ("12", "ATOP 5.1, in force in 1949")
    assert "12 members of ATOP 3180 with yrent ≤ 1949 and no yrexit before 1949" in x.dataset.evidence
    assert "founding members" in x.dataset.evidence  # which words of the quote set the year
    # 12 founding members agree with the dataset's 12 in 1949 (its 15 at the end are another year).
    agreeing = _detail("my-pact", (FOUNDED_1949, _count("12", "It had 12 founding members.")))
    assert disagreements(agreeing, DATASET, DatasetEnd(2018, "its end (2018)")) == []


def test_a_count_in_a_named_year_is_compared_in_that_year() -> None:
    ours = _detail("my-pact", (_count("12", "By 1960 it had 12 members."),))
    (x,) = disagreements(ours, DATASET, None)
    assert x.what == "Members in 1960" and x.dataset.value == "14" and x.dataset.source == "ATOP 5.1, in force in 1960"


def test_a_count_whose_quote_says_no_time_is_not_compared() -> None:
    ours = _detail("my-pact", (_count("3", "It had 3 members."),))
    assert disagreements(ours, DATASET, DatasetEnd(2018, "its end (2018)")) == []


# ---- files -----------------------------------------------------------------------------------------
def _write(path: Path, columns: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(rows)
    return path


def _import_both(atlas: Atlas, folder: Path, *, cow_defense: int = 1) -> None:
    alliances, members = atop_rows()
    a = _write(folder / "atop5_1a.csv", ATOP_ALLIANCE_COLUMNS, alliances)
    m = _write(folder / "atop5_1m.csv", ATOP_MEMBER_COLUMNS, members)
    import_dataset(atlas.repo, atlas.user_data, "atop", alliances=a, members=m)
    rows = cow_rows()
    defense = COW_MEMBER_COLUMNS.index("defense")
    for r in rows:
        if r[0] == 2205:
            r[defense] = cow_defense
    c = _write(folder / "alliance_v4.1_by_member.csv", COW_MEMBER_COLUMNS, rows)
    import_dataset(atlas.repo, atlas.user_data, "cow", members=c)


def test_atop_and_cow_holding_the_same_alliance_are_linked_and_compared(atlas: Atlas, tmp_path: Path) -> None:
    _import_both(atlas, tmp_path, cow_defense=0)
    links = {(s.entity_id, s.dataset_id): s for s in atlas.user_data.datasets.same_as()}
    assert links[("atop-3180", "cow-2205")].status == "proposed"
    assert links[("atop-3180", "cow-2205")].reason == "founded 1949 in both; 11 of their 16 members in common"
    assert ("atop-1005", "cow-1") in links
    atop = atlas.repo.get_entity("atop-3180")
    assert atop is not None and {s.id for s in atop.same_as} == {"nato", "cow-2205"}
    found = {x.what: x for x in atop.disagreements if x.other_id == "cow-2205"}
    first = found["Members in 1949 (the first year both record it)"]
    assert (first.catalogue.value, first.catalogue.source, first.dataset.value, first.dataset.source) == (
        "12", "ATOP 5.1", "11", "COW 4.1",
    )  # fmt: skip
    assert "COW 2205 with mem_st_year ≤ 1949" in first.dataset.evidence
    last = found["Members in 2012 (the last year both datasets cover)"]  # ATOP 5.1 runs to 2018, COW 4.1 to 2012
    assert (last.catalogue.value, last.dataset.value) == ("16", "11")
    defense = found["Obligation: defense"]
    assert (defense.catalogue.value, defense.catalogue.evidence) == ("1", "ATOP 3180, defense = 1")
    assert (defense.dataset.value, defense.dataset.evidence) == ("0", "COW 2205, defense = 0")
    assert "Founded" not in found  # both say 1949: agreeing values are not listed
    # The same rows on COW's side, and in the PDF.
    cow = atlas.repo.get_entity("cow-2205")
    assert cow is not None and "Obligation: defense" in {x.what for x in cow.disagreements}
    source = build_source(collect_report(atlas.repo, FilterSpec(ids=("cow-2205",)), ExportOptions()), ExportOptions())
    assert "Sources disagree: Obligation: defense" in source and "COW 2205, defense = 0" in source


def test_agreeing_obligations_and_removed_links_show_nothing(atlas: Atlas, tmp_path: Path) -> None:
    _import_both(atlas, tmp_path, cow_defense=1)
    atop = atlas.repo.get_entity("atop-3180")
    assert atop is not None and all(x.what != "Obligation: defense" for x in atop.disagreements)
    atlas.user_data.datasets.set_same_as("atop-3180", "cow-2205", "removed")
    atop = atlas.repo.get_entity("atop-3180")
    assert atop is not None and all(x.other_id != "cow-2205" for x in atop.disagreements)


def test_disagreements_ignore_the_as_of_year(atlas: Atlas, tmp_path: Path) -> None:
    """As of 1950 the detail lists 12 members, but the comparison is of the whole records."""
    _import_both(atlas, tmp_path)
    detail = atlas.repo.get_entity("atop-3180", as_of=1950)
    assert detail is not None and len(detail.members) == 12
    assert "Members in 2012 (the last year both datasets cover)" in {x.what for x in detail.disagreements}


def test_dataset_alliances_resolve_by_their_citation_name(atlas: Atlas, tmp_path: Path) -> None:
    a, m = write_atop(tmp_path / "atop")
    import_dataset(atlas.repo, atlas.user_data, "atop", alliances=a, members=m)
    import_dataset(atlas.repo, atlas.user_data, "cow", members=write_cow(tmp_path / "cow"))
    assert atlas.repo.resolve("ATOP 3180") == "atop-3180"
    assert atlas.repo.resolve("cow 2205") == "cow-2205"
    assert atlas.repo.resolve("ATOP 9999") is None
    out = tmp_path / "two.json"
    export_data(atlas.repo, FilterSpec(ids=("atop-3180", "cow-2205")), "json", out)
    assert [e["aliases"] for e in json.loads(out.read_text(encoding="utf-8"))["entities"]] == [
        ["ATOP 3180"], ["COW 2205"],
    ]  # fmt: skip


def test_a_catalogue_entity_shows_atop_against_cow_only_when_linked_to_both(atlas: Atlas, tmp_path: Path) -> None:
    _import_both(atlas, tmp_path, cow_defense=0)
    # NATO is linked to ATOP 3180 only: ATOP 3180 against COW 2205 belongs on their pages, not NATO's,
    # whether NATO is read alone (the detail pane) or with ATOP 3180 (an export).
    for ids in (["nato"], ["nato", "atop-3180"]):
        nato = atlas.repo.entity_details(ids)[0]
        assert {x.other_id for x in nato.disagreements} == {"atop-3180"}
    atlas.user_data.datasets.set_same_as("nato", "cow-2205", "confirmed")
    nato = atlas.repo.get_entity("nato")
    assert nato is not None
    defense = next(x for x in nato.disagreements if x.what == "Obligation: defense")
    assert (defense.catalogue.source, defense.dataset.source) == ("ATOP 5.1", "COW 4.1")


def test_the_search_box_finds_a_dataset_alliance_by_its_citation_name(atlas: Atlas, tmp_path: Path) -> None:
    a, m = write_atop(tmp_path / "atop")
    import_dataset(atlas.repo, atlas.user_data, "atop", alliances=a, members=m)
    # The list's search box and `alliance-atlas search` both read list_entities(text=...).
    assert [r.id for r in atlas.repo.list_entities(FilterSpec(text="ATOP 3180"))] == ["atop-3180"]
    assert [r.id for r in atlas.repo.list_entities(FilterSpec(text="atop 1005"))] == ["atop-1005"]
