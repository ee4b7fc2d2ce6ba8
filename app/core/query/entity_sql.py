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


def _text_join(spec: FilterSpec, params: dict[str, Any], *, scored: bool = True) -> tuple[str, bool]:
    """The FTS join for free text; (sql, has_text). Unsearchable text matches nothing.

    The words are tried all together first, then (when nothing has them all) any of them: see
    app.core.query.fts.search_plan. The chosen step's expression is ``:fts_chosen`` in SQL.
    ``scored``: compute bm25 as ``m.score`` (only a ranked order needs it; at 100,000 entities a
    one-letter prefix matches nearly all of them, and bm25 for each took three times the match)."""
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
    score, user_score = (
        (", bm25(entity_fts, 10.0, 6.0, 3.0, 1.0, 0.3) AS score", ", bm25(user_entity_fts, 10.0, 6.0, 1.0) AS score")
        if scored
        else ("", "")
    )
    return (
        f" JOIN (SELECT rowid AS rid{score}"
        f" FROM entity_fts WHERE {cascade_sql('entity_fts', 'fts', len(plan.steps))}"
        f" UNION ALL SELECT rowid AS rid{user_score}"
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


def _rank_order(spec: FilterSpec, params: dict[str, Any]) -> str:
    """Entities by where the words match: an entity the query names (by name or alias) first, then
    matches in names and aliases, then in stated facts (members, activities, categories, years),
    then in quoted descriptions; bm25 within each tier."""
    params["named"] = json.dumps(name_ngrams(spec.text), ensure_ascii=False)
    named = (
        "(lower(e.name) IN (SELECT value FROM json_each(:named))"
        " OR e.id IN (SELECT entity_id FROM alias WHERE lower(alias) IN (SELECT value FROM json_each(:named))))"
    )
    if "fts0" not in params:
        return f"{named} DESC, score ASC, e.sort_name ASC"
    chosen = _chosen_sql(sum(1 for k in params if k[:3] == "fts" and k[3:].isdigit()))
    phrase = ""
    if "fts_phrase" in params:
        phrase = "e.rid IN (SELECT rowid FROM entity_fts WHERE entity_fts MATCH :fts_phrase) DESC, "

    def in_columns(columns: str) -> str:
        return f"e.rid IN (SELECT rowid FROM entity_fts WHERE entity_fts MATCH '{{{columns}}} : (' || {chosen} || ')')"

    tier = (
        f"CASE WHEN {named} THEN 0 WHEN {in_columns('name aliases')} THEN 1"
        f" WHEN {in_columns('facts')} THEN 2 ELSE 3 END"
    )
    return f"{tier} ASC, {phrase}score ASC, e.sort_name ASC"


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


def entity_query(spec: FilterSpec, *, limit: int | None = None) -> Query:
    """SELECT the entities matching ``spec`` in display order, with the list's columns."""
    params: dict[str, Any] = {}
    join, has_text = _text_join(spec, params)
    conds = where_clauses(spec, params)
    sql = _ROWS_SQL.format(score="m.score" if has_text else "0.0", join=join)
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    sql += f" ORDER BY {_order(spec, params, has_text)}"
    if limit is not None:
        params["limit"] = int(limit)
        sql += " LIMIT :limit"
    return Query(sql, params)


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


def rows_query(ids: list[str]) -> Query:
    """The list's columns of these entities (no order; score 0: the order came with the ids)."""
    sql = _ROWS_SQL.format(score="0.0", join="") + " WHERE e.id IN (SELECT value FROM json_each(:ids))"
    return Query(sql, {"ids": json.dumps(list(ids), ensure_ascii=False)})


def count_query(spec: FilterSpec) -> Query:
    params: dict[str, Any] = {}
    join, _ = _text_join(spec, params, scored=False)
    conds = where_clauses(spec, params)
    sql = f"SELECT count(*) FROM entity e{join}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    return Query(sql, params)


def matching_query(spec: FilterSpec) -> Query:
    """SELECT e.id of every entity the filter matches (no order)."""
    params: dict[str, Any] = {}
    join, _ = _text_join(spec, params, scored=False)
    conds = where_clauses(spec, params)
    sql = f"SELECT e.id FROM entity e{join}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    return Query(sql, params)
