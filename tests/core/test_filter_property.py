"""Property: for random entities and random FilterSpecs, the SQL answer equals a plain-Python reading of the spec.

Covers every facet (kinds, categories, regions, members any/all, activities, year range with its
boundaries, sources, tags, origins, has-notes, ids), the row count, the display order and the faceted
counts. Free text is left out: its meaning is FTS5's (stemming, prefixes), tested in test_filters.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.db import connector, ensure_user_db
from app.core.query.entity_sql import count_query, entity_query
from app.core.query.facets import facet_query
from app.core.query.filters import DIMENSIONS, FilterSpec
from app.core.reference.build import create_schema, sort_name

KINDS = ("alliance", "treaty", "partnership")
CATEGORIES = ("regional", "bilateral", "collective defence")
REGIONS = ("Europe", "Asia", "Africa")
ACTIVITIES = ("joint exercises", "peacekeeping")
COUNTRIES = ("c-a", "c-b", "c-c", "c-d")
DOCS = ("doc-1", "doc-2", "doc-3")
TAGS = ("Lesson", "review")
YEARS = st.integers(1947, 1951)  # a narrow range: bounds often equal a founding year


@dataclass
class Ent:
    id: str
    name: str
    kind: str
    founded: int | None
    categories: frozenset[str]
    regions: frozenset[str]
    activities: frozenset[str]
    members: frozenset[str]
    member_field: str
    sources: frozenset[str]
    tags: frozenset[str]
    live_notes: int
    trashed_notes: int
    origins: frozenset[str] = frozenset({"reference"})  # all generated here live in the reference
    obligations: frozenset[str] = frozenset()  # only imported dataset alliances have obligations

    def values(self, dimension: str) -> frozenset[str]:
        if dimension == "kinds":
            return frozenset({self.kind})
        return getattr(self, dimension)


def subset(values: tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(values))


@st.composite
def entities(draw: Any) -> list[Ent]:
    n = draw(st.integers(0, 10))
    out = []
    for i in range(n):
        out.append(
            Ent(
                id=f"e{i}",
                name=draw(st.sampled_from(["The Pact", "Accord", "accord", "Zeta Union", "A Council"])) + f" {i % 3}",
                kind=draw(st.sampled_from(KINDS)),
                founded=draw(st.none() | YEARS),
                categories=draw(subset(CATEGORIES)),
                regions=draw(subset(REGIONS)),
                activities=draw(subset(ACTIVITIES)),
                members=draw(subset(COUNTRIES)),
                member_field=draw(st.sampled_from(["member", "party"])),
                sources=draw(subset(DOCS)),
                tags=draw(subset(TAGS)),
                live_notes=draw(st.integers(0, 2)),
                trashed_notes=draw(st.integers(0, 1)),
            )
        )
    return out


def tuples(values: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    # Mostly no restriction: a spec restricting every facet at once would match nothing, and test little.
    chosen = st.lists(st.sampled_from(values), min_size=1, max_size=3).map(tuple)
    return st.one_of(st.just(()), st.just(()), chosen)


specs = st.builds(
    FilterSpec,
    kinds=tuples((*KINDS, "country")),
    categories=tuples(CATEGORIES),
    regions=tuples(REGIONS),
    members=tuples(COUNTRIES),
    members_mode=st.sampled_from(["any", "all"]),
    activities=tuples(ACTIVITIES),
    year_min=st.none() | YEARS,
    year_max=st.none() | YEARS,
    sources=tuples(DOCS),
    tags=tuples((*TAGS, "lesson", "unused")),
    origins=tuples(("reference", "user")),
    has_notes=st.sampled_from([None, None, True, False]),
    ids=tuples((*(f"e{i}" for i in range(10)), "c-a")),
    sort=st.sampled_from(["name", "kind", "founded", "members"]),
    descending=st.booleans(),
)


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    kind: str
    founded: int | None
    member_count: int
    notes: int


def rows_of(ents: list[Ent]) -> list[Row]:
    countries = [Row(c, f"Country {c}", "country", None, 0, 0) for c in COUNTRIES]
    return countries + [Row(e.id, e.name, e.kind, e.founded, len(e.members), e.live_notes) for e in ents]


def matches(spec: FilterSpec, row: Row, ent: Ent | None) -> bool:
    """The spec, read in plain Python (countries are entities with no facts)."""

    def facet(dimension: str, values: frozenset[str]) -> bool:
        chosen = getattr(spec, dimension)
        return not chosen or bool(values & set(chosen))

    empty: frozenset[str] = frozenset()
    if spec.kinds and row.kind not in spec.kinds:
        return False
    for dim in ("categories", "regions", "activities", "sources"):
        if not facet(dim, ent.values(dim) if ent else empty):
            return False
    members = ent.members if ent else empty
    if spec.members:
        if spec.members_mode == "all" and not set(spec.members) <= members:
            return False
        if spec.members_mode == "any" and not members & set(spec.members):
            return False
    if spec.year_min is not None and (row.founded is None or row.founded < spec.year_min):
        return False
    if spec.year_max is not None and (row.founded is None or row.founded > spec.year_max):
        return False
    tags = {t.casefold() for t in (ent.tags if ent else empty)}  # tag names compare without case
    if spec.tags and not tags & {t.casefold() for t in spec.tags}:
        return False
    if spec.origins and "reference" not in spec.origins:
        return False
    if spec.has_notes is not None and (row.notes > 0) is not spec.has_notes:
        return False
    return not (spec.ids and row.id not in spec.ids)


def expected_order(spec: FilterSpec, rows: list[Row]) -> list[str]:
    if spec.sort == "name":
        ordered = sorted(rows, key=lambda r: (sort_name(r.name), r.id), reverse=spec.descending)
        return [r.id for r in ordered]
    column = {"kind": "kind", "founded": "founded", "members": "member_count"}[spec.sort]
    # Unknown values last in either direction, then by name and id ascending.
    ordered = sorted(rows, key=lambda r: (sort_name(r.name), r.id))
    known = [r for r in ordered if getattr(r, column) is not None]
    unknown = [r for r in ordered if getattr(r, column) is None]
    known.sort(key=lambda r: getattr(r, column), reverse=spec.descending)  # stable: ties keep name order
    return [r.id for r in known + unknown]


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("filter-templates")
    create_schema(folder / "reference.sqlite")
    ensure_user_db(folder / "user.sqlite")
    return folder / "reference.sqlite", folder / "user.sqlite"


def populate(ref: Path, user: Path, ents: list[Ent]) -> None:
    con = sqlite3.connect(ref)
    with con:
        con.executemany(
            "INSERT INTO document (id, file_name, title, original_name, origin, sha256, text, ordinal)"
            " VALUES (?, ?, ?, ?, 'seed', '', '', ?)",
            [(d, f"{d}.txt", f"Title of {d}", f"{d}.txt", i) for i, d in enumerate(DOCS)],
        )
        for row in rows_of(ents):
            con.execute(
                "INSERT INTO entity (id, name, sort_name, kind, founded, member_count, aliases)"
                " VALUES (?, ?, ?, ?, ?, ?, '')",
                (row.id, row.name, sort_name(row.name), row.kind, row.founded, row.member_count),
            )
        for e in ents:
            facts = [(f, v, None) for f, vs in (("category", e.categories), ("region", e.regions)) for v in sorted(vs)]
            facts += [("activity", v, None) for v in sorted(e.activities)]
            facts += [(e.member_field, None, m) for m in sorted(e.members)]
            con.executemany(
                "INSERT INTO fact (entity_id, ordinal, field, value, target_id) VALUES (?, ?, ?, ?, ?)",
                [(e.id, i, f, v, t) for i, (f, v, t) in enumerate(facts)],
            )
            con.executemany(
                "INSERT INTO entity_source (entity_id, document_id) VALUES (?, ?)", [(e.id, d) for d in e.sources]
            )
    con.close()
    con = sqlite3.connect(user)
    with con:
        con.executemany("INSERT INTO tag (id, name) VALUES (?, ?)", list(enumerate(TAGS, 1)))
        tag_ids = {t: i for i, t in enumerate(TAGS, 1)}
        for e in ents:
            con.executemany(
                "INSERT INTO entity_tag (entity_id, tag_id) VALUES (?, ?)", [(e.id, tag_ids[t]) for t in e.tags]
            )
            for k in range(e.live_notes + e.trashed_notes):
                deleted = None if k < e.live_notes else "2026-01-02T00:00:00Z"
                con.execute(
                    "INSERT INTO note (id, entity_id, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, ?)",
                    (f"{e.id}-n{k}", e.id, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", deleted),
                )
        # A note on no entity must not count as a note on any.
        con.execute(
            "INSERT INTO note (id, entity_id, document_id, created_at, updated_at)"
            " VALUES ('free', NULL, 'doc-1', ?, ?)",
            ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        )
    con.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ents=entities(), spec=specs)
def test_sql_filter_equals_plain_python(templates: tuple[Path, Path], ents: list[Ent], spec: FilterSpec) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ref, user = Path(tmp) / "reference.sqlite", Path(tmp) / "user.sqlite"
        shutil.copyfile(templates[0], ref)
        shutil.copyfile(templates[1], user)
        populate(ref, user, ents)
        by_id = {e.id: e for e in ents}
        rows = rows_of(ents)
        con = connector(ref, user)()
        try:

            def run(q: Any) -> list[tuple[Any, ...]]:
                return con.execute(q.sql, q.params).fetchall()

            want = [r for r in rows if matches(spec, r, by_id.get(r.id))]
            got = run(entity_query(spec))
            assert [r[0] for r in got] == expected_order(spec, want), spec
            assert {r[0]: r[9] for r in got} == {r.id: r.notes for r in want}  # the notes column
            assert run(count_query(spec))[0][0] == len(want)
            for dimension in DIMENSIONS:
                others = spec.without(dimension)
                counts: Counter[str] = Counter()
                for r in rows:
                    ent = by_id.get(r.id)
                    if matches(others, r, ent):
                        if ent:
                            counts.update(ent.values(dimension))
                        elif dimension in ("kinds", "origins"):
                            counts.update({r.kind} if dimension == "kinds" else {"reference"})
                for narrow in (True, False):
                    facets = {v: n for v, _label, n in run(facet_query(spec, dimension, narrow=narrow))}
                    assert facets == dict(counts), (dimension, narrow, spec)
        finally:
            con.close()
