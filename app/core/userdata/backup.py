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

from app.core.db import BUSY_TIMEOUT_MS, ensure_user_db, invalid_text_count
from app.core.errors import (
    AtlasError,
    DatabaseReadOnly,
    DatabaseUnavailable,
    capitalized,
    classify,
    folder_unwritable,
    is_damage,
)
from app.core.userdata.recovery import Recovery, build_restored, copy_into_live, swap_in
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


def _ro_uri(path: Path) -> str:
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
        con = sqlite3.connect(_ro_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
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
        raise _unavailable(exc, path, what) from exc
    except OSError as exc:
        raise _unavailable(exc, path, what) from exc
    result = "; ".join(str(r[0]) for r in rows[:3])
    if result == "ok" and bad_text:
        return f"{bad_text} text value{'s are' if bad_text != 1 else ' is'} not valid UTF-8"
    return "ok" if result == "ok" else result


def _unavailable(exc: BaseException, path: Path, what: str) -> AtlasError:
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
        if is_damage(exc):
            raise BackupError(f"The backup could not be made: the notes database is damaged ({exc}).") from exc
        err = _unavailable(exc, paths.user_db, "the notes database")
        raise BackupError(f"The backup could not be made: {err}") from exc
    except OSError as exc:
        _unlink(part)
        err = classify(exc, f"the backup {target.name}")
        raise BackupError(f"The backup could not be made: {err or exc}") from exc
    try:
        result = quick_check(part, f"the new backup {part.name}")
        if result != "ok":
            raise BackupError(f"The backup failed its check ({result}); the previous backups are kept.")
        os.replace(part, target)
    except BackupError:
        _unlink(part)
        raise
    except (AtlasError, OSError) as exc:
        _unlink(part)
        err = classify(exc, f"the backup {target.name}")
        raise BackupError(f"The backup could not be made: {err or exc}") from exc
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
            _unlink(tmp)
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
    stamp = _stamp(now)
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
            _unlink(tmp)
    _back_to_wal(paths.user_db)
    return Recovery(aside, backup, report)


def _back_to_wal(user_db: Path) -> None:
    """The new database is complete; WAL mode is set again now or, failing that, at the next open."""
    try:
        ensure_user_db(user_db)
    except (AtlasError, sqlite3.Error, OSError):
        pass


def _aside_name(paths: DataPaths, now: datetime | None = None) -> Path:
    stamp = _stamp(now)
    target = paths.user_db.with_name(f"{paths.user_db.name}.damaged-{stamp}")
    n = 2
    while target.exists():
        target = paths.user_db.with_name(f"{paths.user_db.name}.damaged-{stamp}-{n}")
        n += 1
    return target
