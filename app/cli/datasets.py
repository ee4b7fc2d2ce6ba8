"""Commands for alliance datasets: import-dataset, remove-dataset."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_ERROR, EXIT_OK, CliError, open_atlas_for
from app.paths import DataPaths


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import-dataset",
        help="import an alliance dataset you downloaded: ATOP (two files) or COW formal alliances",
        description="Import ATOP (--alliances and --members) or COW formal alliances (--members). "
        "Importing the same dataset again replaces its alliances and changes nothing else.",
    )
    p.add_argument("dataset", choices=["atop", "cow"], help="which dataset the files are")
    p.add_argument("--alliances", type=Path, metavar="FILE", help="ATOP's alliance-level file (atop5_1a.csv)")
    p.add_argument(
        "--members",
        type=Path,
        metavar="FILE",
        required=True,
        help="ATOP's member-level file (atop5_1m.csv) or COW's alliance_v4.1_by_member.csv",
    )
    p.add_argument(
        "--states", type=Path, metavar="FILE", help="COW's state list (states2016.csv): names codes no library knows"
    )
    p.add_argument("--json", action="store_true", help="print the import report as JSON")
    p.set_defaults(handler=cmd_import_dataset)

    p = sub.add_parser("remove-dataset", help="remove an imported dataset (the reference and your notes stay)")
    p.add_argument("dataset", choices=["atop", "cow"], help="the dataset to remove")
    p.set_defaults(handler=cmd_remove_dataset)

    same = sub.add_parser("same-as", help="links between the catalogue's entities and dataset alliances")
    ssub = same.add_subparsers(dest="same_as_command", metavar="ACTION", required=True)
    p = ssub.add_parser("list", help="the proposed and confirmed links (--all: removed ones too)")
    p.add_argument("--all", action="store_true", help="also the links you removed")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_same_as_list)
    for action, text in (("confirm", "confirm that two entities are the same"), ("remove", "remove a link")):
        p = ssub.add_parser(action, help=text)
        p.add_argument("entity", metavar="ENTITY", help="the catalogue's entity (id, name or alias): nato")
        p.add_argument("alliance", metavar="DATASET_ALLIANCE", help="the dataset alliance: atop-3180")
        p.set_defaults(handler=cmd_same_as_set, status="confirmed" if action == "confirm" else "removed")


def _progress_line(report: dict[str, Any]) -> str:
    unknown = report["unknown_codes"]
    line = (
        f"Imported {report['dataset']} {report['version'] or '(version not in the file names)'}: "
        f"{report['alliances']} alliances, {report['memberships']} memberships, {report['countries']} countries"
    )
    if unknown:
        line += f"; codes no library knows, kept as 'COW N': {', '.join(str(c) for c in unknown)}"
    return line + "."


def cmd_import_dataset(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.datasets import import_dataset

    if args.dataset == "atop" and args.alliances is None:
        raise CliError("import-dataset atop needs --alliances FILE (atop5_1a.csv) as well as --members FILE.")
    if args.dataset == "cow" and args.alliances is not None:
        raise CliError("import-dataset cow takes --members FILE only (COW has one member-level file).")
    with open_atlas_for(paths) as atlas:
        report = import_dataset(
            atlas.repo,
            atlas.user_data,
            args.dataset,
            members=args.members,
            alliances=args.alliances,
            states=args.states,
        )
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(_progress_line(report))
    for s in report["skipped"]:
        print(f"  skipped line {s['row']}: {s['reason']}")
    return EXIT_OK


def cmd_remove_dataset(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.datasets import remove_dataset

    with open_atlas_for(paths) as atlas:
        n = remove_dataset(atlas.user_data, args.dataset)
    if n == 0:
        print(f"alliance-atlas: {args.dataset.upper()} is not imported; nothing was removed.", file=sys.stderr)
        return EXIT_ERROR
    print(f"Removed {args.dataset.upper()}: {n} alliances. The reference and your notes are unchanged.")
    return EXIT_OK


def cmd_same_as_list(args: argparse.Namespace, paths: DataPaths) -> int:
    with open_atlas_for(paths) as atlas:
        links = atlas.user_data.datasets.same_as(include_removed=args.all)
        names = atlas.repo.entity_names()
    if args.json:
        rows = [
            {"entity": s.entity_id, "dataset_alliance": s.dataset_id, "status": s.status, "reason": s.reason}
            for s in links
        ]
        print(json.dumps({"same_as": rows}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not links:
        print("No links between the catalogue and dataset alliances.")
    for s in links:
        print(
            f"{s.entity_id} ({names.get(s.entity_id, 'not in the catalogue')}) = {s.dataset_id}: {s.status}"
            f"{' (' + s.reason + ')' if s.reason else ''}"
        )
    return EXIT_OK


def cmd_same_as_set(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.datasets.compare import link_pair

    with open_atlas_for(paths) as atlas:
        entity = atlas.repo.resolve(args.entity)
        if entity is None:
            raise CliError(f"No entity called '{args.entity}'. Try 'alliance-atlas search {args.entity}'.")
        alliance = atlas.repo.resolve(args.alliance)
        if alliance is None or not alliance.startswith(("atop-", "cow-")):
            raise CliError(f"'{args.alliance}' is not an imported dataset alliance (atop-N or cow-N).")
        if entity.startswith(("atop-", "cow-")) and entity.split("-")[0] != alliance.split("-")[0]:
            entity, alliance = link_pair(entity, alliance)  # an ATOP and a COW alliance: ATOP's first
        elif entity.startswith(("atop-", "cow-", "ccode-")):
            raise CliError(
                f"'{args.entity}' is itself from a dataset; name the catalogue's entity (or an alliance of the"
                " other dataset) first."
            )
        link = atlas.user_data.datasets.set_same_as(entity, alliance, args.status)
    print(f"{link.entity_id} = {link.dataset_id}: {link.status}.")
    return EXIT_OK
