"""The tags half of the notes store: tags on notes and on entities, with colours."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.userdata.notes_core import NotesCore
from app.core.userdata.notes_model import (
    NotesError,
    Tag,
    _check_color,
    _clean_tag,
)


@dataclass(frozen=True)
class TagState:
    """Every tag (id, name, colour) and every link to it: before and after a change, for undo."""

    tags: frozenset[tuple[int, str, str]]
    entity_links: frozenset[tuple[str, int]]  # (entity id, tag id)
    note_links: frozenset[tuple[str, int]]  # (note id, tag id)


class TaggedNotes(NotesCore):
    """Notes plus tags (see :class:`NotesCore`)."""

    # ---- tags --------------------------------------------------------------------------------
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

    # ---- undo --------------------------------------------------------------------------------
    def tag_state(self) -> TagState:
        with self._read() as con:
            return TagState(
                frozenset((int(i), str(n), str(c)) for i, n, c in con.execute("SELECT id, name, color FROM tag")),
                frozenset((str(e), int(t)) for e, t in con.execute("SELECT entity_id, tag_id FROM entity_tag")),
                frozenset((str(n), int(t)) for n, t in con.execute("SELECT note_id, tag_id FROM note_tag")),
            )

    def change_tags(self, start: TagState, end: TagState) -> None:
        """Undo or redo a tag change: apply the difference ``start → end`` in one transaction.

        Only what differs between the two states is touched, so other tags changed since (in this
        window or another) are kept. A tag brought back gets its old id unless a newer tag took it;
        a note link comes back only if the note still exists."""
        before = {t[0]: t for t in start.tags}
        after = {t[0]: t for t in end.tags}
        park = uuid.uuid4().hex
        with self._write() as con:
            for eid, tid in start.entity_links - end.entity_links:
                con.execute("DELETE FROM entity_tag WHERE entity_id = ? AND tag_id = ?", (eid, tid))
            for nid, tid in start.note_links - end.note_links:
                con.execute("DELETE FROM note_tag WHERE note_id = ? AND tag_id = ?", (nid, tid))
            for tid in before.keys() - after.keys():
                con.execute("DELETE FROM tag WHERE id = ?", (tid,))
            changed = [after[t] for t in after.keys() & before.keys() if after[t] != before[t]]
            for tid, _name, _color in changed:  # parked first, so swapped names cannot clash midway
                con.execute("UPDATE tag SET name = ? WHERE id = ?", (f"{park}-{tid}", tid))
            for tid, name, color in changed:
                self._check_free(con, name, tid)
                con.execute("UPDATE tag SET name = ?, color = ? WHERE id = ?", (name, color, tid))
            ids = {t: t for t in after}
            for tid in sorted(after.keys() - before.keys()):
                _tid, name, color = after[tid]
                self._check_free(con, name, None)  # a tag made since may have taken both id and name
                if con.execute("SELECT 1 FROM tag WHERE id = ?", (tid,)).fetchone():
                    cur = con.execute("INSERT INTO tag (name, color) VALUES (?, ?)", (name, color))
                    ids[tid] = int(cur.lastrowid or 0)
                else:
                    con.execute("INSERT INTO tag (id, name, color) VALUES (?, ?, ?)", (tid, name, color))
            for eid, tid in end.entity_links - start.entity_links:
                con.execute(
                    "INSERT OR IGNORE INTO entity_tag (entity_id, tag_id) VALUES (?, ?)", (eid, ids.get(tid, tid))
                )
            for nid, tid in end.note_links - start.note_links:
                con.execute(
                    "INSERT OR IGNORE INTO note_tag (note_id, tag_id)"
                    " SELECT ?, ? WHERE EXISTS (SELECT 1 FROM note WHERE id = ?)",
                    (nid, ids.get(tid, tid), nid),
                )

    @staticmethod
    def _check_free(con: sqlite3.Connection, name: str, tag_id: int | None) -> None:
        """Refuse when another tag than ``tag_id`` (None: any tag) is called ``name``."""
        if con.execute("SELECT 1 FROM tag WHERE name = ? AND id IS NOT ?", (name, tag_id)).fetchone():
            raise NotesError(f"A tag called “{name}” exists again, so the change cannot be undone.")
