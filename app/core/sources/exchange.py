"""Your entities in the JSON notes exchange: exported with the documents they cite, imported by a
colleague under the same ids (so the notes on them attach), every fact checked again by the rules.

The notes file gains an optional top-level ``"sources"``:
``{"documents": [{"id", "file", "title", "origin", "sha256", "format", "text"}],
"entities": [{"id", "name", "kind", "aliases", "facts": [{"field", "value", "target", "target_name",
"document", "start", "end", "quote"}]}]}``. Files without it import as before.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import AtlasError
from app.core.query.repository import Repository
from app.core.reference.ingest import split_document
from app.core.sources.curate import CurationRefused, check_named, check_value, check_year, locate, names_for
from app.core.sources.mentions import KnownEntity, MentionMatcher, in_passages
from app.core.sources.store import SourcesStore, now_iso
from app.core.vocab import KINDS


def export_sources(store: SourcesStore, entity_ids: Iterable[str], names: dict[str, str]) -> dict[str, Any] | None:
    """The user entities among ``entity_ids`` with their cited facts, and the imported documents
    they cite (their text), or None when there are none."""
    wanted = json.dumps(sorted(set(entity_ids)))
    with store.user.read() as con:
        ents = con.execute(
            "SELECT id, name, kind FROM user_entity WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (wanted,),
        ).fetchall()
        if not ents:
            return None
        out_entities = []
        cited: set[str] = set()
        for eid, name, kind in ents:
            rows = con.execute("SELECT alias FROM user_alias WHERE entity_id = ? ORDER BY rowid", (eid,))
            aliases = [r[0] for r in rows]
            facts = []
            for fld, value, target, doc, start, end, quote in con.execute(
                'SELECT f.field, f.value, f.target_id, c.document_id, c.start, c."end", c.quote FROM user_fact f'
                " JOIN user_citation c ON c.fact_id = f.id WHERE f.entity_id = ? ORDER BY f.ordinal, c.id",
                (eid,),
            ):
                cited.add(doc)
                facts.append(
                    {
                        "field": fld,
                        "value": value,
                        "target": target,
                        "target_name": names.get(target or ""),
                        "document": doc,
                        "start": start,
                        "end": end,
                        "quote": quote,
                    }
                )
            out_entities.append({"id": eid, "name": name, "kind": kind, "aliases": aliases, "facts": facts})
        docs = con.execute(
            "SELECT id, file_name, title, origin, sha256, format, text FROM imported_document"
            " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY ordinal",
            (json.dumps(sorted(cited)),),
        ).fetchall()
    keys = ("id", "file", "title", "origin", "sha256", "format", "text")
    return {"documents": [dict(zip(keys, d, strict=True)) for d in docs], "entities": out_entities}


@dataclass
class ExchangeReport:
    documents_added: int = 0
    entities_added: int = 0
    entities_known: int = 0
    refused: list[str] = field(default_factory=list)  # one line per fact or entity left out, with the rule

    def summary(self) -> str:
        if not (self.documents_added or self.entities_added or self.entities_known or self.refused):
            return ""
        text = f"Your sources: {self.entities_added} entit{'y' if self.entities_added == 1 else 'ies'} added"
        text += f" ({self.documents_added} document{'s' if self.documents_added != 1 else ''})"
        if self.entities_known:
            text += f", {self.entities_known} already here"
        if self.refused:
            text += f"; {len(self.refused)} left out (they break a rule)"
        return text + "."


def _str(obj: dict[str, Any], key: str) -> str:
    v = obj.get(key)
    if not isinstance(v, str):
        raise AtlasError(f"This notes file's sources are not valid: '{key}' must be text. Nothing was changed.")
    return v


def import_sources(repo: Repository, store: SourcesStore, data: Any) -> ExchangeReport:
    """Merge the ``"sources"`` of a notes file: documents (by sha256: one already here is reused) and
    entities (by id: one already here is left alone), in one transaction; each fact passes the
    catalogue's rules against its document or is left out and reported."""
    report = ExchangeReport()
    sources = data.get("sources") if isinstance(data, dict) else None
    if not sources:
        return report
    if not isinstance(sources, dict) or not isinstance(sources.get("documents", []), list):
        raise AtlasError(
            "This notes file's “sources” must be an object with documents and entities. Nothing was changed."
        )
    raw_docs = sources.get("documents", [])
    raw_ents = sources.get("entities", [])
    if not isinstance(raw_ents, list) or not all(isinstance(x, dict) for x in [*raw_docs, *raw_ents]):
        raise AtlasError("This notes file's sources are not valid: documents and entities must be objects.")
    known = {k.id: k for k in (KnownEntity(i, n, k, a) for i, n, k, a in repo.known_entities())}
    matcher = MentionMatcher(known.values())
    texts: dict[str, tuple[str, str]] = {}  # incoming id -> (local id, text)
    local_docs = {d.id: d for d in repo.documents()}
    with store.user.transaction() as con:
        for raw in raw_docs:
            doc_id, text, sha = _str(raw, "id"), _str(raw, "text"), _str(raw, "sha256")
            row = con.execute(
                "SELECT id, text FROM imported_document WHERE sha256 = ? AND removed_at IS NULL", (sha,)
            ).fetchone()
            if row is not None:
                texts[doc_id] = (str(row[0]), str(row[1]))
                continue
            new_id = _add_document(con, raw, text, matcher)
            texts[doc_id] = (new_id, text)
            report.documents_added += 1
        for raw in raw_ents:
            _add_entity(con, store, raw, texts, local_docs, known, report, repo)
    return report


def _add_document(con: sqlite3.Connection, raw: dict[str, Any], text: str, matcher: MentionMatcher) -> str:
    from app.core.sources.store import _unique

    fmt = str(raw.get("format") or "plain")
    doc_id = _unique(con, "imported_document", "id", _str(raw, "id"))
    title = _str(raw, "title")
    ordinal = con.execute("SELECT COALESCE(max(ordinal), 0) + 1 FROM imported_document").fetchone()[0]
    con.execute(
        "INSERT INTO imported_document (id, file_name, title, origin, sha256, format, encoding, original, text,"
        " imported_at, ordinal) VALUES (?, ?, ?, ?, ?, ?, '', NULL, ?, ?, ?)",
        (
            doc_id,
            _str(raw, "file"),
            title,
            str(raw.get("origin") or ""),
            _str(raw, "sha256"),
            fmt,
            text,
            now_iso(),
            ordinal,
        ),
    )
    spans: list[tuple[int, int, int]] = []
    for s in split_document(text, "markdown" if fmt in ("markdown", "html") else "plain"):
        sid = con.execute(
            'INSERT INTO imported_section (document_id, ordinal, heading, level, start, "end")'
            " VALUES (?, ?, ?, ?, ?, ?)",
            (doc_id, s.ordinal, s.heading, s.level, s.start, s.end),
        ).lastrowid
        for p in s.passages:
            pid = int(
                con.execute(
                    'INSERT INTO imported_passage (document_id, section_id, ordinal, start, "end", text)'
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (doc_id, sid, p.ordinal, p.start, p.end, p.text),
                ).lastrowid
                or 0
            )
            con.execute(
                "INSERT INTO imported_passage_fts (rowid, text, heading, title) VALUES (?, ?, ?, ?)",
                (pid, p.text, s.heading, title),
            )
            spans.append((p.start, p.end, pid))
    con.executemany(
        'INSERT INTO imported_mention (entity_id, passage_id, start, "end", matched) VALUES (?, ?, ?, ?, ?)',
        [(f.entity_id, pid, f.start, f.end, f.matched) for f, pid in in_passages(matcher.find(text), spans)],
    )
    return doc_id


def _add_entity(
    con: sqlite3.Connection,
    store: SourcesStore,
    raw: dict[str, Any],
    texts: dict[str, tuple[str, str]],
    local_docs: dict[str, Any],
    known: dict[str, KnownEntity],
    report: ExchangeReport,
    repo: Repository,
) -> None:
    from app.core.reference.build import sort_name

    eid, name, kind = _str(raw, "id"), _str(raw, "name"), _str(raw, "kind")
    if eid in known or con.execute("SELECT 1 FROM user_entity WHERE id = ?", (eid,)).fetchone():
        report.entities_known += 1
        return
    if kind not in KINDS or not eid.startswith("my-"):
        report.refused.append(f"{name}: not an entity of yours this atlas can take (id {eid}, kind {kind}).")
        return
    aliases = [a for a in raw.get("aliases") or [] if isinstance(a, str)]
    checked = []
    for f in raw.get("facts") or []:
        try:
            checked.append(_check_fact(f, texts, local_docs, known, repo))
        except (CurationRefused, AtlasError, KeyError, TypeError, ValueError) as exc:
            report.refused.append(f"{name}, {f.get('field') if isinstance(f, dict) else '?'}: {exc}")
    if not checked:
        report.refused.append(f"{name}: no fact with a quote that passes the rules; not added.")
        return
    con.execute(
        "INSERT INTO user_entity (id, name, sort_name, kind, aliases, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (eid, name, sort_name(name), kind, "; ".join(aliases), now_iso()),
    )
    con.executemany("INSERT OR IGNORE INTO user_alias (entity_id, alias) VALUES (?, ?)", [(eid, a) for a in aliases])
    for fld, value, target, doc, loc in checked:
        store.add_fact(con, eid, fld, value, target, doc, loc.start, loc.end, loc.quote)
    store.refresh_entity(con, eid)
    store.link_mentions(con, KnownEntity(eid, name, kind, tuple(aliases)))
    report.entities_added += 1


def _check_fact(
    f: Any,
    texts: dict[str, tuple[str, str]],
    local_docs: dict[str, Any],
    known: dict[str, KnownEntity],
    repo: Repository,
) -> tuple[str, str | None, str | None, str, Any]:
    fld, doc, quote = str(f["field"]), str(f["document"]), str(f["quote"])
    if doc in texts:
        doc_id, text = texts[doc]
    elif doc in local_docs:
        view = repo.get_document(doc)
        if view is None:
            raise AtlasError(f"its document {doc} is not here")
        doc_id, text = doc, view.text
    else:
        raise AtlasError(f"its document {doc} is neither a seed here nor in the file")
    loc = locate(text, quote, doc_id, near=int(f.get("start") or 0))
    value = f.get("value")
    target = f.get("target")
    if fld in ("founded", "ended"):
        check_year(str(value), loc.quote)
    elif fld in ("member", "party", "partner", "part_of"):
        t = known.get(str(target))
        if t is None:
            raise AtlasError(f"{f.get('target_name') or target} is not in this catalogue")
        check_named(t.name, names_for(t.name, t.aliases, t.kind), loc.quote, fld)
    elif fld in ("region", "category", "activity"):
        check_value(fld, str(value), loc.quote)
    elif fld != "description":
        raise AtlasError(f"unknown field {fld}")
    return fld, None if value is None else str(value), None if target is None else str(target), doc_id, loc
