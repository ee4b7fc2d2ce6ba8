"""The plain values the repository returns (issue 19, mutation testing of query/views): the members
column, a dataset citation as the pane and the files show it, a membership's years, and the [[ ]]
highlight markers of search snippets."""

from __future__ import annotations

from app.core.query.views import DatasetCitation, EntityRow, Link, highlight_spans, plain_snippet


def _row(member_count: int, stated: int | None) -> EntityRow:
    return EntityRow("nato", "NATO", "alliance", None, 1949, None, member_count, stated, None, 0)


def test_the_members_column_prefers_the_listed_members_over_the_stated_count() -> None:
    assert _row(32, 30).members_display == 32
    assert _row(0, 30).members_display == 30
    assert _row(0, None).members_display is None
    assert _row(1, None).members_display == 1


def test_a_dataset_citation_reads_record_variable_and_value() -> None:
    c = DatasetCitation(7, "ATOP", "5.1", "atop5_1a.csv", "3180", "defense", "1")
    assert c.label == "ATOP 3180, defense = 1"
    assert c.as_json() == {
        "dataset": "ATOP",
        "version": "5.1",
        "file": "atop5_1a.csv",
        "record": "3180",
        "field": "defense",
        "value": "1",
    }
    assert list(c.as_json()) == ["dataset", "version", "file", "record", "field", "value"]


def test_a_membership_shows_its_years_only_when_a_dataset_gives_them() -> None:
    assert Link("es", "Spain", "country", "member", ()).years == ""
    assert Link("es", "Spain", "country", "member", (), start_year=1982).years == "1982–"
    assert Link("x", "X", "country", "member", (), start_year=1815, end_year=1816).years == "1815–1816"
    assert Link("x", "X", "country", "member", (), start_year=0, end_year=0).years == "0–0"


def test_snippet_markers_come_off_for_plain_text() -> None:
    assert plain_snippet("the [[North Atlantic]] Treaty [[Organization]]") == "the North Atlantic Treaty Organization"
    assert plain_snippet("no marks") == "no marks"


def test_snippet_splits_into_highlighted_runs() -> None:
    assert highlight_spans("the [[North Atlantic]] Treaty [[Org]]") == [
        (False, "the "),
        (True, "North Atlantic"),
        (False, " Treaty "),
        (True, "Org"),
    ]
    assert highlight_spans("[[a]][[b]]") == [(True, "a"), (True, "b")]
    assert highlight_spans("") == []
    assert highlight_spans("plain") == [(False, "plain")]
    assert highlight_spans("x [[open only") == [(False, "x [[open only")]
