"""The list's query at scale: EntityMatches (ids in order, rows paged in) and facet counts from memory."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.core.atlas import Atlas
from app.core.datasets import import_dataset, remove_dataset
from app.core.query.facets import facet_query
from app.core.query.filters import DIMENSIONS, FilterSpec
from app.core.query.matches import PAGE, EntityMatches
from app.core.query.repository import Repository
from app.core.query.views import EntityRow
from tests.datasets_fixtures import write_atop

SPECS = [
    FilterSpec(),
    FilterSpec(text="treaty", typing=True),
    FilterSpec(text="nat", typing=True, sort="rank"),
    FilterSpec(kinds=("alliance",), sort="founded", descending=True),
    FilterSpec(sort="members"),
    FilterSpec(sort="notes", descending=True),
    FilterSpec(text="collective defense", sort="region"),
    FilterSpec(text="zzzq"),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.text or 'all'}-{s.sort}")
def test_matches_list_the_same_entities_in_the_same_order_as_the_full_query(repo: Repository, spec) -> None:
    full = repo.list_entities(spec)
    matches = repo.list_matches(spec, first=7)
    assert matches.ids == [r.id for r in full]
    assert len(matches) == len(full) == repo.count_entities(spec)
    # Every row, read as asked for, has the list's values (the score is the order's business).
    assert list(matches) == [dataclasses.replace(r, score=0.0) for r in full]


def test_rows_are_read_a_page_at_a_time_and_only_when_asked_for() -> None:
    ids = [f"e{i:05d}" for i in range(3 * PAGE + 5)]
    reads: list[list[str]] = []

    def load(wanted: list[str]) -> list[EntityRow]:
        reads.append(wanted)
        return [EntityRow(i, i.upper(), "alliance", None, None, None, 0, None, None, 0) for i in reversed(wanted)]

    matches = EntityMatches(FilterSpec(), ids, load, [])
    assert matches.loaded(0) is None and not reads
    assert matches[PAGE + 3].name == ids[PAGE + 3].upper()
    assert reads == [ids[PAGE : 2 * PAGE]]  # that row's page, nothing else
    assert matches.loaded(PAGE) is not None and matches.loaded(0) is None
    assert matches[-1].id == ids[-1] and reads[-1] == ids[3 * PAGE :]
    assert matches.index_of(ids[2 * PAGE]) == 2 * PAGE and matches.index_of("nope") is None
    assert [r.id for r in matches] == ids  # iterating reads the rest, in order


def test_a_row_gone_since_the_ids_were_read_is_a_bare_row_not_an_error() -> None:
    matches = EntityMatches(FilterSpec(), ["a", "b"], lambda wanted: [], [])
    assert matches[1].id == "b" and matches[1].name == "b"
    bare = matches[0]  # nothing claimed about an entity no longer there
    assert (bare.kind, bare.category, bare.founded, bare.region, bare.notes) == ("", None, None, None, 0)
    assert bare.member_count == 0 and bare.members_display is None


def _sql_facets(repo: Repository, spec: FilterSpec) -> dict[str, list[tuple[str, str, int]]]:
    out = {}
    for dim in DIMENSIONS:
        q = facet_query(spec, dim)
        out[dim] = sorted((str(v), str(lbl), int(n)) for v, lbl, n in repo._raw(q.sql, q.params))
    return out


def _facets(repo: Repository, spec: FilterSpec) -> dict[str, list[tuple[str, str, int]]]:
    return {d: sorted((f.value, f.label, f.count) for f in v) for d, v in repo.facet_counts(spec).items()}


def test_facet_counts_from_memory_equal_the_sql_counts_with_a_dataset_and_after_its_removal(
    atlas: Atlas, tmp_path: Path
) -> None:
    repo = atlas.repo
    a, m = write_atop(tmp_path / "atop")
    import_dataset(repo, atlas.user_data, "atop", alliances=a, members=m)
    member = repo._raw("SELECT target_id FROM fact WHERE field = 'member' AND start_year IS NOT NULL LIMIT 1")[0][0]
    specs = [
        FilterSpec(),
        FilterSpec(text="treaty", typing=True),
        FilterSpec(kinds=("alliance",), categories=("military alliance",)),
        FilterSpec(as_of=1960),
        FilterSpec(as_of=1960, members=(member,)),
        FilterSpec(origins=("dataset",), obligations=("defense",)),
        FilterSpec(members=(member, "united-states"), members_mode="all"),
        FilterSpec(text="zzzq"),
    ]
    for spec in specs:
        assert _facets(repo, spec) == _sql_facets(repo, spec), spec
    assert any(v[0] == "dataset" for v in _facets(repo, FilterSpec())["origins"])
    remove_dataset(atlas.user_data, "atop")
    assert _facets(repo, FilterSpec(kinds=("alliance",))) == _sql_facets(repo, FilterSpec(kinds=("alliance",)))
    assert not _facets(repo, FilterSpec())["obligations"]


def test_tag_counts_follow_the_users_tags_at_once(atlas: Atlas) -> None:
    repo = atlas.repo
    assert _facets(repo, FilterSpec(kinds=("alliance",)))["tags"] == []
    atlas.user_data.notes.set_entity_tags("nato", ["watch"])
    assert _facets(repo, FilterSpec(kinds=("alliance",)))["tags"] == [("watch", "watch", 1)]


def test_names_beginning_with_a_prefix_either_case_and_wildcards_taken_literally(repo: Repository) -> None:
    """The list's type-ahead: which entities' names begin with what was typed."""
    names = dict(repo.entity_names())
    for prefix in ("n", "NAT", "five e", "Collective S"):
        expected = {i for i, name in names.items() if name.casefold().startswith(prefix.casefold())}
        assert expected and repo.ids_named(prefix) == expected, prefix
    # LIKE's wildcards and its escape are letters here: no name begins with them.
    for literal in ("%", "_", "N_TO", "\\", "%ATO", "N%"):
        assert repo.ids_named(literal) == set(), literal
    assert repo.ids_named("") == set()
