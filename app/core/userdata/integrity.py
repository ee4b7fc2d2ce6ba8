"""Is a database file sound? ``PRAGMA quick_check`` read-only, and what to say when it cannot be checked.

Only real damage is reported as a problem; a file that cannot be checked for another reason (a
full disk, read-only storage, a lock) raises an AtlasError saying so, and must never be set aside.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from app.core.db import BUSY_TIMEOUT_MS, invalid_text_count
from app.core.errors import (
    AtlasError,
    DatabaseReadOnly,
    DatabaseUnavailable,
    capitalized,
    classify,
    folder_unwritable,
    is_damage,
)


def ro_uri(path: Path) -> str:
    return f"file:{quote(str(path))}?mode=ro"


def quick_check(path: Path, what: str | None = None) -> str:
    """'ok', 'missing', or the damage SQLite reports ("database disk image is malformed", ...).

    Only real damage is returned as a problem. When the file cannot be checked for another reason
    (a full disk, read-only storage, a lock, a folder that cannot be opened) this raises an
    AtlasError saying so: such a file may be perfectly sound and must never be set aside or replaced.
    ``what`` names the file in that message (default: "the database <path>").
    """
    what = what or f"the database {path}"
    try:
        if not path.exists():
            return "missing"
        if path.is_file() and path.stat().st_size == 0:
            return "an empty file (0 bytes), not a database"
        con = sqlite3.connect(ro_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
            con.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            # Bit flips inside text leave pages quick_check accepts, yet the text cannot be read.
            bad_text = invalid_text_count(con) if [tuple(r) for r in rows] == [("ok",)] else 0
        finally:
            con.close()
    except sqlite3.Error as exc:
        if is_damage(exc):
            return str(exc) or "not a database"
        raise unavailable(exc, path, what) from exc
    except OSError as exc:
        raise unavailable(exc, path, what) from exc
    result = "; ".join(str(r[0]) for r in rows[:3])
    if result == "ok" and bad_text:
        return f"{bad_text} text value{'s are' if bad_text != 1 else ' is'} not valid UTF-8"
    return "ok" if result == "ok" else result


def unavailable(exc: BaseException, path: Path, what: str) -> AtlasError:
    """The error for a database that cannot be opened or read for a reason other than damage."""
    err = classify(exc, what)
    if err is None or isinstance(err, (DatabaseUnavailable, DatabaseReadOnly)):
        problem = folder_unwritable(path.parent)
        if problem:
            return DatabaseReadOnly(
                f"{capitalized(what)} cannot be opened: its folder {path.parent} {problem}. The file was not changed."
            )
    return err or DatabaseUnavailable(f"{capitalized(what)} cannot be read ({exc}). The file was not changed.")


def is_sound(path: Path) -> bool:
    """True when ``path`` passes the check; a file that cannot even be checked is not sound."""
    try:
        return quick_check(path) == "ok"
    except AtlasError:
        return False
