"""Notes and tags in the user database: a Qt-free store with trash, full-text search, export and safe import."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from app import __version__
from app.core.userdata.notes_io import _attach, read_import_file, validate_import, write_markdown
from app.core.userdata.notes_model import (
    _CONFLICT_NS,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MAX_IMPORT_BYTES,
    PALETTE,
    ImportReport,
    Note,
    NoteConflict,
    NoteDeleted,
    NoteHit,
    NotesError,
    NotesImportError,
    Tag,
    _clean_title,
    now_iso,
    parse_time,
)
from app.core.userdata.tags import TaggedNotes

__all__ = [
    "MAX_IMPORT_BYTES",
    "PALETTE",
    "ImportReport",
    "Note",
    "NoteConflict",
    "NoteDeleted",
    "NoteHit",
    "NotesError",
    "NotesImportError",
    "NotesStore",
    "Tag",
    "read_import_file",
    "validate_import",
    "write_markdown",
]


class NotesStore(TaggedNotes):
    """All reads and writes of notes and tags (see :class:`NotesCore`), plus export and import."""

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
            **self._sources(notes, tags, entity_scope, names),
        }

    def _sources(
        self, notes: Sequence[Note], tags: list[dict[str, Any]], scope: Sequence[str] | None, names: dict[str, str]
    ) -> dict[str, Any]:
        """The user's own entities these notes and tags are on, with the documents they cite, so a
        colleague who imports the file gets them too (``app.core.sources.exchange``)."""
        from app.core.sources.exchange import export_sources

        ids = {n.entity_id for n in notes if n.entity_id} | set(scope or ()) | {e for t in tags for e in t["entities"]}
        sources = export_sources(self.user_data.sources, ids, names)
        return {"sources": sources} if sources else {}

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
