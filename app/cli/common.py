"""What every command shares: exit codes, the usage error, and opening the data with a warning line."""

from __future__ import annotations

import sys
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
