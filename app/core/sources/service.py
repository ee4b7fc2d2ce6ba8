"""Import, accept, reject and cite: the operations on the user's sources, for the CLI and the window.

They read the whole catalogue (reference and user) through the repository and write through the
:class:`~app.core.sources.store.SourcesStore`, checking every user fact with the catalogue's rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import AtlasError
from app.core.query.repository import Repository
from app.core.sources.curate import (
    RELATIONS,
    USER_FIELDS,
    CurationRefused,
    check_named,
    check_value,
    check_year,
    locate,
    names_for,
)
from app.core.sources.mentions import KnownEntity, MentionMatcher
from app.core.sources.prepare import prepare, read_file
from app.core.sources.store import ImportCancelled, ImportReport, SourcesStore
from app.core.vocab import KINDS


@dataclass
class ImportBatch:
    reports: list[ImportReport] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, one-line reason)
    cancelled: bool = False

    @property
    def imported(self) -> list[ImportReport]:
        return [r for r in self.reports if r.duplicate_of is None]


def known_entities(repo: Repository) -> list[KnownEntity]:
    return [KnownEntity(i, n, k, a) for i, n, k, a in repo.known_entities()]


def import_paths(
    repo: Repository,
    store: SourcesStore,
    paths: Sequence[Path],
    *,
    title: str = "",
    origin: str = "",
    progress: Callable[[int, int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportBatch:
    """Import each file in its own transaction. A refused file is reported and the others go on;
    a cancel stops after rolling back the document in progress (those before it stay imported)."""
    batch = ImportBatch()
    known = known_entities(repo)
    matcher = MentionMatcher(known)
    for i, path in enumerate(paths):
        if cancelled is not None and cancelled():
            batch.cancelled = True
            break
        if progress is not None:
            progress(i, len(paths), path.name)
        try:
            raw = read_file(path)
            prep = prepare(
                path.name, raw, known, title=title if len(paths) == 1 else "", origin=origin, matcher=matcher
            )
            dup = store.find_by_sha(prep.sha256)
            if dup is not None:
                batch.reports.append(
                    ImportReport(dup, path.name, prep.title, prep.sha256, 0, 0, [], 0, duplicate_of=dup)
                )
                continue
            batch.reports.append(store.save(prep, cancelled=cancelled))
        except ImportCancelled:
            batch.cancelled = True
            break
        except AtlasError as exc:
            batch.errors.append((path.name, str(exc)))
    if progress is not None and not batch.cancelled:
        progress(len(paths), len(paths), "")
    return batch


def _doc(repo: Repository, key: str) -> tuple[str, str, str]:
    """(id, title, text) of a seed or imported document given by id or file name."""
    docs = repo.documents()
    match = next((d for d in docs if key in (d.id, d.file_name)), None)
    if match is None:
        known = ", ".join(d.id for d in docs)
        raise AtlasError(f"No document '{key}'. Documents: {known}.")
    view = repo.get_document(match.id)
    if view is None:
        raise AtlasError(f"No document '{key}'.")
    return match.id, match.title, view.text


def _target(repo: Repository, key: str) -> tuple[str, str, list[str]]:
    """(id, name, names to look for in a quote) of an entity given by id, name or alias."""
    eid = repo.resolve(key)
    if eid is None:
        raise AtlasError(f"No entity called '{key}'. Try 'alliance-atlas search {key}'.")
    detail = repo.entity_details([eid])[0]
    return eid, detail.name, names_for(detail.name, detail.aliases, detail.kind)


def _check_kind(kind: str) -> str:
    k = kind.strip().casefold()
    if k not in KINDS:
        raise AtlasError(f"No kind '{kind}'. Kinds: {', '.join(KINDS)}.")
    return k


def _check_new_name(repo: Repository, name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise AtlasError("An entity needs a name.")
    existing = repo.resolve(name)
    if existing is not None:
        raise AtlasError(f"'{name}' is already in the atlas (id {existing}); add facts to it instead.")
    return name


def accept(repo: Repository, store: SourcesStore, sid: int, *, name: str = "", kind: str = "") -> str:
    """Make an entity from a suggestion: its sentence as the description, and each proposed fact
    that passes the rules. Returns the new entity id."""
    s = store.suggestion(sid)
    if s is None or s.status != "open":
        raise AtlasError(f"No open suggestion {sid}. See 'alliance-atlas suggestions'.")
    doc = store.document_text(s.document_id)
    if doc is None:
        raise AtlasError(f"The document of suggestion {sid} is gone.")
    title, text = doc
    final_name = _check_new_name(repo, name or s.name)
    final_kind = _check_kind(kind or s.kind)
    aliases = [a for a in s.aliases if a != final_name and repo.resolve(a) is None]
    located = locate(text, s.quote, title, near=s.start)
    checked: list[tuple[str, str | None, str | None, Any]] = []
    for f in s.facts:
        fq = locate(text, str(f["quote"]), title, near=int(str(f["start"])))
        if f["field"] == "founded":
            check_year(str(f["value"]), fq.quote)
            checked.append(("founded", str(f["value"]), None, fq))
        elif f["field"] in RELATIONS and f["target"]:
            tid, tname, names = _target(repo, str(f["target"]))
            check_named(tname, names, fq.quote)
            field_name = str(f["field"]) if final_kind != "alliance" else "member"
            checked.append((field_name, None, tid, fq))
    with store.user.transaction() as con:
        row = con.execute("SELECT status FROM suggestion WHERE id = ?", (sid,)).fetchone()
        if row is None or row[0] != "open":
            raise AtlasError(f"Suggestion {sid} was already {row[0] if row else 'removed'}.")
        eid = store.create_entity(con, final_name, final_kind, aliases)
        store.add_fact(con, eid, "description", None, None, s.document_id, located.start, located.end, located.quote)
        for field_name, value, target, fq in checked:
            store.add_fact(con, eid, field_name, value, target, s.document_id, fq.start, fq.end, fq.quote)
        store.refresh_entity(con, eid)
        store.link_mentions(con, KnownEntity(eid, final_name, final_kind, tuple(aliases)))
        con.execute("UPDATE suggestion SET status = 'accepted', entity_id = ? WHERE id = ?", (eid, sid))
    return eid


def add_entity(
    repo: Repository,
    store: SourcesStore,
    *,
    name: str,
    kind: str,
    document: str,
    quote: str,
    aliases: Sequence[str] = (),
    founded: str | None = None,
    members: Sequence[str] = (),
    near: int | None = None,
) -> str:
    """A new entity by hand, described by a quote from a document; optional founded year and members
    (each must be named in the same quote). Returns its id."""
    final_name = _check_new_name(repo, name)
    final_kind = _check_kind(kind)
    doc_id, title, text = _doc(repo, document)
    loc = locate(text, quote, title, near=near)
    if founded is not None:
        check_year(str(founded), loc.quote)
    targets = []
    for m in members:
        tid, tname, names = _target(repo, m)
        check_named(tname, names, loc.quote)
        targets.append(tid)
    role = "party" if final_kind in ("treaty", "partnership", "event") else "member"
    alias_list = [a.strip() for a in aliases if a.strip() and a.strip() != final_name]
    with store.user.transaction() as con:
        eid = store.create_entity(con, final_name, final_kind, alias_list)
        store.add_fact(con, eid, "description", None, None, doc_id, loc.start, loc.end, loc.quote)
        if founded is not None:
            store.add_fact(con, eid, "founded", str(founded), None, doc_id, loc.start, loc.end, loc.quote)
        for tid in targets:
            store.add_fact(con, eid, role, None, tid, doc_id, loc.start, loc.end, loc.quote)
        store.refresh_entity(con, eid)
        store.link_mentions(con, KnownEntity(eid, final_name, final_kind, tuple(alias_list)))
    return eid


def cite(
    repo: Repository,
    store: SourcesStore,
    *,
    entity: str,
    field_name: str,
    value: str,
    document: str,
    quote: str,
    near: int | None = None,
) -> int:
    """Add one cited fact to an existing entity (reference or user): ``value`` is a year, an entity
    (member, party, partner, part of) or a text (activity, category, region). Returns the fact id."""
    if field_name not in USER_FIELDS:
        raise AtlasError(f"No fact field '{field_name}'. Fields: {', '.join(USER_FIELDS)}.")
    eid = repo.resolve(entity)
    if eid is None:
        raise AtlasError(f"No entity called '{entity}'.")
    doc_id, title, text = _doc(repo, document)
    loc = locate(text, quote, title, near=near)
    target = None
    stored: str | None = value.strip() or None
    if field_name in ("founded", "ended"):
        check_year(value.strip(), loc.quote)
    elif field_name in RELATIONS:
        target, tname, names = _target(repo, value)
        check_named(tname, names, loc.quote, field_name)
        stored = None
    elif field_name == "description":
        stored = None
    else:
        if not stored:
            raise CurationRefused(f"Refused: a {field_name} needs a value.")
        check_value(field_name, stored, loc.quote)
    with store.user.transaction() as con:
        fid = store.add_fact(con, eid, field_name, stored, target, doc_id, loc.start, loc.end, loc.quote)
        store.refresh_entity(con, eid)
    return fid
