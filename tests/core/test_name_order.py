"""The list's order by name from the reference's order in memory (app.core.query.name_order) is the
SQL ORDER BY's, entity for entity: with a search, facets, descending, and dataset entities merged in."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.atlas import Atlas
from app.core.datasets import import_dataset
from app.core.query.entity_sql import ids_query
from app.core.query.filters import FilterSpec
from app.core.query.repository import Repository
from tests.datasets_fixtures import write_atop

SPECS = [
    FilterSpec(),
    FilterSpec(descending=True),
    FilterSpec(text="treaty", typing=True),
    FilterSpec(text="secu", typing=True, descending=True),
    FilterSpec(text="defense OR security", kinds=("alliance", "treaty")),
    FilterSpec(text="nat", typing=True, sort="rank", kinds=("alliance",)),  # ranked: SQL's order
    FilterSpec(sort="rank"),  # ranked without text: by name
    FilterSpec(text="zzzq", typing=True),
    FilterSpec(text="!!", typing=True),
    FilterSpec(as_of=1960),
    FilterSpec(sort="founded"),  # another order: SQL's
    # A search alone runs the cascade's steps one at a time: each step must be the one SQL takes.
    FilterSpec(text="nato"),  # found in the entity's own columns
    FilterSpec(text="authoritarian"),  # only in the paragraphs around quotes (the context step)
    FilterSpec(text="authorit", typing=True),  # the same, half typed: the prefix's context step
    FilterSpec(text="collective zzzq"),  # no entity has both: any of the words (relaxed)
    FilterSpec(text="-treaty"),  # a negative word alone
    FilterSpec(text='"north atlantic"', descending=True),
]


def _sql_ids(repo: Repository, spec: FilterSpec) -> list[str]:
    q = ids_query(spec)
    return [str(r[0]) for r in repo._raw(q.sql, q.params)]


def _check(repo: Repository, spec: FilterSpec) -> None:
    matches = repo.list_matches(spec)
    assert matches.ids == _sql_ids(repo, spec), spec
    # Selection by id finds each entity's row, and none for an entity not listed.
    assert [matches.index_of(i) for i in matches.ids] == list(range(len(matches.ids)))
    every = [str(r[0]) for r in repo._raw("SELECT id FROM entity")]
    assert all(matches.index_of(i) is None for i in every if i not in set(matches.ids))
    assert matches.index_of("no-such-entity") is None


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.text or 'all'}-{s.sort}-{s.descending}")
def test_the_order_by_name_in_memory_is_the_sql_order(repo: Repository, spec: FilterSpec) -> None:
    repo.facet_counts(FilterSpec())  # reads the order (with the facet index, as the window's start does)
    assert repo._name_order is not None
    _check(repo, spec)


def test_dataset_entities_are_merged_into_the_reference_order(atlas: Atlas, tmp_path: Path) -> None:
    repo = atlas.repo
    a, m = write_atop(tmp_path / "atop")
    import_dataset(repo, atlas.user_data, "atop", alliances=a, members=m)
    repo.facet_counts(FilterSpec(kinds=("alliance",)))
    mine = set(repo.list_matches(FilterSpec(origins=("dataset",))).ids)
    assert mine and mine <= set(repo.list_matches(FilterSpec()).ids)  # they are in the list, merged in order
    for spec in (*SPECS, FilterSpec(origins=("dataset",)), FilterSpec(text="alliance", typing=True, descending=True)):
        _check(repo, spec)


def test_your_own_entities_are_found_by_a_search_alone(atlas: Atlas, tmp_path: Path) -> None:
    """An entity made from an imported document is listed, in its place by name, for its words."""
    from app.core.sources.service import add_entity, import_paths

    brief = tmp_path / "brief.md"
    quote = "The South Pacific Defence Council was established in 2019 by Australia and France."
    brief.write_text(f"# Pacific\n\n{quote}\n", encoding="utf-8")
    store = atlas.user_data.sources
    batch = import_paths(atlas.repo, store, [brief])
    eid = add_entity(
        atlas.repo, store, name="Pacific Council", kind="organisation", document=batch.reports[0].id, quote=quote
    )
    repo = atlas.repo
    repo.facet_counts(FilterSpec())
    for text, typing in (("pacific", False), ("pacif", True), ("council", False), ("defence zzzq", False)):
        spec = FilterSpec(text=text, typing=typing)
        _check(repo, spec)
        assert eid in repo.list_matches(spec).ids, text


def test_before_the_order_is_read_the_list_comes_from_sql(repo: Repository) -> None:
    spec = FilterSpec(text="treaty", typing=True)
    assert repo._name_order is None
    assert repo.list_matches(spec).ids == _sql_ids(repo, spec)


def test_a_rid_just_past_the_references_is_one_of_the_others() -> None:
    """Positions come from a table indexed by the reference's rids: a rid one past its last (and one
    of your own, from 10^9) is not the reference's, and is handed back to be merged in by its name."""
    import sqlite3

    import numpy as np

    from app.core.query.name_order import NameOrder

    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE entity (id TEXT, sort_name TEXT)")
    con.executemany("INSERT INTO entity VALUES (?, ?)", [("c", "Charlie"), ("a", "Alpha"), ("b", "Bravo")])
    order = NameOrder(con)
    pos, others = order.positions(np.array([3, 1, 4, 10**9, 2], dtype=np.int64))
    assert order.ids(pos) == ["a", "b", "c"] and others.tolist() == [4, 10**9]
