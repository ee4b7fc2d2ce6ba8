"""Edges of what comes in from outside: notes' times from another machine, dataset files and their
counts, links between two datasets, hand-made entities, and the suggestions found in a document.
Each test was written against a mutant that the sixth mutation run found alive (tests/README.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.datasets import DatasetError, plan_files
from app.core.datasets.same_as import propose_between_datasets
from app.core.datasets.timing import count_time
from app.core.sources.curate import CurationRefused, check_named
from app.core.sources.mentions import MentionMatcher
from app.core.sources.suggest import sentences, suggest
from app.core.userdata.notes_model import parse_time


def test_a_note_time_with_its_own_zone_is_read_as_that_time() -> None:
    """A note exported at 12:00 in Helsinki (+02:00) was written at 10:00 UTC; one without a zone is UTC."""
    assert parse_time("2026-03-01T12:00:00+02:00") == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert parse_time(" 2026-03-01T12:00:00z ") == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_time("2026-03-01T12:00:00") == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_atop_without_its_alliance_file_says_which_files_it_needs(tmp_path: Path) -> None:
    members = tmp_path / "atop5_1m.csv"
    members.write_text("atopid,member\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^ATOP needs both files: the alliance-level file and the member-level"):
        plan_files({}, "atop", members=members)


@pytest.mark.parametrize(
    ("quote", "why"),
    [
        ("Today it counts 32 members.", "the quote says “Today” and gives no year"),
        ("By 1990 it had 16 members.", "the quote says “By 1990”"),
        ("The alliance had 12 founding members in 1949.", "the quote says “founding members”"),
    ],
)
def test_when_a_count_holds_is_told_with_the_quotes_own_words(quote: str, why: str) -> None:
    when = count_time(quote)
    assert when is not None and when.why == why


def test_two_equally_good_matches_in_the_other_dataset_propose_no_link() -> None:
    """ATOP's alliance shares every member with two COW alliances of its year: no link is proposed
    (which would be a guess), though each COW alliance's only candidate is that ATOP alliance."""
    atop = {"atop-1": (1949, frozenset({"usa", "can", "gbr"}))}
    tie = {"cow-1": (1949, frozenset({"usa", "can", "gbr"})), "cow-2": (1949, frozenset({"usa", "can", "gbr"}))}
    assert propose_between_datasets(atop, tie) == []
    one = {"cow-1": (1949, frozenset({"usa", "can", "gbr"})), "cow-2": (1949, frozenset({"usa", "fra"}))}
    assert [link[:2] for link in propose_between_datasets(atop, one)] == [("atop-1", "cow-1")]


def test_a_member_named_in_capitals_in_its_quote_is_named() -> None:
    check_named("France", ["France"], "The pact was signed by FRANCE and Germany in 1963.")
    with pytest.raises(CurationRefused, match="France is not named"):
        check_named("France", ["France"], "The pact was signed by Germany in 1963.")


def test_an_acronym_defined_after_a_name_with_for_in_it_is_suggested_by_that_name() -> None:
    text = "The Council for Mutual Defence (CMD) was founded in 1999 by Ruritania and Freedonia."
    found = suggest(text, [(0, len(text))], MentionMatcher([]), {})
    named = {c.name: c for c in found}
    assert "Council for Mutual Defence" in named and "CMD" in named["Council for Mutual Defence"].aliases


def test_a_paragraph_is_split_into_its_sentences_but_not_at_an_abbreviation() -> None:
    text = "NATO was founded in 1949 by the U.S. and Canada. It has 32 members! Is it growing?\nYes"
    got = [s.text for s in sentences(text)]
    assert got == ["NATO was founded in 1949 by the U.S. and Canada.", "It has 32 members!", "Is it growing?", "Yes"]
    assert all(text[s.start : s.end] == s.text for s in sentences(text))
