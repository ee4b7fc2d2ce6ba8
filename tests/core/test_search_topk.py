"""Fast search ranks exactly as FTS5 does: passages from the postings, the entity list from its first tiers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.db import connector, ensure_user_db
from app.core.query import search as search_module
from app.core.query.entity_sql import entity_query
from app.core.query.filters import FilterSpec
from app.core.query.repository import Repository
from app.core.query.topk import Leaf, Node, Unsupported, parse, score
from app.core.query.views import EntityRow
from app.core.reference.postings import ENTITIES
from tests.synthetic import _WORDS, generate_reference

# Common words (each in about 40% of the synthetic passages), half-typed ones, operators, phrases,
# names of synthetic entities, words no passage has, and odd input.
QUERIES = [
    "alliance",
    "alliance security",
    "allian",
    "secur",
    "defence",
    "joint exercise",
    '"joint exercise"',
    "joint exer",
    "joint OR naval",
    "alliance -naval",
    "-naval",
    "treaty Country 003",
    "Country 003 Alliance",
    "joint military drills",
    "UK intelligence",
    "zzz",
    "a",
    '"a b',
    "NEAR(",
    "CSTO OR",
    "défense",
]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repository]:
    root = tmp_path_factory.mktemp("topk")
    ref = generate_reference(root / "ref.sqlite", entities=600, countries=40, memberships=2500, passages=6000)
    ensure_user_db(root / "user.sqlite")
    repo = Repository(connector(ref, root / "user.sqlite"))
    yield repo
    repo.dispose()


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """FTS5's own ranking of every match (what the search did before the postings)."""
    monkeypatch.setattr(search_module.Search, "_postings", lambda self: None)


def _hits(repo: Repository, query: str, typing: bool) -> list[tuple[int, float, str]]:
    return [(h.passage_id, h.score, h.snippet) for h in repo.passage_search(query, limit=50, typing=typing).hits]


@pytest.mark.parametrize("typing", [False, True])
def test_passage_search_returns_fts5s_ranking_to_the_last_bit(
    big: Repository, monkeypatch: pytest.MonkeyPatch, typing: bool
) -> None:
    assert big._search._postings() is not None  # the synthetic reference has its postings
    assert big._search._postings(ENTITIES) is not None
    fast = {q: _hits(big, q, typing) for q in QUERIES}
    _slow(monkeypatch)
    for q in QUERIES:
        assert fast[q] == _hits(big, q, typing), q
    # The common words really are common here: thousands of matches, a full page each.
    assert len(fast["alliance"]) == 50 and len(fast["joint OR naval"]) == 50


@given(
    words=st.lists(st.sampled_from([*_WORDS[:8], "zzz", "countr"]), min_size=1, max_size=4),
    ops=st.lists(st.sampled_from(["", "OR", "-"]), min_size=4, max_size=4),
    typing=st.booleans(),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_mix_of_common_words_ranks_as_fts5_does(
    big: Repository, words: list[str], ops: list[str], typing: bool
) -> None:
    query = " ".join(
        (f"OR {w}" if op == "OR" else f"-{w}" if op == "-" else w) for w, op in zip(words, ops, strict=False)
    )
    fast = _hits(big, query, typing)
    with pytest.MonkeyPatch.context() as mp:
        _slow(mp)
        assert fast == _hits(big, query, typing), query


def test_the_seed_reference_is_ranked_from_its_postings(repo: Repository) -> None:
    assert repo._search._postings() is not None
    found = repo.passage_search("North Atlantic Treaty")
    assert found.hits and "North Atlantic Treaty" in found.hits[0].snippet.replace("[", "").replace("]", "")


def test_a_reference_without_postings_is_still_searched(tmp_path: Path) -> None:
    ref = generate_reference(tmp_path / "ref.sqlite", entities=100, countries=10, memberships=200, passages=500)
    import sqlite3

    con = sqlite3.connect(ref)
    con.execute("DROP TABLE passage_postings")
    con.execute("DROP TABLE entity_doclen")
    con.commit()
    con.close()
    ensure_user_db(tmp_path / "user.sqlite")
    repo = Repository(connector(ref, tmp_path / "user.sqlite"))
    try:
        assert repo._search._postings() is None and repo._search._postings(ENTITIES) is None
        assert len(repo.passage_search("alliance").hits) == 50
        spec = FilterSpec(text="alliance", sort="rank")
        assert repo.list_entities(spec, limit=20) == _full(repo, spec, 20)
    finally:
        repo.dispose()


def test_the_seed_corpus_ranks_every_judged_query_as_fts5_does(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.core.search_judgements import JUDGEMENTS

    # Pair labels ("France – Germany") are named by their label though no document writes it.
    queries = [j.query for j in JUDGEMENTS] + ["France – Germany", "United States – NATO security", "nato"]
    assert repo._search._postings(ENTITIES) is not None
    fast = {q: _hits(repo, q, True) for q in queries}
    for q in queries:
        spec = FilterSpec(text=q, sort="rank")
        for limit in (1, 3):
            assert repo.list_entities(spec, limit=limit) == _full(repo, spec, limit), (q, limit)
    _slow(monkeypatch)
    for q in queries:
        assert fast[q] == _hits(repo, q, True), q


@pytest.mark.parametrize(
    "expr",
    [
        '"nato"',
        '"alliance" OR "defence" OR "defense"',
        '{name aliases facts body} : (("collective" AND "defense"*))',
        '{facts} : ("member" OR "activity") NOT "treaty"',
        '("North Atlantic Treaty Organization" OR "NATO") AND "members"',
        '{context} : "security"',
    ],
)
def test_every_matching_entitys_bm25_is_fts5s_to_the_last_bit(repo: Repository, expr: str) -> None:
    """The seed entities have long context paragraphs (weight 0.3: 0.3 + 0.3 + 0.3 is not 3 × 0.3)."""
    p = repo._search._postings(ENTITIES)
    assert p is not None
    match, total = score(p, parse(expr), repo._raw)
    fts5 = dict(
        repo._raw(
            "SELECT rowid, bm25(entity_fts, 10.0, 6.0, 3.0, 1.0, 0.3) FROM entity_fts WHERE entity_fts MATCH :q",
            {"q": expr},
        )
    )
    ours = {int(r): -float(s) for r, s in zip(p.rowids[match], total[match], strict=True)}
    assert fts5 and ours == fts5


def test_expressions_are_parsed_as_fts5_reads_them() -> None:
    assert parse('"a" AND ("b"* OR "c d") NOT "e"') == Node(
        "AND", (Leaf("a", False), Node("NOT", (Node("OR", (Leaf("b", True), Leaf("c d", False))), Leaf("e", False))))
    )
    assert parse('"a" OR "b" AND "c"') == Node(
        "OR", (Leaf("a", False), Node("AND", (Leaf("b", False), Leaf("c", False))))
    )
    assert parse('"say ""no"""') == Leaf('say "no"', False)
    assert parse('{name aliases} : ("a" OR "b")') == Node(
        "COLUMNS", (Node("OR", (Leaf("a", False), Leaf("b", False))),), ("name", "aliases")
    )
    for odd in ['{Name} : "a"', '"a" "b"', "NEAR(a b)", '("a"', '"a" AND', '"a" ^']:
        with pytest.raises(Unsupported):
            parse(odd)


def _full(repo: Repository, spec: FilterSpec, limit: int | None) -> list[EntityRow]:
    q = entity_query(spec, limit=limit)
    return [EntityRow(*r) for r in repo._raw(q.sql, q.params)]


@pytest.mark.parametrize("typing", [False, True])
def test_the_ranked_entity_list_is_the_full_querys_first_rows(big: Repository, typing: bool) -> None:
    for q in QUERIES:
        for limit in (1, 10, 200):
            for spec in (
                FilterSpec(text=q, sort="rank", typing=typing),
                FilterSpec(text=q, sort="rank", typing=typing, kinds=("alliance",)),
            ):
                assert big.list_entities(spec, limit=limit) == _full(big, spec, limit), (q, limit, spec.kinds)
    # A common word fills the page from the names alone; the count needs no bm25 and agrees.
    spec = FilterSpec(text="alliance", sort="rank")
    assert len(big.list_entities(spec, limit=200)) == 200
    assert big.count_entities(spec) == len(big.list_entities(spec)) > 200
