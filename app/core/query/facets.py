"""Facet counts: for each dimension, its values with counts under the other active facets.

Each dimension's (value, label, count) query is built here from the entity SQL's matching set, and
:func:`count_facets` runs them all on one connection, matching the full filter once.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from app.core.query.entity_sql import Query, joined, matching_query, split_joined
from app.core.query.filters import DIMENSIONS, FilterSpec, in_force_sql
from app.core.query.views import FacetValue

if TYPE_CHECKING:  # NumPy is loaded with the index, after the window's first paint
    from app.core.query.facet_index import FacetIndex

_ORIGIN_LABEL_SQL = (
    "CASE e.origin WHEN 'user' THEN 'From your documents' WHEN 'dataset' THEN 'From datasets'"
    " ELSE 'Reference catalogue' END"
)


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


def count_facets(dbapi: sqlite3.Connection, spec: FilterSpec, index: FacetIndex) -> dict[str, list[FacetValue]]:
    """Every dimension's values with counts under ``spec`` (each active dimension under the others).

    The matching set is read once (and once more per active dimension, without it); the counting is
    done on ``index``'s pairs in memory. sqlite3 errors propagate; the caller classifies them."""
    from app.core.query.facet_index import tag_counts

    def mask(s: FilterSpec) -> Any:
        q = matching_query(s)
        j = joined(q)  # one row, not one per entity (see joined)
        ids = split_joined(dbapi.execute(j.sql, j.params).fetchone())
        return index.mask(ids if ids is not None else [str(r[0]) for r in dbapi.execute(q.sql, q.params)])

    full = mask(spec)
    out: dict[str, list[FacetValue]] = {}
    for dim in DIMENSIONS:
        m = mask(spec.without(dim)) if getattr(spec, dim) != () else full
        out[dim] = tag_counts(dbapi, index, m) if dim == "tags" else index.counts(dim, m, as_of=spec.as_of)
    return out
