"""What a PDF summary reads (issue 19, mutation testing of report_data): the timeline figure's caption,
its words for a screen reader, which entities it draws, and the notes and progress of collecting."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.atlas import Atlas
from app.core.exports.data import Cancelled, filter_labels
from app.core.exports.report_data import (
    DEFAULT_TITLE,
    TIMELINE_LIMIT,
    ExportOptions,
    check,
    collect_report,
    plural,
    read_notes,
    timeline_alt,
    timeline_caption,
    timeline_entities,
)
from app.core.query.filters import FilterSpec, describe
from app.core.query.views import EntityDetail


def _d(eid: str, founded: int | None, ended: int | None = None, name: str | None = None) -> EntityDetail:
    return EntityDetail(
        id=eid, name=name or eid.upper(), aliases=(), kind="alliance", category=None, categories=(),
        region=None, founded=founded, ended=ended, stated_members=None, facts=(), members=(), member_of=(),
        related=(), activities=(), mentions=(),
    )  # fmt: skip


def test_the_title_falls_back_to_the_default_and_is_trimmed() -> None:
    assert ExportOptions().display_title == DEFAULT_TITLE == "Alliance Atlas summary"
    assert ExportOptions(title="   ").display_title == "Alliance Atlas summary"
    assert ExportOptions(title="  Baltic brief \n").display_title == "Baltic brief"


def test_plural_words() -> None:
    assert plural(1, "entity", "entities") == "1 entity"
    assert plural(0, "entity", "entities") == "0 entities"
    assert plural(2, "note") == "2 notes"
    assert plural(1, "note") == "1 note"


def test_check_cancels_only_when_progress_says_stop() -> None:
    seen: list[tuple[int, str]] = []
    check(None, 5, "ignored")
    check(lambda p, m: seen.append((p, m)) or True, 7, "Reading…")
    assert seen == [(7, "Reading…")]
    with pytest.raises(Cancelled):
        check(lambda p, m: False, 9, "Stop")


def test_the_timeline_draws_dated_entities_earliest_first_then_by_name() -> None:
    details = [_d("c", 1961), _d("x", None), _d("b", 1949, name="beta"), _d("a", 1949, name="Alpha"), _d("z", 0)]
    assert [d.id for d in timeline_entities(details)] == ["a", "b", "c"]
    many = [_d(f"e{i}", 1900 + i) for i in range(TIMELINE_LIMIT + 5)]
    drawn = timeline_entities(list(reversed(many)))
    assert TIMELINE_LIMIT == 60 and len(drawn) == 60
    assert drawn[0].id == "e0" and drawn[-1].id == "e59"


def test_caption_of_a_plain_timeline() -> None:
    caption = timeline_caption([_d("a", 1949), _d("b", 1955, 1991)])
    assert caption == (
        "Founding year and, where the documents give one, end year of 2 entities;"
        " a hatched bar has no end year stated (not a claim that it still exists)."
    )
    assert timeline_caption([_d("a", 1949)]).startswith(
        "Founding year and, where the documents give one, end year of 1 entity;"
    )


def test_caption_counts_the_undated_and_names_the_broken_axis() -> None:
    details = [_d("old", 1386), _d("a", 1949), _d("b", 1955, 1991), _d("u", None)]
    assert timeline_caption(details) == (
        "Founding year and, where the documents give one, end year of 3 entities;"
        " a hatched bar has no end year stated (not a claim that it still exists)."
        " The year axis is broken between 1400 and 1940 (marked //)."
        " 1 entity without a cited founding year is left out."
    )
    two = timeline_caption([_d("a", 1949), _d("u", None), _d("v", None)])
    assert two.endswith(" 2 entities without a cited founding year are left out.")


def test_caption_says_how_many_recent_ones_are_not_drawn() -> None:
    details = [_d(f"e{i}", 1900 + i) for i in range(TIMELINE_LIMIT + 3)]
    caption = timeline_caption(details)
    assert "end year of 60 entities;" in caption
    assert caption.endswith(" The 3 most recent are not drawn.")
    assert "most recent" not in timeline_caption(details[:TIMELINE_LIMIT])


def test_the_timeline_in_words_for_a_screen_reader() -> None:
    alt = timeline_alt([_d("b", 1955, 1991, name="Warsaw Pact"), _d("a", 1949, name="NATO"), _d("u", None)])
    assert alt == ("Timeline of founding and end years: NATO, from 1949 (no end year stated); Warsaw Pact, 1955–1991.")


def test_collect_report_reads_the_filter_and_reports_progress(atlas: Atlas) -> None:
    seen: list[tuple[int, str]] = []
    spec = FilterSpec(ids=("nato", "csto"))
    data = collect_report(
        atlas.repo, spec, ExportOptions(title=" Two "), progress=lambda p, m: seen.append((p, m)) or True
    )
    assert data.title == "Two"
    assert data.generated == dt.date.today().isoformat()
    assert data.filter_text == describe(spec, filter_labels(atlas.repo))
    assert sorted(d.id for d in data.details) == ["csto", "nato"]
    assert data.meta == atlas.repo.meta() and data.meta
    assert data.documents == {d.id: d.title for d in atlas.repo.documents()} and data.documents
    assert seen[0] == (0, "Reading entities…")
    assert (0, "Reading entity 1 of 2…") in seen and all(0 <= p <= 30 for p, _ in seen)
    assert not data.notes_included and data.notes == {} and data.tags == {}


def test_collect_report_stops_when_cancelled(atlas: Atlas) -> None:
    with pytest.raises(Cancelled):
        collect_report(
            atlas.repo,
            FilterSpec(ids=("nato",)),
            ExportOptions(),
            progress=lambda p, m: not m.startswith("Reading entity "),
        )
    atlas.user_data.notes.create_note("nato", body="x")
    with pytest.raises(Cancelled):
        collect_report(
            atlas.repo, FilterSpec(ids=("nato",)), ExportOptions(include_notes=True),
            user_data=atlas.user_data, progress=lambda p, m: m != "Reading notes…",
        )  # fmt: skip


def test_notes_are_included_only_when_asked_oldest_first_with_tags(atlas: Atlas) -> None:
    notes = atlas.user_data.notes
    first = notes.create_note("nato", title="First", body="Body *one*", tags=["cold war"])
    notes.create_note("nato", body="## Second note\nmore", quote="the quote")
    notes.create_note("csto", body="csto note")
    notes.create_note("warsaw-pact", body="not in the report")
    notes.create_note(None, body="loose")
    notes.tag_entities("treaty org", ["nato"])
    notes.update_note(first.id, body="Body *one*, edited")  # newest edit, still the oldest note
    spec = FilterSpec(ids=("nato", "csto"))
    seen: list[tuple[int, str]] = []
    data = collect_report(
        atlas.repo, spec, ExportOptions(include_notes=True), user_data=atlas.user_data,
        progress=lambda p, m: seen.append((p, m)) or True,
    )  # fmt: skip
    assert (32, "Reading notes…") in seen
    assert data.notes_included
    assert sorted(data.notes) == ["csto", "nato"]
    one, two = data.notes["nato"]
    assert (one.title, one.body, one.quote, one.tags) == ("First", "Body *one*, edited", None, ("cold war",))
    assert (two.title, two.quote) == ("Second note", "the quote")
    assert one.updated_at > two.updated_at
    assert data.tags["nato"] == ["treaty org"]
    without = collect_report(atlas.repo, spec, ExportOptions(include_notes=False), user_data=atlas.user_data)
    assert not without.notes_included and without.notes == {}
    nobody = collect_report(atlas.repo, spec, ExportOptions(include_notes=True))
    assert not nobody.notes_included and nobody.notes == {}


def test_read_notes_leaves_out_passage_notes_without_an_entity(atlas: Atlas) -> None:
    notes = atlas.user_data.notes
    notes.create_note("nato", body="on nato")
    notes.create_note(None, body="on a passage", document_id="doc", start=0, end=4, quote="text")
    got, tags = read_notes(notes, ["nato"])
    assert list(got) == ["nato"] and [n.body for n in got["nato"]] == ["on nato"] and tags == {}
