"""The ``alliance-atlas`` command line: the window by default, and build-db, search, export, notes, screenshot.

Only the GUI commands import Qt, so scripted use stays fast and works with no display.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import APP_NAME, __version__
from app.cli.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError, check_output, open_atlas_for
from app.cli.safety import LIMIT_RANGE, YEAR_RANGE, Parser, check_int, check_text_args, terminal_safe_output
from app.core.errors import AtlasError, DatabaseCorrupt
from app.core.query.fts import query_too_long
from app.paths import DataPaths, data_paths, seeds_dir

if TYPE_CHECKING:
    from app.core.userdata.notes import NotesStore

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "CliError", "add_filter_options", "main", "spec_from_args"]

DATA_FORMATS = ("json", "csv", "md")
ALL_FORMATS = ("json", "csv", "md", "graphml", "pdf")


def add_filter_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filter options (the same filter as the window's filter pane)")
    g.add_argument("--query", "-q", default="", help="free-text search")
    g.add_argument(
        "--kind",
        action="append",
        default=[],
        help="entity kind (repeatable): alliance, organisation, partnership, treaty, provision, event, country, actor",
    )
    g.add_argument("--category", action="append", default=[], help="category (repeatable)")
    g.add_argument("--region", action="append", default=[], help="region (repeatable)")
    g.add_argument("--member", action="append", default=[], help="member or party, by id, name or alias (repeatable)")
    g.add_argument("--all-members", action="store_true", help="require every --member (default: any)")
    g.add_argument("--activity", action="append", default=[], help="activity (repeatable)")
    g.add_argument("--from-year", type=int, help="founded in or after this year")
    g.add_argument("--to-year", type=int, help="founded in or before this year")
    g.add_argument(
        "--as-of",
        type=int,
        metavar="YEAR",
        help="only alliances in force that year, and only the members in them that year",
    )
    g.add_argument("--source", action="append", default=[], help="cited in this document (file name or id)")
    g.add_argument("--tag", action="append", default=[], help="user tag (repeatable)")
    g.add_argument(
        "--origin",
        action="append",
        default=[],
        choices=["reference", "user", "dataset"],
        help="reference: the catalogue's entities; user: those made from your own documents; dataset: imported"
        " ATOP/COW alliances (repeatable)",
    )
    g.add_argument(
        "--obligation",
        action="append",
        default=[],
        help="a dataset alliance's obligation (repeatable): defense, offense, neutral, nonagg, consul, neutrality,"
        " nonaggression, entente",
    )
    notes = g.add_mutually_exclusive_group()
    notes.add_argument(
        "--has-notes", dest="has_notes", action="store_const", const=True, default=None, help="only entities with notes"
    )
    notes.add_argument(
        "--without-notes", dest="has_notes", action="store_const", const=False, help="only entities without notes"
    )
    g.add_argument(
        "--select", action="append", default=[], metavar="ID_OR_NAME", help="only these entities (repeatable)"
    )
    g.add_argument(
        "--sort",
        default="name",
        choices=["name", "kind", "category", "founded", "members", "region", "notes", "rank"],
        help="order of the entities, as the list's columns (rank: best search match first)",
    )
    g.add_argument("--descending", action="store_true", help="reverse the --sort order (as a second header click)")


def pick(values: list[str], allowed: list[str], what: str, plural: str) -> tuple[str, ...]:
    """``values`` matched case-insensitively against ``allowed`` and spelled as stored; an unknown
    value is a usage error naming it and listing the valid ones."""
    stored = {a.casefold(): a for a in allowed}
    out: list[str] = []
    for v in values:
        match = stored.get(v.strip().casefold())
        if match is None:
            known = ", ".join(sorted(allowed, key=str.casefold)) or "none yet"
            raise CliError(f"No {what} called '{v}'. {plural}: {known}.")
        if match not in out:
            out.append(match)
    return tuple(out)


def spec_from_args(args: argparse.Namespace, repo: Any, notes: NotesStore | None = None) -> Any:
    """Build the FilterSpec from filter options, resolving names to ids and matching kinds, categories,
    regions, activities and tags to the stored values (errors name the bad value and list the valid
    ones). Tags come from ``notes``; without it, from the tags attached to entities."""
    from app.core.query.filters import FilterSpec
    from app.core.vocab import KINDS

    def resolve_all(values: list[str], what: str) -> tuple[str, ...]:
        out = []
        for v in values:
            eid = repo.resolve(v)
            if eid is None:
                raise CliError(f"No {what} called '{v}'. Try 'alliance-atlas search {v}'.")
            out.append(eid)
        return tuple(out)

    facets: dict[str, list[str]] = {}
    obligation_args = getattr(args, "obligation", [])
    if args.category or args.region or args.activity or obligation_args or (args.tag and notes is None):
        facets = {dim: [f.value for f in vals] for dim, vals in repo.facet_counts(FilterSpec()).items()}
    tag_names = [t.name for t in notes.list_tags()] if args.tag and notes is not None else facets.get("tags", [])
    kinds = pick(args.kind, list(KINDS), "kind", "Kinds")
    categories = pick(args.category, facets.get("categories", []), "category", "Categories")
    regions = pick(args.region, facets.get("regions", []), "region", "Regions")
    activities = pick(args.activity, facets.get("activities", []), "activity", "Activities")
    tags = pick(args.tag, tag_names, "tag", "Tags")
    obligations = pick(obligation_args, facets.get("obligations", []), "obligation", "Obligations")
    years = ((args.from_year, "--from-year"), (args.to_year, "--to-year"), (getattr(args, "as_of", None), "--as-of"))
    for value, option in years:
        bad = check_int(value, option, *YEAR_RANGE)
        if bad:
            raise CliError(bad)
    too_long = query_too_long(args.query or "")
    if too_long:
        raise CliError(f"--query: {too_long}")
    if args.from_year is not None and args.to_year is not None and args.from_year > args.to_year:
        raise CliError(
            f"--from-year {args.from_year} is after --to-year {args.to_year}: no entity can match. Swap them."
        )

    docs = {d.id: d.id for d in repo.documents()}
    docs.update({d.file_name: d.id for d in repo.documents()})
    sources = []
    for s in args.source:
        if s not in docs:
            raise CliError(f"No seed document '{s}'. Documents: {', '.join(sorted(d for d in docs if '.' in d))}.")
        sources.append(docs[s])
    return FilterSpec(
        text=args.query or "",
        kinds=kinds,
        categories=categories,
        regions=regions,
        members=resolve_all(args.member, "member or party"),
        members_mode="all" if args.all_members else "any",
        activities=activities,
        year_min=args.from_year,
        year_max=args.to_year,
        as_of=getattr(args, "as_of", None),
        sources=tuple(sources),
        tags=tags,
        has_notes=args.has_notes,
        origins=tuple(dict.fromkeys(args.origin)),
        obligations=obligations,
        ids=resolve_all(args.select, "entity"),
        sort=args.sort,
        descending=args.descending,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="alliance-atlas",
        description=f"{APP_NAME}: an offline, cited reference on military alliances and partnerships. "
        "With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep all data in DIR (default: $ALLIANCE_ATLAS_HOME or the platform's user data dir)",
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check this installation works offline (database, seeds, search, PDF, fonts, data folder) and exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("gui", help="open the window (the default)")

    p = sub.add_parser("build-db", help="rebuild the reference database from seeds/ (atomic)")
    p.add_argument("--seeds", type=Path, help="seed folder (default: the shipped seeds/)")

    p = sub.add_parser("search", help="full-text search: ranked passages and matching entities")
    p.add_argument("query", nargs="+", help='the words to look for ("quoted phrase", -word, OR)')
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--limit", type=int, default=20, help="at most this many passages and entities (default 20)")

    p = sub.add_parser("export", help="export the filtered entities: json, csv, md, graphml or pdf")
    p.add_argument("--format", "-f", required=True, choices=ALL_FORMATS, help="the file's format")
    p.add_argument("--output", "-o", required=True, type=Path, metavar="PATH", help="the file to write")
    p.add_argument("--notes", action="store_true", help="include the user's notes and tags (pdf, json)")
    p.add_argument("--no-graph", action="store_true", help="pdf: leave out the graph and timeline")
    p.add_argument("--handout", action="store_true", help="pdf: one entity per page")
    p.add_argument("--title", default="", help="pdf: title of the summary")
    p.add_argument("--page-size", choices=["A4", "Letter"], default="A4", help="pdf: the paper (default A4)")
    add_filter_options(p)

    p = sub.add_parser("screenshot", help="render the window offscreen to a PNG")
    p.add_argument("path", type=Path, help="the PNG to write")
    p.add_argument("--select", metavar="ID_OR_NAME", help="select this entity (id, name or alias)")
    p.add_argument("--query", default="", help="type this into the search box first")
    p.add_argument("--size", default="1280x800", metavar="WxH", help="window size (default 1280x800)")
    p.add_argument("--tab", choices=["graph", "timeline", "document", "search"], help="which view the right pane shows")
    p.add_argument("--focus-depth", type=int, choices=[0, 1, 2], default=0, help="graph focus mode around --select")
    p.add_argument("--present", type=Path, metavar="LESSON", help="show this lesson presented (issue 20)")
    p.add_argument("--step", type=int, default=1, metavar="N", help="with --present: the step shown (default 1)")
    p.add_argument("--quiz", type=Path, metavar="LESSON", help="show this lesson's quiz being taken")
    p.add_argument(
        "--zoom",
        type=int,
        default=100,
        metavar="PERCENT",
        help="text zoom as View > Zoom sets it (70 to 250; default 100): how a projector shows it",
    )

    from app.cli import datasets as datasets_cli
    from app.cli import lessons as lessons_cli
    from app.cli import notes as notes_cli
    from app.cli import sources as sources_cli

    notes_cli.register(sub)
    sources_cli.register(sub)
    datasets_cli.register(sub)
    lessons_cli.register(sub)
    return parser


def cmd_build_db(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.atlas import ensure_data_folder, reference_path
    from app.core.reference.build import build_reference

    seeds = args.seeds or seeds_dir()
    # Errors (bad seeds, a full disk, read-only storage, a file where the folder should be) are
    # AtlasErrors: one clear line, exit 1, and the previous reference database is kept.
    report = build_reference(seeds, reference_path(ensure_data_folder(paths)))
    print(
        f"Built {report.path} in {report.seconds:.2f} s: {report.documents} documents, {report.sections} sections, "
        f"{report.passages} passages, {report.entities} entities, {report.facts} facts, "
        f"{report.citations} citations, {report.mentions} mentions (corpus {report.seed_hash})."
    )
    if report.unlisted:
        print(
            f"Not in {seeds / 'manifest.yaml'}, so not part of the reference: {', '.join(report.unlisted)}. "
            "List a seed document in the manifest (and cite it in the catalogue), or bring it in as your own "
            "with 'alliance-atlas import'.",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_search(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.query.filters import FilterSpec
    from app.core.query.repository import plain_snippet

    query = " ".join(args.query).strip()
    if not query:
        raise CliError("Nothing to search for: give a word or phrase, e.g. alliance-atlas search 'joint exercises'.")
    bad = check_int(args.limit, "--limit", *LIMIT_RANGE) or query_too_long(query)
    if bad:
        raise CliError(bad)
    with open_atlas_for(paths) as atlas:
        # Every word is typed in full on the command line: never a prefix (typing=False).
        found = atlas.repo.passage_search(query, limit=args.limit)
        hits = list(found.hits)
        spec = FilterSpec(text=query, sort="rank")
        entities = atlas.repo.list_entities(spec, limit=args.limit)
        entity_message = atlas.repo.entity_search_message(spec)
    if args.json:
        out = {
            "query": query,
            "passages": [
                {
                    "document": h.file_name,
                    "section": h.section,
                    "start": h.start,
                    "end": h.end,
                    "snippet": plain_snippet(h.snippet),
                    "score": round(h.score, 4),
                    "entities": list(h.entity_ids),
                }
                for h in hits
            ],
            "entities": [{"id": e.id, "name": e.name, "kind": e.kind, "origin": e.origin} for e in entities],
            # When no passage (entity) has every word: those with some of them, and the sentence saying so.
            "passages_relaxed": found.relaxed,
            "entities_relaxed": entity_message is not None,
            "messages": [m for m in (entity_message, found.message) if m],
        }
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    if not hits and not entities:
        print(f"Nothing matches “{query}”.")
        return EXIT_OK
    if entities:
        if entity_message:
            print(entity_message)
        print(f"Entities ({len(entities)}):")
        for e in entities:
            print(f"  {e.name}  [{e.kind}]  id: {e.id}")
        print()
    if found.message:
        print(found.message)
    print(f"Passages ({len(hits)}):")
    for i, h in enumerate(hits, 1):
        snippet = (
            h.snippet.replace("[[", "\033[1m").replace("]]", "\033[0m")
            if sys.stdout.isatty()
            else plain_snippet(h.snippet)
        )
        print(f"{i:3}. {h.file_name} › {h.section or '(opening)'}")
        print(f"     {snippet}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, paths: DataPaths) -> int:
    out: Path = args.output
    check_output(out)
    with open_atlas_for(paths) as atlas:
        spec = spec_from_args(args, atlas.repo, atlas.user_data.notes)
        if args.format in DATA_FORMATS:
            from app.core.exports.data import export_data

            notes = atlas.user_data.notes if args.notes and args.format == "json" else None
            written = export_data(atlas.repo, spec, args.format, out, notes=notes)
        elif args.format == "graphml":
            from app.core.graph.network import write_graphml

            written = [write_graphml(atlas.repo, spec, out)]
        else:
            if not args.no_graph:  # the figure's network and layout (numpy), before Qt: see load_gui
                import app.core.graph.cache
                import app.core.graph.layout
                import app.core.graph.picture  # noqa: F401
            from app.ui.report.report import ExportOptions, export_pdf_headless

            options = ExportOptions(
                title=args.title or "",
                include_notes=bool(args.notes),
                include_graph=not args.no_graph,
                handout=bool(args.handout),
                page_size=args.page_size or "A4",
            )
            written = [export_pdf_headless(atlas, spec, out, options)]
    from app.core.fileio import written_note

    for w in written:
        print(f"Wrote {w}{written_note(w)}")
    return EXIT_OK


def load_gui() -> Any:
    """Import the GUI, the Qt-free core first: once PySide6 is loaded its import hook (for its
    ``__feature__`` switches) reads the source of every module imported after it, about 15 ms of
    a quarter-second start. Returns the ``app.ui.application`` module."""
    import app.core.atlas
    import app.core.reference.build  # open_atlas imports it (SQLModel itself loads only if a build runs)
    import app.core.userdata.backup
    import app.ui.application

    return app.ui.application


def cmd_gui(args: argparse.Namespace, paths: DataPaths) -> int:
    return int(load_gui().run_gui(paths))


def cmd_screenshot(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.ui.screenshot import take_screenshot

    return take_screenshot(
        paths,
        args.path,
        size=args.size,
        select=args.select,
        query=args.query,
        tab=args.tab,
        focus_depth=args.focus_depth or 0,
        present=args.present,
        quiz=args.quiz,
        step=args.step,
        zoom=args.zoom,
    )


def main(argv: list[str] | None = None) -> int:
    # Whatever the CLI prints (a note's title, a name echoed in an error) cannot act on the terminal.
    with terminal_safe_output():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    bad_text = check_text_args(args)
    if bad_text:
        print(f"alliance-atlas: {bad_text}", file=sys.stderr)
        return EXIT_USAGE
    paths = data_paths(args.data_dir)
    handlers = {
        None: cmd_gui,
        "gui": cmd_gui,
        "build-db": cmd_build_db,
        "search": cmd_search,
        "export": cmd_export,
        "screenshot": cmd_screenshot,
    }
    handler = handlers.get(args.command) or getattr(args, "handler", None)
    if args.self_check:
        from app.cli.selfcheck import cmd_self_check

        handler = cmd_self_check
    if handler is None:
        parser.error(f"unknown command {args.command}")
    try:
        code = int(handler(args, paths) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        return code
    except CliError as exc:
        print(f"alliance-atlas: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except AtlasError as exc:
        print(f"alliance-atlas: {exc}", file=sys.stderr)
        if isinstance(exc, DatabaseCorrupt):
            from app.cli.notes import damaged_hint

            hint = damaged_hint(paths)
            if hint:
                print(f"alliance-atlas: {hint}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` or a closed pager: stop quietly, as other command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        # Last resort: a full disk, read-only storage... that no handler turned into an AtlasError
        # still gets one clear line, not a traceback. Anything else is a bug and is raised.
        from app.core.errors import classify

        err = classify(exc, f"the data in {paths.root}")
        if err is None:
            raise
        print(f"alliance-atlas: {err}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
