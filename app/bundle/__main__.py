"""``python -m app.bundle wheelhouse|portable -o DIR``: build an offline install on a connected machine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.bundle.common import BundleError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.bundle",
        description="Build Alliance Atlas for a machine with no network (see README: Installing without a network).",
    )
    sub = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, text in (
        ("wheelhouse", "every wheel for this platform and Python, plus install.sh (needs Python on the target)"),
        ("portable", "a one-folder application with Python and Qt inside, started by AllianceAtlas"),
    ):
        p = sub.add_parser(kind, help=text)
        p.add_argument("-o", "--output", required=True, type=Path, metavar="DIR", help="folder to build into")
        p.add_argument("--no-verify", action="store_true", help="skip installing/running the result's self-check")
    args = parser.parse_args(argv)
    out: Path = args.output
    if out.exists() and not out.is_dir():
        print(f"python -m app.bundle: {out} is a file, not a folder", file=sys.stderr)
        return 2
    try:
        if args.kind == "wheelhouse":
            from app.bundle.wheelhouse import build_wheelhouse

            build_wheelhouse(out, verify=not args.no_verify)
        else:
            from app.bundle.portable import build_portable

            build_portable(out, verify=not args.no_verify)
    except BundleError as exc:
        print(f"python -m app.bundle: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
