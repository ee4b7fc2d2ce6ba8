"""Commands for the user's own sources: import, documents, remove-document, suggestions, accept, reject, entity add."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_ERROR, EXIT_OK, CliError, open_atlas_for
from app.paths import DataPaths


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="import your own documents (text, Markdown, HTML, PDF)")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="the files to import")
    p.add_argument("--title", default="", help="the document's title (one file only; default: its own title)")
    p.add_argument("--origin", default="", metavar="TEXT", help="where it comes from (publisher, author, date)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("documents", help="list the seed documents and your imported ones")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_documents)

    p = sub.add_parser("remove-document", help="remove an imported document (facts citing it are kept)")
    p.add_argument("id", metavar="ID", help="the document's id or file name (see 'documents')")
    p.set_defaults(handler=cmd_remove)

    p = sub.add_parser("suggestions", help="entities your documents name that the atlas does not know yet")
    p.add_argument("--document", metavar="ID", help="only from this imported document")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_suggestions)

    p = sub.add_parser("accept", help="make an entity from a suggestion, with its cited facts")
    p.add_argument("id", type=int, metavar="ID", help="the suggestion's number (see 'suggestions')")
    p.add_argument("--name", default="", metavar="N", help="another name for it")
    p.add_argument("--kind", default="", metavar="K", help="another kind (alliance, organisation, treaty, ...)")
    p.set_defaults(handler=cmd_accept)

    p = sub.add_parser("reject", help="drop a suggestion")
    p.add_argument("id", type=int, metavar="ID", help="the suggestion's number (see 'suggestions')")
    p.set_defaults(handler=cmd_reject)

    entity = sub.add_parser("entity", help="make an entity by hand from a quote")
    esub = entity.add_subparsers(dest="entity_command", metavar="ACTION", required=True)
    p = esub.add_parser("add", help="a new entity described by a verbatim quote from a document")
    p.add_argument("--name", required=True, metavar="N", help="its name")
    p.add_argument("--kind", required=True, metavar="K", help="alliance, organisation, treaty, partnership, ...")
    p.add_argument("--alias", action="append", default=[], metavar="A", help="another name (repeatable)")
    p.add_argument("--document", required=True, metavar="DOC", help="document id or file name")
    p.add_argument("--quote", required=True, metavar="TEXT", help="verbatim sentence from the document")
    p.add_argument("--founded", metavar="Y", help="founding year (must be in the quote)")
    p.add_argument("--member", action="append", default=[], metavar="X", help="member or party (named in the quote)")
    p.set_defaults(handler=cmd_entity_add)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _dump(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    print()


def cmd_import(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.sources.service import import_paths

    if args.title and len(args.paths) > 1:
        raise CliError("--title names one document; import the files one by one to give each a title.")
    with open_atlas_for(paths) as atlas:
        store = atlas.user_data.sources
        names = atlas.repo.entity_names()
        batch = import_paths(atlas.repo, store, list(args.paths), title=args.title, origin=args.origin)
    for file, reason in batch.errors:
        print(f"alliance-atlas: {reason}" if file in reason else f"alliance-atlas: {file}: {reason}", file=sys.stderr)
    if args.json:
        out = {"documents": [r.as_json() for r in batch.reports]}
        if batch.errors:
            out["errors"] = [{"file": f, "error": e} for f, e in batch.errors]
        _dump(out)
    else:
        for r in batch.reports:
            if r.duplicate_of is not None:
                print(f"Already imported: {r.file} is {r.duplicate_of} (“{r.title}”); nothing added.")
                continue
            shown = ", ".join(f"{names.get(e, e)} ×{n}" for e, n in r.mentions[:8])
            more = f" and {len(r.mentions) - 8} more" if len(r.mentions) > 8 else ""
            print(
                f"Imported {r.file} as {r.id} (“{r.title}”): {_count(r.sections, 'section')}, "
                f"{_count(r.passages, 'passage')}"
                + (f", read as {r.encoding}" if r.encoding and r.encoding != "UTF-8" else "")
                + "."
            )
            print(f"  Mentions: {shown}{more}." if shown else "  Mentions: none of the entities the atlas knows.")
            if r.suggestions:
                print(f"  {_count(r.suggestions, 'suggestion')}: alliance-atlas suggestions --document {r.id}")
            for note in r.notes:
                print(f"  {note}")
    return EXIT_ERROR if batch.errors else EXIT_OK


def cmd_documents(args: argparse.Namespace, paths: DataPaths) -> int:
    with open_atlas_for(paths) as atlas:
        store = atlas.user_data.sources
        docs = atlas.repo.documents()
        imported = {d.id: d for d in store.documents()}
    rows = []
    for d in docs:
        extra = imported.get(d.id)
        rows.append(
            {
                "id": d.id,
                "file": d.file_name,
                "title": d.title,
                "origin": d.origin,
                "sha256": d.sha256,
                "kind": "imported" if d.imported else "seed",
                "imported_at": extra.imported_at if extra else None,
                "open_suggestions": extra.open_suggestions if extra else 0,
            }
        )
    if args.json:
        _dump({"documents": rows})
        return EXIT_OK
    for r in rows:
        tail = f"  imported {r['imported_at']}" if r["kind"] == "imported" else "  seed"
        if r["open_suggestions"]:
            tail += f", {r['open_suggestions']} suggestion(s)"
        print(f"{r['id']}  {r['title']}  [{r['file']}]{tail}")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, paths: DataPaths) -> int:
    with open_atlas_for(paths) as atlas:
        store = atlas.user_data.sources
        title, cited = store.remove_document(args.id)
    kept = f" {cited} fact(s) citing it are kept, marked as citing a removed document." if cited else ""
    print(f"Removed {args.id} (“{title}”).{kept}")
    return EXIT_OK


def cmd_suggestions(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.errors import AtlasError

    with open_atlas_for(paths) as atlas:
        store = atlas.user_data.sources
        if args.document and args.document not in {d.id for d in store.documents()}:
            raise AtlasError(f"No imported document '{args.document}'. See 'alliance-atlas documents'.")
        items = store.suggestions(args.document)
        names = atlas.repo.entity_names()
    if args.json:
        _dump({"suggestions": [s.as_json() for s in items]})
        return EXIT_OK
    if not items:
        print("No open suggestions." if not args.document else f"No open suggestions from {args.document}.")
        return EXIT_OK
    for s in items:
        alias = f" ({', '.join(s.aliases)})" if s.aliases else ""
        facts = []
        if s.founded:
            facts.append(f"founded {s.founded}")
        if s.members:
            facts.append("members: " + ", ".join(names.get(m, m) for m in s.members))
        print(f"{s.id:4}  {s.name}{alias}  [{s.kind}]  {'; '.join(facts)}")
        print(f"      “{s.quote}” ({s.document_id})")
    return EXIT_OK


def cmd_accept(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.sources.service import accept

    with open_atlas_for(paths) as atlas:
        store = atlas.user_data.sources
        eid = accept(atlas.repo, store, args.id, name=args.name, kind=args.kind)
        detail = atlas.repo.get_entity(eid)
    assert detail is not None
    print(
        f"Accepted: {detail.name} [{detail.kind}] is now in the atlas as {eid}, with {len(detail.facts)} cited facts."
    )
    return EXIT_OK


def cmd_reject(args: argparse.Namespace, paths: DataPaths) -> int:
    with open_atlas_for(paths) as atlas:
        store = atlas.user_data.sources
        s = store.reject(args.id)
    print(f"Rejected suggestion {s.id} ({s.name}).")
    return EXIT_OK


def cmd_entity_add(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.sources.service import add_entity

    with open_atlas_for(paths) as atlas:
        store = atlas.user_data.sources
        eid = add_entity(
            atlas.repo,
            store,
            name=args.name,
            kind=args.kind,
            document=args.document,
            quote=args.quote,
            aliases=args.alias,
            founded=args.founded,
            members=args.member,
        )
        detail = atlas.repo.get_entity(eid)
    assert detail is not None
    print(f"Added {detail.name} [{detail.kind}] as {eid}, with {len(detail.facts)} cited fact(s).")
    return EXIT_OK
