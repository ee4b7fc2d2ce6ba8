"""Restoring a backup and recovering from a damaged user database: check first, set aside, never delete.

The atomic building and swapping is in ``recovery``; the backups themselves in ``backup``.
Qt-free: the window and the CLI call these functions and show the results.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.core.db import ensure_user_db
from app.core.errors import AtlasError, classify, folder_unwritable
from app.core.userdata.backup import KEEP, BackupError, BackupInfo, backup_user_db, list_backups, time_stamp, unlink_db
from app.core.userdata.integrity import is_sound, quick_check
from app.core.userdata.recovery import Recovery, build_restored, copy_into_live, swap_in
from app.paths import DataPaths


@dataclass(frozen=True)
class Health:
    """What :func:`check_user_db` found. ``status`` is "ok", "missing", "damaged" or "unavailable".

    "unavailable": the file could not be checked (full disk, read-only storage, a lock...). It is
    not damaged as far as anyone knows, so it must not be set aside; ``error`` says what is wrong.
    """

    status: str
    message: str = ""
    backups: list[BackupInfo] = field(default_factory=list)
    newest_good: BackupInfo | None = None
    error: AtlasError | None = None

    @property
    def ok(self) -> bool:
        return self.status != "damaged"


def restore_backup(paths: DataPaths, backup: Path) -> Path | None:
    """Replace the user database's content with a backup, atomically (see ``recovery``).

    The backup is checked first; the current database (if sound) is itself backed up first, so a
    restore can be undone. Returns that safety backup's path. A damaged current database is never
    overwritten: it is set aside and what can be read from it is salvaged (see :func:`recover`),
    and the path it was moved to is returned. When the current database cannot even be checked
    (full disk, read-only storage) this raises and changes nothing. Other open connections (a
    second window) see the restored content on their next read.
    """
    result = quick_check(backup, f"the backup {backup.name}")
    if result != "ok":
        raise BackupError(f"The backup {backup.name} is damaged ({result}); the notes database was not changed.")
    current = quick_check(paths.user_db, "the notes database")  # raises when it cannot be checked
    if current not in ("ok", "missing"):
        return recover(paths, backup).aside
    safety = None
    if current == "ok":
        safety = backup_user_db(paths, reason="before-restore", keep=KEEP + 1)
    tmp: Path | None = None
    try:
        tmp, _ = build_restored(paths.user_db, backup, None)
        if current == "ok":
            copy_into_live(tmp, paths.user_db)
        else:
            swap_in(tmp, paths.user_db, None)
            tmp = None
    except (sqlite3.Error, OSError, AtlasError) as exc:
        err = classify(exc, "the notes database")
        kept = f" The notes as they were are also kept in {safety.name}." if safety else ""
        raise BackupError(f"The backup could not be restored: {err or exc}{kept}") from exc
    finally:
        if tmp is not None:
            unlink_db(tmp)
    _back_to_wal(paths.user_db)
    return safety


def check_user_db(paths: DataPaths) -> Health:
    """Look at the user database before opening the window. Never changes anything.

    Only real damage gives "damaged"; a database that cannot be checked (full disk, read-only
    storage, no permission) gives "unavailable" with the reason, and must be left where it is.
    """
    try:
        result = quick_check(paths.user_db, "the notes database")
    except AtlasError as exc:
        return Health("unavailable", str(exc), error=exc)
    if result == "missing":
        return Health("missing", "No notes database yet; a new one will be created.")
    if result == "ok":
        return Health("ok")
    try:
        backups = list_backups(paths, count_notes=True)
    except OSError:
        backups = []
    good = next((b for b in backups if is_sound(b.path)), None)
    msg = f"The notes database {paths.user_db} is damaged ({result})."
    return Health("damaged", msg, backups, good)


def _sidecars(path: Path) -> list[Path]:
    return [Path(str(path) + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _move_all(moves: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """Rename each (source, target) in order; on a failure rename back those done, then raise."""
    done: list[tuple[Path, Path]] = []
    try:
        for src, dst in moves:
            os.replace(src, dst)
            done.append((src, dst))
    except OSError:
        for src, dst in reversed(done):
            try:
                os.replace(dst, src)
            except OSError:
                pass
        raise
    return done


def set_aside_damaged(paths: DataPaths, *, now: datetime | None = None) -> Path:
    """Move a damaged user database (and its -wal/-shm) to ``user.sqlite.damaged-<timestamp>``. Never deletes it.

    All or nothing: when a rename fails (read-only storage...) those already done are undone and a
    BackupError says why; the database is then where it was.
    """
    stamp = time_stamp(now)
    target = paths.user_db.with_name(f"{paths.user_db.name}.damaged-{stamp}")
    n = 2
    while target.exists():
        target = paths.user_db.with_name(f"{paths.user_db.name}.damaged-{stamp}-{n}")
        n += 1
    moves = [(paths.user_db, target)]
    moves += [(side, Path(str(target) + side.name[len(paths.user_db.name) :])) for side in _sidecars(paths.user_db)]
    moves = [(src, dst) for src, dst in moves if src.exists() or src == paths.user_db]
    folder = paths.user_db.parent
    failed = f"The damaged notes database {paths.user_db} could not be set aside (renamed):"
    left = "It was left where it was; nothing was moved or deleted."
    problem = folder_unwritable(folder)
    if problem:
        raise BackupError(
            f"{failed} its folder {folder} {problem}. {left} Copy the data folder to writable storage "
            "and start with --data-dir pointing to the copy."
        )
    try:
        _move_all(moves)
    except OSError as exc:
        err = classify(exc, f"the folder {folder}")
        raise BackupError(f"{failed} {err or exc} {left}") from exc
    return target


def recover_user_db(paths: DataPaths, backup: Path | None) -> Path:
    """:func:`recover`, returning only where the damaged file now is."""
    return recover(paths, backup).aside


def recover(paths: DataPaths, backup: Path | None) -> Recovery:
    """Set the damaged database aside, restore ``backup`` (or start empty when None) and salvage
    every note row still readable from the damaged file into the result (tagged "salvaged").

    Only a database the check finds damaged is moved: one that cannot be checked (full disk,
    read-only storage) raises an AtlasError and stays. Atomic: killed at any moment, ``user.sqlite``
    is the damaged file (with a second name) or the complete new database, never an empty one.
    """
    if backup is not None and not is_sound(backup):
        raise BackupError(f"The backup {backup.name} is damaged too; choose another. Nothing was moved.")
    result = quick_check(paths.user_db, "the notes database")  # raises when it cannot be checked
    if result == "ok":
        raise BackupError("The notes database is not damaged, so it was not set aside. Nothing was changed.")
    if result == "missing":
        raise BackupError(f"There is no notes database at {paths.user_db} to set aside.")
    problem = folder_unwritable(paths.user_db.parent)
    if problem:
        raise BackupError(
            f"The damaged notes database {paths.user_db} could not be set aside: its folder {problem}. "
            "It was left where it was; nothing was moved or deleted. Copy the data folder to writable "
            "storage and start with --data-dir pointing to the copy."
        )
    tmp: Path | None = None
    try:
        tmp, report = build_restored(paths.user_db, backup, paths.user_db)
        aside = _aside_name(paths)
        swap_in(tmp, paths.user_db, aside)
        tmp = None
    except (AtlasError, sqlite3.Error, OSError) as exc:
        err = exc if isinstance(exc, AtlasError) else classify(exc, "the new notes database")
        raise BackupError(
            f"Recovery failed. {err or exc} The damaged database is still where it was; nothing was lost."
        ) from exc
    finally:
        if tmp is not None:
            unlink_db(tmp)
    _back_to_wal(paths.user_db)
    return Recovery(aside, backup, report)


def _back_to_wal(user_db: Path) -> None:
    """The new database is complete; WAL mode is set again now or, failing that, at the next open."""
    try:
        ensure_user_db(user_db)
    except (AtlasError, sqlite3.Error, OSError):
        pass


def _aside_name(paths: DataPaths, now: datetime | None = None) -> Path:
    stamp = time_stamp(now)
    target = paths.user_db.with_name(f"{paths.user_db.name}.damaged-{stamp}")
    n = 2
    while target.exists():
        target = paths.user_db.with_name(f"{paths.user_db.name}.damaged-{stamp}-{n}")
        n += 1
    return target
