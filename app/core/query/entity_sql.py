"""Entity SQL: a FilterSpec becomes the list's, the count's and the matching set's SELECT.

The list pane, the graph, the CLI and every export call :func:`entity_query`, so what a user
sees is what they export. Parameters are bound (lists as JSON arrays through ``json_each``),
so the SQL text depends only on which facets are active, never on user input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.core.query.filters import FilterSpec, entity_plan, in_force_sql, name_ngrams
from app.core.query.fts import cascade_sql, search_plan

SORT_COLUMNS: dict[str, str] = {
    "name": "e.sort_name",
    "kind": "e.kind",
    "category": "e.category",
    "founded": "e.founded",
    "members": "e.member_count",
    "region": "e.region",
    "notes": "notes",
}


@dataclass
class Query:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)


def _json(values: tuple[str, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def where_clauses(spec: FilterSpec, params: dict[str, Any]) -> list[str]:
    """The WHERE conditions over ``entity e`` for every active part of the filter."""
    conds: list[str] = []
    if spec.kinds:
        params["kinds"] = _json(spec.kinds)
        conds.append("e.kind IN (SELECT value FROM json_each(:kinds))")
    # Each facet is an "e.id IN (set)" over an index, not a correlated EXISTS per entity:
    # SQLite builds the set once, which keeps 10,000-entity filters in single-digit milliseconds.
    for dim, fact_field in (
        ("categories", "category"),
        ("regions", "region"),
        ("activities", "activity"),
        ("obligations", "obligation"),
    ):
        values = getattr(spec, dim)
        if values:
            params[dim] = _json(values)
            conds.append(
                f"e.id IN (SELECT f.entity_id FROM fact f WHERE f.field = '{fact_field}'"
                f" AND f.value IN (SELECT value FROM json_each(:{dim})))"
            )
    if spec.members:
        # One bound parameter per member (the SQL text depends on how many, never on which): an IN list
        # walks the target index, and SQLite pushes it into each part of the fact view when the user's
        # sources or datasets make it a UNION ALL (a join or a subquery there scanned every fact).
        wanted = sorted(set(spec.members))
        params.update({f"member{i}": m for i, m in enumerate(wanted)})
        listed = ", ".join(f":member{i}" for i in range(len(wanted)))
        members_set = (
            f"SELECT f.entity_id FROM fact f WHERE f.target_id IN ({listed}) AND f.field IN ('member', 'party')"
        )
        if spec.as_of is not None:
            members_set += " AND " + in_force_sql("f")
        if spec.members_mode == "all":
            params["n_members"] = len(set(spec.members))
            members_set += " GROUP BY f.entity_id HAVING count(DISTINCT f.target_id) = :n_members"
        conds.append(f"e.id IN ({members_set})")
    if spec.year_min is not None:
        params["year_min"] = spec.year_min
        conds.append("e.founded >= :year_min")
    if spec.year_max is not None:
        params["year_max"] = spec.year_max
        conds.append("e.founded <= :year_max")
    if spec.as_of is not None:
        params["as_of"] = spec.as_of
        conds.append("(e.founded IS NULL OR e.founded <= :as_of) AND (e.ended IS NULL OR e.ended >= :as_of)")
        # An entity whose members have years (a dataset alliance) needs one of them in force.
        conds.append(
            "(e.id NOT IN (SELECT entity_id FROM fact_span)"
            f" OR e.id IN (SELECT s.entity_id FROM fact_span s WHERE {in_force_sql('s')}))"
        )
    if spec.sources:
        params["sources"] = _json(spec.sources)
        conds.append(
            "e.id IN (SELECT es.entity_id FROM entity_source es"
            " WHERE es.document_id IN (SELECT value FROM json_each(:sources)))"
        )
    if spec.tags:
        params["tags"] = _json(spec.tags)
        conds.append(
            "e.id IN (SELECT et.entity_id FROM entity_tag et JOIN tag t ON t.id = et.tag_id"
            " WHERE t.name IN (SELECT value FROM json_each(:tags)))"
        )
    if spec.origins:
        params["origins"] = _json(spec.origins)
        conds.append("e.origin IN (SELECT value FROM json_each(:origins))")
    if spec.has_notes is not None:
        noted = "e.id IN (SELECT n.entity_id FROM note n WHERE n.deleted_at IS NULL AND n.entity_id IS NOT NULL)"
        conds.append(noted if spec.has_notes else f"NOT {noted}")
    if spec.ids:
        params["ids"] = _json(spec.ids)
        conds.append("e.id IN (SELECT value FROM json_each(:ids))")
    return conds


def _text_join(spec: FilterSpec, params: dict[str, Any], *, scored: bool = True, only: str = "") -> tuple[str, bool]:
    """The FTS join for free text; (sql, has_text). Unsearchable text matches nothing.

    ``scored``: with bm25 (a count or a set of ids needs none: bm25 over every match of a common
    word was most of a count's time). ``only``: an SQL set of entity_fts rowids the reference's
    matches are limited to (a ranked list's first tiers, :func:`ranked_entity_queries`).

    The words are tried all together first, then (when nothing has them all) any of them: see
    app.core.query.fts.search_plan. The chosen step's expression is ``:fts_chosen`` in SQL."""
    if not spec.text.strip():
        return "", False
    plan = entity_plan(spec)
    if plan is None:
        # Only punctuation was typed: nothing can match, and that is not an error.
        return " JOIN (SELECT NULL AS rid, 0.0 AS score WHERE 0) m ON 1", True
    params.update(plan.params("fts"))
    if plan.phrase:
        params["fts_phrase"] = plan.phrase
    # Reference entities are indexed in entity_fts, the user's own in user_entity_fts (rowids from
    # 10^9, the ``rid`` of the entity view: see app.core.sources.views). user_entity_fts has no
    # facts or context columns, so it runs the plan's plain steps.
    user = search_plan(spec.text, typing=spec.typing)
    assert user is not None  # entity_plan found words, so this does too
    params.update(user.params("ufts"))
    ref_score = "bm25(entity_fts, 10.0, 6.0, 3.0, 1.0, 0.3)" if scored else "0.0"
    user_score = "bm25(user_entity_fts, 10.0, 6.0, 1.0)" if scored else "0.0"
    limited = f" AND +rowid IN ({only})" if only else ""
    return (
        f" JOIN (SELECT rowid AS rid, {ref_score} AS score"
        f" FROM entity_fts WHERE {cascade_sql('entity_fts', 'fts', len(plan.steps))}{limited}"
        f" UNION ALL SELECT rowid AS rid, {user_score} AS score"
        f" FROM user_entity_fts WHERE {cascade_sql('user_entity_fts', 'ufts', len(user.steps))}) m ON m.rid = e.rid",
        True,
    )


def _chosen_sql(n_steps: int) -> str:
    """The expression of the step the cascade uses, as SQL (for column-filtered re-matches)."""
    if n_steps == 1:
        return ":fts0"
    whens = " ".join(
        f"WHEN EXISTS (SELECT 1 FROM entity_fts WHERE entity_fts MATCH :fts{i}) THEN :fts{i}"
        for i in range(n_steps - 1)
    )
    return f"(CASE {whens} ELSE :fts{n_steps - 1} END)"


_NAMED = (
    "(lower(e.name) IN (SELECT value FROM json_each(:named))"
    " OR e.id IN (SELECT entity_id FROM alias WHERE lower(alias) IN (SELECT value FROM json_each(:named))))"
)
NAMED_SQL = _NAMED  # an entity the query names (``:named``: name_ngrams of its text)
# Tier 1 and 2 of the ranked order: matches in names and aliases, in stated facts.
_TIER_COLUMNS = ("name aliases", "facts")
TIER_COLUMNS = tuple(frozenset(c.split()) for c in _TIER_COLUMNS)


def _in_columns(columns: str, chosen: str) -> str:
    return f"SELECT rowid FROM entity_fts WHERE entity_fts MATCH '{{{columns}}} : (' || {chosen} || ')'"


def _rank_order(spec: FilterSpec, params: dict[str, Any]) -> str:
    """Entities by where the words match: an entity the query names (by name or alias) first, then
    matches in names and aliases, then in stated facts (members, activities, categories, years),
    then in quoted descriptions; bm25 within each tier."""
    params["named"] = json.dumps(name_ngrams(spec.text), ensure_ascii=False)
    if "fts0" not in params:
        return f"{_NAMED} DESC, score ASC, e.sort_name ASC, e.id ASC"
    phrase = ""
    if "fts_phrase" in params:
        phrase = "e.rid IN (SELECT rowid FROM entity_fts WHERE entity_fts MATCH :fts_phrase) DESC, "
    return f"{_tier_sql(params)} ASC, {phrase}score ASC, e.sort_name ASC, e.id ASC"


def _tier_sql(params: dict[str, Any]) -> str:
    chosen = _chosen_sql(sum(1 for k in params if k[:3] == "fts" and k[3:].isdigit()))
    whens = " ".join(f"WHEN e.rid IN ({_in_columns(c, chosen)}) THEN {i}" for i, c in enumerate(_TIER_COLUMNS, 1))
    return f"CASE WHEN {_NAMED} THEN 0 {whens} ELSE {len(_TIER_COLUMNS) + 1} END"


ROW_COLUMNS = (
    "id",
    "name",
    "kind",
    "category",
    "founded",
    "ended",
    "member_count",
    "stated_members",
    "region",
    "notes",
    "score",
    "origin",
)


_ROWS_SQL = (
    "SELECT e.id, e.name, e.kind, e.category, e.founded, e.ended, e.member_count,"
    " e.stated_members, e.region, COALESCE(nc.n, 0) AS notes, {score} AS score, e.origin FROM entity e{join}"
    " LEFT JOIN (SELECT entity_id, count(*) AS n FROM note WHERE deleted_at IS NULL"
    " GROUP BY entity_id) nc ON nc.entity_id = e.id"
)


def _order(spec: FilterSpec, params: dict[str, Any], has_text: bool) -> str:
    """The list's ORDER BY (every order ends on the id, so it is total and the same in every query)."""
    direction = "DESC" if spec.descending else "ASC"
    if spec.sort == "rank" and has_text:
        return _rank_order(spec, params)
    column = SORT_COLUMNS.get(spec.sort, "e.sort_name")
    if column == "e.sort_name":
        return f"e.sort_name {direction}, e.id {direction}"
    # Unknown values (NULL) sort last in either direction, then by name for a stable order.
    return f"{column} IS NULL, {column} {direction}, e.sort_name ASC, e.id ASC"


def orders_by_name(spec: FilterSpec) -> bool:
    """True when the list's order is ``sort_name, id`` (ascending, or both descending)."""
    by_name = SORT_COLUMNS.get(spec.sort, "e.sort_name") == "e.sort_name"
    return by_name and not (spec.sort == "rank" and bool(spec.text.strip()))


def entity_query(
    spec: FilterSpec, *, limit: int | None = None, max_tier: int | None = None, candidates: list[int] | None = None
) -> Query:
    """SELECT the entities matching ``spec`` in display order, with the list's columns.

    ``max_tier`` (a ranked search only): just the entities of the ranked order's first tiers (0: named,
    1: found by name or alias, 2: by a stated fact), scored by bm25 alone. ``candidates``: the
    reference's entities (entity_fts rowids) limited to these (app.core.query.topk.rank_entities)."""
    params: dict[str, Any] = {}
    only = ""
    if candidates is not None:
        params["candidates"] = json.dumps(candidates)
        only = "SELECT value FROM json_each(:candidates)"
    if max_tier is not None and spec.sort == "rank" and entity_plan(spec) is not None:
        probe: dict[str, Any] = {}
        _text_join(spec, probe)
        chosen = _chosen_sql(sum(1 for k in probe if k[:3] == "fts" and k[3:].isdigit()))
        only = " UNION ".join(
            [
                "SELECT e.rid FROM entity e WHERE " + _NAMED,
                *(_in_columns(c, chosen) for c in _TIER_COLUMNS[:max_tier]),
            ]
        )
    join, has_text = _text_join(spec, params, only=only)
    conds = where_clauses(spec, params)
    if only and max_tier is not None:
        params["named"] = json.dumps(name_ngrams(spec.text), ensure_ascii=False)
        conds.append(f"{_tier_sql(params)} <= {int(max_tier)}")
    score = "m.score" if has_text else "0.0"
    sql = (
        "SELECT e.id, e.name, e.kind, e.category, e.founded, e.ended, e.member_count,"
        " e.stated_members, e.region, COALESCE(nc.n, 0) AS notes, "
        f"{score} AS score, e.origin FROM entity e{join}"
        " LEFT JOIN (SELECT entity_id, count(*) AS n FROM note WHERE deleted_at IS NULL"
        " GROUP BY entity_id) nc ON nc.entity_id = e.id"
    )
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    sql += f" ORDER BY {_order(spec, params, has_text)}"
    if limit is not None:
        params["limit"] = int(limit)
        sql += " LIMIT :limit"
    return Query(sql, params)


@dataclass
class RankedQueries:
    """A ranked search's list, in parts (:func:`ranked_entity_queries`)."""

    full: Query
    probe: Query | None = None  # one row: every match, then how many the first 1, 2... tiers have at least
    tiers: list[Query] = field(default_factory=list)  # the entities of the first 1, 2... tiers, in order


def ranked_entity_queries(spec: FilterSpec, limit: int | None) -> RankedQueries:
    """``entity_query(spec, limit=limit)``, and for a ranked search with a limit its cheaper parts.

    The ranked order starts with its tiers (named, then found by name or alias, then by a stated
    fact), so when the first tiers hold ``limit`` entities, the page is theirs and bm25 is needed for
    them only, not for every entity holding a common word. The probe counts the matches, and in
    each tier the reference's entities the words find in its columns (a lower bound: not counting
    the named ones). A tier query that returns ``limit`` rows is the page; else the full query is."""
    full = entity_query(spec, limit=limit)
    if limit is None or spec.sort != "rank" or not spec.text.strip() or entity_plan(spec) is None:
        return RankedQueries(full)
    params: dict[str, Any] = {}
    _text_join(spec, params)
    chosen = _chosen_sql(sum(1 for k in params if k[:3] == "fts" and k[3:].isdigit()))
    counts = [f"(SELECT count(*) FROM entity_fts WHERE entity_fts MATCH {chosen})"]
    for t in range(1, len(_TIER_COLUMNS) + 1):
        union = " UNION ".join(_in_columns(c, chosen) for c in _TIER_COLUMNS[:t])
        counts.append(f"(SELECT count(*) FROM ({union}))")
    probe = Query("SELECT " + ", ".join(counts), params)
    tiers = [entity_query(spec, limit=limit, max_tier=t) for t in range(1, len(_TIER_COLUMNS) + 1)]
    return RankedQueries(full, probe, tiers)


def ids_query(spec: FilterSpec) -> Query:
    """SELECT e.id of the entities matching ``spec``, in :func:`entity_query`'s order: the list's
    whole order at a fraction of its cost (no row values, no bm25 unless ranked, no note counts
    unless sorted by them), so the window can page the rows in as they scroll into view."""
    params: dict[str, Any] = {}
    ranked = spec.sort == "rank"
    join, has_text = _text_join(spec, params, scored=ranked)
    conds = where_clauses(spec, params)
    sql = f"SELECT e.id FROM entity e{join}"
    if spec.sort == "notes":
        sql += (
            " LEFT JOIN (SELECT entity_id, count(*) AS n FROM note WHERE deleted_at IS NULL"
            " GROUP BY entity_id) nc ON nc.entity_id = e.id"
        )
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    notes = "COALESCE(nc.n, 0)"  # the rows query's ``notes`` column
    order = _order(spec, params, has_text).replace("notes IS NULL, notes", f"{notes} IS NULL, {notes}")
    return Query(f"{sql} ORDER BY {order}", params)


_SEP = "\x1f"  # the unit separator: no entity id holds it (checked by the count that comes with it)


def joined(q: Query, sep: str = "char(31)") -> Query:
    """``q``'s ``id`` column as one row: (count, the values joined by the unit separator, in q's order).

    One row instead of one per entity: fetching 100,000 rows handed the GIL back and forth 100,000
    times, and a worker then waited about a thread switch interval for each row whenever another
    thread ran Python (the GUI thread, another query's Python part). SQLite aggregates an ordered
    subquery in its order (an aggregate never flattens a subquery with ORDER BY)."""
    return Query(f"SELECT count(*), group_concat(j.id, {sep}) FROM ({q.sql}) j", q.params)


def split_joined(row: tuple[Any, ...]) -> list[str] | None:
    """The values of a :func:`joined` row, or None if one of them held the separator (read row by row then)."""
    n, text = int(row[0]), row[1]
    values = str(text).split(_SEP) if n else []
    return values if len(values) == n else None


def rows_query(ids: list[str]) -> Query:
    """The list's columns of these entities (no order; score 0: the order came with the ids)."""
    sql = _ROWS_SQL.format(score="0.0", join="") + " WHERE e.id IN (SELECT value FROM json_each(:ids))"
    return Query(sql, {"ids": json.dumps(list(ids), ensure_ascii=False)})


def count_query(spec: FilterSpec) -> Query:
    return _unordered(spec, "count(*)")


def matching_query(spec: FilterSpec) -> Query:
    """SELECT e.id of every entity the filter matches (no order)."""
    return _unordered(spec, "e.id")


def rids_query(spec: FilterSpec) -> Query:
    """SELECT the ``rid`` (as ``id``) of every entity the filter matches (no order).

    For a search alone, the full-text matches' rowids are the rids: no lookup of each in the entity
    view (97,000 of them for a common word at 100,000 entities). A rowid with no entity (none in a
    built reference) is left out by the caller, which reads entities by rid (app.core.query.name_order)."""
    params: dict[str, Any] = {}
    join, has_text = _text_join(spec, params, scored=False)
    prefix, suffix = " JOIN (", ") m ON m.rid = e.rid"
    if has_text and join.startswith(prefix) and join.endswith(suffix) and not where_clauses(spec, {}):
        return Query(f"SELECT m.rid AS id FROM ({join[len(prefix) : -len(suffix)]}) m", params)
    return _unordered(spec, "e.rid AS id")


def search_queries(spec: FilterSpec) -> tuple[list[Query], Query] | None:
    """A search's matching rids as (count, comma-joined rowids) queries, for a search with no other
    filter: one per step of the reference's cascade (the caller takes the first that finds anything,
    the step :func:`app.core.query.fts.cascade_sql` takes) and the user's entities' own cascade.
    None when the text holds nothing searchable."""
    plan = entity_plan(spec)
    user = search_plan(spec.text, typing=spec.typing)
    if plan is None or user is None:
        return None
    select = "SELECT count(*), group_concat(rowid, ',') FROM {table} WHERE "
    steps = [Query(select.format(table="entity_fts") + "entity_fts MATCH :q", {"q": e}) for e, _r in plan.steps]
    mine = select.format(table="user_entity_fts") + cascade_sql("user_entity_fts", "ufts", len(user.steps))
    return steps, Query(mine, user.params("ufts"))


def _unordered(spec: FilterSpec, what: str) -> Query:
    """SELECT ``what`` over the entities the filter matches, with no ranking (no bm25)."""
    params: dict[str, Any] = {}
    join, _ = _text_join(spec, params, scored=False)
    conds = where_clauses(spec, params)
    sql = f"SELECT {what} FROM entity e{join}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    return Query(sql, params)
