"""The query service: every read the UI, CLI and exports make, returning plain frozen dataclasses.

Every read goes through one connection factory (``app.core.db.connector``): each thread keeps its
own raw sqlite3 connection (reference read-only, user data attached), made on first use. Methods
return detached values, so widgets never hold a connection and nothing lazy-loads in the UI. All
entity filtering goes through app.core.query.entity_sql (facet counts: facets, batch details: details).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.db import Connector
from app.core.errors import classify
from app.core.query.details import entity_details, mention_snippet
from app.core.query.entity_sql import (
    Query,
    count_query,
    ids_query,
    joined,
    orders_by_name,
    rids_query,
    rows_query,
    search_queries,
    split_joined,
    where_clauses,
)
from app.core.query.facets import count_facets
from app.core.query.filters import FilterSpec, in_force_sql
from app.core.query.interrupt import reading
from app.core.query.matches import PAGE, EntityMatches
from app.core.query.search import PassageSearch, Search
from app.core.query.views import (
    Citation,
    DatasetCitation,
    DocumentInfo,
    DocumentView,
    Edge,
    EntityDetail,
    EntityRow,
    FacetValue,
    FactView,
    Link,
    MentionSpan,
    MentionView,
    PassageHit,
    SameAsLink,
    SectionInfo,
    highlight_spans,
    plain_snippet,
)
from app.core.sources.views import current_mode, refresh_views

if TYPE_CHECKING:
    import numpy as np

    from app.core.query.facet_index import FacetIndex
    from app.core.query.name_order import NameOrder

__all__ = [
    "Citation",
    "DatasetCitation",
    "DocumentInfo",
    "DocumentView",
    "Edge",
    "EntityDetail",
    "EntityRow",
    "FacetValue",
    "FactView",
    "Link",
    "MentionSpan",
    "MentionView",
    "PassageHit",
    "PassageSearch",
    "Repository",
    "SameAsLink",
    "SectionInfo",
    "highlight_spans",
    "plain_snippet",
]


class Repository:
    """Read access to the reference database and the user tables attached to it."""

    def __init__(self, connect: Connector, *, cache_dir: Path | None = None):
        self._connect = connect
        self.cache_dir = cache_dir  # the facet index kept between starts (None: made at every start)
        self._local = threading.local()
        self._raw_connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._search = Search(lambda sql, params=None: self._raw(sql, params))
        self._facet_lock = threading.Lock()
        self._facets: tuple[tuple[Any, ...], FacetIndex] | None = None
        self._name_order: NameOrder | None = None  # read with the facet index (NumPy: after the first paint)

    def dispose(self) -> None:
        with self._lock:
            for con in self._raw_connections:
                con.close()
            self._raw_connections.clear()
            self._local = threading.local()
        self._search.reset()
        with self._facet_lock:
            self._facets = None
            self._name_order = None

    def interrupt_all(self) -> None:
        """Stop the statement running on every thread's connection (a window closing under its work)."""
        with self._lock:
            for con in self._raw_connections:
                con.interrupt()

    # ---- entities -------------------------------------------------------------------------
    def _raw_connection(self) -> sqlite3.Connection:
        """This thread's own autocommit connection (made by the one connection factory)."""
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = self._connect()
            with self._lock:
                self._raw_connections.append(con)
            self._local.con = con
        views = getattr(con, "views", None)
        if views is not None:
            refresh_views(con, views)
        return con

    def _raw(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Every read: straight on this thread's DBAPI connection (SQLAlchemy's row wrapping doubled
        the cost of a 10,000-row list, and its import would delay the first window). Errors are
        classified: environmental ones become an AtlasError, anything else is raised as is."""
        try:
            con = self._raw_connection()
            with reading(con):  # a superseded job's query is interrupted (app.core.query.interrupt)
                return list(con.execute(sql, params or {}).fetchall())
        except sqlite3.Error as exc:
            err = classify(exc, "the database")
            if err:
                raise err from exc
            raise

    def list_entities(self, spec: FilterSpec, *, limit: int | None = None) -> list[EntityRow]:
        return [EntityRow(*row) for row in self._search.entity_rows(spec, limit)]

    def list_matches(self, spec: FilterSpec, *, first: int = PAGE) -> EntityMatches:
        """Every entity ``spec`` matches, in list order, with the first ``first`` rows read: the ids
        come from one cheap query; the other rows are read a page at a time when asked for."""
        by_name = self._ids_by_name(spec)
        ids, locate = by_name if by_name is not None else (self._ids(ids_query(spec)), None)
        head = ids[:first]
        by_id = {r.id: r for r in self.entity_rows(head)}
        rows = [by_id[i] for i in head if i in by_id]
        matches = EntityMatches(spec, ids, self.entity_rows, rows if len(rows) == len(head) else (), locate)
        matches.index_of("")  # the id → row index, made here rather than on the GUI thread
        return matches

    def _ids_by_name(self, spec: FilterSpec) -> tuple[list[str], Callable[[str], int | None] | None] | None:
        """The matching ids in the order by name, ordered with the reference's order in memory
        (app.core.query.name_order) rather than by SQL; None when the list is in another order or
        that order is not read yet (it is read with the facet index, on a worker)."""
        order = self._name_order
        if order is None or not orders_by_name(spec):
            return None
        from app.core.query.name_order import ordered_ids

        rids = self._search_rids(spec)
        if rids is None:
            rids = self._joined_rids(joined(rids_query(spec), sep="','"))
        if rids is None:
            return None
        return ordered_ids(order, rids, self._raw, descending=spec.descending)

    def _joined_rids(self, q: Query) -> np.ndarray | None:
        """The rids of a (count, comma-joined rids) query; None if the count disagrees."""
        import numpy as np  # loaded with the order by name

        n, text = self._raw(q.sql, q.params)[0]
        rids = np.fromstring(text, dtype=np.int64, sep=",") if n else np.zeros(0, np.int64)
        return rids if len(rids) == int(n) else None

    def _search_rids(self, spec: FilterSpec) -> np.ndarray | None:
        """The rids a search with no other filter matches, the reference's cascade run one step at a
        time (:func:`search_queries`): the step taken is read once, where the SQL cascade looked for
        its matches twice (once to know it finds something, once to read them: 8 of the 22 ms of a
        common prefix at 100,000 entities). None for any other filter."""
        if not spec.text.strip() or where_clauses(spec, {}):
            return None
        queries = search_queries(spec)
        if queries is None:
            return None
        steps, user = queries
        found = None
        for q in steps:  # the first step that finds anything, as cascade_sql takes
            found = self._joined_rids(q)
            if found is None or len(found):
                break
        mine = self._joined_rids(user)
        if found is None or mine is None:
            return None
        import numpy as np

        return np.concatenate([found, mine])

    def _ids(self, q: Query) -> list[str]:
        """The ``id`` column of ``q``, in its order, read as one row (:func:`joined`)."""
        j = joined(q)
        ids = split_joined(self._raw(j.sql, j.params)[0])
        return ids if ids is not None else [str(r[0]) for r in self._raw(q.sql, q.params)]

    def entity_rows(self, ids: list[str]) -> list[EntityRow]:
        """The list's row of each of these entities (any order; unknown ids left out)."""
        if not ids:
            return []
        q = rows_query(ids)
        return [EntityRow(*row) for row in self._raw(q.sql, q.params)]

    def count_entities(self, spec: FilterSpec) -> int:
        q = count_query(spec)
        return int(self._raw(q.sql, q.params)[0][0])

    def total_entities(self) -> int:
        return int(self._raw("SELECT count(*) FROM entity")[0][0])

    def any_entity_tagged(self) -> bool:
        """True if the user has tagged at least one entity (the Tag facet's empty text depends on it)."""
        return bool(self._raw("SELECT EXISTS (SELECT 1 FROM entity_tag)")[0][0])

    def facet_counts(self, spec: FilterSpec) -> dict[str, list[FacetValue]]:
        """For each facet dimension, its values with counts under the other active facets.

        The counts with no filter (every start, every cleared search: a second and more at 10,000
        entities) are kept per connection until the user database changes (``data_version``: notes,
        tags, imported sources; the reference is read-only)."""
        if not spec.is_empty():
            return self._facet_counts(spec)
        version = self._raw("PRAGMA user.data_version")[0][0]
        cached: tuple[int, dict[str, list[FacetValue]]] | None = getattr(self._local, "facets", None)
        if cached is None or cached[0] != version:
            cached = (version, self._facet_counts(spec))
            self._local.facets = cached
        return {dim: list(values) for dim, values in cached[1].items()}

    def _facet_counts(self, spec: FilterSpec) -> dict[str, list[FacetValue]]:
        try:
            con = self._raw_connection()
            index = self._facet_index(con)  # made once, whatever supersedes this count: not interrupted
            self._read_name_order(con)
            with reading(con):
                return count_facets(con, spec, index)
        except sqlite3.Error as exc:
            err = classify(exc, "the database")
            if err:
                raise err from exc
            raise

    def _facet_index(self, con: sqlite3.Connection) -> FacetIndex:
        """The catalogue's facet pairs in memory, read again when your sources or datasets changed.
        Shared by every thread (it is never changed once made); one read at a time. Imported here:
        NumPy is not needed before the window's first paint."""
        from app.core.query import facet_index as fi

        key = fi.fingerprint(con)
        with self._facet_lock:
            if self._facets is None or self._facets[0] != key:
                kept = self._reference_identity(con)
                kept_key = None if kept is None else f"{kept}\n{key!r}"
                folder = self.cache_dir
                index = fi.load(folder, kept_key) if folder is not None and kept_key is not None else None
                if index is None:
                    index = fi.FacetIndex.read(con)  # seconds at 100,000 entities: kept for the next start
                    if folder is not None and kept_key is not None:
                        fi.save(folder, kept_key, index)
                self._facets = (key, index)
            return self._facets[1]

    def _read_name_order(self, con: sqlite3.Connection) -> None:
        """The reference's order by name, read once (it is read-only) for :meth:`_ids_by_name`."""
        if self._name_order is not None:
            return
        from app.core.query.name_order import NameOrder

        with self._facet_lock:
            if self._name_order is None:
                self._name_order = NameOrder(con)

    def year_bounds(self) -> tuple[int, int] | None:
        lo, hi = self._raw("SELECT min(founded), max(founded) FROM entity")[0]
        return None if lo is None else (int(lo), int(hi))

    def entity_names(self) -> dict[str, str]:
        return dict(self._raw("SELECT id, name FROM entity"))

    def ids_named(self, prefix: str) -> set[str]:
        """Every entity whose name begins with ``prefix``, either case (SQLite's LIKE: ASCII letters
        match either case, others as typed): the list's type-ahead over rows it has not read yet."""
        if not prefix:
            return set()
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return {str(r[0]) for r in self._raw("SELECT id FROM entity WHERE name LIKE :p ESCAPE '\\'", {"p": pattern})}

    def known_entities(self) -> list[tuple[str, str, str, tuple[str, ...]]]:
        """(id, name, kind, aliases) of every entity, reference and user (mention matching)."""
        aliases: dict[str, list[str]] = {}
        for eid, alias in self._raw("SELECT entity_id, alias FROM alias ORDER BY rn"):
            aliases.setdefault(eid, []).append(alias)
        return [
            (eid, name, kind, tuple(aliases.get(eid, ())))
            for eid, name, kind in self._raw("SELECT id, name, kind FROM entity ORDER BY id")
        ]

    def resolve(self, key: str) -> str | None:
        """An entity id from an id, name or alias, case-insensitively (``nato``, ``Five Eyes``)."""
        k = key.strip().casefold()
        if not k:
            return None
        rows = self._raw(
            "SELECT id FROM entity WHERE lower(id) = :k OR lower(name) = :k"
            " UNION ALL SELECT entity_id FROM alias WHERE lower(alias) = :k"
            " UNION ALL SELECT id FROM entity WHERE lower(sort_name) = :k",
            {"k": k},
        )
        if rows:
            return str(rows[0][0])
        # Apostrophe variants: "ASEAN Defense Ministers' Meeting" typed with a straight quote.
        k2 = k.replace("'", "’")
        rows = self._raw(
            "SELECT id FROM entity WHERE lower(name) = :k"
            " UNION ALL SELECT entity_id FROM alias WHERE lower(alias) = :k",
            {"k": k2},
        )
        return str(rows[0][0]) if rows else None

    def get_entity(self, entity_id: str, *, mention_limit: int = 200, as_of: int | None = None) -> EntityDetail | None:
        """One entity's details (as :meth:`entity_details`, ``as_of`` too) with the passages that mention it."""
        found = self.entity_details([entity_id], as_of=as_of)
        if not found:
            return None
        mention_rows = self._raw(
            "SELECT m.passage_id, p.document_id, d.title, sec.heading, m.start, m.end, p.start,"
            " substr(d.text, p.start + 1, p.end - p.start)"
            " FROM mention m JOIN passage p ON p.id = m.passage_id JOIN document d ON d.id = p.document_id"
            " JOIN section sec ON sec.id = p.section_id WHERE m.entity_id = :id"
            " ORDER BY d.ordinal, m.start LIMIT :lim",
            {"id": entity_id, "lim": mention_limit},
        )
        mentions = tuple(
            MentionView(pid, doc, title, sec, ms, me, mention_snippet(ptext, ms - pstart, me - pstart))
            for pid, doc, title, sec, ms, me, pstart, ptext in mention_rows
        )
        return replace(found[0], mentions=mentions)

    # ---- search (app.core.query.search) ----------------------------------------------------
    def prepare_search(self) -> None:
        """Make what every search reads (the name index, the postings) now, so the first search
        does not (about a second at 100,000 entities; the window does it on a worker after its start)."""
        self._search.prepare()

    def named_entities(self, query: str) -> list[str]:
        """Ids of the entities ``query`` names by name or alias, in the order named."""
        return self._search.named_entities(query)

    def search_passages(self, query: str, *, limit: int = 50, typing: bool = False) -> list[PassageHit]:
        """Ranked passages with highlighted snippets (see :meth:`passage_search`)."""
        return self._search.search_passages(query, limit=limit, typing=typing)

    def passage_search(self, query: str, *, limit: int = 50, typing: bool = False) -> PassageSearch:
        """Ranked passages (bm25) with highlighted snippets; odd input finds nothing, never an error
        (:meth:`app.core.query.search.Search.passage_search`)."""
        return self._search.passage_search(query, limit=limit, typing=typing)

    def entity_search_message(self, spec: FilterSpec) -> str | None:
        """The list's relaxed-search message, or None (:meth:`app.core.query.search.Search.entity_search_message`)."""
        return self._search.entity_search_message(spec)

    # ---- documents ------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        rows = self._raw(
            "SELECT id, file_name, title, original_name, origin, sha256, origin_kind = 'user' FROM document"
            " WHERE removed = 0 ORDER BY ordinal"
        )
        return [DocumentInfo(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]

    def get_document(self, document_id: str) -> DocumentView | None:
        p = {"id": document_id}
        rows = self._raw(
            "SELECT id, file_name, title, original_name, origin, sha256, text, origin_kind = 'user'"
            " FROM document WHERE id = :id",
            p,
        )
        if not rows:
            return None
        row = rows[0]
        sections = self._raw(
            "SELECT id, heading, level, start, end FROM section WHERE document_id = :id ORDER BY ordinal", p
        )
        mentions = self._raw(
            "SELECT m.entity_id, m.start, m.end FROM mention m JOIN passage p ON p.id = m.passage_id"
            " WHERE p.document_id = :id ORDER BY m.start",
            p,
        )
        return DocumentView(
            DocumentInfo(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[7])),
            row[6],
            tuple(SectionInfo(*r) for r in sections),
            tuple(MentionSpan(*r) for r in mentions),
        )

    # ---- graph ----------------------------------------------------------------------------
    def edges(self) -> list[Edge]:
        """Every relation fact as an edge, with its first citation (graph and GraphML). A dataset tie's
        "quote" is its record citation ("ATOP 3180, member = 2") and its "document" the dataset and file."""
        rows = self._raw(
            "SELECT s, t, fd, q, d FROM (SELECT f.entity_id AS s, f.target_id AS t, f.field AS fd, c.quote AS q,"
            " c.document_id AS d, f.ordinal AS o FROM fact f"
            " JOIN citation c ON c.id = (SELECT min(id) FROM citation WHERE fact_id = f.id)"
            " WHERE f.target_id IS NOT NULL"
            " UNION ALL SELECT f.entity_id, f.target_id, f.field,"
            " r.dataset || ' ' || r.record || ', ' || r.field || ' = ' || r.value,"
            " r.dataset || ' ' || r.version || ' (' || r.file || ')', f.ordinal FROM fact f"
            " JOIN dataset_citation r ON r.id = (SELECT min(id) FROM dataset_citation WHERE fact_id = f.id)"
            " WHERE f.target_id IS NOT NULL) ORDER BY s, o"
        )
        return [Edge(*r) for r in rows]

    def relation_pairs(self, *, as_of: int | None = None) -> list[tuple[str, str, str]]:
        """(subject, object, field) of every cited relation fact (quoted or from a dataset record), in
        :meth:`edges` order, without the quotes: the graph pane's ties at any scale. ``as_of``: only
        the ties in force that year. ``IN`` builds the cited set once (a correlated EXISTS per fact
        took half as long again at 50,000 facts)."""
        when = f" AND {in_force_sql('f')}" if as_of is not None else ""
        rows = self._raw(
            "SELECT f.entity_id, f.target_id, f.field FROM fact f WHERE f.target_id IS NOT NULL"
            " AND (f.id IN (SELECT fact_id FROM citation) OR f.id IN (SELECT fact_id FROM dataset_citation))"
            f"{when} ORDER BY f.entity_id, f.ordinal",
            {"as_of": as_of} if as_of is not None else None,
        )
        return [(str(s), str(t), str(f)) for s, t, f in rows]

    def network_nodes(self) -> list[tuple[str, str, str]]:
        """(id, name, kind) of every entity in id order: the graph's nodes, without the list's columns
        (at 100,000 entities a fifth of the time of the unfiltered list)."""
        return [(str(i), str(n), str(k)) for i, n, k in self._raw("SELECT id, name, kind FROM entity ORDER BY id")]

    def network_stamp(self) -> str | None:
        """What the cited network is read from, for a cache of it: the reference file's identity
        while the user database adds nothing to the catalogue (no sources, entities or datasets of
        the user's own); None otherwise, or when it cannot be told."""
        try:
            con = self._raw_connection()
            if current_mode(con) != (False, False):
                return None
        except sqlite3.Error:
            return None
        return self._reference_identity(con)

    @staticmethod
    def _reference_identity(con: sqlite3.Connection) -> str | None:
        """The reference file's path, size, time and inode (a cache of what is read from it is the
        same while these are), or None when it cannot be told."""
        try:
            path = next((str(r[2]) for r in con.execute("PRAGMA database_list") if r[1] == "main"), "")
            st = os.stat(path)
        except (sqlite3.Error, OSError):
            return None
        return f"{path}\n{st.st_size} {st.st_mtime_ns} {st.st_ino}"

    def entity_citations(self) -> dict[str, list[tuple[str, str, str]]]:
        """(document title, section, quote) of every citation behind each entity's own facts, in one
        query (GraphML node attributes; no per-entity get_entity round trips on big graphs)."""
        rows = self._raw(
            "SELECT DISTINCT f.entity_id, d.title, sec.heading, c.quote FROM fact f"
            " JOIN citation c ON c.fact_id = f.id JOIN document d ON d.id = c.document_id"
            " JOIN passage p ON p.id = c.passage_id JOIN section sec ON sec.id = p.section_id"
            " ORDER BY f.entity_id, f.ordinal, c.id"
        )
        out: dict[str, list[tuple[str, str, str]]] = {}
        for eid, title, section, quote in rows:
            item = (str(title), str(section or ""), str(quote))
            bucket = out.setdefault(str(eid), [])
            if item not in bucket:
                bucket.append(item)
        return out

    # ---- about ----------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._raw("SELECT key, value FROM meta")}

    # ---- batch reads (exports) ------------------------------------------------------------
    # ---- batch reads (exports) ------------------------------------------------------------
    def entity_details(self, ids: list[str], *, as_of: int | None = None, compare: bool = True) -> list[EntityDetail]:
        """The details of many entities in a few queries, in the order of ``ids``, without their
        mentions (:func:`app.core.query.details.entity_details`)."""
        return entity_details(self._raw, ids, as_of=as_of, compare=compare)
