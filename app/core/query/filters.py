"""FilterSpec: the one description of what the user is looking at, and the one place it becomes SQL.

The list pane, the graph, the CLI and every export call :func:`entity_query`, so what a user
sees is what they export. Parameters are bound (lists as JSON arrays through ``json_each``),
so the SQL text depends only on which facets are active, never on user input.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from app.core.query.fts import MAX_NAME_WORDS, SearchPlan, cascade_sql, search_plan

SortKey = Literal["rank", "name", "kind", "category", "founded", "members", "region", "notes"]
SORT_COLUMNS: dict[str, str] = {
    "name": "e.sort_name",
    "kind": "e.kind",
    "category": "e.category",
    "founded": "e.founded",
    "members": "e.member_count",
    "region": "e.region",
    "notes": "notes",
}
# Facet dimensions FilterSpec can restrict; facet_counts() reports one list per dimension.
DIMENSIONS = ("kinds", "categories", "regions", "members", "activities", "sources", "tags", "origins", "obligations")
ORIGIN_LABELS = {"reference": "Reference catalogue", "user": "From your documents", "dataset": "From datasets"}
_ORIGIN_LABEL_SQL = (
    "CASE e.origin WHEN 'user' THEN 'From your documents' WHEN 'dataset' THEN 'From datasets'"
    " ELSE 'Reference catalogue' END"
)


def in_force_sql(alias: str, param: str = ":as_of") -> str:
    """A fact of ``alias`` holds in the year ``param``: a dataset membership's years span it (a fact
    without years, as every catalogue fact, holds whenever its entity does)."""
    return (
        f"({alias}.start_year IS NULL OR {alias}.start_year <= {param})"
        f" AND ({alias}.end_year IS NULL OR {alias}.end_year >= {param})"
    )


@dataclass(frozen=True)
class FilterSpec:
    """An immutable, Qt-free filter. Empty tuples and None mean "no restriction"."""

    text: str = ""
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # entity ids of member/party countries
    members_mode: Literal["any", "all"] = "any"
    activities: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    # Only what was in force that year: entities founded by then and not ended before, dataset
    # alliances with a membership spanning it, and (in facets, graph, detail) only those members.
    as_of: int | None = None
    sources: tuple[str, ...] = ()  # document ids
    tags: tuple[str, ...] = ()  # user tag names
    origins: tuple[str, ...] = ()  # "reference" (the catalogue), "user" (your documents), "dataset"
    obligations: tuple[str, ...] = ()  # a dataset alliance's obligations: defense, offense, neutral, nonagg...
    has_notes: bool | None = None
    ids: tuple[str, ...] = ()  # an explicit selection (exports of "the selected entities")
    sort: SortKey = "name"
    descending: bool = False
    # The text is being typed in the window's search box: its last word may be a prefix. Never set
    # from the command line, where every word is typed in full.
    typing: bool = False

    def is_empty(self) -> bool:
        return self == FilterSpec(sort=self.sort, descending=self.descending, typing=self.typing)

    def without(self, dimension: str) -> FilterSpec:
        """The same filter with one facet dimension cleared (for faceted counts)."""
        if dimension not in DIMENSIONS:
            raise ValueError(f"unknown facet dimension {dimension!r}")
        return replace(self, **{dimension: ()})  # type: ignore[arg-type]

    def cleared(self) -> FilterSpec:
        return FilterSpec(sort=self.sort, descending=self.descending, typing=self.typing)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> FilterSpec:
        """Rebuild from :meth:`to_json`; unknown keys are ignored, wrong types raise ValueError."""
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("a saved filter must be a JSON object")
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in raw:
                continue
            value = raw[f.name]
            if isinstance(value, list):
                if not all(isinstance(v, str) for v in value):
                    raise ValueError(f"'{f.name}' must be a list of strings")
                value = tuple(value)
            kwargs[f.name] = value
        spec = cls(**kwargs)
        for name in ("year_min", "year_max", "as_of"):
            v = getattr(spec, name)
            if v is not None and not isinstance(v, int):
                raise ValueError(f"'{name}' must be a whole number")
        if not isinstance(spec.text, str):
            raise ValueError("'text' must be a string")
        return spec


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


def _text_join(spec: FilterSpec, params: dict[str, Any]) -> tuple[str, bool]:
    """The FTS join for free text; (sql, has_text). Unsearchable text matches nothing.

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
    return (
        " JOIN (SELECT rowid AS rid, bm25(entity_fts, 10.0, 6.0, 3.0, 1.0, 0.3) AS score"
        f" FROM entity_fts WHERE {cascade_sql('entity_fts', 'fts', len(plan.steps))}"
        " UNION ALL SELECT rowid AS rid, bm25(user_entity_fts, 10.0, 6.0, 1.0) AS score"
        f" FROM user_entity_fts WHERE {cascade_sql('user_entity_fts', 'ufts', len(user.steps))}) m ON m.rid = e.rid",
        True,
    )


# The columns an entity is found by first; the paragraphs around its quotes ("context") only when
# nothing is found by these: "CSTO" lists the CSTO, not every country in a paragraph naming it.
_OWN_COLUMNS = "{name aliases facts body}"


def entity_plan(spec: FilterSpec) -> SearchPlan | None:
    """The search plan for the entity list: each step on the entity's own columns, then with context."""
    plan = search_plan(spec.text, typing=spec.typing)
    if plan is None:
        return None
    steps: list[tuple[str, bool]] = []
    for expr, relaxed in plan.steps:
        steps += [(f"{_OWN_COLUMNS} : ({expr})", relaxed), (expr, relaxed)]
    return replace(plan, steps=tuple(steps))


def _chosen_sql(n_steps: int) -> str:
    """The expression of the step the cascade uses, as SQL (for column-filtered re-matches)."""
    if n_steps == 1:
        return ":fts0"
    whens = " ".join(
        f"WHEN EXISTS (SELECT 1 FROM entity_fts WHERE entity_fts MATCH :fts{i}) THEN :fts{i}"
        for i in range(n_steps - 1)
    )
    return f"(CASE {whens} ELSE :fts{n_steps - 1} END)"


_EDGE_PUNCT = "\"'“”‘’()[]{}<>,;:!?"


def name_ngrams(text: str) -> list[str]:
    """Every run of up to MAX_NAME_WORDS words of ``text``, lower-cased, for "is an entity named here?"
    (with the document's curly apostrophe as well: "Ministers'" finds "Ministers’")."""
    words = [w.strip(_EDGE_PUNCT) for w in text.split()]
    words = [w for w in words if w and not w.startswith("-")]
    out: list[str] = []
    for i in range(len(words)):
        for n in range(1, min(MAX_NAME_WORDS, len(words) - i) + 1):
            gram = " ".join(words[i : i + n]).casefold()
            out.append(gram)
            if "'" in gram:
                out.append(gram.replace("'", "’"))
    return list(dict.fromkeys(out))


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


def entity_query(spec: FilterSpec, *, limit: int | None = None) -> Query:
    """SELECT the entities matching ``spec`` in display order, with the list's columns."""
    params: dict[str, Any] = {}
    join, has_text = _text_join(spec, params)
    conds = where_clauses(spec, params)
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
    direction = "DESC" if spec.descending else "ASC"
    if spec.sort == "rank" and has_text:
        order = _rank_order(spec, params)
    else:
        column = SORT_COLUMNS.get(spec.sort, "e.sort_name")
        if column == "e.sort_name":
            order = f"e.sort_name {direction}, e.id {direction}"
        else:
            # Unknown values (NULL) sort last in either direction, then by name for a stable order.
            order = f"{column} IS NULL, {column} {direction}, e.sort_name ASC, e.id ASC"
    sql += f" ORDER BY {order}"
    if limit is not None:
        params["limit"] = int(limit)
        sql += " LIMIT :limit"
    return Query(sql, params)


def count_query(spec: FilterSpec) -> Query:
    params: dict[str, Any] = {}
    join, _ = _text_join(spec, params)
    conds = where_clauses(spec, params)
    sql = f"SELECT count(*) FROM entity e{join}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    return Query(sql, params)


# Each facet's (value, label, count) query; {m} is the set of matching entity ids. The matching set
# drives the join (CROSS JOIN fixes the order), so a narrow filter touches only its own facts.
# "f.entity_id IN ({m})" rather than a join: the same index walk on the catalogue alone, and one pass
# (not one per matching entity) over the fact view once it is a UNION ALL (your sources, datasets).
_FACT_FACET = (
    "SELECT f.value, f.value, count(DISTINCT f.entity_id) AS n FROM fact f"
    " WHERE f.entity_id IN ({m}) AND f.field = '%s' GROUP BY f.value"
)
_FACET_SQL: dict[str, str] = {
    "kinds": "SELECT e.kind, e.kind, count(*) AS n FROM entity e WHERE e.id IN ({m}) GROUP BY e.kind",
    "categories": _FACT_FACET % "category",
    "regions": _FACT_FACET % "region",
    "activities": _FACT_FACET % "activity",
    "obligations": _FACT_FACET % "obligation",
    "members": (
        "SELECT t.id, t.name, count(DISTINCT f.entity_id) AS n FROM fact f JOIN entity t ON t.id = f.target_id"
        " WHERE f.entity_id IN ({m}) AND f.field IN ('member', 'party') GROUP BY t.id, t.name"
    ),
    "sources": (
        "SELECT d.id, d.title, count(*) AS n FROM ({m}) mm CROSS JOIN entity_source es"
        " ON es.entity_id = mm.id JOIN document d ON d.id = es.document_id GROUP BY d.id, d.title"
    ),
    "tags": (
        "SELECT t.name, t.name, count(DISTINCT et.entity_id) AS n FROM entity_tag et"
        " JOIN tag t ON t.id = et.tag_id WHERE et.entity_id IN ({m}) GROUP BY t.name"
    ),
    "origins": (
        f"SELECT e.origin, {_ORIGIN_LABEL_SQL}, count(*) AS n FROM entity e WHERE e.id IN ({{m}}) GROUP BY e.origin"
    ),
}
# The same counts as a scan of each dimension's rows, filtered by membership of {m}: cheaper when
# the matching set is most of the catalogue (an unfiltered view).
_FACET_SCAN_SOURCES: dict[str, str] = {
    "kinds": "SELECT e.id AS eid, e.kind AS value, e.kind AS label FROM entity e",
    "categories": "SELECT entity_id AS eid, value, value AS label FROM fact WHERE field = 'category'",
    "regions": "SELECT entity_id AS eid, value, value AS label FROM fact WHERE field = 'region'",
    "activities": "SELECT entity_id AS eid, value, value AS label FROM fact WHERE field = 'activity'",
    "obligations": "SELECT entity_id AS eid, value, value AS label FROM fact WHERE field = 'obligation'",
    "members": (
        "SELECT f.entity_id AS eid, t.id AS value, t.name AS label FROM fact f"
        " JOIN entity t ON t.id = f.target_id WHERE f.field IN ('member', 'party')"
    ),
    "sources": (
        "SELECT es.entity_id AS eid, d.id AS value, d.title AS label FROM entity_source es"
        " JOIN document d ON d.id = es.document_id"
    ),
    "tags": (
        "SELECT et.entity_id AS eid, t.name AS value, t.name AS label FROM entity_tag et JOIN tag t ON t.id = et.tag_id"
    ),
    "origins": f"SELECT e.id AS eid, e.origin AS value, {_ORIGIN_LABEL_SQL} AS label FROM entity e",
}


def matching_query(spec: FilterSpec) -> Query:
    """SELECT e.id of every entity the filter matches (no order)."""
    params: dict[str, Any] = {}
    join, _ = _text_join(spec, params)
    conds = where_clauses(spec, params)
    sql = f"SELECT e.id FROM entity e{join}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    return Query(sql, params)


def facet_query(spec: FilterSpec, dimension: str, *, matching_table: str | None = None, narrow: bool = True) -> Query:
    """Counts per value of one dimension under every *other* active facet (faceted search).

    When the dimension is not active its counts use the full filter, so callers may pass the
    name of a temp table already holding the matching ids (``matching_table``) to reuse it.
    ``narrow`` says the matching set is small: drive the join from it rather than scan the facts.
    """
    if dimension not in _FACET_SQL:
        raise ValueError(f"unknown facet dimension {dimension!r}")
    if matching_table is not None:
        matching, params = f"SELECT id FROM {matching_table}", {}
    else:
        q = matching_query(spec.without(dimension))
        matching, params = q.sql, q.params
    if narrow:
        inner = _FACET_SQL[dimension].format(m=matching)
    else:
        inner = (
            f"SELECT s.value, s.label, count(DISTINCT s.eid) AS n FROM ({_FACET_SCAN_SOURCES[dimension]}) s"
            f" WHERE s.eid IN ({matching}) GROUP BY s.value, s.label"
        )
    if dimension == "members" and spec.as_of is not None:
        # Only the members in force that year count.
        params = {**params, "as_of": spec.as_of}
        inner = inner.replace(
            "f.field IN ('member', 'party')", f"f.field IN ('member', 'party') AND {in_force_sql('f')}"
        )
    sql = f"SELECT * FROM ({inner}) ORDER BY 3 DESC, 2 ASC"
    return Query(sql, params)


def _quoted(text: str) -> str:
    """The search as typed, in curly quotes; a search with phrases of its own is not wrapped again
    (no “"collective defense"”): its straight quotes become curly ones, pair by pair."""
    parts = text.split('"')
    if len(parts) == 1 or len(parts) % 2 == 0:  # no phrase, or a stray quote searched as plain text
        return f"“{text}”"
    out = parts[0]
    for i, part in enumerate(parts[1:]):
        out += ("“" if i % 2 == 0 else "”") + part
    return out


def describe(spec: FilterSpec, labels: dict[str, str] | None = None) -> str:
    """A readable one-line summary of the filter, the same text the GUI shows and exports print.

    ``labels`` maps ids (member countries, documents) to display names.
    """
    labels = labels or {}

    def names(values: tuple[str, ...]) -> str:
        shown = [labels.get(v, v) for v in values]
        return ", ".join(shown[:-1]) + (" or " if len(shown) > 1 else "") + shown[-1]

    parts: list[str] = []
    if spec.text.strip():
        parts.append(f"matching {_quoted(spec.text.strip())}")
    if spec.kinds:
        parts.append(f"kind: {names(spec.kinds)}")
    if spec.categories:
        parts.append(f"category: {names(spec.categories)}")
    if spec.regions:
        parts.append(f"region: {names(spec.regions)}")
    if spec.members:
        shown = [labels.get(v, v) for v in spec.members]
        joiner = " and " if spec.members_mode == "all" else " or "
        parts.append("with " + joiner.join(shown))
    if spec.activities:
        parts.append(f"activity: {names(spec.activities)}")
    if spec.year_min is not None and spec.year_max is not None:
        parts.append(f"founded {spec.year_min}–{spec.year_max}")
    elif spec.year_min is not None:
        parts.append(f"founded {spec.year_min} or later")
    elif spec.year_max is not None:
        parts.append(f"founded {spec.year_max} or earlier")
    if spec.obligations:
        parts.append(f"obligation: {names(spec.obligations)}")
    if spec.as_of is not None:
        parts.append(f"in force in {spec.as_of}")
    if spec.sources:
        parts.append(f"cited in {names(spec.sources)}")
    if spec.tags:
        parts.append(f"tagged {names(spec.tags)}")
    if spec.origins:
        parts.append(" or ".join(ORIGIN_LABELS.get(o, o).lower() for o in spec.origins))
    if spec.has_notes is True:
        parts.append("with notes")
    elif spec.has_notes is False:
        parts.append("without notes")
    if spec.ids:
        chosen = [labels.get(v, v) for v in spec.ids]
        if len(chosen) <= 3:  # short enough to name: a handout's footer says what it covers
            parts.append("selected: " + ", ".join(chosen[:-1]) + (" and " if len(chosen) > 1 else "") + chosen[-1])
        else:
            parts.append(f"{len(chosen)} selected")
    return "All entities" if not parts else "Entities " + "; ".join(parts)
