"""Notes and tags in the user database: a Qt-free store with trash, full-text search, export and safe import."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from app import __version__
from app.core.db import open_user_connection
from app.core.errors import AtlasError, classify
from app.core.query.fts import fallback_query, match_sql, to_fts_query

EXPORT_FORMAT = "alliance-atlas-notes"
EXPORT_VERSION = 1
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_TITLE = 500
DEFAULT_COLOR = "#5b8def"
# Colours offered for new tags, picked in turn so neighbouring tags look different.
PALETTE = ("#5b8def", "#e0803c", "#3fa56b", "#c94f6d", "#8e6bd1", "#c9a227", "#2aa1b3", "#7a7a7a")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# A conflict copy's id derives from the incoming note, so importing the same file again finds it.
_CONFLICT_NS = uuid.UUID("6b1d3c3e-2f0a-4e53-9c1e-4a7f6a0c5b11")


class NotesError(AtlasError):
    """A notes or tags operation the user asked for cannot be done (message says why)."""


class NotesImportError(NotesError):
    """An import file was refused; nothing was changed. (Not named ImportError: that is a builtin.)"""


class NoteConflict(NotesError):
    """The note changed in the database (another window) since the editor loaded it."""


class NoteDeleted(NotesError):
    """The note was moved to the trash, or deleted for good, elsewhere (e.g. in another window):
    it cannot be edited. ``purged`` is True when it is gone altogether."""

    def __init__(self, message: str, *, purged: bool = False) -> None:
        super().__init__(message)
        self.purged = purged


def now_iso() -> str:
    """The current time as ISO 8601 UTC with microseconds, so string order is time order."""
    return _fmt(datetime.now(UTC))


def _fmt(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 time; a time without a zone is taken as UTC."""
    dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def normalise_time(value: str) -> str:
    return _fmt(parse_time(value))


@dataclass(frozen=True)
class Note:
    """A note as stored: anchored to an entity, a document span, both or neither."""

    id: str
    entity_id: str | None
    document_id: str | None
    start: int | None
    end: int | None
    quote: str | None
    title: str
    body: str
    created_at: str
    updated_at: str
    deleted_at: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def display_title(self) -> str:
        if self.title.strip():
            return self.title.strip()
        first = next((ln.strip(" #*>-") for ln in self.body.splitlines() if ln.strip()), "")
        return (first[:80] + "…") if len(first) > 80 else (first or "(untitled note)")

    @property
    def has_passage(self) -> bool:
        return self.document_id is not None and self.start is not None and self.end is not None


@dataclass(frozen=True)
class NoteHit:
    note: Note
    snippet: str  # hits marked with [[ ]] like passage snippets
    score: float


@dataclass(frozen=True)
class Tag:
    id: int
    name: str
    color: str
    entities: int = 0
    notes: int = 0


@dataclass
class ImportReport:
    """What an import did. ``conflicts`` hold (kept local id, added copy id, title)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)
    detached: list[tuple[str, str]] = field(default_factory=list)  # (note id, missing entity id)
    tags_added: int = 0
    entity_tags_added: int = 0

    def summary(self) -> str:
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        text = "Imported notes: " + ", ".join(parts) + "."
        if self.conflicts:
            text += (
                f" {len(self.conflicts)} conflict(s): the local note was newer, so the imported version was kept"
                " as a second note marked “(imported copy)”."
            )
        if self.detached:
            text += f" {len(self.detached)} note(s) refer to entities not in this catalogue; kept as detached."
        if self.tags_added or self.entity_tags_added:
            text += f" Tags: {self.tags_added} new, {self.entity_tags_added} entity tag(s) added."
        return text


_NOTE_COLS = (
    'n.id, n.entity_id, n.document_id, n.start, n."end", n.quote, n.title, n.body,'
    " n.created_at, n.updated_at, n.deleted_at"
)
_TAGS_OF = (
    "(SELECT group_concat(name, char(31)) FROM (SELECT t.name FROM note_tag nt JOIN tag t ON t.id = nt.tag_id"
    " WHERE nt.note_id = n.id ORDER BY t.name COLLATE NOCASE))"
)


def _note(row: Sequence[Any]) -> Note:
    tags = tuple(row[11].split("\x1f")) if row[11] else ()
    return Note(*row[:11], tags=tags)  # type: ignore[arg-type, misc]


class NotesStore:
    """All reads and writes of notes and tags. Each call opens a short connection to the user db.

    Writes run in ``BEGIN IMMEDIATE`` transactions (take the write lock up front, so two
    instances queue on the busy timeout instead of failing a read-to-write upgrade).

    Other instances: :meth:`mark_seen` records the :meth:`fingerprint` this window has read.
    Each write of this store then moves that record on only when nothing else changed the
    database in between (checked inside the write's own transaction), so
    :meth:`changed_elsewhere` still sees another instance's change after this window saved.
    """

    def __init__(self, user_db: Path):
        self.user_db = Path(user_db)
        self._seen: tuple[Any, ...] | None = None

    # ---- connections -----------------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            yield con
        except sqlite3.Error as exc:
            self._raise(exc)
        finally:
            con.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                seen = self._seen
                before = self._fingerprint(con) if seen is not None else None
                yield con
                after = self._fingerprint(con) if seen is not None else None
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            if seen is not None and before == seen and self._seen == seen:
                self._seen = after  # only this write happened since the last look
        except sqlite3.Error as exc:
            self._raise(exc)
        finally:
            con.close()

    def _connect(self) -> sqlite3.Connection:
        try:
            return open_user_connection(self.user_db)
        except sqlite3.Error as exc:
            self._raise(exc)
            raise  # unreachable; for type checkers

    @staticmethod
    def _raise(exc: sqlite3.Error) -> None:
        err = classify(exc, "the notes database")
        if err is not None:
            raise err from exc
        raise exc

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

    def search(self, text: str, *, limit: int = 200) -> list[NoteHit]:
        """Full-text search over titles and bodies; any input is safe (see app.core.query.fts)."""
        query = to_fts_query(text)
        if query is None:
            return []
        broad = fallback_query(text, query)
        sql = (
            f"SELECT {_NOTE_COLS}, {_TAGS_OF}, snippet(note_fts, 2, '[[', ']]', '…', 12), bm25(note_fts, 0, 3.0, 1.0)"
            " FROM note_fts JOIN note n ON n.id = note_fts.note_id"
            f" WHERE {match_sql('note_fts', 'q', broad is not None)} AND n.deleted_at IS NULL"
            " ORDER BY bm25(note_fts, 0, 3.0, 1.0) LIMIT :limit"
        )
        with self._read() as con:
            try:
                rows = con.execute(sql, {"q": query, "q_broad": broad, "limit": limit}).fetchall()
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

    # ---- tags --------------------------------------------------------------------------------
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

    def list_tags(self) -> list[Tag]:
        with self._read() as con:
            rows = con.execute(
                "SELECT t.id, t.name, t.color,"
                " (SELECT count(*) FROM entity_tag et WHERE et.tag_id = t.id),"
                " (SELECT count(*) FROM note_tag nt JOIN note n ON n.id = nt.note_id"
                "  WHERE nt.tag_id = t.id AND n.deleted_at IS NULL)"
                " FROM tag t ORDER BY t.name COLLATE NOCASE"
            )
            return [Tag(int(i), str(n), str(c), int(e), int(k)) for i, n, c, e, k in rows]

    def get_tag(self, name: str) -> Tag | None:
        return next((t for t in self.list_tags() if t.name.casefold() == name.strip().casefold()), None)

    def create_tag(self, name: str, color: str | None = None) -> Tag:
        """Create a tag (or return the existing one of that name, case-insensitively)."""
        with self._write() as con:
            self._ensure_tag(con, name, color)
        tag = self.get_tag(name)
        assert tag is not None
        return tag

    def set_tag_color(self, name: str, color: str) -> None:
        with self._write() as con:
            con.execute("UPDATE tag SET color = ? WHERE name = ?", (_check_color(color), name))

    def rename_tag(self, old: str, new: str) -> None:
        new = _clean_tag(new)
        with self._write() as con:
            row = con.execute("SELECT id FROM tag WHERE name = ?", (old,)).fetchone()
            if row is None:
                raise NotesError(f"There is no tag “{old}”.")
            clash = con.execute("SELECT id FROM tag WHERE name = ? AND id != ?", (new, row[0])).fetchone()
            if clash:
                raise NotesError(f"A tag called “{new}” already exists.")
            con.execute("UPDATE tag SET name = ? WHERE id = ?", (new, row[0]))

    def apply_tag_changes(
        self,
        *,
        delete: Iterable[str] = (),
        rename: dict[str, str] | None = None,
        create: dict[str, str] | None = None,
        recolor: dict[str, str] | None = None,
    ) -> None:
        """Apply a tag dialog's edits in ONE transaction (all or nothing): delete tags, rename
        (``old → new``, swaps included), create (``name → colour``) and recolour (``name → colour``,
        by the name before renaming)."""
        rename = {old: _clean_tag(new) for old, new in (rename or {}).items() if new != old}
        park = uuid.uuid4().hex
        with self._write() as con:
            for name in delete:
                con.execute("DELETE FROM tag WHERE name = ?", (name,))
            ids: dict[str, int] = {}
            for old in rename:
                row = con.execute("SELECT id FROM tag WHERE name = ?", (old,)).fetchone()
                if row is None:
                    raise NotesError(f"There is no tag “{old}” (was it deleted in another window?).")
                ids[old] = int(row[0])
            # Park the renamed tags under unique names first, so "a → b, b → a" cannot clash midway.
            for tag_id in ids.values():
                con.execute("UPDATE tag SET name = ? WHERE id = ?", (f"{park}-{tag_id}", tag_id))
            for old, tag_id in ids.items():
                new = rename[old]
                if con.execute("SELECT 1 FROM tag WHERE name = ?", (new,)).fetchone():
                    raise NotesError(f"A tag called “{new}” already exists.")
                con.execute("UPDATE tag SET name = ? WHERE id = ?", (new, tag_id))
            for old, color in (recolor or {}).items():
                con.execute("UPDATE tag SET color = ? WHERE name = ?", (_check_color(color), rename.get(old, old)))
            for name, color in (create or {}).items():
                self._ensure_tag(con, name, color)

    def delete_tag(self, name: str) -> None:
        """Delete a tag and its links (entities and notes themselves are untouched)."""
        with self._write() as con:
            con.execute("DELETE FROM tag WHERE name = ?", (name,))

    def tag_entities(self, name: str, entity_ids: Iterable[str], *, color: str | None = None) -> int:
        """Add a tag to many entities at once; returns how many links were new."""
        with self._write() as con:
            tag_id = self._ensure_tag(con, name, color)
            added = 0
            for eid in entity_ids:
                added += con.execute(
                    "INSERT OR IGNORE INTO entity_tag (entity_id, tag_id) VALUES (?, ?)", (eid, tag_id)
                ).rowcount
            return added

    def untag_entities(self, name: str, entity_ids: Iterable[str]) -> int:
        with self._write() as con:
            ids = json.dumps(list(entity_ids))
            return con.execute(
                "DELETE FROM entity_tag WHERE tag_id = (SELECT id FROM tag WHERE name = ?)"
                " AND entity_id IN (SELECT value FROM json_each(?))",
                (name, ids),
            ).rowcount

    def set_entity_tags(self, entity_id: str, names: Iterable[str]) -> None:
        """Make ``names`` exactly the tags of one entity."""
        with self._write() as con:
            con.execute("DELETE FROM entity_tag WHERE entity_id = ?", (entity_id,))
            for name in names:
                tag_id = self._ensure_tag(con, name)
                con.execute("INSERT OR IGNORE INTO entity_tag (entity_id, tag_id) VALUES (?, ?)", (entity_id, tag_id))

    def tags_for_entity(self, entity_id: str) -> list[Tag]:
        with self._read() as con:
            rows = con.execute(
                "SELECT t.id, t.name, t.color FROM entity_tag et JOIN tag t ON t.id = et.tag_id"
                " WHERE et.entity_id = ? ORDER BY t.name COLLATE NOCASE",
                (entity_id,),
            )
            return [Tag(int(i), str(n), str(c)) for i, n, c in rows]

    def tags_for_entities(self, entity_ids: Sequence[str]) -> dict[str, list[str]]:
        with self._read() as con:
            rows = con.execute(
                "SELECT et.entity_id, t.name FROM entity_tag et JOIN tag t ON t.id = et.tag_id"
                " WHERE et.entity_id IN (SELECT value FROM json_each(?)) ORDER BY t.name COLLATE NOCASE",
                (json.dumps(list(entity_ids)),),
            )
            out: dict[str, list[str]] = {}
            for eid, name in rows:
                out.setdefault(str(eid), []).append(str(name))
            return out

    def entities_for_tag(self, name: str) -> list[str]:
        with self._read() as con:
            rows = con.execute(
                "SELECT et.entity_id FROM entity_tag et JOIN tag t ON t.id = et.tag_id WHERE t.name = ?"
                " ORDER BY et.entity_id",
                (name,),
            )
            return [str(r[0]) for r in rows]

    # ---- export ------------------------------------------------------------------------------
    def select_for_export(self, *, tag: str | None = None, entity_ids: Sequence[str] | None = None) -> list[Note]:
        notes = self.list_notes(tag=tag, entity_ids=entity_ids)
        return sorted(notes, key=lambda n: (n.entity_id or "", n.created_at, n.id))

    def export_dict(
        self,
        notes: Sequence[Note],
        *,
        entity_names: dict[str, str] | None = None,
        description: str = "all notes",
        entity_scope: Sequence[str] | None = None,
        all_tags: bool = False,
    ) -> dict[str, Any]:
        """The portable JSON document: the notes, plus the tags they and their entities use
        (every tag with ``all_tags``), each with its entity links (only ``entity_scope``'s if given)."""
        names = entity_names or {}
        entity_tags = self.tags_for_entities(sorted({n.entity_id for n in notes if n.entity_id}))
        used = {t for n in notes for t in n.tags} | {t for ts in entity_tags.values() for t in ts}
        scope = set(entity_scope) if entity_scope is not None else None
        tags = []
        for t in self.list_tags():
            if all_tags or t.name in used:
                ents = [e for e in self.entities_for_tag(t.name) if scope is None or e in scope]
                tags.append({"name": t.name, "color": t.color, "entities": ents})
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "exported_at": now_iso(),
            "app_version": __version__,
            "selection": description,
            "notes": [
                {
                    "id": n.id,
                    "entity_id": n.entity_id,
                    "entity_name": names.get(n.entity_id or ""),
                    "document_id": n.document_id,
                    "start": n.start,
                    "end": n.end,
                    "quote": n.quote,
                    "title": n.title,
                    "body": n.body,
                    "created_at": n.created_at,
                    "updated_at": n.updated_at,
                    "tags": list(n.tags),
                }
                for n in notes
            ],
            "tags": tags,
        }

    def export_json(
        self,
        path: Path,
        notes: Sequence[Note],
        *,
        entity_names: dict[str, str] | None = None,
        description: str = "all notes",
        entity_scope: Sequence[str] | None = None,
        all_tags: bool = False,
    ) -> Path:
        from app.core.fileio import atomic_write

        data = self.export_dict(
            notes, entity_names=entity_names, description=description, entity_scope=entity_scope, all_tags=all_tags
        )

        def write(fh: IO[Any]) -> None:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")

        atomic_write(Path(path), write)
        return Path(path)

    def export_markdown(
        self,
        path: Path,
        notes: Sequence[Note],
        *,
        entity_names: dict[str, str] | None = None,
        document_titles: dict[str, str] | None = None,
        description: str = "all notes",
    ) -> Path:
        from app.core.fileio import atomic_write

        entity_tags = self.tags_for_entities(sorted({n.entity_id for n in notes if n.entity_id}))
        atomic_write(
            Path(path),
            lambda fh: write_markdown(
                fh, notes, entity_names or {}, document_titles or {}, entity_tags, description=description
            ),
        )
        return Path(path)

    # ---- import ------------------------------------------------------------------------------
    def import_file(
        self,
        path: Path,
        *,
        known_entities: Callable[[], set[str]] | set[str] | None = None,
        resolve: Callable[[str], str | None] | None = None,
    ) -> ImportReport:
        """Validate a notes file completely, then merge it in ONE transaction (all or nothing).

        Merge by stable note id: new notes are added; a note whose incoming version is newer
        replaces the local one; identical ones are left alone; when the local note is newer and
        differs, the local edit is kept and the imported text is added as a second note (with a
        derived id, so a second import of the same file adds nothing). Notes whose entity is not
        in the catalogue are kept and reported as detached.
        """
        data = read_import_file(Path(path))
        return self.import_data(data, known_entities=known_entities, resolve=resolve)

    def import_data(
        self,
        data: Any,
        *,
        known_entities: Callable[[], set[str]] | set[str] | None = None,
        resolve: Callable[[str], str | None] | None = None,
    ) -> ImportReport:
        """Merge validated ``data`` (see :meth:`import_file`). With ``resolve`` (id, name or alias →
        entity id, ignoring case), a note whose ``entity_id`` is not a catalogue id is attached by
        that id written differently, or by its ``entity_name``, as a hand-made file may name it."""
        notes, tags = validate_import(data)
        known = known_entities() if callable(known_entities) else known_entities
        if resolve is not None:
            names = {raw["id"]: raw.get("entity_name") for raw in data["notes"]}
            notes = [_attach(n, names.get(n.id), known, resolve) for n in notes]
        report = ImportReport()
        with self._write() as con:
            for t in tags:
                exists = con.execute("SELECT 1 FROM tag WHERE name = ?", (t["name"],)).fetchone()
                tag_id = self._ensure_tag(con, t["name"], t["color"])
                report.tags_added += 0 if exists else 1
                for eid in t["entities"]:
                    report.entity_tags_added += con.execute(
                        "INSERT OR IGNORE INTO entity_tag (entity_id, tag_id) VALUES (?, ?)", (eid, tag_id)
                    ).rowcount
            for n in notes:
                self._merge_note(con, n, report)
                if known is not None and n.entity_id and n.entity_id not in known:
                    report.detached.append((n.id, n.entity_id))
        return report

    def _merge_note(self, con: sqlite3.Connection, n: Note, report: ImportReport) -> None:
        local = self._get(con, n.id)
        if local is None:
            self._insert(con, n)
            report.added += 1
            return
        same = (local.title, local.body, local.entity_id, local.document_id, local.start, local.end, local.quote) == (
            n.title,
            n.body,
            n.entity_id,
            n.document_id,
            n.start,
            n.end,
            n.quote,
        )
        if same:
            missing = [t for t in n.tags if t.casefold() not in {x.casefold() for x in local.tags}]
            self._set_note_tags(con, n.id, missing)
            report.unchanged += 1
            return
        if parse_time(n.updated_at) > parse_time(local.updated_at):
            con.execute(
                'UPDATE note SET entity_id = ?, document_id = ?, start = ?, "end" = ?, quote = ?, title = ?, body = ?,'
                " updated_at = ? WHERE id = ?",
                (n.entity_id, n.document_id, n.start, n.end, n.quote, n.title, n.body, n.updated_at, n.id),
            )
            self._set_note_tags(con, n.id, n.tags)  # union: an import never removes a local tag
            report.updated += 1
            return
        # The local note is newer (or as new) and differs: never overwrite it. Keep the incoming
        # version beside it, under an id derived from it so a re-import finds the same copy.
        copy_id = uuid.uuid5(_CONFLICT_NS, f"{n.id}|{n.updated_at}|{n.title}|{n.body}").hex
        if self._get(con, copy_id) is None:
            title = _clean_title(f"{n.title or local.display_title} (imported copy)")
            self._insert(con, replace(n, id=copy_id, title=title))
            report.conflicts.append((n.id, copy_id, local.display_title))
        else:
            report.unchanged += 1

    def _insert(self, con: sqlite3.Connection, n: Note) -> None:
        con.execute(
            'INSERT INTO note (id, entity_id, document_id, start, "end", quote, title, body, created_at, updated_at)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (n.id, n.entity_id, n.document_id, n.start, n.end, n.quote, n.title, n.body, n.created_at, n.updated_at),
        )
        self._set_note_tags(con, n.id, n.tags)

    # ---- detached -----------------------------------------------------------------------------
    def detached_notes(self, known_entities: set[str]) -> list[Note]:
        """Notes whose entity is no longer in the catalogue (kept, never deleted)."""
        return [n for n in self.list_notes() if n.entity_id and n.entity_id not in known_entities]


def _after(previous: str) -> str:
    """Now, but strictly after ``previous`` (clocks can step back; order must not)."""
    stamp = now_iso()
    if stamp <= previous:
        try:
            prev = parse_time(previous)
        except ValueError:
            return stamp
        from datetime import timedelta

        stamp = _fmt(prev + timedelta(microseconds=1))
    return stamp


def _clean_title(title: str) -> str:
    title = " ".join(str(title).split())
    return title[:MAX_TITLE]


def _clean_tag(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise NotesError("A tag needs a name.")
    if len(name) > 60:
        raise NotesError("A tag name can be at most 60 characters.")
    return name


def _check_color(color: str) -> str:
    if not _COLOR.match(color or ""):
        raise NotesError(f"“{color}” is not a colour like #5b8def.")
    return color.lower()


# ---- import validation -----------------------------------------------------------------------
def read_import_file(path: Path) -> Any:
    """Read and parse a notes file, refusing huge, unreadable or non-JSON files with a clear message."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise NotesImportError(f"Cannot import {path}: the file does not exist.") from exc
    except OSError as exc:
        raise NotesImportError(f"Cannot import {path}: {exc.strerror or exc}.") from exc
    if path.is_dir():
        raise NotesImportError(f"Cannot import {path}: it is a folder, not a notes file.")
    if size > MAX_IMPORT_BYTES:
        raise NotesImportError(
            f"Cannot import {path.name}: the file is {size / 1e6:.1f} MB, larger than the "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB limit for notes files. Nothing was changed."
        )
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise NotesImportError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if len(raw) > MAX_IMPORT_BYTES:
        raise NotesImportError(f"Cannot import {path.name}: the file is larger than the limit. Nothing was changed.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotesImportError(
            f"Cannot import {path.name}: it is not a text file (not UTF-8). Nothing was changed."
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotesImportError(
            f"Cannot import {path.name}: it is not a JSON notes file (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}). Nothing was changed."
        ) from exc
    except RecursionError as exc:
        raise NotesImportError(
            f"Cannot import {path.name}: the JSON is nested too deeply. Nothing was changed."
        ) from exc


def _type_name(v: Any) -> str:
    return {
        type(None): "null",
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }.get(type(v), type(v).__name__)


def _attach(n: Note, name: str | None, known: set[str] | None, resolve: Callable[[str], str | None]) -> Note:
    """``n`` with its entity id made a catalogue id where its id or name resolves to one."""
    if n.entity_id and known is not None and n.entity_id in known:
        return n
    for key in (n.entity_id, name):
        found = resolve(key) if key else None
        if found:
            return replace(n, entity_id=found)
    return n


def validate_import(data: Any) -> tuple[list[Note], list[dict[str, Any]]]:
    """Check every field of an import document; raise NotesImportError naming the first bad one."""

    def fail(msg: str) -> NotesImportError:
        return NotesImportError(f"This is not a valid notes file: {msg} Nothing was changed.")

    if not isinstance(data, dict):
        raise fail(f"the top level must be an object, not {_type_name(data)}.")
    if data.get("format") != EXPORT_FORMAT:
        raise fail(f"“format” must be “{EXPORT_FORMAT}” (found {json.dumps(data.get('format'))[:60]}).")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise fail("“version” must be a whole number.")
    if version != EXPORT_VERSION:
        newer = " It was written by a newer Alliance Atlas; please update." if version > EXPORT_VERSION else ""
        raise NotesImportError(
            f"This notes file has version {version}; this Alliance Atlas reads version {EXPORT_VERSION}.{newer}"
            " Nothing was changed."
        )
    raw_notes = data.get("notes")
    if not isinstance(raw_notes, list):
        raise fail(f"“notes” must be a list, not {_type_name(raw_notes)}.")
    raw_tags = data.get("tags", [])
    if not isinstance(raw_tags, list):
        raise fail(f"“tags” must be a list, not {_type_name(raw_tags)}.")

    def want(obj: dict[str, Any], key: str, where: str, kinds: tuple[type, ...], required: bool = True) -> Any:
        if key not in obj:
            if required:
                raise fail(f"{where} has no “{key}”.")
            return None
        v = obj[key]
        ok = isinstance(v, kinds) and not (isinstance(v, bool) and bool not in kinds)
        if not ok:
            expected = " or ".join(sorted({_type_name(k()) if k is not type(None) else "null" for k in kinds}))
            raise fail(f"{where}.{key} must be {expected}, not {_type_name(v)}.")
        return v

    notes: list[Note] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_notes):
        where = f"notes[{i}]"
        if not isinstance(raw, dict):
            raise fail(f"{where} must be an object, not {_type_name(raw)}.")
        nid = want(raw, "id", where, (str,))
        if not _ID.match(nid):
            raise fail(f"{where}.id “{nid[:40]}” is not a note id (letters, digits, - and _ only).")
        if nid in seen:
            raise fail(f"the note id {nid} appears twice.")
        seen.add(nid)
        times = {}
        for key in ("created_at", "updated_at"):
            value = want(raw, key, where, (str,))
            try:
                times[key] = normalise_time(value)
            except ValueError as exc:
                raise fail(f"{where}.{key} “{value[:40]}” is not an ISO date and time.") from exc
        tags = want(raw, "tags", where, (list,), required=False) or []
        for j, t in enumerate(tags):
            if not isinstance(t, str) or not t.strip() or len(t) > 60:
                raise fail(f"{where}.tags[{j}] must be a tag name (text, 1–60 characters).")
        start = want(raw, "start", where, (int, type(None)), required=False)
        end = want(raw, "end", where, (int, type(None)), required=False)
        if (start is None) != (end is None) or (start is not None and (start < 0 or end < start)):
            raise fail(f"{where} has an invalid passage span (start {start}, end {end}).")
        want(raw, "entity_name", where, (str, type(None)), required=False)
        notes.append(
            Note(
                id=nid,
                entity_id=want(raw, "entity_id", where, (str, type(None)), required=False),
                document_id=want(raw, "document_id", where, (str, type(None)), required=False),
                start=start,
                end=end,
                quote=want(raw, "quote", where, (str, type(None)), required=False),
                title=_clean_title(want(raw, "title", where, (str,))),
                body=want(raw, "body", where, (str,)),
                created_at=times["created_at"],
                updated_at=times["updated_at"],
                tags=tuple(dict.fromkeys(" ".join(t.split()) for t in tags)),
            )
        )
    tags_out: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_tags):
        where = f"tags[{i}]"
        if not isinstance(raw, dict):
            raise fail(f"{where} must be an object, not {_type_name(raw)}.")
        name = want(raw, "name", where, (str,))
        if not name.strip() or len(name) > 60:
            raise fail(f"{where}.name must be 1–60 characters.")
        color = want(raw, "color", where, (str,), required=False) or DEFAULT_COLOR
        if not _COLOR.match(color):
            raise fail(f"{where}.color “{color[:20]}” is not a colour like #5b8def.")
        ents = want(raw, "entities", where, (list,), required=False) or []
        for j, e in enumerate(ents):
            if not isinstance(e, str) or not e:
                raise fail(f"{where}.entities[{j}] must be an entity id (text).")
        tags_out.append({"name": " ".join(name.split()), "color": color.lower(), "entities": list(dict.fromkeys(ents))})
    return notes, tags_out


# ---- markdown -----------------------------------------------------------------------------------
def write_markdown(
    fh: IO[str],
    notes: Sequence[Note],
    entity_names: dict[str, str],
    document_titles: dict[str, str],
    entity_tags: dict[str, list[str]],
    *,
    description: str = "all notes",
) -> None:
    fh.write("# Alliance Atlas notes\n\n")
    fh.write(
        f"{description}: {len(notes)} note{'s' if len(notes) != 1 else ''}."
        f" Exported {now_iso()[:16].replace('T', ' ')} UTC.\n\n"
    )
    current: object = object()
    for n in notes:
        if n.entity_id != current:
            current = n.entity_id
            if n.entity_id:
                name = entity_names.get(n.entity_id)
                label = f"{name} (`{n.entity_id}`)" if name else f"`{n.entity_id}` (not in this catalogue)"
                fh.write(f"## {label}\n\n")
                if entity_tags.get(n.entity_id):
                    fh.write("Entity tags: " + ", ".join(entity_tags[n.entity_id]) + "\n\n")
            else:
                fh.write("## Notes on passages\n\n")
        fh.write(f"### {n.display_title}\n\n")
        meta = f"*Created {n.created_at[:16].replace('T', ' ')} UTC, updated {n.updated_at[:16].replace('T', ' ')} UTC*"
        if n.tags:
            meta += " · Tags: " + ", ".join(n.tags)
        fh.write(meta + "\n\n")
        if n.quote:
            doc = document_titles.get(n.document_id or "", n.document_id or "")
            fh.write("> " + n.quote.replace("\n", "\n> ") + "\n")
            fh.write(f">\n> — {doc}, characters {n.start}–{n.end}\n\n")
        if n.body.strip():
            fh.write(n.body.rstrip() + "\n\n")
