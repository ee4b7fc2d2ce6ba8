"""One filter, one query: FilterSpec semantics, faceted counts, and search that never raises."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.query.filters import FilterSpec, describe
from app.core.query.fts import to_fts_query


def ids(rows) -> list[str]:
    return [r.id for r in rows]


def test_typing_narrows_the_list(repo) -> None:
    everything = repo.list_entities(FilterSpec())
    some = repo.list_entities(FilterSpec(text="collective"))
    fewer = repo.list_entities(FilterSpec(text="collective security treaty"))
    assert len(everything) == repo.total_entities() > len(some) > len(fewer) > 0
    assert "csto" in ids(fewer)


def test_prefix_search_while_typing_and_british_spelling(repo) -> None:
    assert "nato" in ids(repo.list_entities(FilterSpec(text="nat", typing=True)))
    assert repo.list_entities(FilterSpec(text="nat")) == []  # typed in full (the command line): no prefix
    # The documents write "defense"; "defence" finds the same entities.
    assert ids(repo.list_entities(FilterSpec(text="collective defence"))) == ids(
        repo.list_entities(FilterSpec(text="collective defense"))
    )


def test_facets_combine_and_count_under_the_other_facets(repo) -> None:
    spec = FilterSpec(kinds=("alliance",))
    alliances = repo.list_entities(spec)
    assert alliances and all(r.kind == "alliance" for r in alliances)
    facets = repo.facet_counts(spec)
    kind_counts = {f.value: f.count for f in facets["kinds"]}
    # The kind facet ignores its own selection (so other kinds stay visible with their counts)...
    assert kind_counts["alliance"] == len(alliances) and kind_counts["country"] > 0
    # ...while other dimensions count only alliances.
    cats = {f.value: f.count for f in facets["categories"]}
    assert sum(cats.values()) >= 1
    for value, count in cats.items():
        assert count == len(repo.list_entities(FilterSpec(kinds=("alliance",), categories=(value,))))


def test_members_any_and_all(repo) -> None:
    any_ = ids(repo.list_entities(FilterSpec(members=("russia", "japan"))))
    all_ = ids(repo.list_entities(FilterSpec(members=("russia", "armenia"), members_mode="all")))
    assert "csto" in any_ and "quad" in any_
    assert all_ == ["csto"]
    assert repo.list_entities(FilterSpec(members=("russia", "japan"), members_mode="all")) == []


def test_year_range_and_sources(repo) -> None:
    rows = repo.list_entities(FilterSpec(year_min=1940, year_max=1960))
    assert rows and all(1940 <= r.founded <= 1960 for r in rows)
    assert "nato" in ids(rows)
    cited = repo.list_entities(FilterSpec(sources=("islamic-nation-military-relations",)))
    assert "islamic-nation-china" in ids(cited) and "csto" not in ids(cited)


def test_sorting_happens_in_sql(repo) -> None:
    by_year = repo.list_entities(FilterSpec(sort="founded"))
    years = [r.founded for r in by_year if r.founded is not None]
    assert years == sorted(years) and by_year[-1].founded is None  # unknown years last
    desc = repo.list_entities(FilterSpec(sort="members", descending=True))
    assert desc[0].member_count == max(r.member_count for r in desc)


def test_summary_reads_as_a_sentence(repo) -> None:
    spec = FilterSpec(text="nato", kinds=("alliance", "treaty"), members=("russia",), year_min=1949, year_max=1992)
    text = describe(spec, repo.entity_names())
    assert text == "Entities matching “nato”; kind: alliance or treaty; with Russia; founded 1949–1992"
    assert describe(FilterSpec()) == "All entities"


def test_summary_does_not_nest_quotes_around_a_phrase() -> None:
    """Issue 14: a phrase search read “"collective defense"”."""
    assert describe(FilterSpec(text='"collective defense"')) == "Entities matching “collective defense”"
    assert describe(FilterSpec(text='"collective defense" -NATO')) == "Entities matching “collective defense” -NATO"
    assert describe(FilterSpec(text='say "')) == 'Entities matching “say "”'  # a stray quote stays as typed


def test_filter_spec_round_trips_through_json() -> None:
    spec = FilterSpec(text="x", kinds=("alliance",), members=("a", "b"), members_mode="all", year_min=1, has_notes=True)
    assert FilterSpec.from_json(spec.to_json()) == spec


def test_passage_search_is_ranked_with_highlighted_snippets(repo) -> None:
    hits = repo.search_passages("Haiti")
    assert hits and "[[Haiti]]" in hits[0].snippet
    assert hits[0].file_name == "strategic-partnerships-global-stability.txt"
    assert hits[0].section == "Humanitarian Assistance and Disaster Relief"


ODD = [
    '"',
    "(",
    ")",
    "NEAR(",
    "AND",
    "OR",
    "NOT",
    "*",
    "-",
    ":",
    "^",
    "'",
    "北约",
    "НАТО",
    "حلف",
    "a OR",
    "OR b",
    "--x",
    '"unbalanced',
    "x:y*",
    "{}",
    "\\",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=12)), max_size=6).map(" ".join))
def test_free_text_never_raises(repo, text: str) -> None:
    repo.list_entities(FilterSpec(text=text))
    repo.search_passages(text)
    repo.count_entities(FilterSpec(text=text, kinds=("alliance",)))


@given(st.text(max_size=40))
def test_fts_query_is_none_or_quoted_terms(text: str) -> None:
    expr = to_fts_query(text)
    if expr is not None:
        # Every term reaching FTS5 is quoted: no bare operator or syntax from the user.
        outside = re.sub(r'"(?:[^"]|"")*"\*?', " ", expr).replace("(", " ").replace(")", " ")
        assert set(outside.split()) <= {"AND", "OR", "NOT"}, (text, expr)


@pytest.mark.parametrize(
    ("typed", "first"),
    [("united states", "united-states"), ("CSTO", "csto"), ("five eyes", "five-eyes"), ("U.S.", "united-states")],
)
def test_ranked_search_puts_the_entity_named_as_typed_first(repo, typed, first) -> None:
    ranked = [r.id for r in repo.list_entities(FilterSpec(text=typed, sort="rank"), limit=5)]
    assert ranked[0] == first, ranked


def test_typing_a_word_letter_by_letter_never_empties_the_list(repo) -> None:
    """The index holds stems ("secur"): "securi" and "securit" must not find nothing on the way."""
    word = "security"
    full = set(ids(repo.list_entities(FilterSpec(text=word))))
    for n in range(3, len(word) + 1):
        typed = word[:n]
        found = set(ids(repo.list_entities(FilterSpec(text=typed, typing=True))))
        assert found >= full, typed
        assert repo.search_passages(typed, typing=True), typed
        assert repo.facet_counts(FilterSpec(text=typed, typing=True))["kinds"], typed  # counts follow the same query
    # A word that matches as typed is not broadened: "nation" does not also find "native".
    assert to_fts_query("nation") == '"nation"*'


def test_a_word_with_a_typo_tail_is_not_broadened(repo) -> None:
    assert repo.list_entities(FilterSpec(text="CSTOXYZ")) == []


@pytest.mark.parametrize(
    ("year_min", "year_max", "has_nato"),
    [
        (1949, 1949, True),  # a range whose both ends equal NATO's founding year
        (1949, None, True),
        (None, 1949, True),
        (1950, None, False),
        (None, 1948, False),
        (1950, 1960, False),
        (1940, 1948, False),
    ],
)
def test_year_range_bounds_are_inclusive(repo, year_min, year_max, has_nato) -> None:
    rows = repo.list_entities(FilterSpec(year_min=year_min, year_max=year_max))
    assert ("nato" in ids(rows)) is has_nato
    assert all(r.founded is not None for r in rows)
    assert all(year_min is None or r.founded >= year_min for r in rows)
    assert all(year_max is None or r.founded <= year_max for r in rows)
    assert repo.count_entities(FilterSpec(year_min=year_min, year_max=year_max)) == len(rows)


def test_filter_spec_json_is_stable_text_with_sorted_keys_and_unescaped_names() -> None:
    """Saved filters are compared and stored as this text: the same spec always gives the same bytes."""
    spec = FilterSpec(text="Đoàn", kinds=("alliance",), year_max=1949)
    text = spec.to_json()
    assert "Đoàn" in text  # not \\u escapes
    keys = list(json.loads(text))
    assert keys == sorted(keys) and text.index('"descending"') < text.index('"year_min"')
    assert FilterSpec.from_json(text) == spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "a saved filter must be a JSON object"),
        ('{"kinds": ["alliance", 3]}', "'kinds' must be a list of strings"),
        ('{"year_min": "1949"}', "'year_min' must be a whole number"),
        ('{"year_max": 1949.5}', "'year_max' must be a whole number"),
        ('{"text": 7}', "'text' must be a string"),
    ],
)
def test_a_malformed_saved_filter_is_a_value_error_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        FilterSpec.from_json(text)


def test_unknown_keys_in_a_saved_filter_are_ignored() -> None:
    assert FilterSpec.from_json('{"kinds": ["treaty"], "colour": "red"}') == FilterSpec(kinds=("treaty",))


def test_cleared_keeps_only_the_sort_and_is_empty() -> None:
    spec = FilterSpec(text="x", kinds=("alliance",), has_notes=True, sort="founded", descending=True)
    cleared = spec.cleared()
    assert cleared == FilterSpec(sort="founded", descending=True)
    assert cleared.is_empty() and not spec.is_empty()
    assert not FilterSpec(ids=("nato",)).is_empty() and not FilterSpec(has_notes=False).is_empty()
    with pytest.raises(ValueError, match="unknown facet dimension 'colour'"):
        spec.without("colour")
    assert spec.without("kinds") == FilterSpec(text="x", has_notes=True, sort="founded", descending=True)


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (FilterSpec(), "All entities"),
        (FilterSpec(text="  joint  "), "Entities matching “joint”"),
        (FilterSpec(kinds=("alliance",)), "Entities kind: alliance"),
        (
            FilterSpec(categories=("regional", "bilateral", "multilateral")),
            "Entities category: regional, bilateral or multilateral",
        ),
        (FilterSpec(regions=("Europe",)), "Entities region: Europe"),
        (FilterSpec(members=("ru", "jp")), "Entities with Russia or Japan"),
        (FilterSpec(members=("ru", "jp"), members_mode="all"), "Entities with Russia and Japan"),
        (
            FilterSpec(activities=("joint exercises", "peacekeeping")),
            "Entities activity: joint exercises or peacekeeping",
        ),
        (FilterSpec(year_min=1949), "Entities founded 1949 or later"),
        (FilterSpec(year_max=1949), "Entities founded 1949 or earlier"),
        (FilterSpec(year_min=1949, year_max=1955), "Entities founded 1949–1955"),
        (FilterSpec(sources=("doc-a", "doc-b")), "Entities cited in Document A or Document B"),
        (FilterSpec(tags=("lesson 3",)), "Entities tagged lesson 3"),
        (FilterSpec(has_notes=True), "Entities with notes"),
        (FilterSpec(has_notes=False), "Entities without notes"),
        (FilterSpec(ids=("ru",)), "Entities selected: Russia"),
        (FilterSpec(ids=("ru", "jp", "doc-a")), "Entities selected: Russia, Japan and Document A"),
        (FilterSpec(ids=("ru", "jp", "x", "y")), "Entities 4 selected"),
        (FilterSpec(kinds=("treaty",), has_notes=True), "Entities kind: treaty; with notes"),
    ],
)
def test_every_part_of_the_summary_line(spec: FilterSpec, text: str) -> None:
    labels = {"ru": "Russia", "jp": "Japan", "doc-a": "Document A", "doc-b": "Document B"}
    assert describe(spec, labels) == text
    assert describe(spec) == text.replace("Russia", "ru").replace("Japan", "jp").replace("Document ", "doc-").replace(
        "doc-A", "doc-a"
    ).replace("doc-B", "doc-b")


def test_a_facet_count_for_an_unknown_dimension_is_refused_by_name() -> None:
    from app.core.query.facets import facet_query

    with pytest.raises(ValueError, match=r"^unknown facet dimension 'colour'$"):
        facet_query(FilterSpec(), "colour")
