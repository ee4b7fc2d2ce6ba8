"""One catalogue from two databases: temporary views that join reference and user sources.

Every read connection (``app.core.db.connector``) opens the reference database as ``main`` and
attaches the user database as ``user``. The query layer names its tables unqualified (``entity``,
``fact``, ``document``...), and SQLite resolves an unqualified name in ``temp`` before ``main``.
So each connection gets TEMP views with the reference tables' names:

* while the user has imported nothing and made no entity or fact, each view is a plain
  ``SELECT ... FROM main.x``, which SQLite flattens away (measured: no cost at 10,000 entities);
* once the user database holds sources, each view is ``main.x UNION ALL user.imported_x/user_x``;
* once it holds an imported alliance dataset (ATOP, COW: ``0004_datasets.sql``), ``entity``
  and ``fact`` also union ``user.dataset_entity`` / ``user.dataset_fact``, and the
  ``dataset_citation`` and ``same_as`` views (empty until then) show their record citations and
  the links between catalogue entities and dataset alliances.

:func:`refresh_views` is called before each read; it re-checks (one PRAGMA) whether the user
database changed since the views were made, and switches the views only when the answer to
"does the user have sources?" changed. Ids never collide: user integer ids start at 10^9 (see
``database/migrations/user/0003_sources.sql``), user entity ids start with ``my-`` and
imported document ids with ``doc-``.

Extra columns the reference tables do not have: ``entity.rid`` (the FTS rowid), ``entity.origin``
('reference', 'user' or 'dataset') and ``document.origin_kind`` ('reference' or 'user'),
``fact.start_year``/``fact.end_year`` (the years a dataset membership holds; NULL otherwise),
``document.removed`` (1 for an imported
document the user removed: its cited passages are kept for the facts that quote them),
``alias.rn`` (insertion order).
"""

from __future__ import annotations

import sqlite3

ENTITY_COLS = "id, name, sort_name, kind, category, region, founded, ended, stated_members, member_count, aliases"

_PLAIN: dict[str, str] = {
    "entity": f"SELECT rowid AS rid, {ENTITY_COLS}, 'reference' AS origin FROM main.entity",
    "alias": "SELECT rowid AS rn, entity_id, alias FROM main.alias",
    "fact": (
        "SELECT id, entity_id, ordinal, field, value, target_id, 'reference' AS origin,"
        " NULL AS start_year, NULL AS end_year FROM main.fact"
    ),
    "citation": "SELECT id, fact_id, document_id, passage_id, start, end, quote FROM main.citation",
    "entity_source": "SELECT entity_id, document_id FROM main.entity_source",
    "mention": "SELECT id, entity_id, passage_id, start, end, matched FROM main.mention",
    "document": (
        "SELECT id, file_name, title, original_name, origin, sha256, text, ordinal,"
        " 'reference' AS origin_kind, 0 AS removed FROM main.document"
    ),
    "section": "SELECT id, document_id, ordinal, heading, level, start, end FROM main.section",
    "passage": "SELECT id, document_id, section_id, ordinal, start, end, text FROM main.passage",
}

# A user citation's passage: the one holding its start (a reference passage id changes on rebuild).
_USER_CITE_PASSAGE = (
    "COALESCE((SELECT p.id FROM main.passage p WHERE p.document_id = c.document_id"
    " AND p.start <= c.start AND c.start < p.end),"
    " (SELECT p.id FROM user.imported_passage p WHERE p.document_id = c.document_id"
    " AND p.start <= c.start AND c.start < p.end),"
    " (SELECT min(p.id) FROM main.passage p WHERE p.document_id = c.document_id AND p.start >= c.start),"
    " (SELECT min(p.id) FROM user.imported_passage p WHERE p.document_id = c.document_id AND p.start >= c.start))"
)

_UNION: dict[str, str] = {
    "entity": f"SELECT rid, {ENTITY_COLS}, 'user' AS origin FROM user.user_entity",
    "alias": "SELECT 1000000000 + rowid, entity_id, alias FROM user.user_alias",
    "fact": "SELECT id, entity_id, ordinal, field, value, target_id, 'user', NULL, NULL FROM user.user_fact",
    "citation": (
        f"SELECT c.id, c.fact_id, c.document_id, {_USER_CITE_PASSAGE} AS passage_id, c.start, c.end, c.quote"
        " FROM user.user_citation c"
    ),
    "entity_source": (
        "SELECT DISTINCT f.entity_id, c.document_id FROM user.user_fact f JOIN user.user_citation c ON c.fact_id = f.id"
    ),
    "mention": "SELECT id, entity_id, passage_id, start, end, matched FROM user.imported_mention",
    "document": (
        "SELECT id, file_name, CASE WHEN removed_at IS NULL THEN title ELSE title || ' (removed)' END,"
        " file_name, origin, sha256, text, 1000000 + ordinal, 'user', removed_at IS NOT NULL"
        " FROM user.imported_document"
    ),
    "section": "SELECT id, document_id, ordinal, heading, level, start, end FROM user.imported_section",
    "passage": "SELECT id, document_id, section_id, ordinal, start, end, text FROM user.imported_passage",
}

# Dataset alliances (and the countries they name that the reference does not know); their names are
# indexed in user_entity_fts under their rid (from 2*10^9), so the list's text search finds them.
_DATASET: dict[str, str] = {
    "entity": f"SELECT rid, {ENTITY_COLS}, 'dataset' FROM user.dataset_entity",
    # Its citation name ("ATOP 3180", "COW 2205") as an alias: resolving, --select and the name index
    # then find a dataset alliance by the name its citations show.
    "alias": "SELECT rid, id, aliases FROM user.dataset_entity WHERE aliases != ''",
    "fact": (
        "SELECT id, entity_id, ordinal, field, value, target_id, 'dataset', start_year, end_year FROM user.dataset_fact"
    ),
}
_CITATION_COLS = "id, fact_id, record_id, dataset, version, file, record, field, value"
_SAME_AS_EMPTY = (
    "SELECT NULL AS entity_id, NULL AS dataset_id, NULL AS status, NULL AS reason, NULL AS updated_at WHERE 0"
)
_DATASET_CITATION_EMPTY = (
    "SELECT NULL AS id, NULL AS fact_id, NULL AS record_id, NULL AS dataset, NULL AS version, NULL AS file,"
    " NULL AS record, NULL AS field, NULL AS value WHERE 0"
)

# The facts that hold only for some years (dataset memberships), apart: As-of filters read this small
# set instead of every fact of the union.
_FACT_SPAN = (
    "SELECT id, entity_id, field, target_id, start_year, end_year FROM user.dataset_fact WHERE start_year IS NOT NULL"
)
_FACT_SPAN_EMPTY = (
    "SELECT NULL AS id, NULL AS entity_id, NULL AS field, NULL AS target_id, NULL AS start_year,"
    " NULL AS end_year WHERE 0"
)

VIEW_NAMES = (*_PLAIN, "dataset_citation", "same_as", "fact_span")

_HAS_SOURCES = (
    "SELECT EXISTS (SELECT 1 FROM user.imported_document) OR EXISTS (SELECT 1 FROM user.user_entity)"
    " OR EXISTS (SELECT 1 FROM user.user_fact)"
)


def has_user_tables(con: sqlite3.Connection) -> bool:
    """Whether the attached user database has the sources schema (an older file may not, until migrated)."""
    row = con.execute(
        "SELECT count(*) FROM user.sqlite_master WHERE type = 'table' AND name IN ('imported_document', 'user_entity')"
    ).fetchone()
    return bool(row and row[0] == 2)


def has_dataset_tables(con: sqlite3.Connection) -> bool:
    """Whether the attached user database has the datasets schema (0004)."""
    row = con.execute("SELECT count(*) FROM user.sqlite_master WHERE type = 'table' AND name = 'dataset'").fetchone()
    return bool(row and row[0] == 1)


Mode = tuple[bool, bool]  # (the user has sources, the user has imported a dataset)


def current_mode(con: sqlite3.Connection) -> Mode:
    sources = has_user_tables(con) and bool(con.execute(_HAS_SOURCES).fetchone()[0])
    datasets = has_dataset_tables(con) and bool(con.execute("SELECT EXISTS (SELECT 1 FROM user.dataset)").fetchone()[0])
    return sources, datasets


def install_views(con: sqlite3.Connection, *, union: bool | Mode | None = None) -> Mode:
    """(Re)create the TEMP views on ``con``; returns what they include (sources, datasets)."""
    mode: Mode = current_mode(con) if union is None else (union, False) if isinstance(union, bool) else union
    sources, datasets = mode
    for name in VIEW_NAMES:
        con.execute(f"DROP VIEW IF EXISTS temp.{name}")
        if name == "dataset_citation":
            body = f"SELECT {_CITATION_COLS} FROM user.dataset_citation" if datasets else _DATASET_CITATION_EMPTY
        elif name == "fact_span":
            body = _FACT_SPAN if datasets else _FACT_SPAN_EMPTY
        elif name == "same_as":
            body = (
                "SELECT entity_id, dataset_id, status, reason, updated_at FROM user.same_as"
                if datasets
                else _SAME_AS_EMPTY
            )
        else:
            body = _PLAIN[name] + (f" UNION ALL {_UNION[name]}" if sources else "")
            if datasets and name in _DATASET:
                body += f" UNION ALL {_DATASET[name]}"
        con.execute(f"CREATE TEMP VIEW {name} AS {body}")
    return mode


class ViewState:
    """What a connection's views were made from: the user database's data_version and the mode."""

    __slots__ = ("data_version", "union")

    def __init__(self, data_version: int, union: Mode) -> None:
        self.data_version = data_version
        self.union = union


def _data_version(con: sqlite3.Connection) -> int:
    return int(con.execute("PRAGMA user.data_version").fetchone()[0])


def prepare(con: sqlite3.Connection) -> ViewState:
    """Install the views on a new connection."""
    version = _data_version(con)
    return ViewState(version, install_views(con))


def refresh_views(con: sqlite3.Connection, state: ViewState, *, force: bool = False) -> None:
    """Switch the views if the user database gained or lost its sources since ``state``.

    ``PRAGMA data_version`` changes when another connection (this process's user-data connection,
    or another instance) commits; it costs microseconds, so this runs before every read."""
    version = _data_version(con)
    if version == state.data_version and not force:
        return
    state.data_version = version
    union = current_mode(con)
    if union != state.union:
        state.union = install_views(con, union=union)
