"""The notes half of the notes store: one user-database connection, notes with trash and search."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.query.fts import fallback_query, match_sql, to_fts_query
from app.core.userdata.notes_model import (
    _NOTE_COLS,
    _TAGS_OF,
    PALETTE,
    Note,
    NoteConflict,
    NoteDeleted,
    NoteHit,
    _after,
    _check_color,
    _clean_tag,
    _clean_title,
    _note,
    now_iso,
)

if TYPE_CHECKING:
    from app.core.userdata.database import UserData


def _search_filters(entity_id: str | None, tag: str | None) -> tuple[str, dict[str, Any]]:
    """SQL conditions (and parameters) for a note search's entity and tag filters."""
    where, params = "", {}
    if entity_id is not None:
        where += " AND n.entity_id = :entity_id"
        params["entity_id"] = entity_id
    if tag is not None:
        where += (
            " AND (EXISTS (SELECT 1 FROM note_tag nt JOIN tag t ON t.id = nt.tag_id"
            " WHERE nt.note_id = n.id AND t.name = :tag)"
            " OR EXISTS (SELECT 1 FROM entity_tag et JOIN tag t ON t.id = et.tag_id"
            " WHERE et.entity_id = n.entity_id AND t.name = :tag))"
        )
        params["tag"] = tag
    return where, params


class NotesCore:
    """Notes: create, edit, trash, list and search, in the one user-database connection.

    Writes run in ``BEGIN IMMEDIATE`` transactions (take the write lock up front, so two
    instances queue on the busy timeout instead of failing a read-to-write upgrade).

    Other instances: :meth:`mark_seen` records the :meth:`fingerprint` this window has read.
    Each write of this store then moves that record on only when nothing else changed the
    database in between (checked inside the write's own transaction), so
    :meth:`changed_elsewhere` still sees another instance's change after this window saved.
    """

    def __init__(self, user_data: UserData) -> None:
        self.user_data = user_data
        self._seen: tuple[Any, ...] | None = None

    @property
    def user_db(self) -> Path:
        return self.user_data.path

    # ---- connection ------------------------------------------------------------------------
    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        return self.user_data.read()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self.user_data.transaction() as con:
            seen = self._seen
            before = self._fingerprint(con) if seen is not None else None
            yield con
            after = self._fingerprint(con) if seen is not None else None
        if seen is not None and before == seen and self._seen == seen:
            self._seen = after  # only this write happened since the last look

    # ---- notes -------------------------------------------------------------------------------
    def _get(self, con: sqlite3.Connection, note_id: str) -> Note | None:
        row = con.execute(f"SELECT {_NOTE_COLS}, {_TAGS_OF} FROM note n WHERE n.id = ?", (note_id,)).fetchone()
        return _note(row) if row else None

    def get_note(self, note_id: str) -> Note | None:
        with self._read() as con:
            return self._get(con, note_id)

    def create_note(
        self,
        entity_id: str | None = None,
        *,
        title: str = "",
        body: str = "",
        document_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        quote: str | None = None,
        tags: Iterable[str] = (),
    ) -> Note:
        title = _clean_title(title)
        note_id = uuid.uuid4().hex
        stamp = now_iso()
        with self._write() as con:
            con.execute(
                'INSERT INTO note (id, entity_id, document_id, start, "end", quote, title, body, created_at,'
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (note_id, entity_id, document_id, start, end, quote, title, body, stamp, stamp),
            )
            self._set_note_tags(con, note_id, tags)
            note = self._get(con, note_id)
        assert note is not None
        return note

    def update_note(
        self,
        note_id: str,
        *,
        title: str | None = None,
        body: str | None = None,
        expected_updated_at: str | None = None,
    ) -> Note:
        """Change title and/or body. With ``expected_updated_at``, refuse (NoteConflict) when the
        stored note changed since then, so a second window never silently overwrites an edit.
        A note in the trash (or gone) is refused with :class:`NoteDeleted`: text saved into it
        would silently disappear with it."""
        with self._write() as con:
            note = self._get(con, note_id)
            if note is None:
                raise NoteDeleted(
                    "This note no longer exists (it was deleted for good, perhaps in another window).", purged=True
                )
            if note.deleted_at is not None:
                raise NoteDeleted(f"The note “{note.display_title}” is in the trash (deleted in another window).")
            if expected_updated_at is not None and note.updated_at != expected_updated_at:
                raise NoteConflict(f"The note “{note.display_title}” was changed in another window.")
            new_title = note.title if title is None else _clean_title(title)
            new_body = note.body if body is None else body
            if (new_title, new_body) == (note.title, note.body):
                return note
            con.execute(
                "UPDATE note SET title = ?, body = ?, updated_at = ? WHERE id = ?",
                (new_title, new_body, _after(note.updated_at), note_id),
            )
            updated = self._get(con, note_id)
        assert updated is not None
        return updated

    def set_note_tags(self, note_id: str, names: Iterable[str]) -> Note:
        with self._write() as con:
            note = self._get(con, note_id)
            if note is None:
                raise NoteDeleted("This note no longer exists.", purged=True)
            if note.deleted_at is not None:
                raise NoteDeleted(f"The note “{note.display_title}” is in the trash (deleted in another window).")
            con.execute("DELETE FROM note_tag WHERE note_id = ?", (note_id,))
            self._set_note_tags(con, note_id, names)
            con.execute("UPDATE note SET updated_at = ? WHERE id = ?", (now_iso(), note_id))
            note = self._get(con, note_id)
        assert note is not None
        return note

    def _ensure_tag(self, con: sqlite3.Connection, name: str, color: str | None = None) -> int:
        name = _clean_tag(name)
        row = con.execute("SELECT id FROM tag WHERE name = ?", (name,)).fetchone()
        if row:
            return int(row[0])
        if color is None:
            n = con.execute("SELECT count(*) FROM tag").fetchone()[0]
            color = PALETTE[n % len(PALETTE)]
        cur = con.execute("INSERT INTO tag (name, color) VALUES (?, ?)", (name, _check_color(color)))
        return int(cur.lastrowid or 0)

    def _set_note_tags(self, con: sqlite3.Connection, note_id: str, names: Iterable[str]) -> None:
        for name in names:
            tag_id = self._ensure_tag(con, name)
            con.execute("INSERT OR IGNORE INTO note_tag (note_id, tag_id) VALUES (?, ?)", (note_id, tag_id))

    def delete_note(self, note_id: str) -> None:
        """Move a note to the trash (undoable with :meth:`restore_note` until the trash is emptied)."""
        with self._write() as con:
            con.execute("UPDATE note SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", (now_iso(), note_id))

    def restore_note(self, note_id: str) -> bool:
        with self._write() as con:
            cur = con.execute("UPDATE note SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL", (note_id,))
            return cur.rowcount > 0

    def purge_note(self, note_id: str) -> None:
        """Delete a trashed note for good."""
        with self._write() as con:
            con.execute("DELETE FROM note WHERE id = ? AND deleted_at IS NOT NULL", (note_id,))

    def empty_trash(self) -> int:
        with self._write() as con:
            return con.execute("DELETE FROM note WHERE deleted_at IS NOT NULL").rowcount

    def list_notes(
        self,
        *,
        entity_id: str | None = None,
        entity_ids: Sequence[str] | None = None,
        document_id: str | None = None,
        tag: str | None = None,
        trash: bool = False,
        ids: Sequence[str] | None = None,
    ) -> list[Note]:
        """Notes, newest edit first. ``tag`` matches a note's own tag or its entity's tag."""
        conds = ["n.deleted_at IS NOT NULL" if trash else "n.deleted_at IS NULL"]
        params: list[Any] = []
        if entity_id is not None:
            conds.append("n.entity_id = ?")
            params.append(entity_id)
        if entity_ids is not None:
            conds.append("n.entity_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(entity_ids)))
        if ids is not None:
            conds.append("n.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(ids)))
        if document_id is not None:
            conds.append("n.document_id = ?")
            params.append(document_id)
        if tag is not None:
            conds.append(
                "(EXISTS (SELECT 1 FROM note_tag nt JOIN tag t ON t.id = nt.tag_id"
                " WHERE nt.note_id = n.id AND t.name = ?)"
                " OR EXISTS (SELECT 1 FROM entity_tag et JOIN tag t ON t.id = et.tag_id"
                " WHERE et.entity_id = n.entity_id AND t.name = ?))"
            )
            params += [tag, tag]
        sql = (
            f"SELECT {_NOTE_COLS}, {_TAGS_OF} FROM note n WHERE {' AND '.join(conds)} ORDER BY n.updated_at DESC, n.id"
        )
        with self._read() as con:
            return [_note(r) for r in con.execute(sql, params)]

    def count_notes(self, *, trash: bool = False) -> int:
        with self._read() as con:
            cond = "IS NOT NULL" if trash else "IS NULL"
            return int(con.execute(f"SELECT count(*) FROM note WHERE deleted_at {cond}").fetchone()[0])

    def search(
        self,
        text: str,
        *,
        limit: int | None = None,
        entity_id: str | None = None,
        tag: str | None = None,
    ) -> list[NoteHit]:
        """Full-text search over titles and bodies; any input is safe (see app.core.query.fts).

        ``entity_id`` and ``tag`` (the note's or its entity's) filter inside the query, before
        any ``limit``, so a filter never works on a silently cut list. No limit by default: the
        caller states one (and the total from :meth:`count_search`) if it shows fewer."""
        query = to_fts_query(text)
        if query is None:
            return []
        broad = fallback_query(text, query)
        where, params = _search_filters(entity_id, tag)
        sql = (
            f"SELECT {_NOTE_COLS}, {_TAGS_OF}, snippet(note_fts, 2, '[[', ']]', '…', 12), bm25(note_fts, 0, 3.0, 1.0)"
            " FROM note_fts JOIN note n ON n.id = note_fts.note_id"
            f" WHERE {match_sql('note_fts', 'q', broad is not None)} AND n.deleted_at IS NULL{where}"
            " ORDER BY bm25(note_fts, 0, 3.0, 1.0) LIMIT :limit"
        )
        params.update({"q": query, "q_broad": broad, "limit": -1 if limit is None else limit})
        with self._read() as con:
            try:
                rows = con.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                # to_fts_query quotes every term, so this is not expected; never crash a search box.
                if "fts5" in str(exc).lower():
                    return []
                raise
        hits = []
        for r in rows:
            note = _note(r[:12])
            snippet = r[12] or ""
            if "[[" not in snippet:
                snippet = note.display_title
            hits.append(NoteHit(note, snippet, -float(r[13])))
        return hits

    def notes_count_by_entity(self) -> dict[str, int]:
        with self._read() as con:
            rows = con.execute(
                "SELECT entity_id, count(*) FROM note WHERE deleted_at IS NULL AND entity_id IS NOT NULL"
                " GROUP BY entity_id"
            )
            return {str(e): int(n) for e, n in rows}

    def fingerprint(self) -> tuple[Any, ...]:
        """A cheap summary that changes whenever notes or tags change (another window wrote)."""
        with self._read() as con:
            return self._fingerprint(con)

    def mark_seen(self) -> tuple[Any, ...]:
        """Record the current state as read by this window (see :meth:`changed_elsewhere`)."""
        self._seen = self.fingerprint()
        return self._seen

    def changed_elsewhere(self) -> bool:
        """True when the database changed since :meth:`mark_seen` other than by this store's writes."""
        return self._seen is None or self.fingerprint() != self._seen

    @staticmethod
    def _fingerprint(con: sqlite3.Connection) -> tuple[Any, ...]:
        return tuple(
            con.execute(
                "SELECT (SELECT count(*) FROM note), (SELECT max(updated_at) FROM note),"
                " (SELECT count(deleted_at) FROM note), (SELECT max(deleted_at) FROM note),"
                " (SELECT group_concat(id || ':' || name || ':' || color) FROM tag),"
                " (SELECT group_concat(x) FROM"
                "  (SELECT entity_id || ':' || tag_id AS x FROM entity_tag ORDER BY 1)),"
                " (SELECT count(*) FROM note_tag)"
            ).fetchone()
        )
