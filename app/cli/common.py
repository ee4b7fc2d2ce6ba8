"""What every command shares: exit codes, the usage error, opening the data with a warning line, and
the first check of an output path."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.paths import DataPaths

if TYPE_CHECKING:
    from app.core.atlas import Atlas

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A clear message and exit 2 (bad arguments)."""


def open_atlas_for(paths: DataPaths) -> Atlas:
    """Open the databases (the user database migrated once, backed up first); a stale or rebuilt
    reference is one warning line on stderr."""
    from app.core.atlas import open_atlas
    from app.core.userdata.backup import migration_backup, notes_warning

    atlas = open_atlas(paths, user_backup=migration_backup(paths))
    if atlas.warning:
        print(f"alliance-atlas: {atlas.warning}", file=sys.stderr)
    emptied = notes_warning(paths)  # no notes where a backup has some: say so, every time
    if emptied:
        print(f"alliance-atlas: warning: {emptied}", file=sys.stderr)
    return atlas


def check_output(out: Path) -> None:
    """Refuse at once, before any database is opened, an output that is a folder or in no folder."""
    if out.exists() and out.is_dir():
        raise CliError(f"Cannot write {out}: it is a folder. Give a file name.")
    if str(out.parent) and not out.parent.exists():
        raise CliError(f"Cannot write {out}: the folder {out.parent} does not exist.")
