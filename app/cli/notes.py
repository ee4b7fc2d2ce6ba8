"""The ``alliance-atlas notes`` commands: add, list, export, import, backup, backups, restore (Qt-free,
for scripting)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import EXIT_OK, CliError, check_output, open_atlas_for
from app.core.errors import AtlasError, DatabaseCorrupt, DatabaseReadOnly
from app.paths import DataPaths

if TYPE_CHECKING:
    from app.core.atlas import Atlas
    from app.core.query.repository import Repository
    from app.core.userdata.notes import NotesStore


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``notes`` and its subcommands to the main parser's subparsers."""
    notes = subparsers.add_parser("notes", help="add, list, export and import your notes")
    sub = notes.add_subparsers(dest="notes_command", metavar="ACTION", required=True)

    p = sub.add_parser("add", help="add a note to an entity")
    p.add_argument("--entity", "-e", required=True, metavar="ID_OR_NAME", help="entity id, name or alias")
    p.add_argument("--title", "-t", default="", help="note title")
    p.add_argument("--body", "-b", default="", help="note text (Markdown); '-' reads standard input")
    p.add_argument("--tag", action="append", default=[], help="tag the note (repeatable)")
    p.set_defaults(handler=cmd_add)

    p = sub.add_parser("list", help="list notes, newest first")
    p.add_argument("--entity", "-e", metavar="ID_OR_NAME", help="only notes on this entity")
    p.add_argument("--tag", help="only notes with this tag (on the note or its entity)")
    p.add_argument("--query", "-q", help="full-text search in titles and bodies")
    p.add_argument("--trash", action="store_true", help="list the notes in the trash")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("export", help="export notes to a portable JSON file or Markdown")
    p.add_argument("--tag", help="only notes with this tag (on the note or its entity)")
    p.add_argument(
        "--entity", "-e", action="append", default=[], metavar="ID_OR_NAME", help="only these entities (repeatable)"
    )
    p.add_argument("--format", "-f", choices=["json", "md"], help="default: from the file name, else json")
    p.add_argument("--output", "-o", required=True, type=Path, metavar="FILE", help="the notes file to write")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("import", help="merge a notes file (JSON) into your notes")
    p.add_argument("file", type=Path, help="a notes file exported by Alliance Atlas")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("backup", help="back up the notes database now (SQLite backup API)")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser(
        "restore",
        help="restore the notes database from a backup (default: the newest sound one); a damaged "
        "database is set aside first, a sound one is backed up first",
    )
    p.add_argument("--backup", type=Path, metavar="FILE", help="the backup file to restore (see `notes backups`)")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("backups", help="list the backups of the notes database, newest first")
    p.set_defaults(handler=cmd_backups)

    parser: argparse.ArgumentParser = notes
    return parser


def _fail(msg: str) -> Exception:
    return CliError(msg)


def _store(atlas: Atlas, *, write: bool = False) -> NotesStore:
    """The notes of the opened user database, after the daily backup. For ``write``, a database
    known to be damaged is refused: writing into it could bury what a restore would salvage."""
    from app.core.userdata.backup import daily_backup
    from app.core.userdata.restore import check_user_db

    if write:
        health = check_user_db(atlas.paths)
        if health.status == "damaged":
            raise DatabaseCorrupt(f"{health.message} Nothing was written.")
        if atlas.read_only:
            raise DatabaseReadOnly(
                f"The data folder {atlas.paths.root} is read-only, so notes can be listed and exported but "
                "not changed. Nothing was written."
            )
    store = atlas.user_data.notes
    if atlas.read_only:
        return store  # no daily backup: the backups folder cannot be written either
    try:  # scripted use keeps the daily backup too; a failed backup is reported, not fatal
        daily_backup(atlas.paths)
    except AtlasError as exc:
        print(f"alliance-atlas: warning: automatic backup failed: {exc}", file=sys.stderr)
    return store


def damaged_hint(paths: DataPaths) -> str:
    """For an error about a damaged notes database: what the user can do next, or ""."""
    from app.core.userdata.restore import check_user_db

    health = check_user_db(paths)
    if health.status != "damaged":
        return ""
    if health.newest_good is None:
        return (
            "No sound backup was found. `alliance-atlas notes restore` sets the damaged file aside "
            "(it is never deleted) and starts an empty notes database."
        )
    return (
        f"A sound backup from {health.newest_good.created:%Y-%m-%d %H:%M} exists: `alliance-atlas notes restore` "
        "sets the damaged file aside (it is never deleted) and restores it; the window offers the same at start."
    )


def _with_atlas(command: Callable[[argparse.Namespace, Atlas], int]) -> Callable[[argparse.Namespace, DataPaths], int]:
    """Run ``command`` with the databases open, closing them after."""

    def run(args: argparse.Namespace, paths: DataPaths) -> int:
        with open_atlas_for(paths) as atlas:
            return command(args, atlas)

    return run


def _resolve(repo: Repository, key: str) -> str:
    eid = repo.resolve(key)
    if eid is None:
        raise _fail(f"No entity called '{key}'. Try 'alliance-atlas search {key}' to find its name or id.")
    return str(eid)


def cmd_add(args: argparse.Namespace, paths: DataPaths) -> int:
    body = sys.stdin.read() if args.body == "-" else args.body
    if not args.title.strip() and not body.strip():
        raise _fail("A note needs a --title or a --body.")
    with open_atlas_for(paths) as atlas:
        eid = _resolve(atlas.repo, args.entity)
        name = atlas.repo.entity_names().get(eid, eid)
        note = _store(atlas, write=True).create_note(eid, title=args.title, body=body, tags=args.tag)
    print(f"Added note {note.id} to {name} ({eid}).")
    return EXIT_OK


def _note_json(n: Any, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": n.id,
        "entity_id": n.entity_id,
        "entity_name": names.get(n.entity_id or ""),
        "detached": bool(n.entity_id) and n.entity_id not in names,
        "document_id": n.document_id,
        "start": n.start,
        "end": n.end,
        "quote": n.quote,
        "title": n.title,
        "body": n.body,
        "tags": list(n.tags),
        "created_at": n.created_at,
        "updated_at": n.updated_at,
        "deleted_at": n.deleted_at,
    }


@_with_atlas
def cmd_list(args: argparse.Namespace, atlas: Atlas) -> int:
    names = atlas.repo.entity_names()
    eid = _resolve(atlas.repo, args.entity) if args.entity else None
    if args.query:
        from app.core.query.fts import query_too_long

        too_long = query_too_long(args.query)
        if too_long:
            raise _fail(f"--query: {too_long}")
    store = _store(atlas)
    if args.query:
        # The filters run inside the search, and there is no cut: every matching note is listed.
        notes = [h.note for h in store.search(args.query, entity_id=eid, tag=args.tag)]
    else:
        notes = store.list_notes(entity_id=eid, tag=args.tag, trash=args.trash)
    if args.json:
        json.dump([_note_json(n, names) for n in notes], sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    if not notes:
        print(
            "No notes in the trash."
            if args.trash
            else "No notes match."
            if (args.query or args.tag or eid)
            else "No notes yet."
        )
        return EXIT_OK
    for n in notes:
        if n.entity_id:
            where = names.get(n.entity_id) or f"{n.entity_id} (detached: not in this catalogue)"
        else:
            where = f"passage in {n.document_id}" if n.document_id else "(no entity)"
        tags = f"  [{', '.join(n.tags)}]" if n.tags else ""
        print(f"{n.id}  {n.updated_at[:16].replace('T', ' ')}  {where}: {n.display_title}{tags}")
    print(f"{len(notes)} note{'s' if len(notes) != 1 else ''}.")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, paths: DataPaths) -> int:
    check_output(args.output)
    return _export(args, paths)


@_with_atlas
def _export(args: argparse.Namespace, atlas: Atlas) -> int:
    out: Path = args.output
    fmt = args.format or ("md" if out.suffix.lower() in (".md", ".markdown") else "json")
    names = atlas.repo.entity_names()
    ids = [_resolve(atlas.repo, e) for e in args.entity] or None
    docs = {d.id: d.title for d in atlas.repo.documents()}
    store = _store(atlas)
    if args.tag and store.get_tag(args.tag) is None:
        known = ", ".join(t.name for t in store.list_tags()) or "none yet"
        raise _fail(f"No tag called '{args.tag}'. Tags: {known}.")
    notes = store.select_for_export(tag=args.tag, entity_ids=ids)
    parts = []
    if args.tag:
        parts.append(f"tagged “{args.tag}”")
    if ids:
        parts.append("on " + ", ".join(names.get(i, i) for i in ids))
    description = "Notes " + " ".join(parts) if parts else "All notes"
    if fmt == "json":
        store.export_json(
            out, notes, entity_names=names, description=description, entity_scope=ids, all_tags=not (args.tag or ids)
        )
    else:
        store.export_markdown(out, notes, entity_names=names, document_titles=docs, description=description)
    from app.core.fileio import written_note

    print(f"Wrote {len(notes)} note{'s' if len(notes) != 1 else ''} to {out}{written_note(out)}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.userdata.notes import read_import_file, validate_import

    # Validate before touching any database, so a bad file exits cleanly and changes nothing.
    data = read_import_file(args.file)
    validate_import(data)
    return _import(args, paths, data)


def _import(args: argparse.Namespace, paths: DataPaths, data: Any) -> int:
    with open_atlas_for(paths) as atlas:
        return _merge(atlas, data)


def _merge(atlas: Atlas, data: Any) -> int:
    from app.core.sources.exchange import import_sources

    # Entities made from documents travel with the notes: added first, so the notes on them attach.
    sources = import_sources(atlas.repo, atlas.user_data.sources, data)
    if sources.summary():
        print(sources.summary())
        for line in sources.refused:
            print(f"  left out: {line}")
    known = set(atlas.repo.entity_names())
    # Entities named by id, name or alias, ignoring case (a hand-made file may say "CSTO").
    resolved = {
        key: atlas.repo.resolve(key)
        for raw in data["notes"]
        for key in (raw.get("entity_id"), raw.get("entity_name"))
        if isinstance(key, str) and key
    }
    report = _store(atlas, write=True).import_data(data, known_entities=known, resolve=resolved.get)
    print(report.summary())
    for local_id, copy_id, title in report.conflicts:
        print(f"  conflict: “{title}” ({local_id}) kept; imported version added as {copy_id}")
    for local_id, copy_id, when in report.future:
        print(f"  future date: note {local_id} claims an edit at {when}; kept, imported text added as {copy_id}")
    for note_id, entity_id in report.detached:
        print(f"  detached: note {note_id} is on '{entity_id}', which is not in this catalogue (kept)")
    return EXIT_OK


def cmd_backups(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.userdata.backup import list_backups

    backups = list_backups(paths, count_notes=True)
    if not backups:
        print(f"No backups yet in {paths.backups}.")
        return EXIT_OK
    for b in backups:
        notes = "? notes" if b.notes is None else f"{b.notes} note{'s' if b.notes != 1 else ' '}"
        print(f"{b.created:%Y-%m-%d %H:%M}  {b.reason:<14} {notes:>11}  {b.path}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.userdata.backup import list_backups
    from app.core.userdata.integrity import is_sound
    from app.core.userdata.restore import check_user_db, recover, restore_backup

    paths.ensure()
    health = check_user_db(paths)
    if health.error is not None:
        # Not damaged but cannot be opened (a full disk, read-only storage...): say so, move nothing.
        raise AtlasError(f"{health.error} Nothing was restored or moved.")
    backup: Path | None = args.backup
    if backup is not None and not backup.is_file():
        raise _fail(f"No backup file {backup}. `alliance-atlas notes backups` lists them.")
    if backup is None:
        backup = next((b.path for b in list_backups(paths) if is_sound(b.path)), None)
    if health.status == "damaged":
        print(recover(paths, backup).summary())
        return EXIT_OK
    if backup is None:
        raise _fail(f"No sound backup to restore in {paths.backups}.")
    safety = restore_backup(paths, backup)
    kept = f" The notes as they were are kept in {safety.name}." if safety else ""
    print(f"Restored the notes database from {backup.name}.{kept}")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.userdata.backup import backup_user_db, backup_warning

    path = backup_user_db(paths.ensure(), reason="manual")
    print(f"Backed up the notes database to {path}")
    warning = backup_warning(paths, path)
    if warning:
        print(f"alliance-atlas: warning: {warning}", file=sys.stderr)
    return EXIT_OK
