"""The user's own sources in the user database: imported documents, suggestions, user entities and facts.

Reading a file, extracting its text, sectioning it and finding mentions and suggestions happen
first, outside any transaction (:func:`app.core.sources.prepare.prepare`); then one short transaction writes the whole
document (:meth:`SourcesStore.save`). A failure or a cancel before that commit leaves nothing
behind: never half a document.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from app.core.errors import AtlasError
from app.core.sources.mentions import KnownEntity, MentionMatcher
from app.core.sources.prepare import Prepared


class UserConnection(Protocol):
    """What the store needs of the user database (``app.core.userdata`` provides it)."""

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def read(self) -> AbstractContextManager[sqlite3.Connection]: ...


def slug(text: str, limit: int = 48) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return (s[:limit].rstrip("-")) or "untitled"


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class ImportReport:
    id: str
    file: str
    title: str
    sha256: str
    sections: int
    passages: int
    mentions: list[tuple[str, int]]  # (entity id, count), most first
    suggestions: int
    duplicate_of: str | None = None  # the document already holding these bytes
    notes: list[str] = field(default_factory=list)
    encoding: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "file": self.file,
            "title": self.title,
            "sha256": self.sha256,
            "sections": self.sections,
            "passages": self.passages,
            "mentions": [{"entity": e, "count": n} for e, n in self.mentions],
            "suggestions": self.suggestions,
            "duplicate": self.duplicate_of is not None,
        }


@dataclass(frozen=True)
class ImportedDocument:
    id: str
    file_name: str
    title: str
    origin: str
    sha256: str
    format: str
    encoding: str
    imported_at: str
    removed: bool
    passages: int
    open_suggestions: int


@dataclass(frozen=True)
class Suggestion:
    id: int
    document_id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    start: int
    end: int
    quote: str
    facts: tuple[dict[str, object], ...]
    status: str
    entity_id: str | None

    @property
    def founded(self) -> int | None:
        return next((int(str(f["value"])) for f in self.facts if f["field"] == "founded"), None)

    @property
    def members(self) -> list[str]:
        return [str(f["target"]) for f in self.facts if f["field"] in ("member", "party") and f["target"]]

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "kind": self.kind,
            "founded": self.founded,
            "members": self.members,
            "document": self.document_id,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "status": self.status,
        }


class SourcesStore:
    """Reads and writes the user's own sources through the user database connection."""

    def __init__(self, user: UserConnection) -> None:
        self.user = user

    # ---- documents --------------------------------------------------------------------------
    def find_by_sha(self, sha256: str) -> str | None:
        with self.user.read() as con:
            row = con.execute(
                "SELECT id FROM imported_document WHERE sha256 = ? AND removed_at IS NULL", (sha256,)
            ).fetchone()
        return str(row[0]) if row else None

    def save(self, prep: Prepared, *, cancelled: Callable[[], bool] | None = None) -> ImportReport:
        """Write one prepared document in one transaction (or nothing, if ``cancelled`` says so)."""
        counts: dict[str, int] = {}
        for eid, *_ in prep.mentions:
            counts[eid] = counts.get(eid, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        n_passages = sum(len(s[5]) for s in prep.sections)
        with self.user.transaction() as con:
            dup = con.execute(
                "SELECT id FROM imported_document WHERE sha256 = ? AND removed_at IS NULL", (prep.sha256,)
            ).fetchone()
            if dup is not None:
                title = con.execute("SELECT title FROM imported_document WHERE id = ?", (dup[0],)).fetchone()[0]
                return ImportReport(dup[0], prep.file_name, title, prep.sha256, 0, 0, [], 0, duplicate_of=dup[0])
            doc_id = _unique(con, "imported_document", "id", "doc-" + slug(prep.title))
            ordinal = con.execute("SELECT COALESCE(max(ordinal), 0) + 1 FROM imported_document").fetchone()[0]
            con.execute(
                "INSERT INTO imported_document (id, file_name, title, origin, sha256, format, encoding, original,"
                " text, imported_at, ordinal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    prep.file_name,
                    prep.title,
                    prep.origin,
                    prep.sha256,
                    prep.extracted.format,
                    prep.extracted.encoding,
                    prep.raw,
                    prep.extracted.text,
                    now_iso(),
                    ordinal,
                ),
            )
            passage_ids: list[int] = []
            for s_ord, heading, level, s_start, s_end, plist in prep.sections:
                cur = con.execute(
                    'INSERT INTO imported_section (document_id, ordinal, heading, level, start, "end")'
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (doc_id, s_ord, heading, level, s_start, s_end),
                )
                sid = cur.lastrowid
                for p_ord, p_start, p_end, p_text in plist:
                    cur = con.execute(
                        'INSERT INTO imported_passage (document_id, section_id, ordinal, start, "end", text)'
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (doc_id, sid, p_ord, p_start, p_end, p_text),
                    )
                    pid = int(cur.lastrowid or 0)
                    passage_ids.append(pid)
                    con.execute(
                        "INSERT INTO imported_passage_fts (rowid, text, heading, title) VALUES (?, ?, ?, ?)",
                        (pid, p_text, heading, prep.title),
                    )
            con.executemany(
                'INSERT INTO imported_mention (entity_id, passage_id, start, "end", matched) VALUES (?, ?, ?, ?, ?)',
                [(eid, passage_ids[pi], a, b, m) for eid, pi, a, b, m in prep.mentions],
            )
            con.executemany(
                'INSERT INTO suggestion (document_id, name, aliases, kind, start, "end", quote, facts)'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        doc_id,
                        c.name,
                        json.dumps(c.aliases, ensure_ascii=False),
                        c.kind,
                        c.sentence.start,
                        c.sentence.end,
                        c.sentence.text,
                        json.dumps([f.as_json() for f in c.facts], ensure_ascii=False),
                    )
                    for c in prep.suggestions
                ],
            )
            if cancelled is not None and cancelled():
                raise ImportCancelled("Import cancelled; this document was not imported.")
        return ImportReport(
            doc_id,
            prep.file_name,
            prep.title,
            prep.sha256,
            len(prep.sections),
            n_passages,
            ranked,
            len(prep.suggestions),
            notes=list(prep.extracted.notes),
            encoding=prep.extracted.encoding,
        )

    def documents(self, *, include_removed: bool = False) -> list[ImportedDocument]:
        with self.user.read() as con:
            rows = con.execute(
                "SELECT d.id, d.file_name, d.title, d.origin, d.sha256, d.format, d.encoding, d.imported_at,"
                " d.removed_at IS NOT NULL,"
                " (SELECT count(*) FROM imported_passage p WHERE p.document_id = d.id),"
                " (SELECT count(*) FROM suggestion s WHERE s.document_id = d.id AND s.status = 'open')"
                " FROM imported_document d"
                + ("" if include_removed else " WHERE d.removed_at IS NULL")
                + " ORDER BY d.ordinal"
            ).fetchall()
        return [
            ImportedDocument(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), int(r[9]), int(r[10]))
            for r in rows
        ]

    def remove_document(self, doc_id: str) -> tuple[str, int]:
        """Remove an imported document: its bytes, search index, mentions and open suggestions go;
        the passages that user facts cite stay (marked removed), so no fact loses its evidence.
        Returns (title, number of facts citing it)."""
        with self.user.transaction() as con:
            row = con.execute("SELECT title, removed_at FROM imported_document WHERE id = ?", (doc_id,)).fetchone()
            if row is None or row[1] is not None:
                raise AtlasError(f"No imported document '{doc_id}'. See 'alliance-atlas documents'.")
            cited = con.execute("SELECT count(*) FROM user_citation WHERE document_id = ?", (doc_id,)).fetchone()[0]
            con.execute(
                "DELETE FROM imported_passage_fts WHERE rowid IN"
                " (SELECT id FROM imported_passage WHERE document_id = ?)",
                (doc_id,),
            )
            con.execute(
                "DELETE FROM imported_mention WHERE passage_id IN"
                " (SELECT id FROM imported_passage WHERE document_id = ?)",
                (doc_id,),
            )
            con.execute("DELETE FROM suggestion WHERE document_id = ? AND status != 'accepted'", (doc_id,))
            con.execute(
                "UPDATE imported_document SET removed_at = ?, original = NULL WHERE id = ?", (now_iso(), doc_id)
            )
        return str(row[0]), int(cited)

    # ---- suggestions ------------------------------------------------------------------------
    def suggestions(self, document_id: str | None = None, *, status: str | None = "open") -> list[Suggestion]:
        sql = (
            'SELECT s.id, s.document_id, s.name, s.aliases, s.kind, s.start, s."end", s.quote, s.facts, s.status,'
            " s.entity_id FROM suggestion s JOIN imported_document d ON d.id = s.document_id"
            " WHERE d.removed_at IS NULL"
        )
        params: list[object] = []
        if document_id is not None:
            sql += " AND s.document_id = ?"
            params.append(document_id)
        if status is not None:
            sql += " AND s.status = ?"
            params.append(status)
        with self.user.read() as con:
            rows = con.execute(sql + " ORDER BY d.ordinal, s.start", params).fetchall()
        return [_suggestion(r) for r in rows]

    def suggestion(self, sid: int) -> Suggestion | None:
        with self.user.read() as con:
            r = con.execute(
                'SELECT id, document_id, name, aliases, kind, start, "end", quote, facts, status, entity_id'
                " FROM suggestion WHERE id = ?",
                (sid,),
            ).fetchone()
        return _suggestion(r) if r else None

    def reject(self, sid: int) -> Suggestion:
        s = self.suggestion(sid)
        if s is None or s.status != "open":
            raise AtlasError(f"No open suggestion {sid}. See 'alliance-atlas suggestions'.")
        with self.user.transaction() as con:
            con.execute("UPDATE suggestion SET status = 'rejected' WHERE id = ?", (sid,))
        return s

    # ---- user entities and facts ----------------------------------------------------------
    def create_entity(
        self,
        con: sqlite3.Connection,
        name: str,
        kind: str,
        aliases: list[str],
    ) -> str:
        from app.core.reference.build import sort_name

        # A short defined acronym makes the readable id ("my-anzus"), else the name does.
        acronym = next((a for a in aliases if a.isupper() and 2 <= len(a) <= 12), None)
        eid = _unique(con, "user_entity", "id", "my-" + slug(acronym or name))
        con.execute(
            "INSERT INTO user_entity (id, name, sort_name, kind, aliases, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (eid, name, sort_name(name), kind, "; ".join(aliases), now_iso()),
        )
        con.executemany(
            "INSERT OR IGNORE INTO user_alias (entity_id, alias) VALUES (?, ?)", [(eid, a) for a in aliases]
        )
        return eid

    def add_fact(
        self,
        con: sqlite3.Connection,
        entity_id: str,
        field_name: str,
        value: str | None,
        target_id: str | None,
        document_id: str,
        start: int,
        end: int,
        quote: str,
    ) -> int:
        ordinal = con.execute(
            "SELECT COALESCE(max(ordinal), 999) + 1 FROM user_fact WHERE entity_id = ?", (entity_id,)
        ).fetchone()[0]
        cur = con.execute(
            "INSERT INTO user_fact (entity_id, ordinal, field, value, target_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (entity_id, ordinal, field_name, value, target_id, now_iso()),
        )
        fid = int(cur.lastrowid or 0)
        con.execute(
            'INSERT INTO user_citation (fact_id, document_id, start, "end", quote) VALUES (?, ?, ?, ?, ?)',
            (fid, document_id, start, end, quote),
        )
        return fid

    def refresh_entity(self, con: sqlite3.Connection, entity_id: str) -> None:
        """Recompute a user entity's list columns and search row from its facts."""
        row = con.execute("SELECT rid, name, aliases FROM user_entity WHERE id = ?", (entity_id,)).fetchone()
        if row is None:
            return  # a fact on a reference entity: its row lives in the reference
        facts = con.execute(
            "SELECT field, value, target_id FROM user_fact WHERE entity_id = ? ORDER BY ordinal", (entity_id,)
        ).fetchall()
        first: dict[str, str] = {}
        for f, v, _t in facts:
            if v is not None:
                first.setdefault(f, v)
        members = {t for f, _v, t in facts if f in ("member", "party") and t}
        quotes = [
            r[0]
            for r in con.execute(
                "SELECT c.quote FROM user_citation c JOIN user_fact f ON f.id = c.fact_id WHERE f.entity_id = ?",
                (entity_id,),
            )
        ]
        con.execute(
            "UPDATE user_entity SET category = ?, region = ?, founded = ?, ended = ?, member_count = ? WHERE id = ?",
            (
                first.get("category"),
                first.get("region"),
                int(first["founded"]) if first.get("founded", "").isdigit() else None,
                int(first["ended"]) if first.get("ended", "").isdigit() else None,
                len(members),
                entity_id,
            ),
        )
        body = "\n".join([*(v for _f, v, _t in facts if v), *quotes])
        con.execute("DELETE FROM user_entity_fts WHERE rowid = ?", (row[0],))
        con.execute(
            "INSERT INTO user_entity_fts (rowid, name, aliases, body) VALUES (?, ?, ?, ?)",
            (row[0], row[1], row[2].replace(";", " "), body),
        )

    def link_mentions(self, con: sqlite3.Connection, entity: KnownEntity) -> int:
        """Mentions of a new entity in every imported document (its names, word boundaries)."""
        matcher = MentionMatcher([entity])
        rows = []
        for pid, start, text in con.execute(
            "SELECT p.id, p.start, p.text FROM imported_passage p JOIN imported_document d ON d.id = p.document_id"
            " WHERE d.removed_at IS NULL"
        ):
            for f in matcher.find(text):
                rows.append((entity.id, pid, start + f.start, start + f.end, f.matched))
        con.executemany(
            'INSERT INTO imported_mention (entity_id, passage_id, start, "end", matched) VALUES (?, ?, ?, ?, ?)', rows
        )
        return len(rows)

    def document_text(self, doc_id: str) -> tuple[str, str] | None:
        """(title, text) of an imported document."""
        with self.user.read() as con:
            row = con.execute("SELECT title, text FROM imported_document WHERE id = ?", (doc_id,)).fetchone()
        return (str(row[0]), str(row[1])) if row else None


class ImportCancelled(AtlasError):
    """The user cancelled an import; the document in progress was rolled back."""


def _suggestion(r: tuple[object, ...]) -> Suggestion:
    return Suggestion(
        int(str(r[0])),
        str(r[1]),
        str(r[2]),
        tuple(json.loads(str(r[3]))),
        str(r[4]),
        int(str(r[5])),
        int(str(r[6])),
        str(r[7]),
        tuple(json.loads(str(r[8]))),
        str(r[9]),
        None if r[10] is None else str(r[10]),
    )


def _unique(con: sqlite3.Connection, table: str, column: str, base: str) -> str:
    candidate, n = base, 1
    while con.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (candidate,)).fetchone():
        n += 1
        candidate = f"{base}-{n}"
    return candidate
