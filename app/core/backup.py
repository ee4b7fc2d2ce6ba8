"""User database safety: backups through SQLite's backup API, rotation, restore and damaged-db recovery.

Never a file copy of a live database: a WAL database's latest commits may still be in the
``-wal`` file, and a copy taken mid-write is torn. ``Connection.backup()`` reads a consistent
snapshot under SQLite's own locks. Every backup is checked with ``PRAGMA quick_check``.
Qt-free: the window calls these functions and shows the results.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from app.core.db import BUSY_TIMEOUT_MS, open_user_connection
from app.core.errors import AtlasError, classify
from app.paths import DataPaths

KEEP = 7
DAILY = timedelta(hours=24)
_NAME = re.compile(r"^user-(\d{8})-(\d{6})(?:-(\d+))?(?:-([a-z-]+))?\.sqlite$")


class BackupError(AtlasError):
    """A backup or restore failed; the message says what, and the live database is unchanged."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime  # local time, from the file name
    reason: str  # "daily", "pre-migration", "before-restore", "manual", ...
    size: int
    notes: int | None = None  # filled by list_backups(count_notes=True)

    @property
    def label(self) -> str:
        n = "" if self.notes is None else f", {self.notes} note{'s' if self.notes != 1 else ''}"
        return f"{self.created:%Y-%m-%d %H:%M:%S} ({self.reason}{n})"


@dataclass(frozen=True)
class Health:
    """What :func:`check_user_db` found. ``status`` is "ok", "missing" or "damaged"."""

    status: str
    message: str = ""
    backups: list[BackupInfo] = field(default_factory=list)
    newest_good: BackupInfo | None = None

    @property
    def ok(self) -> bool:
        return self.status != "damaged"


def _ro_uri(path: Path) -> str:
    return f"file:{quote(str(path))}?mode=ro"


def quick_check(path: Path) -> str:
    """'ok' or the first problem SQLite reports (never raises for a damaged file)."""
    if not path.exists():
        return "missing"
    try:
        con = sqlite3.connect(_ro_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
            con.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return str(exc) or "not a database"
    result = "; ".join(str(r[0]) for r in rows[:3])
    return "ok" if result == "ok" else result


def _stamp(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime("%Y%m%d-%H%M%S")


def _target(folder: Path, reason: str, now: datetime | None = None) -> Path:
    stamp = _stamp(now)
    suffix = "" if reason == "daily" else f"-{reason}"
    path = folder / f"user-{stamp}{suffix}.sqlite"
    n = 2
    while path.exists():
        path = folder / f"user-{stamp}-{n}{suffix}.sqlite"
        n += 1
    return path


def backup_user_db(paths: DataPaths, *, reason: str = "daily", keep: int = KEEP, now: datetime | None = None) -> Path:
    """Snapshot the user database to ``backups/user-YYYYMMDD-HHMMSS.sqlite``, check it, rotate.

    Raises BackupError (the live database untouched) when the source or the copy is not sound.
    """
    if not paths.user_db.exists():
        raise BackupError("There is no notes database to back up yet.")
    try:
        paths.backups.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        err = classify(exc, f"the backup folder {paths.backups}")
        raise (err or exc) from exc
    target = _target(paths.backups, reason, now)
    part = target.with_name(target.name + ".part")
    try:
        src = sqlite3.connect(_ro_uri(paths.user_db), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            dst = sqlite3.connect(part)
            try:
                src.backup(dst)
                # A backup is one self-contained file: no WAL beside it.
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        _unlink(part)
        err = classify(exc, "the notes database")
        raise BackupError(f"The backup could not be made: {err or exc}") from exc
    except OSError as exc:
        _unlink(part)
        err = classify(exc, f"the backup {target.name}")
        raise (err or exc) from exc
    result = quick_check(part)
    if result != "ok":
        _unlink(part)
        raise BackupError(f"The backup failed its check ({result}); the previous backups are kept.")
    os.replace(part, target)
    rotate(paths, keep=keep)
    return target


def _unlink(path: Path) -> None:
    for p in (path, Path(str(path) + "-journal"), Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def list_backups(paths: DataPaths, *, count_notes: bool = False) -> list[BackupInfo]:
    """Backups, newest first."""
    if not paths.backups.is_dir():
        return []
    out = []
    for p in paths.backups.iterdir():
        m = _NAME.match(p.name)
        if not m or not p.is_file():
            continue
        created = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S")
        notes = _count_notes(p) if count_notes else None
        out.append(BackupInfo(p, created, m.group(4) or "daily", p.stat().st_size, notes))
    out.sort(key=lambda b: (b.created, b.path.stat().st_mtime_ns, b.path.name), reverse=True)
    return out


def _count_notes(path: Path) -> int | None:
    try:
        con = sqlite3.connect(_ro_uri(path), uri=True)
        try:
            return int(con.execute("SELECT count(*) FROM note WHERE deleted_at IS NULL").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return None


def rotate(paths: DataPaths, *, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns the removed files."""
    removed = []
    for info in list_backups(paths)[keep:]:
        try:
            info.path.unlink()
            removed.append(info.path)
        except OSError:
            pass
    return removed


def daily_backup(paths: DataPaths, *, now: datetime | None = None, keep: int = KEEP) -> Path | None:
    """Back up when the newest backup is more than a day old (or there is none). Call at start."""
    if not paths.user_db.exists():
        return None
    now = now or datetime.now()
    backups = list_backups(paths)
    if backups and now - backups[0].created < DAILY:
        return None
    return backup_user_db(paths, reason="daily", keep=keep, now=now)


def migration_backup(paths: DataPaths) -> Callable[[], Path]:
    """The callable to pass as ``backup=`` to ensure_user_db / ``user_backup=`` to open_atlas."""
    return lambda: backup_user_db(paths, reason="pre-migration")


def restore_backup(paths: DataPaths, backup: Path) -> Path | None:
    """Replace the user database's content with a backup, through the backup API.

    The backup is checked first; the current database (if sound) is itself backed up first, so a
    restore can be undone. Returns that safety backup's path. Other open connections (a second
    window) see the restored content on their next read.
    """
    result = quick_check(backup)
    if result != "ok":
        raise BackupError(f"The backup {backup.name} is damaged ({result}); the notes database was not changed.")
    safety = None
    if paths.user_db.exists() and quick_check(paths.user_db) == "ok":
        safety = backup_user_db(paths, reason="before-restore", keep=KEEP + 1)
    try:
        src = sqlite3.connect(_ro_uri(backup), uri=True)
        try:
            dst = sqlite3.connect(paths.user_db, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                dst.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        err = classify(exc, "the notes database")
        raise BackupError(f"The backup could not be restored: {err or exc}") from exc
    # Bring an older backup's schema up to date, and back to WAL mode.
    open_user_connection(paths.user_db).close()
    return safety


def check_user_db(paths: DataPaths) -> Health:
    """Look at the user database before opening the window. Never changes anything."""
    if not paths.user_db.exists():
        return Health("missing", "No notes database yet; a new one will be created.")
    result = quick_check(paths.user_db)
    if result == "ok":
        return Health("ok")
    backups = list_backups(paths, count_notes=True)
    good = next((b for b in backups if quick_check(b.path) == "ok"), None)
    msg = f"The notes database {paths.user_db} is damaged ({result})."
    return Health("damaged", msg, backups, good)


def set_aside_damaged(paths: DataPaths, *, now: datetime | None = None) -> Path:
    """Move a damaged user database (and its -wal/-shm) to ``user.sqlite.damaged-<timestamp>``. Never deletes it."""
    stamp = _stamp(now)
    target = paths.user_db.with_name(f"{paths.user_db.name}.damaged-{stamp}")
    n = 2
    while target.exists():
        target = paths.user_db.with_name(f"{paths.user_db.name}.damaged-{stamp}-{n}")
        n += 1
    for suffix in ("-wal", "-shm"):
        side = Path(str(paths.user_db) + suffix)
        if side.exists():
            os.replace(side, Path(str(target) + suffix))
    os.replace(paths.user_db, target)
    return target


def recover_user_db(paths: DataPaths, backup: Path | None) -> Path:
    """Set the damaged database aside, then restore ``backup`` (or start empty when None).

    Returns where the damaged file now is.
    """
    if backup is not None and quick_check(backup) != "ok":
        raise BackupError(f"The backup {backup.name} is damaged too; choose another. Nothing was moved.")
    aside = set_aside_damaged(paths)
    if backup is not None:
        restore_backup(paths, backup)
    else:
        open_user_connection(paths.user_db).close()
    return aside
