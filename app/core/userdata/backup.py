"""User database backups through SQLite's backup API: make, check, list, rotate, warn.

Never a file copy of a live database: a WAL database's latest commits may still be in the
``-wal`` file, and a copy taken mid-write is torn. ``Connection.backup()`` reads a consistent
snapshot under SQLite's own locks. Every backup is checked with ``PRAGMA quick_check``
(``integrity``); restoring one and recovering a damaged database is in ``restore``.
Qt-free: the window calls these functions and shows the results.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.core.db import BUSY_TIMEOUT_MS
from app.core.errors import AtlasError, classify, folder_unwritable, is_damage
from app.core.userdata.integrity import quick_check, ro_uri, unavailable
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


def time_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime("%Y%m%d-%H%M%S")


def _target(folder: Path, reason: str, now: datetime | None = None) -> Path:
    stamp = time_stamp(now)
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
        state = quick_check(paths.user_db, "the notes database")
    except AtlasError as exc:  # cannot even be read (read-only folder, full disk...): say why
        raise BackupError(f"No backup was made: {exc}") from exc
    if state != "ok":
        # A backup of a damaged (or emptied) file would only push a good backup out of the rotation.
        raise BackupError(
            f"No backup was made: the notes database is damaged ({state}). The existing backups are kept; "
            "`alliance-atlas notes restore` restores the newest sound one and salvages what it can."
        )
    try:
        paths.backups.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        err = classify(exc, f"the backup folder {paths.backups}")
        raise BackupError(f"No backup was made: {err or exc} The notes database was not changed.") from exc
    problem = folder_unwritable(paths.backups)
    if problem:
        raise BackupError(
            f"No backup was made: the backup folder {paths.backups} {problem}. The notes database was not changed."
        )
    target = _target(paths.backups, reason, now)
    part = target.with_name(target.name + ".part")
    try:
        src = sqlite3.connect(ro_uri(paths.user_db), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
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
        unlink_db(part)
        if is_damage(exc):
            raise BackupError(f"The backup could not be made: the notes database is damaged ({exc}).") from exc
        err = unavailable(exc, paths.user_db, "the notes database")
        raise BackupError(f"The backup could not be made: {err}") from exc
    except OSError as exc:
        unlink_db(part)
        err = classify(exc, f"the backup {target.name}")
        raise BackupError(f"The backup could not be made: {err or exc}") from exc
    try:
        result = quick_check(part, f"the new backup {part.name}")
        if result != "ok":
            raise BackupError(f"The backup failed its check ({result}); the previous backups are kept.")
        os.replace(part, target)
    except BackupError:
        unlink_db(part)
        raise
    except (AtlasError, OSError) as exc:
        unlink_db(part)
        err = classify(exc, f"the backup {target.name}")
        raise BackupError(f"The backup could not be made: {err or exc}") from exc
    rotate(paths, keep=keep)
    return target


def unlink_db(path: Path) -> None:
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
        con = sqlite3.connect(ro_uri(path), uri=True)
        try:
            return int(con.execute("SELECT count(*) FROM note WHERE deleted_at IS NULL").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return None


def rotate(paths: DataPaths, *, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns the removed files.

    Never for worse ones: the sound backup holding the most notes is kept (one beyond ``keep``)
    while every newer one holds fewer, so seven backups of an emptied database cannot push the
    last good one out.
    """
    backups = list_backups(paths)
    if len(backups) <= keep:
        return []
    kept, old = backups[:keep], backups[keep:]
    kept_best = max((n for b in kept if (n := _count_notes(b.path)) is not None), default=-1)
    counts = [(n, b) for b in old if (n := _count_notes(b.path)) is not None]
    richest = max(counts, key=lambda nb: (nb[0], nb[1].created), default=None)
    protected = richest[1].path if richest is not None and richest[0] > kept_best else None
    removed = []
    for info in old:
        if info.path == protected:
            continue
        try:
            info.path.unlink()
            removed.append(info.path)
        except OSError:
            pass
    return removed


def _live_notes(path: Path) -> int | None:
    return _count_notes(path) if path.exists() else None


def notes_warning(paths: DataPaths) -> str | None:
    """A warning when the notes database holds no notes although a backup holds some (emptied by
    accident, or replaced by a blank file): what to do, never done silently. None otherwise."""
    live = _live_notes(paths.user_db)
    if live is None or live > 0:
        return None
    best = max(list_backups(paths, count_notes=True), key=lambda b: (b.notes or 0, b.created), default=None)
    if best is None or not best.notes:
        return None
    return (
        f"Your notes database holds no notes, but the backup from {best.created:%Y-%m-%d %H:%M} holds "
        f"{best.notes}. If you did not delete them, restore it: `alliance-atlas notes restore --backup "
        f"{best.path}` (or File ▸ Restore notes from backup…)."
    )


def backup_warning(paths: DataPaths, new: Path) -> str | None:
    """After a backup: a warning when it holds fewer notes than an earlier backup (which rotation
    keeps, see :func:`rotate`), or None."""
    made = _count_notes(new)
    if made is None:
        return None
    others = [b for b in list_backups(paths, count_notes=True) if b.path != new and b.notes is not None]
    best = max(others, key=lambda b: (b.notes or 0, b.created), default=None)
    if best is None or (best.notes or 0) <= made:
        return None
    return (
        f"This backup holds {made} note{'s' if made != 1 else ''}, fewer than the {best.notes} in the backup from "
        f"{best.created:%Y-%m-%d %H:%M}; that backup is kept (rotation never removes the one with the most notes)."
    )


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
    """The callable to pass as ``backup=`` to UserData.open / ``user_backup=`` to open_atlas."""
    return lambda: backup_user_db(paths, reason="pre-migration")
